import type { ReferenceItem } from '../lib/reference/referenceData';

/** The i18n key naming each piece of reference data ("la liste des diagnostics"...). */
export const REFERENCE_ITEM_KEYS: Record<ReferenceItem, string> = {
  conditions: 'reference.conditions',
  medicines: 'reference.medicines',
  referralReasons: 'reference.referralReasons',
  procedures: 'reference.procedures',
  sites: 'reference.sites',
};

/** "La liste des diagnostics…" at the start of a sentence. */
export const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
