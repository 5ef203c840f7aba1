package ml.santerurale.keycloak.smart;

import jakarta.ws.rs.core.Response;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.keycloak.OAuthErrorException;
import org.keycloak.authentication.ClientAuthenticationFlowContext;
import org.keycloak.authentication.authenticators.client.JWTClientAuthenticator;
import org.keycloak.representations.idm.OAuth2ErrorRepresentation;

/**
 * The client authenticator {@code client-jwt-smart}: {@code private_key_jwt} exactly as Keycloak's
 * own {@code client-jwt} (same keys, algorithm, lifetime and replay checks, same error
 * descriptions), except that a refused assertion gets HTTP 401 instead of 400, with the same body
 * {@code {"error":"invalid_client","error_description":...}} (RFC 6749 section 5.2 allows 401 for
 * {@code invalid_client}; SMART Backend Services' tests expect it).
 *
 * <p>It extends Keycloak's authenticator rather than wrapping one: Keycloak's validator ignores a
 * client whose {@code clientAuthenticatorType} is not the id of the authenticator that runs it, so
 * the validation must run under this id. All validation is Keycloak's ({@code super}); this class
 * only hands it a context whose failure responses are turned from 400 into 401. No
 * {@code WWW-Authenticate} header is added: the assertion travels in the form body, not in an HTTP
 * authentication scheme (RFC 6749 asks for the header when the client used the Authorization
 * header), and Keycloak's own 401 for a wrong client secret carries none either.
 *
 * <p>A client using it needs an execution of it in the realm's client authentication flow.
 */
public final class SmartJwtClientAuthenticator extends JWTClientAuthenticator {

    public static final String ID = "client-jwt-smart";

    @Override
    public void authenticateClient(ClientAuthenticationFlowContext context) {
        super.authenticateClient(unauthorizedOnFailure(context));
    }

    /** The context, but a 400 {@code invalid_client} response given to it becomes a 401. */
    static ClientAuthenticationFlowContext unauthorizedOnFailure(ClientAuthenticationFlowContext context) {
        InvocationHandler handler = (proxy, method, args) -> invoke(context, method, args);
        return (ClientAuthenticationFlowContext) Proxy.newProxyInstance(SmartJwtClientAuthenticator.class.getClassLoader(),
                new Class<?>[] {ClientAuthenticationFlowContext.class}, handler);
    }

    private static Object invoke(ClientAuthenticationFlowContext context, Method method, Object[] args) throws Throwable {
        if (args != null) {
            for (int i = 0; i < args.length; i++) {
                if (args[i] instanceof Response response) {
                    args[i] = unauthorized(response);
                }
            }
        }
        try {
            return method.invoke(context, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** A 400 {@code invalid_client} error as 401, same body and headers; any other response as is. */
    static Response unauthorized(Response response) {
        if (response.getStatus() != Response.Status.BAD_REQUEST.getStatusCode()
                || !(response.getEntity() instanceof OAuth2ErrorRepresentation error)
                || !OAuthErrorException.INVALID_CLIENT.equals(error.getError())) {
            return response;
        }
        return Response.fromResponse(response).status(Response.Status.UNAUTHORIZED).build();
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getDisplayType() {
        return "Signed JWT (SMART, 401 on failure)";
    }

    @Override
    public String getHelpText() {
        return "Keycloak's Signed JWT (private_key_jwt) client authentication, answering a refused assertion with 401 invalid_client instead of 400.";
    }
}
