import { z } from 'zod';
import type { Patient } from './types';

/** The registration form's data (validated at the boundary; messages are i18n keys). */
export const patientFormSchema = z
  .object({
    family: z.string().trim().min(1, 'form.required').max(100, 'form.tooLong'),
    given: z.string().trim().min(1, 'form.required').max(100, 'form.tooLong'),
    gender: z.enum(['female', 'male'], { message: 'form.required' }),
    birthYear: z.number({ message: 'patient.birthYearInvalid' }).int('patient.birthYearInvalid').min(1900, 'patient.birthYearInvalid').max(new Date().getFullYear(), 'patient.birthYearInvalid').optional(),
    estimatedAge: z.number({ message: 'patient.ageInvalid' }).int('patient.ageInvalid').min(0, 'patient.ageInvalid').max(120, 'patient.ageInvalid').optional(),
    phone: z
      .string()
      .trim()
      .regex(/^(\+?223)?[\s.]*(\d[\s.]*){8}$/, 'patient.phoneInvalid')
      .optional()
      .or(z.literal('')),
    village: z.string().trim().max(100, 'form.tooLong').optional(),
  })
  .refine((f) => f.birthYear !== undefined || f.estimatedAge !== undefined, {
    message: 'patient.birthYearOrAge',
    path: ['birthYear'],
  });
export type PatientForm = z.infer<typeof patientFormSchema>;

export const ESTIMATED_BIRTH_EXTENSION = 'https://sante-rurale.ml/fhir/StructureDefinition/birth-date-estimated';

/** Malian numbers are 8 digits; kept as +223 XX XX XX XX. */
export function normalisePhone(phone: string): string {
  const digits = phone.replace(/\D/g, '').replace(/^223(?=\d{8}$)/, '');
  return `+223${digits}`;
}

/** Whether the birth date is an estimate (the IG's extension on `birthDate` itself). */
export const isBirthDateEstimated = (p: Patient) => !!p._birthDate?.extension?.some((x) => x.url === ESTIMATED_BIRTH_EXTENSION && x.valueBoolean);

/**
 * A Patient conforming to srm-patient from the form. An estimated age gives an estimated birth
 * year (a year-only birthDate, flagged by the birth-date-estimated extension on the element, as
 * `_birthDate.extension`). The site is the managing organisation; the village `address.city`.
 */
export function patientFromForm(form: PatientForm, id: string, siteOrganizationId: string, now = new Date()): Patient {
  const estimated = form.birthYear === undefined && form.estimatedAge !== undefined;
  const year = form.birthYear ?? now.getFullYear() - (form.estimatedAge ?? 0);
  const patient: Patient = {
    resourceType: 'Patient',
    id,
    name: [{ family: form.family.trim(), given: [form.given.trim()] }],
    gender: form.gender,
    birthDate: String(year),
    managingOrganization: { reference: `Organization/${siteOrganizationId}` },
  };
  if (estimated) patient._birthDate = { extension: [{ url: ESTIMATED_BIRTH_EXTENSION, valueBoolean: true }] };
  if (form.phone) patient.telecom = [{ system: 'phone', value: normalisePhone(form.phone), use: 'mobile' }];
  if (form.village?.trim()) patient.address = [{ city: form.village.trim(), country: 'ML' }];
  return patient;
}

/** The form as a stored Patient fills it (an estimated birth year shows as the estimated age). */
export function formFromPatient(patient: Patient, now = new Date()): PatientForm {
  const year = Number(String(patient.birthDate ?? '').slice(0, 4));
  const phone = patient.telecom?.find((t) => t.system === 'phone')?.value ?? '';
  const form: PatientForm = {
    family: patient.name?.[0]?.family ?? '',
    given: patient.name?.[0]?.given?.join(' ') ?? '',
    gender: patient.gender === 'male' ? 'male' : 'female',
    phone: phone.replace(/^\+223/, ''),
    village: patient.address?.[0]?.city ?? '',
  };
  if (Number.isInteger(year) && year > 0) {
    if (isBirthDateEstimated(patient)) form.estimatedAge = Math.max(0, now.getFullYear() - year);
    else form.birthYear = year;
  }
  return form;
}

/**
 * The stored Patient changed as the form says: the form's fields are replaced, everything the
 * form does not show (identifiers, other names, telecoms and addresses, the managing site,
 * extensions) is kept as it was.
 */
export function patientWithForm(existing: Patient, form: PatientForm, now = new Date()): Patient {
  const site = String(existing.managingOrganization?.reference ?? '').replace('Organization/', '');
  const fresh = patientFromForm(form, existing.id!, site, now);
  const updated: Patient = { ...existing, gender: fresh.gender, birthDate: fresh.birthDate };
  updated.name = [{ ...existing.name?.[0], family: fresh.name![0].family, given: fresh.name![0].given }, ...(existing.name?.slice(1) ?? [])];
  const otherExtensions = existing._birthDate?.extension?.filter((x) => x.url !== ESTIMATED_BIRTH_EXTENSION) ?? [];
  const birthExtensions = [...otherExtensions, ...(fresh._birthDate?.extension ?? [])];
  if (birthExtensions.length > 0) updated._birthDate = { ...existing._birthDate, extension: birthExtensions };
  else delete updated._birthDate;
  const telecoms = [...(fresh.telecom ?? []), ...(existing.telecom?.filter((t) => t.system !== 'phone') ?? []), ...(existing.telecom?.filter((t) => t.system === 'phone').slice(1) ?? [])];
  if (telecoms.length > 0) updated.telecom = telecoms;
  else delete updated.telecom;
  const city = fresh.address?.[0]?.city;
  const [first, ...rest] = existing.address ?? [];
  const firstAddress = city ? { ...(first ?? { country: 'ML' }), city } : first && { ...first, city: undefined };
  const addresses = [firstAddress, ...rest].filter((a) => a && Object.values(a).some((v) => v !== undefined));
  if (addresses.length > 0) updated.address = addresses as Patient['address'];
  else delete updated.address;
  return updated;
}
