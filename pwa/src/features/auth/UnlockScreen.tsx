import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { pinSchema } from '../../lib/crypto/keys';
import { Vault } from '../../lib/crypto/vault';
import { useSession } from '../../shared/session';
import { openSession } from './openSession';

export function UnlockScreen() {
  const { t } = useTranslation();
  const db = useSession((s) => s.db)!;
  const set = useSession((s) => s.set);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!pinSchema.safeParse(pin).success) {
      setError(t('auth.pinInvalid'));
      return;
    }
    setBusy(true);
    try {
      const result = await new Vault(db).unlock(pin);
      if (result.ok) {
        await openSession(result.keys);
      } else if (result.reason === 'wiped') {
        set({ screen: 'signIn', pendingSignIn: undefined, notice: t('auth.wiped') });
      } else {
        setError(t('auth.wrongPin', { count: result.remainingAttempts }));
        setPin('');
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="mx-auto max-w-md p-4">
      <h1 className="mb-4 text-2xl font-bold">{t('auth.unlockTitle')}</h1>
      <form onSubmit={submit} noValidate className="space-y-4">
        <div>
          <label htmlFor="unlock-pin">{t('auth.pin')}</label>
          <input id="unlock-pin" type="password" inputMode="numeric" autoComplete="current-password" maxLength={6} autoFocus value={pin} onChange={(e) => setPin(e.target.value)} aria-invalid={!!error} aria-describedby="unlock-error" />
          {error && <p id="unlock-error" role="alert" className="field-error">{error}</p>}
        </div>
        <button type="submit" className="btn-primary w-full" disabled={busy}>
          {busy ? t('auth.unlocking') : t('auth.unlock')}
        </button>
      </form>
    </main>
  );
}
