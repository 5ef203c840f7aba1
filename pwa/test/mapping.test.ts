import { describe, expect, it } from 'vitest';
import { consultationFormSchema, consultationResources } from '../src/lib/fhir/consultation';
import { patientFormSchema, patientFromForm } from '../src/lib/fhir/patient';
import { buildSyncBundle } from '../src/lib/fhir/syncBundle';
import type { Resource } from '../src/lib/fhir/types';
import { syncExample } from './helpers';
import { igPickLists } from './ig';

/** Every element of `expected` is in `actual` (arrays element by element, same length). */
function expectContains(actual: unknown, expected: unknown, path = '$'): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${path} is an array`).toBe(true);
    expect((actual as unknown[]).length, `${path}.length`).toBe(expected.length);
    expected.forEach((e, i) => expectContains((actual as unknown[])[i], e, `${path}[${i}]`));
  } else if (expected && typeof expected === 'object') {
    expect(actual && typeof actual === 'object', `${path} is an object`).toBe(true);
    for (const [k, v] of Object.entries(expected)) expectContains((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}

const PATIENT_ID = '6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const ENCOUNTER_ID = 'c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f';

describe('FHIR mapping against docs/SYNC.md', () => {
  it('registration + consultation give the worked example push-request', () => {
    const example = syncExample('push-request');
    const form = patientFormSchema.parse({ family: 'Traoré', given: 'Aminata', gender: 'female', birthYear: 1985 });
    const patient = patientFromForm(form, PATIENT_ID, 'cscom-konobougou');
    const lists = igPickLists();
    const consultation = consultationFormSchema(lists).parse({ reason: 'Fièvre', diagnoses: [], prescriptions: [] });
    const resources = consultationResources(consultation, {
      patientId: PATIENT_ID,
      siteOrganizationId: 'cscom-konobougou',
      // the consultation began at 08:30 (period.start); the batch says it was recorded at 08:40
      recordedAt: '2026-11-24T08:30:00Z',
      newId: () => ENCOUNTER_ID,
      lists,
    });
    const bundle = buildSyncBundle({
      key: example.identifier.value,
      deviceId: 'tablette-konobougou-03',
      recordedAt: '2026-11-24T08:40:00Z',
      sentAt: '2026-11-24T09:15:00Z',
      writes: [patient, ...resources].map((resource) => ({ resource })),
    });
    expectContains(bundle, example);
    // Only what SYNC.md allows: PUT Type/id, creates without ifMatch, references Type/id.
    for (const e of bundle.entry!) {
      expect(e.request).toEqual({ method: 'PUT', url: `${e.resource!.resourceType}/${e.resource!.id}` });
    }
    expect(bundle.entry![1].resource!.period).toEqual({ start: '2026-11-24T08:30:00Z' });
  });

  it('an update carries ifMatch with the version last seen, as in the conflict-request', () => {
    const example = syncExample('conflict-request');
    const patient = patientFromForm({ family: 'Traoré', given: 'Aminata Nana', gender: 'female', birthYear: 1990 }, PATIENT_ID, 'cscom-konobougou');
    const bundle = buildSyncBundle({ key: 'k', deviceId: 'd', recordedAt: 'r', sentAt: 's', writes: [{ resource: patient, baseVersion: '1' }] });
    expect(bundle.entry![0].request).toEqual(example.entry[0].request);
  });

  it('a full consultation: vital signs in LOINC/UCUM, ICD-10 diagnoses, prescriptions, a referral to the destination site', () => {
    let n = 0;
    const lists = igPickLists();
    const form = consultationFormSchema(lists).parse({
      reason: 'Fièvre depuis 3 jours',
      temperature: 39.2,
      pulse: 112,
      weight: 54.5,
      notes: 'TDR positif',
      diagnoses: [{ code: 'B54' }],
      prescriptions: [{ medicine: 'MEG-AL-20-120', dosage: '4 cp matin et soir', durationDays: 3 }],
      referral: { destination: 'cscom-djeli', reason: 'paludisme-grave', urgency: 'urgent' },
    });
    const rs = consultationResources(form, { patientId: 'p1', siteOrganizationId: 'cscom-konobougou', recordedAt: '2026-12-04T10:00:00Z', newId: () => `id${n++}`, lists });
    const byType = (t: string) => rs.filter((r) => r.resourceType === t);
    const [encounter] = byType('Encounter');
    expect(encounter).toMatchObject({ subject: { reference: 'Patient/p1' }, serviceProvider: { reference: 'Organization/cscom-konobougou' }, period: { start: '2026-12-04T10:00:00Z' } });
    const vitals = byType('Observation').map((o: Resource) => [(o.code as any).coding[0].code, (o.valueQuantity as any).value, (o.valueQuantity as any).code]);
    expect(vitals).toEqual([['8310-5', 39.2, 'Cel'], ['8867-4', 112, '/min'], ['29463-7', 54.5, 'kg']]);
    for (const r of rs.slice(1)) expect(r.encounter).toEqual({ reference: `Encounter/${encounter.id}` });
    expect((byType('Condition')[0].code as any).coding[0]).toEqual({ system: 'http://hl7.org/fhir/sid/icd-10', code: 'B54', display: 'Paludisme simple, non confirmé (sans précision)' });
    expect(byType('MedicationRequest')[0]).toMatchObject({ intent: 'order', dosageInstruction: [{ text: '4 cp matin et soir', timing: { repeat: { boundsDuration: { value: 3, code: 'd' } } } }] });
    expect(byType('ServiceRequest')[0]).toMatchObject({ status: 'active', priority: 'urgent', performer: [{ reference: 'Organization/cscom-djeli' }] });
    expect(new Set(rs.map((r) => r.id)).size).toBe(rs.length);
  });

  it('an estimated age gives an estimated birth year; bad input is refused with i18n keys', () => {
    const p = patientFromForm({ family: 'Diarra', given: 'Seydou', gender: 'male', estimatedAge: 40 }, 'x', 's', new Date('2026-06-01'));
    expect(p.birthDate).toBe('1986');
    expect(p._birthDate?.extension?.[0].valueBoolean).toBe(true);
    expect(p.extension).toBeUndefined();
    const bad = patientFormSchema.safeParse({ family: '', given: 'A', gender: 'female', phone: '12' });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}:${i.message}`).sort();
    expect(messages).toEqual(['birthYear:patient.birthYearOrAge', 'family:form.required', 'phone:patient.phoneInvalid']);
    expect(patientFromForm({ family: 'K', given: 'A', gender: 'female', birthYear: 2000, phone: '76 12 34 56' }, 'x', 's').telecom?.[0].value).toBe('+22376123456');
    const schema = consultationFormSchema(igPickLists());
    expect(schema.safeParse({ reason: 'x', temperature: 50, diagnoses: [], prescriptions: [] }).success).toBe(false);
    // a code the IG's value set does not hold is refused at the boundary
    expect(schema.safeParse({ reason: 'x', diagnoses: [{ code: 'B65.9' }], prescriptions: [] }).success).toBe(false);
  });
});
