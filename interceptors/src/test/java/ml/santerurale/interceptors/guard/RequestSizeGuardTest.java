package ml.santerurale.interceptors.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PayloadTooLargeException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class RequestSizeGuardTest {

    private final RequestSizeGuard guard = new RequestSizeGuard(100);

    @Test
    void passesABodyAtTheLimitToHapiAsItIs() {
        MockHttpServletRequest request = post("x".repeat(100).getBytes(StandardCharsets.UTF_8));
        ServletRequestDetails details = new ServletRequestDetails();
        assertThat(guard.refuseOversizedBody(details, request)).isTrue();
        assertThat(details.loadRequestContents()).hasSize(100);
    }

    @Test
    void refusesADeclaredLengthOverTheLimitBeforeReading() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/fhir") {
            @Override
            public long getContentLengthLong() {
                return 101;
            }
        };
        request.setContent(new byte[10]);
        assertThatThrownBy(() -> guard.refuseOversizedBody(new ServletRequestDetails(), request))
                .isInstanceOf(PayloadTooLargeException.class);
    }

    @Test
    void refusesABodyWithoutLengthThatGrowsOverTheLimit() {
        // A chunked body: the container knows no length until it has read it all.
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/fhir") {
            @Override
            public int getContentLength() {
                return -1;
            }

            @Override
            public long getContentLengthLong() {
                return -1;
            }
        };
        request.setContent(new byte[101]);
        request.removeHeader("Content-Length");
        assertThat(request.getContentLengthLong()).as("the guard is not told the length").isEqualTo(-1);
        PayloadTooLargeException refused = (PayloadTooLargeException) catchThrowable(request);
        OperationOutcome outcome = (OperationOutcome) refused.getOperationOutcome();
        assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.TOOLONG);
    }

    @Test
    void inflatesGzipBodiesAndCountsTheInflatedSize() throws IOException {
        MockHttpServletRequest small = post(gzip("y".repeat(90)));
        small.addHeader("Content-Encoding", "gzip");
        ServletRequestDetails details = new ServletRequestDetails();
        guard.refuseOversizedBody(details, small);
        assertThat(new String(details.loadRequestContents(), StandardCharsets.UTF_8)).isEqualTo("y".repeat(90));

        MockHttpServletRequest bomb = post(gzip("z".repeat(100_000)));
        bomb.addHeader("Content-Encoding", "gzip");
        assertThat(bomb.getContentLength()).isLessThan(1000);
        assertThatThrownBy(() -> guard.refuseOversizedBody(new ServletRequestDetails(), bomb))
                .isInstanceOf(PayloadTooLargeException.class);
    }

    @Test
    void refusesABodyThatIsNotTheGzipItClaims() {
        MockHttpServletRequest request = post("{}".getBytes(StandardCharsets.UTF_8));
        request.addHeader("Content-Encoding", "gzip");
        assertThatThrownBy(() -> guard.refuseOversizedBody(new ServletRequestDetails(), request))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("not valid gzip");
    }

    @Test
    void refusesAGzipBodyCutShortAsABadRequest() throws IOException {
        // RequestBodyFuzzTest's finding (its input one-byte-gzip-body: the body 0x02, said to be
        // gzip) was a 500; so was any gzip stream cut short.
        byte[] whole = gzip("{\"resourceType\":\"Patient\"}");
        for (byte[] body : new byte[][] {{0x02}, Arrays.copyOf(whole, 5), Arrays.copyOf(whole, whole.length - 4)}) {
            MockHttpServletRequest request = post(body);
            request.addHeader("Content-Encoding", "gzip");
            Throwable refused = catchThrowable(request);
            assertThat(refused).isInstanceOf(InvalidRequestException.class).hasMessageContaining("not valid gzip");
            assertThat(((InvalidRequestException) refused).getOperationOutcome()).isNotNull();
        }
    }

    @Test
    void leavesReadsAlone() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/fhir/Patient");
        assertThat(guard.refuseOversizedBody(new ServletRequestDetails(), request)).isTrue();
    }

    private Throwable catchThrowable(MockHttpServletRequest request) {
        try {
            guard.refuseOversizedBody(new ServletRequestDetails(), request);
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static MockHttpServletRequest post(byte[] body) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/fhir");
        request.setContent(body);
        return request;
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
