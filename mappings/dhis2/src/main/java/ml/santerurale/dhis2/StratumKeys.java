package ml.santerurale.dhis2;

import org.hl7.fhir.r4.model.MeasureReport;

/**
 * A MeasureReport stratum written as the mapping file writes it: {@code component=value} pairs
 * in the stratifier's order, separated by a space ({@code age-band=<1 sex=female}); a stratifier
 * of one value is named by its own code ({@code pregnancy=pregnant}).
 */
public final class StratumKeys {

    private StratumKeys() {}

    public static String key(MeasureReport.MeasureReportGroupStratifierComponent stratifier,
            MeasureReport.StratifierGroupComponent stratum) {
        if (stratum.hasValue()) {
            return stratifier.getCodeFirstRep().getCodingFirstRep().getCode() + "=" + stratum.getValue().getText();
        }
        StringBuilder key = new StringBuilder();
        for (MeasureReport.StratifierGroupComponentComponent component : stratum.getComponent()) {
            if (!key.isEmpty()) {
                key.append(' ');
            }
            key.append(component.getCode().getCodingFirstRep().getCode()).append('=').append(component.getValue().getText());
        }
        return key.toString();
    }
}
