package ml.santerurale.server.support;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A token issuer for tests of the policy: an RSA and an EC key whose JWKS is served on a loopback port, and
 * tokens shaped like Keycloak's (issuer, audience, {@code typ: Bearer}, realm roles, site ids).
 * The login path itself is proven against the real Keycloak; this makes the rest fast.
 * One instance per JVM.
 */
public final class TestTokens {

    public static final String ISSUER = "http://127.0.0.1/realms/sante-mali-test";
    public static final String OUTAGE_ISSUER = "http://127.0.0.1/realms/sante-mali-outage";
    public static final String AUDIENCE = "fhir-server";

    private static final TestTokens INSTANCE = new TestTokens(ISSUER);
    private static final TestTokens OUTAGE = new TestTokens(OUTAGE_ISSUER);

    private final String issuer;

    private final RSAKey key;
    private final RSAKey otherKey;
    private final ECKey ecKey;
    private final ECKey unpublishedEcKey;
    private final AtomicReference<JWKSet> published = new AtomicReference<>();
    private final HttpServer jwks;

    private TestTokens(String issuer) {
        this.issuer = issuer;
        try {
            key = new RSAKeyGenerator(2048).keyID("test-key-1").generate();
            otherKey = new RSAKeyGenerator(2048).keyID("test-key-2").generate();
            ecKey = new ECKeyGenerator(Curve.P_256).keyID("test-key-ec").generate();
            unpublishedEcKey = new ECKeyGenerator(Curve.P_256).keyID("test-key-ec").generate();
            published.set(new JWKSet(List.of(key.toPublicJWK(), ecKey.toPublicJWK())));
            jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            jwks.createContext("/certs", exchange -> {
                byte[] body = published.get().toString(true).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            jwks.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TestTokens get() {
        return INSTANCE;
    }

    /** A second issuer whose key server a test may stop, to play a Keycloak outage. */
    public static TestTokens outage() {
        return OUTAGE;
    }

    /** Stops serving the JWKS: the key server is down from now on. */
    public void stopKeyServer() {
        jwks.stop(0);
    }

    public String jwksUri() {
        return "http://127.0.0.1:" + jwks.getAddress().getPort() + "/certs";
    }

    /** A valid access token for a user with these roles at these sites. */
    public String user(String username, Set<String> roles, Set<String> sites) {
        return sign(key, claims(username, roles, sites).build());
    }

    public String medecin(String... sites) {
        return user("medecin.test", Set.of("medecin"), Set.of(sites));
    }

    public String admin() {
        return user("admin.test", Set.of("admin"), Set.of());
    }

    public JWTClaimsSet.Builder claims(String username, Set<String> roles, Set<String> sites) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(List.of(AUDIENCE, "account"))
                .subject(UUID.nameUUIDFromBytes(username.getBytes(StandardCharsets.UTF_8)).toString())
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(900)))
                .claim("typ", "Bearer")
                .claim("azp", "pwa")
                .claim("preferred_username", username)
                .claim("realm_access", Map.of("roles", List.copyOf(roles)))
                .claim("site_ids", List.copyOf(sites));
    }

    public String sign(JWTClaimsSet claims) {
        return sign(key, claims);
    }

    /** Signed by a key the JWKS does not (yet) publish. */
    public String signWithUnpublishedKey(JWTClaimsSet claims) {
        return sign(otherKey, claims);
    }

    /** Rotates: the JWKS now publishes the second key as well. */
    public void publishSecondKey() {
        published.set(new JWKSet(List.of(key.toPublicJWK(), ecKey.toPublicJWK(), otherKey.toPublicJWK())));
    }

    /** Signed with RSASSA-PSS (PS256) by the published RSA key. */
    public String signPs256(JWTClaimsSet claims) {
        return sign(claims, JWSAlgorithm.PS256, key.getKeyID(), jwt -> jwt.sign(new RSASSASigner(key)));
    }

    /** Signed with ECDSA on P-256 (ES256) by the published EC key. */
    public String signEs256(JWTClaimsSet claims) {
        return sign(claims, JWSAlgorithm.ES256, ecKey.getKeyID(), jwt -> jwt.sign(new ECDSASigner(ecKey)));
    }

    /** ES256 by another EC key under the published EC key's id: a forgery. */
    public String signEs256WithUnpublishedKey(JWTClaimsSet claims) {
        return sign(claims, JWSAlgorithm.ES256, unpublishedEcKey.getKeyID(), jwt -> jwt.sign(new ECDSASigner(unpublishedEcKey)));
    }

    private interface Signing {
        void sign(SignedJWT jwt) throws com.nimbusds.jose.JOSEException;
    }

    private static String sign(JWTClaimsSet claims, JWSAlgorithm algorithm, String keyId, Signing signing) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(keyId).type(JOSEObjectType.JWT).build(), claims);
            signing.sign(jwt);
            return jwt.serialize();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public String unsigned(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize();
    }

    /** The classic confusion attack: HS256 with the RSA public key as the HMAC secret. */
    public String hmacWithPublicKey(JWTClaimsSet claims) {
        try {
            byte[] secret = key.toPublicJWK().toRSAPublicKey().getEncoded();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A well-signed token whose payload was changed afterwards. */
    public String tampered(JWTClaimsSet original, JWTClaimsSet forged) {
        String[] parts = sign(key, original).split("\\.");
        return parts[0] + "." + Base64URL.encode(forged.toString()) + "." + parts[2];
    }

    private static String sign(RSAKey signingKey, JWTClaimsSet claims) {
        return sign(claims, JWSAlgorithm.RS256, signingKey.getKeyID(), jwt -> jwt.sign(new RSASSASigner(signingKey)));
    }
}
