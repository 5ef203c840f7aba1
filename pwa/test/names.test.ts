import { describe, expect, it } from 'vitest';
import { foldName, phoneticWord } from '../src/lib/search/normalize';
import { patientFromForm } from '../src/lib/fhir/patient';
import { freshStore } from './helpers';

/** Spellings of one name met in Malian registers: each row's variants must share a key. */
const VARIANTS: string[][] = [
  ['Traoré', 'Traore', 'TRAORE', 'traoré'],
  ['Coulibaly', 'Kulibali', 'Koulibaly', 'COULIBALY', 'Coulibali'],
  ['Keïta', 'Keita', 'KEITA', 'Kéita'],
  ['Diarra', 'Jara', 'Djarra', 'DIARRA'],
  ['Diallo', 'Jallo', 'Djallo'],
  ['Ouattara', 'Wattara', 'Watara'],
  ['Touré', 'Toure', 'Ture'],
  ['Cissé', 'Sisse', 'Cisse', 'Sissé'],
  ['Sissoko', 'Cissoko'],
  ['Doumbia', 'Dumbia'],
  ['Haïdara', 'Haidara', 'Aidara'],
  ['Maïga', 'Maiga'],
  ['Guindo', 'Gindo'],
];

/** Different names must keep different keys. */
const DISTINCT = ['Traoré', 'Touré', 'Diarra', 'Diallo', 'Keïta', 'Konaté', 'Coulibaly', 'Konaré', 'Kanté', 'Sidibé', 'Samaké'];

describe('Malian name normalisation', () => {
  it.each(VARIANTS)('%s and its variants give one key', (...spellings) => {
    const keys = new Set(spellings.map((s) => phoneticWord(foldName(s))));
    expect([...keys]).toHaveLength(1);
  });

  it('keeps different names apart', () => {
    const keys = DISTINCT.map((s) => phoneticWord(foldName(s)));
    expect(new Set(keys).size).toBe(DISTINCT.length);
  });

  it('folds case, accents and punctuation', () => {
    expect(foldName("  N'DIAYE-Kéïta ")).toBe('n diaye keita');
  });
});

describe('tolerant patient search over the encrypted index', () => {
  it('finds patients by variant spellings, partial names, village, phone and birth year', async () => {
    const store = await freshStore();
    const people = [
      ['Traoré', 'Aminata', 'Konobougou', '76 12 34 56', 1990],
      ['Coulibaly', 'Moussa', 'Djéli', '66 98 76 54', 1985],
      ['Keïta', 'Fatoumata', 'Konobougou', '', 2001],
      ['Diarra', 'Seydou', 'Tamani', '', 1978],
      ['Touré', 'Awa', 'Somo', '', 1995],
      ['Konaté', 'Bakary', 'Konobougou', '', 1960],
    ] as const;
    const ids: Record<string, string> = {};
    for (const [i, [family, given, village, phone, birthYear]] of people.entries()) {
      const id = `p${i}`;
      ids[family] = id;
      const patient = patientFromForm({ family, given, gender: 'female', birthYear, phone, village }, id, 'cscom-konobougou');
      await store.putRecords([{ resource: patient, local: true }]);
    }
    const find = async (q: string) => (await store.searchPatients(q)).map((h) => h.patient.id);

    for (const q of ['Traore', 'TRAORE', 'traoré', 'Traoré Aminata', 'aminata traore']) expect(await find(q)).toEqual([ids['Traoré']]);
    for (const q of ['Kulibali', 'Coulibaly', 'koulibali', 'Kulib']) expect(await find(q)).toEqual([ids['Coulibaly']]);
    for (const q of ['Keita', 'KEÏTA']) expect(await find(q)).toEqual([ids['Keïta']]);
    for (const q of ['Jara', 'Djarra']) expect(await find(q)).toEqual([ids['Diarra']]);
    // A typo in a longer name still finds it.
    expect(await find('Coulibaky')).toEqual([ids['Coulibaly']]);
    // Village, phone (any 4 digits, or the whole number), birth year.
    expect((await find('Konobougou')).sort()).toEqual([ids['Traoré'], ids['Keïta'], ids['Konaté']].sort());
    expect(await find('Konobougou Keita')).toEqual([ids['Keïta']]);
    expect(await find('3456')).toEqual([ids['Traoré']]);
    expect(await find('66987654')).toEqual([ids['Coulibaly']]);
    expect(await find('1978')).toEqual([ids['Diarra']]);
    // As she types: one or two letters give prefixes.
    expect(await find('Tr')).toEqual([ids['Traoré']]);
    expect(await find('Zanga')).toEqual([]);
  });
});
