-- Feed positions recorded by the server itself, about once a second while anything is written
-- (sync.FeedPositions), besides the instants handed out to clients: a _since the server did not
-- hand out maps to the newest position at or before it, so its answer repeats at most about a
-- second of versions (an hour once positions are thinned), never the whole database.
-- tick_xid: the recording transaction's own id (null for an instant handed out to a client);
-- the next position is recorded only once some other transaction has taken an id since.
alter table srm_sync_watermark add column tick_xid xid8;
