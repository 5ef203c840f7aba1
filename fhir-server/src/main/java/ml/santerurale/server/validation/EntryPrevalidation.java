package ml.santerurale.server.validation;

import ca.uhn.fhir.validation.ValidationResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import ml.santerurale.interceptors.access.SiteLabels;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * Validates the entries of a transaction or batch Bundle on other cores while HAPI works through
 * them one by one, so that a 100-entry sync batch does not wait for 100 validations in a row.
 *
 * <p>When the request arrives, each entry to be held to a profile is copied (in the request thread,
 * before HAPI changes anything) and its validation queued. When HAPI is about to store the entry,
 * {@link #resultFor} hands back that validation if the resource HAPI stores is still the one that
 * was copied apart from what the server itself assigns ({@code id}, {@code meta.versionId},
 * {@code meta.lastUpdated}, {@code meta.source}, and the site label in {@code meta.security},
 * which is validated neither ahead nor compared: the guide's site CodeSystem is a fragment, so a
 * label never makes an error, and the server replaces any label a client sends); if HAPI changed
 * it otherwise (a {@code urn:uuid}
 * reference resolved to {@code Patient/123}, say), the caller validates the stored form itself. A
 * validation that has not started by then is taken back and run by the caller, so a queue full of
 * other requests' entries never makes a request wait longer than validating inline would.
 *
 * <p>It does not decide anything: a result is only ever used for the very resource it was
 * computed on, at the point where the inline validation would have run. It does not reduce the
 * CPU a transaction costs, only its wall time when cores are idle; when every core is busy the
 * queued validations are mostly taken back and run inline. Queued work is dropped when the request
 * ends (refused half-way, say).
 */
final class EntryPrevalidation implements AutoCloseable {

    private static final String PENDING = EntryPrevalidation.class.getName() + ".pending";

    private final Function<IBaseResource, ValidationResult> validator;
    private final ThreadPoolExecutor executor;
    /** Entries whose validation made ahead was used, and entries the caller had to validate. */
    private final AtomicLong usedAhead = new AtomicLong();
    private final AtomicLong leftToCaller = new AtomicLong();

    EntryPrevalidation(Function<IBaseResource, ValidationResult> validator, int threads, int queueCapacity) {
        this.validator = validator;
        AtomicInteger count = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity), runnable -> {
                    Thread thread = new Thread(runnable, "ig-entry-validation-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
        this.executor.allowCoreThreadTimeOut(true);
    }

    /**
     * A copy of one entry as received, and its validation, queued, running or done. Whoever sets
     * {@code claimed} first runs it: a worker, or the request thread taking it back.
     */
    private record Pending(Resource received, AtomicBoolean claimed, FutureTask<ValidationResult> validation) {

        /** True when the validation had not started and now never will. */
        boolean takeBack() {
            boolean taken = claimed.compareAndSet(false, true);
            if (taken) {
                validation.cancel(false);
            }
            return taken;
        }
    }

    /**
     * Queues the validation of the Bundle's entries for which {@code wanted} is true. Entries the
     * queue has no room for are simply validated inline later.
     */
    void start(Bundle bundle, Map<Object, Object> requestData, Predicate<Resource> wanted) {
        Map<Integer, Pending> pending = new HashMap<>();
        List<Bundle.BundleEntryComponent> entries = bundle.getEntry();
        for (int i = 0; i < entries.size(); i++) {
            Resource resource = entries.get(i).getResource();
            if (resource == null || !wanted.test(resource)) {
                continue;
            }
            Resource received = withoutSiteLabel(resource.copy());
            AtomicBoolean claimed = new AtomicBoolean();
            FutureTask<ValidationResult> validation = new FutureTask<>(
                    () -> claimed.compareAndSet(false, true) ? validator.apply(received) : null);
            try {
                executor.execute(validation);
            } catch (RejectedExecutionException full) {
                break;
            }
            pending.put(i, new Pending(received, claimed, validation));
        }
        if (!pending.isEmpty()) {
            requestData.put(PENDING, pending);
        }
    }

    /**
     * The validation of entry {@code entry}, if one was queued for exactly this content; else null
     * (the caller validates). Waits for a validation already running.
     */
    ValidationResult resultFor(Integer entry, IBaseResource stored, Map<Object, Object> requestData) {
        if (entry == null || !(requestData.get(PENDING) instanceof Map<?, ?> pending)
                || !(pending.remove(entry) instanceof Pending p) || !(stored instanceof Resource resource)) {
            return null;
        }
        ValidationResult result = null;
        if (!p.takeBack() && sameContent(p.received(), resource)) {
            // else not started (cheaper to run it here than to wait behind the queue), or not this content
            try {
                result = p.validation().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | CancellationException e) {
                // the caller validates again and meets the same failure in its own thread
            }
        }
        (result != null ? usedAhead : leftToCaller).incrementAndGet();
        return result;
    }

    long usedAhead() {
        return usedAhead.get();
    }

    long leftToCaller() {
        return leftToCaller.get();
    }

    /** Drops what is still queued for this request. */
    void finish(Map<Object, Object> requestData) {
        if (requestData.remove(PENDING) instanceof Map<?, ?> pending) {
            for (Object p : pending.values()) {
                ((Pending) p).takeBack();
            }
        }
    }

    /** Equal but for what the server assigns when storing. */
    static boolean sameContent(Resource received, Resource stored) {
        return withoutServerAssigned(received).equalsDeep(withoutServerAssigned(stored));
    }

    private static Resource withoutServerAssigned(Resource resource) {
        Resource copy = withoutSiteLabel(resource.copy());
        copy.setIdElement(null);
        if (copy.hasMeta()) {
            copy.getMeta().setVersionIdElement(null).setLastUpdatedElement(null).setSourceElement(null);
        }
        return copy;
    }

    private static Resource withoutSiteLabel(Resource resource) {
        if (resource.hasMeta()) {
            resource.getMeta().getSecurity().removeIf(label -> SiteLabels.SYSTEM.equals(label.getSystem()));
        }
        return resource;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
