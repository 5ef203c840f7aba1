package ml.santerurale.interceptors.access;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * The sites a transaction Bundle's own entries decide for each other, before it runs: a Patient
 * created with {@code managingOrganization} (or an Encounter with {@code serviceProvider}) gives
 * its site to every entry of the Bundle that is about it ({@code subject}, {@code patient},
 * {@code encounter}, by {@code urn:uuid:} or {@code Type/id}), and through an Encounter to the
 * records that name only the encounter. The inferred site is stamped as the entry's site label,
 * which {@link SitePartitioning} then checks against the caller's sites like any label.
 *
 * <p>An entry that already carries a label, or names its own site, keeps it. Does not look
 * outside the Bundle (records already stored are found by {@link SitePartitioning} itself), and
 * does not decide between two different sites an entry could inherit: it then stays without a
 * label and the usual rule (ask which site) applies.
 */
final class BundleSites {

    private static final List<String> ABOUT = List.of("subject", "patient", "encounter", "context");

    private final Map<String, Resource> byUrl = new HashMap<>();
    private final List<Resource> resources;
    private final Predicate<String> isSite;

    BundleSites(Bundle bundle, Predicate<String> isSite) {
        this.isSite = isSite;
        this.resources = bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(r -> r != null).toList();
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            Resource resource = entry.getResource();
            if (resource == null) {
                continue;
            }
            if (entry.getFullUrl() != null && !entry.getFullUrl().isBlank()) {
                byUrl.put(entry.getFullUrl(), resource);
            }
            if (resource.getIdElement().hasIdPart()) {
                byUrl.put(resource.fhirType() + "/" + resource.getIdElement().getIdPart(), resource);
            }
        }
    }

    /** Stamps the inferred site on every entry that has none and inherits exactly one. */
    void stampInferred() {
        Map<Resource, Optional<String>> decided = new java.util.IdentityHashMap<>();
        for (Resource resource : resources) {
            if (SiteLabels.siteOf(resource).isEmpty()) {
                siteOf(resource, decided, new HashSet<>()).ifPresent(site -> SiteLabels.stamp(resource, site));
            }
        }
    }

    private Optional<String> siteOf(Resource resource, Map<Resource, Optional<String>> decided, Set<Resource> visiting) {
        Optional<String> known = decided.get(resource);
        if (known != null) {
            return known;
        }
        if (!visiting.add(resource)) {
            return Optional.empty();
        }
        Optional<String> site = SiteLabels.siteOf(resource).or(() -> ownSite(resource, isSite));
        if (site.isEmpty()) {
            Set<String> inherited = new HashSet<>();
            for (String name : ABOUT) {
                var property = resource.getNamedProperty(name);
                if (property == null) {
                    continue;
                }
                for (var value : property.getValues()) {
                    if (value instanceof Reference reference && reference.getReference() != null) {
                        Resource target = byUrl.get(reference.getReference());
                        if (target instanceof Patient || target instanceof Encounter) {
                            siteOf(target, decided, visiting).ifPresent(inherited::add);
                        }
                    }
                }
            }
            site = inherited.size() == 1 ? Optional.of(inherited.iterator().next()) : Optional.empty();
        }
        visiting.remove(resource);
        decided.put(resource, site);
        return site;
    }

    /** The site a Patient or Encounter names as its own ({@code managingOrganization}, {@code serviceProvider}). */
    static Optional<String> ownSite(Resource resource, Predicate<String> isSite) {
        String reference = null;
        if (resource instanceof Patient patient && patient.hasManagingOrganization()) {
            reference = patient.getManagingOrganization().getReference();
        } else if (resource instanceof Encounter encounter && encounter.hasServiceProvider()) {
            reference = encounter.getServiceProvider().getReference();
        }
        return SiteLabels.siteOfOrganization(reference).filter(isSite);
    }
}
