package ml.santerurale.interceptors.guard;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;

class InternalDetailsNeverLeaveTest {

    private final InternalDetailsNeverLeave guard = new InternalDetailsNeverLeave();

    @Test
    void aDatabaseThatCannotBeReachedIsA503TransientWithRetryAfterAndNoSql() {
        for (Throwable unreachable : List.of(
                new RuntimeException("PreparedStatementCallback; SQL [update srm_sync_batch set response_status = ?]",
                        new SQLTransientConnectionException("fhir - Connection is not available, request timed out after 30000ms")),
                new RuntimeException("could not execute statement", new SQLException("Connection to localhost:5433 refused", "08001")),
                new RuntimeException(new SQLException("terminating connection due to administrator command", "57P01")),
                // The load drill's 10x step: HAPI wraps a pool timeout met in a provider method.
                new InternalErrorException("HAPI-0389: Failed to call access method: Failed to obtain JDBC Connection",
                        new IllegalStateException("Failed to obtain JDBC Connection", new SQLTransientConnectionException(
                                "fhir - Connection is not available, request timed out after 30001ms (total=20, active=20)"))))) {
            BaseServerResponseException answer = guard.hideInternals(null, unreachable);

            assertThat(answer.getStatusCode()).isEqualTo(503);
            assertThat(answer.getResponseHeaders()).containsEntry("Retry-After", List.of("5"));
            OperationOutcome outcome = (OperationOutcome) answer.getOperationOutcome();
            assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.TRANSIENT);
            assertThat(outcome.getIssueFirstRep().getDiagnostics())
                    .startsWith("The database is unavailable for a moment; nothing of this request was written")
                    .doesNotContainIgnoringCase("sql").doesNotContain("srm_").doesNotContain("5433");
        }
    }

    @Test
    void aDatabaseOutOfDiskSpaceIsA503TransientWithRetryAfterAndNoSql() {
        // What PostgreSQL says when the audit outbox's tablespace is full (found by the fault drill, FaultDrillTest).
        Throwable full = new IllegalStateException("The audit event could not be recorded: ERROR: could not extend file"
                + " \"pg_tblspc/16390/PG_16_202307071/5/16412\": No space left on device",
                new SQLException("ERROR: could not extend file \"pg_tblspc/16390/PG_16_202307071/5/16412\": No space left on device",
                        "53100"));

        BaseServerResponseException answer = guard.hideInternals(null, full);

        assertThat(answer.getStatusCode()).isEqualTo(503);
        assertThat(answer.getResponseHeaders()).containsEntry("Retry-After", List.of("30"));
        OperationOutcome outcome = (OperationOutcome) answer.getOperationOutcome();
        assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.TRANSIENT);
        assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("nothing of this request was written")
                .doesNotContain("pg_tblspc").doesNotContain("No space").doesNotContainIgnoringCase("sql");
    }

    @Test
    void itsOwn503PassesUnchangedAndOtherDatabaseFailuresStayGeneric() {
        BaseServerResponseException away = InternalDetailsNeverLeave.databaseAway(" (request id r1)");
        assertThat(guard.hideInternals(null, away)).isNull();

        BaseServerResponseException other = guard.hideInternals(null,
                new InternalErrorException("could not execute statement; SQL [insert into hfj_resource ...]",
                        new SQLException("value too long", "22001")));
        assertThat(other.getStatusCode()).isEqualTo(500);
        assertThat(((OperationOutcome) other.getOperationOutcome()).getIssueFirstRep().getDiagnostics())
                .doesNotContainIgnoringCase("sql").doesNotContain("hfj_");
    }

    @Test
    void contentThatBreaksHapisParserIsA400NotA500() {
        // RequestBodyFuzzTest's findings (its inputs empty-property-name and string-as-entry-resource):
        // HAPI 8.8.0's JSON parser throws StringIndexOutOfBoundsException on an empty property name
        // and NullPointerException on a string as an entry's resource; both were 500s.
        for (String body : List.of("{\"resourceType\":\"Patient\",\"\":[{\"family\":\"Traore\"}]}",
                "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":\"Bundle\"}]}")) {
            RuntimeException thrown = null;
            try {
                FhirContext.forR4Cached().newJsonParser().parseResource(body);
            } catch (RuntimeException e) {
                thrown = e;
            }
            assertThat(thrown).as("HAPI still fails on %s; if not, this guard may be simplified", body)
                    .isNotNull().isNotInstanceOf(DataFormatException.class);

            BaseServerResponseException answer = guard.hideInternals(null, new InternalErrorException(thrown));

            assertThat(answer.getStatusCode()).isEqualTo(400);
            OperationOutcome outcome = (OperationOutcome) answer.getOperationOutcome();
            assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.STRUCTURE);
            assertThat(outcome.getIssueFirstRep().getDiagnostics()).startsWith("The request body could not be read as a FHIR resource")
                    .doesNotContain("Exception");
        }
        assertThat(guard.hideInternals(null, new InternalErrorException(new IllegalStateException("a bug of ours"))).getStatusCode())
                .as("other failures stay 500").isEqualTo(500);
    }
}
