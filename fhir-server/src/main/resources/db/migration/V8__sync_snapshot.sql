-- Each instant the feed hands out now stands for a database snapshot (which transactions were
-- committed), not only a horizon: a feed shows the changes visible in its own snapshot and not in
-- the previous feed's, so a write committed before a pull is in it even while an older transaction
-- is still open. Rows issued before this migration keep their horizon as the snapshot
-- "horizon:horizon:" (everything below it committed).
alter table srm_sync_watermark add column snapshot pg_snapshot;
