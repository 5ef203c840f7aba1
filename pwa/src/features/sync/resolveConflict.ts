import type { SecureStore } from '../../lib/db/store';
import { requeueResolved, resolveConflicts, type Decision } from '../../lib/sync/conflicts';
import type { LoadedConflict } from './loadConflict';

/** Applies her decisions: the old batch dropped, the resolved one queued with a new key. */
export async function resolveConflict(store: SecureStore, loaded: LoadedConflict, decisions: Record<string, Decision>): Promise<void> {
  const resolution = resolveConflicts(loaded.entry.payload, loaded.views, decisions);
  await requeueResolved(store, loaded.entry, resolution);
}
