package ml.santerurale.server.reporting;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import ml.santerurale.dhis2.Dhis2Properties;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The scheduled exports: the server's configured crons (application.yml's defaults) fall after
 * the month's and the ISO week's end and export the period just ended; a schedule started on a
 * cron that fires every second really runs both exports (awaited, not timed).
 */
class ExportScheduleTest extends ServerIntegrationTest {

    @Autowired
    Dhis2Properties configured;

    @Test
    void theMonthlyRunComesOnTheFirstAtThreeUtcAndExportsTheMonthJustEnded() {
        Instant run = assertNextRun(configured.monthlyCron(), "2026-11-30T23:59:59Z", "2026-12-01T03:00:00Z", "202611");
        assertNextRun(configured.monthlyCron(), run.toString(), "2027-01-01T03:00:00Z", "202612");
    }

    @Test
    void theWeeklyRunComesOnMondayAtThreeUtcAndExportsTheIsoWeekJustEnded() {
        Instant run = assertNextRun(configured.weeklyCron(), "2026-12-27T12:00:00Z", "2026-12-28T03:00:00Z", "2026W52");
        // The year-end week, which ends in 2027, then the first week of 2027.
        Instant next = assertNextRun(configured.weeklyCron(), run.toString(), "2027-01-04T03:00:00Z", "2026W53");
        assertNextRun(configured.weeklyCron(), next.toString(), "2027-01-11T03:00:00Z", "2027W1");
    }

    /** The run on {@code cron} after {@code after} comes at {@code expected} and exports {@code period}. */
    private static Instant assertNextRun(String cron, String after, String expected, String period) {
        Instant run = ExportSchedule.nextRun(cron, Instant.parse(after));
        assertThat(run).as("next run of '" + cron + "' after " + after).isEqualTo(Instant.parse(expected));
        ReportingPeriod.Frequency frequency = period.contains("W") ? ReportingPeriod.Frequency.WEEKLY : ReportingPeriod.Frequency.MONTHLY;
        assertThat(ReportingPeriod.previous(frequency, run).code()).as("period exported at " + run).isEqualTo(period);
        return run;
    }

    @Test
    void aScheduleStartedOnACronThatFiresEverySecondRunsTheMonthlyAndWeeklyExports() throws InterruptedException {
        List<String> runs = new CopyOnWriteArrayList<>();
        ExportSchedule.Runs recording = new ExportSchedule.Runs() {
            @Override
            public void scheduledRunQuietly(ReportingPeriod.Frequency frequency) {
                runs.add(frequency.name());
            }

            @Override
            public void checkQuietly() {
                runs.add("late-data");
            }
        };
        ExportSchedule schedule = new ExportSchedule(recording, everySecond(configured.baseUrl()));
        schedule.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!(runs.contains("MONTHLY") && runs.contains("WEEKLY")) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } finally {
            schedule.stop();
        }
        assertThat(runs).contains("MONTHLY", "WEEKLY", "late-data");
        assertThat(schedule.isRunning()).isFalse();
    }

    @Test
    void nothingIsScheduledWhileExportIsOff() {
        ExportSchedule schedule = new ExportSchedule(new ExportSchedule.Runs() {
            @Override
            public void scheduledRunQuietly(ReportingPeriod.Frequency frequency) {
                throw new AssertionError("ran " + frequency);
            }

            @Override
            public void checkQuietly() {
                throw new AssertionError("checked");
            }
        }, everySecond(null));
        schedule.start();
        assertThat(schedule.isRunning()).isFalse();
    }

    private Dhis2Properties everySecond(String baseUrl) {
        return new Dhis2Properties(baseUrl, configured.auth(), configured.datasetRma(), configured.datasetWeekly(),
                configured.idScheme(), configured.mappingFile(), configured.pollInterval(), configured.connectTimeout(),
                configured.responseTimeout(), configured.maxAttempts(), configured.firstRetryDelay(),
                configured.maxRetryDelay(), "* * * * * *", "* * * * * *", configured.lookBack(), Duration.ofHours(1));
    }
}
