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
 * A write answered before a pull is in that pull, even while an older transaction (another
 * device's batch, the audit drainer on a backlog) is still open; and the feed that follows,
 * from the instant the pull handed out, does not repeat it.
 */
class OwnWritesInNextPullTest extends ServerIntegrationTest {

    @Autowired
    DataSource dataSource;

    private final String yirimadio = TestTokens.get().user("soignant.yirimadio.pull", Set.of("soignant"), Set.of("CSCOM-YIRIMADIO"));

    @Test
    void aWriteIsInTheNextPullWhileAnOlderTransactionIsOpenAndIsNotRepeatedAfter() throws Exception {
        String since = Instant.now().minusSeconds(2).toString();
        try (Connection other = dataSource.getConnection(); Statement statement = other.createStatement()) {
            other.setAutoCommit(false);
            statement.execute("select pg_current_xact_id()"); // an open transaction with an id, as mid-batch
            String id = UUID.randomUUID().toString();
            Patient patient = ml.santerurale.server.support.Conforming.patient("Diarra", "Sali");
            patient.setId(id);
            assertThat(as(yirimadio, () -> putJson("/Patient/" + id, json(patient))).statusCode()).isEqualTo(201);
            try {
                Pull first = pull("/Patient/_history?_count=500&_since=" + since);
                assertThat(first.ids()).as("the write is in the very next pull").contains(id);
                Pull second = pull("/Patient/_history?_count=500&_since=" + first.handedOut());
                assertThat(second.ids()).as("and not in the one after").doesNotContain(id);
            } finally {
                other.rollback();
            }
        }
    }

    /** The ids a pull brought, all pages followed, and the instant it handed out for the next one. */
    record Pull(List<String> ids, String handedOut) {}

    private Pull pull(String path) {
        Bundle first = parse(Bundle.class, as(yirimadio, () -> get(path)).body());
        return new Pull(pulledIds(first), first.getMeta().getLastUpdatedElement().getValueAsString());
    }

    private List<String> pulledIds(Bundle page) {
        List<String> ids = new ArrayList<>();
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
