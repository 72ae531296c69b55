// Shared helpers of Handoff's browser tests: start the real `handoff serve
// --demo` binary on a fresh SQLite database, drive Debian's Chromium through
// playwright-core, sign in, and check pages with axe-core (WCAG 2.1 A/AA).
//
// Environment:
//   HANDOFF_BIN       the binary (default ../../target/debug/handoff)
//   HANDOFF_CHROMIUM  the browser (default /usr/bin/chromium)

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const BIN = path.resolve(here, process.env.HANDOFF_BIN || '../../target/debug/handoff');
export const CHROMIUM = process.env.HANDOFF_CHROMIUM || '/usr/bin/chromium';
export const PASSWORD = 'demo-password';
export const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
// A phone: 390 × 844 CSS pixels, touch.
export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
};

/** The running application: filled in by `startApp`. */
export const app = {
  tmp: undefined,
  server: undefined,
  serverLog: '',
  base: undefined,
  databaseUrl: undefined,
  browser: undefined,
  axeSource: undefined,
};

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitReady(url, deadlineMs) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (app.server.exitCode !== null || app.server.signalCode !== null) {
      throw new Error(`handoff serve exited early (${app.server.exitCode ?? app.server.signalCode}):\n${app.serverLog}`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      throw new Error(`handoff serve not ready after ${deadlineMs} ms:\n${app.serverLog}`);
    }
    await sleep(100);
  }
}

/** The environment for the binary: the flags decide, not the caller's HANDOFF_* settings. */
function cleanEnv() {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('HANDOFF_')),
  );
  env.RUST_LOG ||= 'warn';
  return env;
}

/** Starts `handoff serve --demo` on a fresh database and launches the browser. */
export async function startApp() {
  app.tmp = await mkdtemp(path.join(tmpdir(), 'handoff-browser-'));
  const port = await freePort();
  app.base = `http://127.0.0.1:${port}`;
  app.databaseUrl = `sqlite://${app.tmp}/h.db`;
  // A small bash watchdog holds the server: when our end of its stdin
  // closes (the tests end, or this process dies however it dies) it sends
  // the server SIGTERM, so no server outlives the tests.
  app.server = spawn(
    'bash',
    [
      '-c',
      'exec 3<&0; "$@" </dev/null & pid=$!; { cat <&3 >/dev/null; kill -TERM "$pid" 2>/dev/null; } & wait "$pid"',
      'handoff',
      BIN,
      ...['serve', '--demo', '--bind', `127.0.0.1:${port}`, '--database-url', app.databaseUrl],
    ],
    { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const keep = (chunk) => {
    app.serverLog = (app.serverLog + chunk.toString()).slice(-20000);
  };
  app.server.stdout.on('data', keep);
  app.server.stderr.on('data', keep);
  app.server.on('error', (e) => keep(`spawn bash: ${e.message}\n`));
  await waitReady(app.base, 60_000);

  app.axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  app.browser = await chromium.launch({
    executablePath: CHROMIUM,
    // playwright-core starts the browser with a fresh temporary
    // --user-data-dir of its own, removed on close.
    headless: true,
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
}

/** Closes the browser, stops the server and removes the database. */
export async function stopApp() {
  if (app.browser) await app.browser.close().catch(() => {});
  const server = app.server;
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.stdin.end();
    const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!done) server.kill('SIGKILL');
  }
  if (app.tmp) await rm(app.tmp, { recursive: true, force: true });
}

/** Runs the `handoff` binary against the test database; resolves with its output. */
export async function runCli(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, [...args, '--database-url', app.databaseUrl], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (out += c));
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`handoff ${args.join(' ')} exited ${code}:\n${out}`)),
    );
  });
}

/** A fresh browser context (own cookies) on a phone. */
export async function phone(extra = {}) {
  const context = await app.browser.newContext({ ...PHONE, baseURL: app.base, ...extra });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  return { context, page };
}

/** Problems the page reports in the console (CSP violations among them). */
export function collectConsoleErrors(page) {
  const errors = [];
  page.on('console', (m) => {
    // The browser's own favicon probe is not the page's doing.
    if (m.type() !== 'error' || /\/favicon\.ico$/.test(m.location().url)) return;
    // A refused form answers 422 with the form again, naming the field: by design.
    if (/status of 422 \(Unprocessable Entity\)/.test(m.text())) return;
    errors.push(`${m.text()} [${m.location().url}]`);
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

export async function signIn(page, email) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
}

function describeViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    ${n.target.join(' ')}\n      ${n.html}\n      ${(n.failureSummary || '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}`;
    })
    .join('\n');
}

/**
 * Runs axe-core on the page as it is and fails on any WCAG 2.1 A/AA
 * violation. axe is evaluated through the DevTools protocol, which the
 * page's CSP (script-src 'self') does not govern, so the app's CSP stays in
 * force for everything else the page does.
 */
/**
 * Runs `body(page, errors)` on a phone signed in as `email`; `errors` collects
 * the console errors from before the sign-in on. The phone is closed after.
 */
export async function signedIn(email, body) {
  const { context, page } = await phone();
  const errors = collectConsoleErrors(page);
  try {
    await signIn(page, email);
    await body(page, errors);
  } finally {
    await context.close();
  }
}

export async function assertAccessible(page, what) {
  const loaded = await page.evaluate(() => typeof globalThis.axe !== 'undefined');
  if (!loaded) await page.evaluate(app.axeSource);
  const result = await page.evaluate(
    (tags) => globalThis.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
    WCAG,
  );
  console.log(
    `axe ${what}: ${result.violations.length} violations, ${result.passes.length} rules passed, ` +
      `${result.incomplete.length} need review`,
  );
  assert.equal(
    result.violations.length,
    0,
    `axe-core found WCAG 2.1 A/AA violations on ${what}:\n${describeViolations(result.violations)}`,
  );
}

/**
 * Loads `url` and measures what it transferred: headers and bodies on the
 * wire of every response, and the browser's own transferSize, the larger of
 * the two. Returns { weight, transferred, perf, parts, kinds }, and with
 * `{ bodies: true }` also `bodies`, the bytes of the bodies once decoded.
 */
export async function measureLoad(page, url, { bodies: countBodies = false } = {}) {
  // A cold load: nothing from the browser's cache.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const responses = [];
  const listener = (r) => responses.push(r);
  page.on('response', listener);
  await page.goto(url, { waitUntil: 'load' });
  page.off('response', listener);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  await cdp.detach();
  let transferred = 0;
  let bodies = 0;
  const parts = [];
  for (const r of responses) {
    const sizes = await r.request().sizes();
    const wire = sizes.responseHeadersSize + sizes.responseBodySize;
    transferred += wire;
    if (countBodies) bodies += (await r.body()).length;
    parts.push(`${new URL(r.url()).pathname} ${wire} B`);
  }
  const perf = await page.evaluate(() =>
    performance
      .getEntries()
      .filter((e) => 'transferSize' in e)
      .reduce((sum, e) => sum + e.transferSize, 0),
  );
  const kinds = responses.map((r) => r.request().resourceType()).sort();
  return { weight: Math.max(transferred, perf), transferred, perf, parts, kinds, bodies };
}

// Typing at a person's pace on a phone keyboard (about 40 words a minute)
// for the timed referral, so the time says something about the form.
export const KEY_DELAY_MS = 250;

/**
 * Fills the quick referral form; `offence` is a conduct category code.
 * With `typed`, text goes in key by key at KEY_DELAY_MS.
 */
export async function fillQuickForm(page, p, typed = false) {
  const type = async (label, text, opts) => {
    const field = page.getByLabel(label, opts);
    if (typed) {
      await field.click();
      await field.pressSequentially(text, { delay: KEY_DELAY_MS });
    } else {
      await field.fill(text);
    }
  };
  await type('First name', p.first);
  await type('Last name', p.last);
  await page.getByLabel('Date of birth', { exact: true }).fill(p.dob);
  await page.locator('label[for="sex-F"]').click();
  await page.getByLabel('Race (observed or stated)').selectOption('Hispanic/Latino');
  await page.getByLabel('Offence or conduct').selectOption(p.offence);
  if (p.substance) await page.getByLabel('Substance').selectOption(p.substance);
  if (p.grams) await type('Grams', p.grams);
  await type('Location (address or cross streets)', '2nd Ave & Pike St');
  await type('Incident number (arrest diversion)', p.incident);
}

/** Submits the quick form; the answer redirects to the referral's result page. */
export async function submitReferral(page) {
  await Promise.all([
    page.waitForURL((u) => /^\/referrals\/[0-9a-f-]+\/result$/.test(u.pathname)),
    page.getByRole('button', { name: 'Refer to LEAD' }).click(),
  ]);
}
