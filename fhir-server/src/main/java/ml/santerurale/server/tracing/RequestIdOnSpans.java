package ml.santerurale.server.tracing;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import org.slf4j.MDC;

/**
 * Puts the request id ({@code X-Request-ID}, the {@code requestId} of every log line) on every
 * span started while a request is served, as {@code srm.request_id}, so a trace and the log lines
 * of one request find each other. Spans of background work (schedules) carry none.
 */
final class RequestIdOnSpans implements SpanProcessor {

    static final String ATTRIBUTE = "srm.request_id";

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        String requestId = MDC.get("requestId");
        if (requestId != null) {
            span.setAttribute(ATTRIBUTE, requestId);
        }
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        // Nothing: the attribute is set at start.
    }

    @Override
    public boolean isEndRequired() {
        return false;
    }
}
