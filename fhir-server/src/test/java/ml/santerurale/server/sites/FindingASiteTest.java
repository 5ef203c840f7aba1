package ml.santerurale.server.sites;

import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.UUID;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.junit.jupiter.api.Test;

/**
 * A client finds a site by a word of its name ({@code :contains}, as sites are named "CSCOM de
 * ...") or by the site code its token carries; practitioners by a part of their name.
 * {@code :contains} is for reference data only: on patients it would scan a site's whole register.
 */
class FindingASiteTest extends ServerIntegrationTest {

    @Test
    void aWordOfTheNameFindsTheSite() {
        Bundle found = bundle("/Organization?name:contains=konobougou");
        assertThat(found.getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart()).contains("cscom-konobougou");
        assertThat(bundle("/Location?name:contains=konobougou").getEntry()).isNotEmpty();
    }

    @Test
    void theSiteCodeOfTheTokenFindsTheSite() {
        Bundle found = bundle("/Organization?identifier=" + SiteResources.SITE_CODE_SYSTEM + "|CSCOM-KONOBOUGOU");
        assertThat(found.getEntry()).hasSize(1);
        assertThat(((Organization) found.getEntryFirstRep().getResource()).getName()).isEqualTo("CSCOM de Konobougou");
        assertThat(bundle("/Organization?identifier=CSCOM-KONOBOUGOU").getEntry()).hasSize(1);
    }

    @Test
    void aPartOfTheNameFindsAPractitioner() {
        String family = "Keita" + ml.santerurale.server.support.Names.unique(6);
        Practitioner practitioner = new Practitioner();
        practitioner.addName().setFamily(family).addGiven("Boubacar");
        assertThat(as(TestTokens.get().admin(), () -> postJson("/Practitioner", json(practitioner))).statusCode()).isEqualTo(201);

        Bundle found = bundle("/Practitioner?name:contains=" + family.substring(2).toLowerCase());
        assertThat(found.getEntry()).hasSize(1);
    }

    @Test
    void containsIsRefusedOnPatients() {
        assertOutcome(fhirContext, get("/Patient?name:contains=ra"), 400, "not-supported",
                "':contains' is available on Organization, Location, Practitioner and PractitionerRole");
    }

    private Bundle bundle(String path) {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return parse(Bundle.class, response.body());
    }
}
