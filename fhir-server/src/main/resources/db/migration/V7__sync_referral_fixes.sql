-- Grants that existed before V6 were stamped with V6's own transaction id, later than their
-- 'enter' row: the receiving feed would skip versions written between the grant and V6. Each
-- grant takes the transaction id of its latest 'enter' row instead.
update srm_referral_grant g set txid = e.txid
from (select c.fhir_id, p.part_name, max(c.txid) as txid
      from srm_change c join hfj_partition p on p.part_id = c.partition_id
      where c.scope = 'enter' and c.res_type = 'ServiceRequest'
      group by c.fhir_id, p.part_name) e
where e.fhir_id = g.service_request_id and e.part_name = g.to_site and e.txid < g.txid;

-- A grant names a site that has no partition only if it was written before the grants were
-- limited to our sites: its scope rows carry no partition and must not reach anyone's feed.
delete from srm_change where scope is not null and partition_id is null;

create or replace function srm_record_scope_change() returns trigger language plpgsql as $$
declare
    grant_row srm_referral_grant;
    receiving integer;
begin
    if tg_op = 'INSERT' then
        grant_row := new;
    else
        grant_row := old;
    end if;
    select part_id into receiving from hfj_partition where part_name = grant_row.to_site;
    if receiving is null then
        return null;
    end if;
    insert into srm_change (partition_id, res_type, fhir_id, res_ver, deleted, scope)
    values (receiving, 'Patient', grant_row.patient_id, 0, tg_op = 'DELETE', case when tg_op = 'INSERT' then 'enter' else 'exit' end),
           (receiving, 'ServiceRequest', grant_row.service_request_id, 0, tg_op = 'DELETE', case when tg_op = 'INSERT' then 'enter' else 'exit' end);
    return null;
end $$;

-- The feed shows only the latest entry (or exit) of a record into a site: looked up here.
create index srm_change_scope_rows on srm_change (partition_id, res_type, fhir_id) where scope is not null;
