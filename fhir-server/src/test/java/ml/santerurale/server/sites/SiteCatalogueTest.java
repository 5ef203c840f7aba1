package ml.santerurale.server.sites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Organization;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.jdbc.core.JdbcTemplate;

/** The pilot's sites are loaded at start, once, as an Organization and Location hierarchy. */
class SiteCatalogueTest extends ServerIntegrationTest {

    @Autowired
    SiteLoader loader;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void loadsAtLeastFiftyCscomsWithTheirHierarchy() {
        String count = get("/Organization?type=" + SiteResources.SITE_LEVEL_SYSTEM + "|cscom&_summary=count").body();
        int cscoms = Integer.parseInt(count.replaceAll(".*\"total\":(\\d+).*", "$1"));
        assertThat(cscoms).isGreaterThanOrEqualTo(50);

        Organization konobougou = parse(Organization.class, get("/Organization/cscom-konobougou").body());
        assertThat(konobougou.getName()).contains("Konobougou");
        assertThat(konobougou.getIdentifierFirstRep().getSystem()).isEqualTo(SiteResources.SITE_CODE_SYSTEM);
        assertThat(konobougou.getIdentifierFirstRep().getValue()).isEqualTo("CSCOM-KONOBOUGOU");
        Organization district = parse(Organization.class, get("/" + konobougou.getPartOf().getReference()).body());
        assertThat(district.getTypeFirstRep().getCodingFirstRep().getCode()).isEqualTo("district");
        Organization region = parse(Organization.class, get("/" + district.getPartOf().getReference()).body());
        assertThat(region.getTypeFirstRep().getCodingFirstRep().getCode()).isEqualTo("region");
        assertThat(region.hasPartOf()).isFalse();

        Location djeli = parse(Location.class, get("/Location/cscom-djeli").body());
        assertThat(djeli.getPosition().getLatitude().doubleValue()).isBetween(10.0, 25.0);
        assertThat(djeli.getManagingOrganization().getReference()).isEqualTo("Organization/cscom-djeli");
        assertThat(get("/Organization?identifier=" + SiteResources.SITE_CODE_SYSTEM + "|CSCOM-DJELI&_summary=count").body())
                .contains("\"total\":1");
    }

    @Autowired
    ml.santerurale.ig.SanteRuraleIg ig;

    /** The server writes the catalogue itself (not validated at run time): every site is held to the guide here. */
    @Test
    void everySiteConformsToTheGuide() throws Exception {
        SiteCatalog catalog;
        try (var in = getClass().getResourceAsStream("/sites/mali-sites.json")) {
            catalog = SiteCatalog.read(in);
        }
        assertThat(catalog.sites()).isNotEmpty();
        for (SiteCatalog.Site site : catalog.sites()) {
            for (org.hl7.fhir.r4.model.Resource resource : java.util.List.of(SiteResources.organization(site), SiteResources.location(site))) {
                assertThat(ig.validate(resource).getMessages())
                        .as(resource.fhirType() + "/" + resource.getIdElement().getIdPart())
                        .filteredOn(m -> m.getSeverity().ordinal() >= ca.uhn.fhir.validation.ResultSeverityEnum.ERROR.ordinal())
                        .isEmpty();
            }
        }
    }

    @Test
    void loadingTheSameCatalogueAgainChangesNothing() throws Exception {
        Integer loads = jdbc.queryForObject("select count(*) from srm_site_catalog_load", Integer.class);
        String before = get("/Organization/cscom-konobougou").headers().firstValue("ETag").orElseThrow();
        loader.run(new DefaultApplicationArguments());
        assertThat(jdbc.queryForObject("select count(*) from srm_site_catalog_load", Integer.class)).isEqualTo(loads);
        assertThat(get("/Organization/cscom-konobougou").headers().firstValue("ETag")).hasValue(before);
    }

    @Test
    void applyingAnUnchangedCatalogueMakesNoNewVersions() throws Exception {
        SiteCatalog catalog;
        try (var in = getClass().getResourceAsStream("/sites/mali-sites.json")) {
            catalog = SiteCatalog.read(in);
        }
        long versionsBefore = jdbc.queryForObject("select count(*) from hfj_res_ver where res_type <> 'AuditEvent'", Long.class);
        Bundle response = as(TestTokens.get().admin(),
                () -> client().transaction().withBundle(SiteResources.transaction(catalog)).execute());
        assertThat(response.getEntry()).allSatisfy(e -> assertThat(e.getResponse().getStatus()).startsWith("200"));
        assertThat(jdbc.queryForObject("select count(*) from hfj_res_ver where res_type <> 'AuditEvent'", Long.class)).isEqualTo(versionsBefore);
    }

    @Test
    void refusesACatalogueWhoseParentIsMissingOrOfTheWrongLevel() {
        String orphan = """
                {"version":"t","description":"d","sites":[
                  {"code":"ML-X","level":"region","name":"R","partOf":null,"dhis2OrgUnit":null,"latitude":13,"longitude":-6,"nameSource":"realistic","coordinatesSource":"realistic"},
                  {"code":"CSCOM-Y","level":"cscom","name":"C","partOf":"ML-X","dhis2OrgUnit":null,"latitude":13,"longitude":-6,"nameSource":"realistic","coordinatesSource":"realistic"}]}
                """;
        assertThatThrownBy(() -> SiteCatalog.read(new ByteArrayInputStream(orphan.getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("sites[1] (CSCOM-Y): partOf must name a district");
        String outside = orphan.replace("\"latitude\":13,\"longitude\":-6,\"nameSource\":\"realistic\",\"coordinatesSource\":\"realistic\"},",
                "\"latitude\":48.8,\"longitude\":2.3,\"nameSource\":\"realistic\",\"coordinatesSource\":\"realistic\"},");
        assertThatThrownBy(() -> SiteCatalog.read(new ByteArrayInputStream(outside.getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("outside Mali");
    }
}
