// report.html in a real browser: headless Debian Chromium opens the sample report from a file:// URL, waits for
// the page to say its charts are drawn, and checks every canvas has ink, the console is clean and nothing but
// the file itself was requested. Saves a full-page screenshot (and to $STACKBENCH_SCREENSHOT when set).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium, openReport } from '../helpers/chromium.js';
import { writeReports } from '../../src/report/index.js';
import { sampleResults } from '../fixtures/report-sample.js';

describe('report.html in headless Chromium', () => {
  let browser: Browser;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-report-browser-'));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws every chart, offline, without console errors', { timeout: 60_000 }, async () => {
    const { html } = writeReports(sampleResults(), dir);
    const url = pathToFileURL(html).href;
    const { page, problems, requests, ink } = await openReport(browser, url);
    const rendered = Number(await page.evaluate(() => document.body.dataset.chartsRendered));
    const canvases = await page.evaluate(() =>
      [...document.querySelectorAll('canvas[data-chart]')].map((el) => {
        const c = el as HTMLCanvasElement;
        return { name: c.dataset.chart!, width: c.width, height: c.height };
      }),
    );
    // 7 workloads x (throughput, latency, concurrency, cpu, memory) + the overview.
    assert.equal(canvases.length, 36, canvases.map((c) => c.name).join(' '));
    assert.equal(rendered, canvases.length, 'every canvas got a chart');
    for (const c of canvases) {
      assert.ok(c.width > 100 && c.height > 100, `${c.name} has a size: ${c.width}x${c.height}`);
      assert.ok(ink[c.name]! > 0.01, `${c.name} is not blank (ink ${ink[c.name]})`);
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
