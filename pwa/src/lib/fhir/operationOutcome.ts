import { z } from 'zod';

export const SYNC_CONFLICT_EXTENSION = 'https://sante-rurale.ml/fhir/StructureDefinition/sync-conflict';

/** One conflicting entry of a 412 answer to a sync batch (docs/SYNC.md §3). */
export interface SyncConflict {
  /** "Type/id" */
  resource: string;
  sentVersion?: string;
  currentVersion?: string;
  /** changed, deleted, missing, or exists (a create whose id the server already has) */
  currentState?: string;
}

const part = z.looseObject({ url: z.string(), valueString: z.string().optional(), valueInteger: z.number().optional() });
const operationOutcomeSchema = z.looseObject({
  resourceType: z.literal('OperationOutcome'),
  issue: z
    .array(
      z.looseObject({
        diagnostics: z.string().optional(),
        extension: z.array(z.looseObject({ url: z.string(), extension: z.array(part).optional() })).optional(),
      }),
    )
    .default([]),
});

/** The diagnostics and the sync conflicts of an OperationOutcome; undefined if it is not one. */
export function readOperationOutcome(body: unknown): { issues: string[]; conflicts: SyncConflict[] } | undefined {
  const parsed = operationOutcomeSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const issues: string[] = [];
  const conflicts: SyncConflict[] = [];
  for (const issue of parsed.data.issue) {
    if (issue.diagnostics) issues.push(issue.diagnostics);
    const conflict = issue.extension?.find((x) => x.url === SYNC_CONFLICT_EXTENSION);
    if (!conflict) continue;
    const value = (name: string) => conflict.extension?.find((x) => x.url === name)?.valueString;
    const resource = value('resource');
    if (resource) conflicts.push({ resource, sentVersion: value('sentVersion'), currentVersion: value('currentVersion'), currentState: value('currentState') });
  }
  return { issues, conflicts };
}
