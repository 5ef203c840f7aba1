package ml.santerurale.server.fhir;

/**
 * Marks a Spring bean as a HAPI interceptor that the FHIR endpoint registers on HAPI's
 * interceptor service (so its storage hooks cover transaction entries too).
 */
public interface FhirServerInterceptor {}
