package ml.santerurale.server.reporting;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import ml.santerurale.dhis2.DataValueSet;
import ml.santerurale.dhis2.DataValueSets;
import ml.santerurale.dhis2.Dhis2Mapping;
import ml.santerurale.dhis2.Dhis2Properties;
import ml.santerurale.dhis2.ExportJournal;
import org.hl7.fhir.r4.model.MeasureReport;

/**
 * One export run: for each site, the period's report computed, mapped to a dataValueSet, and
 * (unless a dry run) the MeasureReport stored ({@code MeasureReport/<measure>-<site>-<period>},
 * replaced by each run) and the dataValueSet queued in the journal, which the delivery route sends.
 * A site without a DHIS2 org unit is skipped and said so.
 *
 * <p>Does not wait for DHIS2: the answer says what was queued; the journal says what DHIS2 made of it.
 */
final class Dhis2Export {

    /** What a run did for one site. {@code status}: dry-run, queued, skipped (unchanged: a late-data check only). */
    record SiteResult(ReportingSites.Site site, String status, String detail, MeasureReport report, DataValueSet dataValueSet,
            List<String> unmapped, Long journalId) {}

    private final ReportEvaluation evaluation;
    private final Dhis2Mapping mapping;
    private final Dhis2Properties properties;
    private final ExportJournal journal;
    private final DaoRegistry daos;
    private final Clock clock;

    Dhis2Export(ReportEvaluation evaluation, Dhis2Mapping mapping, Dhis2Properties properties, ExportJournal journal,
            DaoRegistry daos, Clock clock) {
        this.evaluation = evaluation;
        this.mapping = mapping;
        this.properties = properties;
        this.journal = journal;
        this.daos = daos;
        this.clock = clock;
    }

    List<SiteResult> run(List<ReportingSites.Site> sites, ReportingPeriod period, boolean dryRun) {
        if (period.frequency() == ReportingPeriod.Frequency.RANGE) {
            throw new IllegalArgumentException("an export is of a DHIS2 period (month or ISO week)");
        }
        ReportMeasure measure = ReportMeasure.forFrequency(period.frequency());
        String dataSet = measure == ReportMeasure.RMA_MONTHLY ? properties.datasetRma() : properties.datasetWeekly();
        List<SiteResult> results = new ArrayList<>();
        for (ReportingSites.Site site : sites) {
            if (site.orgUnit() == null) {
                results.add(new SiteResult(site, "skipped", "the site has no DHIS2 org unit in the sites catalogue", null, null,
                        List.of(), null));
                continue;
            }
            results.add(export(measure, dataSet, site, period, dryRun, null));
        }
        return results;
    }

    /**
     * Exports one site's period again if its counts changed since {@code previousHash} (the
     * journal's hash of the last export); null when they did not.
     */
    SiteResult reexportIfChanged(ReportingSites.Site site, ReportingPeriod period, String previousHash) {
        ReportMeasure measure = ReportMeasure.forFrequency(period.frequency());
        String dataSet = measure == ReportMeasure.RMA_MONTHLY ? properties.datasetRma() : properties.datasetWeekly();
        SiteResult result = export(measure, dataSet, site, period, false, previousHash);
        return result.status().equals("unchanged") ? null : result;
    }

    private SiteResult export(ReportMeasure measure, String dataSet, ReportingSites.Site site, ReportingPeriod period,
            boolean dryRun, String unlessHash) {
        MeasureReport report = evaluation.evaluate(measure, period, site);
        DataValueSets.Built built = DataValueSets.build(report, measure.id, mapping, dataSet, site.orgUnit(), period.code(),
                LocalDate.now(clock));
        if (dryRun) {
            return new SiteResult(site, "dry-run", "nothing sent", report, built.dataValueSet(), built.unmapped(), null);
        }
        if (built.dataValueSet().valuesHash().equals(unlessHash)) {
            return new SiteResult(site, "unchanged", "the counts are those last exported", report, built.dataValueSet(),
                    built.unmapped(), null);
        }
        report.setId(measure.id + "-" + site.code().toLowerCase(Locale.ROOT) + "-" + period.code().toLowerCase(Locale.ROOT));
        daos.getResourceDao(MeasureReport.class).update(report,
                SystemRequestDetails.forRequestPartitionId(RequestPartitionId.defaultPartition()));
        long id = journal.enqueue(measure.id, site.code(), period.code(), built.dataValueSet());
        return new SiteResult(site, "queued", "export " + id + " queued for DHIS2", report, built.dataValueSet(),
                built.unmapped(), id);
    }
}
