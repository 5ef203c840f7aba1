/**
 * Pick lists used by the consultation form until the implementation guide serves them.
 *
 * TODO(issue 12): fetch the IG's ValueSets/CodeSystems (conditions, essential medicines,
 * referral reasons) from the server during sync and keep them in the encrypted store;
 * this module then becomes the offline fallback only.
 */
import type { Coding } from '../lib/fhir/types';

export const ICD10_SYSTEM = 'http://hl7.org/fhir/sid/icd-10';
export const MEDICINE_SYSTEM = 'https://sante-rurale.ml/fhir/CodeSystem/essential-medicines';
export const REFERRAL_REASON_SYSTEM = 'https://sante-rurale.ml/fhir/CodeSystem/referral-reason';

export interface PickItem {
  code: string;
  display: string;
}

/** Frequent diagnoses in CSCOM primary care, ICD-10 codes with French labels. */
export const CONDITIONS: readonly PickItem[] = [
  { code: 'B54', display: 'Paludisme, sans précision' },
  { code: 'B50.9', display: 'Paludisme à Plasmodium falciparum, sans précision' },
  { code: 'A09', display: 'Diarrhée et gastro-entérite d’origine présumée infectieuse' },
  { code: 'J06.9', display: 'Infection aiguë des voies respiratoires supérieures' },
  { code: 'J18.9', display: 'Pneumopathie, sans précision' },
  { code: 'E43', display: 'Malnutrition protéino-énergétique grave' },
  { code: 'D64.9', display: 'Anémie, sans précision' },
  { code: 'I10', display: 'Hypertension essentielle' },
  { code: 'E11.9', display: 'Diabète de type 2, sans complication' },
  { code: 'N39.0', display: 'Infection des voies urinaires' },
  { code: 'B65.9', display: 'Schistosomiase (bilharziose), sans précision' },
  { code: 'L08.9', display: 'Infection de la peau, sans précision' },
  { code: 'H10.9', display: 'Conjonctivite, sans précision' },
  { code: 'O14.9', display: 'Pré-éclampsie, sans précision' },
  { code: 'A15.0', display: 'Tuberculose pulmonaire' },
];

/** A few essential medicines (Mali's list), the form and strength in the label. */
export const MEDICINES: readonly PickItem[] = [
  { code: 'ACT-AL-20-120', display: 'Artéméther-luméfantrine 20/120 mg, comprimé' },
  { code: 'AMOX-500', display: 'Amoxicilline 500 mg, gélule' },
  { code: 'AMOX-250-SUSP', display: 'Amoxicilline 250 mg/5 ml, suspension buvable' },
  { code: 'PARA-500', display: 'Paracétamol 500 mg, comprimé' },
  { code: 'SRO', display: 'Sels de réhydratation orale, sachet' },
  { code: 'ZINC-20', display: 'Zinc 20 mg, comprimé dispersible' },
  { code: 'COTRI-480', display: 'Cotrimoxazole 400/80 mg, comprimé' },
  { code: 'FEFOL', display: 'Fer + acide folique 200/0,4 mg, comprimé' },
  { code: 'METRO-250', display: 'Métronidazole 250 mg, comprimé' },
  { code: 'IBU-400', display: 'Ibuprofène 400 mg, comprimé' },
];

export const REFERRAL_REASONS: readonly PickItem[] = [
  { code: 'severe-malaria', display: 'Paludisme grave' },
  { code: 'severe-malnutrition', display: 'Malnutrition aiguë sévère avec complications' },
  { code: 'obstetric', display: 'Urgence obstétricale' },
  { code: 'surgery', display: 'Avis ou acte chirurgical' },
  { code: 'lab', display: 'Examen de laboratoire non disponible' },
  { code: 'no-improvement', display: 'Pas d’amélioration sous traitement' },
  { code: 'other', display: 'Autre motif' },
];

export const coding = (system: string, item: PickItem): Coding => ({ system, code: item.code, display: item.display });

export const findItem = (list: readonly PickItem[], code: string) => list.find((i) => i.code === code);
