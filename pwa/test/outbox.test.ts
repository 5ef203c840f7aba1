import { describe, expect, it } from 'vitest';
import { patientFromForm } from '../src/lib/fhir/patient';
import type { Bundle } from '../src/lib/fhir/types';
import { MAX_BACKOFF_MS, retryDelayMs } from '../src/lib/sync/backoff';
import { countPending, listOutbox, recordBatch } from '../src/lib/sync/outbox';
import { pushOutbox } from '../src/lib/sync/push';
import { freshStore, rawDump } from './helpers';

const patient = (id: string, family = 'Traoré', given = 'Aminata') =>
  patientFromForm({ family, given, gender: 'female', birthYear: 1990, phone: '76 12 34 56', village: 'Konobougou' }, id, 'cscom-konobougou');

const registration = (id: string, family?: string) => ({
  kind: 'patient' as const,
  patientId: id,
  recordedAt: '2026-12-04T08:00:00Z',
  writes: [{ resource: patient(id, family) }],
});

type Answer = (body: Bundle) => Response | Promise<Response>;

/** A stand-in server: records what it was sent and answers from a script. */
function server(...answers: Answer[]) {
  const sent: { url: string; body: string; auth: string | null }[] = [];
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    const body = String(init?.body);
    sent.push({ url: String(url), body, auth: new Headers(init?.headers).get('Authorization') });
    const answer = answers.shift();
    if (!answer) throw new Error('unexpected request');
    return answer(JSON.parse(body) as Bundle);
  };
  return { sent, fetch: fetch as typeof globalThis.fetch };
}

const accepted: Answer = (b) =>
  Response.json({
    resourceType: 'Bundle',
    type: 'transaction-response',
    entry: b.entry!.map((e) => ({ response: { status: '201 Created', location: `${e.request!.url}/_history/1` } })),
  });
const offline: Answer = () => {
  throw new TypeError('Failed to fetch');
};
const status = (code: number, body: unknown = { resourceType: 'OperationOutcome', issue: [] }): Answer => () => Response.json(body, { status: code });

function deps(store: Awaited<ReturnType<typeof freshStore>>, fetch: typeof globalThis.fetch, clock = { t: Date.parse('2026-12-04T09:00:00Z') }) {
  return { store, fetch, fhirBase: '/fhir', accessToken: async () => 'tok', deviceId: 'tel-1', now: () => clock.t };
}

describe('outbox write-ahead', () => {
  it('commits the records and the outbox entry together', async () => {
    const store = await freshStore();
    await recordBatch(store, registration('p1'));
    expect(await store.get('Patient', 'p1')).toMatchObject({ local: true });
    expect(await countPending(store)).toEqual({ pending: 1, rejected: 0 });
  });

  it('writes neither when the outbox entry cannot be written', async () => {
    const store = await freshStore();
    store.db.outbox.hook('creating', () => {
      throw new Error('quota exceeded');
    });
    await expect(recordBatch(store, registration('p1'))).rejects.toThrow('quota exceeded');
    expect(await store.get('Patient', 'p1')).toBeUndefined();
    expect(await store.db.records.count()).toBe(0);
  });

  it('stores nothing readable: no name, phone or village in any byte of IndexedDB', async () => {
    const store = await freshStore();
    await recordBatch(store, registration('p1', 'Coulibaly'));
    await store.setSetting('feed.scope', ['CSCOM-KONOBOUGOU']);
    const dump = (await rawDump(store)).toLowerCase();
    for (const secret of ['coulibaly', 'kulibali', 'aminata', 'konobougou', '76123456', '1990', 'patient/p1', 'traor']) {
      expect(dump, secret).not.toContain(secret);
    }
    // ...while the store itself finds her.
    expect((await store.searchPatients('kulibali')).map((h) => h.patient.id)).toEqual(['p1']);
  });
});

describe('push (docs/SYNC.md §1–4)', () => {
  it('sends batches one at a time in the order recorded, each with its own key, and keeps the versions', async () => {
    const store = await freshStore();
    for (const id of ['a', 'b', 'c']) await recordBatch(store, registration(id));
    const s = server(accepted, accepted, accepted);
    expect(await pushOutbox(deps(store, s.fetch))).toEqual({ sent: 3, rejected: 0 });
    const bodies = s.sent.map((x) => JSON.parse(x.body) as Bundle);
    expect(bodies.map((b) => b.entry![0].resource!.id)).toEqual(['a', 'b', 'c']);
    const keys = bodies.map((b) => b.identifier!.value);
    expect(new Set(keys).size).toBe(3);
    for (const k of keys) expect(k).toMatch(/^[0-9a-f-]{36}$/);
    expect(s.sent[0]).toMatchObject({ url: '/fhir', auth: 'Bearer tok' });
    expect(bodies[0].meta!.extension).toEqual([
      { url: 'https://sante-rurale.ml/fhir/StructureDefinition/sync-device', valueString: 'tel-1' },
      { url: 'https://sante-rurale.ml/fhir/StructureDefinition/sync-recorded', valueDateTime: '2026-12-04T08:00:00Z' },
    ]);
    expect(await store.get('Patient', 'b')).toMatchObject({ version: '1', local: false });
    expect(await countPending(store)).toEqual({ pending: 0, rejected: 0 });
  });

  it('retries an unanswered batch with the same bytes and key, after 1 s, 2 s, 4 s ... capped at 5 min', async () => {
    const store = await freshStore();
    await recordBatch(store, registration('a'));
    const clock = { t: Date.parse('2026-12-04T09:00:00Z') };
    const s = server(offline, status(503), status(429), accepted);
    const d = deps(store, s.fetch, clock);

    expect(await pushOutbox(d)).toEqual({ sent: 0, rejected: 0, stopped: 'network', retryAt: clock.t + 1000 });
    // Not before its time: nothing is sent.
    expect(await pushOutbox(d)).toMatchObject({ stopped: 'waiting' });
    expect(s.sent).toHaveLength(1);
    clock.t += 1000;
    expect(await pushOutbox(d)).toMatchObject({ stopped: 'network', retryAt: clock.t + 2000 });
    clock.t += 2000;
    expect(await pushOutbox(d)).toMatchObject({ stopped: 'network', retryAt: clock.t + 4000 });
    clock.t += 4000;
    expect(await pushOutbox(d)).toEqual({ sent: 1, rejected: 0 });
    expect(new Set(s.sent.map((x) => x.body)).size).toBe(1);
    expect([1, 2, 3, 9, 10, 30].map(retryDelayMs)).toEqual([1000, 2000, 4000, 256000, MAX_BACKOFF_MS, MAX_BACKOFF_MS]);
  });

  it('sets a refused batch aside with its reason and sends the next', async () => {
    const store = await freshStore();
    await recordBatch(store, registration('a'));
    await recordBatch(store, registration('b'));
    await recordBatch(store, registration('c'));
    const conflict = {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'conflict',
          diagnostics: 'Bundle.entry[0]: Patient/a was sent as new (no ifMatch) but the server already has it at version 1',
          extension: [
            {
              url: 'https://sante-rurale.ml/fhir/StructureDefinition/sync-conflict',
              extension: [
                { url: 'entry', valueInteger: 0 },
                { url: 'resource', valueString: 'Patient/a' },
                { url: 'currentVersion', valueString: '1' },
                { url: 'currentState', valueString: 'exists' },
              ],
            },
          ],
        },
      ],
    };
    const s = server(status(412, conflict), status(422), accepted);
    expect(await pushOutbox(deps(store, s.fetch))).toEqual({ sent: 1, rejected: 2 });
    const entries = await listOutbox(store);
    expect(entries.map((e) => [e.payload.patientId, e.status])).toEqual([['a', 'rejected'], ['b', 'rejected']]);
    expect(entries[0].payload.refusal).toEqual({
      status: 412,
      issues: [conflict.issue[0].diagnostics],
      conflicts: [{ resource: 'Patient/a', currentVersion: '1', currentState: 'exists', sentVersion: undefined }],
    });
    // Set aside: a later push does not send them again.
    expect(await pushOutbox(deps(store, server().fetch))).toEqual({ sent: 0, rejected: 0 });
  });

  it('stops on 401 without counting an attempt', async () => {
    const store = await freshStore();
    await recordBatch(store, registration('a'));
    expect(await pushOutbox(deps(store, server(status(401)).fetch))).toEqual({ sent: 0, rejected: 0, stopped: 'auth' });
    expect((await listOutbox(store))[0]).toMatchObject({ status: 'pending', attempts: 0 });
  });
});
