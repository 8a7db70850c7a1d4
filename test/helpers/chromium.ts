// Headless Debian Chromium for the report tests (playwright-core drives it; nothing is downloaded).
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, headless; a machine without it fails the test with the command that installs it. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is not installed: the report tests need it (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    // As root in a sandbox, offline: no sandbox, and none of Chromium's background calls home.
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
}

export interface Opened {
  page: Page;
  problems: string[];
  requests: string[];
  /** data-chart name -> share of painted pixels. */
  ink: Record<string, number>;
}

/** Open a report file, wait until its charts are drawn, and measure the ink on every chart canvas. */
export async function openReport(
  browser: Browser,
  url: string,
  viewport = { width: 1440, height: 900 },
): Promise<Opened> {
  const page = await browser.newPage({ viewport });
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
  const ink = await page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('canvas[data-chart]')].map((el) => {
        const c = el as HTMLCanvasElement;
        const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) painted++;
        return [c.dataset.chart!, painted / (px.length / 4)];
      }),
    ),
  );
  return { page, problems, requests, ink };
}
