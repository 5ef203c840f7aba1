import { appConfigSchema, type AppConfig } from '../../lib/auth/oidc';

/** Development default (vite dev server without the FHIR server's config endpoint). */
const DEV_CONFIG: AppConfig = { issuer: 'http://localhost:8180/realms/sante-mali', clientId: 'pwa', fhirBase: '/fhir' };

/** The server's /app-config.json (the service worker answers it offline from its last copy). */
export async function loadAppConfig(): Promise<AppConfig> {
  try {
    const response = await fetch('/app-config.json', { headers: { Accept: 'application/json' } });
    if (response.ok) return appConfigSchema.parse(await response.json());
  } catch {
    // offline and never cached: fall through
  }
  if (import.meta.env.DEV) return DEV_CONFIG;
  throw new Error('configuration unavailable');
}
