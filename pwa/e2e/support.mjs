// Shared steps of the browser tests (playwright-core driving Debian's Chromium).
import { createHash, randomBytes } from 'node:crypto';

export const APP_URL = process.env.APP_URL ?? 'http://localhost:8080/';
export const PASSWORD = process.env.SMOKE_PASSWORD ?? 'Demo-2026!';
export const PIN = '246810';
export const OUTPUT = process.env.E2E_OUTPUT ?? 'e2e';

export const timings = {};

/** Runs one named step, printing it and its duration. */
export async function step(name, fn) {
  const t0 = performance.now();
  process.stdout.write(`- ${name} ... `);
  const r = await fn();
  timings[name] = Math.round(performance.now() - t0);
  console.log(`ok (${timings[name]} ms)`);
  return r;
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * A phone: its own browser context (storage, service worker), signed in at Keycloak as `user`
 * (code + PKCE), a PIN chosen, a first sync done. Content-Security-Policy violations are kept.
 */
export async function openDevice(browser, user) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'fr-FR' });
  const page = await context.newPage();
  const cspErrors = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspErrors.push(`${user}: ${m.text()}`);
  });
  await page.goto(APP_URL);
  await page.getByRole('heading', { name: 'Connexion' }).waitFor();
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#kc-login').click();
  await page.getByRole('heading', { name: 'Choisissez votre code PIN' }).waitFor({ timeout: 30000 });
  await page.getByLabel('Code PIN', { exact: true }).fill(PIN);
  await page.getByLabel('Confirmez le code PIN').fill(PIN);
  await page.getByRole('button', { name: 'Valider le code PIN' }).click();
  await page.getByRole('heading', { name: 'Patients' }).waitFor({ timeout: 30000 });
  // The service worker takes control (the app shell works offline from now on).
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 30000 }).catch(() => undefined);
  await syncNow(page);
  return { context, page, cspErrors, user };
}

/** "Synchroniser", then wait until the server has answered ("Synchronisé") and nothing waits. */
export async function syncNow(page) {
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await page.getByTestId('sync-message').filter({ hasText: /^Synchronisé$/ }).waitFor({ timeout: 120000 });
  await page.getByTestId('sync-pending').filter({ hasText: 'Aucune consultation en attente' }).waitFor();
}

/** From the patient list, searches `query` and opens the patient whose name is `name`. */
export async function openPatient(page, query, name) {
  await page.getByRole('button', { name: 'Patients', exact: true }).click();
  await page.getByLabel(/Rechercher/).fill(query);
  await page.getByRole('button', { name: new RegExp(name) }).click();
  await page.getByRole('heading', { name }).waitFor();
}

/** Every byte the app's IndexedDB holds, as lower-case text (what a thief with the phone reads). */
export async function dumpIndexedDb(page) {
  return page.evaluate(async () => {
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
    db.close();
    return out.join('\n').toLowerCase();
  });
}

/**
 * The FHIR API as `user` sees it: an access token by authorization code + PKCE in a fresh
 * context (service workers blocked, so the app's worker never answers the redirect back), then
 * plain fetches. `get(path)` answers the parsed body and throws on any status but 200.
 */
export async function fhirApi(browser, user) {
  const config = await (await fetch(new URL('/app-config.json', APP_URL))).json();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirect = new URL('/e2e-callback', APP_URL).toString();
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const params = new URLSearchParams({ client_id: config.clientId, response_type: 'code', scope: 'openid', redirect_uri: redirect, code_challenge: challenge, code_challenge_method: 'S256', state: 'e2e' });
  await page.goto(`${config.issuer}/protocol/openid-connect/auth?${params}`);
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(PASSWORD);
  // The redirect back lands on the app's origin (whatever it serves there); the code is in its URL.
  await Promise.all([page.waitForURL(`${redirect}**`, { timeout: 30000, waitUntil: 'commit' }), page.locator('#kc-login').click()]);
  const landed = page.url();
  const code = new URL(landed).searchParams.get('code');
  await context.close();
  check(code, `no authorization code (redirected to ${landed})`);
  const r = await fetch(`${config.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: config.clientId, code, code_verifier: verifier, redirect_uri: redirect }),
  });
  check(r.ok, `token: ${r.status} ${await r.clone().text()}`);
  const token = (await r.json()).access_token;
  return {
    async get(path) {
      const res = await fetch(new URL(`/fhir/${path}`, APP_URL), { headers: { Authorization: `Bearer ${token}`, Accept: 'application/fhir+json' } });
      check(res.ok, `GET ${path} as ${user}: ${res.status} ${await res.clone().text()}`);
      return res.json();
    },
  };
}
