package ml.santerurale.interceptors.security;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Optional;
import java.util.Set;

/**
 * Who is calling, as their verified access token says: the user (or client, for a service
 * account), their realm roles and the sites they work at.
 *
 * @param subject the token's {@code sub}
 * @param username {@code preferred_username}, or the subject when absent
 * @param clientId the client the token was issued to ({@code azp})
 * @param roles realm roles ({@code realm_access.roles})
 * @param siteIds site codes ({@code site_ids}), empty for national roles and service accounts
 * @param scopes the scopes granted ({@code scope}, split on spaces); SMART on FHIR scopes among
 *     them only ever narrow what the roles and sites allow ({@code smart.ScopeEnforcer})
 * @param patient the SMART launch patient's id ({@code patient} claim), or null
 * @param fhirUser the FHIR resource the user is ({@code fhirUser} claim, e.g.
 *     {@code Practitioner/demo-soignant-konobougou}), or null
 */
public record Caller(String subject, String username, String clientId, Set<String> roles, Set<String> siteIds,
        Set<String> scopes, String patient, String fhirUser) {

    static final String USER_DATA_KEY = Caller.class.getName();

    public Caller {
        roles = Set.copyOf(roles);
        siteIds = Set.copyOf(siteIds);
        scopes = Set.copyOf(scopes);
    }

    /** A caller whose token holds no scope and no launch patient. */
    public Caller(String subject, String username, String clientId, Set<String> roles, Set<String> siteIds) {
        this(subject, username, clientId, roles, siteIds, Set.of(), null, null);
    }

    /** The caller authenticated for this request, if any. */
    public static Optional<Caller> of(RequestDetails requestDetails) {
        return requestDetails == null
                ? Optional.empty()
                : Optional.ofNullable((Caller) requestDetails.getUserData().get(USER_DATA_KEY));
    }

    void attachTo(RequestDetails requestDetails) {
        requestDetails.getUserData().put(USER_DATA_KEY, this);
    }
}
