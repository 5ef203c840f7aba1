package ml.santerurale.dhis2;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The body of DHIS2's {@code POST /api/dataValueSets}: one data set, one org unit, one period,
 * every mapped value (zeros included, so a count that drops to zero replaces the old one).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DataValueSet(String dataSet, String completeDate, String period, String orgUnit, List<DataValue> dataValues) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    public record DataValue(String dataElement, String categoryOptionCombo, String value) {}

    public DataValueSet {
        dataValues = List.copyOf(dataValues);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DataValueSet fromJson(String json) {
        try {
            return JSON.readValue(json, DataValueSet.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SHA-256 of the values alone (not the complete date): the same counts give the same hash. */
    public String valuesHash() {
        try {
            String values = JSON.writeValueAsString(List.of(dataSet, period, orgUnit, dataValues));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(values.getBytes(StandardCharsets.UTF_8)));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
