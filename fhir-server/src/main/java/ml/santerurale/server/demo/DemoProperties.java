package ml.santerurale.server.demo;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.io.Resource;

/**
 * Development data loaded at start ({@code srm.demo.*}): {@code bundle}, a FHIR transaction of
 * reference data for the demo users (their Practitioner records, which the realm's development
 * users name in their {@code fhirUser} attribute). Unset in production, where nothing is loaded.
 */
@ConfigurationProperties("srm.demo")
record DemoProperties(Resource bundle) {}
