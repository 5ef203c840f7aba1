import { describe, expect, it } from 'vitest';
import { editPatient } from '../src/features/patients/editPatient';
import { formFromPatient, patientFromForm, patientWithForm } from '../src/lib/fhir/patient';
import type { Bundle, Patient } from '../src/lib/fhir/types';
import { listOutbox, recordBatch } from '../src/lib/sync/outbox';
import { pushOutbox } from '../src/lib/sync/push';
import { freshStore } from './helpers';

const now = new Date('2026-12-05T10:00:00Z');
const form = { family: 'Traoré', given: 'Aminata', gender: 'female' as const, birthYear: 1990, phone: '76 12 34 56', village: 'Konobougou' };

/** A server that accepts every batch and gives each write the next version of its record. */
function acceptingServer() {
  const versions = new Map<string, number>();
  const sent: Bundle[] = [];
  const fetch = async (_url: string | URL | Request, init?: RequestInit) => {
    const bundle = JSON.parse(String(init?.body)) as Bundle;
    sent.push(bundle);
    return Response.json({
      resourceType: 'Bundle',
      type: 'transaction-response',
      entry: bundle.entry!.map((e) => {
        const v = (versions.get(e.request!.url) ?? 0) + 1;
        versions.set(e.request!.url, v);
        return { response: { status: '200 OK', location: `${e.request!.url}/_history/${v}` } };
      }),
    });
  };
  return { sent, fetch: fetch as typeof globalThis.fetch };
}

const deps = (store: Awaited<ReturnType<typeof freshStore>>, fetch: typeof globalThis.fetch) => ({ store, fetch, fhirBase: '/fhir', accessToken: async () => 'tok', deviceId: 'tel-1' });

describe('the patient form on a stored patient', () => {
  it('fills the form from the record, an estimated birth year as the estimated age', () => {
    expect(formFromPatient(patientFromForm(form, 'p1', 'cscom-konobougou', now), now)).toEqual({ ...form, phone: '76123456' });
    const estimated = patientFromForm({ ...form, birthYear: undefined, estimatedAge: 30 }, 'p1', 'cscom-konobougou', now);
    const estimatedForm = formFromPatient(estimated, now);
    expect(estimatedForm.estimatedAge).toBe(30);
    expect(estimatedForm).not.toHaveProperty('birthYear');
  });

  it('changes what the form shows and keeps everything it does not show', () => {
    const stored: Patient = {
      ...patientFromForm(form, 'p1', 'cscom-konobougou', now),
      meta: { versionId: '3' },
      identifier: [{ system: 'https://sante-rurale.ml/fhir/sid/local-patient-number', value: 'KNB-0042' }],
      name: [{ family: 'Traoré', given: ['Aminata'], text: 'Aminata Traoré' }, { family: 'Diarra', given: ['Ami'] }],
      telecom: [{ system: 'phone', value: '+22376123456' }, { system: 'email', value: 'a@example.org' }],
      address: [{ city: 'Konobougou', district: 'Barouéli', state: 'Ségou', country: 'ML' }],
    } as Patient;
    const changed = patientWithForm(stored, { ...form, given: 'Aminata Sali', phone: '66 00 11 22', village: 'Djéli', birthYear: undefined, estimatedAge: 36 }, now);
    expect(changed.name).toEqual([{ family: 'Traoré', given: ['Aminata Sali'], text: 'Aminata Traoré' }, { family: 'Diarra', given: ['Ami'] }]);
    expect(changed.telecom).toEqual([{ system: 'phone', value: '+22366001122', use: 'mobile' }, { system: 'email', value: 'a@example.org' }]);
    expect(changed.address).toEqual([{ city: 'Djéli', district: 'Barouéli', state: 'Ségou', country: 'ML' }]);
    expect(changed.birthDate).toBe('1990');
    expect(changed._birthDate?.extension).toEqual([{ url: 'https://sante-rurale.ml/fhir/StructureDefinition/birth-date-estimated', valueBoolean: true }]);
    expect(changed).toMatchObject({ id: 'p1', identifier: stored.identifier, managingOrganization: { reference: 'Organization/cscom-konobougou' } });
    // A known birth year again drops the flag; no phone drops the phone only.
    const back = patientWithForm(changed, { ...form, phone: '' }, now);
    expect(back._birthDate).toBeUndefined();
    expect(back.telecom).toEqual([{ system: 'email', value: 'a@example.org' }]);
  });
});

describe('editing a patient', () => {
  it('queues the change on the server version last seen, as an update with ifMatch', async () => {
    const store = await freshStore();
    await store.putRecords([{ resource: patientFromForm(form, 'p1', 'cscom-konobougou', now), version: '4', local: false }]);
    await editPatient(store, 'p1', { ...form, village: 'Djéli' });
    const [entry] = await listOutbox(store);
    expect(entry.payload.writes).toMatchObject([{ baseVersion: '4', resource: { id: 'p1', address: [{ city: 'Djéli' }] } }]);
    expect(await store.get('Patient', 'p1')).toMatchObject({ version: '4', local: true, resource: { address: [{ city: 'Djéli' }] } });
    expect((await store.searchPatients('djeli')).map((h) => h.patient.id)).toEqual(['p1']);
  });

  it('refuses a form that does not validate and queues nothing', async () => {
    const store = await freshStore();
    await store.putRecords([{ resource: patientFromForm(form, 'p1', 'cscom-konobougou', now), version: '1', local: false }]);
    await expect(editPatient(store, 'p1', { ...form, family: ' ' })).rejects.toThrow();
    expect(await listOutbox(store)).toEqual([]);
  });

  it('bases a second edit made before the first was sent on the version the first one got, so the device never conflicts with itself', async () => {
    const store = await freshStore();
    await recordBatch(store, { kind: 'patient', patientId: 'p1', recordedAt: now.toISOString(), writes: [{ resource: patientFromForm(form, 'p1', 'cscom-konobougou', now) }] });
    await editPatient(store, 'p1', { ...form, village: 'Djéli' });
    await editPatient(store, 'p1', { ...form, village: 'Ségou' });
    const server = acceptingServer();
    expect(await pushOutbox(deps(store, server.fetch))).toEqual({ sent: 3, rejected: 0 });
    expect(server.sent.map((b) => b.entry![0].request!.ifMatch)).toEqual([undefined, 'W/"1"', 'W/"2"']);
    expect(await store.get('Patient', 'p1')).toMatchObject({ version: '3', local: false, resource: { address: [{ city: 'Ségou' }] } });
    // An edit after that is based on the newest version.
    await editPatient(store, 'p1', { ...form, village: 'Kati' });
    expect((await listOutbox(store))[0].payload.writes[0].baseVersion).toBe('3');
  });
});
