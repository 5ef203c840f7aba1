package ml.santerurale.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Period;
import org.junit.jupiter.api.Test;

/** Settings that would make the audit trail misbehave stop the server at start, saying which. */
class AuditPropertiesTest {

    private static AuditProperties with(Duration drainInterval, Duration extraDrainsAfter) {
        return new AuditProperties(Period.ofMonths(12), "0 30 2 * * *", drainInterval, 100, 2, extraDrainsAfter,
                "sante-rurale-fhir", false, false);
    }

    @Test
    void theDefaultsAreAccepted() {
        assertThat(with(Duration.ofSeconds(1), Duration.ofSeconds(2)).extraDrainsAfter()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aZeroOrNegativeDelayBeforeExtraDrainsIsRefused() {
        assertThatThrownBy(() -> with(Duration.ofSeconds(1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("srm.audit.extra-drains-after must be a positive duration");
        assertThatThrownBy(() -> with(Duration.ofSeconds(1), Duration.ofSeconds(-2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("srm.audit.extra-drains-after");
    }

    @Test
    void aDrainIntervalOutsideItsBoundsIsRefused() {
        assertThatThrownBy(() -> with(Duration.ofMillis(50), Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("srm.audit.drain-interval must be between 100ms and 5m");
    }
}
