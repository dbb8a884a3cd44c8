// Prints the workers' timing lines for one scan in the built page. Usage: node tests/bench/trace.mjs FILE
import { start, openApp } from '../e2e/helpers.mjs';
const env = await start();
const { page } = await openApp(env);
page.on('console', (m) => m.text().startsWith('tarsier:') && console.log(m.text()));
const t0 = Date.now();
await page.setInputFiles('#file-input', process.argv[2]);
await page.waitForSelector('[data-testid=summary]', { timeout: 600_000 });
console.log('page says', await page.getAttribute('[data-testid=elapsed-ms]', 'data-ms'), 'ms; wall from setInputFiles', Date.now() - t0, 'ms');
await env.close();
