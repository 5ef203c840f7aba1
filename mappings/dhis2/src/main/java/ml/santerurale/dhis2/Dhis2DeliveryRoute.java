package ml.santerurale.dhis2;

import java.time.Duration;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.http.HttpComponent;

/**
 * The delivery flow: every poll interval, the due exports of the journal are claimed and each is
 * posted to DHIS2's {@code POST /api/dataValueSets} ({@code importStrategy=CREATE_AND_UPDATE}),
 * and DHIS2's answer is journaled. Only this route talks to DHIS2; only the journal says what is
 * due, so a restart or an outage loses nothing (see {@link ExportJournal}).
 *
 * <p>The credentials are set on the request alone and removed right after it: no log line, journal
 * row or error message carries them. Does not send two exports at once.
 */
class Dhis2DeliveryRoute extends RouteBuilder {

    static final String EXPORT = "srmDhis2Export";
    static final String STARTED = "srmDhis2Started";
    private static final int BATCH = 20;

    private final ExportJournal journal;
    private final Dhis2Properties properties;

    Dhis2DeliveryRoute(ExportJournal journal, Dhis2Properties properties) {
        this.journal = journal;
        this.properties = properties;
    }

    @Override
    public void configure() {
        // Timeouts on the component: camel-http 4.17 ignores them as endpoint options (a hung
        // DHIS2 held the route for as long as it hung). Only this module uses the http component.
        HttpComponent http = getCamelContext().getComponent("http", HttpComponent.class);
        http.setConnectTimeout(properties.connectTimeout().toMillis());
        http.setResponseTimeout(properties.responseTimeout().toMillis());
        http.setSoTimeout(properties.responseTimeout().toMillis());
        // The lease covers an attempt's longest duration (connect + answer) and a margin.
        Duration lease = properties.connectTimeout().plus(properties.responseTimeout()).plusSeconds(30);

        from("timer:dhis2-delivery?delay=" + properties.pollInterval().toMillis() + "&period=" + properties.pollInterval().toMillis())
                .routeId("dhis2-delivery")
                // Stage 1: claim what is due in the journal (pending, back-off elapsed), leased.
                .process(e -> e.getMessage().setBody(journal.claimDue(BATCH, lease)))
                // Stage 2: one attempt per export, in journal order.
                .split(body())
                    .to("direct:dhis2-post")
                .end();

        from("direct:dhis2-post")
                .routeId("dhis2-post")
                // Stage 1: the request: the payload as stored, our headers only (no Camel header leaves).
                .process(e -> {
                    ExportJournal.Due due = e.getMessage().getBody(ExportJournal.Due.class);
                    e.setProperty(EXPORT, due);
                    e.setProperty(STARTED, System.nanoTime());
                    e.getMessage().removeHeaders("*");
                    e.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
                    e.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
                    e.getMessage().setHeader("Accept", "application/json");
                    if (properties.auth() != null && !properties.auth().isBlank()) {
                        e.getMessage().setHeader("Authorization", properties.auth());
                    }
                    e.getMessage().setBody(due.payload());
                })
                .doTry()
                    // Stage 2: the post; every status comes back as an answer, none as an exception.
                    .to("{{srm.dhis2.base-url}}/api/dataValueSets?importStrategy=CREATE_AND_UPDATE"
                            + "&idScheme={{srm.dhis2.id-scheme}}&orgUnitIdScheme=UID&throwExceptionOnFailure=false")
                    // Stage 3: DHIS2 answered: journal its ImportSummary (or its status when it sent none).
                    .process(this::journalAnswer)
                .doCatch(Exception.class)
                    // Stage 3': no answer (refused, timed out, dropped): journal it, to retry after a back-off.
                    .process(this::journalNoAnswer)
                .doFinally()
                    .removeHeader("Authorization")
                .end();
    }

    private void journalAnswer(Exchange e) {
        e.getMessage().removeHeader("Authorization");
        ExportJournal.Due due = e.getProperty(EXPORT, ExportJournal.Due.class);
        int status = e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String body = e.getMessage().getBody(String.class);
        ImportSummary summary = ImportSummary.parse(body);
        boolean retryable = status >= 500 || status == 429 || status == 408;
        String error = summary != null ? null : "HTTP " + status + " without an ImportSummary";
        journal.recordAttempt(due, elapsedMs(e), status, summary, error, retryable);
    }

    private void journalNoAnswer(Exchange e) {
        e.getMessage().removeHeader("Authorization");
        ExportJournal.Due due = e.getProperty(EXPORT, ExportJournal.Due.class);
        Exception cause = e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String error = "no answer: " + (cause == null ? "unknown" : cause.getClass().getSimpleName());
        journal.recordAttempt(due, elapsedMs(e), null, null, error, true);
    }

    private static long elapsedMs(Exchange e) {
        return (System.nanoTime() - e.getProperty(STARTED, Long.class)) / 1_000_000;
    }
}
