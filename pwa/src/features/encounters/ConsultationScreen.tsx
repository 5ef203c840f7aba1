import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useFieldArray, useForm, type UseFormReturn } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { consultationFormSchema, type ConsultationForm } from '../../lib/fhir/consultation';
import type { PickLists } from '../../lib/fhir/terminology';
import { loadPickLists } from '../../lib/reference/referenceData';
import { ListMissing } from '../../shared/ListMissing';
import { CodeOptions, Field, optionalNumber } from '../../shared/Field';
import { siteOrganizationId, useSession } from '../../shared/session';
import { CodedList } from './CodedList';
import { recordConsultation } from './recordConsultation';

/** The referral part is another feature's: the app passes it in. */
export type ReferralSlot = (form: UseFormReturn<ConsultationForm>, lists: PickLists) => ReactNode;

/** The consultation form, once the pick lists held on the device are read (empty ones included). */
export function ConsultationScreen({ patientId, referralSection }: { patientId: string; referralSection: ReferralSlot }) {
  const { t } = useTranslation();
  const { store } = useSession();
  const [lists, setLists] = useState<PickLists>();
  useEffect(() => {
    loadPickLists(store!).then(setLists);
  }, [store]);
  if (!lists) return <p>{t('app.loading')}</p>;
  return <ConsultationFormView patientId={patientId} referralSection={referralSection} lists={lists} />;
}

function ConsultationFormView({ patientId, referralSection, lists }: { patientId: string; referralSection: ReferralSlot; lists: PickLists }) {
  const { t } = useTranslation();
  const { store, user, go, touch } = useSession();
  const [failure, setFailure] = useState<string>();
  const schema = useMemo(() => consultationFormSchema(lists), [lists]);
  const form = useForm<ConsultationForm>({
    resolver: zodResolver(schema),
    defaultValues: { diagnoses: [], prescriptions: [], procedures: [] },
  });
  const { register, handleSubmit, formState, control } = form;
  const prescriptions = useFieldArray({ control, name: 'prescriptions' });
  const e = formState.errors;
  const site = siteOrganizationId(user);

  const submit = async (values: ConsultationForm) => {
    setFailure(undefined);
    try {
      await recordConsultation(store!, patientId, values, site!, lists);
      touch();
      // Only now, after the IndexedDB commit, is it "Enregistré".
      go({ name: 'patient', patientId }, 'form.saved');
    } catch (err) {
      setFailure(t('form.saveFailed', { reason: String(err) }));
    }
  };

  if (!site) return <p role="alert">{t('auth.noSite')}</p>;
  return (
    <section>
      <h1 className="mb-3 text-xl font-bold">{t('consultation.title')}</h1>
      <form onSubmit={handleSubmit(submit)} noValidate className="space-y-4">
        <Field id="reason" label={t('consultation.reason')} error={e.reason?.message}>
          <input id="reason" {...register('reason')} aria-invalid={!!e.reason} />
        </Field>
        <div className="grid grid-cols-3 gap-2">
          <Field id="temperature" label={t('consultation.temperature')} error={e.temperature?.message}>
            <input id="temperature" inputMode="decimal" {...register('temperature', optionalNumber)} aria-invalid={!!e.temperature} />
          </Field>
          <Field id="pulse" label={t('consultation.pulse')} error={e.pulse?.message}>
            <input id="pulse" inputMode="numeric" {...register('pulse', optionalNumber)} aria-invalid={!!e.pulse} />
          </Field>
          <Field id="weight" label={t('consultation.weight')} error={e.weight?.message}>
            <input id="weight" inputMode="decimal" {...register('weight', optionalNumber)} aria-invalid={!!e.weight} />
          </Field>
        </div>
        <Field id="notes" label={`${t('consultation.notes')} ${t('form.optional')}`} error={e.notes?.message}>
          <textarea id="notes" rows={3} {...register('notes')} />
        </Field>

        <CodedList form={form} name="diagnoses" list="conditions" legend={t('consultation.diagnoses')} label={t('consultation.diagnosis')} addLabel={t('consultation.addDiagnosis')} options={lists.conditions} showCode />

        <fieldset className="card space-y-3">
          <legend className="px-1 font-semibold">{t('consultation.prescriptions')}</legend>
          {prescriptions.fields.map((f, i) => (
            <div key={f.id} className="space-y-2 border-b border-slate-200 pb-3">
              <Field id={`medicine-${i}`} label={t('consultation.medicine')} error={e.prescriptions?.[i]?.medicine?.message}>
                <select id={`medicine-${i}`} {...register(`prescriptions.${i}.medicine`)}>
                  <CodeOptions options={lists.medicines} />
                </select>
              </Field>
              <Field id={`dosage-${i}`} label={t('consultation.dosage')} error={e.prescriptions?.[i]?.dosage?.message}>
                <input id={`dosage-${i}`} {...register(`prescriptions.${i}.dosage`)} />
              </Field>
              <Field id={`duration-${i}`} label={t('consultation.duration')} error={e.prescriptions?.[i]?.durationDays?.message}>
                <input id={`duration-${i}`} inputMode="numeric" {...register(`prescriptions.${i}.durationDays`, optionalNumber)} />
              </Field>
              <button type="button" className="btn-secondary" onClick={() => prescriptions.remove(i)}>{t('form.remove')}</button>
            </div>
          ))}
          {lists.medicines.length === 0 ? (
            <ListMissing item="medicines" />
          ) : (
            <button type="button" className="btn-secondary" onClick={() => prescriptions.append({ medicine: '', dosage: '', durationDays: undefined as unknown as number })}>
              {t('consultation.addPrescription')}
            </button>
          )}
        </fieldset>

        <CodedList form={form} name="procedures" list="procedures" legend={t('consultation.procedures')} label={t('consultation.procedure')} addLabel={t('consultation.addProcedure')} options={lists.procedures} />

        {referralSection(form, lists)}

        {failure && <p role="alert" className="field-error">{failure}</p>}
        {Object.keys(e).length > 0 && <p role="alert" className="field-error">{t('form.fixErrors')}</p>}
        <div className="flex gap-2">
          <button type="button" className="btn-secondary" onClick={() => go({ name: 'patient', patientId })}>{t('app.back')}</button>
          <button type="submit" className="btn-primary flex-1" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? t('form.saving') : t('consultation.save')}
          </button>
        </div>
      </form>
    </section>
  );
}
