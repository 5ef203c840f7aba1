import type { AppDatabase } from '../db/database';
import { createDeviceKeys, type DeviceKeys, MIN_PBKDF2_ITERATIONS, unwrapDeviceKeys, WrongPinError } from './keys';

/** Wrong PINs in a row after which every local record is wiped. */
export const MAX_PIN_ATTEMPTS = 5;

export type UnlockResult =
  | { ok: true; keys: DeviceKeys }
  | { ok: false; reason: 'wrong-pin'; remainingAttempts: number }
  | { ok: false; reason: 'wiped' };

/** The PIN lock of the device's data. */
export class Vault {
  constructor(
    private readonly db: AppDatabase,
    private readonly iterations = MIN_PBKDF2_ITERATIONS,
  ) {}

  async isSetUp(): Promise<boolean> {
    return (await this.db.keyring.get('device')) !== undefined;
  }

  /** New keys under this PIN. Only on an empty device: existing data would become unreadable. */
  async setUp(pin: string): Promise<DeviceKeys> {
    if (await this.isSetUp()) throw new Error('the device already has a PIN');
    const { keys, wrapped } = await createDeviceKeys(pin, this.iterations);
    await this.db.keyring.add({ id: 'device', wrapped, failedAttempts: 0 });
    return keys;
  }

  /**
   * The failed-attempt counter is raised before the PIN is tried and reset only after it
   * unlocked, so closing the tab during a try does not give a free attempt.
   */
  async unlock(pin: string): Promise<UnlockResult> {
    const row = await this.db.keyring.get('device');
    if (!row) return { ok: false, reason: 'wiped' };
    const attempts = row.failedAttempts + 1;
    await this.db.keyring.update('device', { failedAttempts: attempts });
    try {
      const keys = await unwrapDeviceKeys(pin, row.wrapped);
      await this.db.keyring.update('device', { failedAttempts: 0 });
      return { ok: true, keys };
    } catch (e) {
      if (!(e instanceof WrongPinError)) throw e;
      if (attempts >= MAX_PIN_ATTEMPTS) {
        await this.wipe();
        return { ok: false, reason: 'wiped' };
      }
      return { ok: false, reason: 'wrong-pin', remainingAttempts: MAX_PIN_ATTEMPTS - attempts };
    }
  }

  /** Removes everything the app stored on the device: keys, records, outbox, settings. */
  async wipe(): Promise<void> {
    await this.db.transaction('rw', [this.db.keyring, this.db.records, this.db.outbox, this.db.settings], async () => {
      await Promise.all([this.db.keyring.clear(), this.db.records.clear(), this.db.outbox.clear(), this.db.settings.clear()]);
    });
  }
}
