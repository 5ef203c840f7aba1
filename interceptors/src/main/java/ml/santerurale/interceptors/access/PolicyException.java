package ml.santerurale.interceptors.access;

/** The access policy file is wrong; the server must not start with it. */
public class PolicyException extends RuntimeException {

    public PolicyException(String message) {
        super(message);
    }
}
