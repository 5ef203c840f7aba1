import { describe, expect, it } from 'vitest';
import { buildSyncBundle } from '../src/lib/fhir/syncBundle';
import type { Bundle, Resource } from '../src/lib/fhir/types';
import { conflictViews, diffFields, mergeResources, readServerVersions, requeueResolved, resolveConflicts, type ServerState } from '../src/lib/sync/conflicts';
import { listOutbox, recordBatch, type OutboxEntry } from '../src/lib/sync/outbox';
import { pushOutbox } from '../src/lib/sync/push';
import { describeValue } from '../src/features/sync/describeValue';
import { freshStore, syncExample } from './helpers';

/**
 * docs/SYNC.md's worked example: the phone edited Aminata (given names "Aminata Nana") on
 * version 1 and sent the encounter again as new; the server answered 412 with both conflicts.
 * Meanwhile a colleague had added her phone number (version 2).
 */
const request = syncExample('conflict-request');
const response412 = syncExample('conflict-response');
const [myPatient, myEncounter] = request.entry.map((e: { resource: Resource }) => e.resource) as Resource[];
const PATIENT = `Patient/${myPatient.id}`;
const ENCOUNTER = `Encounter/${myEncounter.id}`;
const serverPatient: Resource = {
  ...myPatient,
  meta: { versionId: '2' },
  name: [{ family: 'Traoré', given: ['Aminata'] }],
  telecom: [{ system: 'phone', value: '+22376123456' }],
};
const serverEncounter: Resource = { ...myEncounter, meta: { versionId: '1' } };

/** The device after the refused push: the batch set aside with the server's conflicts. */
async function refusedBatch() {
  const store = await freshStore();
  await recordBatch(store, {
    kind: 'consultation',
    patientId: myPatient.id,
    recordedAt: '2026-11-24T09:50:00Z',
    writes: [{ resource: myPatient, baseVersion: '1' }, { resource: myEncounter }],
  });
  const fetch = (async () => Response.json(response412, { status: 412 })) as unknown as typeof globalThis.fetch;
  expect(await pushOutbox({ store, fetch, fhirBase: '/fhir', accessToken: async () => 't', deviceId: 'tablette-konobougou-03' })).toEqual({ sent: 0, rejected: 1 });
  const [entry] = await listOutbox(store);
  return { store, entry };
}

const server: ServerState[] = [
  { ref: PATIENT, resource: serverPatient, version: '2' },
  { ref: ENCOUNTER, resource: serverEncounter, version: '1' },
];

/** The bundle the next push would send for the outbox's only entry. */
async function nextBundle(store: Awaited<ReturnType<typeof freshStore>>): Promise<{ entry: OutboxEntry; bundle: Bundle }> {
  const entries = await listOutbox(store);
  expect(entries).toHaveLength(1);
  const [entry] = entries;
  return { entry, bundle: buildSyncBundle({ key: entry.payload.key, deviceId: 'd', recordedAt: entry.payload.recordedAt, sentAt: 's', writes: entry.payload.writes }) };
}

describe('conflict resolution (docs/SYNC.md §5)', () => {
  it('reads the 412 of the worked example: both conflicts, with versions and states', async () => {
    const { entry } = await refusedBatch();
    expect(entry.status).toBe('rejected');
    expect(entry.payload.refusal?.conflicts).toEqual([
      { resource: PATIENT, sentVersion: '1', currentVersion: '2', currentState: 'changed' },
      { resource: ENCOUNTER, sentVersion: undefined, currentVersion: '1', currentState: 'exists' },
    ]);
  });

  it('shows both versions field by field', async () => {
    const { entry } = await refusedBatch();
    const views = conflictViews(entry.payload, server);
    expect(views.map((v) => [v.conflict.resource, v.diffs.map((d) => d.field)])).toEqual([
      [PATIENT, ['name', 'telecom']],
      [ENCOUNTER, []],
    ]);
    expect(views[0].diffs[0]).toEqual({ field: 'name', mine: myPatient.name, theirs: serverPatient.name });
    // a primitive's extensions go with it
    expect(diffFields({ resourceType: 'Patient', id: 'x', birthDate: '1985' }, { resourceType: 'Patient', id: 'x', birthDate: '1985', _birthDate: { extension: [] } }).map((d) => d.field)).toEqual(['birthDate']);
  });

  it('keep mine: resent under a new key with the server versions as ifMatch, the old batch dropped', async () => {
    const { store, entry } = await refusedBatch();
    const views = conflictViews(entry.payload, server);
    const resolution = resolveConflicts(entry.payload, views, { [PATIENT]: { kind: 'mine' }, [ENCOUNTER]: { kind: 'mine' } });
    await requeueResolved(store, entry, resolution);
    const { entry: next, bundle } = await nextBundle(store);
    expect(next.status).toBe('pending');
    expect(next.payload.key).not.toBe(entry.payload.key);
    expect(bundle.entry!.map((e) => e.request)).toEqual([
      { method: 'PUT', url: PATIENT, ifMatch: 'W/"2"' },
      { method: 'PUT', url: ENCOUNTER, ifMatch: 'W/"1"' },
    ]);
    expect(bundle.entry![0].resource).toEqual(myPatient);
    expect(await store.get('Patient', myPatient.id)).toEqual({ resource: myPatient, version: '2', local: true });
  });

  it("take the server's: the local change is dropped and the server's record kept", async () => {
    const { store, entry } = await refusedBatch();
    const views = conflictViews(entry.payload, server);
    await requeueResolved(store, entry, resolveConflicts(entry.payload, views, { [PATIENT]: { kind: 'theirs' }, [ENCOUNTER]: { kind: 'theirs' } }));
    expect(await listOutbox(store)).toEqual([]);
    expect(await store.get('Patient', myPatient.id)).toEqual({ resource: serverPatient, version: '2', local: false });
  });

  it('merge: the fields she keeps on top of the server record, sent on its version', async () => {
    const { store, entry } = await refusedBatch();
    const views = conflictViews(entry.payload, server);
    const resolution = resolveConflicts(entry.payload, views, {
      [PATIENT]: { kind: 'merge', fields: { name: 'mine', telecom: 'theirs' } },
      [ENCOUNTER]: { kind: 'theirs' },
    });
    await requeueResolved(store, entry, resolution);
    const { bundle } = await nextBundle(store);
    expect(bundle.entry).toHaveLength(1);
    expect(bundle.entry![0].request).toEqual({ method: 'PUT', url: PATIENT, ifMatch: 'W/"2"' });
    const merged = bundle.entry![0].resource!;
    expect(merged.name).toEqual([{ family: 'Traoré', given: ['Aminata', 'Nana'] }]);
    expect(merged.telecom).toEqual(serverPatient.telecom);
    expect(merged.meta).toBeUndefined();
    // choosing her side of a field she does not have removes it
    expect(mergeResources(myPatient, serverPatient, { telecom: 'mine' }).telecom).toBeUndefined();
  });

  it('a record the server deleted: keep mine creates it again (no ifMatch), take theirs removes it', async () => {
    const { store, entry } = await refusedBatch();
    const gone: ServerState[] = [{ ref: PATIENT }, server[1]];
    const views = conflictViews(entry.payload, gone);
    const keep = resolveConflicts(entry.payload, views, { [PATIENT]: { kind: 'mine' }, [ENCOUNTER]: { kind: 'theirs' } });
    expect(keep.writes).toEqual([{ resource: myPatient }]);
    const drop = resolveConflicts(entry.payload, views, { [PATIENT]: { kind: 'theirs' }, [ENCOUNTER]: { kind: 'theirs' } });
    await requeueResolved(store, entry, drop);
    expect(await store.get('Patient', myPatient.id)).toBeUndefined();
    expect(() => resolveConflicts(entry.payload, views, { [PATIENT]: { kind: 'mine' } })).toThrow(/Encounter/);
  });

  it("reads the server's versions in one batch of GETs", async () => {
    const sent: Bundle[] = [];
    const fetch = (async (_url: string, init: RequestInit) => {
      sent.push(JSON.parse(String(init.body)));
      return Response.json({
        resourceType: 'Bundle',
        type: 'batch-response',
        entry: [
          { resource: serverPatient, response: { status: '200 OK' } },
          { response: { status: '404 Not Found' } },
        ],
      });
    }) as unknown as typeof globalThis.fetch;
    const states = await readServerVersions({ fetch, fhirBase: '/fhir', accessToken: async () => 't' }, [PATIENT, ENCOUNTER]);
    expect(sent[0]).toEqual({ resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: PATIENT } }, { request: { method: 'GET', url: ENCOUNTER } }] });
    expect(states).toEqual([{ ref: PATIENT, resource: serverPatient, version: '2' }, { ref: ENCOUNTER }]);
  });

  it('says each version of a field in a few words', () => {
    expect(describeValue(myPatient.name)).toBe('Traoré Aminata Nana');
    expect(describeValue(serverPatient.telecom)).toBe('+22376123456');
    expect(describeValue(undefined)).toBe('—');
    expect(describeValue({ value: '1985', extensions: { extension: [] } })).toBe('1985');
    expect(describeValue([{ text: 'Fièvre' }])).toBe('Fièvre');
  });
});
