package ml.santerurale.server.access;

import ca.uhn.fhir.jpa.entity.PartitionEntity;
import ca.uhn.fhir.jpa.partition.IPartitionLookupSvc;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import ml.santerurale.interceptors.access.SiteDirectory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Sites as HAPI partitions (name = site code), and where a stored resource lives, read from
 * HAPI's own tables through the unique (type, id) index.
 */
public class JdbcSiteDirectory implements SiteDirectory {

    private final IPartitionLookupSvc partitions;
    private final JdbcTemplate jdbc;
    private final Map<String, Integer> idBySite = new ConcurrentHashMap<>();
    private final Map<Integer, String> siteById = new ConcurrentHashMap<>();

    JdbcSiteDirectory(IPartitionLookupSvc partitions, JdbcTemplate jdbc) {
        this.partitions = partitions;
        this.jdbc = jdbc;
    }

    /** Creates a partition for each site that has none; existing ids never change. */
    public void ensurePartitions(List<String> siteCodes) {
        partitions.invalidateCaches();
        refresh();
        int next = siteById.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        for (String code : siteCodes) {
            if (!idBySite.containsKey(code)) {
                PartitionEntity entity = new PartitionEntity().setId(next++).setName(code);
                entity.setDescription("Site " + code);
                partitions.createPartition(entity, new ca.uhn.fhir.rest.api.server.SystemRequestDetails());
            }
        }
        refresh();
    }

    private void refresh() {
        for (PartitionEntity partition : partitions.listPartitions()) {
            idBySite.put(partition.getName(), partition.getId());
            siteById.put(partition.getId(), partition.getName());
        }
    }

    @Override
    public boolean isSite(String siteCode) {
        return siteCode != null && idBySite.containsKey(siteCode);
    }

    @Override
    public Optional<String> siteOfResource(String resourceType, String id) {
        List<Integer> found = jdbc.queryForList(
                "select partition_id from hfj_resource where res_type = ? and fhir_id = ?", Integer.class, resourceType, id);
        return found.isEmpty() || found.get(0) == null ? Optional.empty() : Optional.ofNullable(siteById.get(found.get(0)));
    }

    /** One query for all of them, through the same unique index. */
    @Override
    public Map<String, String> sitesOfResources(Collection<String> references) {
        if (references.isEmpty()) {
            return Map.of();
        }
        String[] types = references.stream().map(r -> r.substring(0, r.indexOf('/'))).toArray(String[]::new);
        String[] ids = references.stream().map(r -> r.substring(r.indexOf('/') + 1)).toArray(String[]::new);
        Map<String, String> sites = new HashMap<>();
        jdbc.query("select r.res_type, r.fhir_id, r.partition_id from hfj_resource r"
                + " join unnest(?::varchar[], ?::varchar[]) as t(res_type, fhir_id)"
                + " on r.res_type = t.res_type and r.fhir_id = t.fhir_id",
                rs -> {
                    int partition = rs.getInt(3);
                    String site = rs.wasNull() ? null : siteById.get(partition);
                    if (site != null) {
                        sites.put(rs.getString(1) + "/" + rs.getString(2), site);
                    }
                }, types, ids);
        return sites;
    }

    @Override
    public Optional<Integer> partitionOf(String siteCode) {
        return Optional.ofNullable(siteCode == null ? null : idBySite.get(siteCode));
    }

    @Override
    public Optional<String> siteOfPartition(int partitionId) {
        return Optional.ofNullable(siteById.get(partitionId));
    }
}
