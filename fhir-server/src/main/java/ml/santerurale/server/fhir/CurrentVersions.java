package ml.santerurale.server.fhir;

import ca.uhn.fhir.context.FhirVersionEnum;
import ca.uhn.fhir.jpa.model.entity.BaseTag;
import ca.uhn.fhir.jpa.model.entity.PartitionablePartitionId;
import ca.uhn.fhir.jpa.model.entity.ResourceEncodingEnum;
import ca.uhn.fhir.jpa.model.entity.ResourceHistoryTable;
import ca.uhn.fhir.jpa.model.entity.ResourceTag;
import ca.uhn.fhir.jpa.model.entity.TagDefinition;
import ca.uhn.fhir.jpa.model.entity.TagTypeEnum;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Resources' current versions read with one SQL statement: the {@code HFJ_RESOURCE} row, its
 * current {@code HFJ_RES_VER} row and its tags ({@code json_agg} over {@code HFJ_RES_TAG} and
 * {@code HFJ_TAG_DEF}), as detached HAPI entities that HAPI's own storage parser turns into
 * resources with the meta HAPI gives them. Shared by {@link ReadInOneQuery} and
 * {@link OneQuerySearchBuilder}; {@link #VERSIONS} reads given versions for the change feed
 * ({@code sync.StoredVersions}).
 *
 * <p>Does not follow a change of HAPI's storage layout (HAPI 8.8's columns): the tests of both
 * users compare their answers with HAPI's own.
 */
public final class CurrentVersions {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TagTypeEnum[] TAG_TYPES = TagTypeEnum.values();

    private CurrentVersions() {}

    /**
     * The columns {@link #row} reads, deleted resources included (column 11 says whether the row
     * can be served: live, its current version stored as JSON text). Timestamps are the resource
     * row's, as in HAPI's read of a current version. A {@code where} clause follows.
     */
    static final String SELECT = "select r.res_id, r.partition_id, h.res_ver, r.res_published, r.res_updated,"
            + " h.res_encoding, h.res_text_vc, h.source_uri, h.request_id,"
            + " case when r.has_tags then (select json_agg(json_build_array(d.tag_type, d.tag_system, d.tag_code,"
            + " d.tag_display, d.tag_version, d.tag_user_selected) order by d.tag_id)"
            + " from hfj_res_tag t join hfj_tag_def d on d.tag_id = t.tag_id where t.res_id = r.res_id) end,"
            + " r.res_deleted_at is null and h.res_deleted_at is null and h.res_encoding = 'JSON' and h.res_text_vc is not null,"
            + " r.res_type, r.fhir_id"
            + " from hfj_resource r left join hfj_res_ver h on h.res_id = r.res_id and h.res_ver = r.res_ver";

    /**
     * The columns of {@link #SELECT} for given {@code HFJ_RES_VER} rows ({@code h.pid = any(?)}),
     * whichever version they are: the version's own timestamps and its own tags (HAPI's default
     * VERSIONED tag storage, {@code HFJ_HISTORY_TAG}), as HAPI's read of a version; column 14 is
     * the row's pid. Column 11 says whether the version is stored as JSON text and not a deletion.
     */
    public static final String VERSIONS = "select h.res_id, h.partition_id, h.res_ver, h.res_published, h.res_updated,"
            + " h.res_encoding, h.res_text_vc, h.source_uri, h.request_id,"
            + " case when h.has_tags then (select json_agg(json_build_array(d.tag_type, d.tag_system, d.tag_code,"
            + " d.tag_display, d.tag_version, d.tag_user_selected) order by d.tag_id)"
            + " from hfj_history_tag t join hfj_tag_def d on d.tag_id = t.tag_id where t.res_ver_pid = h.pid) end,"
            + " h.res_deleted_at is null and h.res_encoding = 'JSON' and h.res_text_vc is not null,"
            + " h.res_type, r.fhir_id, h.pid"
            + " from hfj_res_ver h join hfj_resource r on r.res_id = h.res_id where h.pid = any(?)";

    /** A current version, detached from Hibernate, the resource's tags, and whether it can be served. */
    public record Current(ResourceHistoryTable version, List<BaseTag> tags, boolean servable) {
    }

    /** The row as HAPI's entities; only a servable row carries its version's content. */
    public static Current row(ResultSet rs) throws SQLException {
        if (!rs.getBoolean(11)) {
            ResourceHistoryTable gone = new ResourceHistoryTable();
            gone.setResourceId(rs.getLong(1));
            return new Current(gone, List.of(), false);
        }
        ResourceHistoryTable history = new ResourceHistoryTable();
        history.setResourceId(rs.getLong(1));
        Object partition = rs.getObject(2);
        history.setPartitionId(new PartitionablePartitionId(partition == null ? null : ((Number) partition).intValue(), null));
        history.setResourceType(rs.getString(12));
        history.setTransientForcedId(rs.getString(13));
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
        return new Current(history, tags == null ? List.of() : tags(tags), true);
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
