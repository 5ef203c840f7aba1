import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { countPending } from '../../lib/sync/outbox';
import { useSession } from '../../shared/session';
import { lock, signOutAndWipe } from './signOut';
import { askPersistentStorage, formatBytes, storageEstimate } from './storageEstimate';

export function SettingsScreen() {
  const { t } = useTranslation();
  const { user, deviceId, store } = useSession();
  const [storage, setStorage] = useState<Awaited<ReturnType<typeof storageEstimate>>>();
  const refresh = () => storageEstimate().then(setStorage);
  useEffect(() => {
    refresh();
  }, []);

  const signOut = async () => {
    const { pending, rejected } = await countPending(store!);
    if (confirm(t('settings.signOutWarning', { count: pending + rejected }))) await signOutAndWipe();
  };

  return (
    <section className="space-y-3">
      <h1 className="text-xl font-bold">{t('settings.title')}</h1>
      <p>{t('settings.user', { name: user?.name ?? user?.username ?? '?' })}</p>
      <p>{t('settings.sites', { sites: user?.siteIds.join(', ') || '—' })}</p>
      <p className="break-all text-sm">{t('settings.device', { id: deviceId })}</p>
      <p>{storage?.used !== undefined ? t('settings.storage', { used: formatBytes(storage.used), quota: formatBytes(storage.quota) }) : t('settings.storageUnknown')}</p>
      <p>{storage?.persisted ? t('settings.persisted') : t('settings.notPersisted')}</p>
      {!storage?.persisted && (
        <button type="button" className="btn-secondary" onClick={() => askPersistentStorage().then(refresh)}>
          {t('settings.askPersist')}
        </button>
      )}
      <div className="flex flex-col gap-2 pt-4">
        <button type="button" className="btn-secondary" onClick={lock}>{t('settings.lock')}</button>
        <button type="button" className="btn-secondary border-red-700 text-red-800" onClick={signOut}>{t('settings.signOut')}</button>
      </div>
    </section>
  );
}
