import type { Bundle, Resource } from './types';

export const SYNC_BATCH_SYSTEM = 'https://sante-rurale.ml/fhir/sid/sync-batch';
export const SYNC_DEVICE_EXTENSION = 'https://sante-rurale.ml/fhir/StructureDefinition/sync-device';
export const SYNC_RECORDED_EXTENSION = 'https://sante-rurale.ml/fhir/StructureDefinition/sync-recorded';

/** One write of a batch: a create (no ifMatch) or an update of the version last seen. */
export interface BatchWrite {
  resource: Resource;
  /** server version the change is based on; absent for a create */
  baseVersion?: string;
}

export interface SyncBatchInput {
  key: string;
  deviceId: string;
  recordedAt: string;
  sentAt: string;
  writes: BatchWrite[];
}

/** The transaction Bundle of docs/SYNC.md §2: every entry a PUT Type/id, references Type/id. */
export function buildSyncBundle(input: SyncBatchInput): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    identifier: { system: SYNC_BATCH_SYSTEM, value: input.key },
    timestamp: input.sentAt,
    meta: {
      extension: [
        { url: SYNC_DEVICE_EXTENSION, valueString: input.deviceId },
        { url: SYNC_RECORDED_EXTENSION, valueDateTime: input.recordedAt },
      ],
    },
    entry: input.writes.map(({ resource, baseVersion }) => {
      const url = `${resource.resourceType}/${resource.id}`;
      return {
        fullUrl: url,
        resource,
        request: baseVersion === undefined ? { method: 'PUT', url } : { method: 'PUT', url, ifMatch: `W/"${baseVersion}"` },
      };
    }),
  };
}
