package ml.santerurale.server.fhir;

import ca.uhn.fhir.interceptor.api.IInterceptorBroadcaster;
import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.dao.BaseHapiFhirResourceDao;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Serves a REST read of a resource's current version ({@code GET [type]/[id]}) with one SQL
 * statement instead of HAPI's read (a transaction, the resource row, its version row and its tags,
 * three queries through Hibernate: half of a read's request thread under load, issue 17), then
 * hands the stored JSON to HAPI's own parser, which adds the meta exactly as HAPI's read does
 * (version, last updated, source, tags, security labels, profiles, partition), and fires the same
 * storage hooks in the same order ({@code STORAGE_PARTITION_IDENTIFY_READ} through HAPI's partition
 * helper, then {@code STORAGE_PREACCESS_RESOURCES}, {@code STORAGE_PRESHOW_RESOURCES}).
 *
 * <p>Anything else goes to HAPI's read unchanged: a version read, a read whose partitions include
 * the default one (reference data) or all of them, and every outcome that is not a live resource
 * with its JSON stored as text (missing, another site's, deleted, compressed), so 404 and 410 keep
 * HAPI's exact answers. Only the REST providers' DAOs are wrapped; HAPI's internal reads are not.
 *
 * <p>Does not guarantee the same result as HAPI's read if HAPI's storage layout changes (columns
 * of {@code HFJ_RESOURCE}, {@code HFJ_RES_VER}, {@code HFJ_RES_TAG}, {@code HFJ_TAG_DEF}, HAPI 8.8):
 * {@code ReadInOneQueryTest} compares the two reads field by field.
 */
final class ReadInOneQuery {

    private final JdbcTemplate jdbc;
    private final IRequestPartitionHelperSvc partitions;
    private final IJpaStorageResourceParser parser;
    private final IInterceptorBroadcaster broadcaster;
    private final LongAdder served = new LongAdder();

    ReadInOneQuery(JdbcTemplate jdbc, IRequestPartitionHelperSvc partitions, IJpaStorageResourceParser parser,
            IInterceptorBroadcaster broadcaster) {
        this.jdbc = jdbc;
        this.partitions = partitions;
        this.parser = parser;
        this.broadcaster = broadcaster;
    }

    /**
     * Answers {@code read(IIdType, RequestDetails)} of the DAO when it can; {@link DaoProxy#PASS}
     * for every other call and every read HAPI must answer.
     */
    Object answer(IFhirResourceDao<?> dao, String resourceType, Method method, Object[] arguments) {
        if (DaoProxy.is(method, "read", IIdType.class, RequestDetails.class) && arguments[0] instanceof IIdType id
                && arguments[1] instanceof RequestDetails request) {
            Served served = read(dao, resourceType, id, request);
            if (served != null) {
                // The hooks have run: their answer is the read's, even none.
                return served.resource();
            }
        }
        return DaoProxy.PASS;
    }

    /** What the hooks let through (possibly nothing), once this class has served a read. */
    private record Served(IBaseResource resource) {
    }

    /** The resource as HAPI's read returns it, or null when HAPI's read must answer. */
    private Served read(IFhirResourceDao<?> dao, String resourceType, IIdType id,
            RequestDetails request) {
        if (id.hasVersionIdPart() || !id.hasIdPart() || (id.hasResourceType() && !resourceType.equals(id.getResourceType()))) {
            return null;
        }
        RequestPartitionId partition = partitions.determineReadPartitionForRequestForRead(request, resourceType, id);
        if (partition.isAllPartitions()) {
            return null;
        }
        Set<Integer> readPartitions = partitions.toReadPartitions(partition);
        if (readPartitions.isEmpty() || readPartitions.contains(null)) {
            return null;
        }
        CurrentVersions.Current current = current(resourceType, id.getIdPart(), readPartitions);
        if (current == null) {
            return null;
        }
        IBaseResource resource = parser.toResource(request, dao.getResourceType(), current.version(), current.tags(), false);
        if (resource == null) {
            return null;
        }
        served.increment();
        if (PreEncodedEntries.wanted(request)) {
            PreEncodedEntries.remember(request, resource, StoredJson.of(resource, current.version().getResourceTextVc()));
        }
        BaseHapiFhirResourceDao.invokeStoragePreAccessResources(broadcaster, request, id, resource);
        return new Served(BaseHapiFhirResourceDao.invokeStoragePreShowResources(broadcaster, request, resource));
    }

    /** How many reads this class served itself (the others went to HAPI's read). */
    long served() {
        return served.sum();
    }

    /**
     * Every row of the id in the read partitions, deleted ones included (HAPI's read resolves a
     * deleted id too, and two rows make it refuse the read): served only when there is exactly one,
     * live, with its current version stored as JSON text.
     */
    static final String CURRENT = CurrentVersions.SELECT + " where r.res_type = ? and r.fhir_id = ? and r.partition_id in ";

    /** The current version of a live resource stored as JSON text in one of the partitions, or null. */
    private CurrentVersions.Current current(String resourceType, String fhirId, Set<Integer> readPartitions) {
        StringBuilder sql = new StringBuilder(CURRENT).append('(');
        Object[] args = new Object[2 + readPartitions.size()];
        args[0] = resourceType;
        args[1] = fhirId;
        int i = 2;
        for (Integer partition : readPartitions) {
            sql.append(i > 2 ? ",?" : "?");
            args[i++] = partition;
        }
        sql.append(')');
        List<CurrentVersions.Current> rows = jdbc.query(sql.toString(), (rs, n) -> CurrentVersions.row(rs), args);
        return rows.size() == 1 && rows.get(0).servable() ? rows.get(0) : null;
    }
}
