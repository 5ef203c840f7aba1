import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutboxEntry } from '../../lib/sync/outbox';
import { REFERENCE_ITEM_KEYS } from '../../shared/referenceLabels';
import { useSession } from '../../shared/session';
import { listRefused } from './listRefused';
import { refreshSyncCounts, runSync } from './runSync';
import { useSyncStatus } from './syncStatus';

const AUTO_SYNC_MS = 30_000;

/** Always on screen: what waits, the last successful sync, what failed and why; the Synchroniser button. */
export function SyncStatusBar({ onSignInAgain }: { onSignInAgain: () => void }) {
  const { t } = useTranslation();
  const { store, dataVersion, go } = useSession();
  const s = useSyncStatus();
  const [refused, setRefused] = useState<OutboxEntry[]>([]);

  useEffect(() => {
    refreshSyncCounts();
    if (store) listRefused(store).then(setRefused);
  }, [store, dataVersion]);

  // Automatic: when the network returns, and every 30 s while something waits.
  useEffect(() => {
    const online = () => runSync();
    window.addEventListener('online', online);
    const timer = setInterval(() => {
      if (navigator.onLine && useSyncStatus.getState().pending > 0) runSync();
    }, AUTO_SYNC_MS);
    return () => {
      window.removeEventListener('online', online);
      clearInterval(timer);
    };
  }, []);

  const tone = s.message?.tone === 'error' ? 'text-red-800' : s.message?.tone === 'ok' ? 'text-teal-800' : 'text-slate-800';
  return (
    <div className="border-t border-slate-300 bg-white p-3" role="status" aria-live="polite">
      <div className="flex items-center justify-between gap-2">
        <div className="text-sm">
          <p className="font-semibold" data-testid="sync-pending">{t('sync.waiting', { count: s.pending })}</p>
          {s.rejected > 0 && <p className="text-red-800">{t('sync.rejected', { count: s.rejected })}</p>}
          <p>{s.lastSync ? t('sync.last', { when: new Date(s.lastSync).toLocaleString('fr-FR') }) : t('sync.never')}</p>
          {s.readiness && (
            <p className={s.readiness.ready ? 'text-teal-800' : 'font-semibold text-amber-800'} data-testid="offline-readiness">
              {s.readiness.ready
                ? t('reference.ready')
                : t('reference.missing', { items: s.readiness.missing.map((m) => t(REFERENCE_ITEM_KEYS[m])).join(', ') })}
            </p>
          )}
          {s.message && <p className={`font-semibold ${tone}`} data-testid="sync-message">{t(s.message.key, s.message.values)}</p>}
          {s.message?.key === 'sync.authNeeded' && (
            <button type="button" className="btn-secondary mt-1" onClick={onSignInAgain}>{t('auth.signInAgain')}</button>
          )}
        </div>
        <button type="button" className="btn-primary shrink-0" disabled={s.running} onClick={() => runSync()}>
          {s.running ? t('sync.running') : t('sync.button')}
        </button>
      </div>
      {refused.length > 0 && (
        <details className="mt-2 text-sm">
          <summary className="cursor-pointer font-semibold text-red-800">{t('sync.refusedTitle')}</summary>
          <ul className="mt-1 space-y-1">
            {refused.map((r) => (
              <li key={r.seq}>
                {r.payload.refusal?.conflicts?.length ? (
                  <>
                    {r.payload.refusal.conflicts.map((c) => t('sync.refusedConflict', { current: c.currentVersion ?? '?' })).join(' ')}{' '}
                    <button type="button" className="btn-secondary mt-1" onClick={() => go({ name: 'conflict', seq: r.seq })}>{t('conflict.resolve')}</button>
                  </>
                ) : (
                  t('sync.refusedStatus', { status: r.payload.refusal?.status ?? '?' })
                )}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
