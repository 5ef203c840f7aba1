package ml.santerurale.server.sync;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The resource versions the current database transaction has written, as the change feed's
 * trigger recorded them: what a sync batch did, known before it commits.
 */
final class WrittenVersions {

    private final JdbcTemplate jdbc;

    WrittenVersions(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    List<Written> inCurrentTransaction() {
        return jdbc.query("select c.res_type, r.fhir_id, c.res_ver, c.deleted, p.part_name from srm_change c"
                        + " join hfj_resource r on r.res_id = c.res_id"
                        + " left join hfj_partition p on p.part_id = c.partition_id"
                        + " where c.txid = pg_current_xact_id() order by c.seq",
                (rs, i) -> new Written(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getBoolean(4), rs.getString(5)));
    }

    record Written(String type, String id, long version, boolean deleted, String site) {
        String reference() {
            return type + "/" + id;
        }

        String versionedReference() {
            return reference() + "/_history/" + version;
        }
    }
}
