// Prints the app's figures (never a timed test): initial JavaScript gzip of the built app
// (run `npm run build` first), and, in Debian's Chromium with a 4x CPU slowdown, unlock to
// patient list, search over N encrypted patients, and a consultation's gzip size on the wire.
//   node bench/run.mjs [patients=5000] [cpuSlowdown=4]
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const patients = Number(process.argv[2] ?? 5000);
const slowdown = Number(process.argv[3] ?? 4);

// Initial JavaScript: the scripts index.html loads (not the service worker, which installs after).
const dist = join(root, 'dist');
const index = readFileSync(join(dist, 'index.html'), 'utf8');
const scripts = [...index.matchAll(/<script[^>]*src="\/([^"]+)"/g)].map((m) => m[1]);
const js = scripts.map((s) => ({ file: s, raw: readFileSync(join(dist, s)).length, gzip: gzipSync(readFileSync(join(dist, s)), { level: 9 }).length }));
const css = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.css')).map((f) => gzipSync(readFileSync(join(dist, 'assets', f))).length);
console.log(JSON.stringify({ initialJs: js, initialJsGzipTotal: js.reduce((a, b) => a + b.gzip, 0), cssGzip: css }));

const server = await createServer({ root, configFile: join(root, 'vite.config.ts'), server: { port: 5179, strictPort: false }, logLevel: 'error' });
await server.listen();
const url = `http://localhost:${server.config.server.port}/bench/index.html?patients=${patients}`;
const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', headless: true });
try {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: slowdown });
  await page.goto(url);
  await page.waitForFunction(() => window.results, null, { timeout: 600000, polling: 500 });
  const results = await page.evaluate(() => window.results);
  console.log(JSON.stringify({ cpuSlowdown: slowdown, chromium: browser.version(), ...results }));
} finally {
  await browser.close();
  await server.close();
}
