import { keyedToken, openJson, sealJson } from '../crypto/cipher';
import type { DeviceKeys } from '../crypto/keys';
import { patientIdOf, type Patient, type Resource } from '../fhir/types';
import { patientTokens, queryWords, wordScore } from '../search/tokens';
import type { AppDatabase, OutboxRow, RecordRow } from './database';

/** A record as kept on the device (inside the sealed value). */
export interface StoredRecord<R extends Resource = Resource> {
  resource: R;
  /** the server version last seen; absent for a record never synced */
  version?: string;
  /** changed on the device and not yet accepted by the server */
  local: boolean;
}

export interface SearchHit {
  patient: Patient;
  score: number;
}

/** Clear-text search fields of a Patient resource. */
export function patientSearchFields(p: Patient) {
  const names = (p.name ?? []).flatMap((n) => [n.family ?? '', ...(n.given ?? []), n.text ?? '']).filter(Boolean);
  const village = p.address?.[0]?.city;
  const phone = p.telecom?.find((t) => t.system === 'phone')?.value;
  const year = p.birthDate ? Number(p.birthDate.slice(0, 4)) : undefined;
  return { names, village, phone, birthYear: Number.isFinite(year) ? year : undefined };
}

/**
 * The encrypted store. Rows are prepared (sealed, hashed) outside IndexedDB transactions,
 * because WebCrypto promises are not IndexedDB requests: awaiting one inside a Dexie
 * transaction would let it commit early. Writers then put the prepared rows in one transaction.
 */
export class SecureStore {
  constructor(
    readonly db: AppDatabase,
    private readonly keys: DeviceKeys,
  ) {}

  /** Keyed hashes already computed (as-you-type queries repeat most tokens); bounded. */
  private readonly tokenCache = new Map<string, Promise<string>>();

  token(value: string): Promise<string> {
    let hashed = this.tokenCache.get(value);
    if (!hashed) {
      if (this.tokenCache.size >= 20_000) this.tokenCache.clear();
      hashed = keyedToken(this.keys.indexKey, value);
      this.tokenCache.set(value, hashed);
    }
    return hashed;
  }

  recordKey(type: string, id: string): Promise<string> {
    return this.token(`r:${type}/${id}`);
  }

  async prepareRecord(record: StoredRecord): Promise<RecordRow> {
    const { resource } = record;
    const k = await this.recordKey(resource.resourceType, resource.id);
    const patientId = patientIdOf(resource);
    const clearTokens = resource.resourceType === 'Patient' ? patientTokens(patientSearchFields(resource as Patient)) : [];
    return {
      k,
      t: await this.token(`t:${resource.resourceType}`),
      p: patientId ? [await this.token(`p:${patientId}`)] : [],
      s: await Promise.all(clearTokens.map((t) => this.token(`s:${t}`))),
      v: await sealJson(this.keys.dataKey, record, k),
    };
  }

  async putRecords(records: StoredRecord[]): Promise<void> {
    const rows = await Promise.all(records.map((r) => this.prepareRecord(r)));
    await this.db.records.bulkPut(rows);
  }

  async openRow<R extends Resource>(row: RecordRow): Promise<StoredRecord<R>> {
    return openJson<StoredRecord<R>>(this.keys.dataKey, row.v, row.k);
  }

  async get<R extends Resource>(type: string, id: string): Promise<StoredRecord<R> | undefined> {
    const row = await this.db.records.get(await this.recordKey(type, id));
    return row ? this.openRow<R>(row) : undefined;
  }

  async delete(type: string, id: string): Promise<void> {
    await this.db.records.delete(await this.recordKey(type, id));
  }

  async listType<R extends Resource>(type: string, limit = Infinity): Promise<StoredRecord<R>[]> {
    const rows = await this.db.records.where('t').equals(await this.token(`t:${type}`)).limit(limit).toArray();
    return Promise.all(rows.map((r) => this.openRow<R>(r)));
  }

  async countType(type: string): Promise<number> {
    return this.db.records.where('t').equals(await this.token(`t:${type}`)).count();
  }

  /** Every record about one patient (the Patient itself included). */
  async recordsOfPatient(patientId: string): Promise<StoredRecord[]> {
    const rows = await this.db.records.where('p').equals(await this.token(`p:${patientId}`)).toArray();
    return Promise.all(rows.map((r) => this.openRow(r)));
  }

  /**
   * As-you-type patient search over keyed-hash tokens: every query word must match (a name,
   * village, phone or birth year token share over its threshold); best scores first.
   */
  async searchPatients(query: string, limit = 30): Promise<SearchHit[]> {
    const words = queryWords(query);
    if (words.length === 0) return [];
    const clear = [...new Set(words.flatMap((w) => w.alternatives.flat()))];
    const hashed = new Map<string, string>();
    await Promise.all(clear.map(async (t) => hashed.set(t, await this.token(`s:${t}`))));
    const tokensOf = new Map<string, Set<string>>();
    // One read transaction for every token's key list (a transaction per lookup costs more than the lookup).
    await this.db.transaction('r', this.db.records, () =>
      Promise.all(
        clear.map(async (t) => {
          const keys = await this.db.records.where('s').equals(hashed.get(t)!).primaryKeys();
          for (const k of keys) {
            let set = tokensOf.get(k);
            if (!set) tokensOf.set(k, (set = new Set()));
            set.add(t);
          }
        }),
      ),
    );
    const scored: { k: string; score: number }[] = [];
    for (const [k, present] of tokensOf) {
      let total = 0;
      let all = true;
      for (const w of words) {
        const s = wordScore(w, (t) => present.has(t));
        if (s < w.threshold) {
          all = false;
          break;
        }
        total += s;
      }
      if (all) scored.push({ k, score: total / words.length });
    }
    scored.sort((a, b) => b.score - a.score);
    const top = scored.slice(0, limit);
    const rows = await this.db.records.bulkGet(top.map((s) => s.k));
    const opened = await Promise.all(rows.map((row, i) => (row ? this.openRow<Patient>(row).then((r) => ({ patient: r.resource, score: top[i].score })) : undefined)));
    return opened.filter((h): h is SearchHit => h !== undefined);
  }

  // Settings (sealed; the name is never personal data).
  async getSetting<T>(name: string): Promise<T | undefined> {
    const row = await this.db.settings.get(name);
    return row ? openJson<T>(this.keys.dataKey, row.v, `setting:${name}`) : undefined;
  }

  async setSetting(name: string, value: unknown): Promise<void> {
    if (value === undefined) {
      await this.db.settings.delete(name);
      return;
    }
    await this.db.settings.put({ name, v: await sealJson(this.keys.dataKey, value, `setting:${name}`) });
  }

  // Outbox payloads.
  sealOutbox<T>(payload: T) {
    return sealJson(this.keys.dataKey, payload, 'outbox');
  }

  openOutbox<T>(row: OutboxRow): Promise<T> {
    return openJson<T>(this.keys.dataKey, row.v, 'outbox');
  }
}
