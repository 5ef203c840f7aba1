// Prints Lighthouse figures for the app as the server serves it (never a timed test): mobile form
// factor, simulated slow 4G and 4x CPU (Lighthouse's default mobile throttling), Debian's Chromium.
// Lighthouse 12.x (13 wants Node 22) comes from npm through npx, pinned here.
//   APP_URL=http://localhost:8080/ node bench/lighthouse.mjs [runs=3]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LIGHTHOUSE = 'lighthouse@12.8.2';
const url = process.env.APP_URL ?? 'http://localhost:8080/';
const runs = Number(process.argv[2] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'srm-lighthouse-'));
const rows = [];
for (let i = 0; i < runs; i++) {
  const out = join(dir, `run-${i}.json`);
  execFileSync('npx', ['--yes', LIGHTHOUSE, url, '--quiet', '--form-factor=mobile', '--throttling-method=simulate', '--only-categories=performance', '--chrome-flags=--headless=new --no-sandbox', '--output=json', `--output-path=${out}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, CHROME_PATH: process.env.CHROME_PATH ?? '/usr/bin/chromium' },
  });
  const r = JSON.parse(readFileSync(out, 'utf8'));
  const ms = (id) => Math.round(r.audits[id].numericValue);
  const scripts = r.audits['resource-summary'].details.items.find((x) => x.resourceType === 'script');
  rows.push({
    performance: r.categories.performance.score,
    interactiveMs: ms('interactive'),
    firstContentfulPaintMs: ms('first-contentful-paint'),
    largestContentfulPaintMs: ms('largest-contentful-paint'),
    totalBlockingTimeMs: ms('total-blocking-time'),
    scriptTransferBytes: scripts?.transferSize,
  });
  console.log(JSON.stringify({ run: i + 1, lighthouse: r.lighthouseVersion, ...rows.at(-1) }));
}
const median = (k) => rows.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
console.log(JSON.stringify({ median: Object.fromEntries(Object.keys(rows[0]).map((k) => [k, median(k)])), targets: { performance: '>= 0.90', interactiveMs: '< 3000' } }));
