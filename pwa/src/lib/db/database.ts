import Dexie, { type EntityTable } from 'dexie';
import type { Sealed } from '../crypto/cipher';
import type { WrappedKeys } from '../crypto/keys';

/**
 * The device's IndexedDB. Nothing readable about a patient is stored in clear: record bodies,
 * outbox payloads and settings are AES-GCM sealed; record keys, type markers, patient links and
 * search tokens are keyed hashes (HMAC with the index key). In clear: the wrapped keys, a
 * failed-PIN counter, and outbox bookkeeping (sequence, status, attempts, next retry time).
 */

export interface KeyringRow {
  id: 'device';
  wrapped: WrappedKeys;
  failedAttempts: number;
}

export interface RecordRow {
  /** keyed hash of "Type/id" */
  k: string;
  /** keyed hash of the resource type */
  t: string;
  /** keyed hashes of the patients the record is about */
  p: string[];
  /** keyed hashes of search tokens (patients only) */
  s: string[];
  /** sealed StoredRecord, bound to k */
  v: Sealed;
}

export type OutboxStatus = 'pending' | 'rejected';

export interface OutboxRow {
  seq?: number;
  status: OutboxStatus;
  attempts: number;
  /** epoch ms; 0 = at once */
  nextAttemptAt: number;
  /** sealed OutboxPayload, bound to "outbox" */
  v: Sealed;
}

export interface SettingRow {
  /** setting name (never personal data) */
  name: string;
  v: Sealed;
}

export type AppDatabase = Dexie & {
  keyring: EntityTable<KeyringRow, 'id'>;
  records: EntityTable<RecordRow, 'k'>;
  outbox: EntityTable<OutboxRow, 'seq'>;
  settings: EntityTable<SettingRow, 'name'>;
};

export const DATABASE_NAME = 'sante-rurale';

export function openDatabase(name = DATABASE_NAME): AppDatabase {
  const db = new Dexie(name) as AppDatabase;
  db.version(1).stores({
    keyring: 'id',
    records: 'k, t, *p, *s',
    outbox: '++seq, status',
    settings: 'name',
  });
  return db;
}
