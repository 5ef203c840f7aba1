package ml.santerurale.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.server.support.Conforming;
import ml.santerurale.server.support.Names;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A search whose matches fit in the bound (100 in the tests' configuration) runs in the request
 * ({@link InlineSearch}): no row in HAPI's search tables, every match once across its pages, fresh
 * results, pages only for the user who searched, a later page showing its records as they are
 * when it is asked for; a search with more matches is HAPI's persisted search, as before.
 */
class InlineSearchTest extends ServerIntegrationTest {

    private static final String KONOBOUGOU = "CSCOM-KONOBOUGOU";

    @Autowired
    InlineSearch searches;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    OneQuerySearchBuilders builders;

    private Set<String> registered(String family, int count) {
        Set<String> ids = new HashSet<>();
        Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        for (int i = 0; i < count; i++) {
            Patient patient = Conforming.patient(family, "Awa" + i);
            String id = UUID.randomUUID().toString();
            patient.setId(id);
            bundle.addEntry().setResource(patient).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/" + id);
            ids.add(id);
        }
        HttpResponse<String> posted = postJson("", json(bundle));
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
        return ids;
    }

    private Bundle search(String path) {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return parse(Bundle.class, response.body());
    }

    private HttpResponse<String> follow(String url, String token) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Accept", "application/fhir+json").GET());
    }

    /** Every id of every page, following next links as the default user. */
    private List<String> allPages(Bundle first) {
        List<String> seen = new ArrayList<>();
        Bundle page = first;
        while (true) {
            page.getEntry().forEach(e -> seen.add(e.getResource().getIdElement().getIdPart()));
            Bundle.BundleLinkComponent next = page.getLink("next");
            if (next == null) {
                return seen;
            }
            HttpResponse<String> response = follow(next.getUrl(), token());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            page = parse(Bundle.class, response.body());
        }
    }

    private int searchRowsFor(String family) {
        return jdbc.queryForObject("select count(*) from hfj_search where search_query_string_vc like ?", Integer.class,
                "%" + family + "%");
    }

    @Test
    void aSearchWithFewMatchesIsAnsweredInTheRequestWithoutASearchRowAndPagedOnce() {
        String family = "Inline" + Names.unique(8);
        Set<String> ids = registered(family, 7);
        long inlineBefore = searches.inline();

        Bundle first = search("/Patient?family=" + family + "&_count=3");

        assertThat(searches.inline()).isEqualTo(inlineBefore + 1);
        assertThat(first.getEntry()).hasSize(3);
        assertThat(first.getTotal()).isEqualTo(7);
        List<String> seen = allPages(first);
        assertThat(seen).hasSize(7).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(ids);
        assertThat(searchRowsFor(family)).as("no HFJ_SEARCH row").isZero();
    }

    @Test
    void aPatientRegisteredAMomentAgoIsFoundByTheNextSearch() {
        String family = "Fresh" + Names.unique(8);
        registered(family, 2);
        assertThat(search("/Patient?name=" + family).getEntry()).hasSize(2);
        registered(family, 1);
        assertThat(search("/Patient?name=" + family).getEntry()).hasSize(3);
        registered(family, 1);
        assertThat(search("/Patient?name=" + family.substring(0, family.length() - 2)).getEntry()).hasSize(4);
    }

    @Test
    void aLaterPageShowsItsRecordsAsTheyAreNowAndLeavesOutDeletedOnes() {
        String family = "Later" + Names.unique(8);
        registered(family, 4);
        Bundle first = search("/Patient?family=" + family + "&_count=2&_sort=given");
        assertThat(first.getTotal()).isEqualTo(4);
        HttpResponse<String> secondPage = follow(first.getLink("next").getUrl(), token());
        Bundle second = parse(Bundle.class, secondPage.body());
        assertThat(second.getEntry()).hasSize(2);
        Patient third = (Patient) second.getEntry().get(0).getResource();
        Patient fourth = (Patient) second.getEntry().get(1).getResource();
        third.getNameFirstRep().addGiven("Changed");
        assertThat(putJson("/Patient/" + third.getIdPart(), json(third)).statusCode()).isEqualTo(200);
        assertThat(send(request("/Patient/" + fourth.getIdPart()).DELETE()).statusCode()).isIn(200, 204);

        Bundle again = parse(Bundle.class, follow(first.getLink("next").getUrl(), token()).body());
        assertThat(again.getEntry()).hasSize(1);
        Patient changed = (Patient) again.getEntry().get(0).getResource();
        assertThat(changed.getIdPart()).isEqualTo(third.getIdPart());
        assertThat(changed.getMeta().getVersionId()).isEqualTo("2");
        assertThat(changed.getNameFirstRep().getGiven()).extracting(org.hl7.fhir.r4.model.StringType::getValue).contains("Changed");
    }

    @Test
    void aLaterPageAnswersOnlyTheUserWhoSearchedAndOthersAsAnExpiredSearch() {
        String family = "Owner" + Names.unique(8);
        registered(family, 3);
        String searcher = TestTokens.get().user("medecin.inline.one", Set.of("medecin"), Set.of(KONOBOUGOU));
        String colleague = TestTokens.get().user("medecin.inline.two", Set.of("medecin"), Set.of(KONOBOUGOU));
        Bundle first = as(searcher, () -> search("/Patient?family=" + family + "&_count=2"));
        String next = first.getLink("next").getUrl();

        HttpResponse<String> other = follow(next, colleague);
        HttpResponse<String> unknown = follow(next.replaceAll("_getpages=[^&]+", "_getpages=" + UUID.randomUUID()), searcher);
        assertThat(other.statusCode()).isEqualTo(410);
        assertThat(unknown.statusCode()).isEqualTo(410);
        assertThat(other.body()).contains("does not exist and may have expired").doesNotContain(family);
        HttpResponse<String> own = follow(next, searcher);
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(parse(Bundle.class, own.body()).getEntry()).hasSize(1);
    }

    @Test
    void aSearchWithMoreMatchesThanTheBoundIsHapisPersistedSearch() {
        String family = "Many" + Names.unique(8);
        Set<String> ids = registered(family, 101);
        long tooManyBefore = searches.tooMany();
        long loadedBefore = builders.served();

        Bundle first = search("/Patient?family=" + family + "&_count=40");

        assertThat(searches.tooMany()).isEqualTo(tooManyBefore + 1);
        assertThat(builders.served() - loadedBefore).as("the page of HAPI's search only, none for the attempt")
                .isEqualTo(first.getEntry().size());
        assertThat(searchRowsFor(family)).as("HAPI's search row").isEqualTo(1);
        List<String> seen = allPages(first);
        assertThat(seen).hasSize(101).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(ids);
    }

    @Test
    void searchesWithIncludesOffsetsOrCountsOnlyAreHapis() {
        String family = "Hapis" + Names.unique(8);
        registered(family, 2);
        long before = searches.inline();
        search("/Patient?family=" + family + "&_revinclude=Encounter:subject");
        search("/Patient?family=" + family + "&_offset=1&_count=1");
        Bundle count = search("/Patient?family=" + family + "&_summary=count");
        assertThat(count.getTotal()).isEqualTo(2);
        assertThat(searches.inline()).isEqualTo(before);
    }
}
