package ml.santerurale.keycloak.smart;

import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.models.UserModel;

/**
 * The SMART {@code fhirUser} of a login: the user's attribute {@code fhirUser} (a reference such
 * as {@code Practitioner/demo-soignant-konobougou}, set by administrators), kept as the
 * user-session note {@code fhirUser}, which the realm's {@code fhirUser} client scope maps into the
 * id token, the access token and the token response (as {@code launch/patient} does with
 * {@code patient}). Being a session note, it also rides on refreshed and offline tokens.
 *
 * <p>Does not check that the resource exists on the FHIR server, and does not follow a change of
 * the attribute before the user's next login.
 */
final class FhirUserNote {

    static final String ATTRIBUTE = "fhirUser";

    private FhirUserNote() {
    }

    static void copy(AuthenticationFlowContext context) {
        UserModel user = context.getUser();
        String fhirUser = user == null ? null : user.getFirstAttribute(ATTRIBUTE);
        if (fhirUser != null && !fhirUser.isBlank()) {
            context.getAuthenticationSession().setUserSessionNote(ATTRIBUTE, fhirUser.trim());
        }
    }
}
