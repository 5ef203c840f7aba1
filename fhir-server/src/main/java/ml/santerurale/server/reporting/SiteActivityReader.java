package ml.santerurale.server.reporting;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.ServiceRequest;

/**
 * Reads what one site recorded in a period, as {@link Fact}s, from its storage partition
 * (server-internal reads: no user's scope applies, none is widened): consultations from HAPI's
 * search indexes with SQL ({@link IndexedConsultations}; only the Observations of interest are
 * loaded, their values are not indexed), referrals (few) through HAPI's DAOs. A consultation is
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
    private static final int INDEX_CHUNK = 5000;

    private final DaoRegistry daos;
    private final IndexedConsultations indexes;

    SiteActivityReader(DaoRegistry daos, IndexedConsultations indexes) {
        this.daos = daos;
        this.indexes = indexes;
    }

    /** @param siteCode the site's code, which names its partition */
    List<Fact> read(String organizationId, String siteCode, ReportingPeriod period) {
        SystemRequestDetails site = SystemRequestDetails.forRequestPartitionId(RequestPartitionId.fromPartitionName(siteCode));
        List<Fact> facts = new ArrayList<>(consultations(organizationId, siteCode, site, period));
        facts.addAll(referrals(site, period));
        return facts;
    }

    private List<Fact.Consultation> consultations(String organizationId, String siteCode, SystemRequestDetails site,
            ReportingPeriod period) {
        RequestPartitionId partition = indexes.partitionOf(siteCode);
        Long organizationPid = indexes.organizationPid(organizationId);
        if (partition == null || organizationPid == null) {
            return List.of();
        }
        // The period and a day on each side from the index; which Encounter counts is decided here, on the exact instant.
        Map<Long, IndexedConsultations.Row> encounters = new LinkedHashMap<>();
        for (IndexedConsultations.Row row : indexes.encounters(partition, organizationPid,
                Timestamp.from(period.start().minus(Duration.ofDays(1))), Timestamp.from(period.end().plus(Duration.ofDays(1))))) {
            if (period.contains(row.start().toInstant()) && counted(row.status())) {
                encounters.put(row.pid(), row);
            }
        }
        Map<String, Set<String>> icd10 = new HashMap<>();
        Set<String> pregnant = new HashSet<>();
        Set<String> positive = new HashSet<>();
        for (List<Long> chunk : chunks(new ArrayList<>(encounters.keySet()), INDEX_CHUNK)) {
            indexes.diagnoses(partition, chunk).forEach((pid, codings) -> {
                String encounter = "Encounter/" + encounters.get(pid).id();
                for (String[] coding : codings) {
                    if (ICD10.equals(coding[0]) && coding[1] != null) {
                        String code = coding[1].trim().toUpperCase();
                        icd10.computeIfAbsent(encounter, k -> new HashSet<>()).add(code);
                        if (code.startsWith("O") || code.startsWith("Z33") || code.startsWith("Z34") || code.startsWith("Z35")
                                || code.startsWith("Z36")) {
                            pregnant.add(encounter);
                        }
                    }
                }
            });
            // Values and interpretations are not in the indexes: the few Observations of interest are read.
            List<String> observations = indexes.observations(partition, chunk, LOINC, List.of(MALARIA_RDT, PREGNANCY_STATUS));
            for (List<String> ids : chunks(observations, CHUNK)) {
                SearchParameterMap query = SearchParameterMap.newSynchronous();
                query.add("_id", ids(ids));
                for (IBaseResource resource : daos.getResourceDao(Observation.class).searchForResources(query, site)) {
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
        }
        List<Fact.Consultation> consultations = new ArrayList<>();
        for (IndexedConsultations.Row encounter : encounters.values()) {
            String ref = "Encounter/" + encounter.id();
            LocalDate day = encounter.start().toInstant().atZone(ZoneOffset.UTC).toLocalDate();
            String sex = encounter.gender() == null ? "unknown" : encounter.gender();
            consultations.add(new Fact.Consultation(encounter.id(), day, sex, AgeAtEncounter.of(encounter.born(), day),
                    encounter.curative(), icd10.getOrDefault(ref, Set.of()), "female".equals(sex) && pregnant.contains(ref),
                    positive.contains(ref)));
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

    private static boolean counted(String encounterStatus) {
        return !"planned".equals(encounterStatus) && !"cancelled".equals(encounterStatus)
                && !"entered-in-error".equals(encounterStatus);
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
        return chunks(all, CHUNK);
    }

    private static <T> List<List<T>> chunks(List<T> all, int size) {
        List<List<T>> chunks = new ArrayList<>();
        for (int i = 0; i < all.size(); i += size) {
            chunks.add(all.subList(i, Math.min(all.size(), i + size)));
        }
        return chunks;
    }
}
