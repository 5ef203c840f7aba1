package ml.santerurale.server.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.time.Duration;
import ml.santerurale.server.load.Tally.Outcome;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The load drill's short mode (bench/load.sh runs the long ones): on the shared test server, the
 * same simulated sites and devices as the long drill, a minute at several times the peak, then
 * every batch checked in storage. Sizes come from {@code srm.load.short.*} system properties, so
 * a developer can run it longer without editing it.
 */
class LoadDrillTest extends ServerIntegrationTest {

    private static final int SITES = Integer.getInteger("srm.load.short.sites", 20);
    private static final double MULTIPLIER = Double.parseDouble(System.getProperty("srm.load.short.multiplier", "20"));
    private static final Duration DURATION = Duration.ofSeconds(Long.getLong("srm.load.short.seconds", 60));

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aMinuteOfSitesSyncingAndSearchingLosesNoBatchDoublesNoneAndAnswersNo5xx() throws Exception {
        StepReport report;
        StorageCheck.Result stored;
        long drainServerErrors;
        try (InputStream catalogue = getClass().getResourceAsStream("/sites/mali-sites.json");
                Drills drills = new Drills(fhirBase(), jdbc.getDataSource(), false, ProcessHandle.current().pid(), catalogue, SITES)) {
            report = drills.step(LoadProfile.peak(SITES, DURATION).times(MULTIPLIER));
            stored = drills.finish(Duration.ofSeconds(60));
            drainServerErrors = drills.drainServerErrors();
        }

        Tally tally = report.step().tally;
        assertThat(tally.of(Interaction.PUSH).count(Outcome.OK)).as("acknowledged pushes").isGreaterThan(10);
        assertThat(tally.of(Interaction.PULL).count(Outcome.OK)).as("pulls answered").isPositive();
        assertThat(tally.of(Interaction.SEARCH).count(Outcome.OK)).as("searches answered").isPositive();
        assertThat(tally.serverErrors()).as("5xx other than 503").isZero();
        assertThat(drainServerErrors).as("5xx other than 503 while the outboxes drained").isZero();
        assertThat(tally.count(Outcome.UNAVAILABLE_503)).as("503").isZero();
        assertThat(tally.count(Outcome.CLIENT_ERROR_4XX)).as("4xx (a batch refused, a search or read refused)").isZero();
        assertThat(stored.unacknowledged()).as("batches never acknowledged after the drain").isZero();
        assertThat(stored.problems()).as("batches lost, doubled or half-written").isEmpty();
        assertThat(stored.acknowledged()).as("batches checked in storage").isGreaterThanOrEqualTo(
                (int) (tally.of(Interaction.PUSH).count(Outcome.OK) - report.step().replayed.get()));
    }
}
