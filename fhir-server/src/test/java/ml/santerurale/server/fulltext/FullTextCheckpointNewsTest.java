package ml.santerurale.server.fulltext;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a checkpoint is worth recording: only when some transaction but the recording one moved. */
class FullTextCheckpointNewsTest {

    @Test
    void theRecordingTransactionAloneIsNoNews() {
        assertThat(FullTextCheckpoints.news("100:100:", "101:101:", 100)).isFalse();
        assertThat(FullTextCheckpoints.news("100:100:", "100:100:", 99)).isFalse();
    }

    @Test
    void anotherTransactionStartedIsNews() {
        assertThat(FullTextCheckpoints.news("100:100:", "102:102:", 100)).isTrue();
        assertThat(FullTextCheckpoints.news("100:100:", "101:101:", 99)).isTrue();
        assertThat(FullTextCheckpoints.news("100:100:", "100:102:100", 101)).isTrue();
    }

    @Test
    void aRunningTransactionThatFinishedIsNews() {
        assertThat(FullTextCheckpoints.news("97:100:97", "100:100:", 99)).isTrue();
        assertThat(FullTextCheckpoints.news("97:100:97", "97:101:97", 100)).isFalse();
    }
}
