package ml.santerurale.interceptors.security;

/** Turns a bearer access token into the verified caller, or says why it cannot be trusted. */
public interface TokenVerifier {

    Caller verify(String token) throws InvalidTokenException;
}
