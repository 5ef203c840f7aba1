package ml.santerurale.interceptors.guard;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;

/**
 * Fuzzes what a client controls in a transaction's entries (method, {@code request.url}, the
 * resource's type and id), as the server receives it: built, sent through HAPI's JSON encoder
 * and parser, then checked by {@link TransactionBundleGuard} and read by {@link BundleEntryUrls}
 * (whose query parsing the role matrix and SMART scopes run on every entry URL).
 *
 * <p>Invariants: the guard either accepts or refuses with a 400 whose OperationOutcome names an
 * existing entry; an accepted Bundle is accepted again after another JSON round trip, and each
 * of its POST/PUT entries carries a resource of the type its URL addresses; reading an entry URL
 * never fails with anything but a 400. Anything else would be a 500 at the server.
 */
class TransactionEntriesFuzzTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final Bundle.HTTPVerb[] METHODS = Bundle.HTTPVerb.values();

    private final TransactionBundleGuard guard = new TransactionBundleGuard();

    @FuzzTest(maxDuration = "20s")
    void entriesAreAcceptedOrRefusedWithAnIssueNamingTheEntry(FuzzedDataProvider data) {
        Bundle sent = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        int count = data.consumeInt(0, 4);
        for (int i = 0; i < count; i++) {
            Bundle.BundleEntryComponent entry = sent.addEntry();
            if (data.consumeBoolean()) {
                entry.getRequest().setMethod(METHODS[data.consumeInt(0, METHODS.length - 1)]);
            }
            if (data.consumeBoolean()) {
                entry.getRequest().setUrl(data.consumeString(60));
            }
            Resource resource = switch (data.consumeInt(0, 3)) {
                case 0 -> null;
                case 1 -> new Patient();
                case 2 -> new Observation();
                default -> new Encounter();
            };
            if (resource != null) {
                // Never empty: HAPI's encoder drops an empty resource, so its round trip would differ.
                resource.getMeta().addTag().setCode("fuzz");
                if (data.consumeBoolean()) {
                    resource.setId(data.consumeString(40));
                }
            }
            entry.setResource(resource);
        }
        IParser json = FHIR.newJsonParser();
        Bundle received = json.parseResource(Bundle.class, json.encodeResourceToString(sent));

        boolean accepted = decide(received);
        for (int i = 0; i < received.getEntry().size(); i++) {
            readUrl(received.getEntry().get(i).getRequest().getUrl(), "Bundle.entry[" + i + "]");
        }
        if (!accepted) {
            return;
        }
        for (Bundle.BundleEntryComponent entry : received.getEntry()) {
            Bundle.HTTPVerb method = entry.getRequest().getMethod();
            if (method == Bundle.HTTPVerb.POST || method == Bundle.HTTPVerb.PUT) {
                assertThat(entry.getResource().fhirType())
                        .isEqualTo(BundleEntryUrls.resourceType(entry.getRequest().getUrl()));
            }
        }
        String reencoded = json.encodeResourceToString(received);
        Bundle again = json.parseResource(Bundle.class, reencoded);
        assertThat(decide(again)).as("an accepted Bundle is accepted after a JSON round trip: %s, sent as %s",
                reencoded, json.encodeResourceToString(sent)).isTrue();
    }

    private boolean decide(Bundle bundle) {
        SystemRequestDetails request = new SystemRequestDetails();
        request.setResource(bundle);
        try {
            guard.checkTransaction(request, RestOperationTypeEnum.TRANSACTION);
            return true;
        } catch (InvalidRequestException refused) {
            OperationOutcome outcome = (OperationOutcome) refused.getOperationOutcome();
            assertThat(outcome.getIssue()).hasSize(1);
            String where = outcome.getIssueFirstRep().getExpression().get(0).getValue();
            assertThat(where).matches("Bundle\\.entry\\[\\d+\\].*");
            int index = Integer.parseInt(where.substring("Bundle.entry[".length(), where.indexOf(']')));
            assertThat(index).isLessThan(bundle.getEntry().size());
            return false;
        }
    }

    private static void readUrl(String url, String where) {
        try {
            BundleEntryUrls.resourceType(url);
            BundleEntryUrls.resourceId(url);
            if (url != null && url.contains("?")) {
                Map<String, String[]> parameters = BundleEntryUrls.queryParameters(url, where);
                assertThat(parameters.keySet()).doesNotContainNull();
            }
        } catch (InvalidRequestException refused) {
            OperationOutcome outcome = (OperationOutcome) refused.getOperationOutcome();
            assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo(where + ".request.url");
        }
    }
}
