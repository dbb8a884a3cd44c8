// The Layers view: per layer the packages and findings it brought in, and a file tree of what it
// changed (added / changed / removed, like Dive) with the files that carry findings highlighted.
// Checked against the CLI's `--list-files` on the same image and the site's default bundle.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start, openApp, makeTar, ARTIFACTS, DIST, ROOT } from './helpers.mjs';

const CLI = path.join(ROOT, 'target/debug/tarsier');
const BUNDLE = path.join(DIST, 'advisories.trsb');

let env;
let tmp;
before(async () => {
  for (const f of [CLI, BUNDLE]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run the Rust tests and trunk build first`);
  }
  env = await start();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-layers-'));
});
after(async () => {
  await env?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Debian 11 with a vulnerable openssl (layer 0), then an app layer with a vulnerable Python package. */
function twoLayerImage() {
  const base = makeTar([
    { name: 'etc/os-release', data: 'ID=debian\nVERSION_ID="11"\nVERSION_CODENAME=bullseye\nPRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\n' },
    { name: 'etc/motd', data: 'hello\n' },
    { name: 'etc/old.conf', data: 'old\n' },
    {
      name: 'var/lib/dpkg/status',
      data: 'Package: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.1.1n-0+deb11u3\n\n',
    },
  ]);
  const site = 'usr/local/lib/python3.9/site-packages';
  const app = makeTar([
    { name: 'etc/.wh.old.conf', data: '' },
    { name: 'etc/motd', data: 'hello from the app\n' },
    { name: `${site}/requests-2.25.0.dist-info/METADATA`, data: 'Metadata-Version: 2.1\nName: requests\nVersion: 2.25.0\n' },
    { name: `${site}/requests/__init__.py`, data: '' },
    { name: 'srv/app.py', data: 'import requests\n' },
  ]);
  const file = path.join(tmp, 'two-layers.tar');
  fs.writeFileSync(
    file,
    makeTar([
      { name: 'l0/layer.tar', data: base },
      { name: 'l1/layer.tar', data: app },
      {
        name: 'c.json',
        data: JSON.stringify({
          os: 'linux',
          architecture: 'amd64',
          history: [{ created_by: 'ADD rootfs.tar /' }, { created_by: 'CMD ["bash"]', empty_layer: true }, { created_by: 'COPY app /' }],
        }),
      },
      { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['layers:1'], Layers: ['l0/layer.tar', 'l1/layer.tar'] }]) },
    ]),
  );
  return file;
}

test('layers list their packages and findings; the file tree marks changes and highlights findings', async () => {
  const file = twoLayerImage();
  const native = JSON.parse(
    execFileSync(CLI, ['scan', file, '--bundle', BUNDLE, '--format', 'json', '--list-files'], { maxBuffer: 64 << 20 }),
  );
  const findingsIn = (i) => native.findings.filter((f) => f.layer === i && !f.not_applicable).length;
  assert.ok(findingsIn(0) > 0 && findingsIn(1) > 0, 'both layers bring findings');
  assert.deepEqual(
    native.layer_files[1].map((c) => [c.path, c.change]),
    [
      ['/etc/motd', 'changed'],
      ['/etc/old.conf', 'removed'],
      ['/srv/app.py', 'added'],
      ['/usr/local/lib/python3.9/site-packages/requests-2.25.0.dist-info/METADATA', 'added'],
      ['/usr/local/lib/python3.9/site-packages/requests/__init__.py', 'added'],
    ],
  );

  const { page, context, errors } = await openApp(env);
  await page.waitForSelector('[data-testid=bundle-info]', { timeout: 30_000 });
  await page.setInputFiles('#file-input', file);
  await page.waitForSelector('[data-testid=layers]', { timeout: 30_000 });
  // The section bar brings the Layers view into sight.
  await page.locator('[data-testid=section-nav] button', { hasText: 'Layers' }).click();
  await page.waitForFunction(() => {
    const r = document.querySelector('[data-testid=layers]').getBoundingClientRect();
    return r.top >= -1 && r.top < window.innerHeight;
  });
  const rows = page.locator('[data-testid=layers] [data-testid=layer-row]');
  assert.equal(await rows.count(), 2);
  for (const i of [0, 1]) {
    const row = rows.nth(i);
    assert.equal(
      Number(await row.locator('[data-testid=layer-packages]').innerText()),
      native.packages.filter((p) => p.layer === i).length,
    );
    assert.equal(Number(await row.locator('[data-testid=layer-findings]').innerText()), findingsIn(i));
  }

  // Layer 1's tree: directories leading to flagged files are open; the Python package's files
  // are highlighted, the rest are not.
  await rows.nth(1).locator('[data-testid=layer-files]').click();
  const tree = page.locator('[data-testid=file-tree][data-layer="1"]');
  await tree.waitFor();
  const fileRows = async () =>
    tree.locator('[data-testid=tree-file]').evaluateAll((els) =>
      els.map((e) => [e.getAttribute('data-path'), e.getAttribute('data-change'), e.classList.contains('hot')]),
    );
  const shown = await fileRows();
  assert.deepEqual(
    shown.filter(([p]) => p.includes('site-packages')),
    [
      ['/usr/local/lib/python3.9/site-packages/requests-2.25.0.dist-info/METADATA', 'added', true],
    ],
    'the directory of the flagged file is open, others are closed',
  );
  // Opening /etc shows the changed and the removed file, neither flagged.
  await tree.locator('[data-testid=tree-dir][data-path="/etc"] button').click();
  const etc = (await fileRows()).filter(([p]) => p.startsWith('/etc/'));
  assert.deepEqual(etc, [
    ['/etc/motd', 'changed', false],
    ['/etc/old.conf', 'removed', false],
  ]);
  // Keyboard: the directory toggles are buttons; Enter on /srv opens it.
  await tree.locator('[data-testid=tree-dir][data-path="/srv"] button').focus();
  await page.keyboard.press('Enter');
  assert.ok((await fileRows()).some(([p, c]) => p === '/srv/app.py' && c === 'added'));
  // Only files with findings.
  await tree.locator('[data-testid=tree-only-findings]').check();
  assert.deepEqual(
    (await fileRows()).map(([p, , hot]) => [p, hot]),
    [['/usr/local/lib/python3.9/site-packages/requests-2.25.0.dist-info/METADATA', true]],
  );
  await page.screenshot({ path: path.join(ARTIFACTS, 'layer-tree.png'), fullPage: true });

  // Layer 0: the dpkg status file carries openssl's findings.
  await rows.nth(0).locator('[data-testid=layer-files]').click();
  const tree0 = page.locator('[data-testid=file-tree][data-layer="0"]');
  await tree0.waitFor();
  const hot0 = await tree0.locator('[data-testid=tree-file].hot').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')));
  assert.deepEqual(hot0, ['/var/lib/dpkg/status']);
  assert.deepEqual(errors, []);
  await context.close();
});
