package ml.santerurale.server.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.api.model.ExpungeOptions;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.util.List;
import ml.santerurale.interceptors.access.SiteLabels;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.AuditEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Moves AuditEvents that earlier deployments stored through HAPI (before issue 17) into the audit
 * store, keeping their ids, sites and JSON: each event is appended (unless an event of that id is
 * there already) and then deleted and expunged from HAPI's tables in one database transaction,
 * so it is never in both places nor in neither. Runs once at start, in the background; a server
 * with no such events (every new one) does one empty search.
 *
 * <p>Does not guarantee that the move is finished when the server is ready: until it is, an old
 * event may be found only by a search through HAPI, which clients no longer reach. A failure stops
 * the move (logged); the next start resumes it.
 */
final class LegacyAuditEvents implements ApplicationListener<ApplicationReadyEvent> {

    private static final Logger log = LoggerFactory.getLogger(LegacyAuditEvents.class);

    private final IFhirResourceDao<AuditEvent> dao;
    private final AuditEventStore store;
    private final TransactionTemplate transaction;
    private final FhirContext fhirContext;
    private final int batchSize;

    LegacyAuditEvents(IFhirResourceDao<AuditEvent> dao, AuditEventStore store, PlatformTransactionManager transactionManager,
            FhirContext fhirContext, int batchSize) {
        this.dao = dao;
        this.store = store;
        this.transaction = new TransactionTemplate(transactionManager);
        this.fhirContext = fhirContext;
        this.batchSize = batchSize;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent ready) {
        Thread mover = new Thread(this::moveAllQuietly, "audit-legacy-move");
        mover.setDaemon(true);
        mover.start();
    }

    /** Moves every AuditEvent HAPI holds; returns how many. */
    int moveAll() {
        int moved = 0;
        List<IIdType> ids;
        do {
            SearchParameterMap all = SearchParameterMap.newSynchronous();
            all.setLoadSynchronousUpTo(batchSize);
            ids = dao.searchForResourceIds(all, new SystemRequestDetails());
            for (IIdType id : ids) {
                transaction.executeWithoutResult(status -> move(id.toUnqualifiedVersionless()));
                moved++;
            }
        } while (!ids.isEmpty());
        if (moved > 0) {
            log.info("{} AuditEvent(s) stored through HAPI by an earlier version moved into the audit store", moved);
        }
        return moved;
    }

    void moveAllQuietly() {
        try {
            moveAll();
        } catch (RuntimeException e) {
            log.error("Moving AuditEvents stored through HAPI into the audit store stopped; the next start resumes", e);
        }
    }

    private void move(IIdType id) {
        SystemRequestDetails system = new SystemRequestDetails();
        AuditEvent event = dao.read(id, system);
        IParser parser = fhirContext.newJsonParser();
        String site = SiteLabels.siteOf(event).orElse("");
        event.setId(id.getIdPart());
        event.getMeta().setVersionId("1");
        StoredAuditEvent stored = new StoredAuditEvent(id.getIdPart(), site, event.getRecorded().toInstant(),
                StoredAuditEvent.keysOf(event), parser.encodeResourceToString(event));
        store.appendUnlessPresent(stored);
        dao.delete(id, system);
        dao.forceExpungeInExistingTransaction(id, new ExpungeOptions().setExpungeDeletedResources(true)
                .setExpungeOldVersions(true), system);
    }
}
