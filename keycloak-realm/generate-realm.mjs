#!/usr/bin/env node
// Writes sante-mali-realm.json (Keycloak 26 realm import format) next to this file, and its
// production variant production/sante-mali-realm.json (docker-compose.yml imports that one): the
// pwa client's redirect URIs and web origin are the public origin ${SRM_PUBLIC_ORIGIN} (replaced by
// Keycloak at import), without the localhost ones, the sample SMART clients are left out, and the
// dhis2-export secret has no development default.
// Edit this generator, not the JSON: the user profile must be embedded in the realm as ONE JSON
// document inside a string (components["org.keycloak.userprofile.UserProfileProvider"]), which is
// unreadable by hand. Run: node keycloak-realm/generate-realm.mjs
// The demo users live apart, in dev/sante-mali-users-0.json (development only, never in production).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REALM = 'sante-mali';
const FHIR_AUDIENCE = 'fhir-server';
// Site codes: CSCOM-KONOBOUGOU, CSREF-KATI, ... (upper-case letters, digits, dashes).
const SITE_PATTERN = '^[A-Z0-9-]{2,60}$';
const FHIR_USER_PATTERN = '^(Practitioner|PractitionerRole|Patient|RelatedPerson|Person)/[A-Za-z0-9.-]{1,64}$';

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
    {
      // SMART on FHIR: the FHIR resource the user is, as a reference relative to the FHIR base
      // (Practitioner/<id>). The SMART login copies it into the session (keycloak-smart/); the
      // fhirUser scope maps it into the id token, the access token and the token response.
      name: 'fhirUser',
      displayName: 'Ressource FHIR (fhirUser)',
      multivalued: false,
      validations: {
        pattern: {
          pattern: FHIR_USER_PATTERN,
          'error-message': 'Référence FHIR invalide (ex. Practitioner/123)',
        },
      },
      // Administrators only, as site_id: a user must not claim another's identity.
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

// SMART on FHIR scopes. A realm file that lists clientScopes gets none of Keycloak's built-in ones,
// so those are listed too, exactly as Keycloak 26.5.6 creates them for a new realm (exported from
// one, ids removed: keycloak-26-builtin-client-scopes.json). The FHIR server enforces the
// resource scopes (they only narrow the user's role and sites) and advertises this same list in
// /fhir/.well-known/smart-configuration (srm.smart.scopes-supported; a test keeps them equal).
const HERE = dirname(fileURLToPath(import.meta.url));
const BUILTIN_SCOPES = JSON.parse(readFileSync(join(HERE, 'keycloak-26-builtin-client-scopes.json'), 'utf8'));
const SMART_RESOURCE_SCOPES = [
  // SMART v2
  'patient/*.rs', 'patient/Patient.rs', 'patient/Observation.rs', 'patient/Condition.rs',
  'patient/Observation.rs?category=vital-signs', 'patient/Observation.rs?category=laboratory',
  'user/*.rs', 'user/*.cruds', 'user/Patient.rs',
  // Reference data for display beside a patient/ scope, which cannot reach it (outside any
  // patient's compartment): the sites and the practitioners.
  'user/Organization.rs', 'user/Location.rs', 'user/Practitioner.rs',
  'system/*.rs', 'system/Patient.rs',
  // SMART v1
  'patient/*.read', 'user/*.read', 'user/Patient.write', 'user/*.*',
];
const smartScope = (name, description, protocolMappers = []) => ({
  name,
  description,
  protocol: 'openid-connect',
  attributes: { 'include.in.token.scope': 'true', 'display.on.consent.screen': 'true', 'consent.screen.text': description },
  protocolMappers,
});
const SMART_SCOPES = [
  // The launch patient the user picked at login (a user-session note set by keycloak-smart/), as
  // the access token's "patient" claim and a top-level "patient" in the token response.
  smartScope('launch/patient', 'Choisir un patient au lancement', [{
    name: 'patient',
    protocol: 'openid-connect',
    protocolMapper: 'oidc-usersessionmodel-note-mapper',
    consentRequired: false,
    config: {
      'user.session.note': 'patient',
      'claim.name': 'patient',
      'jsonType.label': 'String',
      'access.token.claim': 'true',
      'id.token.claim': 'false',
      'userinfo.token.claim': 'false',
      'introspection.token.claim': 'true',
      'access.tokenResponse.claim': 'true',
    },
  }]),
  // The user's FHIR resource (user attribute fhirUser, copied into the session note fhirUser by
  // the SMART login of keycloak-smart/) as the claim fhirUser of the id token and the access
  // token, and a top-level fhirUser in the token response, as patient is.
  smartScope('fhirUser', "Identité FHIR de l'utilisateur", [{
    name: 'fhirUser',
    protocol: 'openid-connect',
    protocolMapper: 'oidc-usersessionmodel-note-mapper',
    consentRequired: false,
    config: {
      'user.session.note': 'fhirUser',
      'claim.name': 'fhirUser',
      'jsonType.label': 'String',
      'access.token.claim': 'true',
      'id.token.claim': 'true',
      'userinfo.token.claim': 'true',
      'introspection.token.claim': 'true',
      'access.tokenResponse.claim': 'true',
    },
  }]),
  ...SMART_RESOURCE_SCOPES.map((name) => smartScope(name, `Accès FHIR ${name}`)),
];
const SMART_APP_SCOPES = ['launch/patient', 'fhirUser', 'offline_access',
  ...SMART_RESOURCE_SCOPES.filter((s) => !s.startsWith('system/'))];
const SMART_BACKEND_SCOPES = SMART_RESOURCE_SCOPES.filter((s) => s.startsWith('system/'));

// The SMART apps' browser login: the usual login (SSO cookie, or username and password), then
// the patient picker of keycloak-smart/ (authenticator smart-patient-select), which shows itself
// only when the app asked for launch/patient. As with scopes, a realm file that lists
// authenticationFlows gets none of the built-in ones, so those are listed too, exactly as
// Keycloak 26.5.6 creates them (keycloak-26-builtin-flows.json, exported, ids removed).
const BUILTIN_FLOWS = JSON.parse(readFileSync(join(HERE, 'keycloak-26-builtin-flows.json'), 'utf8'));
// Fixed: clients bind the flow by id (authenticationFlowBindingOverrides).
const SMART_BROWSER_FLOW_ID = '5e1d0c2a-8f43-4b8e-9d0a-5a4c1f6e2b71';
const execution = (extra) => ({ authenticatorFlow: false, autheticatorFlow: false, userSetupAllowed: false, ...extra });
const subflow = (alias, requirement, priority) =>
  ({ authenticatorFlow: true, autheticatorFlow: true, flowAlias: alias, requirement, priority, userSetupAllowed: false });
const SMART_FLOWS = [
  {
    id: SMART_BROWSER_FLOW_ID,
    alias: 'smart browser',
    description: 'Connexion des applications SMART : connexion habituelle, puis choix du patient (launch/patient).',
    providerId: 'basic-flow',
    topLevel: true,
    builtIn: false,
    authenticationExecutions: [
      subflow('smart browser login', 'REQUIRED', 10),
      execution({ authenticator: 'smart-patient-select', requirement: 'REQUIRED', priority: 20 }),
    ],
  },
  {
    alias: 'smart browser login',
    description: 'Cookie de session SSO, ou nom d\'utilisateur et mot de passe.',
    providerId: 'basic-flow',
    topLevel: false,
    builtIn: false,
    authenticationExecutions: [
      execution({ authenticator: 'auth-cookie', requirement: 'ALTERNATIVE', priority: 10 }),
      subflow('smart browser forms', 'ALTERNATIVE', 20),
    ],
  },
  {
    alias: 'smart browser forms',
    description: "Nom d'utilisateur et mot de passe.",
    providerId: 'basic-flow',
    topLevel: false,
    builtIn: false,
    authenticationExecutions: [
      execution({ authenticator: 'auth-username-password-form', requirement: 'REQUIRED', priority: 10 }),
    ],
  },
];

// Client authentication: Keycloak's "clients" flow plus client-jwt-smart (keycloak-smart/:
// Keycloak's private_key_jwt, but a refused assertion gets 401 invalid_client rather than 400),
// used by the SMART backend clients. Keycloak honours a client's clientAuthenticatorType only when
// the realm's client authentication flow has an execution of it; "clients" itself stays as
// Keycloak made it.
const SMART_JWT_CLIENT_AUTHENTICATOR = 'client-jwt-smart';
const BUILTIN_CLIENTS_FLOW = BUILTIN_FLOWS.authenticationFlows.find((f) => f.alias === 'clients');
const SMART_CLIENTS_FLOW = {
  ...BUILTIN_CLIENTS_FLOW,
  alias: 'smart clients',
  description: 'Authentification des clients : celles de Keycloak, plus client-jwt-smart (JWT signé, 401 en cas de refus) pour les services SMART.',
  builtIn: false,
  authenticationExecutions: [
    ...BUILTIN_CLIENTS_FLOW.authenticationExecutions,
    execution({ authenticator: SMART_JWT_CLIENT_AUTHENTICATOR, requirement: 'ALTERNATIVE',
      priority: Math.max(...BUILTIN_CLIENTS_FLOW.authenticationExecutions.map((e) => e.priority)) + 10 }),
  ],
};

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

// A confidential client that only gets tokens for its own service account (client credentials).
const serviceAccountClient = (extra) => ({
  enabled: true,
  protocol: 'openid-connect',
  publicClient: false,
  standardFlowEnabled: false,
  implicitFlowEnabled: false,
  directAccessGrantsEnabled: false,
  serviceAccountsEnabled: true,
  fullScopeAllowed: true,
  defaultClientScopes: DEFAULT_SCOPES,
  ...extra,
});

// A sample SMART Backend Services client: client_credentials authenticated by private_key_jwt
// signed with one algorithm (Keycloak pins one per client; SMART asks servers for RS384 and
// ES384, hence one sample client each), checked by client-jwt-smart (see SMART_CLIENTS_FLOW). Its public JWKS comes from the environment at import
// time (scripts/keycloak.sh --dev sets it from dev/); unset (production): no key, no token.
const smartBackend = (clientId, alg, jwksVariable, devJwksFile) => serviceAccountClient({
  clientId,
  name: `Service SMART de démonstration (${alg})`,
  description: `Service d'exemple (SMART Backend Services) : client_credentials authentifié par private_key_jwt (${alg}). Sa clé publique n'est fournie qu'en développement (dev/${devJwksFile}) : en production il ne peut pas s'authentifier.`,
  clientAuthenticatorType: SMART_JWT_CLIENT_AUTHENTICATOR,
  optionalClientScopes: SMART_BACKEND_SCOPES,
  protocolMappers: [siteIdsMapper, audienceMapper],
  attributes: {
    'use.jwks.string': 'true',
    'jwks.string': `\${${jwksVariable}:}`,
    'token.endpoint.auth.signing.alg': alg,
    'oauth2.device.authorization.grant.enabled': 'false',
    'oidc.ciba.grant.enabled': 'false',
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
    serviceAccountClient({
      clientId: 'dhis2-export',
      name: 'Export DHIS2',
      description: "Compte de service de l'export agrégé vers DHIS2 (client_credentials). Aucun rôle clinique.",
      clientAuthenticatorType: 'client-secret',
      // Resolved from the environment at import time; the default is for development ONLY.
      // Production: set SRM_DHIS2_CLIENT_SECRET before the first import (or rotate it in the admin
      // console afterwards).
      secret: '${SRM_DHIS2_CLIENT_SECRET:dev-only-dhis2-export-secret}',
      optionalClientScopes: [],
      protocolMappers: [audienceMapper],
      attributes: {
        'oauth2.device.authorization.grant.enabled': 'false',
        'oidc.ciba.grant.enabled': 'false',
      },
    }),
    publicPkceClient({
      clientId: 'smart-app-template',
      name: 'Modèle d\'application SMART',
      description: "Modèle (désactivé) pour les futures applications SMART on FHIR : copier ce client (public, code d'autorisation + PKCE S256, mappers site_ids et audience fhir-server), changer clientId et redirectUris, puis l'activer.",
      enabled: false,
      redirectUris: ['http://127.0.0.1/*'],
      webOrigins: ['+'],
    }),
    publicPkceClient({
      clientId: 'smart-demo-app',
      name: 'Application SMART de démonstration',
      description: "Application SMART on FHIR d'exemple (smart-demo-app/) : courbe des signes vitaux d'un patient choisi au lancement. Client public, PKCE S256.",
      enabled: true,
      redirectUris: ['http://localhost:4000/callback'],
      webOrigins: ['http://localhost:4000'],
      optionalClientScopes: SMART_APP_SCOPES,
      authenticationFlowBindingOverrides: { browser: SMART_BROWSER_FLOW_ID },
    }),
    smartBackend('smart-demo-backend', 'RS384', 'SRM_SMART_DEMO_BACKEND_JWKS', 'smart-demo-backend-jwks.json'),
    smartBackend('smart-demo-backend-es384', 'ES384', 'SRM_SMART_DEMO_BACKEND_ES384_JWKS', 'smart-demo-backend-es384-jwks.json'),
  ],

  clientScopes: [...BUILTIN_SCOPES, ...SMART_SCOPES],
  authenticationFlows: [...BUILTIN_FLOWS.authenticationFlows, ...SMART_FLOWS, SMART_CLIENTS_FLOW],
  authenticatorConfig: BUILTIN_FLOWS.authenticatorConfig,
  requiredActions: BUILTIN_FLOWS.requiredActions,
  ...BUILTIN_FLOWS.flowBindings,
  clientAuthenticationFlow: SMART_CLIENTS_FLOW.alias,
  defaultDefaultClientScopes: [...DEFAULT_SCOPES, 'role_list', 'saml_organization'],
  defaultOptionalClientScopes: ['offline_access', 'address', 'phone', 'microprofile-jwt', 'organization'],

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

const out = join(HERE, `${REALM}-realm.json`);
writeFileSync(out, JSON.stringify(realm, null, 2) + '\n');
console.log(`wrote ${out}`);

// Production: the same realm, but the app's only origin is the public one, and no sample client.
const PUBLIC_ORIGIN = '${SRM_PUBLIC_ORIGIN}';
const DEV_ONLY_CLIENTS = ['smart-demo-app', 'smart-demo-backend', 'smart-demo-backend-es384'];
const production = JSON.parse(JSON.stringify(realm));
production.clients = production.clients.filter((client) => !DEV_ONLY_CLIENTS.includes(client.clientId));
const pwa = production.clients.find((client) => client.clientId === 'pwa');
pwa.rootUrl = PUBLIC_ORIGIN;
pwa.redirectUris = [`${PUBLIC_ORIGIN}/*`];
pwa.webOrigins = [PUBLIC_ORIGIN];
pwa.attributes['post.logout.redirect.uris'] = `${PUBLIC_ORIGIN}/*`;
// No development default for the secret: the import must be given one.
production.clients.find((client) => client.clientId === 'dhis2-export').secret = '${SRM_DHIS2_CLIENT_SECRET}';
const productionDir = join(HERE, 'production');
mkdirSync(productionDir, { recursive: true });
const productionOut = join(productionDir, `${REALM}-realm.json`);
writeFileSync(productionOut, JSON.stringify(production, null, 2) + '\n');
console.log(`wrote ${productionOut}`);
