// The README's picture: a real run's report.html in headless Debian Chromium, its first screen (1400 x 900),
// once the page says its charts are drawn.
// Usage: node scripts/screenshot-report.mjs RESULTS_DIR/report.html docs/report.png
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [from, to] = process.argv.slice(2);
if (!from || !to || !existsSync(from)) {
  console.error('usage: node scripts/screenshot-report.mjs RESULTS_DIR/report.html OUT.png');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(pathToFileURL(resolve(from)).href);
  await page.waitForFunction('document.body.dataset.chartsRendered !== undefined', undefined, {
    timeout: 20_000,
  });
  await page.screenshot({ path: to });
} finally {
  await browser.close();
}
