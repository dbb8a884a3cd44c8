// The advisory benchmark: bundle size, load time and matching time, natively and in Chromium.
//
//  1. The default bundle (everything in ../shared/advisories) as the site ships it.
//  2. A 50,000-record bundle: the real corpus plus copies of its OSV records with renamed ids and
//     package names (so nothing merges), built and signed the same way.
//  3. A Debian 11 image with 1,000 dpkg packages whose source names come from the DSA/DLA lists,
//     at old versions, so most of them have findings: matched against the 50k bundle.
// For each: the native CLI (release) and the page in headless Chromium (the worker's own timing),
// median of RUNS runs. Prints a table; numbers go in docs/benchmarks.md.
// Usage: node tests/bench/bundle-bench.mjs [RUNS]   (after cargo build --release -p tarsier-cli
// and trunk build --release; scripts/bench.sh bundle does both)
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start, openApp, makeTar, DIST, ROOT } from '../e2e/helpers.mjs';

const RUNS = Number(process.argv[2] || 5);
const CLI = path.join(ROOT, 'target/release/tarsier');
const ADVISORIES = path.resolve(ROOT, '../shared/advisories');
const KEY = path.join(ROOT, 'keys/bundle-dev.key');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-bundle-bench-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const run = (args) => execFileSync(CLI, args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });

// 2. The 50k corpus.
const corpus = path.join(tmp, 'corpus');
fs.mkdirSync(corpus);
fs.symlinkSync(ADVISORIES, path.join(corpus, 'real'));
const osvFiles = [];
for (const dir of ['PyPI', 'Go', 'crates.io', 'npm', 'AlmaLinux']) {
  for (const f of fs.readdirSync(path.join(ADVISORIES, dir)).sort()) osvFiles.push(path.join(ADVISORIES, dir, f));
}
const realCount = Number(/(\d+) records, /.exec(run(['bundle', 'build', '--osv', ADVISORIES, '--out', path.join(tmp, 'real.trsb')]))[1]);
let copies = 0;
for (let round = 1; realCount + copies < 50_000; round++) {
  const out = path.join(corpus, `copy${round}`);
  fs.mkdirSync(out);
  for (const f of osvFiles) {
    if (realCount + copies >= 50_000) break;
    const r = JSON.parse(fs.readFileSync(f, 'utf8'));
    if (r.withdrawn) continue;
    r.id = `${r.id}-c${round}`;
    r.aliases = (r.aliases || []).map((a) => `${a}-c${round}`);
    for (const a of r.affected || []) a.package.name = `${a.package.name}-c${round}`;
    fs.writeFileSync(path.join(out, `${copies}.json`), JSON.stringify(r));
    copies++;
  }
}
// The real corpus alone has more than 50,000 records since osv.dev's Debian and Alpine exports
// joined it; the synthetic bundle is only built while it has fewer.
const big = path.join(tmp, 'big.trsb');
const built = copies > 0 ? run(['bundle', 'build', '--osv', corpus, '--out', big, '--sign', KEY]) : '';
const bigRecords = copies > 0 ? Number(/(\d+) records, /.exec(built)[1]) : 0;

// 3. The 1,000-package image.
const sources = new Map();
for (const list of ['DSA/list', 'DLA/list']) {
  const text = fs.readFileSync(path.join(ADVISORIES, 'debian-security-tracker', list), 'utf8');
  for (const m of text.matchAll(/^\t\[bullseye\] - (\S+) (\d\S*)$/gm)) sources.set(m[1], m[2]);
}
const names = [...sources.keys()].sort().slice(0, 1000);
while (names.length < 1000) names.push(`nothing-known-${names.length}`);
const status = names
  .map((src, i) => `Package: bin-${i}-${src}\nStatus: install ok installed\nArchitecture: amd64\nSource: ${src}\nVersion: 0.1-1\n\n`)
  .join('');
const layer = makeTar([
  { name: 'etc/os-release', data: 'ID=debian\nVERSION_ID="11"\nPRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\n' },
  { name: 'var/lib/dpkg/status', data: status },
]);
const image = path.join(tmp, 'debian-1000.tar');
fs.writeFileSync(
  image,
  makeTar([
    { name: 'l0/layer.tar', data: layer },
    { name: 'c.json', data: JSON.stringify({ os: 'linux', architecture: 'amd64', history: [{ created_by: 'bench' }] }) },
    { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['bench:1000'], Layers: ['l0/layer.tar'] }]) },
  ]),
);

// Native: load (read + hashes + signature + decode + check) and match, from --timings.
function nativeOnce(bundle) {
  const p = spawnSync(CLI, ['scan', image, '--bundle', bundle, '--timings', '--format', 'json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const m = /loaded in ([\d.]+) ms .*?(\d+) packages matched in ([\d.]+) ms \((\d+) findings\)/.exec(p.stderr);
  if (!m) throw new Error(`no timings in: ${p.stderr}`);
  return { load: Number(m[1]), packages: Number(m[2]), match: Number(m[3]), findings: Number(m[4]) };
}
function native(bundle) {
  const runs = Array.from({ length: RUNS }, () => nativeOnce(bundle));
  if (runs[0].packages !== 1000) throw new Error(`the image has ${runs[0].packages} packages, not 1,000`);
  return { load: median(runs.map((r) => r.load)), match: median(runs.map((r) => r.match)), findings: runs[0].findings };
}

// Browser: a copy of the site serving `bundle`; the worker reports its load time, the page the
// match time of the scan.
async function browser(bundle) {
  const dist = path.join(tmp, `dist-${path.basename(bundle)}`);
  fs.cpSync(DIST, dist, { recursive: true });
  fs.copyFileSync(bundle, path.join(dist, 'advisories.trsb'));
  const env = await start({ dist });
  const load = [];
  const match = [];
  const warm = [];
  let findings = 0;
  try {
    for (let i = 0; i < RUNS; i++) {
      const { page, context } = await openApp(env);
      const info = await page.waitForSelector('[data-testid=bundle-info]', { timeout: 120_000 });
      load.push(Number(await info.getAttribute('data-load-ms')));
      // The first scan of a page runs freshly compiled (baseline) WebAssembly; a second scan of
      // the same page shows the optimised code's time.
      for (const into of [match, warm]) {
        await page.setInputFiles('#file-input', image);
        await page.waitForSelector('[data-testid=findings]', { timeout: 120_000 });
        into.push(Number(await page.getAttribute('[data-testid=match-ms]', 'data-ms')));
        findings = Number(await page.textContent('[data-testid=finding-count]'));
        await page.evaluate(() => document.querySelector('[data-testid=findings]')?.remove());
      }
      await context.close();
    }
  } finally {
    await env.close();
  }
  return { load: median(load), match: median(match), warm: median(warm), findings };
}

const rows = [];
for (const [name, bundle, records] of [
  ['default (shared/advisories)', path.join(DIST, 'advisories.trsb'), realCount],
  ...(copies > 0 ? [['50k records', big, bigRecords]] : []),
]) {
  const size = fs.statSync(bundle).size;
  const n = native(bundle);
  const b = await browser(bundle);
  rows.push({ name, records, size, n, b });
}
console.log(`runs: ${RUNS} (median); image: 1,000 Debian 11 packages`);
console.log('bundle                        records   size_MB  native_load_ms  browser_load_ms  native_match_ms  browser_match_ms(first/warm)  findings');
for (const { name, records, size, n, b } of rows) {
  console.log(
    `${name.padEnd(29)} ${String(records).padStart(7)} ${(size / 1e6).toFixed(2).padStart(9)} ${n.load.toFixed(1).padStart(15)} ${b.load
      .toFixed(1)
      .padStart(16)} ${n.match.toFixed(2).padStart(16)} ${`${b.match.toFixed(1)} / ${b.warm.toFixed(1)}`.padStart(29)} ${String(n.findings).padStart(9)}`,
  );
}
if (built) console.log(built.split('\n')[0]);
fs.rmSync(tmp, { recursive: true, force: true });
