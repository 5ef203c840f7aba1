package ml.santerurale.server.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL's memory over a soak: shared memory filling up to its segment, and backends' caches
 * given back by the pool, pass; a leak in a backend or in the server's own processes, or shared
 * memory past its segment, fails.
 */
class PostgresMemoryVerdictTest {

    private static final long MB = 1024;
    private static final long SEGMENT_KB = 143 * MB;

    /** A sample a minute over 30 minutes. */
    private static List<ServerGauges.Sample> soak(IntFunction<ServerGauges.PostgresMemory> atMinute) {
        List<ServerGauges.Sample> samples = new ArrayList<>();
        for (int m = 0; m <= 30; m++) {
            samples.add(new ServerGauges.Sample(m * 60_000_000_000L, 1.0, 1_200 * MB, atMinute.apply(m), 0, 0, 0, 0));
        }
        return samples;
    }

    /** Shared memory filling linearly to 130 MB, 20 backends whose caches grow for 10 minutes, then are replaced. */
    private static ServerGauges.PostgresMemory healthy(int minute) {
        long shared = (10 + 4L * minute) * MB;
        long backend = (1 + (minute % 10)) * MB;
        long server = 3 * MB;
        return new ServerGauges.PostgresMemory(shared + 20 * backend + server, shared, 20 * backend + server, server, backend, 20,
                (minute % 10) * 60L);
    }

    @Test
    void sharedBuffersFillingAndBackendsReplacedByThePoolPass() {
        PostgresMemoryVerdict verdict = PostgresMemoryVerdict.of(soak(PostgresMemoryVerdictTest::healthy), 0.25, SEGMENT_KB);

        assertThat(verdict.sharedWithinBound()).isTrue();
        assertThat(verdict.backendsWithinLimit()).isTrue();
        assertThat(verdict.serverProcessesFlat()).isTrue();
        assertThat(verdict.ok()).isTrue();
    }

    @Test
    void aBackendThatKeepsGrowingFails() {
        PostgresMemoryVerdict verdict = PostgresMemoryVerdict.of(soak(m -> {
            ServerGauges.PostgresMemory h = healthy(m);
            long leaking = (1 + 2L * m) * MB; // never replaced: 61 MB after 30 minutes
            return new ServerGauges.PostgresMemory(h.pssKb(), h.sharedKb(), h.privateKb() + leaking, h.serverPrivateKb(), leaking, 20,
                    m * 60L);
        }), 0.25, SEGMENT_KB);

        assertThat(verdict.backendsWithinLimit()).isFalse();
        assertThat(verdict.ok()).isFalse();
    }

    @Test
    void theServerProcessesGrowingFails() {
        PostgresMemoryVerdict verdict = PostgresMemoryVerdict.of(soak(m -> {
            ServerGauges.PostgresMemory h = healthy(m);
            long server = (3 + m / 2) * MB; // 18 MB after 30 minutes
            return new ServerGauges.PostgresMemory(h.pssKb(), h.sharedKb(), h.privateKb(), server, h.largestBackendPrivateKb(), 20,
                    h.oldestBackendSeconds());
        }), 0.25, SEGMENT_KB);

        assertThat(verdict.serverProcessesFlat()).isFalse();
        assertThat(verdict.ok()).isFalse();
    }

    @Test
    void sharedMemoryPastItsSegmentFails() {
        PostgresMemoryVerdict verdict = PostgresMemoryVerdict.of(soak(m -> {
            ServerGauges.PostgresMemory h = healthy(m);
            long shared = (100 + 3L * m) * MB; // 190 MB: the segment is 143
            return new ServerGauges.PostgresMemory(h.pssKb(), shared, h.privateKb(), h.serverPrivateKb(), h.largestBackendPrivateKb(), 20,
                    h.oldestBackendSeconds());
        }), 0.25, SEGMENT_KB);

        assertThat(verdict.sharedWithinBound()).isFalse();
        assertThat(verdict.ok()).isFalse();
    }

    @Test
    void figuresThatCouldNotBeReadFail() {
        PostgresMemoryVerdict unknownSegment = PostgresMemoryVerdict.of(soak(PostgresMemoryVerdictTest::healthy), 0.25, -1);
        PostgresMemoryVerdict unreadable = PostgresMemoryVerdict.of(soak(m -> ServerGauges.PostgresMemory.UNKNOWN), 0.25, SEGMENT_KB);

        assertThat(unknownSegment.ok()).isFalse();
        assertThat(unreadable.ok()).isFalse();
    }
}
