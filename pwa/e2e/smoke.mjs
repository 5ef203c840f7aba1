// Browser smoke test of the built app against a running server and Keycloak (./run.sh):
// sign in as a demo care worker, choose a PIN, sync, go offline, register a patient and record a
// consultation with a diagnosis, a prescription and a referral, reload offline, unlock with the
// PIN, find the patient by a variant spelling, check IndexedDB holds no clear text, go online,
// sync, and check the outbox is empty. Debian's Chromium (scripts/install-chromium.sh).
//   APP_URL=http://localhost:8080/ node e2e/smoke.mjs
import { createHash, randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';

const APP_URL = process.env.APP_URL ?? 'http://localhost:8080/';
const USER = process.env.SMOKE_USER ?? 'soignant.konobougou';
const PASSWORD = process.env.SMOKE_PASSWORD ?? 'Demo-2026!';
const PIN = '246810';
const suffix = Date.now().toString(36).slice(-4);
const family = `Coulibaly`;
const given = `Smoke${suffix}`;
const phone = `76${String(Date.now()).slice(-6)}`;
const village = `Sirakoro${suffix}`;

const timings = {};
const step = async (name, fn) => {
  const t0 = performance.now();
  process.stdout.write(`- ${name} ... `);
  const r = await fn();
  timings[name] = Math.round(performance.now() - t0);
  console.log(`ok (${timings[name]} ms)`);
  return r;
};

/** A second authorization code + PKCE login in the same browser (the Keycloak session answers at once), for API checks. */
async function apiToken(context, config) {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirect = 'http://127.0.0.1:9/smoke-callback';
  const page = await context.newPage();
  let code;
  page.on('request', (request) => {
    if (request.url().startsWith(redirect)) code = new URL(request.url()).searchParams.get('code');
  });
  const params = new URLSearchParams({ client_id: config.clientId, response_type: 'code', scope: 'openid', redirect_uri: redirect, code_challenge: challenge, code_challenge_method: 'S256', state: 'smoke' });
  // Nothing listens at the redirect URI: the navigation fails once the code is in its URL.
  await page.goto(`${config.issuer}/protocol/openid-connect/auth?${params}`).catch(() => undefined);
  if (!code && (await page.locator('#username').count()) > 0) {
    // No single sign-on across clients' sessions here: log in again.
    await page.locator('#username').fill(USER);
    await page.locator('#password').fill(PASSWORD);
    await Promise.all([page.waitForEvent('requestfailed', { timeout: 30000 }).catch(() => undefined), page.locator('#kc-login').click()]);
  }
  const landed = page.url();
  await page.close();
  if (!code) throw new Error(`no authorization code (page at ${landed})`);
  const r = await fetch(`${config.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: config.clientId, code, code_verifier: verifier, redirect_uri: redirect }),
  });
  if (!r.ok) throw new Error(`token: ${r.status}`);
  return (await r.json()).access_token;
}

const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', headless: true });
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'fr-FR' });
  const page = await context.newPage();
  const cspErrors = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });

  await step('open the app: sign-in screen', async () => {
    await page.goto(APP_URL);
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
  });
  await step('sign in at Keycloak (code + PKCE)', async () => {
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.locator('#username').fill(USER);
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#kc-login').click();
    await page.getByRole('heading', { name: 'Choisissez votre code PIN' }).waitFor({ timeout: 30000 });
  });
  await step('choose a PIN', async () => {
    await page.getByLabel('Code PIN', { exact: true }).fill(PIN);
    await page.getByLabel('Confirmez le code PIN').fill(PIN);
    await page.getByRole('button', { name: 'Valider le code PIN' }).click();
    await page.getByRole('heading', { name: 'Patients' }).waitFor({ timeout: 30000 });
  });
  await step('first sync (sites catalogue and the site’s records)', async () => {
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 30000 }).catch(() => undefined);
    await page.getByRole('button', { name: 'Synchroniser' }).click();
    await page.getByTestId('sync-message').filter({ hasText: /^Synchronisé$/ }).waitFor({ timeout: 120000 });
    // the IG value sets and the sites are on the phone
    await page.getByTestId('offline-readiness').filter({ hasText: /^Prêt hors ligne/ }).waitFor({ timeout: 30000 });
  });

  await context.setOffline(true);
  await step('offline: register a patient', async () => {
    await page.getByRole('button', { name: 'Nouveau patient' }).click();
    await page.getByLabel('Nom', { exact: true }).fill(family);
    await page.getByLabel('Prénom').fill(given);
    await page.getByLabel('Sexe').selectOption('female');
    await page.getByLabel('Année de naissance').fill('1992');
    await page.getByLabel(/Téléphone/).fill(phone);
    await page.getByLabel(/Village/).fill(village);
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('heading', { name: `COULIBALY ${given}` }).waitFor();
    await page.getByTestId('flash').filter({ hasText: 'Enregistré sur le téléphone.' }).waitFor();
  });
  await step('offline: record a consultation with a diagnosis, a prescription and a referral', async () => {
    await page.getByRole('button', { name: 'Nouvelle consultation' }).click();
    await page.getByLabel('Motif', { exact: true }).fill('Fièvre depuis trois jours');
    await page.getByLabel('Température (°C)').fill('39,2');
    await page.getByLabel(/Pouls/).fill('110');
    await page.getByLabel('Poids (kg)').fill('52');
    // Bad input first: a clear French message next to the field, nothing saved.
    await page.getByLabel('Température (°C)').fill('52');
    await page.getByRole('button', { name: 'Enregistrer la consultation' }).click();
    await page.getByText('Température entre 30 et 45 °C.').waitFor();
    await page.getByLabel('Température (°C)').fill('39,2');
    await page.getByRole('button', { name: 'Ajouter un diagnostic' }).click();
    await page.getByLabel('Diagnostic (CIM-10)').selectOption('B54');
    await page.getByRole('button', { name: 'Ajouter une prescription' }).click();
    await page.getByLabel('Médicament').selectOption('MEG-AL-20-120');
    await page.getByLabel('Posologie').fill('4 comprimés matin et soir');
    await page.getByLabel('Durée (jours)').fill('3');
    await page.getByLabel('Référer le patient').check();
    await page.getByLabel('Référer vers').selectOption('cscom-djeli');
    await page.getByLabel('Motif de la référence').selectOption('paludisme-grave');
    await page.getByLabel('Urgence').selectOption('urgent');
    await page.screenshot({ path: 'e2e/last-consultation.png', fullPage: true });
    await page.getByRole('button', { name: 'Enregistrer la consultation' }).click();
    await page.getByText('Paludisme simple, non confirmé (sans précision)').waitFor();
    await page.getByTestId('flash').filter({ hasText: 'Enregistré sur le téléphone.' }).waitFor();
    await page.getByTestId('sync-pending').filter({ hasText: '2 enregistrements en attente d’envoi' }).waitFor();
  });
  await step('offline: reload, unlock with the PIN, find her as "Kulibali"', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Déverrouiller' }).waitFor();
    const t0 = performance.now();
    await page.getByLabel('Code PIN').fill(PIN);
    await page.getByRole('button', { name: 'Déverrouiller' }).click();
    await page.getByRole('heading', { name: 'Patients' }).waitFor();
    timings['unlock to patient list'] = Math.round(performance.now() - t0);
    await page.getByLabel(/Rechercher/).fill(`kulibali ${given}`);
    await page.getByRole('button', { name: new RegExp(`COULIBALY ${given}`) }).waitFor();
  });
  await step('IndexedDB holds no clear name, phone or village', async () => {
    const dump = await page.evaluate(async () => {
      const open = indexedDB.open('sante-rurale');
      const db = await new Promise((res, rej) => ((open.onsuccess = () => res(open.result)), (open.onerror = rej)));
      const out = [];
      const dec = new TextDecoder();
      const walk = (v) => {
        if (v instanceof ArrayBuffer) out.push(dec.decode(v));
        else if (ArrayBuffer.isView(v)) out.push(dec.decode(v));
        else if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => (out.push(k), walk(x)));
        else out.push(String(v));
      };
      for (const name of db.objectStoreNames) {
        const rows = await new Promise((res, rej) => {
          const r = db.transaction(name).objectStore(name).getAll();
          r.onsuccess = () => res(r.result);
          r.onerror = rej;
        });
        walk(rows);
      }
      return out.join('\n').toLowerCase();
    });
    for (const secret of [family, given, phone, village, 'kulibali']) {
      if (dump.includes(secret.toLowerCase())) throw new Error(`IndexedDB holds "${secret}" in clear`);
    }
  });
  await context.setOffline(false);
  await step('online: sync, the outbox empties', async () => {
    await page.getByRole('button', { name: 'Synchroniser' }).click();
    await page.getByTestId('sync-message').filter({ hasText: /^Synchronisé$/ }).waitFor({ timeout: 120000 });
    await page.getByTestId('sync-pending').filter({ hasText: 'Aucune consultation en attente' }).waitFor();
  });
  await step('through the FHIR API: the patient once, with her encounter, vital signs, diagnosis, prescription, referral and the batch Provenance', async () => {
    const config = await (await fetch(new URL('/app-config.json', APP_URL))).json();
    const token = await apiToken(context, config);
    const api = async (path) => {
      const r = await fetch(new URL(`/fhir/${path}`, APP_URL), { headers: { Authorization: `Bearer ${token}`, Accept: 'application/fhir+json' } });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return r.json();
    };
    const patients = await api(`Patient?given=${given}`);
    if (patients.total !== 1) throw new Error(`expected one patient ${given}, found ${patients.total}`);
    const id = patients.entry[0].resource.id;
    const expected = { Encounter: 1, Observation: 3, Condition: 1, MedicationRequest: 1, ServiceRequest: 1 };
    for (const [type, n] of Object.entries(expected)) {
      const b = await api(`${type}?subject=Patient/${id}`);
      if (b.total !== n) throw new Error(`${type}: expected ${n}, found ${b.total}`);
    }
    const referral = (await api(`ServiceRequest?subject=Patient/${id}`)).entry[0].resource;
    if (referral.performer?.[0]?.reference !== 'Organization/cscom-djeli') throw new Error(`referral performer ${JSON.stringify(referral.performer)}`);
    const provenance = await api(`Provenance?target=Patient/${id}`);
    if (!(provenance.total >= 1)) throw new Error(`no Provenance for Patient/${id}`);
  });
  if (cspErrors.length) throw new Error(`CSP violations: ${cspErrors.join(' | ')}`);
  await page.screenshot({ path: 'e2e/last-smoke.png', fullPage: true });
} catch (e) {
  failed = true;
  console.error(`\nFAILED: ${e instanceof Error ? e.stack : e}`);
} finally {
  await browser.close();
}
console.log(JSON.stringify(timings));
console.log(failed ? '0 passed, 1 failed' : '1 passed, 0 failed');
process.exit(failed ? 1 : 0);
