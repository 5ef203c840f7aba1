import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { formFromPatient, patientFormSchema, type PatientForm } from '../../lib/fhir/patient';
import type { Patient } from '../../lib/fhir/types';
import { Field, optionalNumber } from '../../shared/Field';
import { siteOrganizationId, useSession } from '../../shared/session';
import { editPatient } from './editPatient';
import { registerPatient } from './registerPatient';

/** Registers a patient, or, with `patientId`, changes one already on the phone. */
export function RegisterPatientScreen({ patientId }: { patientId?: string }) {
  const { t } = useTranslation();
  const { store, user, go, touch } = useSession();
  const [failure, setFailure] = useState<string>();
  const { register, handleSubmit, formState, reset } = useForm<PatientForm>({ resolver: zodResolver(patientFormSchema) });
  const [loaded, setLoaded] = useState(patientId === undefined);
  const e = formState.errors;
  const site = siteOrganizationId(user);

  useEffect(() => {
    if (patientId === undefined) return;
    store!.get<Patient>('Patient', patientId).then((stored) => {
      if (stored) reset(formFromPatient(stored.resource));
      setLoaded(stored !== undefined);
    });
  }, [store, patientId, reset]);

  const submit = async (form: PatientForm) => {
    setFailure(undefined);
    try {
      let id = patientId;
      if (id === undefined) id = await registerPatient(store!, form, site!);
      else await editPatient(store!, id, form);
      touch();
      // Only now, after the IndexedDB commit, is it "Enregistré".
      go({ name: 'patient', patientId: id }, 'form.saved');
    } catch (err) {
      setFailure(t('form.saveFailed', { reason: String(err) }));
    }
  };

  if (!site) return <p role="alert">{t('auth.noSite')}</p>;
  if (!loaded) return <p>{t('app.loading')}</p>;
  return (
    <section>
      <h1 className="mb-3 text-xl font-bold">{t(patientId === undefined ? 'patient.registerTitle' : 'patient.editTitle')}</h1>
      <form onSubmit={handleSubmit(submit)} noValidate className="space-y-4">
        <Field id="family" label={t('patient.family')} error={e.family?.message}>
          <input id="family" autoComplete="off" {...register('family')} aria-invalid={!!e.family} />
        </Field>
        <Field id="given" label={t('patient.given')} error={e.given?.message}>
          <input id="given" autoComplete="off" {...register('given')} aria-invalid={!!e.given} />
        </Field>
        <Field id="gender" label={t('patient.gender')} error={e.gender?.message}>
          <select id="gender" {...register('gender')} aria-invalid={!!e.gender} defaultValue="">
            <option value="" disabled>{t('consultation.choose')}</option>
            <option value="female">{t('patient.female')}</option>
            <option value="male">{t('patient.male')}</option>
          </select>
        </Field>
        <div className="grid grid-cols-2 gap-3">
          <Field id="birthYear" label={t('patient.birthYear')} error={e.birthYear?.message}>
            <input id="birthYear" inputMode="numeric" {...register('birthYear', optionalNumber)} aria-invalid={!!e.birthYear} aria-describedby="birth-hint" />
          </Field>
          <Field id="estimatedAge" label={t('patient.estimatedAge')} error={e.estimatedAge?.message}>
            <input id="estimatedAge" inputMode="numeric" {...register('estimatedAge', optionalNumber)} aria-invalid={!!e.estimatedAge} aria-describedby="birth-hint" />
          </Field>
        </div>
        <p id="birth-hint" className="text-sm text-slate-600">{t('patient.birthYearOrAgeHint')}</p>
        <Field id="phone" label={`${t('patient.phone')} ${t('form.optional')}`} error={e.phone?.message}>
          <input id="phone" type="tel" inputMode="tel" autoComplete="off" {...register('phone')} aria-invalid={!!e.phone} />
        </Field>
        <Field id="village" label={`${t('patient.village')} ${t('form.optional')}`} error={e.village?.message}>
          <input id="village" autoComplete="off" {...register('village')} aria-invalid={!!e.village} />
        </Field>
        {failure && <p role="alert" className="field-error">{failure}</p>}
        {Object.keys(e).length > 0 && <p role="alert" className="field-error">{t('form.fixErrors')}</p>}
        <div className="flex gap-2">
          <button type="button" className="btn-secondary" onClick={() => go(patientId === undefined ? { name: 'patients' } : { name: 'patient', patientId })}>{t('app.back')}</button>
          <button type="submit" className="btn-primary flex-1" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? t('form.saving') : t('form.save')}
          </button>
        </div>
      </form>
    </section>
  );
}
