#!/usr/bin/env node
// Writes sante-mali-realm.json (Keycloak 26 realm import format) next to this file.
// Edit this generator, not the JSON: the user profile must be embedded in the realm as ONE JSON
// document inside a string (components["org.keycloak.userprofile.UserProfileProvider"]), which is
// unreadable by hand. Run: node keycloak-realm/generate-realm.mjs
// The demo users live apart, in dev/sante-mali-users-0.json (development only, never in production).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REALM = 'sante-mali';
const FHIR_AUDIENCE = 'fhir-server';
// Site codes: CSCOM-KONOBOUGOU, CSREF-KATI, ... (upper-case letters, digits, dashes).
const SITE_PATTERN = '^[A-Z0-9-]{2,60}$';

// Declarative user profile (always on in Keycloak 26). An attribute not declared here is dropped
// silently, so site_id MUST be declared. Only administrators see or change a user's sites.
const userProfile = {
  attributes: [
    {
      name: 'username',
      displayName: '${username}',
      validations: {
        length: { min: 3, max: 255 },
        'username-prohibited-characters': {},
        'up-username-not-idn-homograph': {},
      },
      permissions: { view: ['admin', 'user'], edit: ['admin', 'user'] },
      multivalued: false,
    },
    {
      name: 'email',
      displayName: '${email}',
      validations: { email: {}, length: { max: 255 } },
      required: { roles: ['user'] },
      permissions: { view: ['admin', 'user'], edit: ['admin', 'user'] },
      multivalued: false,
    },
    {
      name: 'firstName',
      displayName: '${firstName}',
      validations: { length: { max: 255 }, 'person-name-prohibited-characters': {} },
      required: { roles: ['user'] },
      permissions: { view: ['admin', 'user'], edit: ['admin', 'user'] },
      multivalued: false,
    },
    {
      name: 'lastName',
      displayName: '${lastName}',
      validations: { length: { max: 255 }, 'person-name-prohibited-characters': {} },
      required: { roles: ['user'] },
      permissions: { view: ['admin', 'user'], edit: ['admin', 'user'] },
      multivalued: false,
    },
    {
      name: 'site_id',
      displayName: 'Site(s) de rattachement',
      // Several values: a district doctor covers several CSCOMs.
      multivalued: true,
      validations: {
        pattern: {
          pattern: SITE_PATTERN,
          'error-message': 'Code de site invalide (majuscules, chiffres et tirets, ex. CSCOM-KONOBOUGOU)',
        },
      },
      // Administrators only: a user must never choose (or see and edit) their own site.
      permissions: { view: ['admin'], edit: ['admin'] },
      annotations: {},
    },
  ],
  groups: [
    {
      name: 'user-metadata',
      displayHeader: 'User metadata',
      displayDescription: 'Attributes, which refer to user metadata',
    },
  ],
};

// Mappers carried by every client of the realm (kept on the clients, not in a custom client scope:
// a realm file that lists clientScopes loses ALL of Keycloak's built-in scopes — profile, email,
// roles, basic (sub), offline_access — because the importer then creates none of them).
const siteIdsMapper = {
  name: 'site_ids',
  protocol: 'openid-connect',
  protocolMapper: 'oidc-usermodel-attribute-mapper',
  consentRequired: false,
  config: {
    'user.attribute': 'site_id',
    'claim.name': 'site_ids',
    'jsonType.label': 'String',
    multivalued: 'true',
    'aggregate.attrs': 'false',
    'access.token.claim': 'true',
    'id.token.claim': 'true',
    'userinfo.token.claim': 'true',
    'introspection.token.claim': 'true',
  },
};
const audienceMapper = {
  name: 'audience-fhir-server',
  protocol: 'openid-connect',
  protocolMapper: 'oidc-audience-mapper',
  consentRequired: false,
  config: {
    'included.custom.audience': FHIR_AUDIENCE,
    'access.token.claim': 'true',
    'id.token.claim': 'false',
    'introspection.token.claim': 'true',
    'lightweight.claim': 'false',
  },
};

// Built-in scopes Keycloak 26 creates for a new realm; realm roles reach realm_access.roles via
// "roles", sub via "basic".
const DEFAULT_SCOPES = ['basic', 'profile', 'email', 'roles', 'web-origins', 'acr'];

const publicPkceClient = (extra) => ({
  protocol: 'openid-connect',
  publicClient: true,
  standardFlowEnabled: true,
  implicitFlowEnabled: false,
  directAccessGrantsEnabled: false,
  serviceAccountsEnabled: false,
  frontchannelLogout: true,
  fullScopeAllowed: true,
  defaultClientScopes: DEFAULT_SCOPES,
  optionalClientScopes: ['offline_access'],
  protocolMappers: [siteIdsMapper, audienceMapper],
  ...extra,
  attributes: {
    'pkce.code.challenge.method': 'S256',
    'oauth2.device.authorization.grant.enabled': 'false',
    'oidc.ciba.grant.enabled': 'false',
    'backchannel.logout.session.required': 'true',
    ...(extra.attributes || {}),
  },
});

const PWA_REDIRECTS = [
  'http://localhost:5173/*',
  'http://localhost:8080/*',
  // Loopback IP literal: Keycloak ignores the port for http://127.0.0.1 (RFC 8252 §7.3), so this
  // one entry also accepts http://127.0.0.1:<any port>/... (tests use a random port).
  'http://127.0.0.1/*',
];

const realm = {
  realm: REALM,
  displayName: 'Santé Rurale Mali',
  enabled: true,
  sslRequired: 'external',
  registrationAllowed: false,
  loginWithEmailAllowed: true,
  duplicateEmailsAllowed: false,
  resetPasswordAllowed: false,
  editUsernameAllowed: false,
  rememberMe: false,
  verifyEmail: false,

  // Tokens and sessions.
  accessTokenLifespan: 900, // 15 min
  ssoSessionIdleTimeout: 1800,
  ssoSessionMaxLifespan: 36000,
  // A phone may stay offline for a week or more: offline sessions survive 30 days unused and
  // 90 days at most.
  offlineSessionIdleTimeout: 2592000,
  offlineSessionMaxLifespanEnabled: true,
  offlineSessionMaxLifespan: 7776000,
  revokeRefreshToken: false,

  // Brute-force protection: temporary lockout after 5 failures, 60 s growing to 15 min.
  bruteForceProtected: true,
  permanentLockout: false,
  maxTemporaryLockouts: 0,
  failureFactor: 5,
  waitIncrementSeconds: 60,
  quickLoginCheckMilliSeconds: 1000,
  minimumQuickLoginWaitSeconds: 60,
  maxFailureWaitSeconds: 900,
  maxDeltaTimeSeconds: 43200,

  passwordPolicy: 'length(10) and digits(1) and upperCase(1) and specialChars(1) and notUsername',

  internationalizationEnabled: true,
  supportedLocales: ['fr', 'en'],
  defaultLocale: 'fr',

  roles: {
    realm: [
      { name: 'soignant', description: 'Soignant(e) de CSCOM : saisit et consulte les dossiers des patients de son ou ses sites.' },
      { name: 'major', description: 'Major (infirmier(ère) chef) de CSCOM : droits du soignant plus la supervision des soins de son site.' },
      { name: 'medecin', description: 'Médecin : consulte et complète les dossiers des patients des sites qui lui sont rattachés.' },
      { name: 'admin', description: "Administrateur national : gère les utilisateurs, les sites et la configuration ; pas d'accès clinique par ce seul rôle." },
    ],
  },

  clients: [
    publicPkceClient({
      clientId: 'pwa',
      name: 'Santé Rurale Mali — application web (PWA)',
      description: 'Application mobile/web des soignants. Client public, code d\'autorisation + PKCE S256 ; peut demander offline_access pour fonctionner hors ligne.',
      enabled: true,
      rootUrl: '',
      baseUrl: '/',
      redirectUris: PWA_REDIRECTS,
      webOrigins: ['+'],
      attributes: { 'post.logout.redirect.uris': PWA_REDIRECTS.join('##') },
    }),
    {
      clientId: 'dhis2-export',
      name: 'Export DHIS2',
      description: "Compte de service de l'export agrégé vers DHIS2 (client_credentials). Aucun rôle clinique.",
      enabled: true,
      protocol: 'openid-connect',
      publicClient: false,
      clientAuthenticatorType: 'client-secret',
      // Resolved from the environment at import time; the default is for development ONLY.
      // Production: set SRM_DHIS2_CLIENT_SECRET before the first import (or rotate it in the admin
      // console afterwards).
      secret: '${SRM_DHIS2_CLIENT_SECRET:dev-only-dhis2-export-secret}',
      standardFlowEnabled: false,
      implicitFlowEnabled: false,
      directAccessGrantsEnabled: false,
      serviceAccountsEnabled: true,
      fullScopeAllowed: true,
      defaultClientScopes: DEFAULT_SCOPES,
      optionalClientScopes: [],
      protocolMappers: [audienceMapper],
      attributes: {
        'oauth2.device.authorization.grant.enabled': 'false',
        'oidc.ciba.grant.enabled': 'false',
      },
    },
    publicPkceClient({
      clientId: 'smart-app-template',
      name: 'Modèle d\'application SMART',
      description: "Modèle (désactivé) pour les futures applications SMART on FHIR : copier ce client (public, code d'autorisation + PKCE S256, mappers site_ids et audience fhir-server), changer clientId et redirectUris, puis l'activer.",
      enabled: false,
      redirectUris: ['http://127.0.0.1/*'],
      webOrigins: ['+'],
    }),
  ],

  components: {
    'org.keycloak.userprofile.UserProfileProvider': [
      {
        providerId: 'declarative-user-profile',
        subComponents: {},
        config: { 'kc.user.profile.config': [JSON.stringify(userProfile)] },
      },
    ],
  },
};

const out = join(dirname(fileURLToPath(import.meta.url)), `${REALM}-realm.json`);
writeFileSync(out, JSON.stringify(realm, null, 2) + '\n');
console.log(`wrote ${out}`);
