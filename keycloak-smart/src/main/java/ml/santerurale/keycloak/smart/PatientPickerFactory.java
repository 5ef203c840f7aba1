package ml.santerurale.keycloak.smart;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.keycloak.Config;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;

/**
 * Registers {@link PatientPicker} as the authenticator {@code smart-patient-select}. Which FHIR
 * servers it may search (the launch's {@code aud}) is a regular expression: the SPI option
 * {@code fhir-base-pattern}, else the environment variable {@code SRM_SMART_FHIR_BASE_PATTERN},
 * else {@value #DEVELOPMENT_PATTERN} (development only: any local port).
 */
public final class PatientPickerFactory implements AuthenticatorFactory {

    public static final String ID = "smart-patient-select";
    static final String DEVELOPMENT_PATTERN = "http://localhost(:[0-9]+)?/fhir";

    private Pattern fhirBases = Pattern.compile(DEVELOPMENT_PATTERN);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return new PatientPicker(fhirBases, http);
    }

    @Override
    public void init(Config.Scope config) {
        String fromEnvironment = System.getenv("SRM_SMART_FHIR_BASE_PATTERN");
        String pattern = config.get("fhir-base-pattern",
                fromEnvironment == null || fromEnvironment.isBlank() ? DEVELOPMENT_PATTERN : fromEnvironment);
        fhirBases = Pattern.compile(pattern);
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }

    @Override
    public String getDisplayType() {
        return "SMART: choisir le patient";
    }

    @Override
    public String getReferenceCategory() {
        return "smart-launch-patient";
    }

    @Override
    public boolean isConfigurable() {
        return false;
    }

    @Override
    public AuthenticationExecutionModel.Requirement[] getRequirementChoices() {
        return new AuthenticationExecutionModel.Requirement[] {
                AuthenticationExecutionModel.Requirement.REQUIRED, AuthenticationExecutionModel.Requirement.DISABLED};
    }

    @Override
    public boolean isUserSetupAllowed() {
        return false;
    }

    @Override
    public String getHelpText() {
        return "When an app asks for launch/patient, the user picks one of the patients they may see on the FHIR server.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }
}
