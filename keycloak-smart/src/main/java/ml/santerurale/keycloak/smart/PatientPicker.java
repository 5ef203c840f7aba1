package ml.santerurale.keycloak.smart;

import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.net.http.HttpClient;
import java.util.List;
import java.util.regex.Pattern;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.Authenticator;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * The SMART standalone-launch patient picker, the last step of the login: when the app asked for
 * {@code launch/patient}, the user searches by name among the patients they may see on the FHIR
 * server named by the launch's {@code aud} (searched with a one-minute token of their own, so the
 * server's roles and sites decide what is listed), and picks one: a form field {@code patient}
 * whose value is the patient id. The id is kept as the user-session note {@code patient}, which
 * the realm's {@code launch/patient} scope maps into the access token and the token response.
 * Every SMART login passes here, so it also keeps the user's {@code fhirUser} ({@link FhirUserNote}).
 *
 * <p>Does not guarantee that the patient stays visible to the user afterwards (the FHIR server
 * checks every request), and shows nothing when the app did not ask for a patient.
 */
final class PatientPicker implements Authenticator {

    static final String TEMPLATE = "smart-patient-select.ftl";
    static final String NOTE = "patient";

    private final Pattern fhirBases;
    private final HttpClient http;

    PatientPicker(Pattern fhirBases, HttpClient http) {
        this.fhirBases = fhirBases;
        this.http = http;
    }

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        FhirUserNote.copy(context);
        if (!LaunchRequest.asksForPatient(context.getAuthenticationSession().getClientNote("scope"))) {
            context.success();
            return;
        }
        if (fhirBase(context) == null) {
            context.failure(AuthenticationFlowError.INTERNAL_ERROR, context.form()
                    .setError("Lancement SMART : paramètre aud absent ou serveur FHIR non autorisé.")
                    .createErrorPage(Response.Status.BAD_REQUEST));
            return;
        }
        context.challenge(page(context, "", List.of(), null));
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        MultivaluedMap<String, String> form = context.getHttpRequest().getDecodedFormParameters();
        String base = fhirBase(context);
        if (base == null) {
            context.failure(AuthenticationFlowError.INTERNAL_ERROR);
            return;
        }
        FhirPatients patients = new FhirPatients(http, base, UserToken.mint(context));
        String picked = form.getFirst("patient");
        if (picked != null && !picked.isBlank()) {
            if (patients.visible(picked.trim())) {
                context.getAuthenticationSession().setUserSessionNote(NOTE, picked.trim());
                context.success();
            } else {
                context.challenge(page(context, "", List.of(), "Ce patient n'est pas accessible."));
            }
            return;
        }
        String query = form.getFirst("q") == null ? "" : form.getFirst("q").trim();
        List<FhirPatients.Summary> found = query.isEmpty() ? List.of() : patients.search(query);
        context.challenge(page(context, query, found, found.isEmpty() && !query.isEmpty() ? "Aucun patient trouvé." : null));
    }

    private String fhirBase(AuthenticationFlowContext context) {
        return LaunchRequest.fhirBase(context.getAuthenticationSession().getClientNote("client_request_param_aud"), fhirBases);
    }

    private static Response page(AuthenticationFlowContext context, String query, List<FhirPatients.Summary> patients, String error) {
        LoginFormsProvider form = context.form().setAttribute("query", query)
                .setAttribute("patients", patients.stream().map(FhirPatients.Summary::forTemplate).toList());
        if (error != null) {
            form.setError(error);
        }
        return form.createForm(TEMPLATE);
    }

    @Override
    public boolean requiresUser() {
        return true;
    }

    @Override
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        return true;
    }

    @Override
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
    }

    @Override
    public void close() {
    }
}
