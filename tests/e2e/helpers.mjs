// Shared set-up for the browser tests: serve dist/ on 127.0.0.1, start Debian's Chromium through
// playwright-core, and collect page errors.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.join(ROOT, 'dist');
export const FIXTURES = path.resolve(ROOT, '../shared/fixtures');
export const ARTIFACTS = path.join(ROOT, 'tests/e2e/artifacts');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** The path of a shared fixture; fails loudly when it is missing. */
export function fixture(rel) {
  const p = path.join(FIXTURES, rel);
  if (!fs.existsSync(p)) {
    throw new Error(`fixture ${p} is missing: the tests expect ../shared beside the project`);
  }
  return p;
}

export async function start({ prefix = '/', dist = DIST } = {}) {
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    throw new Error(`${dist}/index.html is missing: build the site first (trunk build --release)`);
  }
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package`);
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const server = await serve(dist, 0, prefix);
  const url = `http://127.0.0.1:${server.address().port}${prefix}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    url,
    browser,
    async close() {
      await browser.close();
      // Drop kept-alive connections too, so closing never waits on a socket the browser left.
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Opens the app (`query`: a search string such as `?reads=sync`); records console errors and
 * uncaught page errors in `errors`. */
export async function openApp(env, options = {}, query = '') {
  const context = await env.browser.newContext(options);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(env.url + query);
  await page.waitForSelector('[data-testid=dropzone]');
  return { page, context, errors };
}

/** Drops bytes on the drop zone the way a user's drag and drop does: a `drop` event carrying a File. */
export async function dropFile(page, filePath, name = path.basename(filePath)) {
  const b64 = fs.readFileSync(filePath).toString('base64');
  await page.evaluate(
    ({ b64, name }) => {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type: 'application/x-tar' }));
      const zone = document.querySelector('[data-testid=dropzone]');
      for (const type of ['dragenter', 'dragover', 'drop']) {
        zone.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      }
    },
    { b64, name },
  );
}

/** A ustar header for a regular file of `size` bytes (a Number, so sizes past what a Buffer holds work). */
export function tarHeader(name, size) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

/** A minimal ustar writer for archives built inside the tests: [{name, data: Buffer|string}]. */
export function makeTar(entries) {
  const blocks = [];
  for (const { name, data } of entries) {
    const body = Buffer.isBuffer(data) ? data : Buffer.from(data);
    blocks.push(tarHeader(name, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
