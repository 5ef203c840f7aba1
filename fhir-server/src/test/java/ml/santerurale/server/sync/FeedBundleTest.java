package ml.santerurale.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.api.BundleInclusionRule;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.model.valueset.BundleEntryTransactionMethodEnum;
import ca.uhn.fhir.model.valueset.BundleTypeEnum;
import ca.uhn.fhir.rest.api.BundleLinks;
import ca.uhn.fhir.rest.api.IVersionSpecificBundleFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

/** A feed page's entries are the ones HAPI's own bundle factory makes of the same resources. */
class FeedBundleTest {

    private static final String BASE = "http://cscom.example:8080/fhir";

    private final FhirContext context = FhirContext.forR4Cached();

    @Test
    void entriesAreThoseOfHapisBundleFactoryForEveryKindOfFeedEntry() {
        List<IBaseResource> page = new ArrayList<>();
        Patient created = feedEntry(new Patient(), new IdType("Patient", "p-1", "1"), BundleEntryTransactionMethodEnum.POST);
        created.addName().setFamily("Traoré");
        page.add(created);
        Encounter updated = feedEntry(new Encounter(), new IdType("Encounter", "e-1", "3"), BundleEntryTransactionMethodEnum.PUT);
        // A reference HAPI's factory could follow (its target is set): a feed page includes nothing.
        updated.setSubject(new Reference(created));
        page.add(updated);
        // A deleted version, then a record that left the caller's scope (no version).
        page.add(feedEntry(new Patient(), new IdType("Patient", "p-2", "2"), BundleEntryTransactionMethodEnum.DELETE));
        page.add(feedEntry(new Patient(), new IdType("Patient", "p-3"), BundleEntryTransactionMethodEnum.DELETE));
        Patient marked = feedEntry(new Patient(), new IdType("Patient", "p-4", "1"), null);
        ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(marked, BundleEntrySearchModeEnum.MATCH);
        page.add(marked);

        Bundle ours = FeedBundle.of(page, BASE, context);

        IVersionSpecificBundleFactory factory = context.newBundleFactory();
        // As HAPI's response builder calls it (root first: it gives the factory its base), with
        // the inclusion rule and includes of a request without _include (so that the followed
        // reference above is left out, as ours leaves it).
        factory.addRootPropertiesToBundle(null, new BundleLinks(BASE, null, false, BundleTypeEnum.HISTORY), page.size(), null);
        factory.addResourcesToBundle(new ArrayList<>(page), BundleTypeEnum.HISTORY, BASE,
                BundleInclusionRule.BASED_ON_INCLUDES, Set.of());
        Bundle hapis = (Bundle) factory.getResourceBundle();
        // The root is HAPI's in both cases (a Bundle a method returns is completed by the factory).
        hapis.setIdElement(null);
        hapis.setTotalElement(null);

        assertThat(ours.getEntry()).hasSize(5);
        assertThat(ours.getEntry().get(2).getResource()).as("a deleted version carries no resource").isNull();
        assertThat(ours.getEntry().get(1).getResponse().getEtag()).isEqualTo("W/\"3\"");
        assertThat(context.newJsonParser().encodeResourceToString(ours))
                .isEqualTo(context.newJsonParser().encodeResourceToString(hapis));
    }

    private static <T extends org.hl7.fhir.r4.model.Resource> T feedEntry(T resource, IdType id,
            BundleEntryTransactionMethodEnum method) {
        resource.setId(id);
        if (method != null) {
            ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(resource, method);
        }
        return resource;
    }
}
