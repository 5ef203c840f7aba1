import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../shared/session';
import { signInServerAnswers } from '../../lib/auth/oidc';
import { startSignIn } from './startSignIn';

export function SignInScreen({ message }: { message?: string }) {
  const { t } = useTranslation();
  const config = useSession((s) => s.config);
  const [error, setError] = useState<string>();
  const [checking, setChecking] = useState(false);
  const signIn = async () => {
    if (!navigator.onLine || !config) {
      setError(t('auth.signInOffline'));
      return;
    }
    setError(undefined);
    setChecking(true);
    const answers = await signInServerAnswers(config);
    setChecking(false);
    if (!answers) {
      setError(t('auth.signInServerUnreachable'));
      return;
    }
    await startSignIn(config);
  };
  return (
    <main className="mx-auto max-w-md p-4">
      <h1 className="mb-4 text-2xl font-bold">{t('auth.signInTitle')}</h1>
      {message && <p role="alert" className="mb-4 rounded bg-amber-100 p-3">{message}</p>}
      <p className="mb-6">{t('auth.signInIntro')}</p>
      <button type="button" className="btn-primary w-full" onClick={signIn} disabled={checking}>
        {t('auth.signIn')}
      </button>
      {error && <p role="alert" className="field-error">{error}</p>}
    </main>
  );
}
