package ml.santerurale.interceptors.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome;

import org.junit.jupiter.api.Test;

class BundleEntryUrlsTest {

    @Test
    void readsTheTypeOfInstanceTypeAndSearchUrls() {
        assertThat(BundleEntryUrls.resourceType("Patient/123")).isEqualTo("Patient");
        assertThat(BundleEntryUrls.resourceType("/Patient")).isEqualTo("Patient");
        assertThat(BundleEntryUrls.resourceType("Patient?identifier=a|b")).isEqualTo("Patient");
        assertThat(BundleEntryUrls.resourceType("Patient/1/_history/2")).isEqualTo("Patient");
        assertThat(BundleEntryUrls.resourceType(" ")).isNull();
    }

    @Test
    void readsTheIdOnlyFromInstanceUrls() {
        assertThat(BundleEntryUrls.resourceId("Patient/123")).isEqualTo("123");
        assertThat(BundleEntryUrls.resourceId("Patient/123/_history/4")).isEqualTo("123");
        assertThat(BundleEntryUrls.resourceId("Patient?_id=123")).isNull();
        assertThat(BundleEntryUrls.resourceId("Patient")).isNull();
    }

    @Test
    void refusesAQueryWithAMalformedEscapeAsABadRequestNamingTheEntry() {
        // TransactionEntriesFuzzTest's finding (input malformed-escape-in-entry-url): an entry URL
        // like 'Patient?name=%' made URLDecoder throw, a 500 in the role matrix and SMART checks.
        for (String url : List.of("Patient?name=%", "Patient?name=%zz", "Patient?%4=x")) {
            assertThatThrownBy(() -> BundleEntryUrls.queryParameters(url, "Bundle.entry[3]"))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("malformed %-escape")
                    .satisfies(e -> assertThat(((OperationOutcome) ((InvalidRequestException) e).getOperationOutcome())
                            .getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Bundle.entry[3].request.url"));
        }
        assertThat(BundleEntryUrls.queryParameters("Patient?name=a%25b&x", "Bundle.entry[0]"))
                .containsEntry("name", new String[] {"a%b"}).containsEntry("x", new String[] {""});
    }
}
