-- A referral's grant puts the referred patient (and the referral) into the receiving site's
-- change feed, and its end takes them out: scope rows in srm_change, written by triggers on
-- srm_referral_grant in the referral's own transaction, stamped with the receiving site's
-- partition. 'enter' is rendered as the resource's current version, 'exit' as a DELETE entry
-- (the device removes its copy; the record itself still exists at the referring site).
alter table srm_change add column scope varchar(5);
alter table srm_change add column fhir_id varchar(100);
alter table srm_change alter column res_id drop not null;
alter table srm_change add constraint srm_change_scope check (scope in ('enter', 'exit'));

create function srm_record_scope_change() returns trigger language plpgsql as $$
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
    insert into srm_change (partition_id, res_type, fhir_id, res_ver, deleted, scope)
    values (receiving, 'Patient', grant_row.patient_id, 0, tg_op = 'DELETE', case when tg_op = 'INSERT' then 'enter' else 'exit' end),
           (receiving, 'ServiceRequest', grant_row.service_request_id, 0, tg_op = 'DELETE', case when tg_op = 'INSERT' then 'enter' else 'exit' end);
    return null;
end $$;

create trigger srm_scope_on_grant after insert or delete on srm_referral_grant
    for each row execute function srm_record_scope_change();
