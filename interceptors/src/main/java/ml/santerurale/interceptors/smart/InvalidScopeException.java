package ml.santerurale.interceptors.smart;

/**
 * A token's scope that cannot be honoured: malformed, naming an unknown or unserved type, a
 * granular parameter this server does not enforce, or a patient scope without a launch patient.
 * The message names the scope and says why; the token is refused rather than read more widely.
 */
public class InvalidScopeException extends RuntimeException {

    private final String scope;

    public InvalidScopeException(String scope, String reason) {
        super("The scope '" + scope + "' cannot be honoured: " + reason);
        this.scope = scope;
    }

    public String scope() {
        return scope;
    }
}
