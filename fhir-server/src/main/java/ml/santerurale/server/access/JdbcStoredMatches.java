package ml.santerurale.server.access;

import ca.uhn.fhir.jpa.interceptor.JpaPreResourceAccessDetails;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.rest.api.server.IPreResourceAccessDetails;
import java.lang.reflect.Field;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import ml.santerurale.interceptors.access.StoredMatches;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The type and partition of each match HAPI's JPA layer is about to hand out, read from
 * {@code hfj_resource} by primary key in one query, instead of loading and parsing the resources.
 *
 * <p>HAPI 8.8.0's {@link JpaPreResourceAccessDetails} exposes the matches only as loaded resources;
 * their ids are read from its private {@code myResourcePids} field. If a later HAPI renames it,
 * this says so once in the log and describes nothing (the backstop then loads, as before); it never
 * describes a match it did not find in the table.
 */
final class JdbcStoredMatches implements StoredMatches {

    private static final Logger log = LoggerFactory.getLogger(JdbcStoredMatches.class);
    private static final String QUERY = "select res_id, res_type, partition_id from hfj_resource where res_id = any(?)";
    private static final Field PIDS = pidsField();

    private final JdbcTemplate jdbc;

    JdbcStoredMatches(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<List<Match>> of(IPreResourceAccessDetails details) {
        List<JpaPid> pids = pidsOf(details);
        if (pids == null || pids.isEmpty() || pids.size() != details.size()) {
            return Optional.empty();
        }
        Long[] ids = new Long[pids.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = pids.get(i).getId();
            if (ids[i] == null) {
                return Optional.empty();
            }
        }
        Map<Long, Match> found = new HashMap<>();
        jdbc.query(connection -> {
            PreparedStatement statement = connection.prepareStatement(QUERY);
            Array array = connection.createArrayOf("bigint", ids);
            statement.setArray(1, array);
            return statement;
        }, row -> {
            Object partition = row.getObject(3);
            found.put(row.getLong(1), new Match(row.getString(2), partition == null ? null : ((Number) partition).intValue()));
        });
        List<Match> matches = new ArrayList<>(ids.length);
        for (Long id : ids) {
            Match match = found.get(id);
            if (match == null) {
                return Optional.empty();
            }
            matches.add(match);
        }
        return Optional.of(matches);
    }

    @SuppressWarnings("unchecked")
    private static List<JpaPid> pidsOf(IPreResourceAccessDetails details) {
        if (PIDS == null || !(details instanceof JpaPreResourceAccessDetails)) {
            return null;
        }
        try {
            return (List<JpaPid>) PIDS.get(details);
        } catch (IllegalAccessException | ClassCastException e) {
            return null;
        }
    }

    private static Field pidsField() {
        try {
            Field field = JpaPreResourceAccessDetails.class.getDeclaredField("myResourcePids");
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException | RuntimeException e) {
            log.warn("HAPI's JpaPreResourceAccessDetails has no readable myResourcePids ({}): the site backstop"
                    + " loads every match of a search to check it", e.toString());
            return null;
        }
    }
}
