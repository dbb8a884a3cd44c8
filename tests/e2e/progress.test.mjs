// Scan progress and Cancel: a layer that takes seconds to read shows per-layer bytes and an ETA,
// and Cancel really ends the workers (they are terminated, not asked), after which the page
// scans the next image normally.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { start, makeTar, tarHeader, ARTIFACTS } from './helpers.mjs';

let env;
let tmp;
before(async () => {
  env = await start();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-progress-'));
});
after(async () => {
  await env?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * A docker-archive whose one gzip layer holds a 6 GiB file of zeros, written as many identical
 * gzip members (multi-member gzip, as eStargz uses): a few MB on disk, seconds of inflating.
 */
function slowImage() {
  const chunk = 64 << 20;
  const count = 96;
  const member = zlib.gzipSync(Buffer.alloc(chunk), { level: 9 });
  const parts = [zlib.gzipSync(tarHeader('big.bin', chunk * count))];
  for (let i = 0; i < count; i++) parts.push(member);
  parts.push(zlib.gzipSync(Buffer.alloc(1024)));
  const layer = Buffer.concat(parts);
  const archive = makeTar([
    { name: 'l0/layer.tar.gz', data: layer },
    { name: 'c.json', data: JSON.stringify({ os: 'linux', architecture: 'amd64', history: [{ created_by: 'slow layer' }] }) },
    { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['slow:1'], Layers: ['l0/layer.tar.gz'] }]) },
  ]);
  const file = path.join(tmp, 'slow.tar');
  fs.writeFileSync(file, archive);
  return file;
}

test('per-layer progress with bytes and an ETA; Cancel terminates the workers', { timeout: 180_000 }, async () => {
  const file = slowImage();
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  const workers = [];
  const closed = [];
  page.on('worker', (w) => {
    workers.push(w);
    w.on('close', () => closed.push(w.url()));
  });
  await page.goto(env.url);
  await page.waitForSelector('[data-testid=bundle-info]', { timeout: 30_000 });
  const poolSize = await page.evaluate(() => Math.min(Math.max(navigator.hardwareConcurrency || 2, 1), 6));

  await page.setInputFiles('#file-input', file);
  const bar = await page.waitForSelector('[data-testid=layer-progress]', { timeout: 20_000 });
  assert.match(await bar.innerText(), /Layer 0/);
  // Bytes read grow while the layer is inflated, and an ETA appears.
  await page.waitForFunction(
    () => /[1-9][\d.]* (KB|MB) \//.test(document.querySelector('[data-testid=layer-progress]')?.innerText ?? ''),
    null,
    { timeout: 20_000 },
  );
  await page.waitForFunction(() => /left/.test(document.querySelector('[data-testid=eta]')?.innerText ?? ''), null, {
    timeout: 20_000,
  });
  const eta = await page.innerText('[data-testid=eta]');
  console.log(`progress: ${await bar.innerText()} · ${eta}`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'progress.png') });

  // Every worker of the page (in this context) at the time of the click.
  const before = await page.evaluate(() => performance.now());
  await page.click('[data-testid=cancel]');
  await page.waitForSelector('[data-testid=cancelled]', { timeout: 5_000 });
  // Dropping the pool terminates every worker of it, busy or not, within moments.
  const t0 = Date.now();
  while (closed.length < poolSize && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
  assert.ok(closed.length >= poolSize, `only ${closed.length} of ${poolSize} workers ended after Cancel`);
  // A fresh pool replaces them and reloads the bundle.
  await page.waitForSelector('[data-testid=bundle-info]', { timeout: 30_000 });
  assert.ok(workers.length >= 2 * poolSize, `${workers.length} workers in all, want ${poolSize} before and after Cancel`);
  // The cancelled scan never reports: wait a while and check nothing replaced the notice.
  await page.waitForTimeout(1500);
  assert.equal(await page.locator('[data-testid=summary]').count(), 0);
  assert.equal(await page.locator('[data-testid=cancelled]').count(), 1);
  console.log(`cancel: ${closed.length} workers ended, ${workers.length} spawned, ${(await page.evaluate(() => performance.now())) - before} ms`);

  // The next scan works as usual.
  const small = makeTar([
    { name: 'l0/layer.tar', data: makeTar([{ name: 'etc/hostname', data: 'x\n' }]) },
    { name: 'c.json', data: JSON.stringify({ os: 'linux', architecture: 'amd64' }) },
    { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['after:cancel'], Layers: ['l0/layer.tar'] }]) },
  ]);
  const smallFile = path.join(tmp, 'small.tar');
  fs.writeFileSync(smallFile, small);
  await page.setInputFiles('#file-input', smallFile);
  await page.waitForSelector('[data-testid=summary]', { timeout: 20_000 });
  assert.equal(await page.innerText('[data-testid=image-name]'), 'after:cancel');
  assert.deepEqual(errors, []);
  await page.context().close();
});
