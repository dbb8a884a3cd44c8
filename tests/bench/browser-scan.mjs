// Scans one image archive in the built page in headless Chromium and prints JSON:
// {wall_ms (as the page measured it, from the file being chosen to the report), peak_rss_mb (the
// tab's renderer process, which hosts the page and its workers), layers, files}.
// Usage: node tests/bench/browser-scan.mjs FILE [RUNS]
import { execFileSync } from 'node:child_process';
import { start, openApp } from '../e2e/helpers.mjs';

const file = process.argv[2];
const runs = Number(process.argv[3] || 1);
if (!file) {
  console.error('usage: node tests/bench/browser-scan.mjs FILE [RUNS]');
  process.exit(2);
}

/** Resident memory of the largest Chromium renderer process (the tab under test, which also
 * hosts its workers; Chromium keeps a spare renderer or two beside it), in MB. */
function rendererRssMb() {
  try {
    const out = execFileSync('ps', ['-eo', 'rss,args'], { encoding: 'utf8' });
    let kb = 0;
    for (const line of out.split('\n')) {
      if (line.includes('chromium') && line.includes('--type=renderer')) kb = Math.max(kb, Number(line.trim().split(/\s+/)[0]) || 0);
    }
    return kb / 1024;
  } catch {
    return 0;
  }
}

const env = await start();
const results = [];
try {
  for (let i = 0; i < runs; i++) {
    const { page, context } = await openApp(env);
    let peak = rendererRssMb();
    const timer = setInterval(() => {
      peak = Math.max(peak, rendererRssMb());
    }, 50);
    await page.setInputFiles('#file-input', file);
    await page.waitForSelector('[data-testid=summary], [data-testid=error]', { timeout: 600_000 });
    clearInterval(timer);
    const error = await page.$('[data-testid=error]');
    if (error) throw new Error(`the page reported an error: ${await error.textContent()}`);
    const wall = Number(await page.getAttribute('[data-testid=elapsed-ms]', 'data-ms'));
    results.push({
      wall_ms: wall,
      peak_rss_mb: Math.round(peak),
      layers: Number(await page.textContent('[data-testid=layer-count]')),
      files: Number(await page.textContent('[data-testid=file-count]')),
    });
    await context.close();
  }
} finally {
  await env.close();
}
const best = results.reduce((a, b) => (b.wall_ms < a.wall_ms ? b : a));
console.log(JSON.stringify({ ...best, runs: results.map((r) => r.wall_ms) }));
