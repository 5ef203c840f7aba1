-- While a referral is active, later versions of the referred Patient and of the ServiceRequest
-- written at the referring site are in the receiving site's feed too. The feed finds them from
-- the grant: versions of those resources in transactions after the grant's own. The grant's
-- 'enter' row shows the version its transaction saw; later ones come from this, so each
-- version reaches the receiving site exactly once whichever transaction commits first.
alter table srm_referral_grant add column txid xid8 not null default pg_current_xact_id();
create index srm_change_resource on srm_change (res_id, txid, seq);
