#!/usr/bin/env node
// The README's pictures, taken from the real demo: docs/status-page.png (the status page at start,
// its 24 h chart already filled) and docs/log-pretty.png (the pretty log lines a terminal shows).
//
//   npm run build && node scripts/screenshot-demo.mjs
//
// Runs the demo in this process as `librelinkup2mqtt demo` does on a terminal (the built dist/, the
// same pretty coloured logger), waits until both patients have a reading and their 24 h figures, and
// shoots with Debian's Chromium through playwright-core (no browser download; CHROMIUM_PATH to use
// another binary). Nothing leaves 127.0.0.1: any other request aborts the script. Also prints the
// log excerpt as plain text, for the README's code block.

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LOG_LINES = 18;
// ANSI colour escapes (SGR): ESC [ params m.
const ESC = String.fromCharCode(27);
const SGR = new RegExp(`(${ESC}\\[[0-9;]*m)`);
const SGR_ALL = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');

if (!existsSync(join(DIST, 'demo.js'))) throw new Error('no dist/demo.js: run `npm run build` first');
if (!existsSync(CHROMIUM))
  throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

const { portOrFree, startDemo } = await import(join(DIST, 'demo.js'));
const { startApp } = await import(join(DIST, 'app.js'));
const { createLogger } = await import(join(DIST, 'log.js'));
const { packageVersion } = await import(join(DIST, 'version.js'));

// What a terminal would show: pino-pretty's coloured lines, and the banner between them.
const terminal = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    terminal.push(
      ...chunk
        .toString()
        .split('\n')
        .filter((l) => l !== ''),
    );
    done();
  },
});
const logger = createLogger({ level: 'info', format: 'pretty', colorize: true, destination: sink });

// The ports a user gets (1883, 8099) when they are free, so the picture matches the README.
const demo = await startDemo({
  brokerPort: await portOrFree('127.0.0.1', 1883),
  env: {},
  dataDir: mkdtempSync(join(tmpdir(), 'llu-screenshot-')),
});
const app = await startApp(demo.config, { logger, version: packageVersion() });
terminal.push(...demo.banner(app).trimEnd().split('\n'));

async function until(probe, what, ms = 30_000) {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
  await until(async () => {
    const body = await (await fetch(`${app.httpUrl}/status.json`)).json();
    const ready =
      body.patients.length === 2 && body.patients.every((p) => p.value !== null && p.gmi !== null);
    return ready ? body : undefined;
  }, 'both patients with their 24 h figures');
  // The first poll's lines (login, both patients, their events) have been written by now.
  await until(
    () => (terminal.some((l) => l.includes('sam_demo: new reading')) ? true : undefined),
    'log lines',
  );

  const context = await browser.newContext({
    viewport: { width: 1100, height: 900 },
    colorScheme: 'dark',
    locale: 'en-GB',
    timezoneId: 'Europe/Berlin',
  });
  const page = await context.newPage();
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1' || url.protocol === 'about:') return route.continue();
    throw new Error(`the page asked for ${url.href}`);
  });
  await page.goto(`${app.httpUrl}/`);
  await page.waitForSelector('body[data-loaded="true"]', { timeout: 10_000 });
  await page.screenshot({ path: join(ROOT, 'docs', 'status-page.png'), fullPage: true });

  const lines = terminal.slice(0, LOG_LINES);
  // A fresh page: the status page's content security policy would refuse the inline styles.
  const shell = await context.newPage();
  await shell.setViewportSize({ width: 1900, height: 600 });
  await shell.setContent(terminalHtml(lines));
  await shell.locator('pre').screenshot({ path: join(ROOT, 'docs', 'log-pretty.png') });
  await context.close();
  const plain = lines.map(stripAnsi).join('\n');
  process.stdout.write(`${plain}\n\nwrote docs/status-page.png and docs/log-pretty.png\n`);
} finally {
  await browser.close();
  await app.stop();
  await demo.close();
}

function stripAnsi(text) {
  return text.replace(SGR_ALL, '');
}

/** The lines as a dark terminal would colour them (the SGR colours pino-pretty uses). */
function terminalHtml(lines) {
  const colours = {
    31: '#f7768e',
    32: '#9ece6a',
    33: '#e0af68',
    34: '#7aa2f7',
    35: '#bb9af7',
    36: '#7dcfff',
    90: '#737aa2',
  };
  const toHtml = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const html = lines
    .map((line) => {
      let out = '';
      let open = false;
      for (const part of line.split(SGR)) {
        const sgr = part.startsWith(ESC) ? /\[([0-9;]*)m$/.exec(part) : null;
        if (sgr === null) {
          out += toHtml(part);
          continue;
        }
        if (open) out += '</span>';
        const colour = colours[Number(sgr[1])];
        open = colour !== undefined;
        if (open) out += `<span style="color:${colour}">`;
      }
      return open ? `${out}</span>` : out;
    })
    .join('\n');
  return `<!doctype html><html><body style="margin:0;background:#1a1b26">
<pre style="margin:0;padding:16px 20px;color:#c0caf5;background:#1a1b26;font:13px/1.5 'DejaVu Sans Mono',monospace;white-space:pre;display:inline-block">${html}</pre>
</body></html>`;
}
