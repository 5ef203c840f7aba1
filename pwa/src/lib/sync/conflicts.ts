import { z } from 'zod';
import type { SecureStore, StoredRecord } from '../db/store';
import type { SyncConflict } from '../fhir/operationOutcome';
import type { BatchWrite } from '../fhir/syncBundle';
import type { Resource } from '../fhir/types';
import type { OutboxEntry, OutboxPayload } from './outbox';
import { AuthRequiredError, type SyncTransport } from './push';

/**
 * Resolving a batch the server refused with 412 (docs/SYNC.md §5): read the server's current
 * version of each conflicting record, let the care worker keep hers, take the server's or merge
 * field by field, then queue the result as a NEW batch (new key) whose ifMatch are the server's
 * current versions, and drop the old batch. The other writes of the batch go with it unchanged.
 */

/** The server's side of one conflict. */
export interface ServerState {
  /** "Type/id" */
  ref: string;
  /** the current resource; absent when the server has none (deleted, missing) */
  resource?: Resource;
  version?: string;
}

/** One element of a record that differs between the two versions. */
export interface FieldDiff {
  /** top-level element name (its `_name` twin, a primitive's extensions, goes with it) */
  field: string;
  mine: unknown;
  theirs: unknown;
}

export type Choice = 'mine' | 'theirs';
export type Decision = { kind: 'mine' } | { kind: 'theirs' } | { kind: 'merge'; fields: Record<string, Choice> };

/** What the server and the device hold for one conflicting record, and how they differ. */
export interface ConflictView {
  conflict: SyncConflict;
  /** the device's change (absent only if the batch no longer carries it) */
  mine?: Resource;
  server: ServerState;
  diffs: FieldDiff[];
}

const IGNORED = new Set(['resourceType', 'id', 'meta', 'text']);
const fieldOf = (key: string) => (key.startsWith('_') ? key.slice(1) : key);

/** The top-level elements whose content differs (meta, id and narrative aside). */
export function diffFields(mine: Resource | undefined, theirs: Resource | undefined): FieldDiff[] {
  const a = (mine ?? {}) as Record<string, unknown>;
  const b = (theirs ?? {}) as Record<string, unknown>;
  const fields = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => !IGNORED.has(k)).map(fieldOf));
  const pick = (r: Record<string, unknown>, f: string) => (r[`_${f}`] === undefined ? r[f] : { value: r[f], extensions: r[`_${f}`] });
  return [...fields]
    .sort()
    .map((field) => ({ field, mine: pick(a, field), theirs: pick(b, field) }))
    .filter((d) => JSON.stringify(d.mine) !== JSON.stringify(d.theirs));
}

/** The server's record with the fields chosen from the device's (a field absent there is removed). */
export function mergeResources(mine: Resource, theirs: Resource, fields: Record<string, Choice>): Resource {
  const merged: Record<string, unknown> = { ...theirs };
  delete merged.meta;
  delete merged.text;
  for (const [field, choice] of Object.entries(fields)) {
    if (choice !== 'mine') continue;
    for (const key of [field, `_${field}`]) {
      const value = (mine as Record<string, unknown>)[key];
      if (value === undefined) delete merged[key];
      else merged[key] = value;
    }
  }
  return { ...(merged as Resource), resourceType: mine.resourceType, id: mine.id };
}

const refOfWrite = (w: BatchWrite) => `${w.resource.resourceType}/${w.resource.id}`;

/** Pairs each conflict of a refused batch with the device's change and the server's state. */
export function conflictViews(payload: OutboxPayload, server: ServerState[]): ConflictView[] {
  return (payload.refusal?.conflicts ?? []).map((conflict) => {
    const mine = payload.writes.find((w) => refOfWrite(w) === conflict.resource)?.resource;
    const state = server.find((s) => s.ref === conflict.resource) ?? { ref: conflict.resource };
    return { conflict, mine, server: state, diffs: diffFields(mine, state.resource) };
  });
}

export interface Resolution {
  /** the new batch's writes (empty: nothing left to send) */
  writes: BatchWrite[];
  /** records to keep on the device */
  put: StoredRecord[];
  /** records to remove from the device ("Type/id": the server no longer has them) */
  remove: string[];
}

/**
 * The new batch from the decisions (one per conflicting record; a record without a decision
 * blocks): keep mine = the device's change on top of the server's current version; take the
 * server's = the change is dropped and the server's record kept; merge = the server's record
 * with the fields chosen. Writes without conflict are sent again as they were.
 */
export function resolveConflicts(payload: OutboxPayload, views: ConflictView[], decisions: Record<string, Decision>): Resolution {
  const result: Resolution = { writes: [], put: [], remove: [] };
  const byRef = new Map(views.map((v) => [v.conflict.resource, v]));
  for (const write of payload.writes) {
    const ref = refOfWrite(write);
    const view = byRef.get(ref);
    if (!view) {
      result.writes.push(write);
      continue;
    }
    const decision = decisions[ref];
    if (!decision) throw new Error(`no decision for ${ref}`);
    const { server } = view;
    if (decision.kind === 'theirs') {
      if (server.resource) result.put.push({ resource: server.resource, version: server.version, local: false });
      else result.remove.push(ref);
      continue;
    }
    const resource = decision.kind === 'merge' && server.resource ? mergeResources(write.resource, server.resource, decision.fields) : write.resource;
    // On a record the server no longer has, the change is sent as a create (no ifMatch).
    const next: BatchWrite = server.resource && server.version ? { resource, baseVersion: server.version } : { resource };
    result.writes.push(next);
    result.put.push({ resource, version: next.baseVersion, local: true });
  }
  return result;
}

const batchResponseSchema = z.looseObject({
  resourceType: z.literal('Bundle'),
  type: z.literal('batch-response'),
  entry: z
    .array(
      z.looseObject({
        resource: z.looseObject({ resourceType: z.string(), id: z.string(), meta: z.looseObject({ versionId: z.string().optional() }).optional() }).optional(),
        response: z.looseObject({ status: z.string() }),
      }),
    )
    .default([]),
});

/** The server's current version of each record, read in one batch of GET entries (SYNC.md §5). */
export async function readServerVersions(deps: SyncTransport, refs: string[]): Promise<ServerState[]> {
  const bundle = { resourceType: 'Bundle', type: 'batch', entry: refs.map((url) => ({ request: { method: 'GET', url } })) };
  const response = await deps.fetch(deps.fhirBase, {
    method: 'POST',
    headers: { 'Content-Type': 'application/fhir+json', Accept: 'application/fhir+json', Authorization: `Bearer ${await deps.accessToken()}` },
    body: JSON.stringify(bundle),
  });
  if (response.status === 401) throw new AuthRequiredError();
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const answer = batchResponseSchema.parse(await response.json());
  return refs.map((ref, i) => {
    const entry = answer.entry[i];
    const found = entry?.response.status.startsWith('200') && entry.resource;
    return found ? { ref, resource: entry.resource as unknown as Resource, version: entry.resource!.meta?.versionId } : { ref };
  });
}

/**
 * Applies a resolution in one IndexedDB transaction: the old batch is dropped, the new one (a
 * new idempotency key) queued at the end of the outbox, the device's records updated.
 */
export async function requeueResolved(store: SecureStore, entry: OutboxEntry, resolution: Resolution, newKey: () => string = () => crypto.randomUUID()): Promise<void> {
  const rows = await Promise.all(resolution.put.map((r) => store.prepareRecord(r)));
  const removed = await Promise.all(resolution.remove.map((ref) => store.recordKey(ref.split('/')[0], ref.split('/')[1])));
  const payload: OutboxPayload = { key: newKey(), kind: entry.payload.kind, patientId: entry.payload.patientId, recordedAt: entry.payload.recordedAt, writes: resolution.writes };
  const sealed = resolution.writes.length > 0 ? await store.sealOutbox(payload) : undefined;
  const { db } = store;
  await db.transaction('rw', db.records, db.outbox, async () => {
    await db.records.bulkPut(rows);
    await db.records.bulkDelete(removed);
    await db.outbox.delete(entry.seq);
    if (sealed) await db.outbox.add({ status: 'pending', attempts: 0, nextAttemptAt: 0, v: sealed });
  });
}
