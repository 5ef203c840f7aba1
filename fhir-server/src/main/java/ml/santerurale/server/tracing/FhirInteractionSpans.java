package ml.santerurale.server.tracing;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;

/**
 * One span per FHIR interaction, inside the HTTP request's span and around everything HAPI and our
 * interceptors do for it (the statements it runs are its children): named {@code FHIR <interaction>},
 * tagged with the interaction, the resource type and the response status. Never the resource id,
 * a search's parameters or anything else from the request: spans leave the server.
 *
 * <p>Does not trace a request HAPI could not map to an interaction (the HTTP span remains).
 */
@Interceptor
final class FhirInteractionSpans {

    private static final String ACTIVE = FhirInteractionSpans.class.getName() + ".active";

    private final Tracer tracer;

    FhirInteractionSpans(Tracer tracer) {
        this.tracer = tracer;
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
    public boolean start(RequestDetails request) {
        RestOperationTypeEnum operation = request.getRestOperationType();
        String interaction = operation == null ? "unknown" : operation.getCode();
        Span span = tracer.nextSpan().name("FHIR " + interaction)
                .tag("fhir.interaction", interaction)
                .tag("fhir.resource_type", request.getResourceName() == null ? "none" : request.getResourceName())
                .start();
        request.getUserData().put(ACTIVE, new Active(span, tracer.withSpan(span)));
        return true;
    }

    @Hook(Pointcut.SERVER_PROCESSING_COMPLETED)
    public void end(RequestDetails request, ServletRequestDetails servletRequest) {
        if (!(request.getUserData().remove(ACTIVE) instanceof Active active)) {
            return;
        }
        active.scope().close();
        if (servletRequest != null) {
            int status = servletRequest.getServletResponse().getStatus();
            active.span().tag("http.response.status_code", Integer.toString(status));
            if (status >= 500) {
                active.span().tag("error", "true");
            }
        }
        active.span().end();
    }

    private record Active(Span span, Tracer.SpanInScope scope) {}
}
