package ml.santerurale.server.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.entity.StorageSettings;
import ca.uhn.fhir.jpa.searchparam.extractor.SearchParamExtractorR4;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import org.hl7.fhir.instance.model.api.IBase;

/**
 * HAPI's R4 search-parameter extractor, with its FHIRPath engine made when a value is first
 * extracted instead of at start: the engine's constructor asks for every StructureDefinition, and
 * so parses the R4 core definitions (2.1 s of a restart's main thread, issue 17) before the server
 * can be ready. A restart extracts nothing before it is ready; the validator's warm-up parses the
 * same definitions (one copy per JVM) right after, so the first write usually finds them parsed.
 *
 * <p>Does not change what is extracted: the engine, its host services and its expression cache are
 * HAPI's, made by HAPI's own {@code initFhirPath}, once.
 */
final class FhirPathOnFirstUse extends SearchParamExtractorR4 {

    private final Object lock = new Object();
    private volatile boolean made;

    /** As Spring makes it: HAPI's fields are autowired, then its start runs. */
    FhirPathOnFirstUse() {
        super();
    }

    /** Made by hand, as HAPI's own constructor of the same signature (tests). */
    FhirPathOnFirstUse(StorageSettings settings, PartitionSettings partitions, FhirContext context, ISearchParamRegistry registry) {
        super(settings, partitions, context, registry);
    }

    /** HAPI's start calls this: the engine is made by the first extraction instead. */
    @Override
    public void initFhirPath() {
        // deferred: see make()
    }

    @Override
    public IValueExtractor getPathValueExtractor(IBase resource, String path) {
        if (!made) {
            make();
        }
        return super.getPathValueExtractor(resource, path);
    }

    private void make() {
        synchronized (lock) {
            if (!made) {
                super.initFhirPath();
                made = true;
            }
        }
    }
}
