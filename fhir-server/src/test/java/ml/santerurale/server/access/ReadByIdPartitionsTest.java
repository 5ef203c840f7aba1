package ml.santerurale.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import ml.santerurale.server.support.Conforming;
import ml.santerurale.server.support.Names;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A read of a clinical record by id looks in the caller's site partitions only, not in the default
 * partition of shared reference data, where no clinical record is ever stored: HAPI then runs a
 * single-partition query whose plan Hibernate caches (issue 17). Searches still reach the default
 * partition (includes and chains to reference data). What another site's record answers is pinned
 * by SiteLeakTest.
 */
class ReadByIdPartitionsTest extends ServerIntegrationTest {

    private static final String KONOBOUGOU = "CSCOM-KONOBOUGOU";

    @Autowired
    IInterceptorService interceptors;

    @Autowired
    JdbcTemplate jdbc;

    private final String konobougouStaff = TestTokens.get().user("soignant.readpartitions.test", Set.of("soignant"), Set.of(KONOBOUGOU));

    /** Records the partitions HAPI selected for each storage access of the requests it watches. */
    public static final class SelectedPartitions {
        final List<RequestPartitionId> selected = new CopyOnWriteArrayList<>();

        @Hook(Pointcut.STORAGE_PARTITION_SELECTED)
        public void selected(RequestPartitionId partition, RequestDetails requestDetails) {
            selected.add(partition);
        }
    }

    private List<RequestPartitionId> selectedDuring(Supplier<HttpResponse<String>> request, int expectedStatus) {
        SelectedPartitions probe = new SelectedPartitions();
        interceptors.registerInterceptor(probe);
        try {
            HttpResponse<String> response = request.get();
            assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
        } finally {
            interceptors.unregisterInterceptor(probe);
        }
        return probe.selected;
    }

    private String patientAtKonobougou(String family) {
        Patient patient = Conforming.patient(family, "Awa");
        String id = UUID.randomUUID().toString();
        patient.setId(id);
        HttpResponse<String> put = as(konobougouStaff, () -> putJson("/Patient/" + id, json(patient)));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        return id;
    }

    @Test
    void aReadByIdLooksOnlyInTheCallersSitePartition() {
        String id = patientAtKonobougou("ReadPartition" + Names.unique(8));
        Integer konobougou = jdbc.queryForObject("select partition_id from hfj_resource where fhir_id = ?", Integer.class, id);

        List<RequestPartitionId> selected = selectedDuring(() -> as(konobougouStaff, () -> get("/Patient/" + id)), 200);

        assertThat(selected).isNotEmpty().allSatisfy(partition -> {
            assertThat(partition.isAllPartitions()).isFalse();
            assertThat(partition.getPartitionIds()).containsExactly(konobougou);
        });
    }

    @Test
    void aVersionReadLooksOnlyInTheCallersSitePartitionToo() {
        String id = patientAtKonobougou("VreadPartition" + Names.unique(8));
        Integer konobougou = jdbc.queryForObject("select partition_id from hfj_resource where fhir_id = ?", Integer.class, id);

        List<RequestPartitionId> selected = selectedDuring(() -> as(konobougouStaff, () -> get("/Patient/" + id + "/_history/1")), 200);

        assertThat(selected).isNotEmpty().allSatisfy(partition -> assertThat(partition.getPartitionIds()).containsExactly(konobougou));
    }

    @Test
    void aCallerAttachedToNoKnownSiteReadsNothingByIdAndIsToldItIsMissing() {
        String id = patientAtKonobougou("NoSite" + Names.unique(8));
        String missing = UUID.randomUUID().toString();
        for (Set<String> siteIds : List.of(Set.of("CSCOM-NOWHERE"), Set.<String>of())) {
            String nowhere = TestTokens.get().user("soignant.nowhere.test", Set.of("soignant"), siteIds);

            HttpResponse<String> existing = as(nowhere, () -> get("/Patient/" + id));
            HttpResponse<String> absent = as(nowhere, () -> get("/Patient/" + missing));

            assertThat(existing.statusCode()).as("%s: %s", siteIds, existing.body()).isEqualTo(absent.statusCode()).isIn(403, 404);
            assertThat(existing.body().replace(id, "ID")).isEqualTo(absent.body().replace(missing, "ID"));
        }
    }

    @Test
    void aSearchStillReachesTheDefaultPartitionOfReferenceData() {
        String family = "SearchPartition" + Names.unique(8);
        patientAtKonobougou(family);

        List<RequestPartitionId> selected = selectedDuring(() -> as(konobougouStaff, () -> get("/Patient?family=" + family)), 200);

        assertThat(selected).isNotEmpty().anySatisfy(partition -> assertThat(partition.getPartitionIds()).contains((Integer) null));
    }
}
