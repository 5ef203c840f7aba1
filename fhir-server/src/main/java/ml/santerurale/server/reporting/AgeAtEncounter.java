package ml.santerurale.server.reporting;

import java.time.LocalDate;
import java.time.Period;
import org.hl7.fhir.r4.model.DateType;

/**
 * A patient's age on the day of an encounter, in completed years and months. A birth date known
 * to the year only ({@code 1985}) counts as 1 July of that year; to the month only
 * ({@code 1985-03}), as the 15th of that month. A birth date after the encounter, or none, gives no
 * age (the {@code unknown} band).
 */
record AgeAtEncounter(int years, int months) {

    static final String UNKNOWN = "unknown";

    static AgeAtEncounter of(DateType birthDate, LocalDate on) {
        return of(birthDay(birthDate), on);
    }

    /** @param born the day {@link #birthDay} gives (null when unknown) */
    static AgeAtEncounter of(LocalDate born, LocalDate on) {
        if (born == null || born.isAfter(on)) {
            return null;
        }
        Period age = Period.between(born, on);
        return new AgeAtEncounter(age.getYears(), (int) age.toTotalMonths());
    }

    static LocalDate birthDay(DateType birthDate) {
        if (birthDate == null || birthDate.getValue() == null) {
            return null;
        }
        String text = birthDate.getValueAsString();
        if (text.length() == 4) {
            return yearOnly(Integer.parseInt(text));
        }
        if (text.length() == 7) {
            return monthOnly(Integer.parseInt(text.substring(0, 4)), Integer.parseInt(text.substring(5, 7)));
        }
        return LocalDate.parse(text.substring(0, 10));
    }

    /** A birth date known to the year only counts as 1 July of that year. */
    static LocalDate yearOnly(int year) {
        return LocalDate.of(year, 7, 1);
    }

    /** A birth date known to the month only counts as the 15th of that month. */
    static LocalDate monthOnly(int year, int month) {
        return LocalDate.of(year, month, 15);
    }

    /** {@code <1}, {@code 1-4}, {@code 5-14}, {@code 15+}. */
    static String fourBands(AgeAtEncounter age) {
        if (age == null) {
            return UNKNOWN;
        }
        return age.years < 1 ? "<1" : age.years < 5 ? "1-4" : age.years < 15 ? "5-14" : "15+";
    }

    /** {@code <5}, {@code 5+}. */
    static String underFive(AgeAtEncounter age) {
        if (age == null) {
            return UNKNOWN;
        }
        return age.years < 5 ? "<5" : "5+";
    }

    /** From 6 to 59 completed months. */
    static boolean sixToFiftyNineMonths(AgeAtEncounter age) {
        return age != null && age.months >= 6 && age.months <= 59;
    }
}
