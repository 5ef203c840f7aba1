import type { SecureStore } from '../../lib/db/store';
import { patientFormSchema, patientWithForm, type PatientForm } from '../../lib/fhir/patient';
import type { Patient } from '../../lib/fhir/types';
import { recordBatch } from '../../lib/sync/outbox';

/**
 * Validates the form and commits the changed Patient with its outbox entry, based on the server
 * version last seen (its `ifMatch`: a change made meanwhile on the server comes back as a
 * conflict to resolve, never silently overwritten). Resolves once committed.
 */
export async function editPatient(store: SecureStore, patientId: string, form: PatientForm): Promise<void> {
  const valid = patientFormSchema.parse(form);
  const stored = await store.get<Patient>('Patient', patientId);
  if (!stored) throw new Error(`Patient/${patientId} is not on this device`);
  const patient = patientWithForm(stored.resource, valid);
  await recordBatch(store, {
    kind: 'patient',
    patientId,
    recordedAt: new Date().toISOString(),
    writes: [{ resource: patient, baseVersion: stored.version }],
  });
}
