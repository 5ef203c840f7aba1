package ml.santerurale.interceptors.access;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import java.net.URI;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.SystemRestfulInteraction;
import org.hl7.fhir.r4.model.CapabilityStatement.TypeRestfulInteraction;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.UriType;

/**
 * Makes the CapabilityStatement say what the access policy allows: each type lists only the
 * interactions some role may use (AuditEvent: read and search, never a write), operations only
 * when enabled, {@code batch} beside {@code transaction}, and {@code rest.security}: OAuth with
 * the Keycloak realm's endpoints.
 *
 * It also carries the SMART on FHIR {@code SMART-on-FHIR} service code and the {@code oauth-uris}
 * extension (authorize, token, revoke, introspect).
 *
 * <p>Does not guarantee: that a given user may do what is listed (the statement is the union
 * over roles; sites, referrals and SMART scopes narrow it further).
 */
@Interceptor
public final class CapabilityStatementFromPolicy {

    static final String SECURITY_SERVICE_SYSTEM = "http://terminology.hl7.org/CodeSystem/restful-security-service";
    static final String OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

    private final AccessPolicy policy;
    private final Set<String> roles;
    private final Set<String> allowedOperations;
    private final URI issuer;

    /**
     * @param roles every role the policy knows
     * @param allowedOperations operations open to clients ({@code $name})
     * @param issuer the realm's issuer; its OpenID Connect endpoints are under
     *     {@code <issuer>/protocol/openid-connect}
     */
    public CapabilityStatementFromPolicy(AccessPolicy policy, Set<String> roles, Set<String> allowedOperations, URI issuer) {
        this.policy = policy;
        this.roles = Set.copyOf(roles);
        this.allowedOperations = Set.copyOf(allowedOperations);
        this.issuer = issuer;
    }

    @Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
    public void describePolicy(IBaseConformance capabilityStatement) {
        if (!(capabilityStatement instanceof CapabilityStatement statement)) {
            return;
        }
        for (CapabilityStatementRestComponent rest : statement.getRest()) {
            for (CapabilityStatementRestResourceComponent resource : rest.getResource()) {
                resource.getInteraction().removeIf(i -> !someRoleMay(resource.getType(), i.getCode()));
                resource.getOperation().removeIf(op -> !allowedOperations.contains("$" + op.getName())
                        && !("validate".equals(op.getName()) && mayValidate(resource.getType())));
            }
            rest.getOperation().removeIf(op -> !allowedOperations.contains("$" + op.getName()));
            ensure(rest, SystemRestfulInteraction.TRANSACTION);
            ensure(rest, SystemRestfulInteraction.BATCH);
            describeSecurity(rest);
        }
    }

    private boolean someRoleMay(String type, TypeRestfulInteraction interaction) {
        Permission permission = Permission.forInteraction(interaction);
        return permission != null && policy.allows(roles, type, permission);
    }

    /** {@code $validate} writes nothing: open to whoever may create or update the type (RoleMatrixEnforcer). */
    private boolean mayValidate(String type) {
        return policy.allows(roles, type, Permission.CREATE) || policy.allows(roles, type, Permission.UPDATE);
    }

    private static void ensure(CapabilityStatementRestComponent rest, SystemRestfulInteraction interaction) {
        if (rest.getInteraction().stream().noneMatch(i -> i.getCode() == interaction)) {
            rest.addInteraction().setCode(interaction);
        }
    }

    private void describeSecurity(CapabilityStatementRestComponent rest) {
        String endpoints = issuer.toString().replaceAll("/$", "") + "/protocol/openid-connect";
        CapabilityStatement.CapabilityStatementRestSecurityComponent security = rest.getSecurity();
        security.getService().clear();
        security.addService(new CodeableConcept(new Coding(SECURITY_SERVICE_SYSTEM, "OAuth", "OAuth")));
        security.addService(new CodeableConcept(new Coding(SECURITY_SERVICE_SYSTEM, "SMART-on-FHIR", "SMART-on-FHIR")));
        security.setDescription("Every request but GET /metadata carries an OAuth 2.0 bearer access token from the"
                + " Keycloak realm " + issuer + " (authorization code with PKCE, or client credentials with private_key_jwt)."
                + " SMART App Launch 2: discovery at .well-known/smart-configuration; SMART scopes only ever narrow"
                + " what the user's role and sites allow.");
        security.getExtension().removeIf(e -> OAUTH_URIS.equals(e.getUrl()));
        Extension uris = security.addExtension().setUrl(OAUTH_URIS);
        uris.addExtension("authorize", new UriType(endpoints + "/auth"));
        uris.addExtension("token", new UriType(endpoints + "/token"));
        uris.addExtension("revoke", new UriType(endpoints + "/revoke"));
        uris.addExtension("introspect", new UriType(endpoints + "/token/introspect"));
    }
}
