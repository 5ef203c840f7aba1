package ml.santerurale.server.schedule;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Runs {@link #runOnce()} every interval (fixed delay) on a thread of its own while the
 * application runs. A run that throws is logged and the task tried again at the next interval.
 * Does not guarantee a run at stop, nor that a run in progress finishes before the context closes.
 */
public abstract class EveryInterval implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EveryInterval.class);

    private final String threadPrefix;
    private final Duration interval;
    private ThreadPoolTaskScheduler scheduler;

    protected EveryInterval(String threadPrefix, Duration interval) {
        this.threadPrefix = threadPrefix;
        this.interval = interval;
    }

    /** One run of the task. */
    protected abstract void runOnce();

    /** What failed, for the log, when a run throws. */
    protected abstract String failure();

    @Override
    public synchronized void start() {
        scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(1);
        scheduler.setThreadNamePrefix(threadPrefix);
        scheduler.setWaitForTasksToCompleteOnShutdown(false);
        scheduler.initialize();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                runOnce();
            } catch (RuntimeException e) {
                log.error("{}; it is retried at the next interval", failure(), e);
            }
        }, interval);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdown();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
