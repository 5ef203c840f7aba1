import type { OutboxRow } from '../db/database';
import type { SecureStore } from '../db/store';
import type { SyncConflict } from '../fhir/operationOutcome';
import type { BatchWrite } from '../fhir/syncBundle';

/** What an outbox entry holds (sealed): one batch of docs/SYNC.md §1. */
export interface OutboxPayload {
  /** the idempotency key (Bundle.identifier.value), chosen when recorded, never changed */
  key: string;
  kind: 'patient' | 'consultation';
  patientId: string;
  recordedAt: string;
  writes: BatchWrite[];
  /** the exact bytes sent the first time; every retry sends them again (SYNC.md §4) */
  frozen?: string;
  /** why the server refused it (a set-aside entry) */
  refusal?: Refusal;
}

export interface Refusal {
  status: number;
  /** the server's diagnostics, one per issue */
  issues: string[];
  /** conflicts of a 412: the resources and their current server versions */
  conflicts?: SyncConflict[];
}

export interface OutboxEntry {
  seq: number;
  status: OutboxRow['status'];
  attempts: number;
  nextAttemptAt: number;
  payload: OutboxPayload;
}

/**
 * Write-ahead: the records and the outbox entry that will send them are committed in ONE
 * IndexedDB transaction, so "Enregistré" (shown once this resolves) never lies, and a tab
 * killed at any moment leaves either both or neither.
 */
export async function recordBatch(
  store: SecureStore,
  batch: Omit<OutboxPayload, 'key' | 'frozen' | 'refusal'>,
  newKey: () => string = () => crypto.randomUUID(),
): Promise<number> {
  const rows = await Promise.all(
    batch.writes.map((w) => store.prepareRecord({ resource: w.resource, version: w.baseVersion, local: true })),
  );
  const payload: OutboxPayload = { ...batch, key: newKey() };
  const sealed = await store.sealOutbox(payload);
  const { db } = store;
  return db.transaction('rw', db.records, db.outbox, async () => {
    await db.records.bulkPut(rows);
    return (await db.outbox.add({ status: 'pending', attempts: 0, nextAttemptAt: 0, v: sealed })) as number;
  });
}

/** Entries in the order recorded. */
export async function listOutbox(store: SecureStore): Promise<OutboxEntry[]> {
  const rows = await store.db.outbox.orderBy('seq').toArray();
  return Promise.all(
    rows.map(async (r) => ({
      seq: r.seq!,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: r.nextAttemptAt,
      payload: await store.openOutbox<OutboxPayload>(r),
    })),
  );
}

export async function countPending(store: SecureStore): Promise<{ pending: number; rejected: number }> {
  const [pending, rejected] = await Promise.all([
    store.db.outbox.where('status').equals('pending').count(),
    store.db.outbox.where('status').equals('rejected').count(),
  ]);
  return { pending, rejected };
}
