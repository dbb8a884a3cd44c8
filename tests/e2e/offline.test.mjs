// Share links, report files, offline use, bundle updates, sub-path hosting, and privacy:
// - a link made by the page reopens elsewhere (offline too) and is re-matched against that
//   browser's bundle, saying what changed since it was shared;
// - hostile links give a clear message and run no script;
// - the service worker lets a second visit load and scan with the network off;
// - a newer published bundle replaces the saved one only once verified; stale bundles get a note;
// - the site works under a path prefix;
// - no request leaves the origin, and the app runs under its CSP without a violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { start, makeTar, ARTIFACTS, DIST, ROOT } from './helpers.mjs';

const CLI = path.join(ROOT, 'target/debug/tarsier');
const BUNDLE = path.join(DIST, 'advisories.trsb');
const KEY = path.join(ROOT, 'keys/bundle-dev.key');

let env;
let tmp;
before(async () => {
  for (const f of [CLI, BUNDLE, KEY, path.join(DIST, 'sw.js')]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run the Rust tests and trunk build first`);
  }
  env = await start();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-offline-'));
});
after(async () => {
  await env?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A context whose pages record errors, CSP violations, dialogs and every request. */
async function openContext(e = env, options = {}) {
  const context = await e.browser.newContext(options);
  const log = { errors: [], csp: [], dialogs: [], requests: [] };
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (ev) => window.__csp.push(`${ev.violatedDirective} ${ev.blockedURI}`));
  });
  context.on('request', (r) => log.requests.push(r.url()));
  context.on('page', (page) => {
    page.on('pageerror', (err) => log.errors.push(`pageerror: ${err.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') log.errors.push(`console: ${m.text()}`);
    });
    page.on('dialog', (d) => {
      log.dialogs.push(d.message());
      d.dismiss();
    });
  });
  return { context, log };
}

async function ready(page, url) {
  await page.goto(url);
  await page.waitForSelector('[data-testid=bundle-info]', { timeout: 30_000 });
}

/** Waits until the service worker controls the page (the first visit has cached everything). */
async function controlled(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    }
  });
}

/** Debian 11 with a vulnerable openssl and requests 2.25.0. */
function vulnerableImage(name = 'shared:1', extraStatus = '') {
  const layer = makeTar([
    { name: 'etc/os-release', data: 'ID=debian\nVERSION_ID="11"\nPRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\n' },
    {
      name: 'var/lib/dpkg/status',
      data: `Package: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.1.1n-0+deb11u3\n\n${extraStatus}`,
    },
    {
      name: 'usr/lib/python3/dist-packages/requests-2.25.0.dist-info/METADATA',
      data: 'Metadata-Version: 2.1\nName: requests\nVersion: 2.25.0\n',
    },
  ]);
  const file = path.join(tmp, `${name.replace(/[^a-z0-9]/gi, '_')}.tar`);
  fs.writeFileSync(
    file,
    makeTar([
      { name: 'l0/layer.tar', data: layer },
      { name: 'c.json', data: JSON.stringify({ os: 'linux', architecture: 'amd64' }) },
      { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: [name], Layers: ['l0/layer.tar'] }]) },
    ]),
  );
  return file;
}

/** A signed bundle of one made-up PyPI advisory for requests < 2.31, built at `built`. */
function smallBundle(name, built, id = 'TARSIER-TEST-0001') {
  const dir = path.join(tmp, `${name}-osv`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, `${id}.json`),
    JSON.stringify({
      schema_version: '1.6.0',
      id,
      modified: built,
      summary: 'A made-up advisory for the tests',
      affected: [{ package: { ecosystem: 'PyPI', name: 'requests' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.31.0' }] }] }],
    }),
  );
  const out = path.join(tmp, `${name}.trsb`);
  execFileSync(CLI, ['bundle', 'build', '--osv', dir, '--out', out, '--built', built, '--sign', KEY], { stdio: 'pipe' });
  return out;
}

const nativeIds = (file, bundle = BUNDLE) => {
  const r = JSON.parse(execFileSync(CLI, ['scan', file, '--bundle', bundle, '--format', 'json'], { maxBuffer: 64 << 20 }));
  return [...new Set(r.findings.filter((f) => !f.not_applicable).map((f) => f.id))].sort();
};

test('a link made on the page reopens in another browser, offline, with the same findings', async () => {
  const file = vulnerableImage();
  const ids = nativeIds(file);
  assert.ok(ids.length >= 3, ids.join());
  const a = await openContext();
  const page = await a.context.newPage();
  await ready(page, env.url);
  await page.setInputFiles('#file-input', file);
  await page.waitForSelector('[data-testid=summary]', { timeout: 30_000 });
  await page.click('[data-testid=share]');
  const link = await page.inputValue('[data-testid=share-link]');
  assert.ok(link.startsWith(`${env.url}#r1.`), link);
  console.log(`share link for ${file}: ${link.length} characters`);
  await a.context.close();

  // Another "machine": a fresh context visits the site once, then opens the link offline.
  const b = await openContext();
  const first = await b.context.newPage();
  await ready(first, env.url);
  await controlled(first);
  await b.context.setOffline(true);
  const other = await b.context.newPage();
  await other.goto(link);
  const note = await other.waitForSelector('[data-testid=reopened]', { timeout: 30_000 });
  assert.equal(await note.getAttribute('data-source'), 'link');
  assert.equal(await note.getAttribute('data-new'), '0');
  assert.equal(await note.getAttribute('data-gone'), '0');
  assert.equal(await other.innerText('[data-testid=image-name]'), 'shared:1');
  const shown = await other.$$eval('[data-testid=finding-row] .finding-id', (els) => els.map((e) => e.textContent));
  assert.deepEqual([...new Set(shown)].sort(), ids);
  await other.screenshot({ path: path.join(ARTIFACTS, 'shared-link-offline.png'), fullPage: true });
  assert.deepEqual(b.log.errors, []);
  await b.context.close();
});

test('a link re-matched against a newer bundle says what changed; a report file reopens the same way', async () => {
  const file = vulnerableImage('changed:1');
  const old = smallBundle('old', '2026-01-01T00:00:00Z');
  const thenIds = nativeIds(file, old);
  assert.deepEqual(thenIds, ['TARSIER-TEST-0001']);
  const nowIds = nativeIds(file);
  const link = execFileSync(CLI, ['scan', file, '--bundle', old, '--format', 'link', '--site', env.url]).toString().trim();
  const { context, log } = await openContext();
  const page = await context.newPage();
  await page.goto(link);
  const note = await page.waitForSelector('[data-testid=reopened]', { timeout: 30_000 });
  assert.equal(Number(await note.getAttribute('data-new')), nowIds.length);
  assert.equal(Number(await note.getAttribute('data-gone')), 1);
  assert.match(await page.innerText('[data-testid=reopened-gone]'), /TARSIER-TEST-0001/);
  assert.match(await page.innerText('[data-testid=reopened-summary]'), new RegExp(`${nowIds.length} new findings, 1 fixed upstream`));

  // The JSON report file of the same scan, dropped on the page: the same comparison.
  const report = path.join(tmp, 'changed.tarsier.json');
  fs.writeFileSync(report, execFileSync(CLI, ['scan', file, '--bundle', old, '--format', 'json'], { maxBuffer: 64 << 20 }));
  await page.goto(env.url);
  await page.waitForSelector('[data-testid=bundle-info]', { timeout: 30_000 });
  await page.setInputFiles('#file-input', report);
  const fromFile = await page.waitForSelector('[data-testid=reopened]', { timeout: 30_000 });
  assert.equal(await fromFile.getAttribute('data-source'), 'file');
  assert.equal(Number(await fromFile.getAttribute('data-new')), nowIds.length);
  assert.equal(Number(await fromFile.getAttribute('data-gone')), 1);
  // A report file keeps the image's layers, unlike a link.
  assert.equal(await page.locator('[data-testid=layers] [data-testid=layer-row]').count(), 1);
  // A JSON file that is not a report is refused clearly.
  const notReport = path.join(tmp, 'other.json');
  fs.writeFileSync(notReport, '{"hello": "world"}');
  await page.setInputFiles('#file-input', notReport);
  await page.waitForSelector('[data-testid=error]', { timeout: 30_000 });
  assert.match(await page.innerText('[data-testid=error]'), /not a tarsier report/);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test('hostile links: a clear message each, no crash, no script', async () => {
  // A package whose name is HTML with a script in it.
  const evil = '<img src=x onerror="window.__pwned=1;alert(1)">';
  const file = vulnerableImage('evil:1', `Package: ${evil}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0<script>window.__pwned=2</script>\n\n`);
  const evilLink = execFileSync(CLI, ['scan', file, '--format', 'link']).toString().trim();
  const good = evilLink.slice(1);
  const b64 = (buf) => buf.toString('base64url');
  const cases = {
    malformed: 'r1.!!!not*base64!!!',
    truncated: good.slice(0, Math.floor(good.length / 2)),
    oversized: `r1.${'A'.repeat((1 << 20) + 10)}`,
    bomb: `r1.${b64(zlib.deflateRawSync(Buffer.alloc(20 << 20), { level: 9 }))}`,
    newer: 'r9.AAAA',
  };
  const { context, log } = await openContext();
  const page = await context.newPage();
  for (const [what, fragment] of Object.entries(cases)) {
    await page.goto('about:blank');
    await page.goto(`${env.url}#${fragment}`);
    const err = await page.waitForSelector('[data-testid=error]', { timeout: 30_000 });
    const text = await err.innerText();
    assert.ok(text.length > 20, `${what}: ${text}`);
    console.log(`${what}: ${text.replace(/\s+/g, ' ')}`);
    // The page still works: the drop zone is there and usable.
    assert.equal(await page.locator('#file-input').isEnabled(), true, what);
  }
  // The HTML stays text.
  await page.goto('about:blank');
  await page.goto(`${env.url}${evilLink}`);
  await page.waitForSelector('[data-testid=reopened]', { timeout: 30_000 });
  const names = await page.$$eval('table.packages td.pkg-name, [data-testid=package-row]', (els) => els.map((e) => e.textContent).join('\n'));
  assert.ok(names.includes('<img src=x onerror='), 'the name is shown as text');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator('img[src=x]').count(), 0);
  assert.deepEqual(log.dialogs, []);
  assert.deepEqual(log.errors.filter((e) => !/Failed to load resource/.test(e)), []);
  await context.close();
});

test('offline: the second visit loads and scans with the network off', async () => {
  const { context, log } = await openContext();
  const page = await context.newPage();
  await ready(page, env.url);
  await controlled(page);
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('[data-testid=bundle-info]', { timeout: 30_000 });
  await page.waitForSelector('[data-testid=bundle-check][data-status=offline]', { timeout: 30_000 });
  const file = vulnerableImage('offline:1');
  await page.setInputFiles('#file-input', file);
  await page.waitForSelector('[data-testid=finding-row]', { timeout: 30_000 });
  const shown = await page.$$eval('[data-testid=finding-row] .finding-id', (els) => [...new Set(els.map((e) => e.textContent))].sort());
  assert.deepEqual(shown, nativeIds(file));
  await page.screenshot({ path: path.join(ARTIFACTS, 'offline-scan.png') });
  assert.deepEqual(log.errors.filter((e) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(e)), []);
  await context.close();
});

test('a newer bundle replaces the saved one once verified; a stale one gets a note', async () => {
  // The site in a folder of its own, so its bundle can be swapped.
  const site = path.join(tmp, 'site');
  fs.cpSync(DIST, site, { recursive: true });
  const publish = (bundle) => {
    fs.copyFileSync(bundle, path.join(site, 'advisories.trsb'));
    execFileSync(CLI, ['bundle', 'manifest', bundle, '--out', path.join(site, 'advisories.json')]);
  };
  const old = smallBundle('stale', '2026-01-01T00:00:00Z');
  publish(old);
  const own = await start({ dist: site });
  try {
    const { context, log } = await openContext(own);
    const page = await context.newPage();
    await ready(page, own.url);
    assert.equal(await page.getAttribute('[data-testid=bundle-info]', 'data-built'), '2026-01-01T00:00:00Z');
    await page.waitForSelector('[data-testid=bundle-stale]');
    await page.waitForSelector('[data-testid=bundle-check][data-status=current]', { state: 'attached', timeout: 30_000 });
    await controlled(page);

    // Published: a newer bundle. The page starts on the saved one, then switches.
    const newer = smallBundle('newer', new Date().toISOString().replace(/\.\d+Z$/, 'Z'), 'TARSIER-TEST-0002');
    publish(newer);
    const built = JSON.parse(fs.readFileSync(path.join(site, 'advisories.json'))).built;
    const seen = [];
    page.on('request', (r) => seen.push(r.url()));
    await page.reload();
    await page.waitForSelector('[data-testid=bundle-updated]', { timeout: 30_000 });
    assert.equal(await page.getAttribute('[data-testid=bundle-info]', 'data-built'), built);
    assert.equal(await page.locator('[data-testid=bundle-stale]').count(), 0);
    assert.ok(seen.some((u) => u.endsWith('/advisories.json')), 'the manifest was asked first');
    await page.screenshot({ path: path.join(ARTIFACTS, 'bundle-updated.png') });

    // A tampered "newer" bundle is refused and the current one stays.
    const bad = fs.readFileSync(newer);
    bad[bad.length - 10] ^= 0xff;
    const badPath = path.join(tmp, 'bad.trsb');
    fs.writeFileSync(badPath, bad);
    fs.copyFileSync(badPath, path.join(site, 'advisories.trsb'));
    const manifest = JSON.parse(fs.readFileSync(path.join(site, 'advisories.json')));
    manifest.digest = 'f'.repeat(64);
    manifest.built = '2099-01-01T00:00:00Z';
    fs.writeFileSync(path.join(site, 'advisories.json'), JSON.stringify(manifest));
    await page.reload();
    await page.waitForSelector('[data-testid=bundle-check][data-status=rejected]', { timeout: 30_000 });
    assert.equal(await page.getAttribute('[data-testid=bundle-info]', 'data-built'), built);

    // Offline, the verified newer bundle is what the saved copy now is.
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('[data-testid=bundle-info]', { timeout: 30_000 });
    assert.equal(await page.getAttribute('[data-testid=bundle-info]', 'data-built'), built);
    assert.deepEqual(log.errors.filter((e) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(e)), []);
    await context.close();
  } finally {
    await own.close();
  }
});

test('under a path prefix: every URL is relative, scans, links and the service worker work', async () => {
  const sub = await start({ prefix: '/tools/tarsier/' });
  try {
    const { context, log } = await openContext(sub);
    const page = await context.newPage();
    await ready(page, sub.url);
    const file = vulnerableImage('prefix:1');
    await page.setInputFiles('#file-input', file);
    await page.waitForSelector('[data-testid=finding-row]', { timeout: 30_000 });
    await page.click('[data-testid=share]');
    const link = await page.inputValue('[data-testid=share-link]');
    assert.ok(link.startsWith(`${sub.url}#r1.`), link);
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    assert.equal(scope, sub.url);
    const outside = log.requests.filter((u) => !u.startsWith(sub.url) && !u.startsWith('blob:'));
    assert.deepEqual(outside, [], 'every request stays under the prefix');
    assert.deepEqual(log.errors, []);
    await context.close();
  } finally {
    await sub.close();
  }
});

test('privacy: no request leaves the origin, and the CSP holds with no violation', async () => {
  const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
  assert.ok(csp, 'index.html carries a CSP meta tag');
  for (const d of ["default-src 'self'", "connect-src 'self'", "object-src 'none'"]) assert.ok(csp.includes(d), `${d} in ${csp}`);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+/=]+')*;/);
  assert.ok(!/unsafe-inline'[^;]*;/.test(csp.replace("style-src-attr 'unsafe-inline'", '')), 'no unsafe-inline for scripts or style elements');

  const { context, log } = await openContext(env, { acceptDownloads: true });
  const page = await context.newPage();
  await ready(page, env.url);
  const file = vulnerableImage('private:1');
  await page.setInputFiles('#file-input', file);
  await page.waitForSelector('[data-testid=finding-row]', { timeout: 30_000 });
  for (const kind of ['json', 'cyclonedx', 'spdx', 'sarif', 'csv']) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=export-${kind}]`)]);
    await download.path();
  }
  await page.click('[data-testid=share]');
  const link = await page.inputValue('[data-testid=share-link]');
  const other = await context.newPage();
  await other.goto(link);
  await other.waitForSelector('[data-testid=reopened]', { timeout: 30_000 });
  const origin = new URL(env.url).origin;
  const foreign = log.requests.filter((u) => !(u.startsWith(`${origin}/`) || u.startsWith(`blob:${origin}/`)));
  assert.deepEqual(foreign, [], 'every request is to the page origin');
  // The files asked for are the site's own static files.
  const own = new Set(fs.readdirSync(DIST, { recursive: true }).map((f) => `/${f}`));
  for (const u of log.requests.filter((x) => x.startsWith(origin))) {
    const p = new URL(u).pathname;
    assert.ok(p === '/' || own.has(p), `${p} is a file of the site`);
  }
  console.log(`${log.requests.length} requests, all same-origin static files`);
  for (const p of [page, other]) assert.deepEqual(await p.evaluate(() => window.__csp), []);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test('a report too big for a link offers the report file, which reopens when dropped', async () => {
  // 3,000 packages with random names and versions: no compression saves this link.
  const rand = (n) => [...Array(n)].map(() => Math.floor(Math.random() * 36).toString(36)).join('');
  let status = '';
  for (let i = 0; i < 3000; i++) {
    status += `Package: p${rand(14)}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${rand(3)}.${rand(4)}-${rand(3)}\n\n`;
  }
  const layer = makeTar([
    { name: 'etc/os-release', data: 'ID=debian\nVERSION_ID="12"\n' },
    { name: 'var/lib/dpkg/status', data: status },
  ]);
  const file = path.join(tmp, 'huge.tar');
  fs.writeFileSync(
    file,
    makeTar([
      { name: 'l0/layer.tar', data: layer },
      { name: 'c.json', data: JSON.stringify({ os: 'linux', architecture: 'amd64' }) },
      { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['huge:1'], Layers: ['l0/layer.tar'] }]) },
    ]),
  );
  const { context, log } = await openContext(env, { acceptDownloads: true });
  const page = await context.newPage();
  await ready(page, env.url);
  await page.setInputFiles('#file-input', file);
  await page.waitForSelector('[data-testid=summary]', { timeout: 30_000 });
  await page.click('[data-testid=share]');
  const box = await page.waitForSelector('[data-testid=share-too-long]');
  assert.match(await box.innerText(), /\d+ KB link/);
  assert.equal(await page.locator('[data-testid=share-link]').count(), 0);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=share-too-long] [data-testid=export-json]')]);
  const saved = path.join(tmp, download.suggestedFilename());
  await download.saveAs(saved);
  assert.ok(saved.endsWith('.tarsier.json'), saved);
  await page.setInputFiles('#file-input', saved);
  const note = await page.waitForSelector('[data-testid=reopened][data-source=file]', { timeout: 30_000 });
  assert.equal(await note.getAttribute('data-new'), '0');
  assert.equal(await page.innerText('[data-testid=image-name]'), 'huge:1');
  assert.deepEqual(log.errors, []);
  await context.close();
});

test('installable: the web manifest has a name, icons and a theme colour, all served', async () => {
  const { context } = await openContext();
  const page = await context.newPage();
  await ready(page, env.url);
  const href = await page.getAttribute('link[rel=manifest]', 'href');
  const manifestUrl = new URL(href, env.url).href;
  const manifest = await (await page.request.get(manifestUrl)).json();
  assert.ok(manifest.name && manifest.short_name, 'name');
  assert.match(manifest.theme_color, /^#[0-9a-f]{6}$/i);
  assert.equal(manifest.start_url, './');
  assert.equal(manifest.display, 'standalone');
  const sizes = manifest.icons.map((i) => i.sizes);
  for (const s of ['192x192', '512x512']) assert.ok(sizes.includes(s), `a ${s} icon`);
  for (const icon of manifest.icons) {
    const r = await page.request.get(new URL(icon.src, manifestUrl).href);
    assert.equal(r.status(), 200, icon.src);
    assert.equal(r.headers()['content-type'].split(';')[0], icon.type, icon.src);
  }
  await context.close();
});
