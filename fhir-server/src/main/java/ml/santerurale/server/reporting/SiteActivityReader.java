package ml.santerurale.server.reporting;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.ReferenceOrListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.ServiceRequest;

/**
 * Reads what one site recorded in a period, as {@link Fact}s, from its storage partition through
 * HAPI's DAOs (server-internal reads: no user's scope applies, none is widened). A consultation is
 * an Encounter whose {@code period.start} falls in the period; its Conditions and Observations are
 * those that name it ({@code encounter}), so an Observation without an encounter counts for
 * nothing. A referral is a ServiceRequest whose {@code authoredOn} falls in the period.
 *
 * <p>Does not guarantee a consistent snapshot across its queries: a consultation written while a
 * report is computed may be half counted; the late-data re-export corrects it.
 */
final class SiteActivityReader {

    static final String ICD10 = "http://hl7.org/fhir/sid/icd-10";
    static final String LOINC = "http://loinc.org";
    static final String MALARIA_RDT = "76772-3";
    static final String PREGNANCY_STATUS = "82810-3";
    static final String SITE_LEVEL_SYSTEM = "https://sante-rurale.ml/fhir/CodeSystem/site-level";
    private static final Set<String> POSITIVE = Set.of("10828004", "LA6576-8", "POS");
    private static final Set<String> PREGNANT = Set.of("77386006", "LA15173-0");
    private static final int CHUNK = 200;

    private final DaoRegistry daos;

    SiteActivityReader(DaoRegistry daos) {
        this.daos = daos;
    }

    /** @param siteCode the site's code, which names its partition */
    List<Fact> read(String organizationId, String siteCode, ReportingPeriod period) {
        SystemRequestDetails site = SystemRequestDetails.forRequestPartitionId(RequestPartitionId.fromPartitionName(siteCode));
        List<Fact> facts = new ArrayList<>(consultations(organizationId, site, period));
        facts.addAll(referrals(site, period));
        return facts;
    }

    private List<Fact.Consultation> consultations(String organizationId, SystemRequestDetails site, ReportingPeriod period) {
        // The site's partition holds its encounters; serviceProvider is checked below (a reference
        // search parameter would resolve the Organization inside the site's partition, where it is not).
        SearchParameterMap encountersQuery = around(Encounter.SP_DATE, period);
        List<Encounter> encounters = new ArrayList<>();
        for (IBaseResource resource : daos.getResourceDao(Encounter.class).searchForResources(encountersQuery, site)) {
            Encounter encounter = (Encounter) resource;
            if (encounter.getPeriod().getStart() != null && period.contains(encounter.getPeriod().getStart().toInstant())
                    && counted(encounter.getStatus())
                    && organizationId.equals(encounter.getServiceProvider().getReferenceElement().getIdPart())) {
                encounters.add(encounter);
            }
        }
        Map<String, Patient> patients = patients(encounters.stream().map(e -> e.getSubject().getReferenceElement().getIdPart()).toList(), site);
        Map<String, Set<String>> icd10 = new HashMap<>();
        Set<String> pregnant = new HashSet<>();
        Set<String> positive = new HashSet<>();
        List<String> encounterRefs = encounters.stream().map(e -> "Encounter/" + e.getIdElement().getIdPart()).toList();
        for (List<String> chunk : chunks(encounterRefs)) {
            for (IBaseResource resource : search(Condition.class, Condition.SP_ENCOUNTER, chunk, site, null)) {
                Condition condition = (Condition) resource;
                if (refutedOrInError(condition)) {
                    continue;
                }
                String encounter = condition.getEncounter().getReferenceElement().toUnqualifiedVersionless().getValue();
                for (Coding coding : condition.getCode().getCoding()) {
                    if (ICD10.equals(coding.getSystem()) && coding.getCode() != null) {
                        String code = coding.getCode().trim().toUpperCase();
                        icd10.computeIfAbsent(encounter, k -> new HashSet<>()).add(code);
                        if (code.startsWith("O") || code.startsWith("Z33") || code.startsWith("Z34") || code.startsWith("Z35")
                                || code.startsWith("Z36")) {
                            pregnant.add(encounter);
                        }
                    }
                }
            }
            TokenOrListParam codes = new TokenOrListParam().add(LOINC, MALARIA_RDT).add(LOINC, PREGNANCY_STATUS);
            for (IBaseResource resource : search(Observation.class, Observation.SP_ENCOUNTER, chunk, site, codes)) {
                Observation observation = (Observation) resource;
                if (observation.getStatus() == Observation.ObservationStatus.ENTEREDINERROR
                        || observation.getStatus() == Observation.ObservationStatus.CANCELLED) {
                    continue;
                }
                String encounter = observation.getEncounter().getReferenceElement().toUnqualifiedVersionless().getValue();
                if (observation.getCode().hasCoding(LOINC, MALARIA_RDT) && isAny(observation, POSITIVE)) {
                    positive.add(encounter);
                }
                if (observation.getCode().hasCoding(LOINC, PREGNANCY_STATUS) && isAny(observation, PREGNANT)) {
                    pregnant.add(encounter);
                }
            }
        }
        List<Fact.Consultation> consultations = new ArrayList<>();
        for (Encounter encounter : encounters) {
            String ref = "Encounter/" + encounter.getIdElement().getIdPart();
            Patient patient = patients.get(encounter.getSubject().getReferenceElement().getIdPart());
            LocalDate day = encounter.getPeriod().getStart().toInstant().atZone(ZoneOffset.UTC).toLocalDate();
            String sex = sex(patient);
            consultations.add(new Fact.Consultation(encounter.getIdElement().getIdPart(), day, sex,
                    patient == null ? null : AgeAtEncounter.of(patient.getBirthDateElement(), day),
                    icd10.getOrDefault(ref, Set.of()), "female".equals(sex) && pregnant.contains(ref), positive.contains(ref)));
        }
        return consultations;
    }

    private List<Fact.Referral> referrals(SystemRequestDetails site, ReportingPeriod period) {
        SearchParameterMap query = around(ServiceRequest.SP_AUTHORED, period);
        List<ServiceRequest> sent = new ArrayList<>();
        for (IBaseResource resource : daos.getResourceDao(ServiceRequest.class).searchForResources(query, site)) {
            ServiceRequest request = (ServiceRequest) resource;
            if (request.getAuthoredOn() != null && period.contains(request.getAuthoredOn().toInstant())
                    && request.getStatus() != ServiceRequest.ServiceRequestStatus.DRAFT
                    && request.getStatus() != ServiceRequest.ServiceRequestStatus.ENTEREDINERROR) {
                sent.add(request);
            }
        }
        Map<String, Patient> patients = patients(sent.stream().map(r -> r.getSubject().getReferenceElement().getIdPart()).toList(), site);
        Map<String, String> levels = destinationLevels(sent);
        List<Fact.Referral> referrals = new ArrayList<>();
        for (ServiceRequest request : sent) {
            LocalDate day = request.getAuthoredOn().toInstant().atZone(ZoneOffset.UTC).toLocalDate();
            Patient patient = patients.get(request.getSubject().getReferenceElement().getIdPart());
            String destination = request.getPerformer().stream().map(p -> p.getReferenceElement().getIdPart())
                    .filter(levels::containsKey).findFirst().map(levels::get).orElse("other");
            referrals.add(new Fact.Referral(request.getIdElement().getIdPart(), day, sex(patient),
                    patient == null ? null : AgeAtEncounter.of(patient.getBirthDateElement(), day), destination));
        }
        return referrals;
    }

    /** Destination Organization id to level: cscom, csref (a district's), hospital (a region's). */
    private Map<String, String> destinationLevels(List<ServiceRequest> requests) {
        Set<String> ids = new HashSet<>();
        requests.forEach(r -> r.getPerformer().stream().filter(p -> "Organization".equals(p.getReferenceElement().getResourceType()))
                .forEach(p -> ids.add(p.getReferenceElement().getIdPart())));
        Map<String, String> levels = new HashMap<>();
        SystemRequestDetails shared = SystemRequestDetails.forRequestPartitionId(RequestPartitionId.defaultPartition());
        for (List<String> chunk : chunks(new ArrayList<>(ids))) {
            SearchParameterMap query = SearchParameterMap.newSynchronous();
            query.add("_id", ids(chunk));
            for (IBaseResource resource : daos.getResourceDao(Organization.class).searchForResources(query, shared)) {
                Organization organization = (Organization) resource;
                String level = organization.getType().stream().flatMap(t -> t.getCoding().stream())
                        .filter(c -> SITE_LEVEL_SYSTEM.equals(c.getSystem())).map(Coding::getCode).findFirst().orElse("");
                levels.put(organization.getIdElement().getIdPart(), switch (level) {
                    case "cscom" -> "cscom";
                    case "district" -> "csref";
                    case "region" -> "hospital";
                    default -> "other";
                });
            }
        }
        return levels;
    }

    private Map<String, Patient> patients(List<String> ids, SystemRequestDetails site) {
        Map<String, Patient> patients = new HashMap<>();
        for (List<String> chunk : chunks(new ArrayList<>(new HashSet<>(ids)))) {
            SearchParameterMap query = SearchParameterMap.newSynchronous();
            query.add("_id", ids(chunk));
            for (IBaseResource resource : daos.getResourceDao(Patient.class).searchForResources(query, site)) {
                patients.put(resource.getIdElement().getIdPart(), (Patient) resource);
            }
        }
        return patients;
    }

    private List<IBaseResource> search(Class<? extends IBaseResource> type, String referenceParameter, List<String> references,
            SystemRequestDetails site, TokenOrListParam codes) {
        SearchParameterMap query = SearchParameterMap.newSynchronous();
        ReferenceOrListParam list = new ReferenceOrListParam();
        references.forEach(r -> list.addOr(new ReferenceParam(r)));
        query.add(referenceParameter, list);
        if (codes != null) {
            query.add(Observation.SP_CODE, codes);
        }
        return new ArrayList<>(daos.getResourceDao(type).searchForResources(query, site));
    }

    /** The period and a day on each side: which record counts is decided in Java, on the exact instant. */
    private static SearchParameterMap around(String dateParameter, ReportingPeriod period) {
        SearchParameterMap query = SearchParameterMap.newSynchronous();
        query.add(dateParameter, new DateParam("ge" + period.firstDay().minusDays(1)));
        query.add(dateParameter, new DateParam("lt" + period.lastDay().plusDays(2)));
        return query;
    }

    private static TokenOrListParam ids(List<String> ids) {
        TokenOrListParam list = new TokenOrListParam();
        ids.forEach(id -> list.addOr(new TokenParam(id)));
        return list;
    }

    private static boolean counted(Encounter.EncounterStatus status) {
        return status != Encounter.EncounterStatus.PLANNED && status != Encounter.EncounterStatus.CANCELLED
                && status != Encounter.EncounterStatus.ENTEREDINERROR;
    }

    private static boolean refutedOrInError(Condition condition) {
        return condition.getVerificationStatus().getCoding().stream()
                .anyMatch(c -> "refuted".equals(c.getCode()) || "entered-in-error".equals(c.getCode()));
    }

    private static boolean isAny(Observation observation, Set<String> codes) {
        if (observation.getValue() instanceof CodeableConcept value
                && value.getCoding().stream().anyMatch(c -> codes.contains(c.getCode()))) {
            return true;
        }
        return observation.getInterpretation().stream().flatMap(i -> i.getCoding().stream()).anyMatch(c -> codes.contains(c.getCode()));
    }

    private static String sex(Patient patient) {
        return patient == null || patient.getGender() == null ? "unknown" : patient.getGender().toCode();
    }

    private static <T> List<List<T>> chunks(List<T> all) {
        List<List<T>> chunks = new ArrayList<>();
        for (int i = 0; i < all.size(); i += CHUNK) {
            chunks.add(all.subList(i, Math.min(all.size(), i + CHUNK)));
        }
        return chunks;
    }
}
