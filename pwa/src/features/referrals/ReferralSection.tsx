import { useEffect, useState } from 'react';
import type { UseFormReturn } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import type { ConsultationForm } from '../../lib/fhir/consultation';
import type { PickLists } from '../../lib/fhir/terminology';
import { CodeOptions, Field } from '../../shared/Field';
import { ListMissing } from '../../shared/ListMissing';
import { siteOrganizationId, useSession } from '../../shared/session';
import { listDestinationSites, type Site } from './listDestinationSites';

/** "Référer vers", "Motif de la référence", "Urgence": part of the consultation, saved with it. */
export function ReferralSection({ form, lists }: { form: UseFormReturn<ConsultationForm>; lists: PickLists }) {
  const { t } = useTranslation();
  const { store, user } = useSession();
  const [enabled, setEnabled] = useState(false);
  const [sites, setSites] = useState<Site[]>([]);
  const e = form.formState.errors.referral;
  const opts = { shouldUnregister: true } as const;

  useEffect(() => {
    listDestinationSites(store!, siteOrganizationId(user)).then(setSites);
  }, [store, user]);

  return (
    <fieldset className="card space-y-3">
      <legend className="px-1 font-semibold">{t('referral.section')}</legend>
      <div className="flex items-center gap-2">
        <input id="refer" type="checkbox" className="h-6 w-6" checked={enabled} onChange={(ev) => setEnabled(ev.target.checked)} />
        <label htmlFor="refer">{t('referral.refer')}</label>
      </div>
      {enabled && (
        <>
          {sites.length === 0 && <ListMissing item="sites" />}
          {lists.referralReasons.length === 0 && <ListMissing item="referralReasons" />}
          <Field id="referral-destination" label={t('referral.destination')} error={e?.destination?.message}>
            <select id="referral-destination" defaultValue="" {...form.register('referral.destination', opts)}>
              <option value="">{t('consultation.choose')}</option>
              {sites.map((s) => (
                <option key={s.id} value={s.id}>{s.name}</option>
              ))}
            </select>
          </Field>
          {lists.referralReasons.length > 0 && (
            <Field id="referral-reason" label={t('referral.reason')} error={e?.reason?.message}>
              <select id="referral-reason" defaultValue="" {...form.register('referral.reason', opts)}>
                <CodeOptions options={lists.referralReasons} />
              </select>
            </Field>
          )}
          <Field id="referral-detail" label={lists.referralReasons.length > 0 ? `${t('referral.detail')} ${t('form.optional')}` : t('referral.detail')} error={e?.detail?.message}>
            <input id="referral-detail" {...form.register('referral.detail', opts)} />
          </Field>
          <Field id="referral-urgency" label={t('referral.urgency')} error={e?.urgency?.message}>
            <select id="referral-urgency" defaultValue="routine" {...form.register('referral.urgency', opts)}>
              <option value="routine">{t('referral.routine')}</option>
              <option value="urgent">{t('referral.urgent')}</option>
              <option value="stat">{t('referral.stat')}</option>
            </select>
          </Field>
        </>
      )}
    </fieldset>
  );
}
