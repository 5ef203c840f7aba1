package ml.santerurale.keycloak.smart;

import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * What a SMART standalone launch asked for, from the authorization request: whether it wants a
 * launch patient ({@code launch/patient} in {@code scope}), and which FHIR server it launches
 * against ({@code aud}), accepted only when it matches the configured pattern, since the
 * picker sends the user's token there.
 */
final class LaunchRequest {

    static final String LAUNCH_PATIENT = "launch/patient";

    private LaunchRequest() {}

    static boolean asksForPatient(String scope) {
        return scope != null && Arrays.asList(scope.trim().split("\\s+")).contains(LAUNCH_PATIENT);
    }

    /** The FHIR base to search, without a trailing slash, or null when {@code aud} is absent or not allowed. */
    static String fhirBase(String aud, Pattern allowed) {
        if (aud == null || aud.isBlank()) {
            return null;
        }
        String base = aud.trim().replaceAll("/+$", "");
        return allowed.matcher(base).matches() ? base : null;
    }
}
