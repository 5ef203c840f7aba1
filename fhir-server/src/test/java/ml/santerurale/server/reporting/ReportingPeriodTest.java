package ml.santerurale.server.reporting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class ReportingPeriodTest {

    @Test
    void aMonthRunsFromItsFirstMidnightUtcToTheNextMonthsFirst() {
        ReportingPeriod february = ReportingPeriod.parse("202802");
        assertThat(february.firstDay()).isEqualTo(LocalDate.of(2028, 2, 1));
        assertThat(february.lastDay()).isEqualTo(LocalDate.of(2028, 2, 29));
        assertThat(february.contains(Instant.parse("2028-02-29T23:59:59.999Z"))).isTrue();
        assertThat(february.contains(Instant.parse("2028-03-01T00:00:00Z"))).isFalse();
        assertThat(february.contains(Instant.parse("2028-02-01T00:00:00Z"))).isTrue();
    }

    @Test
    void isoWeeksFollowTheWeekBasedYear() {
        assertThat(ReportingPeriod.parse("2026W53").firstDay()).isEqualTo(LocalDate.of(2026, 12, 28));
        assertThat(ReportingPeriod.parse("2026W53").lastDay()).isEqualTo(LocalDate.of(2027, 1, 3));
        assertThat(ReportingPeriod.parse("2027W1").firstDay()).isEqualTo(LocalDate.of(2027, 1, 4));
        assertThat(ReportingPeriod.parse("2027W01").code()).isEqualTo("2027W1");
        assertThat(ReportingPeriod.parse("2025W18").firstDay()).isEqualTo(LocalDate.of(2025, 4, 28));
        assertThat(ReportingPeriod.parse("2025W18").lastDay()).isEqualTo(LocalDate.of(2025, 5, 4));
        assertThat(ReportingPeriod.parse("2025W1").firstDay()).isEqualTo(LocalDate.of(2024, 12, 30));
    }

    @Test
    void periodsThatDoNotExistAreRefusedWithWhatIsAccepted() {
        assertThatThrownBy(() -> ReportingPeriod.parse("2027W53")).hasMessageContaining("2027 has ISO weeks 1 to 52");
        assertThatThrownBy(() -> ReportingPeriod.parse("2026W54")).hasMessageContaining("1 to 53");
        assertThatThrownBy(() -> ReportingPeriod.parse("202613")).hasMessageContaining("month 13 does not exist");
        assertThatThrownBy(() -> ReportingPeriod.parse("2026-11")).hasMessageContaining("yyyyMM");
        assertThatThrownBy(() -> ReportingPeriod.days("2026-11-30", "2026-11-01")).hasMessageContaining("before");
    }
}
