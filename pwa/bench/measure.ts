/**
 * Measurements of the app's core in a real browser (bench/run.mjs opens this page in Chromium,
 * with a CPU slowdown): unlock (PBKDF2 + unwrap + first list), patient search over the
 * encrypted index, and the gzip size of a consultation batch. Results go to window.results.
 */
import { Vault } from '../src/lib/crypto/vault';
import { openDatabase } from '../src/lib/db/database';
import { SecureStore } from '../src/lib/db/store';
import { consultationResources } from '../src/lib/fhir/consultation';
import { patientFromForm } from '../src/lib/fhir/patient';
import { buildSyncBundle } from '../src/lib/fhir/syncBundle';
import type { Patient } from '../src/lib/fhir/types';

const FAMILIES = ['Traoré', 'Coulibaly', 'Keïta', 'Diarra', 'Diallo', 'Touré', 'Konaté', 'Sangaré', 'Dembélé', 'Sidibé', 'Samaké', 'Doumbia', 'Sissoko', 'Cissé', 'Kanté', 'Maïga', 'Ouattara', 'Guindo', 'Haïdara', 'Bagayoko'];
const GIVEN = ['Aminata', 'Moussa', 'Fatoumata', 'Seydou', 'Awa', 'Bakary', 'Mariam', 'Oumar', 'Kadiatou', 'Mamadou', 'Assétou', 'Ibrahim', 'Rokia', 'Adama', 'Salimata', 'Boubacar'];
const VILLAGES = ['Konobougou', 'Djéli', 'Tamani', 'Somo', 'Sanando', 'Kalaké', 'Nganssola', 'Dougoufié', 'Pelengana', 'Farako'];
const QUERIES = ['kulibali', 'traore', 'keita', 'jara', 'Coulib', 'toure awa', 'konobougou', 'sanga', 'watara', 'ci', '1985', 'dembele mariam', 'samake', 'djeli', 'kante', 'maiga rokia', 'sisoko', 'gindo', 'aidara', 'bagayoko'];

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function gzipSize(text: string): Promise<number> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

async function main() {
  const n = Number(new URLSearchParams(location.search).get('patients') ?? 5000);
  const out: Record<string, unknown> = { patients: n };
  const name = `bench-${Date.now()}`;
  const db = openDatabase(name);
  const vault = new Vault(db);
  const keys = await vault.setUp('482916');
  const store = new SecureStore(db, keys);

  let t0 = performance.now();
  const batch: Promise<void>[] = [];
  for (let i = 0; i < n; i += 500) {
    const records = [];
    for (let j = i; j < Math.min(n, i + 500); j++) {
      const p = patientFromForm(
        { family: FAMILIES[j % FAMILIES.length], given: GIVEN[(j * 7) % GIVEN.length], gender: j % 2 ? 'male' : 'female', birthYear: 1950 + (j % 70), phone: `7${String(6000000 + j).padStart(7, '0')}`, village: VILLAGES[(j * 3) % VILLAGES.length] },
        crypto.randomUUID(),
        'cscom-konobougou',
      );
      records.push({ resource: p, local: false, version: '1' });
    }
    batch.push(store.putRecords(records));
    await batch[batch.length - 1];
  }
  out.loadMs = Math.round(performance.now() - t0);

  // Unlock: PBKDF2 (600,000 iterations) + unwrap, then the first page of the patient list.
  const unlock: number[] = [];
  for (let i = 0; i < 3; i++) {
    t0 = performance.now();
    const r = await vault.unlock('482916');
    if (!r.ok) throw new Error('unlock failed');
    const s = new SecureStore(db, r.keys);
    await s.listType<Patient>('Patient', 30);
    unlock.push(performance.now() - t0);
  }
  out.unlockMs = unlock.map(Math.round);

  // Search: each query as typed in full, twice (first cold).
  const times: number[] = [];
  const hits: Record<string, number> = {};
  for (let round = 0; round < 2; round++) {
    for (const q of QUERIES) {
      t0 = performance.now();
      const h = await store.searchPatients(q, 30);
      times.push(performance.now() - t0);
      hits[q] = h.length;
    }
  }
  // The same queries without opening the 30 best records (index lookups, keyed hashes, scoring only).
  const lookups: number[] = [];
  for (const q of QUERIES) {
    t0 = performance.now();
    await store.searchPatients(q, 0);
    lookups.push(performance.now() - t0);
  }
  out.searchIndexOnlyMs = { p50: Math.round(percentile(lookups, 50)), p95: Math.round(percentile(lookups, 95)) };
  out.searchMs = { n: times.length, p50: Math.round(percentile(times, 50)), p95: Math.round(percentile(times, 95)), max: Math.round(Math.max(...times)) };
  out.hits = hits;

  // A typical consultation on the wire (gzip), and with a new patient in the same batch. The
  // codings are the IG's (what the server's $expand gives the app).
  const icd10 = (code: string, display: string) => ({ system: 'http://hl7.org/fhir/sid/icd-10', code, display });
  const ours = (cs: string, code: string, display: string) => ({ system: `https://sante-rurale.ml/fhir/CodeSystem/${cs}`, code, display });
  const lists = {
    conditions: [icd10('B54', 'Paludisme simple, non confirmé (sans précision)'), icd10('D64.9', 'Anémie, sans précision')],
    medicines: [
      ours('mali-essential-medicines', 'MEG-AL-20-120', 'Artéméther + luméfantrine 20 mg/120 mg, comprimé'),
      ours('mali-essential-medicines', 'MEG-PCM-500', 'Paracétamol 500 mg, comprimé'),
    ],
    referralReasons: [ours('referral-reason', 'paludisme-grave', 'Paludisme grave')],
    procedures: [ours('cscom-procedures', 'tdr-palu', 'Test de diagnostic rapide du paludisme')],
  };
  const patient = patientFromForm({ family: 'Traoré', given: 'Aminata', gender: 'female', birthYear: 1990, phone: '76123456', village: 'Konobougou' }, crypto.randomUUID(), 'cscom-konobougou');
  const consultation = consultationResources(
    {
      reason: 'Fièvre depuis trois jours, céphalées',
      temperature: 39.2,
      pulse: 110,
      weight: 52,
      notes: 'TDR paludisme positif. Pas de signe de gravité.',
      diagnoses: [{ code: 'B54' }, { code: 'D64.9' }],
      prescriptions: [
        { medicine: 'MEG-AL-20-120', dosage: '4 comprimés matin et soir', durationDays: 3 },
        { medicine: 'MEG-PCM-500', dosage: '1 comprimé 3 fois par jour', durationDays: 3 },
      ],
      procedures: [{ code: 'tdr-palu' }],
      referral: { destination: 'cscom-djeli', reason: 'paludisme-grave', urgency: 'urgent' },
    },
    { patientId: patient.id, siteOrganizationId: 'cscom-konobougou', recordedAt: new Date().toISOString(), newId: () => crypto.randomUUID(), lists },
  );
  const bundle = (writes: unknown[]) =>
    JSON.stringify(buildSyncBundle({ key: crypto.randomUUID(), deviceId: crypto.randomUUID(), recordedAt: new Date().toISOString(), sentAt: new Date().toISOString(), writes: writes as never }));
  const alone = bundle(consultation.map((resource) => ({ resource })));
  const withPatient = bundle([patient, ...consultation].map((resource) => ({ resource })));
  out.consultationBytes = { resources: consultation.length, raw: alone.length, gzip: await gzipSize(alone), withNewPatientGzip: await gzipSize(withPatient) };

  db.close();
  await indexedDB.deleteDatabase(name);
  (window as unknown as { results: unknown }).results = out;
  document.getElementById('out')!.textContent = JSON.stringify(out, null, 2);
}

main().catch((e) => {
  (window as unknown as { results: unknown }).results = { error: String(e) };
});
