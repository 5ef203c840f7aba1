-- The audit trail (issue 17): AuditEvents stored by us, not by HAPI. The drainer moves rows of
-- srm_audit_outbox here in bulk (one multi-row insert per batch, no FHIR indexing); the REST
-- server serves them read-only as AuditEvent (audit.AuditTrailProvider).
--
-- One row an event, its JSON as it is served, and what an auditor searches by:
--   site         the site code the event is stored with ('' = the national trail, admins only)
--   recorded     AuditEvent.recorded (date search, newest first, retention)
--   search_keys  every searchable value as 'parameter:value' (patient:Patient/<id>,
--                entity:<Type/id>, entity-name:<name>, entity-id:<value> and
--                entity-id:<system>|<value> (the BALP XrequestId entity: the request id),
--                agent:<reference>, agent-id:<system>|<value>, agent-name:<name>, altid:<value>, type:/subtype:
--                <code> and <system>|<code>, action:<C|R|U|D|E>, outcome:<0|4|8|12>), one GIN
--                index for all of them: cheaper to write than an index per parameter
--   seq          insertion order: ties on recorded, and a stable end for paging
create table srm_audit_event (
    seq          bigserial    primary key,
    id           varchar(64)  not null unique,
    site         varchar(64)  not null,
    recorded     timestamptz  not null,
    stored_at    timestamptz  not null default now(),
    search_keys  text[]       not null,
    resource     text         not null
);

create index srm_audit_event_site_recorded on srm_audit_event (site, recorded desc, seq desc);
create index srm_audit_event_recorded on srm_audit_event (recorded desc, seq desc);
create index srm_audit_event_keys on srm_audit_event using gin (search_keys);

-- Immutable by construction: no UPDATE, no TRUNCATE, whoever asks; DELETE only inside a
-- transaction that declared itself the retention purge (set local srm.audit_retention = 'purge';
-- audit.AuditRetentionJob, the only code that does, and records every purge as an event).
-- This guards against the application's own mistakes and anything reaching the table through the
-- server's connections; the database owner can still drop the trigger (see docs/ARCHITECTURE.md).
create function srm_audit_event_immutable() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' and current_setting('srm.audit_retention', true) = 'purge' then
        return old;
    end if;
    raise exception 'srm_audit_event is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end
$$;

create trigger srm_audit_event_no_update before update on srm_audit_event
    for each row execute function srm_audit_event_immutable();
create trigger srm_audit_event_no_delete before delete on srm_audit_event
    for each row execute function srm_audit_event_immutable();
create trigger srm_audit_event_no_truncate before truncate on srm_audit_event
    for each statement execute function srm_audit_event_immutable();
