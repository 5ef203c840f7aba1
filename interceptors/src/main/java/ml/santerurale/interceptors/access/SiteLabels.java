package ml.santerurale.interceptors.access;

import java.util.Locale;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Resource;

/**
 * How a clinical resource records the site it belongs to: one {@code meta.security} label in the
 * site system, its code the site's code ({@code CSCOM-KONOBOUGOU}). Sites' Organizations have the
 * code in lower case as their id ({@code Organization/cscom-konobougou}).
 */
public final class SiteLabels {

    public static final String SYSTEM = "https://sante-rurale.ml/fhir/CodeSystem/site";

    private SiteLabels() {}

    public static Optional<String> siteOf(IBaseResource resource) {
        if (!(resource instanceof Resource r)) {
            return Optional.empty();
        }
        return r.getMeta().getSecurity().stream()
                .filter(c -> SYSTEM.equals(c.getSystem()) && c.getCode() != null)
                .map(Coding::getCode)
                .findFirst();
    }

    /** Replaces any site label with exactly this one. */
    public static void stamp(Resource resource, String site) {
        resource.getMeta().getSecurity().removeIf(c -> SYSTEM.equals(c.getSystem()));
        resource.getMeta().addSecurity(SYSTEM, site, null);
    }

    /** The site code of a reference to a site's Organization, if it is one. */
    public static Optional<String> siteOfOrganization(String reference) {
        if (reference == null || !reference.startsWith("Organization/")) {
            return Optional.empty();
        }
        String id = reference.substring("Organization/".length());
        return id.isBlank() || id.contains("/") ? Optional.empty() : Optional.of(id.toUpperCase(Locale.ROOT));
    }
}
