package ml.santerurale.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One thread drains every interval, the extra ones run the drain-when-behind at the same time,
 * and the purge is not held back by them.
 */
class AuditScheduleTest {

    @Test
    void theExtraThreadDrainsWhenBehindWhileTheFirstDrainsAndThePurgeStillRuns() throws InterruptedException {
        CountDownLatch bothDraining = new CountDownLatch(2);
        CountDownLatch released = new CountDownLatch(1);
        CountDownLatch purged = new CountDownLatch(1);
        Set<String> drainThreads = ConcurrentHashMap.newKeySet();
        Set<String> whenBehindThreads = ConcurrentHashMap.newKeySet();
        AuditSchedule schedule = new AuditSchedule(() -> block(drainThreads, bothDraining, released),
                () -> block(whenBehindThreads, bothDraining, released), 2, Duration.ofMillis(100), purged::countDown,
                "* * * * * *");
        schedule.start();
        try {
            assertThat(bothDraining.await(10, TimeUnit.SECONDS)).as("both drains running at once").isTrue();
            assertThat(drainThreads).as("the drain").hasSize(1);
            assertThat(whenBehindThreads).as("the drain when behind").hasSize(1).doesNotContainAnyElementsOf(drainThreads);
            assertThat(purged.await(5, TimeUnit.SECONDS)).as("the purge while both drains are busy").isTrue();
        } finally {
            released.countDown();
            schedule.stop();
        }
    }

    @Test
    void oneDrainThreadNeverDrainsTwiceAtOnceNorRunsTheDrainWhenBehind() throws InterruptedException {
        CountDownLatch twoAtOnce = new CountDownLatch(2);
        CountDownLatch firstDone = new CountDownLatch(1);
        CountDownLatch whenBehind = new CountDownLatch(1);
        Runnable drain = () -> {
            twoAtOnce.countDown();
            try {
                firstDone.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        AuditSchedule schedule = new AuditSchedule(drain, whenBehind::countDown, 1, Duration.ofMillis(100), () -> { },
                "0 0 0 1 1 *");
        schedule.start();
        try {
            assertThat(twoAtOnce.await(1, TimeUnit.SECONDS)).as("no second drain while the first runs").isFalse();
            assertThat(whenBehind.getCount()).as("no extra thread").isEqualTo(1);
        } finally {
            firstDone.countDown();
            schedule.stop();
        }
    }

    private static void block(Set<String> threads, CountDownLatch running, CountDownLatch released) {
        threads.add(Thread.currentThread().getName());
        running.countDown();
        try {
            released.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
