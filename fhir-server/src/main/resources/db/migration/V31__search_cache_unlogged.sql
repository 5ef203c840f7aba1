-- HAPI's search cache (HFJ_SEARCH, HFJ_SEARCH_RESULT, HFJ_SEARCH_INCLUDE): the result pages of a
-- search, kept so that its page links work. Every search writes a row per match here; as logged
-- tables each search's commit wrote WAL for all of them (full pages after a checkpoint) and waited
-- for the disk flush, for data that is worthless after a crash: page links are bound to their
-- searcher in memory (access.SitePartitioning) and expire at a restart anyway. Unlogged tables write
-- no WAL, so a search's commit no longer waits for fsync. After a PostgreSQL crash they come back
-- empty: an old page link then answers 410, as after a restart. No permanent table refers to them
-- (the only foreign key, fk_searchinc_search, goes from hfj_search_include to hfj_search), so the
-- children are made unlogged first. Not replicated to a streaming standby, on purpose.
alter table hfj_search_result set unlogged;
alter table hfj_search_include set unlogged;
alter table hfj_search set unlogged;
