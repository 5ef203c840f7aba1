import type { SecureStore } from '../../lib/db/store';
import { conflictViews, readServerVersions, type ConflictView } from '../../lib/sync/conflicts';
import { listOutbox, type OutboxEntry } from '../../lib/sync/outbox';
import type { SyncTransport } from '../../lib/sync/push';

export interface LoadedConflict {
  entry: OutboxEntry;
  views: ConflictView[];
}

/** A refused batch and, read from the server now, the current version of each conflicting record. */
export async function loadConflict(store: SecureStore, transport: SyncTransport, seq: number): Promise<LoadedConflict | undefined> {
  const entry = (await listOutbox(store)).find((e) => e.seq === seq && e.status === 'rejected');
  const conflicts = entry?.payload.refusal?.conflicts ?? [];
  if (!entry || conflicts.length === 0) return undefined;
  const server = await readServerVersions(transport, conflicts.map((c) => c.resource));
  return { entry, views: conflictViews(entry.payload, server) };
}
