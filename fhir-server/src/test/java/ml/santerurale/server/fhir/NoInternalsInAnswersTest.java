package ml.santerurale.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import ml.santerurale.server.headers.SecurityHeaders;
import ml.santerurale.server.support.RawHttp;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A sweep of error paths, from the database to the servlet container: every answer is a FHIR
 * OperationOutcome in JSON that says what went wrong in words, and none carries SQL, a table
 * name, a Java class, a stack trace or HTML. A server error names the request id, so the
 * operator finds the details in the log. Every one carries the security headers.
 */
class NoInternalsInAnswersTest extends ServerIntegrationTest {

    private static final List<String> INTERNALS = List.of("<html", "<!doctype", "<body", "exception", "\tat ",
            "insert into", "select ", "hfj_", "sql", "hibernate", "java.", "ca.uhn", "org.springframework",
            "apache", "tomcat", "duplicate key", "constraint");

    /** One error path: a name, and how to provoke it. */
    record Case(String name, Function<NoInternalsInAnswersTest, RawHttp.Answer> provoke) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> errorPaths() {
        return Stream.of(
                new Case("a database error (a NUL character PostgreSQL cannot store)", t -> t.viaClient(
                        t.postJson("/Patient", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Tra\\u0000oré\"}]}"))),
                new Case("a character Tomcat refuses in the query", t -> t.raw("GET", "/fhir/Patient?name=a<b>")),
                new Case("a broken percent-encoding in the path", t -> t.raw("GET", "/fhir/Patient/%zz")),
                new Case("an unknown HTTP method", t -> t.raw("BREW", "/fhir/Patient")),
                new Case("TRACE", t -> t.raw("TRACE", "/fhir/Patient")),
                new Case("TRACE outside /fhir", t -> t.raw("TRACE", "/")),
                new Case("TRACK", t -> t.raw("TRACK", "/fhir/Patient")),
                new Case("CONNECT", t -> t.raw("CONNECT", "/fhir/Patient")),
                new Case("a path outside /fhir", t -> t.raw("GET", "/nothing-here")),
                new Case("a path outside /fhir, unauthenticated", t -> RawHttp.send(t.port, "GET", "/no-such-page.html", null)),
                new Case("an unknown search parameter in _sort", t -> t.raw("GET", "/fhir/Patient?_sort=shoe-size")),
                new Case("a malformed date", t -> t.raw("GET", "/fhir/Patient?birthdate=yesterday")),
                new Case("a non-numeric _count", t -> t.raw("GET", "/fhir/Patient?_count=many")),
                new Case("an id too long", t -> t.raw("GET", "/fhir/Patient/" + "a".repeat(100))),
                new Case("an unknown operation", t -> t.raw("GET", "/fhir/Patient/$shred")),
                new Case("a malformed Bundle", t -> t.viaClient(t.postJson("", "{\"resourceType\":\"Bundle\",\"type\":\"nonsense\"}"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errorPaths")
    void everyErrorIsAnOperationOutcomeWithoutInternals(Case errorPath) {
        RawHttp.Answer answer = errorPath.provoke().apply(this);
        if (errorPath.name().startsWith("TRACE")) {
            // Refused in words, never echoed (the servlet API's doTrace would send the headers back).
            assertThat(answer.status()).as(answer.body()).isEqualTo(405);
            assertThat(answer.header("Allow")).isNotBlank().doesNotContain("TRACE");
        }

        assertThat(answer.status()).as("%s: %s", errorPath, answer.body()).isBetween(400, 599);
        assertThat(answer.body()).as("the request echoed").doesNotContain(token()).doesNotContain("Bearer");
        assertThat(answer.header("Content-Type")).as(answer.body()).startsWith("application/fhir+json");
        // Error answers carry the security headers too, whoever wrote them (HAPI, Spring, Tomcat).
        assertThat(answer.header("X-Content-Type-Options")).as("%s: nosniff", errorPath).isEqualTo("nosniff");
        assertThat(answer.header("Referrer-Policy")).as("%s: Referrer-Policy", errorPath).isEqualTo("no-referrer");
        // Under /fhir the deny-all policy; elsewhere the app's own (no inline script, no framing).
        assertThat(answer.header("Content-Security-Policy")).as("%s: Content-Security-Policy", errorPath)
                .contains("frame-ancestors 'none'").doesNotContain("unsafe-");
        if (!errorPath.name().contains("outside /fhir")) {
            assertThat(answer.header("Content-Security-Policy")).as("%s", errorPath).isEqualTo(SecurityHeaders.API_POLICY);
        }
        String lower = answer.body().toLowerCase(java.util.Locale.ROOT).replace("\"code\":\"exception\"", "");
        for (String internal : INTERNALS) {
            assertThat(lower).as("%s leaks '%s'", errorPath, internal).doesNotContain(internal);
        }
        OperationOutcome outcome = parse(OperationOutcome.class, answer.body());
        assertThat(outcome.getIssue()).isNotEmpty();
        assertThat(outcome.getIssueFirstRep().getSeverity()).isIn(OperationOutcome.IssueSeverity.ERROR, OperationOutcome.IssueSeverity.FATAL);
        assertThat(outcome.getIssueFirstRep().getCode()).isNotNull();
        assertThat(outcome.getIssueFirstRep().getDiagnostics()).isNotBlank();
        if (answer.status() == 500) {
            assertThat(answer.header("X-Request-ID")).isNotBlank();
            assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.EXCEPTION);
            assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("request id " + answer.header("X-Request-ID"));
        }
    }

    private RawHttp.Answer raw(String method, String target) {
        return RawHttp.send(port, method, target, token());
    }

    private RawHttp.Answer viaClient(HttpResponse<String> response) {
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        response.headers().map().forEach((name, values) -> headers.put(name.toLowerCase(java.util.Locale.ROOT), values.get(0)));
        return new RawHttp.Answer(response.statusCode(), headers, response.body());
    }
}
