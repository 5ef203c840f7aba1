package ml.santerurale.interceptors.guard;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PayloadTooLargeException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Refuses request bodies larger than a limit with 413 and an OperationOutcome, before HAPI parses
 * anything, so nothing is written.
 *
 * <p>The limit applies to the body as HAPI would parse it: a gzip-encoded body is inflated here,
 * at most {@code limit + 1} bytes of it, so a small compressed body cannot expand into an
 * unbounded one in memory. The guard reads the body itself and hands the bytes to HAPI through
 * {@link RequestDetails#setRequestContents(byte[])}; HAPI then never reads the stream again.
 *
 * <p>A body that says it is gzip but is not, or is cut short, is refused with 400. An I/O failure
 * of the connection itself is a 500 (indistinguishable here from a failing container).
 *
 * <p>Does not guarantee: a limit on the number of bytes the container buffers for headers or
 * multipart forms (container settings), nor on bodies of methods other than POST, PUT and PATCH.
 */
@Interceptor
public class RequestSizeGuard {

    private final long limitBytes;

    public RequestSizeGuard(long limitBytes) {
        if (limitBytes < 1) {
            throw new IllegalArgumentException("The request size limit must be positive, got " + limitBytes);
        }
        this.limitBytes = limitBytes;
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
    public boolean refuseOversizedBody(RequestDetails requestDetails, HttpServletRequest servletRequest) {
        String method = servletRequest.getMethod();
        if (!"POST".equals(method) && !"PUT".equals(method) && !"PATCH".equals(method)) {
            return true;
        }
        long declared = servletRequest.getContentLengthLong();
        if (declared > limitBytes) {
            throw tooLarge();
        }
        boolean gzip = "gzip".equalsIgnoreCase(trim(servletRequest.getHeader("Content-Encoding")));
        try (InputStream raw = servletRequest.getInputStream()) {
            byte[] body = gzip ? readBounded(new GZIPInputStream(raw)) : readBounded(raw);
            requestDetails.setRequestContents(body);
        } catch (ZipException | EOFException e) {
            // Not gzip, or gzip cut short (found by RequestBodyFuzzTest: a one-byte body was a 500).
            throw notGzip(e);
        } catch (IOException e) {
            throw new InternalErrorException("Could not read the request body: " + e.getMessage(), e);
        }
        return true;
    }

    private static InvalidRequestException notGzip(IOException e) {
        String message = "The request says Content-Encoding: gzip but its body is not valid gzip"
                + (e instanceof EOFException ? " (it ends before the compressed data does)" : "");
        return new InvalidRequestException(message + ": " + e.getMessage(),
                OperationOutcomes.error(OperationOutcome.IssueType.INVALID, message, null));
    }

    private byte[] readBounded(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            total += n;
            if (total > limitBytes) {
                throw tooLarge();
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private PayloadTooLargeException tooLarge() {
        String message = "The request body is larger than this server accepts (" + limitBytes
                + " bytes). Split the Bundle into smaller ones.";
        PayloadTooLargeException exception = new PayloadTooLargeException(message);
        exception.setOperationOutcome(OperationOutcomes.error(OperationOutcome.IssueType.TOOLONG, message, null));
        return exception;
    }

    private static String trim(String value) {
        return value == null ? null : value.trim();
    }
}
