import { countPending } from '../../lib/sync/outbox';
import { offlineReadiness, refreshPickLists } from '../../lib/reference/referenceData';
import { pullChanges } from '../../lib/sync/pull';
import { AuthRequiredError, pushOutbox } from '../../lib/sync/push';
import { SETTINGS, useSession } from '../../shared/session';
import { sessionTransport } from './sessionTransport';
import { useSyncStatus } from './syncStatus';

/** Counts of the outbox and the last successful sync, for the status bar. */
export async function refreshSyncCounts(): Promise<void> {
  const { store } = useSession.getState();
  if (!store) return;
  const counts = await countPending(store);
  const lastSync = await store.getSetting<string>(SETTINGS.lastSync);
  const readiness = await offlineReadiness(store);
  const { message } = useSyncStatus.getState();
  // "Synchronisé" no longer holds once something new waits.
  const stale = counts.pending > 0 && message?.key === 'sync.done';
  useSyncStatus.getState().set({ ...counts, lastSync, readiness, ...(stale ? { message: undefined } : {}) });
}

/**
 * Refresh the IG's value sets the forms use, push the outbox, then pull the change feed (which
 * also brings the sites). "Synchronisé" is set only when the server has answered push and pull;
 * every other ending says why in the status bar. A value set the server does not give keeps the
 * copy held; the status bar says what is missing to work offline.
 */
export async function runSync(): Promise<void> {
  const status = useSyncStatus.getState();
  const { store, tokens, config, deviceId, touch } = useSession.getState();
  if (!store || !config || !deviceId || status.running) return;
  // The last ending no longer holds while this sync runs ("Synchronisé" only once it answered).
  status.set({ running: true, message: undefined });
  try {
    if (!navigator.onLine) {
      status.set({ message: { key: 'sync.offline', tone: 'info' } });
      return;
    }
    if (!tokens) {
      status.set({ message: { key: 'sync.authNeeded', tone: 'error' } });
      return;
    }
    const transport = sessionTransport(config, tokens);
    const reference = await refreshPickLists({ ...transport, store });
    if (reference.refreshed.length > 0) touch();
    const push = await pushOutbox({ ...transport, store, deviceId });
    if (push.sent > 0 || push.rejected > 0) touch();
    if (push.stopped === 'auth') {
      status.set({ message: { key: 'sync.authNeeded', tone: 'error' } });
      return;
    }
    if (push.stopped === 'network' || push.stopped === 'waiting') {
      const time = new Date(push.retryAt ?? Date.now()).toLocaleTimeString('fr-FR');
      status.set({ message: { key: 'sync.retryAt', values: { time }, tone: 'info' } });
      return;
    }
    const pull = await pullChanges({ ...transport, store });
    if (pull.applied > 0 || pull.removed > 0) touch();
    const now = new Date().toISOString();
    await store.setSetting(SETTINGS.lastSync, now);
    status.set({ message: { key: pull.scopeChanged ? 'sync.sitesChanged' : 'sync.done', tone: 'ok' } });
  } catch (e) {
    if (e instanceof AuthRequiredError) status.set({ message: { key: 'sync.authNeeded', tone: 'error' } });
    else if (e instanceof TypeError) status.set({ message: { key: 'sync.offline', tone: 'info' } });
    else status.set({ message: { key: 'sync.failed', values: { reason: e instanceof Error ? e.message : String(e) }, tone: 'error' } });
  } finally {
    await refreshSyncCounts();
    useSyncStatus.getState().set({ running: false });
  }
}
