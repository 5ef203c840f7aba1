import type { SecureStore } from '../../lib/db/store';
import { consultationFormSchema, consultationResources, type ConsultationForm } from '../../lib/fhir/consultation';
import type { PickLists } from '../../lib/fhir/terminology';
import { recordBatch } from '../../lib/sync/outbox';

/**
 * One consultation = one batch (docs/SYNC.md §1): validated, mapped to FHIR and committed with
 * its outbox entry in one IndexedDB transaction. Resolves only after the commit.
 */
export async function recordConsultation(store: SecureStore, patientId: string, form: ConsultationForm, siteOrganizationId: string, lists: PickLists): Promise<void> {
  const valid = consultationFormSchema(lists).parse(form);
  const recordedAt = new Date().toISOString();
  const resources = consultationResources(valid, { patientId, siteOrganizationId, recordedAt, newId: () => crypto.randomUUID(), lists });
  await recordBatch(store, { kind: 'consultation', patientId, recordedAt, writes: resources.map((resource) => ({ resource })) });
}
