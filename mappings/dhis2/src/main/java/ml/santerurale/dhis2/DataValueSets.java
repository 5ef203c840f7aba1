package ml.santerurale.dhis2;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.MeasureReport;

/**
 * Builds the dataValueSet of one summary MeasureReport through the mapping: each mapped stratum's
 * count becomes a data value. Strata with a count but no mapping are returned as {@code unmapped}
 * (e.g. sex {@code other}, an unknown age), so the caller can say what DHIS2 will not receive.
 */
public final class DataValueSets {

    /** @param unmapped {@code indicator stratum = count} for every non-zero count the mapping does not send */
    public record Built(DataValueSet dataValueSet, List<String> unmapped) {}

    private DataValueSets() {}

    /** @param report the Measure id the MeasureReport is of ({@code rma-monthly}), the mapping's report column */
    public static Built build(MeasureReport measureReport, String report, Dhis2Mapping mapping, String dataSet,
            String orgUnit, String period, LocalDate completeDate) {
        Map<String, Integer> counts = counts(measureReport);
        List<DataValueSet.DataValue> values = new ArrayList<>();
        List<String> mapped = new ArrayList<>();
        for (Dhis2Mapping.Cell cell : mapping.cellsOf(report)) {
            String key = cell.indicator() + " " + cell.stratum();
            Integer count = counts.get(key);
            if (count == null) {
                continue; // an indicator this report does not compute: nothing to send
            }
            mapped.add(key);
            values.add(new DataValueSet.DataValue(cell.dataElement(), cell.categoryOptionCombo(), Integer.toString(count)));
        }
        List<String> unmapped = new ArrayList<>();
        counts.forEach((key, count) -> {
            if (count > 0 && !mapped.contains(key) && !key.endsWith(" total")) {
                unmapped.add(key + " = " + count);
            }
        });
        return new Built(new DataValueSet(dataSet, completeDate.toString(), period, orgUnit, values), unmapped);
    }

    /** {@code indicator stratum} to count: {@code consultations total}, {@code consultations age-band=<1 sex=female}. */
    public static Map<String, Integer> counts(MeasureReport report) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (MeasureReport.MeasureReportGroupComponent group : report.getGroup()) {
            String indicator = group.getCode().getCodingFirstRep().getCode();
            counts.put(indicator + " total", group.getPopulationFirstRep().getCount());
            for (MeasureReport.MeasureReportGroupStratifierComponent stratifier : group.getStratifier()) {
                for (MeasureReport.StratifierGroupComponent stratum : stratifier.getStratum()) {
                    counts.put(indicator + " " + StratumKeys.key(stratifier, stratum), stratum.getPopulationFirstRep().getCount());
                }
            }
        }
        return counts;
    }
}
