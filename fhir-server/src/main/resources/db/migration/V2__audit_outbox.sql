-- Audit events waiting to be stored as AuditEvent resources. The request that produced an event
-- inserts it here (one row, no FHIR indexing: fast); the drainer moves rows into HAPI's tables
-- and deletes them in the same transaction. A row that cannot be stored is kept (attempts,
-- last_error) and skipped after a few attempts, never dropped: an operator looks at it.
create table srm_audit_outbox (
    id          bigserial    primary key,
    created_at  timestamptz  not null default now(),
    payload     text         not null,
    attempts    integer      not null default 0,
    last_error  text
);
