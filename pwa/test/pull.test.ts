import { describe, expect, it } from 'vitest';
import { patientFromForm } from '../src/lib/fhir/patient';
import { recordBatch } from '../src/lib/sync/outbox';
import { FEED_SINCE, pullChanges } from '../src/lib/sync/pull';
import { freshStore } from './helpers';

const SCOPE = 'https://sante-rurale.ml/fhir/StructureDefinition/sync-scope';
const patient = (id: string, version: string, family = 'Traoré') => ({
  ...patientFromForm({ family, given: 'Awa', gender: 'female', birthYear: 1990 }, id, 'cscom-konobougou'),
  meta: { versionId: version },
});
const put = (r: ReturnType<typeof patient>) => ({ resource: r, request: { method: 'PUT', url: `Patient/${r.id}/_history/${r.meta.versionId}` } });
const page = (lastUpdated: string, entries: unknown[], next?: string, sites = ['CSCOM-KONOBOUGOU']) => ({
  resourceType: 'Bundle',
  type: 'history',
  meta: { lastUpdated, extension: sites.map((s) => ({ url: SCOPE, valueString: s })) },
  link: next ? [{ relation: 'next', url: next }] : [],
  entry: entries,
});

/** A stand-in feed answering the URLs it is asked, in order. */
function feed(...pages: unknown[]) {
  const urls: string[] = [];
  const fetch = async (url: string | URL | Request) => {
    urls.push(String(url));
    const p = pages.shift();
    if (!p) throw new Error(`unexpected ${url}`);
    return Response.json(p);
  };
  return { urls, fetch: fetch as typeof globalThis.fetch };
}

const deps = (store: Awaited<ReturnType<typeof freshStore>>, fetch: typeof globalThis.fetch) => ({ store, fetch, fhirBase: '/fhir', accessToken: async () => 't' });

describe('pull (docs/SYNC.md §6)', () => {
  it('first sync follows next links, then resumes from the first page meta.lastUpdated', async () => {
    const store = await freshStore();
    const f = feed(
      page('2026-12-04T10:00:00.000+00:00', [put(patient('a', '1'))], 'http://server/fhir/_history?_count=500&_cursor=X'),
      page('2026-12-04T10:00:00.000+00:00', [put(patient('b', '3', 'Keïta'))]),
    );
    const first = await pullChanges(deps(store, f.fetch));
    expect(first).toMatchObject({ pages: 2, applied: 2, firstSync: true, scopeChanged: false, scope: ['CSCOM-KONOBOUGOU'] });
    expect(f.urls).toEqual(['/fhir/_history?_count=500', 'http://server/fhir/_history?_count=500&_cursor=X']);
    expect(await store.get('Patient', 'b')).toMatchObject({ version: '3', local: false });
    expect((await store.searchPatients('keita')).map((h) => h.patient.id)).toEqual(['b']);
    expect(await store.getSetting(FEED_SINCE)).toBe('2026-12-04T10:00:00.000+00:00');

    // Next pull: _since; a newer version applies, an older one does not, a DELETE removes.
    const g = feed(
      page('2026-12-04T11:00:00.000+00:00', [
        put(patient('a', '2', 'Coulibaly')),
        put(patient('b', '2', 'Diarra')),
        { request: { method: 'DELETE', url: 'Patient/zzz/_history/2' } },
      ]),
    );
    await pullChanges(deps(store, g.fetch));
    expect(g.urls).toEqual([`/fhir/_history?_since=${encodeURIComponent('2026-12-04T10:00:00.000+00:00')}&_count=500`]);
    expect((await store.get('Patient', 'a'))?.version).toBe('2');
    expect((await store.searchPatients('kulibali')).map((h) => h.patient.id)).toEqual(['a']);
    expect((await store.get('Patient', 'b'))?.version).toBe('3');

    // A scope exit: DELETE without a version removes the local copy.
    const h = feed(page('2026-12-04T12:00:00.000+00:00', [{ request: { method: 'DELETE', url: 'Patient/a' } }]));
    expect(await pullChanges(deps(store, h.fetch))).toMatchObject({ removed: 1 });
    expect(await store.get('Patient', 'a')).toBeUndefined();
    expect(await store.searchPatients('kulibali')).toEqual([]);
  });

  it('leaves records changed on the device alone until they are pushed', async () => {
    const store = await freshStore();
    await recordBatch(store, { kind: 'patient', patientId: 'a', recordedAt: 'x', writes: [{ resource: patient('a', '1', 'Sidibé') }] });
    await pullChanges(deps(store, feed(page('t1', [put(patient('a', '5', 'Samaké'))])).fetch));
    expect(await store.get('Patient', 'a')).toMatchObject({ local: true, resource: { name: [{ family: 'Sidibé' }] } });
  });

  it('a change of sites purges every synced record and starts again with a first sync', async () => {
    const store = await freshStore();
    await pullChanges(deps(store, feed(page('t1', [put(patient('a', '1')), put(patient('b', '1'))])).fetch));
    await recordBatch(store, { kind: 'patient', patientId: 'mine', recordedAt: 'x', writes: [{ resource: patient('mine', '1', 'Konaté') }] });
    const f = feed(
      page('t2', [put(patient('c', '1'))], undefined, ['CSCOM-DJELI']),
      page('t3', [put(patient('d', '1'))], undefined, ['CSCOM-DJELI']),
    );
    const r = await pullChanges(deps(store, f.fetch));
    expect(r).toMatchObject({ scopeChanged: true, firstSync: true, scope: ['CSCOM-DJELI'] });
    expect(f.urls[1]).toBe('/fhir/_history?_count=500');
    expect(await store.get('Patient', 'a')).toBeUndefined();
    expect(await store.get('Patient', 'b')).toBeUndefined();
    expect(await store.get('Patient', 'd')).toBeDefined();
    expect(await store.get('Patient', 'mine')).toMatchObject({ local: true });
    expect(await store.getSetting(FEED_SINCE)).toBe('t3');
  });
});

describe('pull against docs/SYNC.md', () => {
  it('applies the worked example feed-response: the new patient version, the deleted encounter removed, next followed', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/SYNC.md', import.meta.url), 'utf8');
    const example = JSON.parse(/<!-- example: feed-response -->\s*```json\n([\s\S]*?)\n```/.exec(doc)![1]);
    const store = await freshStore();
    const patientId = '6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
    await store.putRecords([
      { resource: patient(patientId, '1'), version: '1', local: false },
      { resource: { resourceType: 'Encounter', id: 'c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f', subject: { reference: `Patient/${patientId}` } }, version: '1', local: false },
    ]);
    await store.setSetting(FEED_SINCE, '2026-11-24T10:00:00.000+00:00');
    await store.setSetting('feed.scope', ['CSCOM-KONOBOUGOU']);
    const second = page(example.meta.lastUpdated, [put({ ...patient(patientId, '3'), name: [{ family: 'Traoré', given: ['Aminata', 'Nana'] }] })]);
    const f = feed(example, second);
    const r = await pullChanges(deps(store, f.fetch));
    expect(r).toMatchObject({ pages: 2, removed: 1, scopeChanged: false });
    expect(f.urls[1]).toBe(example.link[0].url);
    expect(await store.get('Encounter', 'c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f')).toBeUndefined();
    expect((await store.get('Patient', patientId))?.version).toBe('3');
    expect(await store.getSetting(FEED_SINCE)).toBe(example.meta.lastUpdated);
  });
});
