import { z } from 'zod';
import type { SecureStore } from '../db/store';
import type { PickLists } from '../fhir/terminology';
import type { Coding } from '../fhir/types';
import { AuthRequiredError, type SyncTransport } from '../sync/push';

/**
 * Reference data a care worker needs to work offline: the implementation guide's value sets the
 * consultation form picks from (fetched as `ValueSet/<id>/$expand`, kept sealed in the store
 * like every setting) and the sites (Organizations, which arrive with the change feed).
 */
export const PICK_LIST_VALUE_SETS: Record<keyof PickLists, string> = {
  conditions: 'cscom-conditions',
  medicines: 'mali-essential-medicines',
  referralReasons: 'referral-reason',
  procedures: 'cscom-procedures',
};
export type PickListName = keyof PickLists;
export const PICK_LIST_NAMES = Object.keys(PICK_LIST_VALUE_SETS) as PickListName[];
export type ReferenceItem = PickListName | 'sites';

const settingName = (list: PickListName) => `reference.valueSet.${PICK_LIST_VALUE_SETS[list]}`;

interface Contains {
  system?: string;
  code?: string;
  display?: string;
  abstract?: boolean;
  inactive?: boolean;
  contains?: Contains[];
}
const containsSchema: z.ZodType<Contains> = z.lazy(() =>
  z.looseObject({
    system: z.string().min(1).optional(),
    code: z.string().min(1).optional(),
    display: z.string().optional(),
    abstract: z.boolean().optional(),
    inactive: z.boolean().optional(),
    contains: z.array(containsSchema).optional(),
  }),
);

/** The part of a `$expand` answer the app relies on, checked at the boundary. */
export const expansionSchema = z.looseObject({
  resourceType: z.literal('ValueSet'),
  url: z.string().optional(),
  expansion: z.looseObject({
    total: z.number().int().optional(),
    contains: z.array(containsSchema).optional(),
  }),
});

/** What is kept of a value set: its codings (selectable, active, with a system) and when. */
const storedValueSetSchema = z.object({
  valueSet: z.string(),
  fetchedAt: z.string(),
  codings: z.array(z.object({ system: z.string().min(1), code: z.string().min(1), display: z.string().optional() })).min(1),
});
export type StoredValueSet = z.infer<typeof storedValueSetSchema>;

/** The selectable codings of an expansion, nested ones included, in the server's order. */
export function codingsOfExpansion(json: unknown): Coding[] {
  const vs = expansionSchema.parse(json);
  const out: Coding[] = [];
  const walk = (items: Contains[] | undefined) => {
    for (const c of items ?? []) {
      if (c.system && c.code && !c.abstract && !c.inactive) out.push({ system: c.system, code: c.code, ...(c.display ? { display: c.display } : {}) });
      walk(c.contains);
    }
  };
  walk(vs.expansion.contains);
  if (out.length === 0) throw new Error(`${vs.url ?? 'ValueSet'}: empty expansion`);
  return out;
}

export interface RefreshResult {
  /** lists fetched and stored now */
  refreshed: PickListName[];
  /** lists the server did not give (the copy held, if any, is kept) and why */
  failed: { list: PickListName; reason: string }[];
}

/**
 * Fetches every value set the forms use and keeps each valid one (sealed setting), replacing
 * the copy held; one that fails keeps the previous copy. A 401 stops everything (sign in again).
 */
export async function refreshPickLists(deps: SyncTransport & { store: SecureStore; now?: () => Date }): Promise<RefreshResult> {
  const result: RefreshResult = { refreshed: [], failed: [] };
  for (const list of PICK_LIST_NAMES) {
    const id = PICK_LIST_VALUE_SETS[list];
    try {
      const response = await deps.fetch(`${deps.fhirBase}/ValueSet/${id}/$expand`, {
        headers: { Accept: 'application/fhir+json', Authorization: `Bearer ${await deps.accessToken()}` },
      });
      if (response.status === 401) throw new AuthRequiredError();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const codings = codingsOfExpansion(await response.json());
      const stored: StoredValueSet = { valueSet: id, fetchedAt: (deps.now?.() ?? new Date()).toISOString(), codings };
      await deps.store.setSetting(settingName(list), stored);
      result.refreshed.push(list);
    } catch (e) {
      if (e instanceof AuthRequiredError) throw e;
      result.failed.push({ list, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return result;
}

/** The pick lists held on the device; a list never fetched is empty. */
export async function loadPickLists(store: SecureStore): Promise<PickLists> {
  const entries = await Promise.all(
    PICK_LIST_NAMES.map(async (list) => {
      const parsed = storedValueSetSchema.safeParse(await store.getSetting(settingName(list)));
      return [list, parsed.success ? parsed.data.codings : []] as const;
    }),
  );
  return Object.fromEntries(entries) as unknown as PickLists;
}

export interface Readiness {
  ready: boolean;
  /** what the device lacks to work offline */
  missing: ReferenceItem[];
}

/** Whether the device holds the reference data needed to work offline, and what it lacks. */
export async function offlineReadiness(store: SecureStore): Promise<Readiness> {
  const lists = await loadPickLists(store);
  const missing: ReferenceItem[] = PICK_LIST_NAMES.filter((l) => lists[l].length === 0);
  if ((await store.countType('Organization')) === 0) missing.push('sites');
  return { ready: missing.length === 0, missing };
}
