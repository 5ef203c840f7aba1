package ml.santerurale.dhis2;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ImportSummaryTest {

    @Test
    void readsTheSummaryInsideDhis2sEnvelope() {
        ImportSummary summary = ImportSummary.parse("""
                {"httpStatus":"Conflict","httpStatusCode":409,"status":"WARNING","message":"One more conflicts encountered",
                 "response":{"responseType":"ImportSummary","status":"WARNING",
                   "importCount":{"imported":3,"updated":1,"ignored":2,"deleted":0},
                   "conflicts":[{"object":"PH_X","objects":{"dataElement":"PH_X"},"value":"Data element not found or not accessible",
                                 "errorCode":"E7610","property":"dataElement","indexes":[0]}]}}""");
        assertThat(summary).isEqualTo(new ImportSummary("WARNING", 3, 1, 2, 0,
                java.util.List.of("PH_X: Data element not found or not accessible")));
    }

    @Test
    void readsABareSummaryOfOlderVersions() {
        ImportSummary summary = ImportSummary.parse("""
                {"responseType":"ImportSummary","status":"SUCCESS","importCount":{"imported":0,"updated":5,"ignored":0,"deleted":0}}""");
        assertThat(summary.status()).isEqualTo("SUCCESS");
        assertThat(summary.updated()).isEqualTo(5);
        assertThat(summary.conflicts()).isEmpty();
    }

    @Test
    void anAnswerWithoutSummaryIsNone() {
        assertThat(ImportSummary.parse("<html>Bad gateway</html>")).isNull();
        assertThat(ImportSummary.parse("{\"httpStatusCode\":500,\"status\":\"ERROR\"}")).isNull();
        assertThat(ImportSummary.parse("")).isNull();
    }
}
