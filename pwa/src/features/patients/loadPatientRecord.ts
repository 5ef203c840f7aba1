import type { SecureStore, StoredRecord } from '../../lib/db/store';
import type { Patient, Resource } from '../../lib/fhir/types';

export interface ConsultationView {
  encounter: StoredRecord;
  related: Resource[];
}

export interface PatientRecord {
  patient: StoredRecord<Patient>;
  consultations: ConsultationView[];
  /** referrals about this patient (sent from here, or received from another site) */
  referrals: StoredRecord[];
  /** Organization names by id, for display */
  siteNames: Map<string, string>;
}

/** Everything on the device about one patient, newest consultation first. */
export async function loadPatientRecord(store: SecureStore, patientId: string): Promise<PatientRecord | undefined> {
  const patient = await store.get<Patient>('Patient', patientId);
  if (!patient) return undefined;
  const records = await store.recordsOfPatient(patientId);
  const encounters = records.filter((r) => r.resource.resourceType === 'Encounter');
  const byEncounter = new Map<string, Resource[]>();
  for (const r of records) {
    const ref = (r.resource.encounter as { reference?: string } | undefined)?.reference;
    if (ref) byEncounter.set(ref, [...(byEncounter.get(ref) ?? []), r.resource]);
  }
  const start = (r: StoredRecord) => String((r.resource.period as { start?: string } | undefined)?.start ?? '');
  const consultations = encounters
    .sort((a, b) => start(b).localeCompare(start(a)))
    .map((encounter) => ({ encounter, related: byEncounter.get(`Encounter/${encounter.resource.id}`) ?? [] }));
  const organizations = await store.listType('Organization');
  const siteNames = new Map(organizations.map((o) => [o.resource.id, String(o.resource.name ?? o.resource.id)]));
  return {
    patient,
    consultations,
    referrals: records.filter((r) => r.resource.resourceType === 'ServiceRequest'),
    siteNames,
  };
}
