package ml.santerurale.keycloak.smart;

import jakarta.ws.rs.core.UriBuilder;
import java.util.stream.Collectors;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.common.util.Time;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.representations.AccessToken;
import org.keycloak.urls.UrlType;

/**
 * A one-minute access token of the user being logged in, signed by the realm's key, shaped like
 * the realm's own (issuer, audience {@code fhir-server}, realm roles, {@code site_ids}): the
 * picker searches the FHIR server as the user, so the server's rules decide what is listed.
 * It carries no scope (so no SMART narrowing) and never leaves Keycloak but to that server.
 */
final class UserToken {

    static final String AUDIENCE = "fhir-server";

    private UserToken() {}

    static String mint(AuthenticationFlowContext context) {
        KeycloakSession session = context.getSession();
        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        String issuer = UriBuilder.fromUri(session.getContext().getUri(UrlType.FRONTEND).getBaseUri())
                .path("realms").path(realm.getName()).build().toString();
        AccessToken token = new AccessToken();
        token.id("smart-picker-" + java.util.UUID.randomUUID());
        token.issuer(issuer);
        token.audience(AUDIENCE);
        token.subject(user.getId());
        token.type("Bearer");
        token.issuedFor(context.getAuthenticationSession().getClient().getClientId());
        token.iat((long) Time.currentTime());
        token.exp((long) Time.currentTime() + 60);
        token.getOtherClaims().put("preferred_username", user.getUsername());
        token.getOtherClaims().put("site_ids", user.getAttributeStream("site_id").collect(Collectors.toList()));
        AccessToken.Access realmAccess = new AccessToken.Access();
        user.getRealmRoleMappingsStream().map(RoleModel::getName).forEach(realmAccess::addRole);
        token.setRealmAccess(realmAccess);
        return session.tokens().encode(token);
    }
}
