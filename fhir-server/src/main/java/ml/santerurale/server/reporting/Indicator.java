package ml.santerurale.server.reporting;

import java.util.List;

/**
 * The indicators, each a group of a Measure; the codes are stable (mappings/dhis2/README.md).
 * Every indicator but {@code referrals} counts consultations (Encounters), curative and preventive
 * alike except {@code consultations} (curative only), so a patient seen twice
 * counts twice, and a consultation counts once per indicator whatever the number of matching
 * diagnoses. ICD-10 categories match the code and its subdivisions ({@code B50} matches
 * {@code B50.9}).
 */
enum Indicator {
    CONSULTATIONS("consultations", "Consultations curatives",
            "Curative consultations: Encounters of the period typed consultation-type#curative (not planned, cancelled or"
                    + " entered-in-error), by age band and sex",
            List.of(Stratifier.AGE_BAND_SEX)),
    MALARIA_CONFIRMED("malaria-confirmed", "Paludisme confirmé",
            "Consultations with an ICD-10 diagnosis in B50-B53 or a positive malaria rapid test (LOINC 76772-3);"
                    + " pregnant women are those whose consultation records a pregnancy",
            List.of(Stratifier.UNDER_FIVE_SEX, Stratifier.PREGNANCY)),
    MALARIA_SEVERE("malaria-severe", "Paludisme grave", "Consultations with ICD-10 B50.0 or B50.8",
            List.of(Stratifier.UNDER_FIVE_SEX)),
    MALARIA_CLINICAL("malaria-clinical", "Paludisme clinique (non confirmé)",
            "Consultations with ICD-10 B54 and no confirmation (no B50-B53, no positive rapid test)",
            List.of(Stratifier.UNDER_FIVE_SEX)),
    DIARRHOEA("diarrhoea", "Diarrhées", "Consultations with ICD-10 A00 or A09", List.of(Stratifier.UNDER_FIVE_SEX)),
    RESPIRATORY("respiratory", "Infections respiratoires aiguës", "Consultations with ICD-10 J06, J18 or J22",
            List.of(Stratifier.UNDER_FIVE_SEX)),
    MALNUTRITION("malnutrition", "Malnutrition (6-59 mois)",
            "Consultations of children aged 6 to 59 completed months with ICD-10 E40-E46", List.of(Stratifier.SEX)),
    REFERRALS("referrals", "Références envoyées",
            "ServiceRequests sent from the site (authoredOn in the period; not draft nor entered-in-error), by the level"
                    + " of the destination site", List.of(Stratifier.DESTINATION_LEVEL));

    final String code;
    final String title;
    final String criteria;
    final List<Stratifier> stratifiers;

    Indicator(String code, String title, String criteria, List<Stratifier> stratifiers) {
        this.code = code;
        this.title = title;
        this.criteria = criteria;
        this.stratifiers = stratifiers;
    }

    boolean counts(Fact fact) {
        if (this == REFERRALS) {
            return fact instanceof Fact.Referral;
        }
        if (!(fact instanceof Fact.Consultation c)) {
            return false;
        }
        boolean confirmed = c.hasCategory("B50", "B51", "B52", "B53") || c.positiveMalariaTest();
        return switch (this) {
            case CONSULTATIONS -> c.curative();
            case MALARIA_CONFIRMED -> confirmed;
            case MALARIA_SEVERE -> c.hasCode("B50.0", "B50.8");
            case MALARIA_CLINICAL -> c.hasCategory("B54") && !confirmed;
            case DIARRHOEA -> c.hasCategory("A00", "A09");
            case RESPIRATORY -> c.hasCategory("J06", "J18", "J22");
            case MALNUTRITION -> c.hasCategory("E40", "E41", "E42", "E43", "E44", "E45", "E46")
                    && AgeAtEncounter.sixToFiftyNineMonths(c.age());
            case REFERRALS -> false;
        };
    }
}
