package ml.santerurale.server.sync;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntryTransactionMethodEnum;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import ml.santerurale.interceptors.access.AccessPolicy;
import ml.santerurale.interceptors.access.Permission;
import ml.santerurale.interceptors.security.Caller;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.InstantType;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The change feed behind system {@code _history}: every version stored in the caller's sites
 * (and shared reference data), of the types the caller may read, in commit-safe order. A first
 * sync (no {@code _since}) shows only each record's current version, deleted records not at all.
 *
 * <p>Each version carries the id of the database transaction that wrote it
 * ({@code srm_change.txid}). A feed stands for the database snapshot taken when its first page
 * was asked for: it shows the versions of transactions committed in that snapshot and not in the
 * snapshot of the feed it continues (the one whose instant the client sends as {@code _since}).
 * Snapshots only grow, so consecutive feeds neither skip nor repeat a version: a transaction still
 * open at one feed's start is not in it and falls in the next, whenever it commits. A write
 * answered before a pull starts is in that pull, whatever other transaction is still open. The
 * instant handed out as {@code Bundle.meta.lastUpdated} is remembered with its snapshot, so a
 * later {@code _since=<that instant>} resumes exactly there. Any other instant maps to the
 * snapshot recorded at or before it, so the answer may repeat versions already seen, never skip one.
 *
 * <p>Referrals: an active referral to one of the caller's sites brings the referred Patient and
 * the ServiceRequest into the feed (the version current when it was granted, then every later
 * version written at the referring site) and its end takes them out (DELETE entries without a
 * version: the device removes its copy). The patient's other records at the referring site are
 * not in the receiving site's feed; its searches naming the patient find them.
 *
 * <p>Does not guarantee: no repeat when one patient has two active referrals to the caller's sites
 * granted at different times (a version between the two grants can come twice; a device keeps the
 * newer version anyway).
 */
final class ChangeFeed {

    private static final String AUDIT_EVENT = "AuditEvent";
    /** A watermark's snapshot; rows issued before snapshots were kept stand for their horizon. */
    private static final String SNAPSHOT = "coalesce(snapshot, (horizon::text || ':' || horizon::text || ':')::pg_snapshot)::text";
    /** Nothing committed: the snapshot before the first feed. */
    private static final String NOTHING = "1:1:";
    /** Versions of this feed: committed in its snapshot, not in the previous feed's (parameters: both snapshots). */
    private static final String NEW_IN_SNAPSHOT = " and pg_visible_in_snapshot(%1$s, ?::pg_snapshot)"
            + " and not pg_visible_in_snapshot(%1$s, ?::pg_snapshot)";
    /**
     * A first sync's filter on a change row: scope rows, and versions that are still their
     * record's current, not deleted version. A version superseded after the feed began is
     * skipped here and its successor comes in the next feed (it committed after this one's snapshot).
     */
    private static final String CURRENT = " and (%1$s.scope is not null or exists (select 1 from hfj_resource cur"
            + " where cur.res_id = %1$s.res_id and cur.res_ver = %1$s.res_ver and cur.res_deleted_at is null))";
    /**
     * Whether a scope row still says something to this caller, judged now: never for a record of
     * one of the caller's own sites (a doctor of both sites keeps it whatever the referral does);
     * an entry only while a referral to one of the caller's sites still grants the record (an
     * ended referral shows nothing to a device that was not there); an exit only once no such
     * referral is left (two referrals of one patient: the end of the first removes nothing); and
     * of several entries (or exits) of one record into one site, only the latest.
     * Parameters: the caller's partitions, then the caller's sites.
     */
    private static final String SCOPE_STANDS = " and (scope is null or (not exists (select 1 from hfj_resource own"
            + " where own.res_type = srm_change.res_type and own.fhir_id = srm_change.fhir_id and own.partition_id = any(?))"
            + " and (scope = 'enter') = exists (select 1 from srm_referral_grant g where g.to_site = any(?)"
            + " and (srm_change.res_type = 'Patient' and g.patient_id = srm_change.fhir_id"
            + " or srm_change.res_type = 'ServiceRequest' and g.service_request_id = srm_change.fhir_id))"
            + " and not exists (select 1 from srm_change later where later.partition_id = srm_change.partition_id"
            + " and later.res_type = srm_change.res_type and later.fhir_id = srm_change.fhir_id and later.scope = srm_change.scope"
            + " and (later.txid, later.seq) > (srm_change.txid, srm_change.seq))))";
    /** The resources an active referral opens to the receiving site's feed. */
    private static final Set<String> REFERRED_TYPES = Set.of("Patient", "ServiceRequest");

    private final JdbcTemplate jdbc;
    private final StoredVersions storedVersions;
    private final DaoRegistry daoRegistry;
    private final AccessPolicy policy;
    private final FhirContext fhirContext;

    ChangeFeed(JdbcTemplate jdbc, StoredVersions storedVersions, DaoRegistry daoRegistry, AccessPolicy policy,
            FhirContext fhirContext) {
        this.jdbc = jdbc;
        this.storedVersions = storedVersions;
        this.daoRegistry = daoRegistry;
        this.policy = policy;
        this.fhirContext = fhirContext;
    }

    /** Starts a feed at {@code since} (null: from the beginning). */
    FeedCursor start(Date since) {
        Watermark previous = since == null ? null : jdbc.query("select (extract(epoch from issued_at) * 1000)::bigint, "
                        + SNAPSHOT + " from srm_sync_watermark where issued_at <= ? order by issued_at desc limit 1",
                rs -> rs.next() ? new Watermark(rs.getLong(1), rs.getString(2)) : null, new Timestamp(since.getTime()));
        // One statement: the snapshot is the statement's, taken before the instant is read, so a
        // write committed between the two falls in the next feed (never before its instant).
        // Two feeds started in the same millisecond share the first one's snapshot (older, just as exact).
        Watermark current = jdbc.queryForObject("insert into srm_sync_watermark (issued_at, horizon, snapshot)"
                        + " select date_trunc('milliseconds', clock_timestamp()), pg_snapshot_xmin(s), s from pg_current_snapshot() s"
                        + " on conflict (issued_at) do update set horizon = srm_sync_watermark.horizon"
                        + " returning (extract(epoch from issued_at) * 1000)::bigint, " + SNAPSHOT,
                (rs, i) -> new Watermark(rs.getLong(1), rs.getString(2)));
        long from = previous == null ? 0 : previous.xmin();
        return new FeedCursor(from, Math.max(from, current.xmax()), 0, 0, current.issuedAtMillis(), since == null,
                previous == null ? FeedCursor.NO_PREVIOUS : previous.issuedAtMillis());
    }

    /** The snapshots a cursor's feed stands between: the previous feed's, then its own. */
    private String[] snapshots(FeedCursor cursor) {
        if (cursor.sinceIssuedMillis() == FeedCursor.LEGACY) {
            return new String[] {atHorizon(cursor.from()), atHorizon(cursor.upTo())};
        }
        String previous = cursor.sinceIssuedMillis() == FeedCursor.NO_PREVIOUS ? NOTHING : snapshotAt(cursor.sinceIssuedMillis());
        return new String[] {previous, snapshotAt(cursor.issuedAtMillis())};
    }

    private String snapshotAt(long issuedAtMillis) {
        List<String> found = jdbc.queryForList("select " + SNAPSHOT + " from srm_sync_watermark where issued_at = ?",
                String.class, new Timestamp(issuedAtMillis));
        if (found.isEmpty()) {
            throw new InvalidRequestException("This feed's cursor names an instant the server did not hand out:"
                    + " start again from your last _since");
        }
        return found.get(0);
    }

    private static String atHorizon(long horizon) {
        long h = Math.max(horizon, 1);
        return h + ":" + h + ":";
    }

    /** An instant handed out and the snapshot ({@code xmin:xmax:xip,...}) it stands for. */
    record Watermark(long issuedAtMillis, String snapshot) {
        long xmin() {
            return Long.parseLong(snapshot.substring(0, snapshot.indexOf(':')));
        }

        long xmax() {
            int first = snapshot.indexOf(':');
            return Long.parseLong(snapshot.substring(first + 1, snapshot.indexOf(':', first + 1)));
        }
    }

    /** One page of the feed; {@code onlyType} narrows it to one resource type (type-level {@code _history}). */
    Page page(Caller caller, FeedCursor cursor, int size, String onlyType) {
        Set<String> types = readableTypes(caller);
        if (onlyType != null) {
            types.retainAll(Set.of(onlyType));
        }
        if (types.isEmpty()) {
            throw new ForbiddenOperationException("Your role reads no resource type through the change feed");
        }
        String[] snapshots = snapshots(cursor);
        List<Integer> partitions = jdbc.queryForList("select part_id from hfj_partition where part_name = any(?)",
                Integer.class, (Object) caller.siteIds().toArray(String[]::new));
        // One index range scan (srm_change_feed) per partition, each already in feed order and
        // limited, merged: no scan of other sites' changes however large the table grows.
        // Each row also names the HFJ_RES_VER row to show (see the joins below).
        StringBuilder sql = new StringBuilder("select c.txid::text::bigint, c.seq, c.res_type, coalesce(r.fhir_id, c.fhir_id),"
                + " c.res_ver, c.deleted, c.scope, v.pid from (");
        List<Object> arguments = new ArrayList<>();
        List<Integer> scanned = new ArrayList<>(partitions);
        scanned.add(null);
        for (int i = 0; i < scanned.size(); i++) {
            Integer partition = scanned.get(i);
            sql.append(i == 0 ? "" : " union all ").append("(select * from srm_change where ")
                    .append(partition == null ? "partition_id is null and scope is null" : "partition_id = ?")
                    .append(" and res_type = any(?) and txid >= ?::text::xid8 and txid < ?::text::xid8")
                    .append(" and (txid, seq) > (?::text::xid8, ?)").append(NEW_IN_SNAPSHOT.formatted("txid"))
                    .append(cursor.currentOnly() ? CURRENT.formatted("srm_change") : "")
                    .append(partition == null ? "" : SCOPE_STANDS)
                    .append(" order by txid, seq limit ?)");
            if (partition != null) {
                arguments.add(partition);
            }
            arguments.addAll(List.of(types.toArray(String[]::new), Long.toString(cursor.from()), Long.toString(cursor.upTo()),
                    Long.toString(cursor.afterTxid()), cursor.afterSeq(), snapshots[1], snapshots[0]));
            if (partition != null) {
                arguments.addAll(List.of(partitions.toArray(Integer[]::new), caller.siteIds().toArray(String[]::new)));
            }
            arguments.add(size + 1);
        }
        List<String> referred = types.stream().filter(REFERRED_TYPES::contains).toList();
        if (!referred.isEmpty() && !caller.siteIds().isEmpty()) {
            // Active referrals to the caller's sites: versions of the referred Patient and of the
            // ServiceRequest written at the referring site after the grant (the grant's own
            // 'enter' row shows the version before it), each resource's own index range scan.
            sql.append(" union all (select s.* from (select r.res_id, min(g.txid) as granted from srm_referral_grant g"
                    + " join hfj_resource r on r.res_type = 'Patient' and r.fhir_id = g.patient_id"
                    + " or r.res_type = 'ServiceRequest' and r.fhir_id = g.service_request_id"
                    + " where g.to_site = any(?) and r.res_type = any(?) group by r.res_id) granted"
                    + " cross join lateral (select * from srm_change s where s.res_id = granted.res_id and s.scope is null"
                    + " and s.txid > granted.granted and s.txid >= ?::text::xid8 and s.txid < ?::text::xid8"
                    + " and (s.txid, s.seq) > (?::text::xid8, ?)" + NEW_IN_SNAPSHOT.formatted("s.txid")
                    + " and not coalesce(s.partition_id = any(?), false)"
                    + (cursor.currentOnly() ? CURRENT.formatted("s") : "")
                    + " order by s.txid, s.seq limit ?) s order by s.txid, s.seq limit ?)");
            arguments.addAll(List.of(caller.siteIds().toArray(String[]::new), referred.toArray(String[]::new),
                    Long.toString(cursor.from()), Long.toString(cursor.upTo()), Long.toString(cursor.afterTxid()), cursor.afterSeq(),
                    snapshots[1], snapshots[0], partitions.toArray(Integer[]::new), size + 1, size + 1));
        }
        // Scope rows name their resource by type and id (res_id is null there). A resource
        // entering the scope shows the version its grant's transaction saw (later ones follow
        // through the grant branch above), or a DELETE if that version is a deletion.
        sql.append(") c left join hfj_resource r on r.res_id = c.res_id"
                + " left join hfj_resource e on c.scope = 'enter' and e.res_type = c.res_type and e.fhir_id = c.fhir_id"
                + " left join lateral (select max(x.res_ver) as res_ver from srm_change x where c.scope = 'enter'"
                + " and x.res_id = e.res_id and x.scope is null and x.txid <= c.txid) seen on true"
                + " left join hfj_res_ver v on v.res_id = coalesce(c.res_id, e.res_id)"
                + " and v.res_ver = case when c.scope is null then c.res_ver else seen.res_ver end"
                + " and (c.scope is null and not c.deleted or c.scope = 'enter' and v.res_deleted_at is null)"
                + " order by c.txid, c.seq limit ?");
        arguments.add(size + 1);
        List<Change> changes = jdbc.query(sql.toString(),
                (rs, i) -> new Change(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getBoolean(6),
                        rs.getString(7), rs.getObject(8, Long.class)),
                arguments.toArray());
        boolean more = changes.size() > size;
        List<Change> shown = more ? changes.subList(0, size) : changes;
        Map<Long, StoredVersions.Stored> stored = storedVersions.byVersionPid(
                shown.stream().map(Change::versionPid).filter(Objects::nonNull).distinct().toList());
        List<IBaseResource> resources = new ArrayList<>(shown.size());
        Map<IBaseResource, String> encoded = new IdentityHashMap<>();
        for (Change change : shown) {
            IBaseResource resource = render(change, stored);
            resources.add(resource);
            StoredVersions.Stored version = change.versionPid() == null ? null : stored.get(change.versionPid());
            if (version != null && version.json() != null) {
                encoded.put(resource, version.json());
            }
        }
        FeedCursor next = null;
        if (more) {
            Change last = shown.get(shown.size() - 1);
            next = cursor.after(last.txid(), last.seq());
        }
        return new Page(resources, next, new Date(cursor.issuedAtMillis()), new TreeSet<>(caller.siteIds()), encoded);
    }

    private IBaseResource render(Change change, Map<Long, StoredVersions.Stored> stored) {
        StoredVersions.Stored version = change.versionPid() == null ? null : stored.get(change.versionPid());
        IBaseResource resource = version == null ? null : version.resource();
        if (resource != null) {
            // The same resource may stand in two entries of one page (a version and its scope entry).
            resource = change.scope() == null ? resource : copy(resource);
            ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(resource, change.scope() == null && change.version() == 1
                    ? BundleEntryTransactionMethodEnum.POST : BundleEntryTransactionMethodEnum.PUT);
            return resource;
        }
        if (!change.deleted() && change.scope() == null) {
            // A stored version without its row (expunged): a read answers what HAPI would.
            return daoRegistry.getResourceDao(change.type()).read(
                    new IdType(change.type(), change.id(), Long.toString(change.version())), new SystemRequestDetails());
        }
        // A deleted version, a scope exit, or a referred resource deleted before it entered the scope.
        IdType id = change.scope() != null
                ? new IdType(change.type(), change.id())
                : new IdType(change.type(), change.id(), Long.toString(change.version()));
        IBaseResource tombstone = fhirContext.getResourceDefinition(change.type()).newInstance();
        tombstone.setId(id);
        ResourceMetadataKeyEnum.DELETED_AT.put(tombstone, new InstantType(new Date()));
        ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(tombstone, BundleEntryTransactionMethodEnum.DELETE);
        return tombstone;
    }

    private IBaseResource copy(IBaseResource resource) {
        IBaseResource copy = fhirContext.newTerser().clone(resource);
        copy.setId(resource.getIdElement());
        return copy;
    }

    private Set<String> readableTypes(Caller caller) {
        Set<String> types = new TreeSet<>();
        for (AccessPolicy.Kind kind : List.of(AccessPolicy.Kind.CLINICAL, AccessPolicy.Kind.REFERENCE)) {
            for (String type : policy.typesOf(kind)) {
                if (!AUDIT_EVENT.equals(type) && policy.allows(caller.roles(), type, Permission.HISTORY)) {
                    types.add(type);
                }
            }
        }
        return types;
    }

    /** One row of {@code srm_change}; {@code scope} is null for a stored version, else enter or exit (referrals). */
    record Change(long txid, long seq, String type, String id, long version, boolean deleted, String scope, Long versionPid) {}

    /**
     * {@code sites}: the sites this feed covers for the caller (the device's scope);
     * {@code encoded}: HAPI's JSON of the resources that have it ready (by identity, see {@code fhir.StoredJson}).
     */
    record Page(List<IBaseResource> resources, FeedCursor next, Date issuedAt, Set<String> sites,
            Map<IBaseResource, String> encoded) {}
}
