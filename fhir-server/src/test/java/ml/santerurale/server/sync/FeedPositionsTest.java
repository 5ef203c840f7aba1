package ml.santerurale.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.server.support.FeedHorizon;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.SyncDevice;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A {@code _since} the server did not hand out (a client that keeps its own timestamps) gets a
 * bounded overlap: the server records a feed position about once a second while anything is
 * written, so such an instant no longer falls back to the last instant handed out to anyone.
 */
class FeedPositionsTest extends ServerIntegrationTest {

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    FeedPositions positions;

    @Test
    void aSinceTheServerDidNotHandOutRepeatsOnlyTheLastMomentBeforeIt() throws Exception {
        String token = TestTokens.get().user("soignant.positions", Set.of("soignant"), Set.of("CSCOM-BOIDIE"));
        SyncDevice device = new SyncDevice("phone-" + UUID.randomUUID(), fhirBase(), () -> token, fhirContext, Clock.systemUTC());
        Patient before = Consultations.patient("Coulibaly", "Kadiatou");
        device.record(before);
        assertThat(device.push().accepted).hasSize(1);
        FeedHorizon.awaitPastEveryChange(jdbc);
        awaitPositionThatSees(jdbc.queryForObject("select max(txid)::text from srm_change", String.class));
        // The client's own clock, a moment later: an instant no feed handed out.
        Thread.sleep(50);
        Instant since = Instant.now();
        Thread.sleep(50);
        Patient after = Consultations.patient("Diallo", "Oumou");
        device.record(after);
        assertThat(device.push().accepted).hasSize(1);
        FeedHorizon.awaitPastEveryChange(jdbc);

        Bundle feed = parse(Bundle.class, as(token, () -> get("/_history?_count=500&_since="
                + URLEncoder.encode(since.toString(), StandardCharsets.UTF_8))).body());

        List<String> urls = feed.getEntry().stream().map(e -> e.getRequest().getUrl().replaceAll("/_history/.*", "")).toList();
        assertThat(urls).as("what was written after the instant").contains(SyncDevice.key(after))
                .as("not what was written more than a position before it").doesNotContain(SyncDevice.key(before))
                .as("nor the sites catalogue loaded at start").noneMatch(url -> url.startsWith("Organization/"));
    }

    @Test
    void anIdleServerStopsRecordingPositions() throws InterruptedException {
        boolean idle = false;
        for (int attempt = 0; attempt < 100 && !idle; attempt++) {
            idle = !positions.record();
            if (!idle) {
                Thread.sleep(100);
            }
        }
        assertThat(idle).as("once nothing takes a transaction id, no position is recorded (its own insert does not count)").isTrue();
    }

    @Test
    void oldPositionsAreThinnedToTheFirstOfEachHourAndHandedOutInstantsAreKept() {
        Instant hour = Instant.parse("2021-03-04T10:00:00Z");
        jdbc.update("insert into srm_sync_watermark (issued_at, horizon, snapshot) values (?, '5'::xid8, '5:5:'::pg_snapshot)",
                Timestamp.from(hour.plusSeconds(1)));
        for (int second : new int[] {2, 3, 4, 3_700}) {
            jdbc.update("insert into srm_sync_watermark (issued_at, horizon, snapshot, tick_xid)"
                    + " values (?, '5'::xid8, '5:5:'::pg_snapshot, '5'::xid8)", Timestamp.from(hour.plusSeconds(second)));
        }

        positions.thin();

        List<Instant> kept = jdbc.queryForList("select issued_at from srm_sync_watermark where issued_at >= ? and issued_at < ?"
                + " order by issued_at", Timestamp.class, Timestamp.from(hour), Timestamp.from(hour.plusSeconds(7_200)))
                .stream().map(Timestamp::toInstant).toList();
        assertThat(kept).containsExactly(hour.plusSeconds(1), hour.plusSeconds(2), hour.plusSeconds(3_700));
    }

    /** Waits until the server recorded a position whose snapshot sees the given transaction committed. */
    private void awaitPositionThatSees(String txid) throws InterruptedException {
        for (int poll = 0; poll < 100; poll++) {
            Boolean recorded = jdbc.queryForObject("select exists (select 1 from srm_sync_watermark where tick_xid is not null"
                    + " and pg_visible_in_snapshot(?::xid8, snapshot))", Boolean.class, txid);
            if (Boolean.TRUE.equals(recorded)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("The server recorded no feed position within 10 s of a write");
    }
}
