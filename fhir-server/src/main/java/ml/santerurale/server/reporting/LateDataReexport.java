package ml.santerurale.server.reporting;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import ml.santerurale.dhis2.Dhis2Properties;
import ml.santerurale.dhis2.ExportJournal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Late data: consultations recorded offline reach the server weeks later. For each period
 * exported within the look-back (its last export sent, partly imported, or failed), if the site's
 * clinical records changed since that export, the report is computed again and, when its counts
 * differ, exported again; DHIS2 counts the resend as updates. Also the scheduled runs: the
 * previous month, the previous ISO week, for every CSCOM.
 *
 * <p>"Changed" is read from HAPI's resource table (any Patient, Encounter, Condition, Observation or
 * ServiceRequest of the site's partition updated since): a change outside the period costs one
 * computation that finds the counts unchanged. Does not look at periods never exported.
 */
final class LateDataReexport implements ExportSchedule.Runs {

    private static final Logger log = LoggerFactory.getLogger(LateDataReexport.class);

    private final ExportJournal journal;
    private final Dhis2Export export;
    private final ReportingSites sites;
    private final JdbcTemplate jdbc;
    private final Dhis2Properties properties;
    private final Clock clock;

    LateDataReexport(ExportJournal journal, Dhis2Export export, ReportingSites sites, JdbcTemplate jdbc,
            Dhis2Properties properties, Clock clock) {
        this.journal = journal;
        this.export = export;
        this.sites = sites;
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
    }

    /** Re-exports what late data changed; returns the journal ids queued. */
    List<Long> check() {
        LocalDate today = LocalDate.now(clock);
        Instant horizon = today.minus(properties.lookBack()).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<Long> queued = new ArrayList<>();
        for (ExportJournal.Export last : journal.latestSince(horizon)) {
            if (last.status().equals("pending")) {
                continue;
            }
            ReportingPeriod period = ReportingPeriod.parse(last.period());
            if (period.end().isBefore(horizon) || !changedSince(last.site(), last.createdAt())) {
                continue;
            }
            ReportingSites.Site site = sites.byCode(last.site());
            if (site == null || site.orgUnit() == null) {
                continue;
            }
            // A failed export is sent again whatever its counts; a delivered one only if they changed.
            Dhis2Export.SiteResult result = export.reexportIfChanged(site, period,
                    last.status().equals("failed") ? null : last.payloadSha256());
            if (result != null && result.journalId() != null) {
                log.info("DHIS2 export {} queued again for {} {} (late data)", result.journalId(), last.site(), last.period());
                queued.add(result.journalId());
            }
        }
        return queued;
    }

    /** The previous month's (or ISO week's) report of every CSCOM, and what late data changed. */
    void scheduledRun(ReportingPeriod.Frequency frequency) {
        ReportingPeriod period = ReportingPeriod.previous(frequency, clock.instant());
        List<Dhis2Export.SiteResult> results = export.run(sites.cscoms(), period, false);
        log.info("DHIS2 scheduled export of {}: {} sites queued, {} skipped", period.code(),
                results.stream().filter(r -> r.status().equals("queued")).count(),
                results.stream().filter(r -> r.status().equals("skipped")).count());
        check();
    }

    @Override
    public void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            log.error("DHIS2 late-data check failed; the next one tries again", e);
        }
    }

    @Override
    public void scheduledRunQuietly(ReportingPeriod.Frequency frequency) {
        try {
            scheduledRun(frequency);
        } catch (RuntimeException e) {
            log.error("DHIS2 scheduled {} export failed", frequency, e);
        }
    }

    private boolean changedSince(String siteCode, Instant since) {
        Boolean changed = jdbc.queryForObject("select exists (select 1 from hfj_resource r join hfj_partition p"
                + " on p.part_id = r.partition_id where p.part_name = ? and r.res_type in"
                + " ('Patient', 'Encounter', 'Condition', 'Observation', 'ServiceRequest') and r.res_updated > ?)",
                Boolean.class, siteCode, Timestamp.from(since));
        return Boolean.TRUE.equals(changed);
    }
}
