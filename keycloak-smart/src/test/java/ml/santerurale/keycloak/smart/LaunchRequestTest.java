package ml.santerurale.keycloak.smart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LaunchRequestTest {

    private static final Pattern DEV = Pattern.compile(PatientPickerFactory.DEVELOPMENT_PATTERN);

    @Test
    void onlyALaunchPatientScopeAsksForAPatient() {
        assertThat(LaunchRequest.asksForPatient("openid launch/patient patient/*.rs")).isTrue();
        assertThat(LaunchRequest.asksForPatient("openid patient/*.rs launch")).isFalse();
        assertThat(LaunchRequest.asksForPatient("launch/patients")).isFalse();
        assertThat(LaunchRequest.asksForPatient(null)).isFalse();
    }

    @Test
    void theUsersTokenGoesOnlyToAnAllowedFhirServer() {
        assertThat(LaunchRequest.fhirBase("http://localhost:8080/fhir/", DEV)).isEqualTo("http://localhost:8080/fhir");
        assertThat(LaunchRequest.fhirBase("http://localhost/fhir", DEV)).isEqualTo("http://localhost/fhir");
        assertThat(LaunchRequest.fhirBase("http://evil.example/fhir", DEV)).isNull();
        assertThat(LaunchRequest.fhirBase("http://localhost:8080/fhir@evil.example/fhir", DEV)).isNull();
        assertThat(LaunchRequest.fhirBase("http://localhost.evil.example/fhir", DEV)).isNull();
        assertThat(LaunchRequest.fhirBase(null, DEV)).isNull();
    }
}
