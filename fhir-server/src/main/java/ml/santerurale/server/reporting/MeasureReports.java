package ml.santerurale.server.reporting;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Reference;

/**
 * Counts a site's facts of a period into a summary MeasureReport: per group the total and, per
 * stratifier, every expected stratum (zeros included) and any other stratum some fact fell in.
 * Pure: no database, no clock but {@code now}.
 */
final class MeasureReports {

    private MeasureReports() {}

    static MeasureReport summary(ReportMeasure measure, ReportingPeriod period, String organizationId,
            List<? extends Fact> facts, Date now) {
        MeasureReport report = new MeasureReport();
        report.setStatus(MeasureReport.MeasureReportStatus.COMPLETE);
        report.setType(MeasureReport.MeasureReportType.SUMMARY);
        report.setMeasure(measure.canonical());
        report.setDate(now);
        report.setReporter(new Reference("Organization/" + organizationId));
        report.getPeriod().setStartElement(new DateTimeType(period.firstDay().toString()))
                .setEndElement(new DateTimeType(period.lastDay().toString()));
        for (Indicator indicator : measure.indicators) {
            List<? extends Fact> counted = facts.stream().filter(indicator::counts).toList();
            MeasureReport.MeasureReportGroupComponent group = report.addGroup();
            group.setCode(new CodeableConcept(new Coding(ReportMeasure.INDICATOR_SYSTEM, indicator.code, indicator.title)));
            group.addPopulation().setCode(population()).setCount(counted.size());
            for (Stratifier stratifier : indicator.stratifiers) {
                Map<Map<String, String>, Integer> counts = new LinkedHashMap<>();
                stratifier.expected().forEach(stratum -> counts.put(stratum, 0));
                for (Fact fact : counted) {
                    Map<String, String> stratum = stratifier.stratumOf(fact);
                    if (stratum != null) {
                        counts.merge(stratum, 1, Integer::sum);
                    }
                }
                MeasureReport.MeasureReportGroupStratifierComponent s = group.addStratifier();
                s.addCode(new CodeableConcept(new Coding(ReportMeasure.STRATIFIER_SYSTEM, stratifier.code, null)));
                counts.forEach((values, count) -> {
                    MeasureReport.StratifierGroupComponent stratum = s.addStratum();
                    if (stratifier.components.size() == 1) {
                        stratum.setValue(new CodeableConcept().setText(values.values().iterator().next()));
                    } else {
                        values.forEach((component, value) -> stratum.addComponent()
                                .setCode(new CodeableConcept(new Coding(ReportMeasure.STRATIFIER_SYSTEM, component, null)))
                                .setValue(new CodeableConcept().setText(value)));
                    }
                    stratum.addPopulation().setCode(population()).setCount(count);
                });
            }
        }
        return report;
    }

    private static CodeableConcept population() {
        return new CodeableConcept(new Coding(ReportMeasure.POPULATION_SYSTEM, "initial-population", "Initial Population"));
    }
}
