package ml.santerurale.server.sync;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.model.valueset.BundleEntryTransactionMethodEnum;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import java.math.BigDecimal;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * The entries of a change feed page, as HAPI's R4 bundle factory makes the entries of a history
 * Bundle from a list of resources (full URL, request method and URL, response status and ETag,
 * search mode and score), without the factory's walk through every element of every resource
 * for resources to include: a feed page includes none, and that walk was a quarter of a page's
 * request thread (docs/PERFORMANCE.md). HAPI completes the root of a Bundle a method returns (id,
 * type, self link), {@link FeedLinks} the rest.
 *
 * <p>Only for resources without a base URL in their id and without {@code _include}: it neither
 * adds included resources nor skips contained ones. {@code FeedBundleTest} compares it with
 * HAPI's factory.
 */
final class FeedBundle {

    private FeedBundle() {}

    /** A history Bundle holding {@code resources} in order, full URLs on {@code serverBase}. */
    static Bundle of(List<IBaseResource> resources, String serverBase, FhirContext context) {
        Bundle bundle = new Bundle();
        bundle.setType(Bundle.BundleType.HISTORY);
        for (IBaseResource next : resources) {
            Resource resource = (Resource) next;
            Bundle.BundleEntryComponent entry = bundle.addEntry().setResource(resource);
            IIdType id = null;
            if (resource.getIdElement().hasIdPart() && serverBase != null && !serverBase.isBlank()) {
                id = resource.getIdElement().withServerBase(serverBase, context.getResourceType(resource));
                entry.setFullUrl(id.toVersionless().getValue());
            }
            BundleEntryTransactionMethodEnum method = ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.get(resource);
            if (method != null) {
                entry.getRequest().getMethodElement().setValueAsString(method.name());
                if (id != null) {
                    entry.getRequest().setUrl(id.toUnqualified().getValue());
                }
            }
            if (method == BundleEntryTransactionMethodEnum.DELETE) {
                entry.setResource(null);
            }
            String version = id == null ? null : id.getVersionIdPart();
            if (version != null && !version.isBlank()) {
                entry.getResponse().setStatus("1".equals(version) ? "201 Created" : "200 OK");
                entry.getResponse().setEtag(RestfulServerUtils.createEtag(version));
            }
            BundleEntrySearchModeEnum searchMode = ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.get(resource);
            if (searchMode != null) {
                entry.getSearch().getModeElement().setValueAsString(searchMode.getCode());
            }
            BigDecimal score = ResourceMetadataKeyEnum.ENTRY_SEARCH_SCORE.get(resource);
            if (score != null) {
                entry.getSearch().getScoreElement().setValue(score);
            }
        }
        return bundle;
    }
}
