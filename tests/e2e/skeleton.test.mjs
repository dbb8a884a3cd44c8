// The walking skeleton in a real browser: a dropped image archive is read by the WebAssembly
// worker and summarised on the page; bad files give a clear message and the page stays usable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start, openApp, dropFile, fixture, ARTIFACTS } from './helpers.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

const DOCKER = () => fixture('images/test-docker-image.tar');

test('choosing test-docker-image.tar shows 14 layers and the history', async () => {
  const { page, context, errors } = await openApp(env);
  await page.setInputFiles('#file-input', DOCKER());
  await page.waitForSelector('[data-testid=summary]', { timeout: 30_000 });
  assert.equal(await page.textContent('[data-testid=layer-count]'), '14');
  assert.equal(await page.locator('[data-testid=layer-row]').count(), 14);
  assert.equal(await page.textContent('[data-testid=image-name]'), 'dive-test:latest');
  assert.equal(await page.textContent('[data-testid=format]'), 'docker-archive');
  assert.equal(
    await page.textContent('[data-testid=config-digest]'),
    'sha256:75ae28b8ebf89b203319069ddcbecdf5c3838503bbebc0d0d85e4b8589c5de3a',
  );
  const steps = await page.locator('[data-testid=history-step]').allTextContents();
  assert.equal(steps.length, 15);
  assert.ok(
    steps.some((s) => s.includes('/bin/sh -c mkdir -p /root/example/really/nested')),
    `history lines: ${steps.join(' | ')}`,
  );
  assert.ok(steps[1].includes('no layer'), 'the CMD step is marked as making no layer');
  await page.screenshot({ path: `${ARTIFACTS}/summary-docker.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('dropping an OCI archive shows its summary', async () => {
  const { page, context, errors } = await openApp(env);
  await dropFile(page, fixture('images/test-oci-zstd-image.tar'));
  await page.waitForSelector('[data-testid=summary]', { timeout: 30_000 });
  assert.equal(await page.textContent('[data-testid=layer-count]'), '1');
  assert.equal(await page.textContent('[data-testid=format]'), 'oci-archive');
  const steps = await page.locator('[data-testid=history-step]').allTextContents();
  assert.ok(steps[0].includes('COPY README.md /README.md # buildkit'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('dropping the docker archive works the same as choosing it', async () => {
  const { page, context, errors } = await openApp(env);
  await dropFile(page, DOCKER());
  await page.waitForSelector('[data-testid=summary]', { timeout: 30_000 });
  assert.equal(await page.textContent('[data-testid=layer-count]'), '14');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a garbage file shows a clear error and the page stays usable', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-e2e-'));
  const garbage = path.join(tmp, 'notes.txt');
  fs.writeFileSync(garbage, 'this is not an image archive\n'.repeat(100));
  const empty = path.join(tmp, 'empty.tar');
  fs.writeFileSync(empty, '');
  const truncated = path.join(tmp, 'truncated.tar');
  fs.writeFileSync(truncated, fs.readFileSync(DOCKER()).subarray(0, 700_000));

  const { page, context, errors } = await openApp(env);
  await page.setInputFiles('#file-input', garbage);
  const error = page.locator('[data-testid=error]');
  await error.waitFor({ timeout: 30_000 });
  const text = await error.textContent();
  assert.match(text, /not an image archive/);
  assert.match(text, /docker save/);
  await page.screenshot({ path: `${ARTIFACTS}/error-garbage.png`, fullPage: true });

  await page.setInputFiles('#file-input', empty);
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=error]')?.textContent.includes('empty'),
  );

  await dropFile(page, truncated);
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=error]')?.textContent.includes('truncated'),
  );

  // And the next good file still scans.
  await page.setInputFiles('#file-input', DOCKER());
  await page.waitForSelector('[data-testid=summary]', { timeout: 30_000 });
  assert.equal(await page.textContent('[data-testid=layer-count]'), '14');
  assert.deepEqual(errors, []);
  await context.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('the page renders at phone width and in dark mode', async () => {
  const { page, context, errors } = await openApp(env, {
    viewport: { width: 360, height: 800 },
    colorScheme: 'dark',
  });
  await page.setInputFiles('#file-input', DOCKER());
  await page.waitForSelector('[data-testid=summary]', { timeout: 30_000 });
  // Nothing wider than the screen but the scrollable layer table.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 360, `page is ${overflow}px wide`);
  await page.screenshot({ path: `${ARTIFACTS}/summary-narrow-dark.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
