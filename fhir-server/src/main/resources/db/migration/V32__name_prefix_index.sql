-- Name searches (Patient?name=trao, family=, given=, phonetic=) are prefix matches on HAPI's
-- normalized string index: HASH_NORM_PREFIX (a hash of the resource type and parameter only, the
-- same for every patient name) = ? AND SP_VALUE_NORMALIZED LIKE 'TRAO%', within the caller's
-- partitions. HAPI's index (hash_norm_prefix, sp_value_normalized, res_id, partition_id) cannot
-- serve the LIKE as a range unless the database collation is plain C (C.UTF-8 and the locales are
-- not), so PostgreSQL read every name entry of the site and filtered them: on 500 patients,
-- 1,000 index entries and 68 heap pages for a page of 20 (0.9 ms), growing with the register.
-- Partition first, then the hash, then the value in pattern order (varchar_pattern_ops: LIKE
-- 'prefix%' becomes a range whatever the collation): 25 entries, index only (0.07 ms), and the
-- same for the default partition's IS NULL branch. docs/PERFORMANCE.md, "Read path".
create index if not exists srm_idx_sp_string_prefix
    on hfj_spidx_string (partition_id, hash_norm_prefix, sp_value_normalized varchar_pattern_ops, res_id);
