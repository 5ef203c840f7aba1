import type { Patient } from '../lib/fhir/types';

/** "TRAORÉ Aminata": the family name in capitals, then the given names. */
export function patientName(p: Patient): string {
  const n = p.name?.[0];
  return [n?.family?.toUpperCase(), ...(n?.given ?? [])].filter(Boolean).join(' ');
}
