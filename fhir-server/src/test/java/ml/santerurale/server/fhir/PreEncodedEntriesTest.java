package ml.santerurale.server.fhir;

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
import ml.santerurale.server.sync.Consultations;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A change feed page or a search page whose entries are written from their stored JSON
 * ({@link PreEncodedEntries}, {@link StoredJson}) is, byte for byte, the page HAPI's encoder
 * writes: every entry's resource with its id, meta (version, last update, source, tags with
 * escaped text, the site's label) and content, gzip or not; other formats are HAPI's.
 */
class PreEncodedEntriesTest extends ServerIntegrationTest {

    @Autowired
    PreEncodedEntries preEncoded;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void feedAndSearchPagesAreWhatHapisEncoderWrites() throws InterruptedException {
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

        long before = preEncoded.spliced();
        List<String> types = assertPagesAreHapis(medecin,
                "/_history?_count=4&_since=" + URLEncoder.encode(since, StandardCharsets.UTF_8));
        assertThat(types).contains("Patient", "Encounter", "Provenance").hasSizeGreaterThanOrEqualTo(11);
        long spliced = preEncoded.spliced() - before;
        assertThat(spliced).as("entries written from their stored JSON (twice: plain and gzip)")
                .isGreaterThanOrEqualTo(2L * (types.size() - types.stream().filter("Provenance"::equals).count()));

        before = preEncoded.spliced();
        long bundles = preEncoded.bundles();
        List<String> matches = assertPagesAreHapis(medecin, "/Patient?_count=2&name=" + family);
        assertThat(preEncoded.bundles() - bundles).as("search pages written whole (plain and gzip, two pages)")
                .isGreaterThanOrEqualTo(4);
        assertThat(matches).as("a search's matches, each page").hasSize(4).containsOnly("Patient");
        assertThat(preEncoded.spliced() - before).as("matches written from their stored JSON").isGreaterThanOrEqualTo(8);

        String xml = as(medecin, () -> body("/_history?_count=4&_since=" + URLEncoder.encode(since, StandardCharsets.UTF_8),
                "application/fhir+xml", false));
        assertThat(xml).as("XML is HAPI's encoding").startsWith("<Bundle").doesNotContain("{\"resourceType\"");
        assertThat(fhirContext.newXmlParser().parseResource(Bundle.class, xml).getEntry()).hasSize(4);
    }

    /**
     * Follows the pages from {@code path}: each, plain, is HAPI's canonical JSON of what it
     * holds, the same as HAPI's own (pretty) encoding of the page and as its gzip form. Answers
     * the types of the entries' resources.
     */
    private List<String> assertPagesAreHapis(String token, String path) {
        List<String> types = new ArrayList<>();
        String next = path;
        while (next != null) {
            String page = next;
            String plain = as(token, () -> body(page, "application/fhir+json", false));
            String pretty = as(token, () -> body(page + "&_pretty=true", "application/fhir+json", false));
            Bundle bundle = fhirContext.newJsonParser().parseResource(Bundle.class, plain);
            Bundle hapis = fhirContext.newJsonParser().parseResource(Bundle.class, pretty);
            assertThat(plain).as("HAPI's canonical JSON of what the page holds: " + page).isEqualTo(encode(bundle));
            assertThat(entriesOf(plain)).as("what HAPI's encoder writes for the page: " + page).isEqualTo(entriesOf(encode(hapis)));
            assertThat(entriesOf(as(token, () -> body(page, "application/fhir+json", true)))).as("gzip").isEqualTo(entriesOf(plain));
            bundle.getEntry().stream().filter(Bundle.BundleEntryComponent::hasResource).forEach(e -> types.add(e.getResource().fhirType()));
            next = bundle.getLink("next") == null ? null : bundle.getLink("next").getUrl().substring(fhirBase().length());
        }
        return types;
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
