package ml.santerurale.server.reporting;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reporting period in Mali's time zone (UTC, no daylight saving): a DHIS2 month ({@code 202611}),
 * an ISO week ({@code 2026W47}: Monday to Sunday, the week-based year of ISO 8601, so
 * {@code 2026W53} ends on 3 January 2027 and {@code 2027W01} starts on 4 January 2027), or the
 * days {@code $evaluate-measure} is asked for. From the first day's midnight (included) to the
 * midnight after the last day (excluded).
 *
 * @param code the DHIS2 period ({@code 202611}, {@code 2026W47}), or null for a free range
 */
record ReportingPeriod(Frequency frequency, String code, LocalDate firstDay, LocalDate lastDay) {

    enum Frequency { MONTHLY, WEEKLY, RANGE }

    private static final Pattern MONTH = Pattern.compile("(\\d{4})(\\d{2})");
    private static final Pattern WEEK = Pattern.compile("(\\d{4})W(\\d{1,2})");

    /** Parses a DHIS2 period code; the message of the exception says what is accepted. */
    static ReportingPeriod parse(String code) {
        String value = code == null ? "" : code.trim();
        Matcher month = MONTH.matcher(value);
        if (month.matches()) {
            int m = Integer.parseInt(month.group(2));
            if (m < 1 || m > 12) {
                throw new IllegalArgumentException("period " + value + ": month " + m + " does not exist");
            }
            YearMonth ym = YearMonth.of(Integer.parseInt(month.group(1)), m);
            return new ReportingPeriod(Frequency.MONTHLY, value, ym.atDay(1), ym.atEndOfMonth());
        }
        Matcher week = WEEK.matcher(value);
        if (week.matches()) {
            int year = Integer.parseInt(week.group(1));
            int number = Integer.parseInt(week.group(2));
            LocalDate midYear = LocalDate.of(year, 7, 1);
            long weeks = IsoFields.WEEK_OF_WEEK_BASED_YEAR.rangeRefinedBy(midYear).getMaximum();
            if (number < 1 || number > weeks) {
                throw new IllegalArgumentException("period " + value + ": " + year + " has ISO weeks 1 to " + weeks);
            }
            LocalDate monday = midYear.with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, number)
                    .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            return new ReportingPeriod(Frequency.WEEKLY, year + "W" + number, monday, monday.plusDays(6));
        }
        throw new IllegalArgumentException("period '" + value + "' is neither a month (yyyyMM, e.g. 202611)"
                + " nor an ISO week (yyyyWn, e.g. 2026W47)");
    }

    /** The days from {@code periodStart} to {@code periodEnd}, both included ({@code yyyy-MM-dd}). */
    static ReportingPeriod days(String periodStart, String periodEnd) {
        try {
            LocalDate first = LocalDate.parse(periodStart.trim());
            LocalDate last = LocalDate.parse(periodEnd.trim());
            if (last.isBefore(first)) {
                throw new IllegalArgumentException("periodEnd " + last + " is before periodStart " + first);
            }
            if (first.plusDays(366).isBefore(last)) {
                throw new IllegalArgumentException("a period is at most 366 days long");
            }
            return new ReportingPeriod(Frequency.RANGE, null, first, last);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("periodStart and periodEnd are dates (yyyy-MM-dd): " + e.getParsedString());
        }
    }

    /**
     * The period a scheduled run at {@code at} exports: the month, or the ISO week, before the one
     * {@code at} falls in (UTC).
     */
    static ReportingPeriod previous(Frequency frequency, Instant at) {
        LocalDate today = at.atZone(ZoneOffset.UTC).toLocalDate();
        return switch (frequency) {
            case MONTHLY -> parse(YearMonth.from(today).minusMonths(1).toString().replace("-", ""));
            case WEEKLY -> {
                LocalDate lastWeek = today.minusWeeks(1);
                yield parse(lastWeek.get(IsoFields.WEEK_BASED_YEAR) + "W" + lastWeek.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            }
            case RANGE -> throw new IllegalArgumentException("a scheduled run is of a month or an ISO week");
        };
    }

    Instant start() {
        return firstDay.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** The first instant after the period. */
    Instant end() {
        return lastDay.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    boolean contains(Instant instant) {
        return !instant.isBefore(start()) && instant.isBefore(end());
    }
}
