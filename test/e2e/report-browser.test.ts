// report.html in a real browser: headless Debian Chromium opens the sample report from a file:// URL, waits for
// the page to say its charts are drawn, and checks every canvas has ink, the console is clean and nothing but
// the file itself was requested. Saves a full-page screenshot (and to $STACKBENCH_SCREENSHOT when set).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { writeReports } from '../../src/report/index.js';
import { sampleResults } from '../fixtures/report-sample.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`;

describe('report.html in headless Chromium', { skip }, () => {
  let browser: Browser;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-report-browser-'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws every chart, offline, without console errors', { timeout: 60_000 }, async () => {
    const { html } = writeReports(sampleResults(), dir);
    const url = pathToFileURL(html).href;
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('request', (r) => requests.push(r.url()));

    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.chartsRendered !== undefined, undefined, {
      timeout: 20_000,
    });
    const rendered = Number(await page.evaluate(() => document.body.dataset.chartsRendered));

    // Ink per canvas: the share of pixels that are not transparent.
    const canvases = await page.evaluate(() =>
      [...document.querySelectorAll('canvas[data-chart]')].map((el) => {
        const c = el as HTMLCanvasElement;
        const ctx = c.getContext('2d')!;
        const px = ctx.getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) ink++;
        return { name: c.dataset.chart!, width: c.width, height: c.height, ink: ink / (px.length / 4) };
      }),
    );
    // 7 workloads x (throughput, latency, concurrency, cpu, memory) + the overview.
    assert.equal(canvases.length, 36, canvases.map((c) => c.name).join(' '));
    assert.equal(rendered, canvases.length, 'every canvas got a chart');
    for (const c of canvases) {
      assert.ok(c.width > 100 && c.height > 100, `${c.name} has a size: ${c.width}x${c.height}`);
      assert.ok(c.ink > 0.01, `${c.name} is not blank (ink ${c.ink})`);
    }
    for (const name of [
      'overview',
      'latency-json',
      'concurrency-io',
      'throughput-db',
      'cpu-ml',
      'memory-data',
    ]) {
      assert.ok(
        canvases.some((c) => c.name === name),
        `chart ${name} exists`,
      );
    }
    // The crashed stack shows its reason; the generator-limited figure shows as a lower bound.
    const text = await page.evaluate(() => document.body.innerText);
    assert.match(text, /django-gunicorn failed: crashed during db/);
    assert.match(text, /≥16,\d{3} \(/);

    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [url], 'the page requested nothing but itself');

    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 50_000);
    if (process.env.STACKBENCH_SCREENSHOT)
      await page.screenshot({ path: process.env.STACKBENCH_SCREENSHOT, fullPage: true });
    await page.close();
  });
});
