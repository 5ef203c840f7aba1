package ml.santerurale.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The drain runs on as many threads at once as configured, and the purge is not held back by them. */
class AuditScheduleTest {

    @Test
    void twoDrainThreadsDrainAtTheSameTimeWhileThePurgeStillRuns() throws InterruptedException {
        CountDownLatch bothDraining = new CountDownLatch(2);
        CountDownLatch released = new CountDownLatch(1);
        CountDownLatch purged = new CountDownLatch(1);
        Set<String> drainingThreads = ConcurrentHashMap.newKeySet();
        Runnable drain = () -> {
            drainingThreads.add(Thread.currentThread().getName());
            bothDraining.countDown();
            try {
                released.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        AuditSchedule schedule = new AuditSchedule(drain, 2, Duration.ofMillis(100), purged::countDown, "* * * * * *");
        schedule.start();
        try {
            assertThat(bothDraining.await(10, TimeUnit.SECONDS)).as("a second drain while the first is still running").isTrue();
            assertThat(drainingThreads).hasSize(2);
            assertThat(purged.await(5, TimeUnit.SECONDS)).as("the purge while both drains are busy").isTrue();
        } finally {
            released.countDown();
            schedule.stop();
        }
    }

    @Test
    void oneDrainThreadNeverDrainsTwiceAtOnce() throws InterruptedException {
        CountDownLatch twoAtOnce = new CountDownLatch(2);
        CountDownLatch firstDone = new CountDownLatch(1);
        Runnable drain = () -> {
            twoAtOnce.countDown();
            try {
                firstDone.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        AuditSchedule schedule = new AuditSchedule(drain, 1, Duration.ofMillis(100), () -> { }, "0 0 0 1 1 *");
        schedule.start();
        try {
            assertThat(twoAtOnce.await(1, TimeUnit.SECONDS)).as("no second drain while the first runs").isFalse();
        } finally {
            firstDone.countDown();
            schedule.stop();
        }
    }
}
