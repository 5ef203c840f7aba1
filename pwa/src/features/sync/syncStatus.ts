import { create } from 'zustand';
import type { Readiness } from '../../lib/reference/referenceData';

/** What the status bar shows; every message is an i18n key with its values. */
export interface SyncStatus {
  running: boolean;
  pending: number;
  rejected: number;
  lastSync?: string;
  /** whether the reference data needed offline is on the device */
  readiness?: Readiness;
  message?: { key: string; values?: Record<string, string | number> ; tone: 'ok' | 'info' | 'error' };
  set: (partial: Partial<SyncStatus>) => void;
}

export const useSyncStatus = create<SyncStatus>((set) => ({
  running: false,
  pending: 0,
  rejected: 0,
  set: (partial) => set(partial),
}));
