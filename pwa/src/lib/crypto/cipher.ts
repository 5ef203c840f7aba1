import { fromUtf8, randomBytes, toBase64Url, utf8 } from './bytes';

/** An encrypted value as stored in IndexedDB: a fresh 96-bit IV per value, AES-256-GCM. */
export interface Sealed {
  iv: Uint8Array;
  ct: ArrayBuffer;
}

export async function sealJson(dataKey: CryptoKey, value: unknown, aad?: string): Promise<Sealed> {
  const iv = randomBytes(12);
  const params: AesGcmParams = aad === undefined ? { name: 'AES-GCM', iv } : { name: 'AES-GCM', iv, additionalData: utf8.encode(aad) };
  const ct = await crypto.subtle.encrypt(params, dataKey, utf8.encode(JSON.stringify(value)));
  return { iv, ct };
}

export async function openJson<T = unknown>(dataKey: CryptoKey, sealed: Sealed, aad?: string): Promise<T> {
  const iv = sealed.iv as Uint8Array<ArrayBuffer>;
  const params: AesGcmParams = aad === undefined ? { name: 'AES-GCM', iv } : { name: 'AES-GCM', iv, additionalData: utf8.encode(aad) };
  const plain = await crypto.subtle.decrypt(params, dataKey, sealed.ct);
  return JSON.parse(fromUtf8.decode(plain)) as T;
}

/** Keyed hash (HMAC-SHA-256, first 16 bytes, base64url): equal inputs give equal tokens, nothing more. */
export async function keyedToken(indexKey: CryptoKey, value: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', indexKey, utf8.encode(value));
  return toBase64Url(new Uint8Array(mac, 0, 16));
}
