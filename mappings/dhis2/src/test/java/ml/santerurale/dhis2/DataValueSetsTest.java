package ml.santerurale.dhis2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.MeasureReport;
import org.junit.jupiter.api.Test;

class DataValueSetsTest {

    @Test
    void everyMappedStratumIsSentZerosIncludedAndUnmappedCountsAreNamed() throws IOException {
        Dhis2Mapping mapping = Dhis2Mapping.read(new ByteArrayInputStream("""
                report;indicator;stratum;dataElement;categoryOptionCombo
                rma-monthly;diarrhoea;age-band=<5 sex=female;PH_DIAR;PH_LT5_F
                rma-monthly;diarrhoea;age-band=<5 sex=male;PH_DIAR;PH_LT5_M
                rma-monthly;malaria-confirmed;pregnancy=pregnant;PH_PALU_FE;PH_DEFAULT
                epidemic-weekly;diarrhoea;age-band=<5 sex=female;PH_H_DIAR;PH_LT5_F
                """.getBytes(StandardCharsets.UTF_8)));
        MeasureReport report = new MeasureReport();
        MeasureReport.MeasureReportGroupComponent group = report.addGroup();
        group.setCode(new CodeableConcept(new Coding("s", "diarrhoea", null)));
        group.addPopulation().setCount(3);
        MeasureReport.MeasureReportGroupStratifierComponent stratifier = group.addStratifier();
        stratifier.addCode(new CodeableConcept(new Coding("s", "age-band-sex", null)));
        stratum(stratifier, "<5", "female", 0);
        stratum(stratifier, "<5", "male", 2);
        stratum(stratifier, "<5", "other", 1);

        DataValueSets.Built built = DataValueSets.build(report, "rma-monthly", mapping, "PH_DS", "PLHaaaaaaaa", "202611",
                LocalDate.of(2026, 12, 1));

        assertThat(built.dataValueSet().dataValues()).containsExactly(
                new DataValueSet.DataValue("PH_DIAR", "PH_LT5_F", "0"),
                new DataValueSet.DataValue("PH_DIAR", "PH_LT5_M", "2"));
        assertThat(built.unmapped()).containsExactly("diarrhoea age-band=<5 sex=other = 1");
        assertThat(built.dataValueSet().toJson()).isEqualTo("{\"dataSet\":\"PH_DS\",\"completeDate\":\"2026-12-01\","
                + "\"period\":\"202611\",\"orgUnit\":\"PLHaaaaaaaa\",\"dataValues\":[{\"dataElement\":\"PH_DIAR\","
                + "\"categoryOptionCombo\":\"PH_LT5_F\",\"value\":\"0\"},{\"dataElement\":\"PH_DIAR\",\"categoryOptionCombo\":"
                + "\"PH_LT5_M\",\"value\":\"2\"}]}");
    }

    @Test
    void theValuesHashIgnoresTheCompleteDate() {
        DataValueSet monday = new DataValueSet("DS", "2026-12-01", "202611", "OU", java.util.List.of(
                new DataValueSet.DataValue("DE", "COC", "1")));
        DataValueSet tuesday = new DataValueSet("DS", "2026-12-02", "202611", "OU", monday.dataValues());
        assertThat(monday.valuesHash()).isEqualTo(tuesday.valuesHash());
        assertThat(DataValueSet.fromJson(monday.toJson())).isEqualTo(monday);
    }

    private static void stratum(MeasureReport.MeasureReportGroupStratifierComponent stratifier, String band, String sex, int count) {
        MeasureReport.StratifierGroupComponent stratum = stratifier.addStratum();
        stratum.addComponent().setCode(new CodeableConcept(new Coding("s", "age-band", null))).setValue(new CodeableConcept().setText(band));
        stratum.addComponent().setCode(new CodeableConcept(new Coding("s", "sex", null))).setValue(new CodeableConcept().setText(sex));
        stratum.addPopulation().setCount(count);
    }
}
