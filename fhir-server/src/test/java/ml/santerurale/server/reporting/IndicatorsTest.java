package ml.santerurale.server.reporting;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.junit.jupiter.api.Test;

/**
 * The indicators on the real server: consultations recorded through the API, the report computed
 * by {@code Measure/<id>/$evaluate-measure}, every count compared with one this test works out
 * itself from what it recorded (its own age arithmetic, its own reading of the rules of
 * mappings/dhis2/README.md).
 */
class IndicatorsTest extends ServerIntegrationTest {

    private static final List<String> DIAGNOSES = List.of("B50.9", "B54", "B50.8", "B50.0", "A09", "A00.1", "J06.9", "J18.9",
            "J22", "E43", "E44.0", "I10", "O99.0", "Z33");

    @Test
    void aMonthOfConsultationsAtThreeSitesGivesExactlyTheCountsOfEachStratum() {
        Random random = new Random(20250301);
        Map<String, String> sites = Map.of("cscom-konobougou", "CSCOM-KONOBOUGOU", "cscom-djeli", "CSCOM-DJELI",
                "cscom-baroueli-central", "CSCOM-BAROUELI-CENTRAL");
        for (Map.Entry<String, String> site : new TreeMap<>(sites).entrySet()) {
            ReportingData data = new ReportingData(site.getKey());
            List<ReportingData.Visit> visits = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                ReportingData.Visit visit = randomVisit(random, site.getKey());
                visits.add(visit);
                data.add(visit);
            }
            post(site.getValue(), data.transaction());

            MeasureReport report = evaluate("rma-monthly", "2025-03-01", "2025-03-31", site.getKey(), TestTokens.get().medecin(site.getValue()));

            assertThat(report.getType()).isEqualTo(MeasureReport.MeasureReportType.SUMMARY);
            assertThat(report.getReporter().getReference()).isEqualTo("Organization/" + site.getKey());
            assertThat(report.getMeasure()).isEqualTo("https://sante-rurale.ml/fhir/Measure/rma-monthly");
            assertThat(ReportingData.nonZero(ReportingData.counts(report))).as(site.getKey())
                    .isEqualTo(ReportingData.nonZero(expected(visits)));
        }
    }

    @Test
    void ageBandsChangeOnTheBirthdayItselfAndYearOnlyBirthDatesCountFromTheFirstOfJuly() {
        // Djéli in June and July 2025: no other test records consultations there then.
        ReportingData data = new ReportingData("cscom-djeli");
        Instant june15 = Instant.parse("2025-06-15T10:00:00Z");
        Instant july1 = Instant.parse("2025-07-01T10:00:00Z");
        // Born on the encounter's day, one, five and fifteen years before; and the day after.
        for (String birth : List.of("2024-06-15", "2024-06-16", "2020-06-15", "2020-06-16", "2010-06-15", "2010-06-16")) {
            data.add(new ReportingData.Visit("female", birth, june15, List.of(), false, false, null));
        }
        // Born "2024": 1 July 2024, so under one on 15 June 2025 and one year old on 1 July 2025.
        data.add(new ReportingData.Visit("male", "2024", june15, List.of(), false, false, null));
        data.add(new ReportingData.Visit("male", "2024", july1, List.of(), false, false, null));
        // Malnutrition from 6 to 59 completed months: 6 months on the day, 5 months the day before.
        data.add(new ReportingData.Visit("female", "2024-12-15", june15, List.of("E43"), false, false, null));
        data.add(new ReportingData.Visit("female", "2024-12-16", june15, List.of("E43"), false, false, null));
        // Born "2020-06": the 15th, so five on 15 June 2025 (5+ for malaria).
        data.add(new ReportingData.Visit("male", "2020-06", june15, List.of("B50.9"), false, false, null));
        post("CSCOM-DJELI", data.transaction());
        String djeli = TestTokens.get().medecin("CSCOM-DJELI");

        Map<String, Integer> june = ReportingData.nonZero(ReportingData.counts(
                evaluate("rma-monthly", "2025-06-01", "2025-06-30", "cscom-djeli", djeli)));
        assertThat(june).containsEntry("consultations total", 10)
                .containsEntry("consultations age-band=1-4 sex=female", 2)
                .containsEntry("consultations age-band=<1 sex=male", 1)
                .containsEntry("malnutrition total", 1)
                .containsEntry("malnutrition sex=female", 1)
                .containsEntry("malaria-confirmed age-band=5+ sex=male", 1);
        assertThat(june).containsEntry("consultations age-band=<1 sex=female", 3)
                .containsEntry("consultations age-band=5-14 sex=female", 2)
                .containsEntry("consultations age-band=15+ sex=female", 1)
                .containsEntry("consultations age-band=5-14 sex=male", 1);
        Map<String, Integer> july = ReportingData.nonZero(ReportingData.counts(
                evaluate("rma-monthly", "2025-07-01", "2025-07-31", "cscom-djeli", djeli)));
        assertThat(july).containsEntry("consultations total", 1).containsEntry("consultations age-band=1-4 sex=male", 1);
    }

    @Test
    void aPreventiveVisitIsNoCurativeConsultationButTheMalariaFoundThereCounts() {
        // Djéli in February 2024: no other test records consultations there then.
        Date february12 = Date.from(Instant.parse("2024-02-12T10:00:00Z"));
        Patient ill = ClinicalRecords.patient("Coulibaly", "Fanta", "cscom-djeli");
        Encounter curative = typed(ClinicalRecords.encounter(ill, "cscom-djeli"), ClinicalRecords.curative(), february12);
        Patient pregnant = ClinicalRecords.patient("Keïta", "Mariam", "cscom-djeli");
        Encounter antenatal = typed(ClinicalRecords.encounter(pregnant, "cscom-djeli"), ClinicalRecords.preventive(), february12);
        post("CSCOM-DJELI", ReportingData.transaction(List.of(ill, curative, ReportingData.diagnosis(ill, curative, "B54"), pregnant,
                antenatal, ReportingData.diagnosis(pregnant, antenatal, "B50.9"), ReportingData.diagnosis(pregnant, antenatal, "Z34"))));

        Map<String, Integer> counts = ReportingData.nonZero(ReportingData.counts(
                evaluate("rma-monthly", "2024-02-01", "2024-02-29", "cscom-djeli", TestTokens.get().medecin("CSCOM-DJELI"))));

        // Both women were born in "1990" (1 July): 33, so 15+ and 5+.
        assertThat(counts).isEqualTo(Map.of(
                "consultations total", 1, "consultations age-band=15+ sex=female", 1,
                "malaria-clinical total", 1, "malaria-clinical age-band=5+ sex=female", 1,
                "malaria-confirmed total", 1, "malaria-confirmed age-band=5+ sex=female", 1,
                "malaria-confirmed pregnancy=pregnant", 1));
    }

    @Test
    void aConsultationThatDoesNotSayWhetherItIsCurativeOrPreventiveIsRefused() {
        Patient patient = ClinicalRecords.patient("Coulibaly", "Awa", "cscom-djeli");
        post("CSCOM-DJELI", ReportingData.transaction(List.of(patient)));
        Encounter untyped = ClinicalRecords.encounter(patient, "cscom-djeli");
        untyped.setType(List.of());

        HttpResponse<String> answer = as(TestTokens.get().medecin("CSCOM-DJELI"),
                () -> putJson("/Encounter/" + untyped.getIdElement().getIdPart(), json(untyped)));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(422);
        assertThat(parse(OperationOutcome.class, answer.body()).getIssue())
                .anySatisfy(issue -> assertThat(issue.getExpression() + " " + issue.getDiagnostics()).contains("Encounter.type"));
    }

    private static Encounter typed(Encounter encounter, CodeableConcept type, Date start) {
        encounter.setType(List.of(type));
        encounter.setPeriod(new Period().setStartElement(new DateTimeType(start)));
        return encounter;
    }

    // --- the expected counts, worked out here ----------------------------------------------

    private static ReportingData.Visit randomVisit(Random random, String site) {
        String gender = random.nextInt(10) == 0 ? "other" : random.nextBoolean() ? "female" : "male";
        LocalDate born = LocalDate.of(2025, 3, 15).minusDays(random.nextInt(365 * 40));
        String birth = random.nextInt(4) == 0 ? Integer.toString(born.getYear()) : born.toString();
        // Some visits fall just outside March, to be left out.
        Instant start = Instant.parse("2025-02-28T20:00:00Z").plusSeconds(random.nextInt(33 * 24 * 3600));
        List<String> icd10 = new ArrayList<>();
        for (int d = random.nextInt(3); d > 0; d--) {
            icd10.add(DIAGNOSES.get(random.nextInt(DIAGNOSES.size())));
        }
        boolean rdt = random.nextInt(5) == 0;
        boolean pregnant = "female".equals(gender) && random.nextInt(6) == 0;
        String referredTo = switch (random.nextInt(8)) {
            case 0 -> "cscom-konobougou".equals(site) ? "cscom-djeli" : "cscom-konobougou";
            case 1 -> "ml-seg-baroueli";
            case 2 -> "ml-seg";
            default -> null;
        };
        return new ReportingData.Visit(gender, birth, start, icd10, rdt, pregnant, referredTo);
    }

    private static Map<String, Integer> expected(List<ReportingData.Visit> visits) {
        Map<String, Integer> counts = new TreeMap<>();
        for (ReportingData.Visit visit : visits) {
            if (visit.start().isBefore(Instant.parse("2025-03-01T00:00:00Z")) || !visit.start().isBefore(Instant.parse("2025-04-01T00:00:00Z"))) {
                continue;
            }
            LocalDate day = visit.start().atZone(ZoneOffset.UTC).toLocalDate();
            String birth = visit.birthDate();
            LocalDate born = birth.length() == 4 ? LocalDate.of(Integer.parseInt(birth), 7, 1) : LocalDate.parse(birth);
            boolean beforeBirthday = day.getMonthValue() < born.getMonthValue()
                    || (day.getMonthValue() == born.getMonthValue() && day.getDayOfMonth() < born.getDayOfMonth());
            int years = day.getYear() - born.getYear() - (beforeBirthday ? 1 : 0);
            long months = java.time.temporal.ChronoUnit.MONTHS.between(born, day);
            String four = years < 1 ? "<1" : years <= 4 ? "1-4" : years <= 14 ? "5-14" : "15+";
            String two = years <= 4 ? "<5" : "5+";
            String sex = visit.gender();
            add(counts, "consultations", "age-band=" + four + " sex=" + sex);
            boolean confirmed = visit.positiveRdt() || visit.icd10().stream().anyMatch(c -> c.startsWith("B50") || c.startsWith("B51")
                    || c.startsWith("B52") || c.startsWith("B53"));
            boolean pregnant = "female".equals(sex) && (visit.pregnancyObservation()
                    || visit.icd10().stream().anyMatch(c -> c.startsWith("O") || c.startsWith("Z33")));
            if (confirmed) {
                add(counts, "malaria-confirmed", "age-band=" + two + " sex=" + sex);
                if (pregnant) {
                    counts.merge("malaria-confirmed pregnancy=pregnant", 1, Integer::sum);
                }
            }
            if (visit.icd10().contains("B50.0") || visit.icd10().contains("B50.8")) {
                add(counts, "malaria-severe", "age-band=" + two + " sex=" + sex);
            }
            if (visit.icd10().contains("B54") && !confirmed) {
                add(counts, "malaria-clinical", "age-band=" + two + " sex=" + sex);
            }
            if (visit.icd10().stream().anyMatch(c -> c.startsWith("A09") || c.startsWith("A00"))) {
                add(counts, "diarrhoea", "age-band=" + two + " sex=" + sex);
            }
            if (visit.icd10().stream().anyMatch(c -> c.startsWith("J06") || c.startsWith("J18") || c.startsWith("J22"))) {
                add(counts, "respiratory", "age-band=" + two + " sex=" + sex);
            }
            if (visit.icd10().stream().anyMatch(c -> c.startsWith("E4")) && months >= 6 && months < 60) {
                add(counts, "malnutrition", "sex=" + sex);
            }
            if (visit.referredTo() != null) {
                String level = visit.referredTo().startsWith("cscom-") ? "cscom" : visit.referredTo().equals("ml-seg") ? "hospital" : "csref";
                counts.merge("referrals total", 1, Integer::sum);
                counts.merge("referrals destination-level=" + level, 1, Integer::sum);
            }
        }
        return counts;
    }

    private static void add(Map<String, Integer> counts, String indicator, String stratum) {
        counts.merge(indicator + " total", 1, Integer::sum);
        counts.merge(indicator + " " + stratum, 1, Integer::sum);
    }

    // --- requests -------------------------------------------------------------------------

    private void post(String siteCode, Bundle transaction) {
        HttpResponse<String> answer = as(TestTokens.get().medecin(siteCode), () -> postJson("", json(transaction)));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }

    private MeasureReport evaluate(String measure, String start, String end, String organization, String token) {
        HttpResponse<String> answer = as(token, () -> get("/Measure/" + measure + "/$evaluate-measure?periodStart=" + start
                + "&periodEnd=" + end + "&reporter=Organization/" + organization));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return parse(MeasureReport.class, answer.body());
    }
}
