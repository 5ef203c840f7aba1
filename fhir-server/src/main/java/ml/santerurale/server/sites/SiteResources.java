package ml.santerurale.server.sites;

import java.math.BigDecimal;
import java.util.Locale;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * Maps a catalogue site to its Organization and Location. Ids are derived from the site's stable
 * code ({@code CSCOM-KONOBOUGOU} is {@code Organization/cscom-konobougou}), so a reload updates
 * the same resources and an unchanged site makes no new version.
 */
final class SiteResources {

    static final String SITE_CODE_SYSTEM = "https://sante-rurale.ml/fhir/sid/site-code";
    static final String DHIS2_ORG_UNIT_SYSTEM = "https://sante-rurale.ml/fhir/sid/dhis2-org-unit";
    static final String SITE_LEVEL_SYSTEM = "https://sante-rurale.ml/fhir/CodeSystem/site-level";

    private SiteResources() {}

    static String idOf(String code) {
        return code.toLowerCase(Locale.ROOT);
    }

    static Bundle transaction(SiteCatalog catalog) {
        Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        for (SiteCatalog.Site site : catalog.sites()) {
            put(bundle, organization(site));
            put(bundle, location(site));
        }
        return bundle;
    }

    private static void put(Bundle bundle, Resource resource) {
        bundle.addEntry()
                .setResource(resource)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.PUT)
                .setUrl(resource.fhirType() + "/" + resource.getIdElement().getIdPart());
    }

    static Organization organization(SiteCatalog.Site site) {
        Organization organization = new Organization();
        organization.setId(idOf(site.code()));
        identify(site, organization.addIdentifier(), organization.getIdentifier());
        organization.setActive(true);
        organization.setName(site.name());
        organization.addType(levelConcept(site.level()));
        if (site.partOf() != null) {
            organization.setPartOf(new Reference("Organization/" + idOf(site.partOf())));
        }
        return organization;
    }

    static Location location(SiteCatalog.Site site) {
        Location location = new Location();
        location.setId(idOf(site.code()));
        identify(site, location.addIdentifier(), location.getIdentifier());
        location.setStatus(Location.LocationStatus.ACTIVE);
        location.setMode(Location.LocationMode.INSTANCE);
        location.setName(site.name());
        location.addType(levelConcept(site.level()));
        location.setManagingOrganization(new Reference("Organization/" + idOf(site.code())));
        location.getPosition()
                .setLatitude(BigDecimal.valueOf(site.latitude()))
                .setLongitude(BigDecimal.valueOf(site.longitude()));
        if (site.partOf() != null) {
            location.setPartOf(new Reference("Location/" + idOf(site.partOf())));
        }
        return location;
    }

    private static void identify(SiteCatalog.Site site, org.hl7.fhir.r4.model.Identifier code,
            java.util.List<org.hl7.fhir.r4.model.Identifier> all) {
        code.setSystem(SITE_CODE_SYSTEM).setValue(site.code());
        if (site.dhis2OrgUnit() != null && !site.dhis2OrgUnit().isBlank()) {
            all.add(new org.hl7.fhir.r4.model.Identifier().setSystem(DHIS2_ORG_UNIT_SYSTEM).setValue(site.dhis2OrgUnit()));
        }
    }

    private static CodeableConcept levelConcept(SiteCatalog.Level level) {
        String display = switch (level) {
            case region -> "Région";
            case district -> "District sanitaire";
            case cscom -> "Centre de santé communautaire (CSCOM)";
        };
        return new CodeableConcept(new Coding(SITE_LEVEL_SYSTEM, level.name(), display));
    }
}
