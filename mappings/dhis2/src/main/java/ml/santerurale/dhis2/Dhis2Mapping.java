package ml.santerurale.dhis2;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The mapping file ({@code dhis2/mapping.csv}, or {@code SRM_DHIS2_MAPPING_FILE}): which stratum
 * of which indicator of which report goes to which DHIS2 data element and category option combo.
 * Read whole and checked at start: a malformed line, a stratum written twice, a code DHIS2 could
 * not hold stop the server with the line number. Strata the file does not list are not sent.
 *
 * <p>Does not check that the codes exist in DHIS2: DHIS2 answers unknown ones as conflicts.
 */
public record Dhis2Mapping(List<Cell> cells) {

    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9_.\\-]{1,50}");
    private static final String HEADER = "report;indicator;stratum;dataElement;categoryOptionCombo";

    /** One DHIS2 cell: {@code stratum} is {@code total} or {@code component=value} pairs separated by spaces. */
    public record Cell(String report, String indicator, String stratum, String dataElement, String categoryOptionCombo) {}

    public Dhis2Mapping {
        cells = List.copyOf(cells);
    }

    public static Dhis2Mapping read(InputStream in) throws IOException {
        List<Cell> cells = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean header = false;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                if (!header) {
                    if (!HEADER.equals(trimmed)) {
                        throw new IllegalArgumentException("mapping line " + number + ": the header must be " + HEADER);
                    }
                    header = true;
                    continue;
                }
                String[] fields = trimmed.split(";", -1);
                if (fields.length != 5) {
                    throw new IllegalArgumentException("mapping line " + number + ": 5 fields separated by ';' expected, found "
                            + fields.length);
                }
                Cell cell = new Cell(fields[0].strip(), fields[1].strip(), fields[2].strip().replaceAll("\\s+", " "),
                        fields[3].strip(), fields[4].strip());
                if (cell.report().isEmpty() || cell.indicator().isEmpty() || cell.stratum().isEmpty()) {
                    throw new IllegalArgumentException("mapping line " + number + ": report, indicator and stratum are required");
                }
                if (!CODE.matcher(cell.dataElement()).matches() || !CODE.matcher(cell.categoryOptionCombo()).matches()) {
                    throw new IllegalArgumentException("mapping line " + number + ": dataElement and categoryOptionCombo must be"
                            + " DHIS2 codes or uids (letters, digits, _ . -, at most 50)");
                }
                if (!seen.add(cell.report() + ";" + cell.indicator() + ";" + cell.stratum())) {
                    throw new IllegalArgumentException("mapping line " + number + ": " + cell.report() + " " + cell.indicator()
                            + " " + cell.stratum() + " is mapped twice");
                }
                if (!seen.add(cell.report() + ";" + cell.dataElement() + ";" + cell.categoryOptionCombo())) {
                    throw new IllegalArgumentException("mapping line " + number + ": the cell " + cell.dataElement() + "/"
                            + cell.categoryOptionCombo() + " receives two counts of " + cell.report());
                }
                cells.add(cell);
            }
        }
        if (!header) {
            throw new IllegalArgumentException("the mapping file is empty (header " + HEADER + " expected)");
        }
        return new Dhis2Mapping(cells);
    }

    public List<Cell> cellsOf(String report) {
        return cells.stream().filter(c -> c.report().equals(report)).toList();
    }
}
