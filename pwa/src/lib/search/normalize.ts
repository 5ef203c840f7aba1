/**
 * Malian names are written many ways: French colonial spellings (Coulibaly, Diarra, Ouattara),
 * Bambara orthography (Kulibali, Jara, Watara), with or without accents and in any case.
 * `foldName` removes case, accents and punctuation; `phoneticKey` maps the usual spelling
 * variants to one form, so that every variant of a name gives the same key.
 */

/** Lower case, no diacritics (é→e, ï→i, ɛ→e, ɔ→o, ɲ→ny, ŋ→ng), letters, digits and spaces only. */
export function foldName(text: string): string {
  return text
    .toLowerCase()
    .replace(/ɛ/g, 'e')
    .replace(/ɔ/g, 'o')
    .replace(/ɲ/g, 'ny')
    .replace(/ŋ/g, 'ng')
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const VOWEL = '[aeiouy]';

/** Ordered rewrite rules from French spellings to a Bambara-like phonetic form. */
const RULES: ReadonlyArray<[RegExp, string]> = [
  [/ph/g, 'f'],
  [/qu/g, 'k'],
  [/ck/g, 'k'],
  [/tch/g, 'c'],
  [new RegExp(`dj(?=${VOWEL})`, 'g'), 'j'],
  // Diarra/Jara, Diallo/Jallo, Diakité/Jakite: "di" before a vowel is the Bambara j.
  [new RegExp(`^di(?=${VOWEL})`, 'g'), 'j'],
  // Ouattara/Wattara/Watara, Ouologuem/Wologem: "ou" before a vowel is w.
  [new RegExp(`ou(?=${VOWEL})`, 'g'), 'w'],
  [/ou/g, 'u'],
  // Gu before e/i is a hard g (Guindo/Gindo).
  [/gu(?=[ei])/g, 'g'],
  // Soft c is s (Cissé/Sisse), hard c is k (Coulibaly/Kulibali).
  [/c(?=[eiy])/g, 's'],
  [/c/g, 'k'],
  [/y/g, 'i'],
  [/h/g, ''],
  [/x/g, 'ks'],
  // Doubled letters are one sound (Diarra/Jara, Ouattara/Watara, Sissoko).
  [/(.)\1+/g, '$1'],
];

/** The phonetic key of one word (already folded). */
export function phoneticWord(word: string): string {
  let key = word;
  for (const [pattern, replacement] of RULES) key = key.replace(pattern, replacement);
  return key;
}

/** Words of a name as phonetic keys: "Traoré Aminata" → ["traore", "aminata"]. */
export function phoneticWords(text: string): string[] {
  return foldName(text)
    .split(' ')
    .filter((w) => w.length > 0 && !/^\d+$/.test(w))
    .map(phoneticWord)
    .filter((w) => w.length > 0);
}
