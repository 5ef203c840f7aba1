package ml.santerurale.server.reporting;

import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import ml.santerurale.dhis2.DataValueSet;
import ml.santerurale.server.support.FakeDhis2;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Parameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Which period a consultation falls in, at the edges: midnight UTC between two months, an ISO
 * week that spans them, the 53rd week of 2026 and the first of 2027 (4 January). Weekly counts are
 * read from a dry run of the export, as DHIS2 would receive them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeriodBoundariesTest extends ServerIntegrationTest {

    private static final String SITE = "cscom-baroueli-central";

    @BeforeAll
    void consultationsAtTheEdges() {
        ReportingData data = new ReportingData(SITE);
        for (String start : List.of("2025-05-31T23:59:59Z", "2025-06-01T00:00:00Z", "2026-12-27T23:59:59Z", "2026-12-28T00:00:00Z",
                "2027-01-03T23:59:59Z", "2027-01-04T00:00:00Z")) {
            data.add(new ReportingData.Visit("female", "1990-01-01", Instant.parse(start), List.of("B50.9"), false, false, null));
        }
        HttpResponse<String> answer = as(TestTokens.get().medecin("CSCOM-BAROUELI-CENTRAL"), () -> postJson("", json(data.transaction())));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }

    @Test
    void midnightUtcOpensTheNextMonth() {
        assertThat(monthlyConsultations("2025-05-01", "2025-05-31")).isEqualTo(1);
        assertThat(monthlyConsultations("2025-06-01", "2025-06-30")).isEqualTo(1);
    }

    @Test
    void anIsoWeekSpanningTwoMonthsHoldsBoth() {
        // 2025W22: Monday 26 May to Sunday 1 June.
        assertThat(weeklyConfirmedMalaria("2025W22")).isEqualTo("2");
        assertThat(weeklyConfirmedMalaria("2025W21")).isEqualTo("0");
    }

    @Test
    void week53Of2026EndsOnTheThirdOfJanuaryAndWeek1Of2027StartsOnTheFourth() {
        assertThat(weeklyConfirmedMalaria("2026W52")).isEqualTo("1");
        assertThat(weeklyConfirmedMalaria("2026W53")).isEqualTo("2");
        assertThat(weeklyConfirmedMalaria("2027W01")).isEqualTo("1");
    }

    @Test
    void aWeekTheYearDoesNotHaveIsRefused() {
        HttpResponse<String> answer = as(TestTokens.get().admin(), () -> postJson("/$dhis2-export", exportParameters("2027W53")));
        assertOutcome(fhirContext, answer, 400, "invalid", "2027 has ISO weeks 1 to 52");
    }

    private int monthlyConsultations(String start, String end) {
        HttpResponse<String> answer = as(TestTokens.get().admin(), () -> get("/Measure/rma-monthly/$evaluate-measure?periodStart="
                + start + "&periodEnd=" + end + "&reporter=Organization/" + SITE));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return ReportingData.counts(parse(MeasureReport.class, answer.body())).get("consultations total");
    }

    /** The value DHIS2 would receive for confirmed malaria, 5 years and over, female. */
    private String weeklyConfirmedMalaria(String period) {
        int sent = FakeDhis2.get().received().size();
        HttpResponse<String> answer = as(TestTokens.get().admin(), () -> postJson("/$dhis2-export", exportParameters(period)));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        Parameters.ParametersParameterComponent export = parse(Parameters.class, answer.body()).getParameterFirstRep();
        assertThat(export.getPart()).anySatisfy(p -> assertThat(p.getName() + "=" + p.getValue().primitiveValue()).isEqualTo("status=dry-run"));
        DataValueSet set = DataValueSet.fromJson(export.getPart().stream().filter(p -> p.getName().equals("dataValueSet"))
                .findFirst().orElseThrow().getValue().primitiveValue());
        assertThat(set.period()).isEqualTo(ReportingPeriod.parse(period).code());
        assertThat(set.dataSet()).isEqualTo("PH_DATASET_HEBDO");
        assertThat(FakeDhis2.get().received()).as("a dry run sends nothing").hasSize(sent);
        return set.dataValues().stream().filter(v -> v.dataElement().equals("PH_HEBDO_PALU_CONFIRME")
                && v.categoryOptionCombo().equals("PH_COC_5P_F")).findFirst().orElseThrow().value();
    }

    private String exportParameters(String period) {
        Parameters parameters = new Parameters();
        parameters.addParameter().setName("period").setValue(new org.hl7.fhir.r4.model.StringType(period));
        parameters.addParameter().setName("site").setValue(new org.hl7.fhir.r4.model.StringType(SITE));
        parameters.addParameter().setName("dryRun").setValue(new org.hl7.fhir.r4.model.BooleanType(true));
        return json(parameters);
    }
}
