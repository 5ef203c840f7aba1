import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Choice, ConflictView, Decision } from '../../lib/sync/conflicts';
import { useSession } from '../../shared/session';
import { describeValue } from './describeValue';
import { loadConflict, type LoadedConflict } from './loadConflict';
import { resolveConflict } from './resolveConflict';
import { refreshSyncCounts, runSync } from './runSync';
import { sessionTransport } from './sessionTransport';

const FIELD_KEYS: Record<string, string> = {
  name: 'conflict.fieldName',
  gender: 'conflict.fieldGender',
  birthDate: 'conflict.fieldBirthDate',
  telecom: 'conflict.fieldTelecom',
  address: 'conflict.fieldAddress',
  reasonCode: 'conflict.fieldReason',
  period: 'conflict.fieldPeriod',
  status: 'conflict.fieldStatus',
};
const TYPE_KEYS: Record<string, string> = { Patient: 'conflict.typePatient', Encounter: 'conflict.typeEncounter' };
const STATE_KEYS: Record<string, string> = {
  changed: 'conflict.stateChanged',
  exists: 'conflict.stateExists',
  deleted: 'conflict.stateDeleted',
  missing: 'conflict.stateDeleted',
};

type Kind = Decision['kind'];

/**
 * A batch the server refused with a conflict: for each record, both versions field by field;
 * she keeps hers, takes the server's, or merges field by field; the result is queued as a new
 * batch on the server's version and sent.
 */
export function ConflictScreen({ seq }: { seq: number }) {
  const { t } = useTranslation();
  const { store, config, tokens, go, touch } = useSession();
  const [loaded, setLoaded] = useState<LoadedConflict | null>();
  const [error, setError] = useState<string>();
  const [kinds, setKinds] = useState<Record<string, Kind>>({});
  const [fields, setFields] = useState<Record<string, Record<string, Choice>>>({});
  const [saving, setSaving] = useState(false);

  const load = useCallback(async () => {
    setError(undefined);
    if (!navigator.onLine || !config || !tokens) {
      setError(t('conflict.needsNetwork'));
      return;
    }
    try {
      setLoaded((await loadConflict(store!, sessionTransport(config, tokens), seq)) ?? null);
    } catch (e) {
      setError(t('conflict.loadFailed', { reason: e instanceof Error ? e.message : String(e) }));
    }
  }, [store, config, tokens, seq, t]);
  useEffect(() => {
    load();
  }, [load]);

  if (error)
    return (
      <section className="space-y-3">
        <h1 className="text-xl font-bold">{t('conflict.title')}</h1>
        <p role="alert" className="field-error">{error}</p>
        <button type="button" className="btn-secondary" onClick={load}>{t('conflict.retry')}</button>
      </section>
    );
  if (loaded === undefined) return <p>{t('app.loading')}</p>;
  if (loaded === null) return <p role="status">{t('conflict.gone')}</p>;

  const refs = loaded.views.map((v) => v.conflict.resource);
  const complete = refs.every((r) => kinds[r]);
  const submit = async () => {
    const decisions: Record<string, Decision> = {};
    for (const view of loaded.views) {
      const ref = view.conflict.resource;
      const kind = kinds[ref];
      decisions[ref] = kind === 'merge' ? { kind, fields: Object.fromEntries(view.diffs.map((d) => [d.field, fields[ref]?.[d.field] ?? 'theirs'])) } : { kind };
    }
    setSaving(true);
    try {
      await resolveConflict(store!, loaded, decisions);
      touch();
      await refreshSyncCounts();
      go({ name: 'patients' }, 'conflict.resolved');
      runSync();
    } catch (e) {
      setError(t('conflict.saveFailed', { reason: e instanceof Error ? e.message : String(e) }));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="space-y-4">
      <h1 className="text-xl font-bold">{t('conflict.title')}</h1>
      <p>{t('conflict.intro')}</p>
      {loaded.views.map((view) => (
        <ConflictCard
          key={view.conflict.resource}
          view={view}
          kind={kinds[view.conflict.resource]}
          onKind={(k) => setKinds({ ...kinds, [view.conflict.resource]: k })}
          choices={fields[view.conflict.resource] ?? {}}
          onChoice={(field, c) => setFields({ ...fields, [view.conflict.resource]: { ...fields[view.conflict.resource], [field]: c } })}
        />
      ))}
      {!complete && <p className="text-sm">{t('conflict.chooseEach')}</p>}
      <div className="flex gap-2">
        <button type="button" className="btn-secondary" onClick={() => go({ name: 'patients' })}>{t('app.back')}</button>
        <button type="button" className="btn-primary flex-1" disabled={!complete || saving} onClick={submit}>
          {saving ? t('form.saving') : t('conflict.resend')}
        </button>
      </div>
    </section>
  );
}

export function ConflictCard({ view, kind, onKind, choices, onChoice }: {
  view: ConflictView;
  kind?: Kind;
  onKind: (k: Kind) => void;
  choices: Record<string, Choice>;
  onChoice: (field: string, c: Choice) => void;
}) {
  const { t } = useTranslation();
  const ref = view.conflict.resource;
  const type = ref.split('/')[0];
  const id = ref.replace(/[^A-Za-z0-9-]/g, '-');
  const canMerge = view.diffs.length > 0 && !!view.server.resource && !!view.mine;
  const fieldLabel = (f: string) => (FIELD_KEYS[f] ? t(FIELD_KEYS[f]) : t('conflict.fieldOther', { name: f }));
  const options: { value: Kind; label: string }[] = [
    { value: 'mine', label: t('conflict.keepMine') },
    { value: 'theirs', label: t('conflict.takeServer') },
    ...(canMerge ? [{ value: 'merge' as const, label: t('conflict.merge') }] : []),
  ];
  return (
    <fieldset className="card space-y-3">
      <legend className="px-1 font-semibold">{TYPE_KEYS[type] ? t(TYPE_KEYS[type]) : t('conflict.typeOther', { type })}</legend>
      <p>{t(STATE_KEYS[view.conflict.currentState ?? ''] ?? 'conflict.stateChanged', { version: view.conflict.currentVersion ?? '?' })}</p>
      {view.diffs.length === 0 && view.server.resource && <p>{t('conflict.identical')}</p>}
      {view.diffs.length > 0 && (
        <table className="w-full text-left text-sm">
          <thead>
            <tr>
              <th scope="col">{t('conflict.field')}</th>
              <th scope="col">{t('conflict.mine')}</th>
              <th scope="col">{t('conflict.server')}</th>
            </tr>
          </thead>
          <tbody>
            {view.diffs.map((d) => (
              <tr key={d.field} className="border-t border-slate-200 align-top">
                <th scope="row" className="pr-2">{fieldLabel(d.field)}</th>
                <td className="pr-2">{describeValue(d.mine)}</td>
                <td>{describeValue(d.theirs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="space-y-1">
        {options.map((o) => (
          <div key={o.value} className="flex items-center gap-2">
            <input type="radio" id={`${id}-${o.value}`} name={`${id}-decision`} className="h-6 w-6" checked={kind === o.value} onChange={() => onKind(o.value)} />
            <label htmlFor={`${id}-${o.value}`}>{o.label}</label>
          </div>
        ))}
      </div>
      {kind === 'merge' &&
        view.diffs.map((d) => (
          <fieldset key={d.field} className="space-y-1 border-t border-slate-200 pt-2">
            <legend className="font-medium">{fieldLabel(d.field)}</legend>
            {(['mine', 'theirs'] as const).map((c) => (
              <div key={c} className="flex items-center gap-2">
                <input
                  type="radio"
                  id={`${id}-${d.field}-${c}`}
                  name={`${id}-${d.field}`}
                  className="h-6 w-6"
                  checked={(choices[d.field] ?? 'theirs') === c}
                  onChange={() => onChoice(d.field, c)}
                />
                <label htmlFor={`${id}-${d.field}-${c}`}>
                  {t(c === 'mine' ? 'conflict.mineValue' : 'conflict.serverValue', { value: describeValue(c === 'mine' ? d.mine : d.theirs) })}
                </label>
              </div>
            ))}
          </fieldset>
        ))}
    </fieldset>
  );
}
