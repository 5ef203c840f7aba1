-- The newest database snapshot whose every write is known to be committed in the Lucene
-- full-text index (fulltext.FullTextCheckpoints). After a crash the server re-indexes what was
-- written outside that snapshot (fulltext.FullTextCatchUp): the index never stays behind.
create table srm_fulltext_checkpoint (
    id          smallint primary key check (id = 1),
    snapshot    pg_snapshot not null,
    recorded_at timestamptz not null
);

-- What is committed now was indexed as it was written: the first checkpoint.
insert into srm_fulltext_checkpoint (id, snapshot, recorded_at) values (1, pg_current_snapshot(), now());
