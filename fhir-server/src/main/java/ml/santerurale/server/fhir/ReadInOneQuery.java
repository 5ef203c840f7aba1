package ml.santerurale.server.fhir;

import ca.uhn.fhir.context.FhirVersionEnum;
import ca.uhn.fhir.interceptor.api.IInterceptorBroadcaster;
import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.dao.BaseHapiFhirResourceDao;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.model.entity.BaseTag;
import ca.uhn.fhir.jpa.model.entity.PartitionablePartitionId;
import ca.uhn.fhir.jpa.model.entity.ResourceEncodingEnum;
import ca.uhn.fhir.jpa.model.entity.ResourceHistoryTable;
import ca.uhn.fhir.jpa.model.entity.ResourceTag;
import ca.uhn.fhir.jpa.model.entity.TagDefinition;
import ca.uhn.fhir.jpa.model.entity.TagTypeEnum;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.ClassUtils;

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

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TagTypeEnum[] TAG_TYPES = TagTypeEnum.values();

    private final JdbcTemplate jdbc;
    private final IRequestPartitionHelperSvc partitions;
    private final IJpaStorageResourceParser parser;
    private final IInterceptorBroadcaster broadcaster;
    private final java.util.concurrent.atomic.LongAdder served = new java.util.concurrent.atomic.LongAdder();

    ReadInOneQuery(JdbcTemplate jdbc, IRequestPartitionHelperSvc partitions, IJpaStorageResourceParser parser,
            IInterceptorBroadcaster broadcaster) {
        this.jdbc = jdbc;
        this.partitions = partitions;
        this.parser = parser;
        this.broadcaster = broadcaster;
    }

    /** The DAO, with {@code read(IIdType, RequestDetails)} served by this class when it can. */
    @SuppressWarnings("unchecked")
    <T extends IBaseResource> IFhirResourceDao<T> wrap(IFhirResourceDao<T> dao, String resourceType) {
        Class<?>[] interfaces = ClassUtils.getAllInterfacesForClass(dao.getClass(), dao.getClass().getClassLoader());
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "ReadInOneQuery(" + dao + ")";
                };
            }
            if (isRead(method) && args[0] instanceof IIdType id && args[1] instanceof RequestDetails request) {
                Served served = read(dao, resourceType, id, request);
                if (served != null) {
                    // The hooks have run: their answer is the read's, even none.
                    return served.resource();
                }
            }
            try {
                return method.invoke(dao, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (IFhirResourceDao<T>) Proxy.newProxyInstance(dao.getClass().getClassLoader(), interfaces, handler);
    }

    private static boolean isRead(Method method) {
        Class<?>[] parameters = method.getParameterTypes();
        return method.getName().equals("read") && parameters.length == 2
                && parameters[0] == IIdType.class && parameters[1] == RequestDetails.class;
    }

    /** What the hooks let through (possibly nothing), once this class has served a read. */
    private record Served(IBaseResource resource) {
    }

    /** The resource as HAPI's read returns it, or null when HAPI's read must answer. */
    private <T extends IBaseResource> Served read(IFhirResourceDao<T> dao, String resourceType, IIdType id,
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
        Current current = current(resourceType, id.getIdPart(), readPartitions);
        if (current == null) {
            return null;
        }
        T resource = parser.toResource(request, dao.getResourceType(), current.version(), current.tags(), false);
        if (resource == null) {
            return null;
        }
        served.increment();
        BaseHapiFhirResourceDao.invokeStoragePreAccessResources(broadcaster, request, id, resource);
        return new Served(BaseHapiFhirResourceDao.invokeStoragePreShowResources(broadcaster, request, resource));
    }

    /** How many reads this class served itself (the others went to HAPI's read). */
    long served() {
        return served.sum();
    }

    /** A current version, detached from Hibernate, and the resource's tags. */
    private record Current(ResourceHistoryTable version, List<BaseTag> tags) {
    }

    /**
     * Every row of the id in the read partitions, deleted ones included (HAPI's read resolves a
     * deleted id too, and two rows make it refuse the read): served only when there is exactly one,
     * live, with its current version stored as JSON text. Timestamps are the resource row's, as in
     * HAPI's read of a current version.
     */
    static final String CURRENT = "select r.res_id, r.partition_id, h.res_ver, r.res_published, r.res_updated,"
            + " h.res_encoding, h.res_text_vc, h.source_uri, h.request_id,"
            + " case when r.has_tags then (select json_agg(json_build_array(d.tag_type, d.tag_system, d.tag_code,"
            + " d.tag_display, d.tag_version, d.tag_user_selected) order by d.tag_id)"
            + " from hfj_res_tag t join hfj_tag_def d on d.tag_id = t.tag_id where t.res_id = r.res_id) end,"
            + " r.res_deleted_at is null and h.res_deleted_at is null and h.res_encoding = 'JSON' and h.res_text_vc is not null"
            + " from hfj_resource r left join hfj_res_ver h on h.res_id = r.res_id and h.res_ver = r.res_ver"
            + " where r.res_type = ? and r.fhir_id = ? and r.partition_id in ";

    /** The current version of a live resource stored as JSON text in one of the partitions, or null. */
    private Current current(String resourceType, String fhirId, Set<Integer> readPartitions) {
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
        List<Current> rows = jdbc.query(sql.toString(),
                (rs, n) -> rs.getBoolean(11) ? current(rs, resourceType, fhirId) : null, args);
        return rows.size() == 1 ? rows.get(0) : null;
    }

    private static Current current(ResultSet rs, String resourceType, String fhirId) throws SQLException {
        ResourceHistoryTable history = new ResourceHistoryTable();
        history.setResourceId(rs.getLong(1));
        history.setPartitionId(new PartitionablePartitionId(rs.getInt(2), null));
        history.setResourceType(resourceType);
        history.setTransientForcedId(fhirId);
        history.setVersion(rs.getLong(3));
        history.setPublished(date(rs.getTimestamp(4)));
        history.setUpdated(date(rs.getTimestamp(5)));
        history.setEncoding(ResourceEncodingEnum.valueOf(rs.getString(6)));
        history.setResourceTextVc(rs.getString(7));
        history.setSourceUri(rs.getString(8));
        history.setRequestId(rs.getString(9));
        history.setFhirVersion(FhirVersionEnum.R4);
        String tags = rs.getString(10);
        history.setHasTags(tags != null);
        return new Current(history, tags == null ? List.of() : tags(tags));
    }

    private static Date date(Timestamp timestamp) {
        return timestamp == null ? null : new Date(timestamp.getTime());
    }

    /** The tags of {@code json_agg(json_build_array(type, system, code, display, version, userSelected))}. */
    private static List<BaseTag> tags(String json) throws SQLException {
        try {
            List<BaseTag> tags = new ArrayList<>();
            for (JsonNode row : JSON.readTree(json)) {
                TagDefinition definition = new TagDefinition(TAG_TYPES[row.get(0).asInt()], text(row.get(1)),
                        text(row.get(2)), text(row.get(3)));
                definition.setVersion(text(row.get(4)));
                definition.setUserSelected(row.get(5).isNull() ? null : row.get(5).asBoolean());
                ResourceTag tag = new ResourceTag();
                tag.setTag(definition);
                tags.add(tag);
            }
            return tags;
        } catch (java.io.IOException e) {
            throw new SQLException("Unreadable tags of a stored resource", e);
        }
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }
}
