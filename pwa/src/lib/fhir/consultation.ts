import { z } from 'zod';
import { findCoding, type PickLists } from './terminology';
import type { Coding, Resource } from './types';

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
/** The IG's extension for the care worker's notes (Encounter has no `note` element in R4). */
export const ENCOUNTER_NOTE_EXTENSION = 'https://sante-rurale.ml/fhir/StructureDefinition/encounter-note';
/**
 * consultation-type#curative: every consultation the app records is curative (a complaint, an
 * illness); the monthly report (RMA) counts these. Preventive visits are not recorded by the app yet.
 */
export const CURATIVE_CONSULTATION: Coding = { system: 'https://sante-rurale.ml/fhir/CodeSystem/consultation-type', code: 'curative', display: 'Consultation curative' };
export const REFERRAL_FOLLOW_UP_EXTENSION = 'https://sante-rurale.ml/fhir/StructureDefinition/referral-follow-up';
/** referral-status#envoyee: what a referral is when the referring site records it. */
export const REFERRAL_SENT: Coding = { system: 'https://sante-rurale.ml/fhir/CodeSystem/referral-status', code: 'envoyee', display: 'Référence envoyée' };

/**
 * The vital signs the form records, as the IG's profiles define them (srm-body-temperature,
 * srm-heart-rate, srm-body-weight): LOINC code, UCUM code, and the range of the profile's
 * invariant (a value outside it is refused by the server as a typo).
 */
export const VITAL_SIGNS = [
  { field: 'temperature', profile: 'srm-body-temperature', loinc: '8310-5', display: 'Body temperature', ucum: 'Cel', unit: '°C', min: 30, max: 45, message: 'consultation.temperatureInvalid' },
  { field: 'pulse', profile: 'srm-heart-rate', loinc: '8867-4', display: 'Heart rate', ucum: '/min', unit: '/min', min: 20, max: 250, message: 'consultation.pulseInvalid' },
  { field: 'weight', profile: 'srm-body-weight', loinc: '29463-7', display: 'Body weight', ucum: 'kg', unit: 'kg', min: 0.3, max: 250, message: 'consultation.weightInvalid' },
] as const;

const vital = (v: (typeof VITAL_SIGNS)[number]) => z.number({ message: v.message }).min(v.min, v.message).max(v.max, v.message).optional();
const [TEMPERATURE, PULSE, WEIGHT] = VITAL_SIGNS;

/** A code of one of the lists ('form.required' when empty or not in the list). */
const codeIn = (list: readonly Coding[]) => z.string().refine((c) => !!findCoding(list, c), 'form.required');

/** The consultation form's data, checked against the pick lists held (messages are i18n keys). */
export function consultationFormSchema(lists: PickLists) {
  return z.object({
    reason: z.string().trim().min(1, 'form.required').max(500, 'form.tooLong'),
    temperature: vital(TEMPERATURE),
    pulse: vital(PULSE),
    weight: vital(WEIGHT),
    notes: z.string().trim().max(2000, 'form.tooLong').optional(),
    diagnoses: z.array(z.object({ code: codeIn(lists.conditions) })).max(10),
    prescriptions: z
      .array(
        z.object({
          medicine: codeIn(lists.medicines),
          dosage: z.string().trim().min(1, 'form.required').max(200, 'form.tooLong'),
          durationDays: z.number({ message: 'consultation.durationInvalid' }).int('consultation.durationInvalid').min(1, 'consultation.durationInvalid').max(365, 'consultation.durationInvalid'),
        }),
      )
      .max(10),
    procedures: z.array(z.object({ code: codeIn(lists.procedures) })).max(10).default([]),
    referral: z
      .object({
        destination: z.string().min(1, 'form.required'),
        // srm-referral binds the reason extensibly: without the list on the device, the
        // reason is the text of the detail field alone.
        reason: lists.referralReasons.length > 0 ? codeIn(lists.referralReasons) : z.string().optional(),
        detail: z.string().trim().max(200, 'form.tooLong').optional(),
        urgency: z.enum(['routine', 'urgent', 'stat']),
      })
      .refine((r) => !!r.reason || !!r.detail, { message: 'form.required', path: ['detail'] })
      .optional(),
  });
}
export type ConsultationForm = z.input<ReturnType<typeof consultationFormSchema>>;
export type ValidConsultation = z.output<ReturnType<typeof consultationFormSchema>>;

export interface ConsultationContext {
  patientId: string;
  /** Organization id of the care worker's site */
  siteOrganizationId: string;
  recordedAt: string;
  /** a new UUID per resource */
  newId: () => string;
  /** the codings the form's codes stand for */
  lists: PickLists;
}

/** A CodeableConcept of one coding of a list (the form's schema guarantees it is there). */
function concept(list: readonly Coding[], code: string, text?: string) {
  const c = findCoding(list, code);
  if (!c) throw new Error(`code ${code} is not in the pick list`);
  return { coding: [{ system: c.system, code: c.code, ...(c.display ? { display: c.display } : {}) }], text: text || c.display };
}

/**
 * The resources of one consultation, each conforming to its IG profile: Encounter (srm-encounter,
 * curative, notes in the encounter-note extension), vital-sign Observations (LOINC, UCUM, vital-signs
 * category), Conditions (ICD-10), MedicationRequests (essential medicines, dosage in words,
 * duration in days), Procedures and a referral ServiceRequest (srm-referral: the destination
 * site's Organization as performer, a reason). References are plain Type/id (docs/SYNC.md §2).
 */
export function consultationResources(form: ValidConsultation, ctx: ConsultationContext): Resource[] {
  const { lists } = ctx;
  const subject = { reference: `Patient/${ctx.patientId}` };
  const encounterId = ctx.newId();
  const encounterRef = { reference: `Encounter/${encounterId}` };
  const encounter: Resource = {
    resourceType: 'Encounter',
    id: encounterId,
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    type: [{ coding: [CURATIVE_CONSULTATION] }],
    subject,
    serviceProvider: { reference: `Organization/${ctx.siteOrganizationId}` },
    period: { start: ctx.recordedAt },
    reasonCode: [{ text: form.reason.trim() }],
  };
  const notes = form.notes?.trim();
  if (notes) encounter.extension = [{ url: ENCOUNTER_NOTE_EXTENSION, valueAnnotation: { text: notes, time: ctx.recordedAt } }];
  const resources: Resource[] = [encounter];

  for (const v of VITAL_SIGNS) {
    const value = form[v.field];
    if (value === undefined) continue;
    resources.push({
      resourceType: 'Observation',
      id: ctx.newId(),
      status: 'final',
      category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'vital-signs' }] }],
      code: { coding: [{ system: LOINC, code: v.loinc, display: v.display }] },
      subject,
      encounter: encounterRef,
      effectiveDateTime: ctx.recordedAt,
      valueQuantity: { value, unit: v.unit, system: UCUM, code: v.ucum },
    });
  }

  for (const d of form.diagnoses) {
    resources.push({
      resourceType: 'Condition',
      id: ctx.newId(),
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }] }],
      code: concept(lists.conditions, d.code),
      subject,
      encounter: encounterRef,
      recordedDate: ctx.recordedAt,
    });
  }

  for (const p of form.prescriptions) {
    resources.push({
      resourceType: 'MedicationRequest',
      id: ctx.newId(),
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: concept(lists.medicines, p.medicine),
      subject,
      encounter: encounterRef,
      authoredOn: ctx.recordedAt,
      dosageInstruction: [
        {
          text: p.dosage.trim(),
          timing: { repeat: { boundsDuration: { value: p.durationDays, unit: 'jours', system: UCUM, code: 'd' } } },
        },
      ],
    });
  }

  for (const p of form.procedures) {
    resources.push({
      resourceType: 'Procedure',
      id: ctx.newId(),
      status: 'completed',
      code: concept(lists.procedures, p.code),
      subject,
      encounter: encounterRef,
      performedDateTime: ctx.recordedAt,
    });
  }

  if (form.referral) {
    resources.push({
      resourceType: 'ServiceRequest',
      id: ctx.newId(),
      extension: [{ url: REFERRAL_FOLLOW_UP_EXTENSION, valueCoding: REFERRAL_SENT }],
      status: 'active',
      intent: 'order',
      priority: form.referral.urgency,
      subject,
      encounter: encounterRef,
      authoredOn: ctx.recordedAt,
      requester: { reference: `Organization/${ctx.siteOrganizationId}` },
      performer: [{ reference: `Organization/${form.referral.destination}` }],
      reasonCode: [form.referral.reason ? concept(lists.referralReasons, form.referral.reason, form.referral.detail) : { text: form.referral.detail }],
    });
  }
  return resources;
}
