// report.html in a real browser: headless Debian Chromium opens the sample report from a file:// URL, waits for
// the page to say its charts are drawn, and checks every canvas has ink, the console is clean and nothing but
// the file itself was requested. Saves a full-page screenshot (and to $STACKBENCH_SCREENSHOT when set). Then two
// real quick runs: the ten verdict cards on the first 1400x900 screen, each with its headline and its picture.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium, openReport } from '../helpers/chromium.js';
import { writeReports } from '../../src/report/index.js';
import { analyze } from '../../src/analysis/index.js';
import { sampleResults } from '../fixtures/report-sample.js';
import { quickRun, quickRunDec07 } from '../fixtures/quick-run.js';

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
    // 7 workloads x (throughput, latency, concurrency, cpu, memory) + the overview + a card per measured claim.
    const cards = sampleResults().analysis!.verdicts.filter((v) => v.verdict !== 'not measured').length;
    assert.equal(canvases.length, 36 + cards, canvases.map((c) => c.name).join(' '));
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
  for (const [name, load] of [
    ['2026-12-03', quickRun],
    ['2026-12-07', quickRunDec07],
  ] as const)
    it(
      `shows the ten verdicts on the first 1400x900 screen (${name}): headline, a drawn chart, a table a click away`,
      { timeout: 60_000 },
      async () => {
        const run = load();
        run.analysis = analyze(run);
        const out = join(dir, `quick-${name}`);
        const { html } = writeReports(run, out);
        const url = pathToFileURL(html).href;
        const { page, problems, requests, ink } = await openReport(browser, url, {
          width: 1400,
          height: 900,
        });
        const cards = await page.evaluate(() =>
          [...document.querySelectorAll('article.vcard')].map((el) => {
            const box = el.getBoundingClientRect();
            return {
              id: el.id,
              badge: el.querySelector('.label')?.textContent ?? '',
              headline: el.querySelector('.headline')?.textContent ?? '',
              box: { left: box.left, top: box.top, right: box.right, bottom: box.bottom },
              canvas: el.querySelector('canvas')?.getAttribute('data-chart') ?? '',
            };
          }),
        );
        const verdicts = run.analysis.verdicts;
        assert.equal(cards.length, 10);
        verdicts.forEach((v, i) => {
          const c = cards[i]!;
          assert.equal(c.id, `claim-${v.claim}`);
          assert.equal(c.badge, v.verdict);
          assert.equal(c.headline, v.headline.text.replace(`${v.verdict} — `, ''));
          assert.ok(
            c.box.top >= 0 && c.box.bottom <= 900 && c.box.right <= 1400,
            `${v.claim} on the first screen: ${JSON.stringify(c.box)}`,
          );
          assert.equal(c.canvas, `verdict-${v.claim}`);
          assert.ok(ink[c.canvas]! > 0.03, `${v.claim}'s chart is drawn (ink ${ink[c.canvas]})`);
        });
        // The disclosure opens to the matchups as a table.
        const card = page.locator('#claim-concurrent-io');
        assert.equal(await card.locator('table.matchups').isVisible(), false);
        await card.locator('details > summary').click();
        const table = card.locator('table.matchups');
        assert.equal(await table.isVisible(), true);
        const io = verdicts.find((v) => v.claim === 'concurrent-io')!;
        assert.equal(await table.locator('tbody tr').count(), io.matchups.length);
        assert.match((await table.locator('thead').textContent()) ?? '', /server class.*bounds and caveats/i);

        assert.deepEqual(problems, []);
        assert.deepEqual(requests, [url], 'the page requested nothing but itself');
        await card.locator('details > summary').click();
        await page.screenshot({ path: join(out, 'first-screen.png') });
        assert.ok(statSync(join(out, 'first-screen.png')).size > 50_000);
        await page.close();
      },
    );
});
