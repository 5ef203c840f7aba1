package ml.santerurale.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A device's own write, once answered, is in its very next pull, even while the audit drainer
 * holds a transaction open on a backlog (the feed never serves AuditEvents, so it does not wait
 * for transactions that write only them).
 */
class OwnWritesInNextPullTest extends ServerIntegrationTest {

    @Autowired
    DataSource dataSource;

    private final String yirimadio = TestTokens.get().user("soignant.yirimadio.pull", Set.of("soignant"), Set.of("CSCOM-YIRIMADIO"));

    @Test
    void aWriteIsInTheNextPullWhileAnAuditOnlyTransactionIsOpen() throws Exception {
        assertThat(nextPullWhileOpen(true)).as("the write is in the next pull").isTrue();
    }

    /** The limit that stays (and what every open transaction did before): the feed waits for writers. */
    @Test
    void anotherWritingTransactionStillHoldsTheFeedBack() throws Exception {
        assertThat(nextPullWhileOpen(false)).as("the write waits for the older open transaction").isFalse();
    }

    /** Whether a write is in the next pull while an older transaction, audit-only or not, is open. */
    private boolean nextPullWhileOpen(boolean auditOnly) throws Exception {
        String since = Instant.now().minusSeconds(2).toString();
        try (Connection other = dataSource.getConnection(); Statement statement = other.createStatement()) {
            other.setAutoCommit(false);
            if (auditOnly) {
                statement.execute("set local application_name = '" + AuditOnlySessions.NAME + "'");
            }
            statement.execute("select pg_current_xact_id()"); // an open transaction with an id, as mid-batch
            String id = UUID.randomUUID().toString();
            Patient patient = ml.santerurale.server.support.Conforming.patient("Diarra", "Sali");
            patient.setId(id);
            assertThat(as(yirimadio, () -> putJson("/Patient/" + id, json(patient))).statusCode()).isEqualTo(201);
            try {
                return pulledIds("/Patient/_history?_count=500&_since=" + since).contains(id);
            } finally {
                other.rollback();
            }
        }
    }

    private List<String> pulledIds(String path) {
        List<String> ids = new ArrayList<>();
        Bundle page = parse(Bundle.class, as(yirimadio, () -> get(path)).body());
        while (true) {
            page.getEntry().forEach(e -> ids.add(e.getRequest().getUrl().replaceAll("^Patient/([^/]+).*$", "$1")));
            if (page.getLink("next") == null) {
                return ids;
            }
            String next = page.getLink("next").getUrl();
            page = parse(Bundle.class, send(HttpRequest.newBuilder(URI.create(next))
                    .header("Authorization", "Bearer " + yirimadio).GET()).body());
        }
    }
}
