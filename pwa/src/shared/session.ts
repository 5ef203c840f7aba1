import { create } from 'zustand';
import type { AppConfig, TokenKeeper, TokenResponse } from '../lib/auth/oidc';
import type { AppDatabase } from '../lib/db/database';
import type { SecureStore } from '../lib/db/store';

/** Who is working: kept sealed in the store so the app knows it offline. */
export interface UserInfo {
  username: string;
  name?: string;
  siteIds: string[];
}

export type Screen = 'loading' | 'signIn' | 'choosePin' | 'unlock' | 'main' | 'error';

export type View =
  | { name: 'patients' }
  | { name: 'register' }
  | { name: 'patient'; patientId: string }
  | { name: 'editPatient'; patientId: string }
  | { name: 'consult'; patientId: string }
  | { name: 'settings' }
  | { name: 'referrals' }
  /** a batch the server refused with a conflict (its outbox sequence number) */
  | { name: 'conflict'; seq: number };

interface SessionState {
  screen: Screen;
  view: View;
  config?: AppConfig;
  db?: AppDatabase;
  store?: SecureStore;
  tokens?: TokenKeeper;
  /** tokens of a sign-in that happened before the device was unlocked (or had a PIN) */
  pendingSignIn?: { tokens: TokenResponse; user: UserInfo };
  user?: UserInfo;
  /** a message for the next screen (e.g. why the device was wiped) */
  notice?: string;
  /** an i18n key shown once on the next view ("Enregistré" after a commit) */
  flash?: string;
  deviceId?: string;
  /** bumped after every local write or applied pull, so screens reload */
  dataVersion: number;
  set: (partial: Partial<SessionState>) => void;
  go: (view: View, flash?: string) => void;
  touch: () => void;
}

export const useSession = create<SessionState>((set) => ({
  screen: 'loading',
  view: { name: 'patients' },
  dataVersion: 0,
  set: (partial) => set(partial),
  go: (view, flash) => set({ view, flash }),
  touch: () => set((s) => ({ dataVersion: s.dataVersion + 1 })),
}));

/** The site the care worker records for: her first site (Organization ids are the lower-cased codes). */
export const siteOrganizationId = (user: UserInfo | undefined) => user?.siteIds[0]?.toLowerCase();

export const SETTINGS = {
  refreshToken: 'oidc.refresh',
  user: 'oidc.user',
  deviceId: 'device.id',
  lastSync: 'feed.lastSuccess',
} as const;
