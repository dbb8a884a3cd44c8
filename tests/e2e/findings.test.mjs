// Findings in the page: the site's default bundle (built from ../shared/advisories by
// scripts/default-bundle.sh) is loaded once by a worker, verified with the key the build trusts,
// and every scan is matched against it. The page must agree with the native CLI on the same image
// and bundle; sorting and the not-applicable toggle work; a tampered bundle is refused whole.
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
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-findings-'));
});
after(async () => {
  await env?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const status = (pkgs) =>
  pkgs
    .map(([n, src, v]) => `Package: ${n}\nStatus: install ok installed\nArchitecture: amd64\nSource: ${src}\nVersion: ${v}\n\n`)
    .join('');

/** A Debian 11 image whose packages the DSA/DLA lists have fixes for, plus kernel headers
 * (unless `kernel` is false: with osv.dev's Debian export they bring thousands of findings). */
function bullseyeImage({ kernel = true } = {}) {
  const layer = makeTar([
    { name: 'etc/os-release', data: 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nID=debian\nVERSION_ID="11"\nVERSION_CODENAME=bullseye\n' },
    {
      name: 'var/lib/dpkg/status',
      data: status([
        ['libssl1.1', 'openssl', '1.1.1n-0+deb11u3'],
        ['openssl', 'openssl', '1.1.1n-0+deb11u3'],
        ['xserver-common', 'xorg-server', '2:1.20.11-1+deb11u1'],
        ...(kernel ? [['linux-libc-dev', 'linux', '5.10.140-1']] : []),
        ['zlib1g', 'zlib', '1:1.2.11.dfsg-2+deb11u2'],
      ]),
    },
  ]);
  const archive = makeTar([
    { name: 'l0/layer.tar', data: layer },
    { name: 'c.json', data: JSON.stringify({ os: 'linux', architecture: 'amd64', history: [{ created_by: 'debootstrap bullseye' }] }) },
    { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['old:bullseye'], Layers: ['l0/layer.tar'] }]) },
  ]);
  const file = path.join(tmp, 'bullseye.tar');
  fs.writeFileSync(file, archive);
  return file;
}

test('the bundle loads once, and findings equal the CLI on the same image and bundle', async () => {
  const file = bullseyeImage();
  const native = JSON.parse(execFileSync(CLI, ['scan', file, '--bundle', BUNDLE, '--format', 'json'], { maxBuffer: 64 << 20 }));
  const verify = execFileSync(CLI, ['bundle', 'verify', BUNDLE]).toString();
  const records = Number(/(\d+) records/.exec(verify)[1]);
  assert.ok(records > 20_000, verify);

  const { page, context, errors } = await openApp(env);
  const info = await page.waitForSelector('[data-testid=bundle-info]', { timeout: 30_000 });
  // Loaded (the request is over): from here on, scans must not fetch it again.
  const bundleRequests = [];
  context.on('request', (r) => {
    if (r.url().endsWith('/advisories.trsb')) bundleRequests.push(r.url());
  });
  assert.equal(await info.getAttribute('data-records'), String(records));
  assert.equal(await info.getAttribute('data-signature'), 'signed');
  assert.equal(await info.getAttribute('data-built'), native.bundle.built);
  const loadMs = Number(await info.getAttribute('data-load-ms'));
  console.log(`bundle: ${records} records, verified and loaded in ${loadMs} ms in the worker`);

  for (let round = 0; round < 2; round++) {
    await page.setInputFiles('#file-input', file);
    await page.waitForSelector('[data-testid=findings]', { timeout: 30_000 });
    const shown = native.findings.filter((f) => !f.not_applicable);
    assert.ok(shown.length >= 3, `expected real findings, got ${JSON.stringify(native.findings.map((f) => f.id))}`);
    assert.equal(await page.textContent('[data-testid=finding-count]'), String(shown.length));
    // Counts by severity, as the CLI computed them.
    for (const level of ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']) {
      const n = shown.filter((f) => f.severity === level).length;
      assert.equal(
        await page.getAttribute(`[data-testid=severity-count][data-severity=${level}]`, 'data-count'),
        String(n),
        level,
      );
    }
    const ids = await page.$$eval('[data-testid=finding-row] .finding-id', (els) => els.map((e) => e.textContent));
    assert.deepEqual([...ids].sort(), shown.map((f) => f.id).sort());
    // The chart's label carries the same counts.
    const label = await page.getAttribute('[data-testid=severity-chart]', 'aria-label');
    const unknown = shown.filter((f) => f.severity === 'UNKNOWN').length;
    assert.match(label, new RegExp(`${unknown} unknown$`));
    // The openssl DSA is there with its fixed version.
    const dsa = native.findings.find((f) => f.aliases.includes('DSA-5343-1'));
    assert.ok(dsa, 'DSA-5343-1 matches libssl1.1 1.1.1n-0+deb11u3');
    const row = page.locator('[data-testid=finding-row]', { hasText: dsa.id }).first();
    assert.match(await row.locator('[data-testid=fixed-in]').textContent(), /1\.1\.1n-0\+deb11u4/);
    assert.ok(Number(await page.getAttribute('[data-testid=match-ms]', 'data-ms')) >= 0);
  }
  assert.deepEqual(bundleRequests, [], 'the bundle is fetched once per page, not per scan');

  // Sorted by severity, worst first (the default order is by risk: exploit.test.mjs); sorting by
  // package and back works.
  const rank = { CRITICAL: 4, HIGH: 3, MEDIUM: 2, LOW: 1, UNKNOWN: 0 };
  const severities = async () =>
    page.$$eval('[data-testid=finding-row]', (rows) => rows.map((r) => r.getAttribute('data-severity')));
  await page.click('table.findings button.sort:has-text("Severity")');
  const bySeverity = (await severities()).map((s) => rank[s]);
  assert.deepEqual(bySeverity, [...bySeverity].sort((a, b) => b - a));
  await page.click('table.findings button.sort:has-text("Package")');
  const packages = await page.$$eval('[data-testid=finding-row] .pkg-name', (els) => els.map((e) => e.textContent));
  assert.deepEqual(packages, [...packages].sort());
  await page.click('table.findings button.sort:has-text("Severity")');
  assert.deepEqual((await severities()).map((s) => rank[s]), bySeverity);

  // Kernel headers: hidden by default, shown with the toggle.
  const na = native.findings.filter((f) => f.not_applicable).length;
  assert.ok(na > 0, 'linux-libc-dev from source linux has advisories');
  // Counted from "N shown": with the Debian export there are thousands of kernel findings, more
  // than the 200 rows a page renders at first.
  const matching = async () =>
    Number((await page.textContent('[data-testid=finding-matching]')).replace(/[^\d]/g, ''));
  const before = await matching();
  assert.equal(before, native.findings.length - na);
  await page.check('[data-testid=show-not-applicable]');
  assert.equal(await matching(), before + na);
  await page.uncheck('[data-testid=show-not-applicable]');
  await page.screenshot({ path: `${ARTIFACTS}/findings.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a tampered bundle is refused whole, and images are still read', async () => {
  const dist = path.join(tmp, 'dist');
  fs.cpSync(DIST, dist, { recursive: true });
  const bytes = fs.readFileSync(path.join(dist, 'advisories.trsb'));
  bytes[bytes.length - 100] ^= 0x01;
  fs.writeFileSync(path.join(dist, 'advisories.trsb'), bytes);
  const tampered = await start({ dist });
  try {
    const { page, context, errors } = await openApp(tampered);
    const bar = await page.waitForSelector('[data-testid=bundle-error]', { timeout: 30_000 });
    assert.match(await bar.textContent(), /rejected: the bundle is damaged: the SHA-256 of its details does not match/);
    await page.setInputFiles('#file-input', bullseyeImage());
    await page.waitForSelector('[data-testid=summary]', { timeout: 30_000 });
    assert.equal(await page.textContent('[data-testid=package-count]'), '5');
    assert.equal(await page.locator('[data-testid=findings]').count(), 0);
    await page.screenshot({ path: `${ARTIFACTS}/bundle-rejected.png`, fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await tampered.close();
  }
});

test('a missing bundle says so, and images are still read', async () => {
  const dist = path.join(tmp, 'dist-nobundle');
  fs.cpSync(DIST, dist, { recursive: true });
  fs.rmSync(path.join(dist, 'advisories.trsb'));
  const bare = await start({ dist });
  try {
    const { page, context, errors } = await openApp(bare);
    const bar = await page.waitForSelector('[data-testid=bundle-error]', { timeout: 30_000 });
    assert.match(await bar.textContent(), /no advisory bundle at .*advisories\.trsb \(HTTP 404\)/);
    await context.close();
    // The failed fetch is the browser's own console line, not a page error.
    assert.deepEqual(errors.filter((e) => !/404/.test(e)), []);
  } finally {
    await bare.close();
  }
});

test('language packages: ecosystems with counts, and findings equal the CLI', async () => {
  const site = 'usr/local/lib/python3.11/site-packages';
  const layer = makeTar([
    { name: 'etc/os-release', data: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' },
    { name: 'usr/local/bin/app', data: fs.readFileSync(path.join(ROOT, '../shared/fixtures/lang/go/binary_with_module_replacement-linux-amd64')) },
    { name: `${site}/requests-2.25.0.dist-info/METADATA`, data: 'Metadata-Version: 2.1\nName: requests\nVersion: 2.25.0\n' },
    { name: 'srv/node_modules/lodash/package.json', data: '{"name": "lodash", "version": "4.17.19"}' },
    { name: 'opt/lib/simple.jar', data: fs.readFileSync(path.join(ROOT, '../shared/fixtures/lang/java/simple.jar')) },
  ]);
  // makeTar writes mode 0644; the Go binary must be executable for the binary reader.
  const exec = Buffer.from(layer);
  for (let at = 0; at < exec.length; at += 512) {
    if (exec.toString('utf8', at, at + 18) === 'usr/local/bin/app\0') {
      exec.write('0000755\0', at + 100);
      exec.write('        ', at + 148);
      let sum = 0;
      for (let i = at; i < at + 512; i++) sum += exec[i];
      exec.write(sum.toString(8).padStart(6, '0') + '\0 ', at + 148);
      break;
    }
  }
  const file = path.join(tmp, 'lang.tar');
  fs.writeFileSync(
    file,
    makeTar([
      { name: 'l0/layer.tar', data: exec },
      { name: 'c.json', data: JSON.stringify({ os: 'linux', architecture: 'amd64', history: [{ created_by: 'COPY . /' }] }) },
      { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['lang:1'], Layers: ['l0/layer.tar'] }]) },
    ]),
  );
  const native = JSON.parse(execFileSync(CLI, ['scan', file, '--bundle', BUNDLE, '--format', 'json'], { maxBuffer: 64 << 20 }));
  const byEco = {};
  for (const p of native.packages) byEco[p.ecosystem.split(':')[0]] = (byEco[p.ecosystem.split(':')[0]] || 0) + 1;
  assert.deepEqual(byEco, { Go: 3, Maven: 1, PyPI: 1, npm: 1 }, JSON.stringify(native.packages.map((p) => p.purl)));

  const { page, context, errors } = await openApp(env);
  await page.waitForSelector('[data-testid=bundle-info]', { timeout: 30_000 });
  await page.setInputFiles('#file-input', file);
  await page.waitForSelector('[data-testid=findings]', { timeout: 30_000 });
  const counts = await page.$$eval('[data-testid=ecosystem-count]', (els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute('data-ecosystem'), Number(e.getAttribute('data-count'))])),
  );
  assert.deepEqual(counts, byEco);
  const ids = await page.$$eval('[data-testid=finding-row] .finding-id', (els) => els.map((e) => e.textContent));
  assert.deepEqual([...ids].sort(), native.findings.filter((f) => !f.not_applicable).map((f) => f.id).sort());
  for (const id of ['CVE-2021-23337', 'CVE-2023-32681', 'CVE-2024-24783']) assert.ok(ids.includes(id), `${id} in ${ids}`);
  await page.screenshot({ path: `${ARTIFACTS}/language-findings.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('each export downloads from the page, parses and validates', async () => {
  const python = path.join(process.env.TARSIER_VALIDATORS || path.join(os.homedir(), '.cache/tarsier/validators'), 'bin/python');
  const schema = path.join(ROOT, 'node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json');
  for (const f of [python, schema]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run scripts/setup.sh, which installs the validators`);
  }
  // Without the kernel headers: Python's schema validators take minutes over the 2,600 kernel
  // findings osv.dev's Debian export gives them (the exports themselves take milliseconds).
  const file = bullseyeImage({ kernel: false });
  const native = JSON.parse(execFileSync(CLI, ['scan', file, '--bundle', BUNDLE, '--format', 'json'], { maxBuffer: 64 << 20 }));
  assert.ok(native.findings.length > 50, `${native.findings.length}`);
  const { page, context, errors } = await openApp(env);
  await page.waitForSelector('[data-testid=bundle-info]', { timeout: 30_000 });
  await page.setInputFiles('#file-input', file);
  await page.waitForSelector('[data-testid=findings]', { timeout: 30_000 });
  const saved = {};
  for (const kind of ['json', 'cyclonedx', 'spdx', 'sarif', 'csv']) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=export-${kind}]`)]);
    const target = path.join(tmp, download.suggestedFilename());
    await download.saveAs(target);
    saved[kind] = target;
  }
  assert.match(path.basename(saved.cyclonedx), /^old_bullseye\.cdx\.json$/);
  for (const kind of ['cyclonedx', 'spdx', 'sarif']) {
    const args = [path.join(ROOT, 'tests/validate/validate.py'), kind, saved[kind]];
    if (kind === 'sarif') args.push(schema);
    execFileSync(python, args); // throws, with the validator's output, when invalid
  }
  const json = JSON.parse(fs.readFileSync(saved.json, 'utf8'));
  assert.equal(json.packages.length, native.packages.length);
  assert.equal(json.findings.length, native.findings.length);
  const cdx = JSON.parse(fs.readFileSync(saved.cyclonedx, 'utf8'));
  assert.equal(cdx.components.length, native.packages.length);
  assert.equal(cdx.vulnerabilities.length, native.findings.length);
  const spdx = JSON.parse(fs.readFileSync(saved.spdx, 'utf8'));
  assert.equal(spdx.packages.length, native.packages.length + 1);
  const sarif = JSON.parse(fs.readFileSync(saved.sarif, 'utf8'));
  assert.equal(sarif.runs[0].results.length, native.findings.length);
  const csv = fs.readFileSync(saved.csv, 'utf8').split('\r\n').filter(Boolean);
  assert.equal(csv.length, native.findings.length + 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('findings filter, search, page and open to a detail with the fix', async () => {
  // Debian 11 with every source package the DSA/DLA lists fix in bullseye (191), at an old version:
  // hundreds of findings.
  const sources = new Set();
  for (const list of ['DSA/list', 'DLA/list']) {
    const text = fs.readFileSync(path.join(ROOT, '../shared/advisories/debian-security-tracker', list), 'utf8');
    for (const m of text.matchAll(/^\t\[bullseye\] - (\S+) \d/gm)) sources.add(m[1]);
  }
  const names = [...sources].sort().slice(0, 400);
  const layer = makeTar([
    { name: 'etc/os-release', data: 'ID=debian\nVERSION_ID="11"\nPRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\n' },
    { name: 'var/lib/dpkg/status', data: status(names.map((src) => [`bin-${src}`, src, '0.1-1'])) },
    { name: 'srv/node_modules/lodash/package.json', data: '{"name": "lodash", "version": "4.17.19"}' },
  ]);
  const file = path.join(tmp, 'many.tar');
  fs.writeFileSync(
    file,
    makeTar([
      { name: 'l0/layer.tar', data: layer },
      { name: 'c.json', data: JSON.stringify({ os: 'linux', architecture: 'amd64', history: [{ created_by: 'debootstrap bullseye' }] }) },
      { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['many:1'], Layers: ['l0/layer.tar'] }]) },
    ]),
  );
  const native = JSON.parse(execFileSync(CLI, ['scan', file, '--bundle', BUNDLE, '--format', 'json'], { maxBuffer: 64 << 20 }));
  const shown = native.findings.filter((f) => !f.not_applicable);
  assert.ok(shown.length > 400, `${shown.length}`);

  const { page, context, errors } = await openApp(env);
  await page.waitForSelector('[data-testid=bundle-info]', { timeout: 30_000 });
  await page.setInputFiles('#file-input', file);
  await page.waitForSelector('[data-testid=findings]', { timeout: 60_000 });
  const rows = () => page.locator('[data-testid=finding-row]').count();
  // Paged: 200 rows, then 200 more.
  assert.equal(await rows(), 200);
  await page.click('[data-testid=show-more]');
  assert.equal(await rows(), 400);
  // Counts from "N shown" (filtered sets can be larger than a page).
  const matching = async () =>
    Number((await page.textContent('[data-testid=finding-matching]')).replace(/[^\d]/g, ''));
  assert.equal(await matching(), shown.length);
  // Ecosystem filter: npm only.
  await page.selectOption('[data-testid=filter-ecosystem]', 'npm');
  const npm = shown.filter((f) => f.ecosystem === 'npm');
  assert.equal(await matching(), npm.length);
  assert.equal(await rows(), Math.min(npm.length, 200));
  await page.selectOption('[data-testid=filter-ecosystem]', '');
  // Severity filter.
  await page.selectOption('[data-testid=filter-severity]', 'HIGH');
  assert.equal(await matching(), shown.filter((f) => f.severity === 'HIGH').length);
  await page.selectOption('[data-testid=filter-severity]', '');
  // Search by id, alias or package.
  await page.fill('[data-testid=finding-search]', 'CVE-2021-23337');
  assert.equal(await rows(), 1);
  assert.equal(await page.textContent('[data-testid=finding-matching]'), '1 shown');
  // Open it: the detail names every id, spells out the vector, and says what to do.
  await page.click('[data-testid=finding-row]');
  const detail = page.locator('[data-testid=finding-detail]');
  assert.match(await detail.textContent(), /GHSA-35jh-r3h4-6jhm/);
  assert.match(await detail.textContent(), /Attack vector: N/);
  assert.equal(await page.textContent('[data-testid=remediation] code'), 'npm install lodash@4.17.21');
  await page.screenshot({ path: `${ARTIFACTS}/finding-detail.png`, fullPage: false });
  // A Debian one: apt-get, and the base-image hint (it came with the first layer).
  await page.fill('[data-testid=finding-search]', 'bin-openssl');
  await page.locator('[data-testid=finding-row]').first().click();
  assert.match(await page.textContent('[data-testid=remediation] code'), /^apt-get install --only-upgrade bin-openssl .*rebuild on a newer base image$/);
  // Grouped by package and by vulnerability: one row per group, counts adding up.
  await page.fill('[data-testid=finding-search]', '');
  await page.selectOption('[data-testid=group-by]', 'package');
  const byPackage = new Set(shown.map((f) => `${f.package_name} ${f.installed_version}`));
  assert.equal(await page.locator('[data-testid=group-row]').count(), byPackage.size);
  const counts = await page.$$eval('[data-testid=group-row]', (rs) => rs.map((r) => Number(r.getAttribute('data-count'))));
  assert.equal(counts.reduce((a, b) => a + b, 0), shown.length);
  await page.selectOption('[data-testid=group-by]', 'vulnerability');
  assert.equal(await page.locator('[data-testid=group-row]').count(), new Set(shown.map((f) => f.id)).size);
  await page.selectOption('[data-testid=group-by]', '');
  assert.equal(await page.locator('[data-testid=group-row]').count(), 0);
  // With a fix only, and by layer.
  await page.check('[data-testid=filter-fixed]');
  const withFix = shown.filter((f) => f.fixed_versions.length > 0).length;
  assert.equal(await page.textContent('[data-testid=finding-matching]'), `${withFix} shown`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('image configuration, and findings from the base image can be hidden', async () => {
  const base = makeTar([
    { name: 'etc/os-release', data: 'ID=debian\nVERSION_ID="11"\nPRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\n' },
    { name: 'var/lib/dpkg/status', data: status([['libssl1.1', 'openssl', '1.1.1n-0+deb11u3']]) },
  ]);
  const own = makeTar([{ name: 'srv/node_modules/lodash/package.json', data: '{"name": "lodash", "version": "4.17.19"}' }]);
  const config = {
    os: 'linux',
    architecture: 'amd64',
    config: { User: 'node', Env: ['PATH=/usr/bin', 'NPM_TOKEN=npm_s3cr3t'], Cmd: ['node', 'server.js'], ExposedPorts: { '3000/tcp': {} } },
    history: [
      { created_by: '/bin/sh -c #(nop) ADD file:x in /' },
      { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
      { created_by: 'COPY node_modules /srv/node_modules' },
    ],
  };
  const file = path.join(tmp, 'based.tar');
  fs.writeFileSync(
    file,
    makeTar([
      { name: 'l0/layer.tar', data: base },
      { name: 'l1/layer.tar', data: own },
      { name: 'c.json', data: JSON.stringify(config) },
      { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['based:1'], Layers: ['l0/layer.tar', 'l1/layer.tar'] }]) },
    ]),
  );
  const native = JSON.parse(execFileSync(CLI, ['scan', file, '--bundle', BUNDLE, '--format', 'json'], { maxBuffer: 64 << 20 }));
  assert.equal(native.base_layers, 1);
  const own_findings = native.findings.filter((f) => f.layer >= 1 && !f.not_applicable).length;
  const base_findings = native.findings.filter((f) => f.layer < 1 && !f.not_applicable).length;
  assert.ok(own_findings > 0 && base_findings > 0);

  const { page, context, errors } = await openApp(env);
  await page.waitForSelector('[data-testid=bundle-info]', { timeout: 30_000 });
  await page.setInputFiles('#file-input', file);
  await page.waitForSelector('[data-testid=runtime]', { timeout: 30_000 });
  assert.match(await page.textContent('[data-testid=runtime-user]'), /^node/);
  assert.equal(await page.textContent('[data-testid=env-masked]'), '1 secret-looking values masked');
  const env_text = await page.textContent('[data-testid=runtime-env]');
  assert.ok(env_text.includes('NPM_TOKEN=••••••') && !env_text.includes('npm_s3cr3t'));
  assert.match(await page.textContent('[data-testid=base-layers]'), /layers 0–0 came from the base image/);
  const rows = () => page.locator('[data-testid=finding-row]').count();
  assert.equal(await rows(), own_findings + base_findings);
  await page.check('[data-testid=hide-base]');
  assert.equal(await rows(), own_findings);
  assert.equal(await page.textContent('[data-testid=base-hidden]'), `${base_findings} from the base image hidden`);
  await page.uncheck('[data-testid=hide-base]');
  await page.fill('[data-testid=finding-search]', 'libssl1.1');
  await page.locator('[data-testid=finding-row]').first().click();
  assert.match(await page.textContent('[data-testid=remediation] code'), /rebuild on a newer base image$/);
  await page.screenshot({ path: `${ARTIFACTS}/runtime-and-base.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('English and 简体中文: switchable, remembered, screenshots in both themes', async () => {
  const file = bullseyeImage();
  for (const colorScheme of ['light', 'dark']) {
    const { page, context, errors } = await openApp(env, { colorScheme, locale: 'en-US' });
    await page.waitForSelector('[data-testid=bundle-info]', { timeout: 30_000 });
    await page.setInputFiles('#file-input', file);
    await page.waitForSelector('[data-testid=findings]', { timeout: 30_000 });
    assert.match(await page.textContent('[data-testid=findings] h3'), /^Vulnerabilities/);
    await page.screenshot({ path: `${ARTIFACTS}/report-en-${colorScheme}.png`, fullPage: true });
    await page.selectOption('[data-testid=lang]', 'zh-CN');
    assert.match(await page.textContent('[data-testid=findings] h3'), /^漏洞/);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.match(await page.textContent('.dropzone h1'), /拖入容器镜像归档文件/);
    assert.match(await page.textContent('[data-testid=finding-matching]'), /^显示 \d+ 条$/);
    await page.screenshot({ path: `${ARTIFACTS}/report-zh-${colorScheme}.png`, fullPage: true });
    // Remembered: a reload comes back in Chinese.
    await page.reload();
    await page.waitForSelector('[data-testid=dropzone]');
    assert.match(await page.textContent('.dropzone h1'), /拖入容器镜像归档文件/);
    assert.equal(await page.inputValue('[data-testid=lang]'), 'zh-CN');
    await page.selectOption('[data-testid=lang]', 'en');
    assert.match(await page.textContent('.dropzone h1'), /^Drop a container image archive/);
    assert.deepEqual(errors, []);
    await context.close();
  }
  // A browser set to Chinese starts in Chinese.
  const { page, context } = await openApp(env, { locale: 'zh-CN' });
  assert.match(await page.textContent('.dropzone h1'), /拖入容器镜像归档文件/);
  await context.close();
});
