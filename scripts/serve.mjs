// A small static file server for the built site (dist/), used by the run command and the browser
// tests. Binds to 127.0.0.1 only. Usage: node scripts/serve.mjs [DIR] [PORT] [PREFIX]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.bin': 'application/octet-stream',
};

/** Starts serving `root` under `prefix` ("/" or "/sub/path/"); resolves to the http.Server. */
export function serve(root, port = 0, prefix = '/') {
  const base = path.resolve(root);
  const server = http.createServer((req, res) => {
    let url;
    try {
      url = new URL(req.url, 'http://localhost');
    } catch {
      res.writeHead(400).end();
      return;
    }
    let pathname = decodeURIComponent(url.pathname);
    if (!pathname.startsWith(prefix)) {
      res.writeHead(404).end('not found');
      return;
    }
    pathname = pathname.slice(prefix.length);
    if (pathname === '' || pathname.endsWith('/')) pathname += 'index.html';
    const file = path.resolve(base, pathname);
    if (!file.startsWith(base + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, {
        'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
        'Content-Length': st.size,
        'Cache-Control': 'no-cache',
      });
      fs.createReadStream(file).pipe(res);
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] || 'dist';
  const port = Number(process.argv[3] || process.env.PORT || 8080);
  const prefix = process.argv[4] || '/';
  const server = await serve(dir, port, prefix);
  console.log(`tarsier is being served at http://127.0.0.1:${server.address().port}${prefix}`);
  console.log('Press Ctrl+C to stop.');
}
