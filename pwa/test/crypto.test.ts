import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openJson, sealJson } from '../src/lib/crypto/cipher';
import { createDeviceKeys, MIN_PBKDF2_ITERATIONS, unwrapDeviceKeys, WrongPinError } from '../src/lib/crypto/keys';
import { MAX_PIN_ATTEMPTS, Vault } from '../src/lib/crypto/vault';
import { openDatabase } from '../src/lib/db/database';

describe('device keys', () => {
  it('wrap and unwrap under the PIN: what one key sealed, the unwrapped key opens', async () => {
    const { keys, wrapped } = await createDeviceKeys('123456');
    expect(wrapped.iterations).toBeGreaterThanOrEqual(600_000);
    const sealed = await sealJson(keys.dataKey, { name: 'Aminata Traoré' }, 'r1');
    const again = await unwrapDeviceKeys('123456', wrapped);
    expect(await openJson(again.dataKey, sealed, 'r1')).toEqual({ name: 'Aminata Traoré' });
    // The data key is random: two devices with the same PIN do not share it.
    const other = await createDeviceKeys('123456');
    await expect(openJson(other.keys.dataKey, sealed, 'r1')).rejects.toThrow();
  });

  it('a wrong PIN does not unwrap', async () => {
    const { wrapped } = await createDeviceKeys('1234');
    await expect(unwrapDeviceKeys('4321', wrapped)).rejects.toBeInstanceOf(WrongPinError);
  });

  it('unwrapped keys cannot be exported', async () => {
    const { keys } = await createDeviceKeys('1234');
    await expect(crypto.subtle.exportKey('raw', keys.dataKey)).rejects.toThrow();
    await expect(crypto.subtle.exportKey('raw', keys.indexKey)).rejects.toThrow();
  });

  it('sealed values are bound to their record key', async () => {
    const { keys } = await createDeviceKeys('1234');
    const sealed = await sealJson(keys.dataKey, { a: 1 }, 'record-a');
    await expect(openJson(keys.dataKey, sealed, 'record-b')).rejects.toThrow();
  });

  it('refuses PINs that are not 4 to 6 digits, and fewer iterations than the floor', async () => {
    for (const pin of ['123', '1234567', 'abcd', '12 34']) await expect(createDeviceKeys(pin)).rejects.toThrow();
    await expect(createDeviceKeys('1234', MIN_PBKDF2_ITERATIONS - 1)).rejects.toThrow(/600000/);
  });
});

describe('vault (PIN lock)', () => {
  it('unlocks with the PIN, counts wrong ones, and wipes the device after five in a row', async () => {
    const db = openDatabase('vault-wipe');
    const vault = new Vault(db);
    const keys = await vault.setUp('2580');
    await db.records.add({ k: 'x', t: 't', p: [], s: [], v: await sealJson(keys.dataKey, { x: 1 }, 'x') });
    await db.outbox.add({ status: 'pending', attempts: 0, nextAttemptAt: 0, v: await sealJson(keys.dataKey, {}, 'outbox') });

    const ok = await vault.unlock('2580');
    expect(ok.ok).toBe(true);

    for (let i = 1; i < MAX_PIN_ATTEMPTS; i++) {
      const r = await vault.unlock('0000');
      expect(r).toEqual({ ok: false, reason: 'wrong-pin', remainingAttempts: MAX_PIN_ATTEMPTS - i });
    }
    expect(await db.records.count()).toBe(1);
    expect(await vault.unlock('0000')).toEqual({ ok: false, reason: 'wiped' });
    expect(await db.records.count()).toBe(0);
    expect(await db.outbox.count()).toBe(0);
    expect(await vault.isSetUp()).toBe(false);
    // Even the right PIN opens nothing now.
    expect(await vault.unlock('2580')).toEqual({ ok: false, reason: 'wiped' });
  });

  it('a right PIN resets the count of wrong ones', async () => {
    const db = openDatabase('vault-reset');
    const vault = new Vault(db);
    await vault.setUp('2580');
    for (let i = 0; i < MAX_PIN_ATTEMPTS - 1; i++) await vault.unlock('1111');
    expect((await vault.unlock('2580')).ok).toBe(true);
    expect(await vault.unlock('1111')).toEqual({ ok: false, reason: 'wrong-pin', remainingAttempts: MAX_PIN_ATTEMPTS - 1 });
  });
});
