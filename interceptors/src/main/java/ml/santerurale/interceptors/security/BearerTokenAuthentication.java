package ml.santerurale.interceptors.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import jakarta.servlet.http.HttpServletRequest;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Requires a valid bearer access token on every FHIR request except the capability statement,
 * and attaches the verified {@link Caller} to the request for the access policy and the audit.
 * Anything else is 401 with an OperationOutcome and a {@code WWW-Authenticate: Bearer} header.
 *
 * <p>Runs before every other hook on the request (order -1000), so no body of an
 * unauthenticated caller is read. Does not decide what the caller may do: that is the policy's.
 */
@Interceptor
public class BearerTokenAuthentication {

    private final TokenVerifier verifier;
    private final String realm;

    public BearerTokenAuthentication(TokenVerifier verifier, String realm) {
        this.verifier = verifier;
        this.realm = realm;
    }

    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED, order = -1000)
    public boolean authenticate(RequestDetails requestDetails, HttpServletRequest servletRequest) {
        if (isCapabilityStatement(requestDetails, servletRequest)) {
            return true;
        }
        String authorization = servletRequest.getHeader("Authorization");
        if (authorization == null || authorization.isBlank()) {
            throw unauthorized(null, "This server needs a bearer access token (Authorization: Bearer ...)");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthorized("invalid_request", "Only bearer access tokens are accepted");
        }
        try {
            verifier.verify(authorization.substring(7).trim()).attachTo(requestDetails);
        } catch (InvalidTokenException e) {
            throw unauthorized("invalid_token", e.getMessage());
        }
        return true;
    }

    private static boolean isCapabilityStatement(RequestDetails requestDetails, HttpServletRequest servletRequest) {
        if (requestDetails.getRestOperationType() == RestOperationTypeEnum.METADATA) {
            return true;
        }
        String path = servletRequest.getPathInfo();
        return "GET".equals(servletRequest.getMethod()) && ("/metadata".equals(path) || "/metadata/".equals(path));
    }

    private AuthenticationException unauthorized(String error, String description) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
                .setCode(OperationOutcome.IssueType.LOGIN).setDiagnostics(description);
        AuthenticationException exception = new AuthenticationException(description);
        exception.setOperationOutcome(outcome);
        String challenge = "Bearer realm=\"" + realm + "\""
                + (error == null ? "" : ", error=\"" + error + "\", error_description=\"" + description.replace("\"", "'") + "\"");
        exception.addResponseHeader("WWW-Authenticate", challenge);
        return exception;
    }
}
