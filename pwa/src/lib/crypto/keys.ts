import { z } from 'zod';
import { randomBytes } from './bytes';

/**
 * Key hierarchy of the device (WebCrypto only):
 * PIN --PBKDF2-SHA256--> key-wrapping key (AES-GCM-256, never stored)
 *   wraps a random AES-256-GCM data key (encrypts every record, the outbox, settings)
 *   and a random HMAC-SHA-256 index key (keyed hashes of search tokens and record keys).
 * Unwrapped keys are non-extractable: script can use them, never read them.
 */

/** OWASP 2023 floor for PBKDF2-HMAC-SHA256. */
export const MIN_PBKDF2_ITERATIONS = 600_000;

export const pinSchema = z.string().regex(/^\d{4,6}$/, 'pin.invalid');

export interface DeviceKeys {
  dataKey: CryptoKey;
  indexKey: CryptoKey;
}

/** What is stored in clear to unlock later: nothing in it reveals the keys without the PIN. */
export const wrappedKeysSchema = z.object({
  kdf: z.literal('PBKDF2-SHA256'),
  iterations: z.number().int().min(MIN_PBKDF2_ITERATIONS),
  salt: z.instanceof(Uint8Array),
  dataKeyIv: z.instanceof(Uint8Array),
  wrappedDataKey: z.instanceof(ArrayBuffer),
  indexKeyIv: z.instanceof(Uint8Array),
  wrappedIndexKey: z.instanceof(ArrayBuffer),
});
export type WrappedKeys = z.infer<typeof wrappedKeysSchema>;

export class WrongPinError extends Error {
  constructor() {
    super('wrong PIN');
    this.name = 'WrongPinError';
  }
}

async function deriveWrappingKey(pin: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CryptoKey> {
  pinSchema.parse(pin);
  if (iterations < MIN_PBKDF2_ITERATIONS) throw new Error(`PBKDF2 needs at least ${MIN_PBKDF2_ITERATIONS} iterations`);
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['wrapKey', 'unwrapKey'],
  );
}

/** New random keys, wrapped under the PIN. Returns the usable keys and what to store. */
export async function createDeviceKeys(
  pin: string,
  iterations = MIN_PBKDF2_ITERATIONS,
): Promise<{ keys: DeviceKeys; wrapped: WrappedKeys }> {
  const salt = randomBytes(16);
  const wrappingKey = await deriveWrappingKey(pin, salt, iterations);
  const dataKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
  const indexKey = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, true, ['sign']);
  const dataKeyIv = randomBytes(12);
  const indexKeyIv = randomBytes(12);
  const wrapped: WrappedKeys = {
    kdf: 'PBKDF2-SHA256',
    iterations,
    salt,
    dataKeyIv,
    wrappedDataKey: await crypto.subtle.wrapKey('raw', dataKey, wrappingKey, { name: 'AES-GCM', iv: dataKeyIv }),
    indexKeyIv,
    wrappedIndexKey: await crypto.subtle.wrapKey('raw', indexKey, wrappingKey, { name: 'AES-GCM', iv: indexKeyIv }),
  };
  // Hand out non-extractable copies only.
  return { keys: await unwrapDeviceKeys(pin, wrapped), wrapped };
}

/** The keys, or WrongPinError (AES-GCM's tag does not verify under a key from another PIN). */
export async function unwrapDeviceKeys(pin: string, stored: WrappedKeys): Promise<DeviceKeys> {
  const w = wrappedKeysSchema.parse(stored);
  const wrappingKey = await deriveWrappingKey(pin, w.salt as Uint8Array<ArrayBuffer>, w.iterations);
  try {
    const dataKey = await crypto.subtle.unwrapKey(
      'raw', w.wrappedDataKey, wrappingKey, { name: 'AES-GCM', iv: w.dataKeyIv as Uint8Array<ArrayBuffer> },
      { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'],
    );
    const indexKey = await crypto.subtle.unwrapKey(
      'raw', w.wrappedIndexKey, wrappingKey, { name: 'AES-GCM', iv: w.indexKeyIv as Uint8Array<ArrayBuffer> },
      { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign'],
    );
    return { dataKey, indexKey };
  } catch (e) {
    if (e instanceof DOMException && e.name === 'OperationError') throw new WrongPinError();
    throw e;
  }
}
