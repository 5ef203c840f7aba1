import type { SecureStore } from '../../lib/db/store';

export interface Site {
  id: string;
  name: string;
}

const SITE_LEVEL_SYSTEM = 'https://sante-rurale.ml/fhir/CodeSystem/site-level';

/**
 * Health facilities a patient can be referred to: the sites catalogue's Organizations received
 * with the first sync (shared reference data), except the care worker's own site.
 */
export async function listDestinationSites(store: SecureStore, ownSiteId: string | undefined): Promise<Site[]> {
  const organizations = await store.listType('Organization');
  return organizations
    .map((o) => o.resource)
    .filter((o) => o.id !== ownSiteId)
    .filter((o) => {
      const types = (o.type as { coding?: { system?: string; code?: string }[] }[] | undefined) ?? [];
      const levels = types.flatMap((t) => t.coding ?? []).filter((c) => c.system === SITE_LEVEL_SYSTEM);
      return levels.length === 0 || levels.some((c) => c.code !== 'region');
    })
    .map((o) => ({ id: o.id, name: String(o.name ?? o.id) }))
    .sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}
