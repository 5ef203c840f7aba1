import type { SecureStore } from '../../lib/db/store';
import { patientFormSchema, patientFromForm, type PatientForm } from '../../lib/fhir/patient';
import { recordBatch } from '../../lib/sync/outbox';

/** Validates, maps to FHIR and commits the Patient with its outbox entry; resolves once committed. */
export async function registerPatient(store: SecureStore, form: PatientForm, siteOrganizationId: string): Promise<string> {
  const valid = patientFormSchema.parse(form);
  const id = crypto.randomUUID();
  const patient = patientFromForm(valid, id, siteOrganizationId);
  await recordBatch(store, { kind: 'patient', patientId: id, recordedAt: new Date().toISOString(), writes: [{ resource: patient }] });
  return id;
}
