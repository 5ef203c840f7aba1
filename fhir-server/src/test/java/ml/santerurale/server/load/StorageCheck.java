package ml.santerurale.server.load;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * After a drill, what the database holds for every batch the devices sent (SQL on HAPI's tables and
 * the idempotency keys): an acknowledged batch must be stored exactly once — each of its
 * resources one row, at version 1 with one version, not deleted; one idempotency key row with a
 * 200; one Provenance targeting all its resources, and no other. A batch never acknowledged must
 * be stored whole or not at all, and at most once.
 *
 * <p>Reads the storage directly: it does not check what the API answers for those records
 * (access rules, search indexes), only that nothing was lost, doubled or half-written.
 */
final class StorageCheck {

    private static final int CHUNK = 2000;

    private final DataSource database;

    StorageCheck(DataSource database) {
        this.database = database;
    }

    /** The findings; empty lists mean nothing lost, doubled or corrupted. */
    record Result(int acknowledged, int unacknowledged, int unacknowledgedStored, List<String> lost, List<String> doubled,
                  List<String> corrupted) {
        boolean clean() {
            return lost.isEmpty() && doubled.isEmpty() && corrupted.isEmpty();
        }

        List<String> problems() {
            List<String> all = new ArrayList<>();
            lost.forEach(p -> all.add("LOST " + p));
            doubled.forEach(p -> all.add("DOUBLED " + p));
            corrupted.forEach(p -> all.add("CORRUPTED " + p));
            return all;
        }
    }

    private record Row(long resId, long version, long versions, boolean deleted) {}

    Result check(Ledger ledger) throws SQLException {
        List<SyncBatch> acknowledged = ledger.acknowledged();
        List<SyncBatch> others = ledger.unacknowledged();
        List<SyncBatch> all = new ArrayList<>(acknowledged);
        all.addAll(others);
        Map<String, List<Row>> rows = new HashMap<>();
        Map<String, Set<Long>> provenances = new HashMap<>();
        Map<String, List<Integer>> keys = new HashMap<>();
        try (Connection c = database.getConnection()) {
            for (int from = 0; from < all.size(); from += CHUNK) {
                List<SyncBatch> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
                String[] ids = chunk.stream().flatMap(b -> b.references().stream()).map(r -> r.substring(r.indexOf('/') + 1))
                        .toArray(String[]::new);
                resources(c, ids, rows);
                provenanceTargets(c, ids, provenances);
                idempotencyKeys(c, chunk.stream().map(SyncBatch::key).toArray(String[]::new), keys);
            }
        }
        List<String> lost = new ArrayList<>(), doubled = new ArrayList<>(), corrupted = new ArrayList<>();
        for (SyncBatch batch : acknowledged) {
            Set<Long> batchProvenances = new HashSet<>();
            for (String reference : batch.references()) {
                List<Row> found = rows.getOrDefault(reference, List.of());
                if (found.isEmpty()) {
                    lost.add(batch.key() + " " + reference);
                } else if (found.size() > 1) {
                    doubled.add(batch.key() + " " + reference + " (" + found.size() + " rows)");
                } else if (found.get(0).version() != 1 || found.get(0).versions() != 1 || found.get(0).deleted()) {
                    corrupted.add(batch.key() + " " + reference + " " + found.get(0));
                }
                Set<Long> targeting = provenances.getOrDefault(reference, Set.of());
                if (targeting.size() != 1) {
                    (targeting.isEmpty() ? lost : doubled).add(batch.key() + " Provenance of " + reference + ": " + targeting.size());
                }
                batchProvenances.addAll(targeting);
            }
            if (batchProvenances.size() > 1) {
                doubled.add(batch.key() + ": " + batchProvenances.size() + " Provenances for one batch");
            }
            List<Integer> key = keys.getOrDefault(batch.key(), List.of());
            if (key.size() != 1 || key.get(0) != 200) {
                (key.isEmpty() ? lost : corrupted).add(batch.key() + " idempotency key rows " + key);
            }
        }
        int storedOthers = 0;
        for (SyncBatch batch : others) {
            long present = batch.references().stream().filter(r -> rows.containsKey(r)).count();
            if (present == batch.references().size()) {
                storedOthers++;
            } else if (present > 0) {
                corrupted.add(batch.key() + " unacknowledged, stored in part: " + present + " of " + batch.references().size());
            }
            batch.references().stream().filter(r -> rows.getOrDefault(r, List.of()).size() > 1)
                    .forEach(r -> doubled.add(batch.key() + " " + r + " (unacknowledged)"));
        }
        return new Result(acknowledged.size(), others.size(), storedOthers, lost, doubled, corrupted);
    }

    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    /** Runs {@code sql}, whose one parameter is a text array of {@code values}, reading each row. */
    private static void query(Connection c, String sql, String[] values, RowReader reader) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setArray(1, c.createArrayOf("text", values));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    reader.read(rs);
                }
            }
        }
    }

    private static void resources(Connection c, String[] ids, Map<String, List<Row>> rows) throws SQLException {
        query(c, "select r.res_type, r.fhir_id, r.res_id, r.res_ver, r.res_deleted_at is not null,"
                + " (select count(*) from hfj_res_ver v where v.res_id = r.res_id)"
                + " from hfj_resource r where r.fhir_id in (select unnest(?::text[]))", ids,
                rs -> rows.computeIfAbsent(rs.getString(1) + "/" + rs.getString(2), k -> new ArrayList<>())
                        .add(new Row(rs.getLong(3), rs.getLong(4), rs.getLong(6), rs.getBoolean(5))));
    }

    private static void provenanceTargets(Connection c, String[] ids, Map<String, Set<Long>> provenances) throws SQLException {
        query(c, "select t.res_type, t.fhir_id, l.src_resource_id from hfj_res_link l"
                + " join hfj_resource t on t.res_id = l.target_resource_id"
                + " where l.source_resource_type = 'Provenance' and t.fhir_id in (select unnest(?::text[]))", ids,
                rs -> provenances.computeIfAbsent(rs.getString(1) + "/" + rs.getString(2), k -> new HashSet<>()).add(rs.getLong(3)));
    }

    private static void idempotencyKeys(Connection c, String[] keys, Map<String, List<Integer>> found) throws SQLException {
        query(c, "select key_value, response_status from srm_sync_batch where key_value in (select unnest(?::text[]))", keys,
                rs -> found.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getInt(2)));
    }
}
