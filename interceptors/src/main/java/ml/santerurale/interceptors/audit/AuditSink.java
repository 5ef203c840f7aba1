package ml.santerurale.interceptors.audit;

import org.hl7.fhir.r4.model.AuditEvent;

/**
 * Where {@link AuditCapture} hands the events it builds. An implementation must be fast (it runs
 * on the request thread, before the response is sent) and must not lose an event it returned
 * from without an exception.
 *
 * <p>Called inside the data's database transaction for writes (storage pre-commit hooks), and
 * outside any transaction for reads, searches and refusals; an implementation may join the
 * former so that a rolled-back write leaves no success event. Throwing makes the request fail.
 */
public interface AuditSink {

    void record(AuditEvent event);
}
