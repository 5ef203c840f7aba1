package ml.santerurale.server.load;

import java.util.ArrayList;
import java.util.List;

/**
 * Samples the {@link ServerGauges} in the background: once a second the audit outbox's worst age
 * and rows since the last {@link #reset}, kept with every sample for the memory trend of a soak;
 * four times a second the outbox's ids, for the longest wait of a committed event in it
 * ({@link OutboxWait}).
 */
final class GaugeSampler implements AutoCloseable {

    private final ServerGauges gauges;
    private final Thread thread;
    private final List<ServerGauges.Sample> samples = new ArrayList<>();
    private final OutboxWait outboxWait = new OutboxWait();
    private double worstOutboxSeconds;
    private long worstOutboxRows;
    private volatile boolean running = true;

    GaugeSampler(ServerGauges gauges) {
        this.gauges = gauges;
        this.thread = new Thread(this::loop, "load-gauges");
        thread.setDaemon(true);
        thread.start();
    }

    /** The outbox's ids every quarter of a second ({@link OutboxWait}), every gauge once a second. */
    private void loop() {
        for (long tick = 0; running; tick++) {
            if (tick % 4 == 0) {
                ServerGauges.Sample sample = gauges.sample();
                synchronized (this) {
                    samples.add(sample);
                    worstOutboxSeconds = Math.max(worstOutboxSeconds, sample.outboxOldestSeconds());
                    worstOutboxRows = Math.max(worstOutboxRows, sample.outboxRows());
                }
            }
            long started = System.nanoTime();
            List<Long> ids = gauges.outboxIds();
            long ended = System.nanoTime();
            if (ids != null) {
                synchronized (this) {
                    outboxWait.poll(started, ended, ids);
                }
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    long sharedMemoryKb() {
        return gauges.sharedMemoryKb();
    }

    ServerGauges.Sample now() {
        return gauges.sample();
    }

    synchronized void reset() {
        worstOutboxSeconds = 0;
        worstOutboxRows = 0;
        outboxWait.reset();
    }

    synchronized double worstOutboxWaitSeconds() {
        return outboxWait.worstSeconds();
    }

    synchronized double worstOutboxSeconds() {
        return worstOutboxSeconds;
    }

    synchronized long worstOutboxRows() {
        return worstOutboxRows;
    }

    synchronized List<ServerGauges.Sample> samples() {
        return List.copyOf(samples);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        gauges.close();
    }
}
