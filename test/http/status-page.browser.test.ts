// The status page end to end in a real headless Chromium (Debian's `chromium` package, driven by
// playwright-core with executablePath; no browser download), served by the real app. Every request
// the page makes is checked: anything not to 127.0.0.1 is blocked and fails the test.
//
// Skipped, with the reason printed, when there is no Chromium binary (CI installs it:
// `apt-get install chromium`). The README's picture is the demo's, by scripts/screenshot-demo.mjs.

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type App, startApp } from '../../src/app.js';
import { startDemo } from '../../src/demo.js';
import { startHttpServer } from '../../src/http/server.js';
import type { StatusBody } from '../../src/http/status.js';
import { TREND_ARROWS } from '../../src/http/status.js';
import { statusPages } from '../../src/http/status-page.js';
import { silentLogger } from '../../src/log.js';
import { HEALTHY } from '../helpers/http.js';
import { statusConfig, statusWhen, upstreams } from './status-app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const ROOT = join(import.meta.dirname, '..', '..');
/** Every state the page can show (fresh, stale, failing account, full chart). */
const SCREENSHOT = join(ROOT, 'test-artifacts', 'status-page.png');
const DEMO_SCREENSHOT = join(ROOT, 'test-artifacts', 'status-page-demo.png');
const INGRESS = '/api/hassio_ingress/Xq9L0w3bQ4n8sY2f';

if (!HAS_CHROMIUM) {
  console.warn(
    `status page browser test skipped: no Chromium at ${CHROMIUM} (install Debian's "chromium" package, or set CHROMIUM_PATH)`,
  );
}

/** Opens a page that may only talk to 127.0.0.1; returns what it tried to reach elsewhere. */
async function openPage(browser: Browser) {
  const context = await browser.newContext({
    viewport: { width: 1100, height: 900 },
    colorScheme: 'dark',
    locale: 'en-GB',
    timezoneId: 'Europe/Berlin',
  });
  const page = await context.newPage();
  const external: string[] = [];
  const requested: string[] = [];
  const errors: string[] = [];
  await page.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    external.push(url.href);
    return route.abort('blockedbyclient');
  });
  page.on('request', (r) => requested.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return { page, context, external, requested, errors };
}

async function card(page: Page, slug: string) {
  const root = page.locator(`article[data-slug="${slug}"]`);
  return {
    root,
    value: (await root.locator('.value').textContent())?.trim() ?? '',
    unit: (await root.locator('.unit').textContent())?.trim() ?? '',
    arrow: (await root.locator('.trend-arrow').textContent())?.trim() ?? '',
    trend: (await root.locator('.trend-text').textContent())?.trim() ?? '',
    stale: await root.getAttribute('data-stale'),
    text: (await root.textContent()) ?? '',
  };
}

describe.skipIf(!HAS_CHROMIUM)('status page in headless Chromium', () => {
  let browser: Browser;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
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
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    cleanups.length = 0;
  });

  it('shows values, units, trend, chart, a stale patient and the bridge health, at an ingress path', async () => {
    const app: App = await startApp(statusConfig(), {
      logger: silentLogger(),
      version: '0.0.0-test',
      makeClient: upstreams(),
    });
    cleanups.push(() => app.stop());
    const url = app.httpUrl!;
    await statusWhen(url, (s) => s.patients.length === 2, 'both patients');
    app.bridge.pollNow();
    const status = await statusWhen(
      url,
      (s) => s.patients.every((p) => p.chart.points.length > 100),
      'graph backfill',
    );

    const { page, context, external, requested, errors } = await openPage(browser);
    cleanups.push(() => context.close());
    // The page's own timers run on a clock the test can move (time flows as usual until then).
    await page.clock.install();
    // Behind ingress: the page must fetch its assets and data under the same prefix.
    await page.goto(`${url}${INGRESS}/`);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 10_000 });

    const anna = await card(page, 'anna_smith');
    expect(anna.value).toMatch(/^\d{2,3}$/);
    expect(Math.abs(Number(anna.value) - status.patients[0]!.value!)).toBeLessThanOrEqual(80);
    expect(anna.unit).toBe('mg/dL');
    expect(anna.arrow).toBe('↗');
    expect(anna.trend).toBe('rising');
    expect(anna.stale).toBe('false');
    expect(anna.text).toMatch(/just now|\d min ago/);
    expect(anna.text).toContain('Time in range (24 h)');

    const ben = await card(page, 'ben_jones');
    // A new reading may land between the status read above and the page's own fetch.
    expect(ben.value).toMatch(/^\d{1,2}\.\d$/);
    expect(Math.abs(Number(ben.value) - status.patients[1]!.value!)).toBeLessThanOrEqual(4.5);
    expect(ben.unit).toBe('mmol/L');
    expect(ben.arrow).toBe('↘');
    expect(ben.trend).toBe('falling');
    expect(ben.stale).toBe('true');
    expect(await ben.root.getAttribute('class')).toContain('stale');
    expect(await ben.root.locator('.stale-note').textContent()).toMatch(
      /^Stale: no new reading for 4\d min$/,
    );
    // Grey by colour too, and not the colour of a fresh value.
    // (Page code as strings: the project's TypeScript has no DOM types.)
    const colours = (await page.evaluate(`(() => {
      const probe = document.createElement('span');
      probe.style.color = getComputedStyle(document.documentElement).getPropertyValue('--stale');
      document.body.append(probe);
      const grey = getComputedStyle(probe).color;
      probe.remove();
      const colourOf = (slug) => getComputedStyle(document.querySelector('article[data-slug="' + slug + '"] .value')).color;
      return { grey, ben: colourOf('ben_jones'), anna: colourOf('anna_smith') };
    })()`)) as { grey: string; ben: string; anna: string };
    expect(colours.ben).toBe(colours.grey);
    expect(colours.anna).not.toBe(colours.grey);

    // A 12-hour chart per patient with the target band.
    for (const slug of ['anna_smith', 'ben_jones']) {
      const chart = page.locator(`article[data-slug="${slug}"] svg.chart`);
      await expect(chart.count()).resolves.toBe(1);
      expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(100);
      expect(await chart.locator('path.trace').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+)+/);
      const band = await chart.locator('rect.band').boundingBox();
      expect(band?.height ?? 0).toBeGreaterThan(10);
      expect(await chart.locator('title').textContent()).toContain('over the last 12 hours');
    }

    // Health: every account by its masked e-mail, the failing one with its error in words.
    const health = (await page.locator('#health').textContent()) ?? '';
    expect(health).toContain('Running with problems');
    expect(health).toContain('MQTT broker: connected');
    expect(health).toContain('an***@example.com');
    expect(health).toContain('ca***@example.org');
    expect(health).toMatch(/rate-limiting/);
    expect(health).not.toMatch(/follower@|carla\.follower/);
    expect(await page.locator('footer').textContent()).toContain('Not a medical device');

    // It refreshes itself (the page's CSP forbids eval, so no waitForFunction with a string): once
    // the refresh interval status.json names has passed, without waiting it out in real time.
    await page.clock.fastForward(status.refresh_seconds * 1000);
    await page.waitForSelector('body[data-refreshes="2"]', { timeout: 20_000 });

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    const paths = requested.map((r) => new URL(r)).filter((u) => u.protocol.startsWith('http'));
    expect(paths.every((u) => u.host === new URL(url).host)).toBe(true);
    expect(paths.map((u) => u.pathname)).toEqual(
      expect.arrayContaining([
        `${INGRESS}/`,
        `${INGRESS}/style.css`,
        `${INGRESS}/app.js`,
        `${INGRESS}/status.json`,
      ]),
    );
    expect(paths.every((u) => u.pathname.startsWith(`${INGRESS}/`))).toBe(true);
  }, 60_000);

  it('runs against the demo simulator the way `librelinkup2mqtt demo --http-port` does', async () => {
    // As src/cli.ts runs `demo`: the simulator and its config from startDemo, then the real app.
    const demo = await startDemo({
      brokerPort: 0,
      httpPort: 0,
      env: {},
      dataDir: mkdtempSync(join(tmpdir(), 'llu-status-demo-')),
    });
    cleanups.push(() => demo.close());
    const app = await startApp(demo.config, { logger: silentLogger(), version: '0.0.0-demo' });
    cleanups.push(() => app.stop());
    const url = app.httpUrl!;
    await statusWhen(
      url,
      (s) => s.patients.length === 2 && s.patients.every((p) => p.value !== null),
      'both demo patients with a reading',
    );

    const { page, context, external, requested, errors } = await openPage(browser);
    cleanups.push(() => context.close());
    // What the page itself received, to compare the rendering with.
    const received: StatusBody[] = [];
    page.on('response', async (r) => {
      if (new URL(r.url()).pathname.endsWith('/status.json')) received.push((await r.json()) as StatusBody);
    });
    await page.goto(`${url}/`);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 10_000 });

    const shown = [];
    for (const slug of ['alex_demo', 'sam_demo']) shown.push(await card(page, slug));
    const [alex, sam] = shown;
    expect(alex!.unit).toBe('mg/dL');
    expect(alex!.value).toMatch(/^\d{2,3}$/);
    expect(sam!.unit).toBe('mmol/L');
    expect(sam!.value).toMatch(/^\d{1,2}\.\d$/);
    const arrows = new Map(Object.values(TREND_ARROWS).map((t) => [t.arrow, t.text]));
    for (const [i, c] of shown.entries()) {
      expect(c.text).toContain(['Alex Demo', 'Sam Demo'][i]!);
      expect(c.stale).toBe('false');
      // Exactly what the bridge said, in the patient's unit, with the arrow matching the words.
      const sent = received.map((b) => b.patients[i]!);
      expect(sent.map((p) => (p.unit === 'mmol/L' ? p.value!.toFixed(1) : String(p.value)))).toContain(
        c.value,
      );
      expect(arrows.get(c.arrow)).toBe(c.trend);
      const chart = c.root.locator('svg.chart');
      expect(await chart.count()).toBe(1);
      expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(1);
      expect(await chart.locator('rect.band').count()).toBe(1);
      expect(await chart.locator('circle.dot').count()).toBe(1);
    }
    const health = (await page.locator('#health').textContent()) ?? '';
    expect(health).toContain('de***@example.com');
    expect(health).toContain('MQTT broker: connected');
    expect(health).not.toContain('demo-follower@example.com');

    await page.screenshot({ path: DEMO_SCREENSHOT, fullPage: true });
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    expect(requested.every((r) => new URL(r).hostname === '127.0.0.1')).toBe(true);
  }, 60_000);

  it("dates the data it keeps showing when the bridge is unreachable by the bridge's clock", async () => {
    // Under `demo --fast` the bridge's clock runs ahead of the browser's: every time on the page,
    // including "showing data from", must be the bridge's.
    const generatedAt = '2026-11-25T04:00:00.000Z';
    const logger = silentLogger();
    const status: StatusBody = {
      generated_at: generatedAt,
      version: '0.0.0-test',
      refresh_seconds: 1,
      stale_after_minutes: 15,
      patients: [],
      health: { status: 'ok', status_text: 'Running', broker_connected: true, reasons: [], accounts: [] },
    };
    const server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      logger,
      health: () => HEALTHY,
      pages: statusPages({ status: () => status, logger }),
    });
    cleanups.push(() => server.close());
    const { page, context } = await openPage(browser);
    cleanups.push(() => context.close());
    let answered = 0;
    await page.route('**/status.json', (route) =>
      answered++ === 0 ? route.continue() : route.abort('failed'),
    );
    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 10_000 });
    await page.waitForSelector('#problem:not([hidden])', { timeout: 10_000 });
    // 04:00:00 UTC is 05:00:00 in the page's Europe/Berlin, days before the browser's own clock.
    expect(await page.locator('#problem').textContent()).toContain('Showing data from 05:00:00');
  });
});
