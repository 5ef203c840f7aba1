import { decodeClaims, exchangeCode, type AppConfig, type TokenResponse } from '../../lib/auth/oidc';
import type { UserInfo } from '../../shared/session';
import { redirectUri, takePendingSignIn } from './startSignIn';

export type SignInReturn = { tokens: TokenResponse; user: UserInfo } | { error: string } | undefined;

/** On return from Keycloak (?code=&state=): checks the state, exchanges the code. Undefined when not a return. */
export async function completeSignIn(config: AppConfig): Promise<SignInReturn> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return undefined;
  history.replaceState(null, '', '/');
  const pending = takePendingSignIn();
  if (error) return { error };
  if (!pending || pending.state !== params.get('state')) return { error: 'state' };
  const tokens = await exchangeCode(config, code!, pending.verifier, redirectUri());
  const claims = decodeClaims(tokens.access_token);
  return {
    tokens,
    user: { username: claims.preferred_username ?? '?', name: claims.name, siteIds: claims.site_ids ?? [] },
  };
}
