// The image reader in the browser: layers walked in parallel workers with per-layer statistics,
// archives compressed as a whole, archives with several images, and bad archives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { start, openApp, dropFile, fixture, makeTar, ARTIFACTS } from './helpers.mjs';

let env;
let tmp;
before(async () => {
  env = await start();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-reader-'));
});
after(async () => {
  await env?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('per-layer statistics come from walking every layer', async () => {
  const { page, context, errors } = await openApp(env);
  await page.setInputFiles('#file-input', fixture('images/test-docker-image.tar'));
  await page.waitForSelector('[data-testid=summary]', { timeout: 30_000 });
  // The same figures `tarsier scan` prints: 423 paths; layer 9 (`rm -rf /root/example/`) removes 2.
  assert.equal(await page.textContent('[data-testid=file-count]'), '423');
  const changes = await page.locator('[data-testid=layer-changes]').allTextContents();
  assert.equal(changes.length, 14);
  assert.match(changes[0], /\+398/);
  assert.match(changes[9], /−2/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an archive gzip-compressed as a whole is scanned, with a note that it is slower', async () => {
  const gz = path.join(tmp, 'kaniko.tar.gz');
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(fixture('images/test-kaniko-image.tar'))));
  const { page, context, errors } = await openApp(env);
  await dropFile(page, gz);
  await page.waitForSelector('[data-testid=summary]', { timeout: 30_000 });
  assert.equal(await page.textContent('[data-testid=layer-count]'), '14');
  assert.match(await page.textContent('.warning-card'), /compressed as a whole/);
  assert.deepEqual(errors, []);
  await context.close();
});

function twoImageArchive() {
  const layer = (name, text) => makeTar([{ name, data: text }]);
  const config = (arch, step) =>
    JSON.stringify({ architecture: arch, os: 'linux', history: [{ created_by: step }] });
  return makeTar([
    { name: 'a/layer.tar', data: layer('hello-a', 'a') },
    { name: 'b/layer.tar', data: layer('hello-b', 'b') },
    { name: 'a.json', data: config('amd64', 'ADD hello-a /') },
    { name: 'b.json', data: config('arm64', 'ADD hello-b /') },
    {
      name: 'manifest.json',
      data: JSON.stringify([
        { Config: 'a.json', RepoTags: ['first:1'], Layers: ['a/layer.tar'] },
        { Config: 'b.json', RepoTags: ['second:2'], Layers: ['b/layer.tar'] },
      ]),
    },
  ]);
}

test('an archive with several images lets the user pick one', async () => {
  const file = path.join(tmp, 'two.tar');
  fs.writeFileSync(file, twoImageArchive());
  const { page, context, errors } = await openApp(env);
  await page.setInputFiles('#file-input', file);
  await page.waitForSelector('[data-testid=summary]', { timeout: 30_000 });
  assert.equal(await page.textContent('[data-testid=image-name]'), 'first:1');
  await page.selectOption('[data-testid=image-picker]', 'second:2');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=image-name]')?.textContent === 'second:2',
  );
  assert.match(await page.textContent('[data-testid=summary]'), /linux\/arm64/);
  await page.screenshot({ path: `${ARTIFACTS}/two-images.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('each kind of bad archive gets its own clear message', async () => {
  const cases = [
    ['no-manifest.tar', makeTar([{ name: 'hello.txt', data: 'hi' }]), /neither `manifest.json` nor `index.json`/],
    ['bad-manifest.tar', makeTar([{ name: 'manifest.json', data: '[{"Config": 7}]' }]), /manifest.json.*not valid/],
    [
      'missing-layer.tar',
      makeTar([
        { name: 'c.json', data: '{"os":"linux"}' },
        { name: 'manifest.json', data: '[{"Config":"c.json","Layers":["gone/layer.tar"]}]' },
      ]),
      /missing from the archive/,
    ],
    ['garbage.tar.gz', zlib.gzipSync(Buffer.from('not a tar at all')), /gzip-compressed, but what is inside is not a tar/],
  ];
  const { page, context, errors } = await openApp(env);
  for (const [name, bytes, pattern] of cases) {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, bytes);
    await page.setInputFiles('#file-input', file);
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=error]')?.textContent.includes(n),
      name,
    );
    assert.match(await page.textContent('[data-testid=error]'), pattern, name);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

/** Scans `file` in a fresh page opened with `query`; returns the JSON export and the workers'
 * timing lines (one per layer, saying how it was read). */
async function scanToJson(file, query) {
  const { page, context, errors } = await openApp(env, {}, query);
  const lines = [];
  page.on('console', (m) => {
    if (m.text().startsWith('tarsier: layer ')) lines.push(m.text());
  });
  await page.setInputFiles('#file-input', file);
  await page.waitForSelector('[data-testid=summary]', { timeout: 120_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
  const target = path.join(tmp, `report${query.replace(/\W/g, '-')}.json`);
  await download.saveAs(target);
  const report = JSON.parse(fs.readFileSync(target, 'utf8'));
  assert.deepEqual(errors, []);
  await context.close();
  return { report, lines };
}

/** What a scan found, without when and how long it took. */
function found(report) {
  return {
    layers: report.layers.map((l) => ({ digest: l.digest, changes: l.changes, warnings: l.warnings })),
    packages: report.packages,
    warnings: report.warnings,
  };
}

test('layers are streamed in Chromium, and streamed and FileReaderSync reads give the same report', { timeout: 300_000 }, async () => {
  const sampleDir = process.env.TARSIER_SAMPLE_DIR;
  if (!sampleDir) throw new Error('TARSIER_SAMPLE_DIR is not set: run through scripts/test.sh, which runs scripts/sample.sh');
  const files = [
    ...fs.readdirSync(path.join(fixture('images'))).filter((f) => f.endsWith('.tar')).map((f) => fixture(`images/${f}`)),
    path.join(sampleDir, 'sample-docker.tar'),
    path.join(sampleDir, 'sample-oci.tar'),
  ];
  assert.equal(files.length, 8);
  for (const file of files) {
    const streamed = await scanToJson(file, '');
    const sync = await scanToJson(file, '?reads=sync');
    const layers = streamed.report.layers.length;
    assert.ok(layers > 0, file);
    assert.ok(streamed.report.layers.every((l) => l.changes && l.changes.tar_bytes > 0), file);
    assert.equal(streamed.lines.length, layers, `${file}: ${streamed.lines.join('\n')}`);
    assert.ok(streamed.lines.every((l) => l.endsWith(', streamed')), streamed.lines.join('\n'));
    assert.equal(sync.lines.length, layers);
    assert.ok(sync.lines.every((l) => l.endsWith(', read with FileReaderSync')), sync.lines.join('\n'));
    assert.deepEqual(found(streamed.report), found(sync.report), file);
    assert.ok(streamed.report.packages.length > 0 || !file.includes('sample'), file);
  }
});
