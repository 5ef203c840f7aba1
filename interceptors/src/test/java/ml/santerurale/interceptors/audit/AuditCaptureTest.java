package ml.santerurale.interceptors.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.api.InterceptorInvocationTimingEnum;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.api.server.storage.TransactionDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import ml.santerurale.interceptors.security.Caller;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class AuditCaptureTest {

    private final List<AuditEvent> recorded = new ArrayList<>();
    private final AuditEventFactory factory = new AuditEventFactory("test-server",
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    private final Set<String> clinical = Set.of("Patient", "Observation");

    @Test
    void aRefusalWithoutTokenNamesTheTargetAndAnUnauthenticatedUser() {
        AuditCapture capture = new AuditCapture(factory, recorded::add, clinical, false);
        ServletRequestDetails request = request(RestOperationTypeEnum.READ, "Patient", "p1");

        capture.auditFailure(request, request.getServletRequest(), new AuthenticationException("no token"));

        AuditEvent event = single();
        assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
        assertThat(event.getOutcomeDesc()).isEqualTo("HTTP 401: no token");
        assertThat(event.getAgentFirstRep().getWho().getDisplay()).isEqualTo("unauthenticated");
        assertThat(event.getEntityFirstRep().getWhat().getReference()).isEqualTo("Patient/p1");
        assertThat(event.getRecorded()).isEqualTo("2026-01-01T00:00:00Z");
    }

    @Test
    void aThrottledRequestLeavesNoEventSoAFloodWritesNothing() {
        AuditCapture capture = new AuditCapture(factory, recorded::add, clinical, false);
        ServletRequestDetails request = request(RestOperationTypeEnum.TRANSACTION, null, null);

        capture.auditFailure(request, request.getServletRequest(),
                new UnclassifiedServerFailureException(429, "Too many sync batches from device 'x'"));
        assertThat(recorded).isEmpty();

        capture.auditFailure(request, request.getServletRequest(), new AuthenticationException("no token"));
        assertThat(recorded).as("other refusals of the same request are still recorded").hasSize(1);
    }

    @Test
    void takesXForwardedForOnlyWhenToldToTrustIt() {
        ServletRequestDetails request = request(RestOperationTypeEnum.READ, "Patient", "p1");
        ((MockHttpServletRequest) request.getServletRequest()).addHeader("X-Forwarded-For", "10.9.8.7, 10.0.0.1");
        Patient patient = new Patient();
        patient.setId("Patient/p1");

        new AuditCapture(factory, recorded::add, clinical, false).auditRead(request, patient, request.getServletRequest());
        new AuditCapture(factory, recorded::add, clinical, true).auditRead(request, patient, request.getServletRequest());

        assertThat(recorded).extracting(e -> e.getAgentFirstRep().getNetwork().getAddress())
                .containsExactly("127.0.0.1", "10.9.8.7");
    }

    @Test
    void aSearchNamesThePatientsOfTheResultsAndReferenceDataIsNotAudited() {
        AuditCapture capture = new AuditCapture(factory, recorded::add, clinical, false);
        Bundle observations = new Bundle();
        for (String patient : List.of("a", "b", "a")) {
            Observation observation = new Observation();
            observation.setId("Observation/o-" + patient + observations.getEntry().size());
            observation.setSubject(new Reference("Patient/" + patient));
            observations.addEntry().setResource(observation);
        }
        ServletRequestDetails search = request(RestOperationTypeEnum.SEARCH_TYPE, "Observation", null);
        capture.auditRead(search, observations, search.getServletRequest());

        Bundle organizations = new Bundle();
        organizations.addEntry().setResource(new Organization().setName("CSCOM"));
        ServletRequestDetails reference = request(RestOperationTypeEnum.SEARCH_TYPE, "Organization", null);
        capture.auditRead(reference, organizations, reference.getServletRequest());

        AuditEvent event = single();
        assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("search-type");
        assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.E);
        assertThat(event.getEntity()).filteredOn(e -> e.getWhat().hasReference())
                .extracting(e -> e.getWhat().getReference()).containsExactly("Patient/a", "Patient/b");
        assertThat(event.getEntity()).filteredOn(AuditEvent.AuditEventEntityComponent::hasQuery).hasSize(1);
    }

    @Test
    void aPageOfResultsWithoutResourceTypeIsAuditedByWhatItReturns() {
        AuditCapture capture = new AuditCapture(factory, recorded::add, clinical, false);
        Bundle page = new Bundle();
        Patient patient = new Patient();
        patient.setId("Patient/p3");
        page.addEntry().setResource(patient);
        ServletRequestDetails request = request(RestOperationTypeEnum.GET_PAGE, null, null);

        capture.auditRead(request, page, request.getServletRequest());
        capture.auditRead(request, new Bundle(), request.getServletRequest());

        assertThat(single().getEntityFirstRep().getWhat().getReference()).isEqualTo("Patient/p3");
    }

    @Test
    void recordsEachWriteOnceAndNotTheServersOwn() {
        AuditCapture capture = new AuditCapture(factory, recorded::add, clinical, false);
        Patient patient = new Patient();
        patient.setId(new IdType("Patient", "p2", "1"));
        ServletRequestDetails request = request(RestOperationTypeEnum.CREATE, "Patient", null);

        capture.auditCreate(patient, request, null, InterceptorInvocationTimingEnum.ACTIVE);
        capture.auditCreate(patient, request, null, InterceptorInvocationTimingEnum.ACTIVE);
        capture.auditCreate(patient, new SystemRequestDetails(), null, InterceptorInvocationTimingEnum.ACTIVE);

        AuditEvent event = single();
        assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.C);
        assertThat(event.getEntityFirstRep().getWhat().getReference()).isEqualTo("Patient/p2");
    }

    @Test
    void theWritesOfATransactionMakeOneEventPerPatientInsideTheTransaction() {
        AuditCapture capture = new AuditCapture(factory, recorded::add, clinical, false);
        ServletRequestDetails request = request(RestOperationTypeEnum.TRANSACTION, null, null);
        TransactionDetails transaction = new TransactionDetails();
        Patient p = sited(new Patient(), "Patient/p", "SITE-A");
        Observation forP = sited(observation("o1", "p"), null, "SITE-A");
        Observation forQ = sited(observation("o2", "q"), null, "SITE-A");

        for (var resource : List.of(p, forP, forQ)) {
            capture.auditCreate(resource, request, transaction, InterceptorInvocationTimingEnum.DEFERRED);
        }
        assertThat(recorded).as("nothing before the Bundle has been processed").isEmpty();
        capture.auditTransactionWrites(transaction);
        capture.auditTransactionWrites(transaction);

        assertThat(recorded).hasSize(2);
        assertThat(references(recorded.get(0))).containsExactly("Patient/p", "Observation/o1");
        assertThat(references(recorded.get(1))).containsExactly("Patient/q", "Observation/o2");
        assertThat(recorded).allSatisfy(event -> {
            assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.C);
            assertThat(event.getSubtype()).extracting(c -> c.getCode()).containsExactly("create", "transaction");
            assertThat(siteOf(event)).isEqualTo("SITE-A");
            assertThat(requestId(event)).isEqualTo("req-tx-1");
        });
    }

    @Test
    void aSearchAcrossTwoSitesMakesOneEventPerSiteNamingOnlyItsPatients() {
        AuditCapture capture = new AuditCapture(factory, recorded::add, clinical, false);
        ServletRequestDetails search = request(RestOperationTypeEnum.SEARCH_TYPE, "Patient", null);
        search.setCompleteUrl("http://localhost/fhir/Patient?name=traore");
        caller(search, "SITE-A", "SITE-B");

        capture.auditRead(search, bundleOf(sited(new Patient(), "Patient/a", "SITE-A"),
                sited(new Patient(), "Patient/b", "SITE-B")), search.getServletRequest());

        assertThat(recorded).hasSize(2);
        assertThat(recorded).extracting(AuditCaptureTest::siteOf).containsExactly("SITE-A", "SITE-B");
        assertThat(references(recorded.get(0))).containsExactly("Patient/a");
        assertThat(references(recorded.get(1))).containsExactly("Patient/b");
        assertThat(recorded).allSatisfy(event -> {
            assertThat(query(event)).isEqualTo("http://localhost/fhir/Patient?name=traore");
            assertThat(requestId(event)).isEqualTo("req-tx-1");
        });
    }

    @Test
    void aQueryNamingAnotherSitesRecordStaysInTheNationalTrailOnly() {
        AuditCapture capture = new AuditCapture(factory, recorded::add, clinical, false);
        ServletRequestDetails search = request(RestOperationTypeEnum.SEARCH_TYPE, "Patient", null);
        search.setCompleteUrl("http://localhost/fhir/Patient?_id=a,b");
        caller(search, "SITE-A", "SITE-B");

        capture.auditRead(search, bundleOf(sited(new Patient(), "Patient/a", "SITE-A"),
                sited(new Patient(), "Patient/b", "SITE-B")), search.getServletRequest());

        assertThat(recorded).hasSize(3);
        assertThat(recorded.subList(0, 2)).allSatisfy(event -> assertThat(query(event)).isNull());
        AuditEvent national = recorded.get(2);
        assertThat(siteOf(national)).isNull();
        assertThat(references(national)).isEmpty();
        assertThat(query(national)).endsWith("_id=a,b");
        assertThat(requestId(national)).isEqualTo("req-tx-1");
    }

    @Test
    void aRefusalNamingNoKnownRecordIsStoredWithTheCallersOnlySiteElseNationally() {
        AuditCapture capture = new AuditCapture(factory, recorded::add, clinical, false);
        ServletRequestDetails single = request(RestOperationTypeEnum.READ, "Patient", "x");
        caller(single, "SITE-A");
        ServletRequestDetails district = request(RestOperationTypeEnum.READ, "Patient", "x");
        caller(district, "SITE-A", "SITE-B");

        capture.auditFailure(single, single.getServletRequest(), new ResourceNotFoundException("gone"));
        capture.auditFailure(district, district.getServletRequest(), new ResourceNotFoundException("gone"));

        assertThat(recorded).extracting(AuditCaptureTest::siteOf).containsExactly("SITE-A", null);
    }

    private static <T extends org.hl7.fhir.r4.model.Resource> T sited(T resource, String id, String site) {
        if (id != null) {
            resource.setId(id);
        }
        resource.getMeta().addSecurity(ml.santerurale.interceptors.access.SiteLabels.SYSTEM, site, null);
        return resource;
    }

    private static Observation observation(String id, String patient) {
        Observation observation = new Observation();
        observation.setId("Observation/" + id);
        observation.setSubject(new Reference("Patient/" + patient));
        return observation;
    }

    private static Bundle bundleOf(org.hl7.fhir.r4.model.Resource... resources) {
        Bundle bundle = new Bundle();
        for (var resource : resources) {
            bundle.addEntry().setResource(resource);
        }
        return bundle;
    }

    private static void caller(ServletRequestDetails request, String... sites) {
        request.getUserData().put(Caller.class.getName(),
                new Caller("sub-1", "medecin.unit", "pwa", Set.of("medecin"), Set.of(sites)));
    }

    private static List<String> references(AuditEvent event) {
        return event.getEntity().stream().filter(e -> e.getWhat().hasReference())
                .map(e -> e.getWhat().getReference()).toList();
    }

    private static String siteOf(AuditEvent event) {
        return ml.santerurale.interceptors.access.SiteLabels.siteOf(event).orElse(null);
    }

    private static String query(AuditEvent event) {
        return event.getEntity().stream().filter(AuditEvent.AuditEventEntityComponent::hasQuery)
                .map(e -> new String(e.getQuery(), java.nio.charset.StandardCharsets.UTF_8)).findFirst().orElse(null);
    }

    private static String requestId(AuditEvent event) {
        return event.getEntity().stream().filter(e -> "XrequestId".equals(e.getType().getCode()))
                .map(e -> e.getWhat().getIdentifier().getValue()).findFirst().orElse(null);
    }

    private AuditEvent single() {
        assertThat(recorded).hasSize(1);
        return recorded.get(0);
    }

    private static ServletRequestDetails request(RestOperationTypeEnum operation, String type, String id) {
        MockHttpServletRequest servletRequest = new MockHttpServletRequest("GET", "/fhir/" + type);
        servletRequest.setRemoteAddr("127.0.0.1");
        ServletRequestDetails details = new ServletRequestDetails();
        details.setServletRequest(servletRequest);
        details.setRestOperationType(operation);
        details.setResourceName(type);
        details.setCompleteUrl("http://localhost/fhir/" + type + "?x=1");
        details.setRequestId("req-tx-1");
        if (id != null) {
            details.setId(new IdType(type, id));
        }
        return details;
    }
}
