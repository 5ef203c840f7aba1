import type { SecureStore, SearchHit } from '../../lib/db/store';
import type { Patient } from '../../lib/fhir/types';

/** As-you-type search; with fewer than two characters, the first patients on the device. */
export async function searchPatients(store: SecureStore, query: string): Promise<SearchHit[]> {
  if (query.trim().length < 2) {
    const records = await store.listType<Patient>('Patient', 30);
    return records.map((r) => ({ patient: r.resource, score: 0 }));
  }
  return store.searchPatients(query, 30);
}
