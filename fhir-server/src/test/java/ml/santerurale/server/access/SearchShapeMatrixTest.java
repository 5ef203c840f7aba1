package ml.santerurale.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import ml.santerurale.interceptors.access.SiteLabels;
import ml.santerurale.server.fhir.ServedResourceTypes;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Every result-shaping parameter and search modifier crossed with every served type and every
 * caller situation, generated the way {@link RoleMatrixTest} generates the role matrix: no answer
 * may carry another site's id, a count of another site's records, or an audit event outside the
 * caller's audit scope, and none may be a server error.
 *
 * <p>Fixture at CSCOM Djéli, tagged {@code urn:srm:reach|<marker>}: a patient F with a
 * consultation (encounter, temperature, diagnosis) and a referral to nowhere, whose {@code link} and
 * whose diagnosis's {@code asserter} point at patient R. R (untagged) is referred to Konobougou:
 * R, the referral and R's own encounter and temperature are what Konobougou may see there, nothing else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchShapeMatrixTest extends ServerIntegrationTest {

    private static final String TAG_SYSTEM = "urn:srm:reach";
    private static final String DJELI = "cscom-djeli";

    private final String marker = "reach" + UUID.randomUUID().toString().substring(0, 8);
    private final String owner = TestTokens.get().user("soignant.djeli.shape", Set.of("soignant"), Set.of("CSCOM-DJELI"));

    /** Caller situations: name -> token, sites, audit scope. */
    private record Situation(String name, String token, Set<String> sites, boolean auditAll, boolean referred) {}

    private final List<Situation> situations = List.of(
            new Situation("soignant at Konobougou (referral)", TestTokens.get().user("soignant.konobougou.shape",
                    Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU")), Set.of("CSCOM-KONOBOUGOU"), false, true),
            new Situation("major at Konobougou (referral)", TestTokens.get().user("major.konobougou.shape",
                    Set.of("major"), Set.of("CSCOM-KONOBOUGOU")), Set.of("CSCOM-KONOBOUGOU"), false, true),
            new Situation("medecin at Konobougou (referral)", TestTokens.get().user("medecin.konobougou.shape",
                    Set.of("medecin"), Set.of("CSCOM-KONOBOUGOU")), Set.of("CSCOM-KONOBOUGOU"), false, true),
            new Situation("soignant at Tamani (no referral)", TestTokens.get().user("soignant.tamani.shape",
                    Set.of("soignant"), Set.of("CSCOM-TAMANI")), Set.of("CSCOM-TAMANI"), false, false),
            new Situation("admin (national)", TestTokens.get().user("admin.national.shape",
                    Set.of("admin"), Set.of()), Set.of(), true, false));

    private final Set<String> foreign = new HashSet<>();
    private final Set<String> granted = new HashSet<>();
    private Patient r;
    private ServiceRequest referral;

    @BeforeAll
    void djeliRecords() {
        Patient f = tagged(ClinicalRecords.patient("Foreign" + marker, "Fanta", DJELI));
        r = ClinicalRecords.patient("Referred" + marker, "Rokia", DJELI);
        f.addLink().setType(Patient.LinkType.SEEALSO).setOther(ClinicalRecords.reference(r));
        Encounter visit = tagged(ClinicalRecords.encounter(f, DJELI));
        Observation temperature = tagged(ClinicalRecords.temperature(f, visit));
        Condition diagnosis = tagged(ClinicalRecords.malaria(f, visit));
        diagnosis.setAsserter(ClinicalRecords.reference(r));
        ServiceRequest nowhere = tagged(ClinicalRecords.referral(f, DJELI));
        Encounter rVisit = ClinicalRecords.encounter(r, DJELI);
        Observation rTemperature = ClinicalRecords.temperature(r, rVisit);
        referral = ClinicalRecords.referral(r, "cscom-konobougou");
        List<Resource> all = List.of(r, f, visit, temperature, diagnosis, nowhere, rVisit, rTemperature, referral);
        as(owner, () -> {
            for (Resource resource : all) {
                HttpResponse<String> created = putJson("/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart(), json(resource));
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            }
            return null;
        });
        for (Resource resource : List.of(f, visit, temperature, diagnosis, nowhere)) {
            foreign.add(resource.getIdElement().getIdPart());
        }
        for (Resource resource : List.of(r, rVisit, rTemperature, referral)) {
            granted.add(resource.getIdElement().getIdPart());
        }
        // The owner's view proves the queries work: each tagged type, and a chain, find the records.
        for (String type : List.of("Patient", "Encounter", "Observation", "Condition", "ServiceRequest")) {
            assertThat(ids(as(owner, () -> get("/" + type + "?_tag=" + TAG_SYSTEM + "|" + marker)))).as(type).isNotEmpty();
        }
        assertThat(ids(as(owner, () -> get("/Observation?subject._tag=" + TAG_SYSTEM + "|" + marker))))
                .contains(temperature.getIdElement().getIdPart());
        assertThat(ids(as(owner, () -> get("/Patient?_id=" + r.getIdPart() + "&_revinclude=Patient:link&_revinclude=Condition:asserter"))))
                .contains(f.getIdPart(), diagnosis.getIdPart());
    }

    private <T extends Resource> T tagged(T resource) {
        resource.getMeta().addTag(TAG_SYSTEM, marker, null);
        resource.setId(resource.getIdElement().getIdPart());
        return resource;
    }

    /** Appended to every query: the result-shaping parameters and modifiers of the issue. */
    private List<String> shapes() {
        return List.of("", "&_summary=count", "&_count=0", "&_total=accurate", "&_elements=id", "&_include=*",
                "&_include:iterate=*", "&_revinclude=*", "&_revinclude:iterate=*", "&_content=" + marker,
                "&_text=" + marker, "&_has:Observation:subject:status=final", "&_has:AuditEvent:entity:action=C",
                "&_id:not=" + UUID.randomUUID(), "&_tag:not=urn:srm:none|none", "&_security:missing=false");
    }

    /** Queries that select only Djéli's tagged records (directly or through a chain): nothing may come back. */
    private List<String> foreignQueries() {
        List<String> queries = new ArrayList<>();
        String tag = TAG_SYSTEM + "|" + marker;
        for (String type : ServedResourceTypes.ALL) {
            queries.add("/" + type + "?_tag=" + tag);
            for (RuntimeSearchParam param : fhirContext.getResourceDefinition(type).getSearchParams()) {
                if (param.getParamType() == RestSearchParameterTypeEnum.REFERENCE && param.getTargets().contains("Patient")
                        && (param.getName().equals("patient") || param.getName().equals("subject"))) {
                    queries.add("/" + type + "?" + param.getName() + "._tag=" + tag);
                }
            }
        }
        return queries;
    }

    @TestFactory
    Stream<DynamicTest> noShapeOfSearchReachesAnotherSite() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Situation situation : situations) {
            for (String query : foreignQueries()) {
                tests.add(DynamicTest.dynamicTest(situation.name() + ": " + query, () -> {
                    for (String shape : shapes()) {
                        check(situation, query + shape, true);
                    }
                }));
            }
            for (String query : List.of("/Patient?_id=" + r.getIdPart(), "/Observation?subject=" + r.getIdPart(),
                    "/ServiceRequest?_id=" + referral.getIdPart(), "/Patient?_id=" + r.getIdPart() + "&_revinclude=Patient:link",
                    "/Patient?_id=" + r.getIdPart() + "&_revinclude=Condition:asserter")) {
                tests.add(DynamicTest.dynamicTest(situation.name() + ": " + query, () -> {
                    for (String shape : shapes()) {
                        check(situation, query + shape, false);
                    }
                }));
            }
        }
        return tests.stream();
    }

    private void check(Situation situation, String query, boolean selectsOnlyForeign) {
        HttpResponse<String> response = as(situation.token(), () -> get(query));
        assertThat(response.statusCode()).as("%s: %s -> %s", situation.name(), query, response.body())
                .isIn(200, 400, 403);
        for (String id : foreign) {
            assertThat(response.body()).as("%s: %s", situation.name(), query).doesNotContain(id);
        }
        if (response.statusCode() != 200) {
            return;
        }
        Bundle bundle = parse(Bundle.class, response.body());
        if (selectsOnlyForeign && bundle.hasTotal()) {
            assertThat(bundle.getTotal()).as("a count of another site's records: %s: %s", situation.name(), query).isZero();
        }
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            Resource resource = entry.getResource();
            if (resource == null) {
                continue;
            }
            String site = SiteLabels.siteOf(resource).orElse(null);
            if (resource instanceof AuditEvent) {
                assertThat(situation.auditAll() || (site != null && situation.sites().contains(site)))
                        .as("%s: %s returned an audit event of %s", situation.name(), query, site).isTrue();
            } else if ("CSCOM-DJELI".equals(site)) {
                assertThat(situation.referred() && granted.contains(resource.getIdElement().getIdPart()))
                        .as("%s: %s returned Djéli's %s", situation.name(), query, resource.getIdElement().getValue()).isTrue();
            }
        }
    }

    private List<String> ids(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return parse(Bundle.class, response.body()).getEntry().stream()
                .map(e -> e.getResource().getIdElement().getIdPart()).toList();
    }
}
