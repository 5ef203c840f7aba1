package ml.santerurale.server.observability;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.interceptor.executor.BaseInterceptorService;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.interceptor.ExceptionHandlingInterceptor;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Refusals by our interceptors are not logged as errors with a stack trace (HAPI's default); an
 * interceptor's real failure still is an error.
 */
class ExpectedRefusalsLogTest extends ServerIntegrationTest {

    private final Logger hapiInterceptors = (Logger) LoggerFactory.getLogger(BaseInterceptorService.class);
    private final Logger hapiFailures = (Logger) LoggerFactory.getLogger(ExceptionHandlingInterceptor.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void listen() {
        logged.start();
        hapiInterceptors.addAppender(logged);
        hapiFailures.addAppender(logged);
    }

    @AfterEach
    void stopListening() {
        hapiInterceptors.detachAppender(logged);
        hapiFailures.detachAppender(logged);
    }

    @Test
    void aReplayedPageOfAnotherUserAndAForbiddenDeleteAreNotErrors() {
        String owner = TestTokens.get().medecin("CSCOM-KONOBOUGOU");
        String other = TestTokens.get().user("medecin.other.log", Set.of("medecin"), Set.of("CSCOM-KONOBOUGOU"));
        Bundle firstPage = parse(Bundle.class, as(owner, () -> get("/Organization?_count=2")).body());
        String next = firstPage.getLink("next").getUrl();
        HttpResponse<String> replay = as(other, () -> get(next.substring(next.indexOf("/fhir") + "/fhir".length())));
        assertThat(replay.statusCode()).as("refused in the partition hook").isEqualTo(410);

        String id = UUID.randomUUID().toString();
        Patient patient = ml.santerurale.server.support.Conforming.patient("Log", "Awa");
        patient.setId(id);
        assertThat(as(owner, () -> putJson("/Patient/" + id, json(patient))).statusCode()).isEqualTo(201);
        String soignant = TestTokens.get().user("soignant.log", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
        assertThat(as(soignant, () -> send(request("/Patient/" + id).DELETE())).statusCode()).isEqualTo(403);

        assertThat(events(Level.ERROR)).as("no error with a stack trace for a refusal").isEmpty();
        // HAPI's own one-line account of the failed request stays (the 403 is in the audit trail).
        assertThat(events(Level.WARN)).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m).contains("HAPI-0417"));
    }

    @Test
    void anInterceptorsRealFailureIsStillAnError() {
        org.slf4j.Logger log = LoggerFactory.getLogger(BaseInterceptorService.class);
        String format = "Exception thrown by interceptor for pointcut {}: {}";
        IllegalStateException bug = new IllegalStateException("a bug");
        InternalErrorException serverError = new InternalErrorException("a server error");
        log.error(format, "STORAGE_PARTITION_IDENTIFY_READ", bug.toString(), bug);
        log.error(format, "STORAGE_PARTITION_IDENTIFY_READ", serverError.toString(), serverError);

        assertThat(events(Level.ERROR)).extracting(e -> e.getThrowableProxy().getClassName())
                .containsExactly(IllegalStateException.class.getName(), InternalErrorException.class.getName());
    }

    private List<ILoggingEvent> events(Level level) {
        return logged.list.stream().filter(e -> e.getLevel() == level).toList();
    }
}
