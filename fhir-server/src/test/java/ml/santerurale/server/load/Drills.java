package ml.santerurale.server.load;

import ca.uhn.fhir.context.FhirContext;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import ml.santerurale.server.load.Tally.Outcome;
import ml.santerurale.server.support.TestTokens;

/**
 * The load and soak drills against one running server, for bench/load.sh ({@link LoadDrillMain})
 * and the short mode in the test suite ({@code LoadDrillTest}): steps of load, then the devices'
 * outboxes drained, then {@link StorageCheck} over every batch sent. Prints as it goes.
 */
final class Drills implements AutoCloseable {

    private final Ledger ledger = new Ledger();
    private final LoadDrill drill;
    private final GaugeSampler sampler;
    private final DataSource database;
    private long drainServerErrors;

    /**
     * @param keepConnection whether the gauges keep one connection open between samples (a plain
     *     data source, which opens a backend per connection), or take one each time (the server's
     *     own pool in the test suite, from which they must not hold one the requests need)
     */
    Drills(String fhirBase, DataSource database, boolean keepConnection, long serverPid, java.io.InputStream catalogue, int maxSites) {
        this.database = database;
        List<SimulatedSite> sites = SimulatedSite.over(catalogue, maxSites, TestTokens.get(), Instant.now());
        this.drill = new LoadDrill(fhirBase, sites, FhirContext.forR4Cached(), ledger);
        this.sampler = new GaugeSampler(new ServerGauges(serverPid, database, keepConnection));
    }

    /** Runs one step and prints it. */
    StepReport step(LoadProfile profile) throws InterruptedException {
        sampler.reset();
        ServerGauges.Sample before = sampler.now();
        LoadDrill.Step step = drill.run(profile);
        StepReport report = new StepReport(profile, step, before, sampler.now(), sampler.worstOutboxSeconds(),
                sampler.worstOutboxWaitSeconds(), sampler.worstOutboxRows(), drill.backlog());
        report.print();
        System.out.println("RESULT " + report.json());
        return report;
    }

    /**
     * Steps up from {@code base} through {@code multipliers} until a step gives way (that one
     * included); answers every step run.
     */
    List<StepReport> stepUp(LoadProfile base, List<Double> multipliers) throws InterruptedException {
        List<StepReport> reports = new ArrayList<>();
        for (double multiplier : multipliers) {
            StepReport report = step(base.times(multiplier));
            reports.add(report);
            if (!report.gaveWay().isEmpty()) {
                System.out.printf(Locale.ROOT, "%nThe server gave way at %s x peak (%d sites): %s%n", report.profile().multiplier(),
                        base.sites(), String.join("; ", report.gaveWay()));
                break;
            }
        }
        return reports;
    }

    /** Lets the devices send what they still hold, then checks the storage of every batch sent. */
    StorageCheck.Result finish(Duration drainLimit) throws InterruptedException, SQLException {
        long t0 = System.nanoTime();
        LoadDrill.Step draining = drill.drain(drainLimit);
        Tally t = draining.tally;
        drainServerErrors = t.serverErrors();
        System.out.printf(Locale.ROOT, "%nDevices' outboxes drained in %.0f s (%d batches still unsent after the limit of %d s);"
                        + " answers meanwhile (requests still due and retries): %d 2xx, %d x 429, %d x 503, %d other 4xx,"
                        + " %d other 5xx, %d lost; %d push retries, %d replayed answers%n",
                (System.nanoTime() - t0) / 1e9, drill.backlog(), drainLimit.toSeconds(), t.count(Outcome.OK),
                t.count(Outcome.THROTTLED_429), t.count(Outcome.UNAVAILABLE_503), t.count(Outcome.CLIENT_ERROR_4XX),
                drainServerErrors, t.count(Outcome.TRANSPORT), draining.retried.get(), draining.replayed.get());
        StorageCheck.Result result = new StorageCheck(database).check(ledger);
        System.out.printf(Locale.ROOT, "Storage check: %d acknowledged batches, each stored exactly once: %s"
                        + " (resources one row at version 1, one idempotency key, one Provenance);"
                        + " %d sent and never acknowledged (%d of them stored whole, none in part: %s)%n",
                result.acknowledged(), result.lost().isEmpty() && result.doubled().isEmpty() ? "yes" : "NO",
                result.unacknowledged(), result.unacknowledgedStored(), result.corrupted().isEmpty() ? "yes" : "NO");
        if (!ledger.refused().isEmpty()) {
            System.out.println("Batches refused or answered unexpectedly (" + ledger.refused().size() + "), first: "
                    + ledger.refused().values().iterator().next());
        }
        result.problems().stream().limit(20).forEach(p -> System.out.println("  " + p));
        return result;
    }

    /** 5xx other than 503 answered while the devices' outboxes were drained (after {@link #finish}). */
    long drainServerErrors() {
        return drainServerErrors;
    }

    /** The size of PostgreSQL's shared memory segment (kB), -1 if unknown. */
    long postgresSharedMemoryKb() {
        return sampler.sharedMemoryKb();
    }

    List<ServerGauges.Sample> samples() {
        return sampler.samples();
    }

    Ledger ledger() {
        return ledger;
    }

    @Override
    public void close() {
        sampler.close();
        drill.close();
    }
}
