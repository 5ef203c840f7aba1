package ml.santerurale.server.backup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;

/**
 * The resources a HAPI database held at an instant, per type: how many, and a checksum over the
 * id, version number and stored text of each one's current version. "At an instant" is read from
 * {@code HFJ_RES_VER} with PostgreSQL's commit timestamps ({@code track_commit_timestamp}, on in
 * the embedded database): the latest version of each resource committed at or before it, unless
 * that version is a deletion. Rows without a commit timestamp (frozen by vacuum, or written
 * before the setting was on) count as committed before any instant asked about.
 *
 * <p>Does not see what was physically removed since ({@code $expunge}) nor version rows rewritten
 * in place after the instant: on the source, such a resource reads differently from a restore
 * of that instant.
 */
final class ResourceChecksums {

    private static final String AT = """
            select res_type, count(*), md5(string_agg(res_id || '/' || res_ver || '/'
                   || md5(coalesce(res_text_vc, '') || coalesce(res_text::text, '')), ',' order by res_id))
            from (select distinct on (res_id) res_id, res_ver, res_type, res_deleted_at, res_text_vc, res_text
                  from hfj_res_ver
                  where coalesce(pg_xact_commit_timestamp(xmin), '-infinity'::timestamptz) <= ?
                  order by res_id, res_ver desc) current_versions
            where res_deleted_at is null
            group by res_type""";

    private ResourceChecksums() {}

    /** Per resource type: count and checksum of the current versions at {@code instant}. */
    static Map<String, Summary> at(Connection connection, Instant instant) throws SQLException {
        Map<String, Summary> summaries = new TreeMap<>();
        try (PreparedStatement query = connection.prepareStatement(AT)) {
            query.setObject(1, instant.atOffset(ZoneOffset.UTC));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    summaries.put(rows.getString(1), new Summary(rows.getLong(2), rows.getString(3)));
                }
            }
        }
        return summaries;
    }

    /** The last commit at or before {@code instant} that wrote a resource version (null: none known). */
    static Instant lastWriteAtOrBefore(Connection connection, Instant instant) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "select max(pg_xact_commit_timestamp(xmin)) from hfj_res_ver where pg_xact_commit_timestamp(xmin) <= ?")) {
            query.setObject(1, instant.atOffset(ZoneOffset.UTC));
            try (ResultSet row = query.executeQuery()) {
                row.next();
                OffsetDateTime last = row.getObject(1, OffsetDateTime.class);
                return last == null ? null : last.toInstant();
            }
        }
    }

    record Summary(long count, String checksum) {}
}
