import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { watchForUpdate, type WorkerContainer } from './appUpdate';

/** "Une nouvelle version est prête." with "Mettre à jour", when a new build waits. */
export function UpdateBanner({ busy }: { busy: boolean }) {
  const { t } = useTranslation();
  const [apply, setApply] = useState<() => void>();
  useEffect(() => {
    if (!('serviceWorker' in navigator)) return undefined;
    let stop: (() => void) | undefined;
    watchForUpdate(navigator.serviceWorker as unknown as WorkerContainer, (a) => setApply(() => a), () => location.reload()).then((s) => (stop = s));
    return () => stop?.();
  }, []);
  if (!apply) return null;
  return (
    <div role="status" className="flex items-center justify-between gap-2 bg-amber-100 px-3 py-2 text-amber-900">
      <span className="font-semibold">{t('settings.update')}</span>
      {/* Not in the middle of a sync: the page reloads. */}
      <button type="button" className="btn-secondary shrink-0" disabled={busy} onClick={apply}>{t('settings.reload')}</button>
    </div>
  );
}
