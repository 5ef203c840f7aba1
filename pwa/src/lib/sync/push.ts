import type { SecureStore, StoredRecord } from '../db/store';
import { readOperationOutcome } from '../fhir/operationOutcome';
import { buildSyncBundle } from '../fhir/syncBundle';
import type { Bundle } from '../fhir/types';
import { isRetryable, retryDelayMs } from './backoff';
import type { OutboxPayload, Refusal } from './outbox';

export interface SyncTransport {
  fetch: typeof fetch;
  /** e.g. "/fhir" or "https://server/fhir" */
  fhirBase: string;
  accessToken: () => Promise<string>;
}

export interface PushDeps extends SyncTransport {
  store: SecureStore;
  deviceId: string;
  now?: () => number;
}

export interface PushResult {
  sent: number;
  rejected: number;
  /** why the loop stopped before the outbox was empty */
  stopped?: 'network' | 'auth' | 'waiting';
  /** epoch ms of the next retry when stopped by 'network' or 'waiting' */
  retryAt?: number;
}

export class AuthRequiredError extends Error {
  constructor() {
    super('the server refused the access token');
    this.name = 'AuthRequiredError';
  }
}

/**
 * Sends the outbox, oldest first, one batch at a time (docs/SYNC.md §1–4). A batch refused for
 * its content is set aside with the server's reason and the next one goes; an answer of
 * unknown outcome stops the loop and schedules a retry of the same bytes; a 401 stops it.
 */
export async function pushOutbox(deps: PushDeps): Promise<PushResult> {
  const now = deps.now ?? Date.now;
  const { store } = deps;
  const result: PushResult = { sent: 0, rejected: 0 };
  for (;;) {
    const row = await store.db.outbox.where('status').equals('pending').first();
    if (!row) return result;
    if (row.nextAttemptAt > now()) return { ...result, stopped: 'waiting', retryAt: row.nextAttemptAt };
    const payload = await store.openOutbox<OutboxPayload>(row);
    if (payload.frozen === undefined) {
      // Frozen before the first send and stored, so a retry after a reload sends the same bytes.
      payload.frozen = JSON.stringify(
        buildSyncBundle({
          key: payload.key,
          deviceId: deps.deviceId,
          recordedAt: payload.recordedAt,
          sentAt: new Date(now()).toISOString(),
          writes: payload.writes,
        }),
      );
      await store.db.outbox.update(row.seq!, { v: await store.sealOutbox(payload) });
    }

    let response: Response;
    try {
      const token = await deps.accessToken();
      response = await deps.fetch(`${deps.fhirBase}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/fhir+json',
          Accept: 'application/fhir+json',
          Authorization: `Bearer ${token}`,
        },
        body: payload.frozen,
      });
    } catch (e) {
      if (e instanceof AuthRequiredError) return { ...result, stopped: 'auth' };
      return { ...result, ...(await scheduleRetry(store, row.seq!, row.attempts, now)), stopped: 'network' };
    }

    if (response.status === 200) {
      const body = (await response.json()) as Bundle;
      await applyAccepted(store, row.seq!, payload, body);
      result.sent++;
    } else if (response.status === 401) {
      return { ...result, stopped: 'auth' };
    } else if (isRetryable(response.status)) {
      return { ...result, ...(await scheduleRetry(store, row.seq!, row.attempts, now)), stopped: 'network' };
    } else {
      payload.refusal = await refusalOf(response);
      await store.db.outbox.update(row.seq!, { status: 'rejected', v: await store.sealOutbox(payload) });
      result.rejected++;
    }
  }
}

async function scheduleRetry(store: SecureStore, seq: number, attempts: number, now: () => number) {
  const next = attempts + 1;
  const retryAt = now() + retryDelayMs(next);
  await store.db.outbox.update(seq, { attempts: next, nextAttemptAt: retryAt });
  return { retryAt };
}

/** Keeps the versions of entry.response.location as the versions last seen; drops the entry. */
async function applyAccepted(store: SecureStore, seq: number, payload: OutboxPayload, response: Bundle) {
  const versions = new Map<string, string>();
  for (const e of response.entry ?? []) {
    const m = /^([A-Za-z]+)\/([^/]+)\/_history\/([^/]+)$/.exec(e.response?.location ?? '');
    if (m) versions.set(`${m[1]}/${m[2]}`, m[3]);
  }
  const updated: StoredRecord[] = [];
  for (const w of payload.writes) {
    const key = `${w.resource.resourceType}/${w.resource.id}`;
    const current = await store.get(w.resource.resourceType, w.resource.id);
    // A newer local edit of the same record (queued later) stays local.
    const stillThisWrite = current !== undefined && JSON.stringify(current.resource) === JSON.stringify(w.resource);
    if (stillThisWrite) updated.push({ resource: w.resource, version: versions.get(key), local: false });
    // A newer local edit is based on this write now (see rebaseLaterWrites).
    else if (current?.local && versions.has(key)) updated.push({ ...current, version: versions.get(key) });
  }
  const rows = await Promise.all(updated.map((r) => store.prepareRecord(r)));
  const rebased = await rebaseLaterWrites(store, seq, versions);
  await store.db.transaction('rw', store.db.records, store.db.outbox, async () => {
    await store.db.records.bulkPut(rows);
    for (const r of rebased) await store.db.outbox.update(r.seq, { v: r.v });
    await store.db.outbox.delete(seq);
  });
}

/**
 * A later edit on this device of a record the accepted batch wrote was made on top of that
 * write: it is now based on the version the server gave it (else it would conflict with the
 * device's own change). Only batches never sent are changed; a sent batch keeps its bytes.
 */
async function rebaseLaterWrites(store: SecureStore, seq: number, versions: Map<string, string>) {
  const rebased: { seq: number; v: Awaited<ReturnType<SecureStore['sealOutbox']>> }[] = [];
  if (versions.size === 0) return rebased;
  const later = await store.db.outbox.where('seq').above(seq).toArray();
  for (const row of later) {
    if (row.status !== 'pending') continue;
    const payload = await store.openOutbox<OutboxPayload>(row);
    if (payload.frozen !== undefined) continue;
    let changed = false;
    for (const w of payload.writes) {
      const version = versions.get(`${w.resource.resourceType}/${w.resource.id}`);
      if (version !== undefined && w.baseVersion !== version) {
        w.baseVersion = version;
        changed = true;
      }
    }
    if (changed) rebased.push({ seq: row.seq!, v: await store.sealOutbox(payload) });
  }
  return rebased;
}

async function refusalOf(response: Response): Promise<Refusal> {
  const refusal: Refusal = { status: response.status, issues: [] };
  // Not an OperationOutcome (a proxy's page): the status says enough.
  const outcome = readOperationOutcome(await response.json().catch(() => undefined));
  if (outcome) {
    refusal.issues = outcome.issues;
    if (outcome.conflicts.length > 0) refusal.conflicts = outcome.conflicts;
  }
  return refusal;
}
