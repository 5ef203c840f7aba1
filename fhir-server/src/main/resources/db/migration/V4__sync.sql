-- Idempotency keys of sync batches (transaction Bundles carrying Bundle.identifier). The key and
-- the response are stored in the batch's own database transaction, after its entries and before
-- its commit: a retry after a lost response is answered from here and never applied twice, a
-- concurrent copy waits on the unique key and is then answered from here. A refused batch leaves
-- no row.
create table srm_sync_batch (
    key_system      varchar(200) not null,
    key_value       varchar(200) not null,
    caller_subject  varchar(200) not null,
    request_sha256  char(64)     not null,
    response_status integer      not null,
    response_body   text         not null,
    received_at     timestamptz  not null default now(),
    primary key (key_system, key_value)
);
create index srm_sync_batch_received on srm_sync_batch (received_at);

-- The change feed: one row per stored resource version, written by a trigger in the writing
-- transaction, with that transaction's id. Feed readers return only rows of transactions older
-- than the oldest transaction still running (pg_snapshot_xmin), so a slow transaction that
-- commits late is read by the next poll instead of being skipped (see docs/SYNC.md).
create table srm_change (
    seq          bigint generated always as identity primary key,
    txid         xid8    not null default pg_current_xact_id(),
    partition_id integer,
    res_id       bigint  not null,
    res_type     varchar(40) not null,
    res_ver      bigint  not null,
    deleted      boolean not null
);
create index srm_change_feed on srm_change (partition_id, txid, seq);

create function srm_record_change() returns trigger language plpgsql as $$
begin
    insert into srm_change (partition_id, res_id, res_type, res_ver, deleted)
    values (new.partition_id, new.res_id, new.res_type, new.res_ver, new.res_deleted_at is not null);
    return null;
end $$;

create trigger srm_change_on_version after insert on hfj_res_ver
    for each row execute function srm_record_change();

-- The instants the feed handed out as Bundle.meta.lastUpdated, each with the transaction
-- horizon it stood for: a later _since of that instant resumes exactly there.
create table srm_sync_watermark (
    issued_at timestamptz primary key,
    horizon   xid8 not null
);

-- Versions stored before this migration enter the feed as already committed history.
insert into srm_change (txid, partition_id, res_id, res_type, res_ver, deleted)
select '3'::xid8, partition_id, res_id, res_type, res_ver, res_deleted_at is not null
from hfj_res_ver order by res_updated, pid;
