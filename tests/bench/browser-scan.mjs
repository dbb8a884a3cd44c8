// Scans one image archive in the built page in headless Chromium and prints JSON:
// {wall_ms (as the page measured it, from the file being chosen to the report), stages_ms (plan,
// layers, assemble + match), peak_rss_mb (the tab's renderer process, which hosts the page and
// its workers), layers, files, median_ms, runs}. The file is chosen once the page is ready, as a
// user's would be: its advisory bundle loaded (which also means its workers have started).
// Peak memory is the renderer's own high-water mark (VmHWM in /proc), read after the scan, so
// nothing samples the machine while the page works; each run gets a fresh browser.
// Usage: node tests/bench/browser-scan.mjs FILE [RUNS] [QUERY]
// (QUERY `?reads=sync` measures FileReaderSync reads instead of streamed ones)
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { start, openApp } from '../e2e/helpers.mjs';

const file = process.argv[2];
const runs = Number(process.argv[3] || 1);
const query = process.argv[4] || '';
if (!file) {
  console.error('usage: node tests/bench/browser-scan.mjs FILE [RUNS] [QUERY]');
  process.exit(2);
}

/** The largest peak resident memory of this machine's Chromium renderer processes (the tab
 * under test, which also hosts its workers; Chromium keeps a spare renderer or two beside it), in
 * MB. Only this benchmark's browser runs while it measures. */
function rendererPeakMb() {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  let kb = 0;
  for (const line of out.split('\n')) {
    if (!line.includes('chromium') || !line.includes('--type=renderer')) continue;
    const pid = line.trim().split(/\s+/)[0];
    try {
      const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
      if (m) kb = Math.max(kb, Number(m[1]));
    } catch {
      // the process ended meanwhile
    }
  }
  return kb / 1024;
}

const results = [];
for (let i = 0; i < runs; i++) {
  const env = await start();
  try {
    const { page } = await openApp(env, {}, query);
    await page.waitForSelector('[data-testid=bundle-info]', { timeout: 60_000 });
    await page.setInputFiles('#file-input', file);
    await page.waitForSelector('[data-testid=summary], [data-testid=error]', { timeout: 600_000 });
    const error = await page.$('[data-testid=error]');
    if (error) throw new Error(`the page reported an error: ${await error.textContent()}`);
    const elapsed = page.locator('[data-testid=elapsed-ms]');
    results.push({
      wall_ms: Number(await elapsed.getAttribute('data-ms')),
      stages_ms: (await elapsed.getAttribute('data-stages')).split(' ').map(Number),
      peak_rss_mb: Math.round(rendererPeakMb()),
      layers: Number(await page.textContent('[data-testid=layer-count]')),
      files: Number(await page.textContent('[data-testid=file-count]')),
    });
  } finally {
    await env.close();
  }
}
const best = results.reduce((a, b) => (b.wall_ms < a.wall_ms ? b : a));
const sorted = results.map((r) => r.wall_ms).sort((a, b) => a - b);
console.log(
  JSON.stringify({
    ...best,
    peak_rss_mb: Math.max(...results.map((r) => r.peak_rss_mb)),
    median_ms: sorted[Math.floor((sorted.length - 1) / 2)],
    runs: results.map((r) => r.wall_ms),
  }),
);
