package ml.santerurale.interceptors.security;

/** An access token that must not be trusted; the message says why, without echoing the token. */
public class InvalidTokenException extends Exception {

    public InvalidTokenException(String message) {
        super(message);
    }

    public InvalidTokenException(String message, Throwable cause) {
        super(message, cause);
    }
}
