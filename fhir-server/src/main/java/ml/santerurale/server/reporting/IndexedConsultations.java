package ml.santerurale.server.reporting;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.entity.BaseResourceIndexedSearchParam;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamToken;
import java.sql.Array;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A site's consultations of a period read from HAPI's search indexes with SQL, no resource loaded
 * nor parsed: Encounters by their {@code date} index ({@code HFJ_SPIDX_DATE}, the low bound is
 * {@code period.start}) in the site's partition, their {@code status}, {@code serviceProvider} and
 * subject ({@code HFJ_RES_LINK}), the subject's {@code gender} ({@code HFJ_SPIDX_TOKEN}) and
 * {@code birthdate} (the date ordinals keep the precision: 19850101–19851231 is "1985"), the
 * ICD-10 codes of the Conditions that name each Encounter (refuted and entered-in-error ones left
 * out), and the Observations of interest (malaria rapid test, pregnancy status) naming it.
 *
 * <p>Lists of Encounters are passed as one array unnested in SQL: {@code = any(?)} with a
 * thousand elements made PostgreSQL spend seconds planning each query (per-element selectivity).
 *
 * <p>HAPI keeps index rows for the current version of a resource only and removes them when it is
 * deleted; deleted rows of {@code HFJ_RESOURCE} are excluded as well. Search parameters are found
 * by HAPI's own hash of resource type and name, computed with the server's partition settings.
 * Does not read what the indexes do not hold: an Observation's value and interpretation are read
 * from the resource ({@link SiteActivityReader}).
 */
final class IndexedConsultations {

    /** An Encounter of the window with what the indexes say of it and of its patient. */
    record Row(long pid, String id, Timestamp start, String status, boolean curative, LocalDate born, String gender) {}

    static final String CONSULTATION_TYPE = "https://sante-rurale.ml/fhir/CodeSystem/consultation-type";

    private static final String ENCOUNTERS = """
            select e.res_id, e.fhir_id, d.sp_value_low,
              (select st.sp_value from hfj_spidx_token st where st.res_id = e.res_id and st.hash_identity = ? limit 1) as status,
              exists (select 1 from hfj_spidx_token ty where ty.res_id = e.res_id and ty.hash_sys_and_value = ?) as curative,
              (select g.sp_value from hfj_spidx_token g where g.res_id = pat.res_id and g.hash_identity = ? limit 1) as gender,
              b.sp_value_low_date_ordinal as born_low, b.sp_value_high_date_ordinal as born_high
            from hfj_spidx_date d
            join hfj_resource e on e.res_id = d.res_id and e.res_type = 'Encounter' and e.res_deleted_at is null
            left join lateral (select l.target_resource_id from hfj_res_link l where l.src_resource_id = e.res_id
              and l.target_resource_type = 'Patient' and l.src_path like 'Encounter.subject%'
              order by l.src_path limit 1) subject on true
            left join hfj_resource pat on pat.res_id = subject.target_resource_id and pat.partition_id = e.partition_id
              and pat.res_deleted_at is null
            left join lateral (select bd.sp_value_low_date_ordinal, bd.sp_value_high_date_ordinal from hfj_spidx_date bd
              where bd.res_id = pat.res_id and bd.hash_identity = ? limit 1) b on true
            where d.hash_identity = ? and d.partition_id = ? and d.sp_value_low >= ? and d.sp_value_low < ?
              and exists (select 1 from hfj_res_link sp where sp.src_resource_id = e.res_id
                and sp.src_path = 'Encounter.serviceProvider' and sp.target_resource_id = ?)
            """;

    private static final String DIAGNOSES = """
            select l.target_resource_id, c.sp_system, c.sp_value
            from hfj_res_link l
            join hfj_resource r on r.res_id = l.src_resource_id and r.res_type = 'Condition' and r.res_deleted_at is null
              and r.partition_id = ?
            join hfj_spidx_token c on c.res_id = r.res_id and c.hash_identity = ?
            where l.target_resource_id in (select unnest(?::bigint[])) and l.src_path = 'Condition.encounter'
              and not exists (select 1 from hfj_spidx_token v where v.res_id = r.res_id and v.hash_identity = ?
                and v.sp_value in ('refuted', 'entered-in-error'))
            """;

    private static final String OBSERVATIONS = """
            select distinct r.fhir_id
            from hfj_res_link l
            join hfj_resource r on r.res_id = l.src_resource_id and r.res_type = 'Observation' and r.res_deleted_at is null
              and r.partition_id = ?
            join hfj_spidx_token c on c.res_id = r.res_id and c.hash_identity = ? and c.sp_system = ? and c.sp_value = any(?)
            where l.target_resource_id in (select unnest(?::bigint[])) and l.src_path = 'Observation.encounter'
            """;

    private final JdbcTemplate jdbc;
    private final PartitionSettings partitions;

    IndexedConsultations(JdbcTemplate jdbc, PartitionSettings partitions) {
        this.jdbc = jdbc;
        this.partitions = partitions;
    }

    /** The partition of a site; null when it has none yet (nothing recorded there). */
    RequestPartitionId partitionOf(String siteCode) {
        List<Integer> ids = jdbc.queryForList("select part_id from hfj_partition where part_name = ?", Integer.class, siteCode);
        return ids.isEmpty() ? null : RequestPartitionId.fromPartitionIdAndName(ids.get(0), siteCode);
    }

    /** The storage id of a shared Organization; null when it has none. */
    Long organizationPid(String organizationId) {
        List<Long> ids = jdbc.queryForList("select res_id from hfj_resource where res_type = 'Organization' and fhir_id = ?"
                + " and res_deleted_at is null", Long.class, organizationId);
        return ids.isEmpty() ? null : ids.get(0);
    }

    /**
     * The Encounters of the partition served by {@code organizationPid} whose {@code period.start}
     * is in {@code [from, to)}; the caller decides on the exact instant.
     */
    List<Row> encounters(RequestPartitionId partition, long organizationPid, Timestamp from, Timestamp to) {
        Map<Long, Row> rows = new LinkedHashMap<>();
        jdbc.query(ENCOUNTERS, rs -> {
            long pid = rs.getLong("res_id");
            rows.putIfAbsent(pid, new Row(pid, rs.getString("fhir_id"), rs.getTimestamp("sp_value_low"), rs.getString("status"),
                    rs.getBoolean("curative"), birthDay((Integer) rs.getObject("born_low"), (Integer) rs.getObject("born_high")), rs.getString("gender")));
        }, hash(partition, "Encounter", "status"), ResourceIndexedSearchParamToken.calculateHashSystemAndValue(partitions,
                partition, "Encounter", "type", CONSULTATION_TYPE, "curative"), hash(partition, "Patient", "gender"), hash(partition, "Patient", "birthdate"),
                hash(partition, "Encounter", "date"), partition.getFirstPartitionIdOrNull(), from, to, organizationPid);
        return new ArrayList<>(rows.values());
    }

    /** Encounter storage id to the (system, code) pairs of the Conditions naming it. */
    Map<Long, List<String[]>> diagnoses(RequestPartitionId partition, List<Long> encounterPids) {
        Map<Long, List<String[]>> codes = new HashMap<>();
        jdbc.query(con -> {
            var statement = con.prepareStatement(DIAGNOSES);
            statement.setInt(1, partition.getFirstPartitionIdOrNull());
            statement.setLong(2, hash(partition, "Condition", "code"));
            statement.setArray(3, con.createArrayOf("bigint", encounterPids.toArray()));
            statement.setLong(4, hash(partition, "Condition", "verification-status"));
            return statement;
        }, rs -> {
            codes.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new String[] {rs.getString(2), rs.getString(3)});
        });
        return codes;
    }

    /** Ids of the Observations coded {@code system|code} (any of {@code codes}) that name one of the Encounters. */
    List<String> observations(RequestPartitionId partition, List<Long> encounterPids, String system, List<String> codes) {
        return jdbc.query(con -> {
            var statement = con.prepareStatement(OBSERVATIONS);
            statement.setInt(1, partition.getFirstPartitionIdOrNull());
            statement.setLong(2, hash(partition, "Observation", "code"));
            statement.setString(3, system);
            Array values = con.createArrayOf("varchar", codes.toArray());
            statement.setArray(4, values);
            statement.setArray(5, con.createArrayOf("bigint", encounterPids.toArray()));
            return statement;
        }, (rs, i) -> rs.getString(1));
    }

    /**
     * The birth day the rules count from, from HAPI's date ordinals of {@code birthDate} (the first
     * and last day its precision covers): a day as is; a month ({@code 1985-03}) as its 15th; a year
     * ({@code 1985}) as 1 July. See {@link AgeAtEncounter}.
     */
    static LocalDate birthDay(Integer low, Integer high) {
        if (low == null || high == null) {
            return null;
        }
        LocalDate first = LocalDate.of(low / 10000, low / 100 % 100, low % 100);
        LocalDate last = LocalDate.of(high / 10000, high / 100 % 100, high % 100);
        if (first.equals(last)) {
            return first;
        }
        if (first.getDayOfYear() == 1 && last.equals(first.withMonth(12).withDayOfMonth(31))) {
            return AgeAtEncounter.yearOnly(first.getYear());
        }
        if (first.getDayOfMonth() == 1 && last.equals(YearMonth.from(first).atEndOfMonth())) {
            return AgeAtEncounter.monthOnly(first.getYear(), first.getMonthValue());
        }
        return first;
    }

    private long hash(RequestPartitionId partition, String resourceType, String parameter) {
        return BaseResourceIndexedSearchParam.calculateHashIdentity(partitions, partition, resourceType, parameter);
    }
}
