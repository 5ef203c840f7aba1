import { z } from 'zod';
import type { SecureStore, StoredRecord } from '../db/store';
import type { Resource } from '../fhir/types';
import { AuthRequiredError, type SyncTransport } from './push';

export const SCOPE_EXTENSION = 'https://sante-rurale.ml/fhir/StructureDefinition/sync-scope';
export const FEED_SINCE = 'feed.since';
export const FEED_SCOPE = 'feed.scope';
export const FEED_PAGE_SIZE = 500;

/** The part of a history page the app relies on, checked at the boundary. */
const feedPageSchema = z.object({
  resourceType: z.literal('Bundle'),
  type: z.literal('history'),
  meta: z
    .object({
      lastUpdated: z.string().optional(),
      extension: z.array(z.object({ url: z.string(), valueString: z.string().optional() })).optional(),
    })
    .optional(),
  link: z.array(z.object({ relation: z.string(), url: z.string() })).optional(),
  entry: z
    .array(
      z.object({
        resource: z.looseObject({ resourceType: z.string(), id: z.string(), meta: z.looseObject({ versionId: z.string().optional() }).optional() }).optional(),
        request: z.object({ method: z.string(), url: z.string() }),
      }),
    )
    .optional(),
});

export interface PullResult {
  pages: number;
  applied: number;
  removed: number;
  firstSync: boolean;
  /** the sites changed: synced records were purged and a first sync made */
  scopeChanged: boolean;
  scope: string[];
}

const newer = (incoming: string | undefined, known: string | undefined) =>
  known === undefined || incoming === undefined || Number(incoming) > Number(known);

/**
 * Follows the change feed (docs/SYNC.md §6): `_history?_since=` (or a first sync without it),
 * page by page through `link[next]`; applies versions newer than the device's, removes DELETEd
 * records (scope exits included), and keeps the first page's meta.lastUpdated as the next
 * `_since` only once every page is applied. Records changed on the device and not yet pushed
 * are left alone (the push meets the conflict). If the page's sites differ from the last
 * pull's, every synced record is purged and a first sync starts again.
 */
export async function pullChanges(deps: SyncTransport & { store: SecureStore; pageSize?: number }): Promise<PullResult> {
  const { store } = deps;
  const since = await store.getSetting<string>(FEED_SINCE);
  const knownScope = await store.getSetting<string[]>(FEED_SCOPE);
  const count = deps.pageSize ?? FEED_PAGE_SIZE;
  let url: string | undefined = since
    ? `${deps.fhirBase}/_history?_since=${encodeURIComponent(since)}&_count=${count}`
    : `${deps.fhirBase}/_history?_count=${count}`;
  const result: PullResult = { pages: 0, applied: 0, removed: 0, firstSync: !since, scopeChanged: false, scope: knownScope ?? [] };
  let nextSince: string | undefined;

  while (url) {
    const response = await deps.fetch(url, {
      headers: { Accept: 'application/fhir+json', Authorization: `Bearer ${await deps.accessToken()}` },
    });
    if (response.status === 401) throw new AuthRequiredError();
    if (!response.ok) throw new Error(`change feed answered ${response.status}`);
    const page = feedPageSchema.parse(await response.json());
    result.pages++;

    if (result.pages === 1) {
      nextSince = page.meta?.lastUpdated;
      const scope = (page.meta?.extension ?? []).filter((x) => x.url === SCOPE_EXTENSION).map((x) => x.valueString ?? '').sort();
      if (knownScope !== undefined && JSON.stringify(scope) !== JSON.stringify([...knownScope].sort())) {
        await purgeSynced(store);
        await store.setSetting(FEED_SCOPE, scope);
        await store.setSetting(FEED_SINCE, undefined);
        const again = await pullChanges(deps);
        return { ...again, scopeChanged: true };
      }
      result.scope = scope;
    }

    const puts: StoredRecord[] = [];
    const deletes: string[] = [];
    for (const entry of page.entry ?? []) {
      const m = /^([A-Za-z]+)\/([^/?]+)/.exec(entry.request.url);
      if (!m) continue;
      const [, type, id] = m;
      const local = await store.get(type, id);
      if (local?.local) continue;
      if (entry.request.method === 'DELETE') {
        if (local) deletes.push(await store.recordKey(type, id));
      } else if (entry.resource) {
        const resource = entry.resource as unknown as Resource;
        const version = resource.meta?.versionId;
        if (newer(version, local?.version)) puts.push({ resource, version, local: false });
      }
    }
    const rows = await Promise.all(puts.map((r) => store.prepareRecord(r)));
    await store.db.transaction('rw', store.db.records, async () => {
      await store.db.records.bulkPut(rows);
      await store.db.records.bulkDelete(deletes);
    });
    result.applied += rows.length;
    result.removed += deletes.length;
    url = page.link?.find((l) => l.relation === 'next')?.url;
  }

  if (nextSince) await store.setSetting(FEED_SINCE, nextSince);
  await store.setSetting(FEED_SCOPE, result.scope);
  return result;
}

/** Removes every record the server already has (local changes not yet pushed stay). */
export async function purgeSynced(store: SecureStore): Promise<number> {
  const rows = await store.db.records.toArray();
  const doomed: string[] = [];
  for (const row of rows) if (!(await store.openRow(row)).local) doomed.push(row.k);
  await store.db.records.bulkDelete(doomed);
  return doomed.length;
}
