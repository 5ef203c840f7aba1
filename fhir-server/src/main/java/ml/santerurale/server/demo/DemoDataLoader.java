package ml.santerurale.server.demo;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.io.IOException;
import java.io.InputStream;
import org.hl7.fhir.r4.model.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Applies the development bundle ({@code srm.demo.bundle}) at start, after the sites, as one
 * FHIR transaction of the server itself (so its reference data lands in the default partition,
 * as the sites' Organizations do). Its entries are meant to be {@code PUT}s with fixed ids, so a
 * restart updates the same records.
 *
 * <p>Does nothing when the property is unset (production), and does not check that the bundle
 * holds only reference data: it is development input from this repository
 * ({@code keycloak-realm/dev/demo-practitioners.json}).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class DemoDataLoader implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(DemoDataLoader.class);

    private final DemoProperties properties;
    private final IFhirSystemDao<Bundle, ?> systemDao;
    private final FhirContext fhirContext;

    DemoDataLoader(DemoProperties properties, IFhirSystemDao<Bundle, ?> systemDao, FhirContext fhirContext) {
        this.properties = properties;
        this.systemDao = systemDao;
        this.fhirContext = fhirContext;
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        if (properties.bundle() == null) {
            return;
        }
        Bundle bundle;
        try (InputStream in = properties.bundle().getInputStream()) {
            bundle = fhirContext.newJsonParser().parseResource(Bundle.class, in);
        }
        systemDao.transaction(new SystemRequestDetails(), bundle);
        log.info("Development data {} applied: {} entries", properties.bundle().getDescription(), bundle.getEntry().size());
    }
}
