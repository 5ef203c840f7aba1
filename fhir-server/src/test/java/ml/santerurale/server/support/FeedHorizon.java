package ml.santerurale.server.support;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Waits until no transaction that may still commit is older than the newest change: the feed's
 * horizon then covers everything written so far. Freshness, not correctness: the feed never
 * skips a change, it may show it one poll later while another transaction (the audit drainer)
 * is open.
 */
public final class FeedHorizon {

    private FeedHorizon() {}

    public static void awaitPastEveryChange(JdbcTemplate jdbc) throws InterruptedException {
        for (int poll = 0; poll < 300; poll++) {
            Boolean passed = jdbc.queryForObject("select pg_snapshot_xmin(pg_current_snapshot())"
                    + " > coalesce((select max(txid) from srm_change), '0'::xid8)", Boolean.class);
            if (Boolean.TRUE.equals(passed)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("A transaction stayed open for 30 s: the feed's horizon did not move");
    }
}
