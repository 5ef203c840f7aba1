import { Vault } from '../../lib/crypto/vault';
import { useSession } from '../../shared/session';

/** Wipes the device (keys, records, outbox, settings); the caller has warned about unsent work. */
export async function signOutAndWipe(): Promise<void> {
  const { db, set } = useSession.getState();
  await new Vault(db!).wipe();
  set({ store: undefined, tokens: undefined, user: undefined, screen: 'signIn', view: { name: 'patients' } });
}

/** Forgets the keys in memory: the PIN is needed again. */
export function lock(): void {
  useSession.getState().set({ store: undefined, tokens: undefined, screen: 'unlock', view: { name: 'patients' } });
}
