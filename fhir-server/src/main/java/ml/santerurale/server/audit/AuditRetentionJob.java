package ml.santerurale.server.audit;

import java.time.Clock;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import ml.santerurale.interceptors.audit.AuditEventFactory;
import ml.santerurale.interceptors.audit.AuditSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Purges the audit events recorded ({@code AuditEvent.recorded}, the {@code date} search
 * parameter) before now minus the retention from {@code srm_audit_event}, a batch per database
 * transaction, then records an AuditEvent of the purge itself (how many, which cutoff, and the
 * failure if it stopped early). Its transactions are the only ones that declare themselves the
 * retention purge, which the table's trigger requires of any delete.
 *
 * <p>Does not guarantee that the purge finishes in one run (a failure stops it; the next run
 * resumes). Runs once at a time in this JVM (a run called while another is under way waits for
 * it, so each records the rows it deleted itself); across nodes only by schedule, not by lock: two
 * nodes' concurrent runs would delete disjoint or already deleted rows, each recording its own count.
 */
public final class AuditRetentionJob {

    private static final Logger log = LoggerFactory.getLogger(AuditRetentionJob.class);

    private final AuditEventStore store;
    private final TransactionTemplate transaction;
    private final AuditSink sink;
    private final AuditEventFactory factory;
    private final Period retention;
    private final int batchSize;
    private final Clock clock;

    AuditRetentionJob(AuditEventStore store, PlatformTransactionManager transactionManager, AuditSink sink,
            AuditEventFactory factory, Period retention, int batchSize, Clock clock) {
        this.store = store;
        this.transaction = new TransactionTemplate(transactionManager);
        this.sink = sink;
        this.factory = factory;
        this.retention = retention;
        this.batchSize = batchSize;
        this.clock = clock;
    }

    /** Runs the purge now; returns how many audit events were deleted. */
    public synchronized int purge() {
        Instant cutoff = clock.instant().atZone(ZoneOffset.UTC).minus(retention).toInstant();
        int deleted = 0;
        String failure = null;
        try {
            int batch;
            do {
                Integer purged = transaction.execute(status -> store.purgeBefore(cutoff, batchSize));
                batch = purged == null ? 0 : purged;
                deleted += batch;
            } while (batch == batchSize);
        } catch (RuntimeException e) {
            failure = e.getMessage();
            log.error("Audit retention purge stopped after {} deletions (cutoff {})", deleted, cutoff, e);
        }
        sink.record(factory.purgeEvent(cutoff, deleted, failure));
        log.info("Audit retention purge: {} AuditEvent(s) recorded before {} deleted", deleted, cutoff);
        return deleted;
    }

    void purgeQuietly() {
        try {
            purge();
        } catch (RuntimeException e) {
            log.error("Audit retention purge failed", e);
        }
    }
}
