import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DeviceKeys } from '../src/lib/crypto/keys';
import { openDatabase } from '../src/lib/db/database';
import { SecureStore } from '../src/lib/db/store';

let counter = 0;

/**
 * Random device keys as the vault hands them out (non-extractable), without the PIN's
 * 600,000 PBKDF2 iterations, which test/crypto.test.ts covers: store tests need keys, not the KDF.
 */
async function randomDeviceKeys(): Promise<DeviceKeys> {
  return {
    dataKey: await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']),
    indexKey: await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign']),
  };
}

/** A fresh database (own name) and an unlocked store on it. */
export async function freshStore() {
  const db = openDatabase(`test-${Date.now()}-${counter++}`);
  return new SecureStore(db, await randomDeviceKeys());
}

/** Every byte IndexedDB holds for a database, as text (what a thief with the phone could read). */
export async function rawDump(store: SecureStore): Promise<string> {
  const parts: string[] = [];
  const dec = new TextDecoder('utf-8', { fatal: false });
  const walk = (v: unknown): void => {
    if (v instanceof ArrayBuffer) parts.push(dec.decode(v));
    else if (ArrayBuffer.isView(v)) parts.push(dec.decode(v as Uint8Array));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => (parts.push(k), walk(x)));
    else parts.push(String(v));
  };
  for (const table of store.db.tables) walk(await table.toArray());
  return parts.join('\n');
}

/** The JSON block after `<!-- example: NAME -->` in docs/SYNC.md (the worked example the server test plays). */
export function syncExample(name: string): any {
  const doc = readFileSync(resolve(__dirname, '../../docs/SYNC.md'), 'utf8');
  const m = new RegExp(`<!-- example: ${name} -->\\s*\`\`\`json\\n([\\s\\S]*?)\\n\`\`\``).exec(doc);
  if (!m) throw new Error(`no example ${name} in docs/SYNC.md`);
  return JSON.parse(m[1]);
}
