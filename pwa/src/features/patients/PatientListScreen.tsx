import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SearchHit } from '../../lib/db/store';
import { useSession } from '../../shared/session';
import { patientName } from '../../shared/patientName';
import { PatientSummary } from './PatientSummary';
import { searchPatients } from './searchPatients';

export function PatientListScreen() {
  const { t } = useTranslation();
  const store = useSession((s) => s.store)!;
  const go = useSession((s) => s.go);
  const dataVersion = useSession((s) => s.dataVersion);
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [total, setTotal] = useState<number>();

  useEffect(() => {
    let current = true;
    searchPatients(store, query).then((h) => current && setHits(h));
    return () => {
      current = false;
    };
  }, [store, query, dataVersion]);
  useEffect(() => {
    store.countType('Patient').then(setTotal);
  }, [store, dataVersion]);

  return (
    <section>
      <div className="mb-3 flex items-center justify-between gap-2">
        <h1 className="text-xl font-bold">{t('patient.listTitle')}</h1>
        <button type="button" className="btn-primary" onClick={() => go({ name: 'register' })}>
          {t('patient.register')}
        </button>
      </div>
      <label htmlFor="patient-search">{t('patient.search')}</label>
      <input id="patient-search" type="search" autoComplete="off" value={query} onChange={(e) => setQuery(e.target.value)} aria-describedby="search-hint" />
      <p id="search-hint" className="mt-1 text-sm text-slate-600">
        {total !== undefined ? t('patient.count', { count: total }) : ''} {query.trim().length < 2 ? t('patient.searchHint') : ''}
      </p>
      <ul className="mt-3 space-y-2" aria-live="polite">
        {hits.map(({ patient }) => (
          <li key={patient.id}>
            <button type="button" className="card w-full text-left hover:bg-teal-50" onClick={() => go({ name: 'patient', patientId: patient.id })}>
              <span className="block font-semibold">{patientName(patient)}</span>
              <PatientSummary patient={patient} />
            </button>
          </li>
        ))}
      </ul>
      {hits.length === 0 && query.trim().length >= 2 && <p className="mt-3">{t('patient.noResult')}</p>}
    </section>
  );
}
