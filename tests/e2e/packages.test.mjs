// The OS package table: distro with end-of-life status, packages with the layer that introduced
// them, sortable by name and by layer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start, openApp, makeTar, ARTIFACTS } from './helpers.mjs';

let env;
let tmp;
before(async () => {
  env = await start();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-pkgs-'));
});
after(async () => {
  await env?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const status = (pkgs) =>
  pkgs.map(([n, v]) => `Package: ${n}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${v}\n\n`).join('');

test('packages are listed with their layer and sort by name or layer', async () => {
  const layers = [
    makeTar([
      { name: 'etc/os-release', data: 'PRETTY_NAME="Debian GNU/Linux 10 (buster)"\nID=debian\nVERSION_ID="10"\n' },
      { name: 'var/lib/dpkg/status', data: status([['zlib1g', '1:1.2.11.dfsg-1'], ['libc6', '2.28-10']]) },
    ]),
    makeTar([
      { name: 'var/lib/dpkg/status', data: status([['zlib1g', '1:1.2.11.dfsg-1'], ['libc6', '2.28-10'], ['curl', '7.64.0-4']]) },
    ]),
  ];
  const archive = makeTar([
    { name: 'l0/layer.tar', data: layers[0] },
    { name: 'l1/layer.tar', data: layers[1] },
    { name: 'c.json', data: JSON.stringify({ os: 'linux', architecture: 'amd64', history: [{ created_by: 'base' }, { created_by: 'apt-get install curl' }] }) },
    { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['old:buster'], Layers: ['l0/layer.tar', 'l1/layer.tar'] }]) },
  ]);
  const file = path.join(tmp, 'buster.tar');
  fs.writeFileSync(file, archive);

  const { page, context, errors } = await openApp(env);
  await page.setInputFiles('#file-input', file);
  await page.waitForSelector('[data-testid=summary]', { timeout: 30_000 });
  assert.equal(await page.textContent('[data-testid=distro]'), 'Debian GNU/Linux 10 (buster)');
  assert.match(await page.textContent('[data-testid=eol]'), /end of life since 2024-06-30/);
  assert.equal(await page.textContent('[data-testid=package-count]'), '3');
  const firstCells = async () =>
    page.$$eval('[data-testid=package-row]', (rows) => rows.map((r) => `${r.cells[0].textContent}@${r.cells[2].textContent}`));
  assert.deepEqual(await firstCells(), ['curl@1', 'libc6@0', 'zlib1g@0']);
  await page.click('button.sort:has-text("Layer")');
  assert.deepEqual(await firstCells(), ['libc6@0', 'zlib1g@0', 'curl@1']);
  await page.screenshot({ path: `${ARTIFACTS}/packages.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
