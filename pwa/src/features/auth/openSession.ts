import { TokenKeeper, type TokenResponse } from '../../lib/auth/oidc';
import type { DeviceKeys } from '../../lib/crypto/keys';
import { SecureStore } from '../../lib/db/store';
import { SETTINGS, useSession, type UserInfo } from '../../shared/session';

/**
 * After the PIN opened the keys: the store, the user, the token keeper (from a sign-in that just
 * happened, else from the sealed refresh token), then the main screen.
 */
export async function openSession(keys: DeviceKeys): Promise<void> {
  const { db, config, pendingSignIn, set } = useSession.getState();
  const store = new SecureStore(db!, keys);
  if (pendingSignIn) {
    await store.setSetting(SETTINGS.user, pendingSignIn.user);
    if (pendingSignIn.tokens.refresh_token) await store.setSetting(SETTINGS.refreshToken, pendingSignIn.tokens.refresh_token);
  }
  let deviceId = await store.getSetting<string>(SETTINGS.deviceId);
  if (!deviceId) {
    deviceId = crypto.randomUUID();
    await store.setSetting(SETTINGS.deviceId, deviceId);
  }
  const user = await store.getSetting<UserInfo>(SETTINGS.user);
  const refresh = await store.getSetting<string>(SETTINGS.refreshToken);
  let tokens: TokenKeeper | undefined;
  if (config && refresh) {
    tokens = new TokenKeeper(config, refresh, (rt) => store.setSetting(SETTINGS.refreshToken, rt));
    if (pendingSignIn) tokens.accept(pendingSignIn.tokens as TokenResponse);
  }
  set({ store, user, deviceId, tokens, pendingSignIn: undefined, screen: 'main', view: { name: 'patients' } });
}
