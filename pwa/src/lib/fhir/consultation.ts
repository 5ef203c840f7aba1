import { z } from 'zod';
import { CONDITIONS, ICD10_SYSTEM, MEDICINE_SYSTEM, MEDICINES, REFERRAL_REASON_SYSTEM, REFERRAL_REASONS, coding, findItem } from '../../data/picklists';
import type { Resource } from './types';

const optionalNumber = (min: number, max: number, message: string) =>
  z.number({ message }).min(min, message).max(max, message).optional();

/** The consultation form's data (validated at the boundary; messages are i18n keys). */
export const consultationFormSchema = z.object({
  reason: z.string().trim().min(1, 'form.required').max(500, 'form.tooLong'),
  temperature: optionalNumber(30, 45, 'consultation.temperatureInvalid'),
  pulse: optionalNumber(20, 250, 'consultation.pulseInvalid'),
  weight: optionalNumber(0.5, 300, 'consultation.weightInvalid'),
  notes: z.string().trim().max(2000, 'form.tooLong').optional(),
  diagnoses: z.array(z.object({ code: z.string().refine((c) => !!findItem(CONDITIONS, c), 'form.required') })).max(10),
  prescriptions: z
    .array(
      z.object({
        medicine: z.string().refine((c) => !!findItem(MEDICINES, c), 'form.required'),
        dosage: z.string().trim().min(1, 'form.required').max(200, 'form.tooLong'),
        durationDays: z.number({ message: 'consultation.durationInvalid' }).int('consultation.durationInvalid').min(1, 'consultation.durationInvalid').max(365, 'consultation.durationInvalid'),
      }),
    )
    .max(10),
  referral: z
    .object({
      destination: z.string().min(1, 'form.required'),
      reason: z.string().refine((c) => !!findItem(REFERRAL_REASONS, c), 'form.required'),
      urgency: z.enum(['routine', 'urgent', 'stat']),
    })
    .optional(),
});
export type ConsultationForm = z.infer<typeof consultationFormSchema>;

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const ENCOUNTER_NOTE_EXTENSION = 'https://sante-rurale.ml/fhir/StructureDefinition/encounter-note';

export interface ConsultationContext {
  patientId: string;
  /** Organization id of the care worker's site */
  siteOrganizationId: string;
  recordedAt: string;
  /** a new UUID per resource */
  newId: () => string;
}

const VITALS = [
  { field: 'temperature', code: '8310-5', display: 'Body temperature', unit: 'Cel' },
  { field: 'pulse', code: '8867-4', display: 'Heart rate', unit: '/min' },
  { field: 'weight', code: '29463-7', display: 'Body weight', unit: 'kg' },
] as const;

/**
 * The resources of one consultation (FHIR R4): Encounter, vital-sign Observations, Conditions
 * (ICD-10), MedicationRequests and a referral ServiceRequest whose performer is the destination
 * site's Organization. References are plain Type/id (docs/SYNC.md §2).
 */
export function consultationResources(form: ConsultationForm, ctx: ConsultationContext): Resource[] {
  const subject = { reference: `Patient/${ctx.patientId}` };
  const encounterId = ctx.newId();
  const encounterRef = { reference: `Encounter/${encounterId}` };
  const encounter: Resource = {
    resourceType: 'Encounter',
    id: encounterId,
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject,
    serviceProvider: { reference: `Organization/${ctx.siteOrganizationId}` },
    period: { start: ctx.recordedAt },
    reasonCode: [{ text: form.reason.trim() }],
  };
  // TODO(issue 12): use the IG's extension (or a profile element) for free-text notes.
  if (form.notes?.trim()) encounter.extension = [{ url: ENCOUNTER_NOTE_EXTENSION, valueString: form.notes.trim() }];
  const resources: Resource[] = [encounter];

  for (const v of VITALS) {
    const value = form[v.field];
    if (value === undefined) continue;
    resources.push({
      resourceType: 'Observation',
      id: ctx.newId(),
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
      code: { coding: [{ system: LOINC, code: v.code, display: v.display }] },
      subject,
      encounter: encounterRef,
      effectiveDateTime: ctx.recordedAt,
      valueQuantity: { value, unit: v.unit, system: UCUM, code: v.unit },
    });
  }

  for (const d of form.diagnoses) {
    const item = findItem(CONDITIONS, d.code)!;
    resources.push({
      resourceType: 'Condition',
      id: ctx.newId(),
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }] }],
      code: { coding: [coding(ICD10_SYSTEM, item)], text: item.display },
      subject,
      encounter: encounterRef,
      recordedDate: ctx.recordedAt,
    });
  }

  for (const p of form.prescriptions) {
    const item = findItem(MEDICINES, p.medicine)!;
    resources.push({
      resourceType: 'MedicationRequest',
      id: ctx.newId(),
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: { coding: [coding(MEDICINE_SYSTEM, item)], text: item.display },
      subject,
      encounter: encounterRef,
      authoredOn: ctx.recordedAt,
      dosageInstruction: [{ text: p.dosage.trim() }],
      dispenseRequest: { expectedSupplyDuration: { value: p.durationDays, unit: 'jours', system: UCUM, code: 'd' } },
    });
  }

  if (form.referral) {
    const reason = findItem(REFERRAL_REASONS, form.referral.reason)!;
    resources.push({
      resourceType: 'ServiceRequest',
      id: ctx.newId(),
      status: 'active',
      intent: 'order',
      priority: form.referral.urgency,
      code: { coding: [{ system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' }], text: 'Référence' },
      reasonCode: [{ coding: [coding(REFERRAL_REASON_SYSTEM, reason)], text: reason.display }],
      subject,
      encounter: encounterRef,
      authoredOn: ctx.recordedAt,
      requester: { reference: `Organization/${ctx.siteOrganizationId}` },
      performer: [{ reference: `Organization/${form.referral.destination}` }],
    });
  }
  return resources;
}
