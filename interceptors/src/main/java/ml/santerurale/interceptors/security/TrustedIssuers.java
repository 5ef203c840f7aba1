package ml.santerurale.interceptors.security;

import com.nimbusds.jwt.JWTParser;
import java.text.ParseException;
import java.util.Map;

/**
 * Routes a token to the verifier of the issuer it names. The unverified {@code iss} only selects
 * which keys to check the signature with; an issuer not configured is refused outright.
 * Production configures exactly one issuer (the Keycloak realm).
 */
public final class TrustedIssuers implements TokenVerifier {

    private final Map<String, AccessTokenVerifier> byIssuer;

    public TrustedIssuers(Map<String, AccessTokenVerifier> byIssuer) {
        if (byIssuer.isEmpty()) {
            throw new IllegalArgumentException("At least one trusted token issuer is required");
        }
        this.byIssuer = Map.copyOf(byIssuer);
    }

    @Override
    public Caller verify(String token) throws InvalidTokenException {
        String issuer;
        try {
            issuer = JWTParser.parse(token).getJWTClaimsSet().getIssuer();
        } catch (ParseException e) {
            throw new InvalidTokenException("The access token is not a well-formed JWT");
        }
        AccessTokenVerifier verifier = issuer == null ? null : byIssuer.get(issuer);
        if (verifier == null) {
            throw new InvalidTokenException("The access token was issued by an issuer this server does not trust");
        }
        return verifier.verify(token);
    }
}
