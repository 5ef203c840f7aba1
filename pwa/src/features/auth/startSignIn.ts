import { authorizationRequest, type AppConfig } from '../../lib/auth/oidc';

const PENDING = 'srm.signin';

export const redirectUri = () => `${location.origin}/`;

/** Sends the browser to Keycloak (authorization code + PKCE); the verifier waits in sessionStorage. */
export async function startSignIn(config: AppConfig): Promise<void> {
  const request = await authorizationRequest(config, redirectUri());
  sessionStorage.setItem(PENDING, JSON.stringify({ state: request.state, verifier: request.verifier }));
  location.assign(request.url);
}

export function takePendingSignIn(): { state: string; verifier: string } | undefined {
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  return raw ? JSON.parse(raw) : undefined;
}
