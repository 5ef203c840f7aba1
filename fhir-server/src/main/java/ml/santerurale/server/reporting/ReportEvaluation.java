package ml.santerurale.server.reporting;

import java.util.Date;
import org.hl7.fhir.r4.model.MeasureReport;

/** Computes a Measure for one site and period: the site's facts read, then counted. Stores nothing. */
final class ReportEvaluation {

    private final SiteActivityReader reader;

    ReportEvaluation(SiteActivityReader reader) {
        this.reader = reader;
    }

    MeasureReport evaluate(ReportMeasure measure, ReportingPeriod period, ReportingSites.Site site) {
        return MeasureReports.summary(measure, period, site.organizationId(),
                reader.read(site.organizationId(), site.code(), period), new Date());
    }
}
