package ml.santerurale.dhis2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Dhis2MappingTest {

    private static final String HEADER = "report;indicator;stratum;dataElement;categoryOptionCombo\n";

    @Test
    void theShippedMappingLoadsAndNamesOnlyPlaceholderCodes() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/dhis2/mapping.csv")) {
            Dhis2Mapping mapping = Dhis2Mapping.read(in);
            assertThat(mapping.cellsOf("rma-monthly")).hasSize(34);
            assertThat(mapping.cellsOf("epidemic-weekly")).hasSize(21);
            assertThat(mapping.cells()).allSatisfy(cell -> {
                assertThat(cell.dataElement()).startsWith("PH_");
                assertThat(cell.categoryOptionCombo()).startsWith("PH_");
            });
        }
    }

    @Test
    void aStratumMappedTwiceIsRefusedWithItsLine() {
        String csv = HEADER + "rma-monthly;diarrhoea;age-band=<5 sex=female;DE1;COC1\n"
                + "# a comment\nrma-monthly;diarrhoea;age-band=<5  sex=female;DE2;COC2\n";
        assertThatThrownBy(() -> read(csv)).hasMessageContaining("mapping line 4").hasMessageContaining("mapped twice");
    }

    @Test
    void twoCountsInOneCellAreRefused() {
        String csv = HEADER + "rma-monthly;diarrhoea;age-band=<5 sex=female;DE1;COC1\nrma-monthly;respiratory;total;DE1;COC1\n";
        assertThatThrownBy(() -> read(csv)).hasMessageContaining("line 3").hasMessageContaining("receives two counts");
    }

    @Test
    void malformedLinesAndHeadersAreRefused() {
        assertThatThrownBy(() -> read("a;b;c\n")).hasMessageContaining("header");
        assertThatThrownBy(() -> read(HEADER + "rma-monthly;diarrhoea;total;DE1\n")).hasMessageContaining("5 fields");
        assertThatThrownBy(() -> read(HEADER + "rma-monthly;diarrhoea;total;DE 1;COC\n")).hasMessageContaining("DHIS2 codes");
        assertThatThrownBy(() -> read("")).hasMessageContaining("empty");
    }

    private static Dhis2Mapping read(String csv) throws IOException {
        return Dhis2Mapping.read(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
    }
}
