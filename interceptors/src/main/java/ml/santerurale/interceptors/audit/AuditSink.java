package ml.santerurale.interceptors.audit;

import java.util.List;
import org.hl7.fhir.r4.model.AuditEvent;

/**
 * Where {@link AuditCapture} hands the events it builds. An implementation must be fast (it runs
 * on the request thread, before the response is sent) and must not lose an event it returned
 * from without an exception.
 *
 * <p>Called inside the data's database transaction for writes (storage pre-commit hooks and the
 * end of a transaction Bundle), and outside any transaction for reads, searches and refusals; an
 * implementation may join the former so that a rolled-back write leaves no success event.
 * Throwing makes the request fail.
 */
public interface AuditSink {

    void record(AuditEvent event);

    /**
     * The events of one request, all or none. The default records them one by one; an
     * implementation may write them in one round trip.
     */
    default void recordAll(List<AuditEvent> events) {
        events.forEach(this::record);
    }
}
