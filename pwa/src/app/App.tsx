import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ChoosePinScreen } from '../features/auth/ChoosePinScreen';
import { completeSignIn } from '../features/auth/completeSignIn';
import { loadAppConfig } from '../features/auth/loadAppConfig';
import { SignInScreen } from '../features/auth/SignInScreen';
import { startSignIn } from '../features/auth/startSignIn';
import { UnlockScreen } from '../features/auth/UnlockScreen';
import { ConsultationScreen } from '../features/encounters/ConsultationScreen';
import { PatientListScreen } from '../features/patients/PatientListScreen';
import { PatientRecordScreen } from '../features/patients/PatientRecordScreen';
import { RegisterPatientScreen } from '../features/patients/RegisterPatientScreen';
import { IncomingReferralsScreen } from '../features/referrals/IncomingReferralsScreen';
import { ReferralSection } from '../features/referrals/ReferralSection';
import { SettingsScreen } from '../features/settings/SettingsScreen';
import { UpdateBanner } from '../features/settings/UpdateBanner';
import { askPersistentStorage } from '../features/settings/storageEstimate';
import { ConflictScreen } from '../features/sync/ConflictScreen';
import { runSync } from '../features/sync/runSync';
import { useSyncStatus } from '../features/sync/syncStatus';
import { SyncStatusBar } from '../features/sync/SyncStatusBar';
import { Vault } from '../lib/crypto/vault';
import { openDatabase } from '../lib/db/database';
import { useSession } from '../shared/session';

/** Start: configuration, a return from Keycloak if any, then sign-in, PIN choice or unlock. */
async function start(t: (k: string, o?: Record<string, string>) => string) {
  const { set } = useSession.getState();
  const db = openDatabase();
  set({ db });
  try {
    const config = await loadAppConfig();
    set({ config });
    const hasPin = await new Vault(db).isSetUp();
    const signIn = await completeSignIn(config).catch((e: unknown) => ({ error: String(e) }));
    if (signIn && 'error' in signIn) {
      set({ screen: hasPin ? 'unlock' : 'signIn', notice: t('auth.callbackFailed', { reason: signIn.error === 'state' ? t('auth.stateMismatch') : signIn.error }) });
      return;
    }
    if (signIn) set({ pendingSignIn: signIn });
    askPersistentStorage().catch(() => undefined);
    set({ screen: hasPin ? 'unlock' : signIn ? 'choosePin' : 'signIn' });
  } catch (e) {
    set({ screen: 'error', notice: t('app.startError', { reason: String(e) }) });
  }
}

export function App() {
  const { t } = useTranslation();
  const { screen, view, notice, go, config, flash } = useSession();
  const syncing = useSyncStatus((s) => s.running);
  useEffect(() => {
    start(t);
  }, [t]);
  // Signed in or unlocked with the network: sync at once (reference data, outbox, change feed).
  useEffect(() => {
    if (screen === 'main' && navigator.onLine) runSync();
  }, [screen]);

  if (screen === 'loading') return <p className="p-4">{t('app.loading')}</p>;
  if (screen === 'error') return <p role="alert" className="p-4">{notice}</p>;
  if (screen === 'signIn') return <SignInScreen message={notice} />;
  if (screen === 'choosePin') return <ChoosePinScreen />;
  if (screen === 'unlock') return <UnlockScreen />;

  return (
    <div className="flex min-h-screen flex-col">
      <header className="flex flex-wrap items-center justify-between gap-1 bg-teal-800 px-3 py-2 text-white">
        <span className="font-bold">{t('app.title')}</span>
        <nav className="flex flex-wrap gap-1" aria-label="Navigation">
          <button type="button" className="rounded px-2 py-2 font-semibold hover:bg-teal-700" onClick={() => go({ name: 'patients' })}>{t('nav.patients')}</button>
          <button type="button" className="rounded px-2 py-2 font-semibold hover:bg-teal-700" onClick={() => go({ name: 'referrals' })}>{t('nav.referrals')}</button>
          <button type="button" className="rounded px-2 py-2 font-semibold hover:bg-teal-700" onClick={() => go({ name: 'settings' })}>{t('nav.settings')}</button>
        </nav>
      </header>
      <UpdateBanner busy={syncing} />
      <main className="mx-auto w-full max-w-2xl flex-1 p-3">
        {flash && (
          <p role="status" className="mb-3 rounded bg-teal-100 p-2 font-semibold text-teal-900" data-testid="flash">
            {t(flash)}
          </p>
        )}
        {view.name === 'patients' && <PatientListScreen />}
        {view.name === 'register' && <RegisterPatientScreen />}
        {view.name === 'editPatient' && <RegisterPatientScreen key={view.patientId} patientId={view.patientId} />}
        {view.name === 'patient' && <PatientRecordScreen patientId={view.patientId} />}
        {view.name === 'consult' && <ConsultationScreen patientId={view.patientId} referralSection={(form, lists) => <ReferralSection form={form} lists={lists} />} />}
        {view.name === 'settings' && <SettingsScreen />}
        {view.name === 'referrals' && <IncomingReferralsScreen />}
        {view.name === 'conflict' && <ConflictScreen seq={view.seq} />}
      </main>
      <footer className="sticky bottom-0">
        {/* A new sign-in reloads the app; the outbox stays in IndexedDB and the PIN unlocks it again. */}
        <SyncStatusBar onSignInAgain={() => config && startSignIn(config)} />
      </footer>
    </div>
  );
}
