package ml.santerurale.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.interceptors.access.SitePartitioning;
import ml.santerurale.server.support.Conforming;
import ml.santerurale.server.support.Names;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Where the records a transaction writes already live is looked up once for the whole Bundle; a
 * resource created by a POST (an entry HAPI asks a partition for under its {@code urn:uuid}
 * placeholder, then under the id it assigns; a single create) is not looked up at all (it was one
 * query each time), and is stored at the caller's site.
 */
class TransactionSiteLookupsTest extends ServerIntegrationTest {

    private static final String KONOBOUGOU = "CSCOM-KONOBOUGOU";

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    SitePartitioning partitioning;

    private final String konobougouStaff = TestTokens.get().user("soignant.lookups.test", Set.of("soignant"), Set.of(KONOBOUGOU));

    private Integer konobougouPartition() {
        return jdbc.queryForObject("select part_id from hfj_partition where part_name = ?", Integer.class, KONOBOUGOU);
    }

    private Integer partitionOf(String type, String id) {
        return jdbc.queryForObject("select partition_id from hfj_resource where res_type = ? and fhir_id = ?",
                Integer.class, type, id);
    }

    @Test
    void aCreatedPatientIsStoredAtTheCallersSiteWithoutALookup() {
        long lookups = partitioning.siteLookups();

        HttpResponse<String> created = as(konobougouStaff,
                () -> postJson("/Patient", json(Conforming.patient("Lookups" + Names.unique(8), "Awa"))));

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(partitioning.siteLookups()).as("lookups of one resource's site").isEqualTo(lookups);
        String id = created.headers().firstValue("Location").orElseThrow().replaceAll(".*/Patient/([^/]+).*", "$1");
        assertThat(partitionOf("Patient", id)).isEqualTo(konobougouPartition());
    }

    @Test
    void aTransactionsPostedEntriesAreStoredAtTheCallersSiteWithoutALookupEach() {
        String family = "Lookups" + Names.unique(8);
        Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        for (int i = 0; i < 3; i++) {
            String patient = "urn:uuid:" + UUID.randomUUID();
            bundle.addEntry().setFullUrl(patient).setResource(Conforming.patient(family, "Awa"))
                    .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
            bundle.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID())
                    .setResource(Conforming.encounter(patient, "Organization/cscom-konobougou"))
                    .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Encounter");
        }
        long lookups = partitioning.siteLookups();

        HttpResponse<String> answer = as(konobougouStaff, () -> postJson("", json(bundle)));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(partitioning.siteLookups()).as("lookups of one resource's site").isEqualTo(lookups);
        for (Bundle.BundleEntryComponent entry : parse(Bundle.class, answer.body()).getEntry()) {
            String[] location = entry.getResponse().getLocation().split("/");
            assertThat(entry.getResponse().getStatus()).startsWith("201");
            assertThat(partitionOf(location[0], location[1])).as(entry.getResponse().getLocation())
                    .isEqualTo(konobougouPartition());
        }
    }
}
