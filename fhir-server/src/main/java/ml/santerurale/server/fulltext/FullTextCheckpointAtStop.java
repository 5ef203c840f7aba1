package ml.santerurale.server.fulltext;

import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.dao.DataAccessException;

/**
 * A clean stop's last full-text checkpoint ({@link FullTextCheckpoints#stopBegins},
 * {@link FullTextCheckpoints#recordAtStop}): the snapshot is taken when the context starts
 * closing, and recorded in a lifecycle phase that stops after the web server (Spring Boot stops
 * its graceful shutdown at {@code DEFAULT_PHASE - 1024} and the server at {@code - 2048}), so that
 * no request is writing any more.
 *
 * <p>Does not guarantee a checkpoint: with the database away (as the database watch says: the
 * pool would wait its whole connection timeout), or on a crash, the restart re-indexes from the
 * last periodic checkpoint, as before. Does not stop the server's other
 * background writers (the DHIS2 export's reports): a write of theirs committed within
 * {@link FullTextCheckpoints#STOP_MARGIN} of the stop whose index change was not applied yet would
 * be missed by the restart's catch-up.
 */
final class FullTextCheckpointAtStop implements SmartLifecycle, ApplicationListener<ContextClosedEvent> {

    private static final Logger log = LoggerFactory.getLogger(FullTextCheckpointAtStop.class);

    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final FullTextCheckpoints checkpoints;
    private final BooleanSupplier databaseAnswers;
    private volatile boolean running;

    FullTextCheckpointAtStop(FullTextCheckpoints checkpoints, BooleanSupplier databaseAnswers) {
        this.checkpoints = checkpoints;
        this.databaseAnswers = databaseAnswers;
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        if (!databaseAnswers.getAsBoolean()) {
            log.warn("No full-text checkpoint at this stop (the database is away): the next start re-indexes"
                    + " what was written since the last one");
            return;
        }
        try {
            checkpoints.stopBegins();
        } catch (DataAccessException e) {
            log.warn("No full-text checkpoint at this stop (the database does not answer): the next start re-indexes"
                    + " what was written since the last one");
        }
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        try {
            if (checkpoints.recordAtStop()) {
                log.info("Full-text checkpoint recorded at this stop: the next start re-indexes nothing written before it");
            }
        } catch (RuntimeException e) {
            log.warn("No full-text checkpoint at this stop ({}): the next start re-indexes what was written since the last one",
                    e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
