-- An outbox row's created_at is when the event was handed to the outbox, not when the request's
-- database transaction began: now() is the transaction's start, so the events of a long write
-- transaction (inserted just before its commit) looked seconds old the moment they became visible
-- to the drainer, and srm_audit_outbox_oldest_age_seconds reported the write's duration as the
-- drainer's lag (issue 17: 6.5 s after a 7.4 s first Bundle).
alter table srm_audit_outbox alter column created_at set default clock_timestamp();
