package ml.santerurale.server.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The outbox's wait is counted from the last poll that did not see a row to the first that no longer does. */
class OutboxWaitTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aRowSeenInThreePollsWaitedAtMostFromThePollBeforeItToThePollAfterIt() {
        OutboxWait wait = new OutboxWait();
        wait.poll(0, List.of());
        wait.poll(SECOND, List.of(7L));
        wait.poll(2 * SECOND, List.of(7L));
        wait.poll(3 * SECOND, List.of(7L));
        wait.poll(4 * SECOND, List.of());

        assertThat(wait.worstSeconds()).isEqualTo(4.0);
    }

    @Test
    void aRowStillWaitingCountsBeforeItIsDrained() {
        OutboxWait wait = new OutboxWait();
        wait.poll(0, List.of());
        for (int s = 1; s <= 7; s++) {
            wait.poll(s * SECOND, List.of(1L));
        }

        assertThat(wait.worstSeconds()).isEqualTo(7.0);
    }

    @Test
    void aRowDrainedByTheNextPollWaitedAtMostTwoIntervalsAndAResetForgetsLongerWaits() {
        // The rows' created_at plays no part: only the polls that saw an id count.
        OutboxWait wait = new OutboxWait();
        wait.poll(0, List.of(1L));
        wait.poll(10 * SECOND, List.of());
        assertThat(wait.worstSeconds()).isEqualTo(10.0);

        wait.reset();
        wait.poll(11 * SECOND, List.of(3L));
        wait.poll(12 * SECOND, List.of());

        assertThat(wait.worstSeconds()).isEqualTo(2.0);
    }

    @Test
    void aResetKeepsTheStartOfRowsStillWaiting() {
        OutboxWait wait = new OutboxWait();
        wait.poll(0, List.of());
        wait.poll(SECOND, List.of(5L));
        wait.poll(6 * SECOND, List.of(5L));
        wait.reset();
        wait.poll(7 * SECOND, List.of());

        assertThat(wait.worstSeconds()).isEqualTo(7.0);
    }

    @Test
    void theWaitRunsFromThePreviousQuerysStartToTheEndOfTheQueryThatNoLongerSeesTheRow() {
        // The previous query's snapshot may have been taken just before the row's commit.
        OutboxWait wait = new OutboxWait();
        wait.poll(0, SECOND / 2, List.of());
        wait.poll(SECOND, 3 * SECOND / 2, List.of(9L));
        wait.poll(2 * SECOND, 5 * SECOND / 2, List.of());

        assertThat(wait.worstSeconds()).isEqualTo(2.5);
    }
}
