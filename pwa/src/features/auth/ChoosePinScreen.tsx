import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { Vault } from '../../lib/crypto/vault';
import { useSession } from '../../shared/session';
import { openSession } from './openSession';

const choosePinSchema = z
  .object({
    pin: z.string().regex(/^\d{4,6}$/, 'auth.pinInvalid'),
    confirm: z.string(),
  })
  .refine((v) => v.pin === v.confirm, { message: 'auth.pinMismatch', path: ['confirm'] });
type ChoosePin = z.infer<typeof choosePinSchema>;

export function ChoosePinScreen() {
  const { t } = useTranslation();
  const db = useSession((s) => s.db)!;
  const { register, handleSubmit, formState } = useForm<ChoosePin>({ resolver: zodResolver(choosePinSchema) });
  const submit = async (v: ChoosePin) => {
    const keys = await new Vault(db).setUp(v.pin);
    await openSession(keys);
  };
  const err = (name: keyof ChoosePin) => formState.errors[name]?.message;
  return (
    <main className="mx-auto max-w-md p-4">
      <h1 className="mb-2 text-2xl font-bold">{t('auth.choosePinTitle')}</h1>
      <p className="mb-4">{t('auth.choosePinIntro')}</p>
      <form onSubmit={handleSubmit(submit)} noValidate className="space-y-4">
        <div>
          <label htmlFor="pin">{t('auth.pin')}</label>
          <input id="pin" type="password" inputMode="numeric" autoComplete="new-password" maxLength={6} {...register('pin')} aria-invalid={!!err('pin')} aria-describedby="pin-error" />
          {err('pin') && <p id="pin-error" className="field-error">{t(err('pin')!)}</p>}
        </div>
        <div>
          <label htmlFor="pin-confirm">{t('auth.pinConfirm')}</label>
          <input id="pin-confirm" type="password" inputMode="numeric" autoComplete="new-password" maxLength={6} {...register('confirm')} aria-invalid={!!err('confirm')} aria-describedby="confirm-error" />
          {err('confirm') && <p id="confirm-error" className="field-error">{t(err('confirm')!)}</p>}
        </div>
        <button type="submit" className="btn-primary w-full" disabled={formState.isSubmitting}>
          {formState.isSubmitting ? t('auth.pinCreating') : t('auth.pinCreate')}
        </button>
      </form>
    </main>
  );
}
