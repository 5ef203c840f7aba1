import type { SecureStore } from '../../lib/db/store';
import { listOutbox, type OutboxEntry } from '../../lib/sync/outbox';

/** Batches the server refused, set aside with its reason (they block nothing). */
export async function listRefused(store: SecureStore): Promise<OutboxEntry[]> {
  return (await listOutbox(store)).filter((e) => e.status === 'rejected');
}
