// The care worker's app end to end, in Debian's Chromium (scripts/install-chromium.sh), against a
// running server and Keycloak (./run.sh by hand; fhir-server's AppEndToEndTest in the build):
//   APP_URL=http://localhost:8080/ node e2e/smoke.mjs
// 0. The sign-in server hangs (every request to the realm held unanswered): "Se connecter" says so
//    in French, within the app, instead of sending the browser to a page that never loads.
// 1. soignant.konobougou signs in, chooses a PIN, goes offline, is refused bad input, registers two
//    patients and records a consultation (diagnosis, prescription, referral to CSCOM Djéli);
//    reloads offline, unlocks with the PIN, finds the patient by a variant spelling; IndexedDB holds
//    no clear name, phone or village; online, syncs; the FHIR API has each resource once, with the
//    batch Provenance.
// 2. A consultation whose response is lost after the server committed it is retried: nothing doubled.
// 3. soignant.djeli, on another phone, sees the referred patient and not the other Konobougou one.
// 4. major.konobougou and soignant.konobougou change the same patient offline; the second to sync
//    gets a conflict and merges it in the app, field by field; the server keeps both changes.
// 5. A new version of the app installs while a change waits offline: nothing lost, the outbox sends.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { APP_URL, OUTPUT, PIN, check, dumpIndexedDb, fhirApi, openDevice, openPatient, step, syncNow, timings } from './support.mjs';

const suffix = Date.now().toString(36).slice(-4);
const family = 'Coulibaly';
const given = `Smoke${suffix}`;
const name = `COULIBALY ${given}`;
const phone = `76${String(Date.now()).slice(-6)}`;
const village = `Sirakoro${suffix}`;
const other = { family: 'Diarra', given: `Autre${suffix}`, phone: `66${String(Date.now()).slice(-6)}`, village: `Tienfala${suffix}` };

const OVERRIDE_DIR = process.env.E2E_APP_OVERRIDE_DIR;
const cleanups = [];
const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', headless: true });
const devices = [];
let failed = false;
try {
  await step('the sign-in server hangs: signing in says so in French and stays in the app', async () => {
    // No service worker: the page's own requests are the ones held.
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'fr-FR', serviceWorkers: 'block' });
    try {
      await context.route('**/realms/**', () => undefined); // held, never answered, as a hung Keycloak holds them
      const page = await context.newPage();
      await page.goto(APP_URL);
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.getByRole('alert').filter({ hasText: 'Le serveur de connexion ne répond pas' }).waitFor({ timeout: 30000 });
      check(new URL(page.url()).origin === new URL(APP_URL).origin, `still in the app, at ${page.url()}`);
    } finally {
      await context.close();
    }
  });
  const a = await step('soignant.konobougou signs in (code + PKCE), chooses a PIN, first sync', () => openDevice(browser, 'soignant.konobougou'));
  devices.push(a);
  const page = a.page;
  await page.getByTestId('offline-readiness').filter({ hasText: /^Prêt hors ligne/ }).waitFor({ timeout: 30000 });

  await a.context.setOffline(true);
  await step('offline: bad input in the registration form is refused next to the field, nothing saved', async () => {
    await page.getByRole('button', { name: 'Nouveau patient' }).click();
    await page.getByLabel(/Téléphone/).fill('12');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Ce champ est obligatoire.').first().waitFor();
    await page.getByText('Numéro à 8 chiffres attendu (ex. 76 12 34 56).').waitFor();
    await page.getByTestId('sync-pending').filter({ hasText: 'Aucune consultation en attente' }).waitFor();
    await page.getByRole('button', { name: 'Retour' }).click();
  });
  const register = async (p) => {
    await page.getByRole('button', { name: 'Nouveau patient' }).click();
    await page.getByLabel('Nom', { exact: true }).fill(p.family);
    await page.getByLabel('Prénom').fill(p.given);
    await page.getByLabel('Sexe').selectOption('female');
    await page.getByLabel('Année de naissance').fill('1992');
    await page.getByLabel(/Téléphone/).fill(p.phone);
    await page.getByLabel(/Village/).fill(p.village);
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('heading', { name: `${p.family.toUpperCase()} ${p.given}` }).waitFor();
    await page.getByTestId('flash').filter({ hasText: 'Enregistré sur le téléphone.' }).waitFor();
  };
  await step('offline: register two patients', async () => {
    await register(other);
    await page.getByRole('button', { name: 'Patients', exact: true }).click();
    await register({ family, given, phone, village });
  });
  await step('offline: record a consultation with a diagnosis, a prescription and a referral to CSCOM Djéli', async () => {
    await page.getByRole('button', { name: 'Nouvelle consultation' }).click();
    await page.getByLabel('Motif', { exact: true }).fill('Fièvre depuis trois jours');
    await page.getByLabel(/Pouls/).fill('110');
    await page.getByLabel('Poids (kg)').fill('52');
    // Bad input first: a clear French message next to the field, nothing saved.
    await page.getByLabel('Température (°C)').fill('52');
    await page.getByRole('button', { name: 'Enregistrer la consultation' }).click();
    await page.getByText('Température entre 30 et 45 °C.').waitFor();
    await page.getByTestId('sync-pending').filter({ hasText: '2 enregistrements en attente d’envoi' }).waitFor();
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
    await page.screenshot({ path: `${OUTPUT}/consultation-form.png`, fullPage: true });
    await page.getByRole('button', { name: 'Enregistrer la consultation' }).click();
    await page.getByText('Paludisme simple, non confirmé (sans précision)').waitFor();
    await page.getByTestId('flash').filter({ hasText: 'Enregistré sur le téléphone.' }).waitFor();
    await page.getByTestId('sync-pending').filter({ hasText: '3 enregistrements en attente d’envoi' }).waitFor();
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
    await page.getByRole('button', { name: new RegExp(name) }).waitFor();
  });
  await step('IndexedDB holds no clear name, phone or village', async () => {
    const dump = await dumpIndexedDb(page);
    for (const secret of [family, given, phone, village, 'kulibali', other.family, other.given, other.phone, other.village]) {
      check(!dump.includes(secret.toLowerCase()), `IndexedDB holds "${secret}" in clear`);
    }
  });
  await a.context.setOffline(false);
  await step('online: sync, the outbox empties', () => syncNow(page));

  const konobougou = await fhirApi(browser, 'soignant.konobougou');
  const ids = {};
  await step('through the FHIR API: each patient once, her encounter, vital signs, diagnosis, prescription, referral and the batch Provenance', async () => {
    const found = await konobougou.get(`Patient?given=${given}`);
    check(found.total === 1, `expected one patient ${given}, found ${found.total}`);
    ids.patient = found.entry[0].resource.id;
    const others = await konobougou.get(`Patient?given=${other.given}`);
    check(others.total === 1, `expected one patient ${other.given}, found ${others.total}`);
    ids.other = others.entry[0].resource.id;
    const expected = { Encounter: 1, Observation: 3, Condition: 1, MedicationRequest: 1, ServiceRequest: 1 };
    for (const [type, n] of Object.entries(expected)) {
      const b = await konobougou.get(`${type}?subject=Patient/${ids.patient}`);
      check(b.total === n, `${type}: expected ${n}, found ${b.total}`);
    }
    const referral = (await konobougou.get(`ServiceRequest?subject=Patient/${ids.patient}`)).entry[0].resource;
    check(referral.performer?.[0]?.reference === 'Organization/cscom-djeli', `referral performer ${JSON.stringify(referral.performer)}`);
    const provenance = await konobougou.get(`Provenance?target=Patient/${ids.patient}`);
    check(provenance.total === 1, `expected the registration's Provenance for Patient/${ids.patient}, found ${provenance.total}`);
  });

  await step('a consultation whose response is lost after the server committed it is retried, nothing doubled', async () => {
    await openPatient(page, given, name);
    await page.getByRole('button', { name: 'Nouvelle consultation' }).click();
    await page.getByLabel('Motif', { exact: true }).fill('Contrôle après traitement');
    await page.getByLabel('Température (°C)').fill('37,1');
    await page.getByLabel(/Pouls/).fill('84');
    await page.getByLabel('Poids (kg)').fill('52');
    await page.getByRole('button', { name: 'Enregistrer la consultation' }).click();
    await page.getByTestId('flash').filter({ hasText: 'Enregistré sur le téléphone.' }).waitFor();
    let committed;
    const dropAfterCommit = async (route) => {
      if (route.request().method() !== 'POST' || committed !== undefined) return route.continue();
      const response = await route.fetch(); // the server commits and answers...
      committed = response.status();
      await route.abort('connectionreset'); // ...and the answer never reaches the phone
    };
    const pushUrl = (url) => url.pathname === '/fhir';
    await a.context.route(pushUrl, dropAfterCommit);
    await page.getByRole('button', { name: 'Synchroniser' }).click();
    await page.getByTestId('sync-message').filter({ hasText: /^Le serveur ne répond pas/ }).waitFor({ timeout: 60000 });
    await a.context.unroute(pushUrl, dropAfterCommit);
    check(committed === 200, `the server answered the lost push with ${committed}`);
    await page.waitForTimeout(1500); // the first retry is due after 1 s
    await syncNow(page);
    const encounters = await konobougou.get(`Encounter?subject=Patient/${ids.patient}`);
    check(encounters.total === 2, `expected 2 encounters, found ${encounters.total}`);
    const observations = await konobougou.get(`Observation?subject=Patient/${ids.patient}`);
    check(observations.total === 6, `expected 6 observations, found ${observations.total}`);
    const control = encounters.entry.map((e) => e.resource).find((e) => e.reasonCode?.[0]?.text === 'Contrôle après traitement');
    check(control, 'the retried consultation is on the server');
    check(control.meta.versionId === '1', `the retried encounter is at version ${control.meta.versionId}, not 1`);
    const provenance = await konobougou.get(`Provenance?target=Encounter/${control.id}`);
    check(provenance.total === 1, `expected one Provenance for the retried batch, found ${provenance.total}`);
  });

  const b = await step('soignant.djeli signs in on another phone', () => openDevice(browser, 'soignant.djeli'));
  devices.push(b);
  await step('CSCOM Djéli sees the referred patient, and not the other Konobougou patient', async () => {
    await b.page.getByRole('button', { name: 'Références', exact: true }).click();
    await b.page.getByText(name).first().waitFor();
    await b.page.getByRole('button', { name: 'Patients', exact: true }).click();
    await b.page.getByLabel(/Rechercher/).fill(`kulibali ${given}`);
    await b.page.getByRole('button', { name: new RegExp(name) }).waitFor();
    await b.page.getByLabel(/Rechercher/).fill(other.given);
    await b.page.getByText('Aucun patient trouvé.').waitFor();
    const djeli = await fhirApi(browser, 'soignant.djeli');
    check((await djeli.get(`Patient?given=${other.given}`)).total === 0, 'Djéli finds the other Konobougou patient through the API');
    check((await djeli.get(`Patient/${ids.patient}`)).id === ids.patient, 'Djéli reads the referred patient');
  });

  const c = await step('major.konobougou signs in on a third phone', () => openDevice(browser, 'major.konobougou'));
  devices.push(c);
  const newVillage = `Kati${suffix}`;
  const newPhone = `79${String(Date.now()).slice(-6)}`;
  await step('two phones change the same patient offline; the second merges the conflict in the app', async () => {
    await a.context.setOffline(true);
    await c.context.setOffline(true);
    const edit = async (device, field, value) => {
      await openPatient(device.page, given, name);
      await device.page.getByRole('button', { name: 'Modifier' }).click();
      await device.page.getByRole('heading', { name: 'Modifier le patient' }).waitFor();
      await device.page.getByLabel(field).fill(value);
      await device.page.getByRole('button', { name: 'Enregistrer' }).click();
      await device.page.getByTestId('flash').filter({ hasText: 'Enregistré sur le téléphone.' }).waitFor();
    };
    await edit(a, /Village/, newVillage);
    await edit(c, /Téléphone/, newPhone);
    await a.context.setOffline(false);
    await syncNow(a.page);
    await c.context.setOffline(false);
    await syncNow(c.page);
    await c.page.getByText('Envois refusés').click();
    await c.page.getByRole('button', { name: 'Résoudre le conflit' }).click();
    await c.page.getByRole('heading', { name: 'Conflit à résoudre' }).waitFor({ timeout: 30000 });
    await c.page.getByLabel('Fusionner champ par champ').check();
    await c.page.locator('input[id$="-telecom-mine"]').check();
    await c.page.locator('input[id$="-address-theirs"]').check();
    await c.page.screenshot({ path: `${OUTPUT}/conflict.png`, fullPage: true });
    await c.page.getByRole('button', { name: 'Valider et renvoyer' }).click();
    await c.page.getByTestId('flash').filter({ hasText: 'Conflit résolu' }).waitFor();
    await syncNow(c.page);
    const patient = await konobougou.get(`Patient/${ids.patient}`);
    check(patient.meta.versionId === '3', `expected version 3 after both changes, found ${patient.meta.versionId}`);
    check(patient.address?.[0]?.city === newVillage, `village ${JSON.stringify(patient.address)}`);
    check(patient.telecom?.[0]?.value === `+223${newPhone}`, `phone ${JSON.stringify(patient.telecom)}`);
    // The first phone gets the merged record with its next sync.
    await syncNow(a.page);
    await openPatient(a.page, given, name);
    await a.page.getByText(`+223${newPhone}`).first().waitFor();
  });

  if (!OVERRIDE_DIR) console.log('- a new version of the app installs ... not run: E2E_APP_OVERRIDE_DIR is not set (AppEndToEndTest sets it)');
  else await step('a new version of the app installs while a change waits offline: nothing lost, the outbox still sends', async () => {
    // The next build: the server now serves a different service worker script (a file in the
    // directory the test server serves before the built app; Playwright cannot route the
    // browser's own service worker update check).
    const swFile = join(OVERRIDE_DIR, 'sw.js');
    writeFileSync(swFile, `${await (await fetch(new URL('/sw.js', APP_URL))).text()}\n// next build ${suffix}\n`);
    cleanups.push(() => rmSync(swFile, { force: true }));
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    await page.getByText('Une nouvelle version est prête.').waitFor({ timeout: 60000 });
    // Offline now (back online the app would sync at once): a change waits in the outbox.
    await a.context.setOffline(true);
    await openPatient(page, given, name);
    await page.getByRole('button', { name: 'Modifier' }).click();
    await page.getByLabel(/Village/).fill(`Ségou${suffix}`);
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByTestId('flash').filter({ hasText: 'Enregistré sur le téléphone.' }).waitFor();
    await page.getByTestId('sync-pending').filter({ hasText: '1 enregistrement en attente d’envoi' }).waitFor();
    await page.getByRole('button', { name: 'Mettre à jour' }).click();
    await page.getByRole('heading', { name: 'Déverrouiller' }).waitFor({ timeout: 30000 });
    await page.getByLabel('Code PIN').fill(PIN);
    await page.getByRole('button', { name: 'Déverrouiller' }).click();
    await page.getByRole('heading', { name: 'Patients' }).waitFor();
    await page.getByTestId('sync-pending').filter({ hasText: '1 enregistrement en attente d’envoi' }).waitFor();
    check(!(await page.getByText('Une nouvelle version est prête.').isVisible()), 'the new version is still offered after the update');
    await a.context.setOffline(false);
    await syncNow(page);
    const patient = await konobougou.get(`Patient/${ids.patient}`);
    check(patient.address?.[0]?.city === `Ségou${suffix}`, `village after the update ${JSON.stringify(patient.address)}`);
  });

  const csp = devices.flatMap((d) => d.cspErrors);
  check(csp.length === 0, `CSP violations: ${csp.join(' | ')}`);
  await page.screenshot({ path: `${OUTPUT}/last-smoke.png`, fullPage: true });
} catch (e) {
  failed = true;
  console.error(`\nFAILED: ${e instanceof Error ? e.stack : e}`);
  for (const [i, d] of devices.entries()) await d.page.screenshot({ path: `${OUTPUT}/failure-${i}-${d.user}.png`, fullPage: true }).catch(() => undefined);
} finally {
  for (const c of cleanups) c();
  await browser.close();
}
console.log(JSON.stringify(timings));
console.log(failed ? '0 passed, 1 failed' : '1 passed, 0 failed');
process.exit(failed ? 1 : 0);
