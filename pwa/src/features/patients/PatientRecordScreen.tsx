import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Resource } from '../../lib/fhir/types';
import { useSession } from '../../shared/session';
import { loadPatientRecord, type PatientRecord } from './loadPatientRecord';
import { patientName } from '../../shared/patientName';
import { PatientSummary } from './PatientSummary';

const text = (cc: unknown) => {
  const c = cc as { text?: string; coding?: { code?: string; display?: string }[] } | undefined;
  return c?.text ?? c?.coding?.[0]?.display ?? c?.coding?.[0]?.code ?? '';
};
const orgId = (ref: unknown) => String((ref as { reference?: string } | undefined)?.reference ?? '').replace('Organization/', '');

export function PatientRecordScreen({ patientId }: { patientId: string }) {
  const { t } = useTranslation();
  const { store, go, dataVersion, user } = useSession();
  const [record, setRecord] = useState<PatientRecord | null>();

  useEffect(() => {
    loadPatientRecord(store!, patientId).then((r) => setRecord(r ?? null));
  }, [store, patientId, dataVersion]);

  if (record === undefined) return <p>{t('app.loading')}</p>;
  if (record === null) return <p role="alert">{t('patient.notFound')}</p>;
  const { patient } = record;
  const mySites = new Set(user?.siteIds.map((s) => s.toLowerCase()));
  const siteName = (id: string) => record.siteNames.get(id) ?? id;

  return (
    <section className="space-y-4">
      <div>
        <h1 className="text-xl font-bold">{patientName(patient.resource)}</h1>
        <PatientSummary patient={patient.resource} />
        {patient.local && <p className="mt-1 text-sm font-semibold text-amber-800">{t('patient.notSynced')}</p>}
      </div>
      <div className="flex gap-2">
        <button type="button" className="btn-secondary" onClick={() => go({ name: 'patients' })}>{t('app.back')}</button>
        <button type="button" className="btn-secondary" onClick={() => go({ name: 'editPatient', patientId })}>{t('patient.edit')}</button>
        <button type="button" className="btn-primary flex-1" onClick={() => go({ name: 'consult', patientId })}>{t('patient.newConsultation')}</button>
      </div>

      {record.referrals.length > 0 && (
        <div>
          <h2 className="text-lg font-semibold">{t('patient.referrals')}</h2>
          <ul className="space-y-1">
            {record.referrals.map((r) => {
              const to = orgId((r.resource.performer as unknown[] | undefined)?.[0]);
              const received = mySites.has(to);
              const from = orgId(r.resource.requester) || '';
              return (
                <li key={r.resource.id} className="card">
                  {received ? t('patient.referralReceived', { site: siteName(from) || '—' }) : t('patient.referralTo', { site: siteName(to) })}
                  {' — '}
                  {text((r.resource.reasonCode as unknown[] | undefined)?.[0])}
                </li>
              );
            })}
          </ul>
        </div>
      )}

      <div>
        <h2 className="text-lg font-semibold">{t('patient.consultations')}</h2>
        {record.consultations.length === 0 && <p>{t('patient.noConsultation')}</p>}
        <ul className="space-y-2">
          {record.consultations.map(({ encounter, related }) => {
            const e = encounter.resource;
            const of = (type: string) => related.filter((r: Resource) => r.resourceType === type);
            return (
              <li key={e.id} className="card">
                <p className="font-semibold">
                  {new Date(String((e.period as { start?: string })?.start ?? '')).toLocaleDateString('fr-FR')} — {text((e.reasonCode as unknown[] | undefined)?.[0])}
                </p>
                {encounter.local && <p className="text-sm font-semibold text-amber-800">{t('patient.notSynced')}</p>}
                <p className="text-sm">
                  {of('Observation').map((o) => {
                    const q = o.valueQuantity as { value: number; unit: string };
                    return `${q.value} ${q.unit}`;
                  }).join(' · ')}
                </p>
                {of('Condition').length > 0 && <p className="text-sm"><span className="font-medium">{t('patient.diagnoses')} :</span> {of('Condition').map((c) => text(c.code)).join(', ')}</p>}
                {of('MedicationRequest').length > 0 && (
                  <p className="text-sm">
                    <span className="font-medium">{t('patient.prescriptions')} :</span>{' '}
                    {of('MedicationRequest').map((m) => `${text(m.medicationCodeableConcept)} (${(m.dosageInstruction as { text: string }[])?.[0]?.text ?? ''})`).join(', ')}
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      </div>
    </section>
  );
}
