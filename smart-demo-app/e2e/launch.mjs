// A SMART standalone launch of the sample app in headless Chromium (Debian's, through
// playwright-core), driven end to end: discovery, Keycloak login with PKCE, the patient picker,
// the token, then the app's reads. Prints one JSON line with what it saw; the FHIR server's
// SmartLaunchTest starts this script and checks it. Environment: SMART_ISS, SMART_USER,
// SMART_PASSWORD, SMART_PATIENT_QUERY, SMART_PATIENT_ID, SMART_OTHER_PATIENT_ID, CHROMIUM.
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const result = { steps: [] };
const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  page.on('response', async (response) => {
    if (response.request().method() === 'POST' && response.url().endsWith('/protocol/openid-connect/token')) {
      try {
        const body = await response.json();
        result.tokenResponse = { status: response.status(), patient: body.patient, fhirUser: body.fhirUser, scope: body.scope, error: body.error };
      } catch (e) {
        result.tokenResponse = { status: response.status() };
      }
    }
  });
  await page.goto(`http://localhost:4000/?iss=${encodeURIComponent(env('SMART_ISS'))}`);
  await page.waitForSelector('#username', { timeout: 60000 });
  result.steps.push('login-page');
  result.authorizeUrl = page.url();
  await page.fill('#username', env('SMART_USER'));
  await page.fill('#password', env('SMART_PASSWORD'));
  await page.click('#kc-login');
  await page.waitForSelector('#q', { timeout: 60000 });
  result.steps.push('patient-picker');
  await page.fill('#q', env('SMART_PATIENT_QUERY'));
  await page.click('#search');
  await page.waitForSelector('button[data-patient-id]', { timeout: 60000 });
  result.listed = await page.$$eval('button[data-patient-id]', (buttons) => buttons.map((b) => b.dataset.patientId));
  await page.click(`button[data-patient-id="${env('SMART_PATIENT_ID')}"]`);
  await page.waitForFunction(() => window.smartDemo && (window.smartDemo.points || window.smartDemo.error), null, { timeout: 60000 });
  result.steps.push('app');
  result.app = await page.evaluate(async (other) => {
    const client = window.smartDemo.client;
    const out = { patient: client && client.patient.id, points: window.smartDemo.points, error: window.smartDemo.error };
    try {
      await client.request(`Patient/${other}`);
      out.otherPatientStatus = 200;
    } catch (e) {
      out.otherPatientStatus = e.statusCode || e.status || String(e);
    }
    return out;
  }, env('SMART_OTHER_PATIENT_ID'));
  result.chartPoints = await page.locator('#chart circle').count();
  result.heading = await page.textContent('#patient');
  result.user = await page.textContent('#user');
} catch (e) {
  result.failure = String(e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
