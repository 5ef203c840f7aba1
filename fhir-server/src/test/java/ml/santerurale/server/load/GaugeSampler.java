package ml.santerurale.server.load;

import java.util.ArrayList;
import java.util.List;

/**
 * Samples the {@link ServerGauges} once a second in the background: the audit outbox's worst age
 * and rows since the last {@link #reset}, and every sample for the memory trend of a soak.
 */
final class GaugeSampler implements AutoCloseable {

    private final ServerGauges gauges;
    private final Thread thread;
    private final List<ServerGauges.Sample> samples = new ArrayList<>();
    private double worstOutboxSeconds;
    private long worstOutboxRows;
    private volatile boolean running = true;

    GaugeSampler(ServerGauges gauges) {
        this.gauges = gauges;
        this.thread = new Thread(this::loop, "load-gauges");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            ServerGauges.Sample sample = gauges.sample();
            synchronized (this) {
                samples.add(sample);
                worstOutboxSeconds = Math.max(worstOutboxSeconds, sample.outboxOldestSeconds());
                worstOutboxRows = Math.max(worstOutboxRows, sample.outboxRows());
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    ServerGauges.Sample now() {
        return gauges.sample();
    }

    synchronized void reset() {
        worstOutboxSeconds = 0;
        worstOutboxRows = 0;
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
    }
}
