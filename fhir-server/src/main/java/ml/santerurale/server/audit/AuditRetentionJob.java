package ml.santerurale.server.audit;

import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.api.model.ExpungeOptions;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.ParamPrefixEnum;
import java.time.Clock;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import ml.santerurale.interceptors.audit.AuditEventFactory;
import ml.santerurale.interceptors.audit.AuditSink;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.AuditEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Purges AuditEvents recorded (their {@code date} search parameter, i.e. {@code recorded})
 * before now minus the retention, then records an AuditEvent of the purge itself (how many,
 * which cutoff, and the failure if it stopped early). Each event is deleted and expunged (its
 * versions removed from the database) as the server itself, in its own transaction.
 *
 * <p>Does not guarantee: that the purge finishes in one run (a failure stops it; the next run
 * resumes); that the Lucene full-text index forgets an expunged event before its next commit.
 * Runs on one node at a time only by schedule, not by lock: two concurrent runs would try the
 * same deletions and one would fail harmlessly.
 */
public final class AuditRetentionJob {

    private static final Logger log = LoggerFactory.getLogger(AuditRetentionJob.class);

    private final IFhirResourceDao<AuditEvent> dao;
    private final TransactionTemplate transaction;
    private final AuditSink sink;
    private final AuditEventFactory factory;
    private final Period retention;
    private final int batchSize;
    private final Clock clock;

    AuditRetentionJob(IFhirResourceDao<AuditEvent> dao, PlatformTransactionManager transactionManager, AuditSink sink,
            AuditEventFactory factory, Period retention, int batchSize, Clock clock) {
        this.dao = dao;
        this.transaction = new TransactionTemplate(transactionManager);
        this.sink = sink;
        this.factory = factory;
        this.retention = retention;
        this.batchSize = batchSize;
        this.clock = clock;
    }

    /** Runs the purge now; returns how many AuditEvents were deleted. */
    public int purge() {
        Instant cutoff = clock.instant().atZone(ZoneOffset.UTC).minus(retention).toInstant();
        int deleted = 0;
        String failure = null;
        try {
            List<IIdType> ids;
            do {
                SearchParameterMap older = SearchParameterMap.newSynchronous(AuditEvent.SP_DATE,
                        new DateParam(ParamPrefixEnum.LESSTHAN, Date.from(cutoff)));
                older.setLoadSynchronousUpTo(batchSize);
                ids = dao.searchForResourceIds(older, new SystemRequestDetails());
                for (IIdType id : ids) {
                    transaction.executeWithoutResult(status -> {
                        SystemRequestDetails system = new SystemRequestDetails();
                        dao.delete(id.toUnqualifiedVersionless(), system);
                        dao.forceExpungeInExistingTransaction(id.toUnqualifiedVersionless(), new ExpungeOptions()
                                .setExpungeDeletedResources(true).setExpungeOldVersions(true), system);
                    });
                    deleted++;
                }
            } while (!ids.isEmpty());
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
