package ml.santerurale.server.reporting;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.Comparator;
import java.util.List;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Organization;

/** The sites a report is about: their Organization, site code and DHIS2 org unit (shared reference data). */
final class ReportingSites {

    static final String SITE_CODE = "https://sante-rurale.ml/fhir/sid/site-code";
    static final String DHIS2_ORG_UNIT = "https://sante-rurale.ml/fhir/sid/dhis2-org-unit";

    /** @param orgUnit the DHIS2 org-unit uid, null when the catalogue has none */
    record Site(String organizationId, String code, String level, String orgUnit) {}

    private final DaoRegistry daos;

    ReportingSites(DaoRegistry daos) {
        this.daos = daos;
    }

    /** The site whose Organization id is {@code organizationId}; 404 when there is none. */
    Site byOrganizationId(String organizationId) {
        try {
            Organization organization = (Organization) daos.getResourceDao(Organization.class)
                    .read(new IdType("Organization", organizationId), shared());
            Site site = of(organization);
            if (site.code() == null) {
                throw Outcomes.notFound("Organization/" + organizationId + " is not a site (no site code)");
            }
            return site;
        } catch (ResourceNotFoundException | ResourceGoneException e) {
            throw Outcomes.notFound("Organization/" + organizationId + " is not known");
        }
    }

    /** The site whose code is {@code code}; null when there is none. */
    Site byCode(String code) {
        SearchParameterMap query = SearchParameterMap.newSynchronous();
        query.add(Organization.SP_IDENTIFIER, new TokenParam(SITE_CODE, code));
        return daos.getResourceDao(Organization.class).searchForResources(query, shared()).stream()
                .map(r -> of((Organization) r)).findFirst().orElse(null);
    }

    /** Every CSCOM of the catalogue, by site code. */
    List<Site> cscoms() {
        SearchParameterMap query = SearchParameterMap.newSynchronous();
        query.add(Organization.SP_TYPE, new TokenParam(SiteActivityReader.SITE_LEVEL_SYSTEM, "cscom"));
        return daos.getResourceDao(Organization.class).searchForResources(query, shared()).stream()
                .map(r -> of((Organization) r)).filter(s -> s.code() != null)
                .sorted(Comparator.comparing(Site::code)).toList();
    }

    private static Site of(Organization organization) {
        String level = organization.getType().stream().flatMap(t -> t.getCoding().stream())
                .filter(c -> SiteActivityReader.SITE_LEVEL_SYSTEM.equals(c.getSystem())).map(c -> c.getCode()).findFirst().orElse(null);
        return new Site(organization.getIdElement().getIdPart(), identifier(organization, SITE_CODE), level,
                identifier(organization, DHIS2_ORG_UNIT));
    }

    private static String identifier(Organization organization, String system) {
        return organization.getIdentifier().stream().filter(i -> system.equals(i.getSystem())).map(Identifier::getValue)
                .findFirst().orElse(null);
    }

    private static SystemRequestDetails shared() {
        return SystemRequestDetails.forRequestPartitionId(RequestPartitionId.defaultPartition());
    }
}
