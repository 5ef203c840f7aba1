import { z } from 'zod';
import { randomBytes, toBase64Url, utf8 } from '../crypto/bytes';

/** What the server tells the app at /app-config.json (checked at the boundary). */
export const appConfigSchema = z.object({
  issuer: z.url(),
  clientId: z.string().min(1),
  fhirBase: z.string().min(1),
});
export type AppConfig = z.infer<typeof appConfigSchema>;

/** Tokens endpoint answer (authorization code or refresh grant). */
export const tokenResponseSchema = z.object({
  access_token: z.string(),
  expires_in: z.number(),
  refresh_token: z.string().optional(),
  id_token: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** The access token claims the app shows and uses (the server checks the token, not us). */
export const accessClaimsSchema = z.object({
  preferred_username: z.string().optional(),
  name: z.string().optional(),
  site_ids: z.array(z.string()).optional(),
});
export type AccessClaims = z.infer<typeof accessClaimsSchema>;

export function decodeClaims(jwt: string): AccessClaims {
  const part = jwt.split('.')[1] ?? '';
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
  return accessClaimsSchema.parse(JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))));
}

export interface PkceRequest {
  url: string;
  state: string;
  verifier: string;
}

/** Authorization code + PKCE S256 request for the realm's public client (RFC 7636). */
export async function authorizationRequest(config: AppConfig, redirectUri: string): Promise<PkceRequest> {
  const verifier = toBase64Url(randomBytes(32));
  const challenge = toBase64Url(await crypto.subtle.digest('SHA-256', utf8.encode(verifier)));
  const state = toBase64Url(randomBytes(16));
  const params = new URLSearchParams({
    client_id: config.clientId,
    response_type: 'code',
    scope: 'openid offline_access',
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    ui_locales: 'fr',
  });
  return { url: `${config.issuer}/protocol/openid-connect/auth?${params}`, state, verifier };
}

/**
 * Whether the sign-in server answers at all (its discovery document, any answer counts) within
 * `timeoutMs`: asked before sending the browser there, so that a Keycloak that is down or hangs
 * gets a clear message in the app instead of a page that never loads. Says nothing about the
 * login itself succeeding.
 */
export async function signInServerAnswers(config: AppConfig, fetchFn: typeof fetch = fetch, timeoutMs = 12000): Promise<boolean> {
  try {
    await fetchFn(`${config.issuer}/.well-known/openid-configuration`, {
      mode: 'no-cors',
      cache: 'no-store',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return true;
  } catch {
    return false;
  }
}

async function tokenCall(config: AppConfig, body: Record<string, string>, fetchFn: typeof fetch): Promise<TokenResponse> {
  const response = await fetchFn(`${config.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: config.clientId, ...body }),
  });
  if (response.status === 400 || response.status === 401) throw new SessionExpiredError();
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
  return tokenResponseSchema.parse(await response.json());
}

export class SessionExpiredError extends Error {
  constructor() {
    super('the sign-in session is over');
    this.name = 'SessionExpiredError';
  }
}

export function exchangeCode(config: AppConfig, code: string, verifier: string, redirectUri: string, fetchFn: typeof fetch = fetch) {
  return tokenCall(config, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirectUri }, fetchFn);
}

export function refreshTokens(config: AppConfig, refreshToken: string, fetchFn: typeof fetch = fetch) {
  return tokenCall(config, { grant_type: 'refresh_token', refresh_token: refreshToken }, fetchFn);
}

/**
 * Keeps the access token fresh: refreshes with the (offline) refresh token a minute before
 * expiry and hands each rotated refresh token to `persist` (the encrypted store).
 */
export class TokenKeeper {
  private accessToken?: string;
  private expiresAt = 0;

  constructor(
    private readonly config: AppConfig,
    private refreshToken: string,
    private readonly persist: (refreshToken: string) => Promise<void>,
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
    private readonly now: () => number = Date.now,
  ) {}

  accept(tokens: TokenResponse) {
    this.accessToken = tokens.access_token;
    this.expiresAt = this.now() + tokens.expires_in * 1000;
    if (tokens.refresh_token) this.refreshToken = tokens.refresh_token;
  }

  async token(): Promise<string> {
    if (this.accessToken && this.now() < this.expiresAt - 60_000) return this.accessToken;
    const tokens = await refreshTokens(this.config, this.refreshToken, this.fetchFn);
    this.accept(tokens);
    if (tokens.refresh_token) await this.persist(tokens.refresh_token);
    return tokens.access_token;
  }
}
