import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** A visible label, the control, an optional hint and the field's error (an i18n key) next to it. */
export function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string; hint?: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && <p id={`${id}-hint`} className="mt-1 text-sm text-slate-600">{hint}</p>}
      {error && (
        <p id={`${id}-error`} role="alert" className="field-error">
          {t(error)}
        </p>
      )}
    </div>
  );
}

/** react-hook-form: an empty number input is "not given", not NaN. */
export const optionalNumber = { setValueAs: (v: string) => (v === '' || v === undefined ? undefined : Number(String(v).replace(',', '.'))) };

/** The options of a coded choice: "— Choisir —" first, then the list's French labels. */
export function CodeOptions({ options, showCode }: { options: readonly { code: string; display?: string }[]; showCode?: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      <option value="">{t('consultation.choose')}</option>
      {options.map((o) => (
        <option key={o.code} value={o.code}>
          {o.display ?? o.code}
          {showCode ? ` (${o.code})` : ''}
        </option>
      ))}
    </>
  );
}
