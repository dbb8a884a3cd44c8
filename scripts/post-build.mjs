// Trunk post_build hook: finishes the built site in $TRUNK_STAGING_DIR.
// 1. A Content-Security-Policy meta tag: the site runs under a strict policy. Trunk's one inline
//    script (the module that starts the app) is allowed by its SHA-256, nothing else inline.
// 2. sw.js, the service worker (from static/sw.template.js) with the list of files to cache and
//    a version derived from their contents, so a new build replaces the old cache.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error('TRUNK_STAGING_DIR is not set: run this as a Trunk hook');
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const indexPath = path.join(dir, 'index.html');
let html = fs.readFileSync(indexPath, 'utf8');
const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].filter((m) => !/\bsrc=/.test(m[0]));
const hashes = scripts.map((m) => `'sha256-${crypto.createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
  "style-src 'self'",
  // Leptos sets a few style attributes (bar widths); inline <style> elements stay forbidden.
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
if (html.includes('http-equiv="Content-Security-Policy"')) {
  html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, meta);
} else {
  html = html.replace(/(<meta charset="utf-8" \/>)/, `$1\n    ${meta}`);
}
if (!html.includes(meta)) throw new Error('could not place the CSP meta tag in index.html');
fs.writeFileSync(indexPath, html);

function walk(d, prefix = '') {
  return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(d, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}
const files = walk(dir).filter((f) => f !== 'sw.js').sort();
const version = crypto.createHash('sha256');
for (const f of files) version.update(f).update(fs.readFileSync(path.join(dir, f)));
const template = fs.readFileSync(path.join(root, 'static/sw.template.js'), 'utf8');
const sw = template
  .replace("'__VERSION__'", JSON.stringify(version.digest('hex').slice(0, 16)))
  .replace('__FILES__', JSON.stringify(files));
fs.writeFileSync(path.join(dir, 'sw.js'), sw);
console.error(`[post-build] CSP with ${hashes.length} inline script hash(es); sw.js caches ${files.length} files`);
