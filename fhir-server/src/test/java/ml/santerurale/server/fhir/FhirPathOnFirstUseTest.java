package ml.santerurale.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.entity.StorageSettings;
import ca.uhn.fhir.jpa.searchparam.extractor.SearchParamExtractorR4;
import ca.uhn.fhir.rest.server.util.FhirContextSearchParamRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.common.hapi.validation.support.BaseValidationSupportWrapper;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

/**
 * The search-parameter extractor asks for the core definitions only when it first extracts, and
 * extracts what HAPI's own extractor extracts.
 */
class FhirPathOnFirstUseTest {

    @Test
    void theDefinitionsAreFetchedAtTheFirstExtractionNotAtStartAndTheValuesAreHapis() {
        FhirContext context = FhirContext.forR4();
        AtomicInteger fetches = new AtomicInteger();
        context.setValidationSupport(new BaseValidationSupportWrapper(context, new DefaultProfileValidationSupport(context)) {
            @Override
            public <T extends IBaseResource> List<T> fetchAllStructureDefinitions() {
                fetches.incrementAndGet();
                return super.fetchAllStructureDefinitions();
            }
        });
        FhirContextSearchParamRegistry registry = new FhirContextSearchParamRegistry(context);

        FhirPathOnFirstUse deferred = new FhirPathOnFirstUse(new StorageSettings(), new PartitionSettings(), context, registry);
        assertThat(fetches).as("definitions fetched by the start").hasValue(0);

        Patient patient = new Patient().setGender(Enumerations.AdministrativeGender.FEMALE)
                .setManagingOrganization(new Reference("Organization/cscom-konobougou"));
        patient.addName().setFamily("Traoré").addGiven("Awa");
        var strings = deferred.extractSearchParamStrings(patient);
        var tokens = deferred.extractSearchParamTokens(patient);
        var links = deferred.extractResourceLinks(patient, false);
        assertThat(fetches.get()).as("definitions fetched by the first extraction").isPositive();

        SearchParamExtractorR4 hapis = new SearchParamExtractorR4(new StorageSettings(), new PartitionSettings(), context, registry);
        assertThat(strings).isNotEmpty().isEqualTo(hapis.extractSearchParamStrings(patient));
        assertThat(tokens).isNotEmpty().isEqualTo(hapis.extractSearchParamTokens(patient));
        assertThat(links.stream().map(Object::toString).toList()).isNotEmpty()
                .isEqualTo(hapis.extractResourceLinks(patient, false).stream().map(Object::toString).toList());
    }
}
