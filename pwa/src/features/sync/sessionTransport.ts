import { SessionExpiredError, type AppConfig, type TokenKeeper } from '../../lib/auth/oidc';
import { AuthRequiredError, type SyncTransport } from '../../lib/sync/push';

/** How the app talks to the FHIR server: the session's token, refreshed as needed. */
export function sessionTransport(config: AppConfig, tokens: TokenKeeper): SyncTransport {
  return {
    fetch: (...args) => fetch(...args),
    fhirBase: config.fhirBase,
    accessToken: async () => {
      try {
        return await tokens.token();
      } catch (e) {
        if (e instanceof SessionExpiredError) throw new AuthRequiredError();
        throw e;
      }
    },
  };
}
