package ml.santerurale.server.fulltext;

import ca.uhn.fhir.jpa.dao.IFulltextSearchSvc;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.jpa.search.reindex.ResourceReindexer;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * At start, before the server reports ready, re-indexes in the full-text index what a crash may
 * have lost ({@link #planAtStart()} decides before this run writes anything; {@link #run} re-indexes): the resources written outside the last checkpoint's snapshot
 * ({@link FullTextCheckpoints}), or every resource when the index is empty while the database is
 * not (a lost or deleted index directory, a restored backup) or when the checkpoint row is missing
 * (the migration that creates the table records a first one). Each resource goes through HAPI's own reindexer,
 * which extracts its text again and hands it to Hibernate Search; a deleted resource's document is
 * emptied the same way. Then lets the checkpoints resume.
 *
 * <p>Does not guarantee a short start: re-indexing everything takes as long as the database is
 * large (logged with its count and duration); nor anything about index corruption (Lucene's own
 * recovery opens the last commit).
 */
final class FullTextCatchUp implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(FullTextCatchUp.class);

    /** Resources of versions written by transactions outside a snapshot, one index range per partition. */
    private static final String CHANGED_OUTSIDE = "select distinct c.res_id from ("
            + " select res_id from (select part_id from hfj_partition) p cross join lateral (select res_id from srm_change"
            + " where partition_id = p.part_id and txid >= pg_snapshot_xmin(?::pg_snapshot)"
            + " and not pg_visible_in_snapshot(txid, ?::pg_snapshot) and scope is null) x"
            + " union all select res_id from srm_change where partition_id is null and txid >= pg_snapshot_xmin(?::pg_snapshot)"
            + " and not pg_visible_in_snapshot(txid, ?::pg_snapshot) and scope is null) c where c.res_id is not null order by 1";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final EntityManager entityManager;
    private final ResourceReindexer reindexer;
    private final IFulltextSearchSvc fullText;
    private final LongSupplier indexedDocuments;
    private final FullTextCheckpoints checkpoints;
    private final int batchSize;
    private List<Long> pending = List.of();
    private String reason = "";

    FullTextCatchUp(JdbcTemplate jdbc, TransactionTemplate transaction, EntityManager entityManager, ResourceReindexer reindexer,
            IFulltextSearchSvc fullText, LongSupplier indexedDocuments, FullTextCheckpoints checkpoints, int batchSize) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.entityManager = entityManager;
        this.reindexer = reindexer;
        this.fullText = fullText;
        this.indexedDocuments = indexedDocuments;
        this.checkpoints = checkpoints;
        this.batchSize = batchSize;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!pending.isEmpty()) {
            long start = System.nanoTime();
            log.warn("Re-indexing {} resource(s) in the full-text index: {}", pending.size(), reason);
            reindex(pending);
            log.info("Full-text index caught up: {} resource(s) in {} ms", pending.size(), (System.nanoTime() - start) / 1_000_000);
            pending = List.of();
        }
        checkpoints.caughtUp();
    }

    /**
     * Decides, before anything is written at this start (the sites catalogue, demo data...), what
     * the index may be behind on: what a previous run wrote outside the last checkpoint, or every
     * resource if the index is empty or the checkpoint missing. Writes of this run are indexed as
     * they happen. Returns how many resources {@link #run} will re-index.
     */
    int planAtStart() {
        List<String> checkpoint = jdbc.queryForList("select snapshot::text from srm_fulltext_checkpoint where id = 1", String.class);
        boolean anyResource = Boolean.TRUE.equals(jdbc.queryForObject("select exists (select 1 from hfj_resource)", Boolean.class));
        if (!anyResource) {
            pending = List.of();
        } else if (checkpoint.isEmpty() || indexedDocuments.getAsLong() == 0) {
            reason = checkpoint.isEmpty() ? "no checkpoint is recorded" : "the full-text index is empty";
            pending = jdbc.queryForList("select res_id from hfj_resource order by res_id", Long.class);
        } else {
            reason = "written after the last checkpoint (" + checkpoint.get(0) + ")";
            pending = changedOutside(checkpoint.get(0));
        }
        return pending.size();
    }

    /** The resources written by transactions the snapshot does not see committed. */
    List<Long> changedOutside(String snapshot) {
        return jdbc.queryForList(CHANGED_OUTSIDE, Long.class, snapshot, snapshot, snapshot, snapshot);
    }

    /** Re-indexes the given resources (HFJ_RESOURCE ids) in the full-text index, a batch per transaction. */
    void reindex(List<Long> resources) {
        for (int from = 0; from < resources.size(); from += batchSize) {
            List<Long> batch = resources.subList(from, Math.min(resources.size(), from + batchSize));
            transaction.executeWithoutResult(status -> {
                for (Long id : batch) {
                    ResourceTable entity = entityManager.find(ResourceTable.class, JpaPid.fromId(id));
                    if (entity == null) {
                        continue;
                    }
                    if (entity.getDeleted() == null) {
                        reindexer.reindexResourceEntity(entity);
                    } else {
                        // Its text is no longer extracted: the document is emptied.
                        fullText.reindex(entity);
                    }
                }
            });
        }
    }
}
