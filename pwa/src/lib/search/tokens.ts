import { phoneticWords } from './normalize';

/**
 * Search tokens of a patient (clear text here; the store keeps only their keyed hashes).
 * A name word gives prefix tokens ("n<ku", "n<kul") and trigrams of its phonetic key with a start
 * marker ("n^ku", "nkul", "nuli", ...), so typing part of a name or a variant spelling matches.
 * The village gets the same treatment in its own namespace; phone and birth year are digits.
 */

export interface PatientSearchFields {
  names: string[];
  village?: string;
  phone?: string;
  birthYear?: number;
}

function wordTokens(ns: string, word: string): string[] {
  const tokens: string[] = [];
  for (let i = 1; i <= Math.min(3, word.length); i++) tokens.push(`${ns}<${word.slice(0, i)}`);
  const padded = `^${word}`;
  for (let i = 0; i + 3 <= padded.length; i++) tokens.push(`${ns}${padded.slice(i, i + 3)}`);
  return tokens;
}

function digitTokens(digits: string): string[] {
  const tokens: string[] = [];
  // Any run of 4 digits (the part of a number people remember), and the whole number.
  for (let i = 0; i + 4 <= digits.length; i++) tokens.push(`t${digits.slice(i, i + 4)}`);
  if (digits.length > 0) tokens.push(`T${digits}`);
  return tokens;
}

export function patientTokens(fields: PatientSearchFields): string[] {
  const tokens = new Set<string>();
  for (const name of fields.names) for (const w of phoneticWords(name)) wordTokens('n', w).forEach((t) => tokens.add(t));
  if (fields.village) for (const w of phoneticWords(fields.village)) wordTokens('v', w).forEach((t) => tokens.add(t));
  if (fields.phone) digitTokens(fields.phone.replace(/\D/g, '')).forEach((t) => tokens.add(t));
  if (fields.birthYear !== undefined) tokens.add(`y${fields.birthYear}`);
  return [...tokens];
}

/**
 * What one query word asks for: alternatives (name, village, phone, year), each a list of
 * tokens; the word matches a record when, for one alternative, at least `threshold` of its
 * tokens are the record's. Trigram shares let a misspelt letter through (threshold 0.5).
 */
export interface QueryWord {
  alternatives: string[][];
  threshold: number;
}

export function queryWords(query: string): QueryWord[] {
  const words: QueryWord[] = [];
  for (const raw of query.trim().split(/\s+/)) {
    if (raw.length === 0) continue;
    const digits = raw.replace(/[.-]/g, '');
    if (/^\d+$/.test(digits)) {
      if (/^(19|20)\d\d$/.test(digits)) {
        words.push({ alternatives: [[`y${digits}`], [`t${digits}`]], threshold: 1 });
      } else if (digits.length >= 4) {
        const windows: string[] = [];
        for (let i = 0; i + 4 <= digits.length; i++) windows.push(`t${digits.slice(i, i + 4)}`);
        words.push({ alternatives: [windows], threshold: 1 });
      }
      continue;
    }
    for (const w of phoneticWords(raw)) {
      if (w.length <= 3) {
        words.push({ alternatives: [[`n<${w}`], [`v<${w}`]], threshold: 1 });
      } else {
        const trigrams = (ns: string) => wordTokens(ns, w).filter((t) => !t.startsWith(`${ns}<`));
        words.push({ alternatives: [trigrams('n'), trigrams('v')], threshold: 0.5 });
      }
    }
  }
  return words;
}

/** Share of the best alternative present in a record's tokens (0..1). */
export function wordScore(word: QueryWord, has: (token: string) => boolean): number {
  let best = 0;
  for (const alternative of word.alternatives) {
    const present = alternative.filter(has).length / alternative.length;
    if (present > best) best = present;
  }
  return best;
}
