package ml.santerurale.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import ml.santerurale.server.support.Conforming;
import ml.santerurale.server.support.FeedHorizon;
import ml.santerurale.server.support.Names;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.SyncDevice;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A change feed page whose entries are written from their stored JSON ({@link PreEncodedEntries},
 * {@link EntryJson}) is, byte for byte, the page HAPI's encoder writes: every entry's resource
 * with its id, meta (version, last update, source, tags with escaped text, the site's label) and
 * content, gzip or not; other formats are HAPI's.
 */
class PreEncodedEntriesTest extends ServerIntegrationTest {

    @Autowired
    PreEncodedEntries preEncoded;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void feedPagesAreWhatHapisEncoderWrites() throws InterruptedException {
        String since = Instant.now().minusSeconds(1).toString();
        String medecin = TestTokens.get().user("medecin.preencoded", Set.of("medecin"), Set.of("CSCOM-KONOBOUGOU"));
        String family = "PreEncoded" + Names.unique(8);
        for (int i = 0; i < 3; i++) {
            Patient patient = Conforming.patient(family, "Awa" + i);
            String id = UUID.randomUUID().toString();
            patient.setId(id);
            patient.getMeta().addTag("https://sante-rurale.ml/fhir/CodeSystem/test-tag", "suivi-" + i,
                    "Suivi \"prioritaire\" à Ségou \\ Koulikoro\tfin");
            HttpResponse<String> put = as(medecin, () -> putJson("/Patient/" + id, json(patient)));
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
            patient.getNameFirstRep().addGiven("Nana");
            HttpResponse<String> update = as(medecin, () -> putJson("/Patient/" + id, json(patient)));
            assertThat(update.statusCode()).as(update.body()).isEqualTo(200);
        }
        // A sync batch: its Provenance names versions (HAPI's encoder writes it, not the stored JSON).
        SyncDevice device = new SyncDevice("phone-" + UUID.randomUUID(), fhirBase(), () -> medecin, fhirContext, Clock.systemUTC());
        Patient visited = Consultations.patient(family, "Hawa");
        device.record(Consultations.visit(visited, "Organization/cscom-konobougou"));
        assertThat(device.push().accepted).hasSize(1);
        FeedHorizon.awaitPastEveryChange(jdbc);

        System.out.println("EXPLAIN\n" + String.join("\n", jdbc.queryForList("explain analyze " + ml.santerurale.server.fhir.CurrentVersions.VERSIONS, String.class, (Object) jdbc.queryForList("select pid from hfj_res_ver order by pid desc limit 200", Long.class).toArray(Long[]::new))));
        System.out.println(String.join("\n", jdbc.queryForList("select indexdef from pg_indexes where tablename = 'hfj_history_tag'", String.class)));
        long before = preEncoded.spliced();
        String next = "/_history?_count=4&_since=" + URLEncoder.encode(since, StandardCharsets.UTF_8);
        int entries = 0;
        List<String> types = new ArrayList<>();
        while (next != null) {
            String path = next;
            String plain = as(medecin, () -> body(path, "application/fhir+json", false));
            // HAPI's own encoding of the same page: pretty printed, which this writer leaves to HAPI.
            String pretty = as(medecin, () -> body(path + "&_pretty=true", "application/fhir+json", false));
            Bundle page = fhirContext.newJsonParser().parseResource(Bundle.class, plain);
            Bundle hapis = fhirContext.newJsonParser().parseResource(Bundle.class, pretty);
            assertThat(entriesOf(plain)).as("the page is HAPI's canonical JSON of what it holds")
                    .isEqualTo(entriesOf(encode(page)));
            assertThat(entriesOf(plain)).as("and holds what HAPI's encoder writes for it").isEqualTo(entriesOf(encode(hapis)));
            assertThat(entriesOf(as(medecin, () -> body(path, "application/fhir+json", true)))).as("gzip").isEqualTo(entriesOf(plain));
            entries += page.getEntry().size();
            page.getEntry().stream().filter(Bundle.BundleEntryComponent::hasResource).forEach(e -> types.add(e.getResource().fhirType()));
            next = page.getLink("next") == null ? null : page.getLink("next").getUrl().substring(fhirBase().length());
        }
        assertThat(types).contains("Patient", "Encounter", "Provenance");
        assertThat(entries).isGreaterThanOrEqualTo(11);
        long spliced = preEncoded.spliced() - before;
        assertThat(spliced).as("entries written from their stored JSON (twice: plain and gzip)")
                .isGreaterThanOrEqualTo(2L * (types.size() - types.stream().filter("Provenance"::equals).count()));

        String xml = as(medecin, () -> body("/_history?_count=4&_since=" + URLEncoder.encode(since, StandardCharsets.UTF_8),
                "application/fhir+xml", false));
        assertThat(xml).as("XML is HAPI's encoding").startsWith("<Bundle").doesNotContain("{\"resourceType\"");
        assertThat(fhirContext.newXmlParser().parseResource(Bundle.class, xml).getEntry()).hasSize(4);
    }

    private String encode(Bundle bundle) {
        return fhirContext.newJsonParser().setServerBaseUrl(fhirBase()).encodeResourceToString(bundle);
    }

    /** Everything from the first entry on: the link URLs differ with {@code _pretty}. */
    private static String entriesOf(String json) {
        int first = json.indexOf("\"entry\"");
        assertThat(first).as(json).isPositive();
        return json.substring(first);
    }

    private String body(String path, String accept, boolean gzip) {
        HttpRequest.Builder request = request(path).header("Accept", accept);
        if (gzip) {
            request.header("Accept-Encoding", "gzip");
        }
        try {
            HttpResponse<byte[]> response = http.send(request.timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            byte[] bytes = response.body();
            if (gzip) {
                assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                    bytes = in.readAllBytes();
                }
            }
            String body = new String(bytes, StandardCharsets.UTF_8);
            assertThat(response.statusCode()).as(body).isEqualTo(200);
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
