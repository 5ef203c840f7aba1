import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { patientName } from '../../shared/patientName';
import { useSession } from '../../shared/session';
import { listIncomingReferrals, type IncomingReferral } from './incomingReferrals';

const PRIORITY_KEYS: Record<string, string> = { routine: 'referral.routine', urgent: 'referral.urgent', asap: 'referral.urgent', stat: 'referral.stat' };

/** Patients referred to the care worker's site, still expected or in care: her worklist, offline. */
export function IncomingReferralsScreen() {
  const { t } = useTranslation();
  const { store, user, go, dataVersion } = useSession();
  const [items, setItems] = useState<IncomingReferral[]>();
  useEffect(() => {
    listIncomingReferrals(store!, user?.siteIds ?? []).then(setItems);
  }, [store, user, dataVersion]);

  if (!items) return <p>{t('app.loading')}</p>;
  return (
    <section className="space-y-3">
      <h1 className="text-xl font-bold">{t('referral.incomingTitle')}</h1>
      <p className="text-sm">{t('referral.incomingIntro')}</p>
      {items.length === 0 && <p>{t('referral.noIncoming')}</p>}
      <ul className="space-y-2">
        {items.map((r) => (
          <li key={r.referral.id}>
            <button
              type="button"
              className="card w-full text-left"
              disabled={!r.patient}
              onClick={() => r.patient && go({ name: 'patient', patientId: r.patient.id })}
            >
              <span className="block font-semibold">{r.patient ? patientName(r.patient) : t('referral.patientNotHere')}</span>
              <span className="block text-sm">
                {t('referral.incomingFrom', { site: r.from ?? '—' })}
                {r.authoredOn ? ` — ${new Date(r.authoredOn).toLocaleDateString('fr-FR')}` : ''}
              </span>
              <span className="block text-sm">{r.reason}</span>
              <span className={`block text-sm font-semibold ${r.priority === 'routine' ? '' : 'text-red-800'}`}>
                {t('referral.urgency')} : {t(PRIORITY_KEYS[r.priority] ?? 'referral.routine')}
                {r.followUp ? ` — ${r.followUp}` : ''}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
