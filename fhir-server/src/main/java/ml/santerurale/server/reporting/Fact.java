package ml.santerurale.server.reporting;

import java.time.LocalDate;
import java.util.Set;

/** What an indicator counts: one consultation, or one referral sent, on a day at one site. */
sealed interface Fact {

    LocalDate day();

    /** FHIR administrative gender ({@code female}, {@code male}, {@code other}, {@code unknown}). */
    String sex();

    AgeAtEncounter age();

    /**
     * An Encounter of the period and what was found during it: whether it is curative (its type
     * {@code consultation-type#curative}), the ICD-10 codes of its Conditions (refuted and
     * entered-in-error ones left out), a pregnancy recorded for it, a positive malaria rapid test
     * (LOINC 76772-3) taken during it.
     */
    record Consultation(String encounterId, LocalDate day, String sex, AgeAtEncounter age, boolean curative, Set<String> icd10,
            boolean pregnant, boolean positiveMalariaTest) implements Fact {

        boolean hasCategory(String... categories) {
            for (String code : icd10) {
                for (String category : categories) {
                    if (code.equals(category) || code.startsWith(category + ".")) {
                        return true;
                    }
                }
            }
            return false;
        }

        boolean hasCode(String... codes) {
            for (String code : codes) {
                if (icd10.contains(code)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * A ServiceRequest sent from the site, dated by its {@code authoredOn}, with the level of the
     * site it was sent to ({@code cscom}, {@code csref} for a district's referral centre,
     * {@code hospital} for a region's, {@code other} when the destination is no known site).
     */
    record Referral(String serviceRequestId, LocalDate day, String sex, AgeAtEncounter age, String destinationLevel)
            implements Fact {}
}
