package ml.santerurale.interceptors.guard;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PayloadTooLargeException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.springframework.mock.web.MockHttpServletRequest;

/**
 * Fuzzes a request body the way the server reads it: {@link RequestSizeGuard} (the body, gzip or
 * not, bounded), HAPI's JSON parser, then {@link TransactionBundleGuard} when it is a transaction.
 *
 * <p>Invariants: each step either passes or refuses with a 4xx (413 or 400 from the guards, HAPI's
 * {@link DataFormatException}, which HAPI answers 400, and whatever else the parser throws as
 * {@link InternalDetailsNeverLeave} answers it); nothing answers 500. A body the size guard
 * passes reaches HAPI byte for byte.
 */
class RequestBodyFuzzTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final int LIMIT = 4096;

    private final RequestSizeGuard sizeGuard = new RequestSizeGuard(LIMIT);
    private final TransactionBundleGuard bundleGuard = new TransactionBundleGuard();

    @FuzzTest(maxDuration = "20s")
    void aBodyIsReadOrRefusedWithAClientError(FuzzedDataProvider data) {
        boolean gzip = data.consumeBoolean();
        byte[] body = data.consumeRemainingAsBytes();

        MockHttpServletRequest servletRequest = new MockHttpServletRequest("POST", "/fhir");
        servletRequest.setContent(body);
        if (gzip) {
            servletRequest.addHeader("Content-Encoding", "gzip");
        }
        ServletRequestDetails details = new ServletRequestDetails();
        try {
            sizeGuard.refuseOversizedBody(details, servletRequest);
        } catch (PayloadTooLargeException | InvalidRequestException refused) {
            assertThat(refused.getOperationOutcome()).as("a refusal says why").isNotNull();
            return;
        }
        byte[] passed = details.loadRequestContents();
        if (!gzip) {
            assertThat(passed).isEqualTo(body);
        }
        assertThat(passed.length).isLessThanOrEqualTo(LIMIT);

        IBaseResource resource;
        try {
            resource = FHIR.newJsonParser().parseResource(new String(passed, StandardCharsets.UTF_8));
        } catch (DataFormatException refused) {
            return; // HAPI answers 400
        } catch (RuntimeException unexpected) {
            // Anything else HAPI's parser throws reaches the error guard: it must answer a 4xx, never 500.
            BaseServerResponseException answer = new InternalDetailsNeverLeave().hideInternals(null,
                    new InternalErrorException(unexpected));
            assertThat(answer).as("the answer to %s", unexpected).isNotNull();
            assertThat(answer.getStatusCode()).as("the answer to %s", unexpected).isBetween(400, 499);
            return;
        }
        if (resource instanceof Bundle bundle && bundle.getType() == Bundle.BundleType.TRANSACTION) {
            SystemRequestDetails request = new SystemRequestDetails();
            request.setResource(bundle);
            try {
                bundleGuard.checkTransaction(request, RestOperationTypeEnum.TRANSACTION);
            } catch (InvalidRequestException refused) {
                assertThat(refused.getStatusCode()).isEqualTo(400);
            }
        }
    }
}
