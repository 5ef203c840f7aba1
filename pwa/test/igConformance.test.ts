import { describe, expect, it } from 'vitest';
import { consultationFormSchema, consultationResources, VITAL_SIGNS } from '../src/lib/fhir/consultation';
import { patientFormSchema, patientFromForm } from '../src/lib/fhir/patient';
import type { PickLists } from '../src/lib/fhir/terminology';
import type { Resource } from '../src/lib/fhir/types';
import { compareWithExample, igPickLists, igResource, profileRange, profileViolations } from './ig';

/**
 * The app's FHIR mapping against the implementation guide's own examples and profiles, as SUSHI
 * compiled them (ig/target/sushi): the Aminata Traoré consultation is entered as a care worker
 * would, and every resource the app makes must carry the example's systems, codes, units,
 * categories, extensions and reference shapes, and break no rule of its profile's differential.
 */

const PATIENT_ID = '6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const ids = {
  encounter: 'c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f',
  temperature: '0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a51',
  pulse: '0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a52',
  weight: '0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a53',
  condition: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c41',
  medication: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c42',
  procedure: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c43',
  referral: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c44',
};

/** What the care worker types for the IG's example consultation (ig/input/fsh/examples.fsh). */
function aminataConsultation(lists: PickLists): Resource[] {
  const encounter = igResource(`Encounter-${ids.encounter}`);
  const medication = igResource(`MedicationRequest-${ids.medication}`);
  const form = consultationFormSchema(lists).parse({
    reason: encounter.reasonCode[0].text,
    temperature: 38.9,
    pulse: 96,
    weight: 58,
    notes: encounter.extension[0].valueAnnotation.text,
    diagnoses: [{ code: 'B50.9' }],
    prescriptions: [{ medicine: 'MEG-AL-20-120', dosage: medication.dosageInstruction[0].text, durationDays: 3 }],
    procedures: [{ code: 'tdr-palu' }],
    referral: { destination: 'cscom-djeli', reason: 'avis-specialise', detail: 'Échographie obstétricale', urgency: 'routine' },
  });
  const order = [ids.encounter, ids.temperature, ids.pulse, ids.weight, ids.condition, ids.medication, ids.procedure, ids.referral];
  let n = 0;
  return consultationResources(form, { patientId: PATIENT_ID, siteOrganizationId: 'cscom-konobougou', recordedAt: '2026-11-24T08:50:00Z', newId: () => order[n++], lists });
}

/** How each resource may differ from its example, and why. */
const EXAMPLES = [
  {
    file: `Encounter-${ids.encounter}`,
    profile: 'srm-encounter',
    // one time for the whole consultation: when it was saved
    rules: { notProduced: ['period.end'], free: ['period.start'] },
  },
  ...(['temperature', 'pulse', 'weight'] as const).map((v, i) => ({
    file: `Observation-${ids[v]}`,
    profile: VITAL_SIGNS[i].profile,
    rules: { added: ['code.coding[0].display'], free: ['effectiveDateTime'] },
  })),
  {
    file: `Condition-${ids.condition}`,
    profile: 'srm-condition',
    rules: {
      // the form does not ask whether the diagnosis is confirmed
      notProduced: ['verificationStatus.coding[0].code', 'verificationStatus.coding[0].system'],
      added: ['code.text', 'category[0].coding[0].system', 'category[0].coding[0].code'],
      free: ['recordedDate'],
    },
  },
  {
    file: `MedicationRequest-${ids.medication}`,
    profile: 'srm-medication-request',
    rules: { added: ['medicationCodeableConcept.text'], free: ['authoredOn'] },
  },
  {
    file: `Procedure-${ids.procedure}`,
    profile: 'srm-procedure',
    rules: { added: ['code.text'], free: ['performedDateTime'] },
  },
  {
    file: `ServiceRequest-${ids.referral}`,
    profile: 'srm-referral',
    rules: {
      // the form asks for the urgency, not an expected arrival date
      notProduced: ['occurrenceDateTime'],
      added: ['priority', 'requester.reference'],
      free: ['authoredOn'],
    },
  },
];

describe('FHIR mapping against the implementation guide (ig/target/sushi)', () => {
  const lists = igPickLists();
  const resources = aminataConsultation(lists);
  const byId = new Map(resources.map((r) => [r.id, r]));

  it('the consultation makes exactly the example resources', () => {
    expect(resources.map((r) => `${r.resourceType}/${r.id}`).sort()).toEqual(EXAMPLES.map((e) => e.file.replace('-', '/')).sort());
  });

  for (const { file, profile, rules } of EXAMPLES) {
    it(`${file.split('-')[0]} matches the example ${file} and its profile ${profile}`, () => {
      const example = igResource(file);
      const actual = byId.get(example.id)!;
      expect(compareWithExample(actual, example, rules)).toEqual([]);
      expect(profileViolations(actual, profile)).toEqual([]);
      // the example itself passes the checks (they read the profile right)
      expect(profileViolations(example, profile)).toEqual([]);
    });
  }

  it('the Encounter notes are the IG extension encounter-note, an Annotation', () => {
    const example = igResource(`Encounter-${ids.encounter}`);
    const encounter = byId.get(ids.encounter)!;
    expect(encounter.extension).toEqual([{ url: example.extension[0].url, valueAnnotation: { text: example.extension[0].valueAnnotation.text, time: '2026-11-24T08:50:00Z' } }]);
    const sd = igResource('StructureDefinition-encounter-note');
    expect(sd.url).toBe(example.extension[0].url);
    expect(sd.context).toEqual([{ type: 'element', expression: 'Encounter' }]);
  });

  it('the patient registered with an estimated age matches the example Patient and srm-patient', () => {
    const example = igResource(`Patient-${PATIENT_ID}`);
    const form = patientFormSchema.parse({ family: 'Traoré', given: 'Aminata', gender: 'female', estimatedAge: 41, phone: '+223 76 12 34 56', village: 'Konobougou' });
    const patient = patientFromForm(form, PATIENT_ID, 'cscom-konobougou', new Date('2026-11-24T08:30:00Z'));
    const problems = compareWithExample(patient, example, {
      // the app assigns no local number yet; district and region are not asked
      notProduced: ['identifier[0].system', 'identifier[0].value', 'address[0].district', 'address[0].state'],
      added: ['telecom[0].use'],
      // the phone is kept without spaces
      free: ['telecom[0].value'],
    });
    expect(problems).toEqual([]);
    expect(profileViolations(patient, 'srm-patient')).toEqual([]);
  });

  it("the form's ranges are the profiles' invariants", () => {
    for (const v of VITAL_SIGNS) expect([v.min, v.max], v.profile).toEqual(profileRange(v.profile));
    const schema = consultationFormSchema(lists);
    const base = { reason: 'x', diagnoses: [], prescriptions: [] };
    expect(schema.safeParse({ ...base, weight: 0.3 }).success).toBe(true);
    expect(schema.safeParse({ ...base, weight: 0.29 }).success).toBe(false);
    expect(schema.safeParse({ ...base, temperature: 45.1 }).success).toBe(false);
  });

  it('a drifting system, unit, category or reference is caught', () => {
    const example = igResource(`MedicationRequest-${ids.medication}`);
    const actual = byId.get(ids.medication)! as any;
    const rules = EXAMPLES.find((e) => e.file.startsWith('MedicationRequest'))!.rules;
    const drift = (mutate: (r: any) => void) => {
      const copy = structuredClone(actual);
      mutate(copy);
      return [...compareWithExample(copy, example, rules), ...profileViolations(copy, 'srm-medication-request')];
    };
    expect(drift((r) => (r.medicationCodeableConcept.coding[0].system = 'https://sante-rurale.ml/fhir/CodeSystem/essential-medicines'))).not.toEqual([]);
    expect(drift((r) => (r.dosageInstruction[0].timing.repeat.boundsDuration.code = 'days'))).not.toEqual([]);
    expect(drift((r) => (r.encounter.reference = `Observation/${ids.encounter}`))).not.toEqual([]);
    expect(drift((r) => delete r.dosageInstruction[0].text)).not.toEqual([]);
    const temperature = structuredClone(byId.get(ids.temperature)!) as any;
    temperature.category[0].coding[0].code = 'exam';
    expect(compareWithExample(temperature, igResource(`Observation-${ids.temperature}`), EXAMPLES[1].rules)).not.toEqual([]);
    temperature.valueQuantity.code = '[degF]';
    expect(profileViolations(temperature, 'srm-body-temperature')).not.toEqual([]);
  });
});
