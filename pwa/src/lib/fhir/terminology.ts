import type { Coding } from './types';

/**
 * The coded choices of the consultation form, each a Coding as the implementation guide's value
 * sets give it (system, code, French display): the systems come with the codes, never from the app.
 */
export interface PickLists {
  /** ValueSet cscom-conditions (ICD-10) */
  conditions: Coding[];
  /** ValueSet mali-essential-medicines */
  medicines: Coding[];
  /** ValueSet referral-reason */
  referralReasons: Coding[];
  /** ValueSet cscom-procedures */
  procedures: Coding[];
}

export const findCoding = (list: readonly Coding[], code: string): Coding | undefined => list.find((c) => c.code === code);
