package ml.santerurale.server.smart;

import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestKeycloak;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SMART Backend Services against the real Keycloak: the sample clients {@code smart-demo-backend}
 * and {@code smart-demo-backend-es384} sign their client assertions (RS384, ES384) with the
 * development keys of keycloak-realm/dev/, get a
 * {@code system/Patient.rs} token by client credentials, reads patients and cannot write; a
 * forged, expired, too old or replayed assertion gets no token (401 invalid_client, from
 * keycloak-smart's client authenticator {@code client-jwt-smart}), and a forged token is refused
 * by the server.
 */
class BackendServicesTest extends ServerIntegrationTest {

    private static final String CLIENT = "smart-demo-backend";
    private static final Path DEV_KEYS = Path.of(System.getProperty("user.dir")).getParent().resolve("keycloak-realm/dev");
    private static final Path DEV_KEY = DEV_KEYS.resolve("smart-demo-backend-private-key.jwk.json");

    /** Who signs a client assertion: the client, with which algorithm, key id and key. */
    private record Signer(String client, JWSAlgorithm algorithm, String keyId, JWSSigner signer) {

        /** The development key of the sample client that signs with this algorithm (RS384 or ES384). */
        static Signer sample(String algorithm) throws Exception {
            if ("ES384".equals(algorithm)) {
                ECKey key = ECKey.parse(Files.readString(DEV_KEYS.resolve("smart-demo-backend-es384-private-key.jwk.json")));
                return new Signer(CLIENT + "-es384", JWSAlgorithm.ES384, key.getKeyID(), new ECDSASigner(key));
            }
            return rs384(devKey());
        }

        static Signer rs384(RSAKey key) throws Exception {
            return new Signer(CLIENT, JWSAlgorithm.RS384, key.getKeyID(), new RSASSASigner(key));
        }
    }

    private final TestKeycloak keycloak = TestKeycloak.get();

    @BeforeEach
    void keycloakIsUp() {
        keycloak.awaitReady(Duration.ofMinutes(10));
    }

    private static RSAKey devKey() throws Exception {
        return RSAKey.parse(Files.readString(DEV_KEY));
    }

    private String assertion(RSAKey key, Instant issuedAt, Instant expires) throws Exception {
        return assertion(Signer.rs384(key), issuedAt, expires);
    }

    private String assertion(Signer signer, Instant issuedAt, Instant expires) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(signer.client()).subject(signer.client())
                .audience(keycloak.oidcEndpoints() + "/token")
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(issuedAt))
                .expirationTime(Date.from(expires))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(signer.algorithm()).keyID(signer.keyId())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(signer.signer());
        return jwt.serialize();
    }

    private HttpResponse<String> clientCredentials(String assertion, String scope) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("grant_type", "client_credentials");
        fields.put("scope", scope);
        fields.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        fields.put("client_assertion", assertion);
        String form = fields.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(URI.create(keycloak.oidcEndpoints() + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    private String systemToken(String scope) throws Exception {
        return systemToken(Signer.rs384(devKey()), scope);
    }

    private String systemToken(Signer signer, String scope) throws Exception {
        Instant now = Instant.now();
        HttpResponse<String> response = clientCredentials(assertion(signer, now, now.plusSeconds(60)), scope);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, Object> body = JSONObjectUtils.parse(response.body());
        assertThat(body.get("scope").toString().split(" ")).contains(scope);
        return body.get("access_token").toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS384", "ES384"})
    void aSystemPatientReadTokenReadsPatientsAndCannotWrite(String algorithm) throws Exception {
        Patient patient = ClinicalRecords.patient("Sangare", "Fatoumata", "cscom-konobougou");
        assertThat(putJson("/Patient/" + patient.getIdPart(), json(patient)).statusCode()).isEqualTo(201);

        String token = systemToken(Signer.sample(algorithm), "system/Patient.rs");
        HttpResponse<String> read = as(token, () -> get("/Patient/" + patient.getIdPart()));
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        HttpResponse<String> search = as(token, () -> get("/Patient?_id=" + patient.getIdPart()));
        assertThat(parse(Bundle.class, search.body()).getEntry()).hasSize(1);

        Patient another = ClinicalRecords.patient("Sangare", "Oumar", "cscom-konobougou");
        assertOutcome(fhirContext, as(token, () -> putJson("/Patient/" + another.getIdPart(), json(another))), 403, "forbidden",
                "no scope of this token permits 'u' (update) on Patient");
        assertOutcome(fhirContext, as(token, () -> get("/Observation?patient=" + patient.getIdPart())), 403, "forbidden",
                "no scope of this token permits 's' (search) on Observation");
    }

    /**
     * The backend clients authenticate with {@code client-jwt-smart} (keycloak-smart/): Keycloak's
     * own signed-JWT checks and error descriptions, but a refused assertion gets 401 where
     * Keycloak's {@code client-jwt} answers 400. RFC 6749 section 5.2 allows 401 for
     * {@code invalid_client}; SMART Backend Services requires that error code. A valid assertion
     * still gets a token, once.
     */
    @Test
    void aForgedOrExpiredAssertionGetsNoTokenButInvalidClient() throws Exception {
        Instant now = Instant.now();
        RSAKey forger = new RSAKeyGenerator(2048).keyID(devKey().getKeyID()).generate();
        assertInvalidClient(clientCredentials(assertion(forger, now, now.plusSeconds(60)), "system/Patient.rs"),
                "Client authentication with signed JWT failed: Signature on JWT token failed validation");
        assertInvalidClient(clientCredentials(assertion(devKey(), now.minusSeconds(600), now.minusSeconds(300)), "system/Patient.rs"),
                "Token is not active");
        assertInvalidClient(clientCredentials(assertion(devKey(), now.minusSeconds(120), now.plusSeconds(60)), "system/Patient.rs"),
                "Token was issued too far in the past to be used now");
        Signer es384 = Signer.sample("ES384");
        ECKey es384Forger = new ECKeyGenerator(Curve.P_384).keyID(es384.keyId()).generate();
        assertInvalidClient(clientCredentials(assertion(new Signer(es384.client(), JWSAlgorithm.ES384, es384.keyId(),
                        new ECDSASigner(es384Forger)), now, now.plusSeconds(60)), "system/Patient.rs"),
                "Client authentication with signed JWT failed: Signature on JWT token failed validation");
        String once = assertion(devKey(), now, now.plusSeconds(60));
        assertThat(clientCredentials(once, "system/Patient.rs").statusCode()).isEqualTo(200);
        assertInvalidClient(clientCredentials(once, "system/Patient.rs"), "Token reuse detected");
    }

    private static void assertInvalidClient(HttpResponse<String> response, String description) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        Map<String, Object> error = JSONObjectUtils.parse(response.body());
        assertThat(error.get("error")).isEqualTo("invalid_client");
        assertThat(error.get("error_description")).isEqualTo(description);
        assertThat(error).doesNotContainKey("access_token");
    }

    @Test
    void aForgedAccessTokenIsRefusedByTheServer() throws Exception {
        String token = systemToken("system/Patient.rs");
        String[] parts = token.split("\\.");
        JWTClaimsSet widened = new JWTClaimsSet.Builder(JWTClaimsSet.parse(new String(
                com.nimbusds.jose.util.Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8)))
                .claim("scope", "system/*.cruds").build();
        String forged = parts[0] + "." + com.nimbusds.jose.util.Base64URL.encode(widened.toString()) + "." + parts[2];
        assertOutcome(fhirContext, as(forged, () -> get("/Patient?_count=1")), 401, "login", "");
    }
}
