package ml.santerurale.server.reporting;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How an indicator's count is split: each stratum is a combination of component values. The
 * strata listed by {@link #expected()} always appear in a report (with 0), others only when some
 * fact falls in them (an unknown age, sex {@code other}).
 */
enum Stratifier {
    AGE_BAND_SEX("age-band-sex", List.of("age-band", "sex"),
            List.of(List.of("<1", "1-4", "5-14", "15+"), List.of("female", "male"))),
    UNDER_FIVE_SEX("age-band-sex", List.of("age-band", "sex"), List.of(List.of("<5", "5+"), List.of("female", "male"))),
    PREGNANCY("pregnancy", List.of("pregnancy"), List.of(List.of("pregnant"))),
    SEX("sex", List.of("sex"), List.of(List.of("female", "male"))),
    DESTINATION_LEVEL("destination-level", List.of("destination-level"), List.of(List.of("cscom", "csref", "hospital")));

    final String code;
    final List<String> components;
    private final List<List<String>> expectedValues;

    Stratifier(String code, List<String> components, List<List<String>> expectedValues) {
        this.code = code;
        this.components = components;
        this.expectedValues = expectedValues;
    }

    /** The values of this fact's stratum, by component; null when the fact is in none (not pregnant). */
    Map<String, String> stratumOf(Fact fact) {
        Map<String, String> values = new LinkedHashMap<>();
        switch (this) {
            case AGE_BAND_SEX -> {
                values.put("age-band", AgeAtEncounter.fourBands(fact.age()));
                values.put("sex", fact.sex());
            }
            case UNDER_FIVE_SEX -> {
                values.put("age-band", AgeAtEncounter.underFive(fact.age()));
                values.put("sex", fact.sex());
            }
            case PREGNANCY -> {
                if (!(fact instanceof Fact.Consultation c) || !c.pregnant()) {
                    return null;
                }
                values.put("pregnancy", "pregnant");
            }
            case SEX -> values.put("sex", fact.sex());
            case DESTINATION_LEVEL -> values.put("destination-level", ((Fact.Referral) fact).destinationLevel());
        }
        return values;
    }

    /** Every combination of the expected values, in order. */
    List<Map<String, String>> expected() {
        List<Map<String, String>> strata = List.of(new LinkedHashMap<>());
        for (int i = 0; i < components.size(); i++) {
            List<Map<String, String>> next = new java.util.ArrayList<>();
            for (Map<String, String> partial : strata) {
                for (String value : expectedValues.get(i)) {
                    Map<String, String> stratum = new LinkedHashMap<>(partial);
                    stratum.put(components.get(i), value);
                    next.add(stratum);
                }
            }
            strata = next;
        }
        return strata;
    }
}
