package ml.santerurale.server.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import ml.santerurale.interceptors.access.SiteLabels;
import ml.santerurale.interceptors.audit.BalpJson;
import ml.santerurale.interceptors.audit.BalpJsonReader;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Moves audit events from {@code srm_audit_outbox} into the audit store ({@code srm_audit_event},
 * {@link AuditEventStore}), a batch at a time: the rows are parsed, given an id, version 1 and
 * their site, and appended as one JDBC batch, and deleted from the outbox in the same database
 * transaction. No FHIR indexing: until issue 17 each batch was a FHIR transaction through HAPI's
 * system DAO, which indexed every AuditEvent search parameter and cost more CPU than the reads it
 * audited. Rows are claimed with {@code FOR UPDATE SKIP LOCKED}, so several nodes, the drain
 * threads of one node ({@link AuditSchedule}) or a test may drain at once without storing an
 * event twice.
 *
 * <p>Measured as {@code srm_audit_drain_seconds} (each batch that moved events) and
 * {@code srm_audit_drained_events_total}. When tracing is on, each batch is a span of its own
 * ({@value #SPAN_NAME}, a trace of its own, its statements inside it) tagged with the number of
 * events it moved ({@value #EVENTS_ATTRIBUTE}) and nothing else: no event content, no patient.
 * A drain that finds the outbox empty makes no span (one cheap query says so first), so an idle
 * server does not export a trace every drain interval; the empty last batch of a drain that
 * moved exactly a multiple of the batch size does, and so does a batch whose rows another drain
 * claimed first.
 *
 * <p>A batch that fails is retried row by row; a row that still fails (not an AuditEvent, no
 * {@code recorded}) is kept with its error and retried at most {@value #MAX_ATTEMPTS} times, then
 * left for an operator (logged at ERROR). Does not guarantee order across nodes, nor that an
 * event is searchable sooner than one drain interval after the request.
 */
public final class AuditOutboxDrainer {

    static final int MAX_ATTEMPTS = 5;
    /** The "site" of reference data and of the national trail (HAPI's default partition). */
    private static final String SHARED = "";
    /** A {@code Type/id} reference that can name a stored resource. */
    private static final java.util.regex.Pattern LOCAL_REFERENCE = java.util.regex.Pattern.compile("[A-Za-z]+/[A-Za-z0-9\\-.]{1,64}");

    static final String SPAN_NAME = "audit drain";
    static final String EVENTS_ATTRIBUTE = "srm.audit.events";

    static final String UNRESOLVED_REFERENCE_SYSTEM = "https://sante-rurale.ml/fhir/sid/unresolved-reference";

    private static final Logger log = LoggerFactory.getLogger(AuditOutboxDrainer.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final AuditEventStore store;
    private final FhirContext fhirContext;
    private final int batchSize;
    private final Timer drainTime;
    private final Counter drained;
    private final Tracer tracer;

    /** @param tracer the server's tracer, {@link Tracer#NOOP} when tracing is off */
    AuditOutboxDrainer(DataSource dataSource, PlatformTransactionManager transactionManager, AuditEventStore store,
            FhirContext fhirContext, int batchSize, MeterRegistry registry, Tracer tracer) {
        this.tracer = tracer;
        this.drainTime = Timer.builder("srm.audit.drain")
                .description("Time of each outbox batch moved into the audit store")
                .register(registry);
        this.drained = Counter.builder("srm.audit.drained.events")
                .description("Audit events moved from the outbox into the audit store")
                .register(registry);
        this.jdbc = new JdbcTemplate(dataSource);
        this.transaction = new TransactionTemplate(transactionManager);
        this.store = store;
        this.fhirContext = fhirContext;
        this.batchSize = batchSize;
    }

    /** Drains until the outbox holds nothing this node can store now; returns the events stored. */
    public int drainAll() {
        if (!Boolean.TRUE.equals(jdbc.queryForObject("select exists (select 1 from srm_audit_outbox where attempts < ?)",
                Boolean.class, MAX_ATTEMPTS))) {
            return 0;
        }
        int total = 0;
        int moved;
        do {
            moved = drainBatch();
            total += moved;
        } while (moved == batchSize);
        return total;
    }

    /**
     * Whether the outbox's oldest row this node could store is older than {@code age}: one index
     * lookup (the oldest row by id), so that an extra drain thread can ask every interval.
     */
    boolean isBehind(Duration age) {
        return Boolean.TRUE.equals(jdbc.queryForObject("select coalesce((select created_at < clock_timestamp()"
                + " - make_interval(secs => ?) from srm_audit_outbox where attempts < ? order by id limit 1), false)",
                Boolean.class, age.toMillis() / 1000.0, MAX_ATTEMPTS));
    }

    /**
     * As {@link #drainQuietly}, only while the outbox is behind by more than {@code age}
     * ({@link #isBehind}). A failure is logged at DEBUG only: the thread that drains every interval
     * ({@link #drainQuietly}) meets the same failure and logs it at ERROR, once a drain, not twice.
     */
    void drainQuietlyWhenBehind(Duration age) {
        try {
            if (isBehind(age)) {
                drainAll();
            }
        } catch (RuntimeException e) {
            log.debug("Extra audit outbox drain failed; the drain every interval reports it", e);
        }
    }

    void drainQuietly() {
        try {
            drainAll();
        } catch (RuntimeException e) {
            log.error("Audit outbox drain failed; the events stay in srm_audit_outbox and will be retried", e);
        }
    }

    /** One batch in one transaction; on failure, the same rows one by one. Returns rows handled. */
    int drainBatch() {
        Span span = tracer.nextSpan().name(SPAN_NAME).start();
        try (Tracer.SpanInScope scope = tracer.withSpan(span)) {
            long started = System.nanoTime();
            int moved = drainBatchUntimed();
            if (moved > 0) {
                drainTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            }
            span.tag(EVENTS_ATTRIBUTE, Integer.toString(moved));
            return moved;
        } catch (RuntimeException e) {
            span.error(e);
            throw e;
        } finally {
            span.end();
        }
    }

    private int drainBatchUntimed() {
        try {
            Integer moved = transaction.execute(status -> {
                List<Row> rows = jdbc.query("select id, payload from srm_audit_outbox where attempts < ? order by id"
                        + " limit ? for update skip locked",
                        (rs, i) -> new Row(rs.getLong(1), rs.getString(2)), MAX_ATTEMPTS, batchSize);
                store(rows);
                jdbc.update("delete from srm_audit_outbox where id = any(?)",
                        (Object) rows.stream().map(Row::id).toArray(Long[]::new));
                drained.increment(rows.size());
                return rows.size();
            });
            return moved == null ? 0 : moved;
        } catch (RuntimeException batchFailure) {
            log.warn("Audit outbox batch failed ({}); storing its rows one by one", batchFailure.getMessage());
            return drainOneByOne();
        }
    }

    private int drainOneByOne() {
        List<Long> ids = jdbc.queryForList("select id from srm_audit_outbox where attempts < ? order by id limit ?",
                Long.class, MAX_ATTEMPTS, batchSize);
        for (Long id : ids) {
            try {
                transaction.executeWithoutResult(status -> {
                    List<Row> rows = jdbc.query("select id, payload from srm_audit_outbox where id = ? for update skip locked",
                            (rs, i) -> new Row(rs.getLong(1), rs.getString(2)), id);
                    store(rows);
                    rows.forEach(row -> jdbc.update("delete from srm_audit_outbox where id = ?", row.id()));
                    drained.increment(rows.size());
                });
            } catch (RuntimeException e) {
                int attempts = jdbc.update("update srm_audit_outbox set attempts = attempts + 1, last_error = ?"
                        + " where id = ?", String.valueOf(e.getMessage()), id);
                log.error("Audit outbox row {} could not be stored in the audit trail (kept, attempt recorded: {})",
                        id, attempts == 1, e);
            }
        }
        return ids.size();
    }

    private void store(List<Row> rows) {
        IParser parser = fhirContext.newJsonParser();
        List<AuditEvent> events = rows.stream().map(row -> BalpJsonReader.read(row.payload(), parser)).toList();
        if (events.isEmpty()) {
            return;
        }
        Map<String, String> existing = existingTargets(events);
        Date stored = new Date();
        List<StoredAuditEvent> batch = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            AuditEvent event = events.get(i);
            if (!event.hasRecorded()) {
                throw new IllegalArgumentException("An AuditEvent without recorded cannot be stored");
            }
            String eventSite = SiteLabels.siteOf(event).orElse(SHARED);
            boolean unresolved = false;
            for (AuditEvent.AuditEventEntityComponent entity : event.getEntity()) {
                String reference = entity.getWhat().getReference();
                String targetSite = reference == null ? null : existing.get(reference);
                if (reference != null && (targetSite == null || !(targetSite.equals(SHARED) || targetSite.equals(eventSite)))) {
                    entity.setWhat(new Reference().setDisplay(reference).setIdentifier(
                            new Identifier().setSystem(UNRESOLVED_REFERENCE_SYSTEM).setValue(reference)));
                    unresolved = true;
                }
            }
            batch.add(stored(event, eventSite, stored, parser, unresolved ? null : rows.get(i).payload()));
        }
        store.append(batch);
    }

    /** The event as the trail serves it: a server-assigned id, version 1, stored now. */
    static StoredAuditEvent stored(AuditEvent event, String site, Date now, IParser parser) {
        return stored(event, site, now, parser, null);
    }

    /**
     * As {@link #stored(AuditEvent, String, Date, IParser)}; {@code json} is the event's JSON as
     * the outbox held it, unchanged since (null if it was changed): its id and version are added
     * to it rather than the event encoded again ({@link BalpJson#withIdAndVersion}), when it can be.
     */
    static StoredAuditEvent stored(AuditEvent event, String site, Date now, IParser parser, String json) {
        boolean hasId = event.hasIdElement() && event.getIdElement().hasIdPart();
        String id = hasId ? event.getIdElement().getIdPart() : UUID.randomUUID().toString();
        event.setId(id);
        event.getMeta().setVersionId("1").setLastUpdated(now);
        String added = json == null || hasId ? null : BalpJson.withIdAndVersion(json, id, event.getMeta().getLastUpdatedElement());
        return new StoredAuditEvent(id, site, event.getRecorded().toInstant(), StoredAuditEvent.keysOf(event),
                added != null ? added : BalpJson.encode(event, parser));
    }

    /**
     * Which {@code Type/id} references of these events name a stored, not deleted resource, with
     * the site it is stored at ({@link #SHARED} for reference data). A reference to a resource
     * that does not exist or was deleted (a refused read of {@code Patient/nonexistent}, the
     * delete of a patient) is kept as a logical reference ({@value #UNRESOLVED_REFERENCE_SYSTEM}
     * identifier and display). So is a reference to another site's record than the event's: the
     * trail of one site must not tell its readers that an id exists elsewhere (a refused read of
     * another site's patient looks exactly like a read of a missing one). {@code entity-name}
     * (every entity's name is its reference) finds every kind. One indexed query per batch, on
     * HAPI's HFJ_RESOURCE.
     */
    private Map<String, String> existingTargets(List<AuditEvent> events) {
        Set<String> references = new HashSet<>();
        events.forEach(event -> event.getEntity().forEach(entity -> {
            String reference = entity.getWhat().getReference();
            if (reference != null && LOCAL_REFERENCE.matcher(reference).matches()) {
                references.add(reference);
            }
        }));
        if (references.isEmpty()) {
            return Map.of();
        }
        String[] types = references.stream().map(r -> r.substring(0, r.indexOf('/'))).toArray(String[]::new);
        String[] ids = references.stream().map(r -> r.substring(r.indexOf('/') + 1)).toArray(String[]::new);
        Map<String, String> found = new HashMap<>();
        jdbc.query("select r.res_type || '/' || r.fhir_id, p.part_name from hfj_resource r"
                + " join unnest(?::varchar[], ?::varchar[]) as t(res_type, fhir_id)"
                + " on r.res_type = t.res_type and r.fhir_id = t.fhir_id"
                + " left join hfj_partition p on p.part_id = r.partition_id where r.res_deleted_at is null",
                (org.springframework.jdbc.core.RowCallbackHandler) rs -> found.put(rs.getString(1),
                        rs.getString(2) == null || "DEFAULT".equals(rs.getString(2)) ? SHARED : rs.getString(2)),
                types, ids);
        return found;
    }

    private record Row(long id, String payload) {}
}
