// Handoff's browser tests: the real `handoff serve --demo` binary on a fresh
// SQLite database, driven through Debian's Chromium by playwright-core, with
// axe-core checking WCAG 2.1 A/AA on the pages a newcomer sees first.
//
// Run with `node --test` in this folder (after `npm ci` and
// `cargo build -p handoff`). Environment:
//   HANDOFF_BIN       the binary (default ../../target/debug/handoff)
//   HANDOFF_CHROMIUM  the browser (default /usr/bin/chromium)

import { test, before, after } from 'node:test';
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

const BIN = path.resolve(here, process.env.HANDOFF_BIN || '../../target/debug/handoff');
const CHROMIUM = process.env.HANDOFF_CHROMIUM || '/usr/bin/chromium';
const PASSWORD = 'demo-password';
const DEMO_USERS = [
  'officer', 'community', 'casemanager', 'supervisor', 'prosecutor',
  'partner', 'oversight', 'evaluator', 'admin', 'bureau',
].map((u) => `${u}@demo.test`);
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const LOGIN_BUDGET = 30 * 1024;
// A phone: 390 × 844 CSS pixels, touch.
const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
};

let tmp;
let server;
let serverLog = '';
let base;
let browser;
let axeSource;

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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitReady(url, deadlineMs) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`handoff serve exited early (${server.exitCode ?? server.signalCode}):\n${serverLog}`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      throw new Error(`handoff serve not ready after ${deadlineMs} ms:\n${serverLog}`);
    }
    await sleep(100);
  }
}

before(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'handoff-browser-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // The flags below decide; no stray HANDOFF_* setting of the caller's shell.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('HANDOFF_')),
  );
  env.RUST_LOG ||= 'warn';
  // A small bash watchdog holds the server: when our end of its stdin
  // closes (the tests end, or this process dies however it dies) it sends
  // the server SIGTERM, so no server outlives the tests.
  server = spawn(
    'bash',
    [
      '-c',
      'exec 3<&0; "$@" </dev/null & pid=$!; { cat <&3 >/dev/null; kill -TERM "$pid" 2>/dev/null; } & wait "$pid"',
      'handoff',
      BIN,
      ...['serve', '--demo', '--bind', `127.0.0.1:${port}`, '--database-url', `sqlite://${tmp}/h.db`],
    ],
    { env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const keep = (chunk) => {
    serverLog = (serverLog + chunk.toString()).slice(-20000);
  };
  server.stdout.on('data', keep);
  server.stderr.on('data', keep);
  server.on('error', (e) => keep(`spawn bash: ${e.message}\n`));
  await waitReady(base, 60_000);

  axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  browser = await chromium.launch({
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
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.stdin.end();
    const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!done) server.kill('SIGKILL');
  }
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** A fresh browser context (own cookies) on a phone. */
async function phone(extra = {}) {
  const context = await browser.newContext({ ...PHONE, baseURL: base, ...extra });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  return { context, page };
}

/** Problems the page reports in the console (CSP violations among them). */
function collectConsoleErrors(page) {
  const errors = [];
  page.on('console', (m) => {
    // The browser's own favicon probe is not the page's doing.
    if (m.type() !== 'error' || /\/favicon\.ico$/.test(m.location().url)) return;
    errors.push(`${m.text()} [${m.location().url}]`);
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

async function signIn(page, email) {
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

/** Runs axe-core on the page as it is and fails on any WCAG 2.1 A/AA violation. */
async function assertAccessible(page, what) {
  await page.addScriptTag({ content: axeSource });
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

test('the demo officer signs in on a 390×844 phone and reaches the officer home', async () => {
  const { context, page } = await phone();
  const errors = collectConsoleErrors(page);
  try {
    await signIn(page, 'officer@demo.test');
    assert.equal(new URL(page.url()).pathname, '/');
    await page
      .getByRole('heading', { level: 1, name: 'Welcome, Officer Sam Ortiz' })
      .waitFor();
    await page
      .getByRole('heading', { level: 2, name: 'Offer LEAD instead of booking' })
      .waitFor();
    // One column on a phone: nothing wider than the screen.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `the home page scrolls sideways by ${overflow}px at 390px`);
    assert.deepEqual(errors, [], 'console errors (a CSP violation?)');
  } finally {
    await context.close();
  }
});

// bypassCSP lets the axe script tag in; the app's CSP (script-src 'self')
// stays in force in every other test.
test('axe-core: no WCAG 2.1 A/AA violations on the login page', async () => {
  const { context, page } = await phone({ bypassCSP: true });
  try {
    await page.goto('/login');
    await assertAccessible(page, 'the login page');
  } finally {
    await context.close();
  }
});

test("axe-core: no WCAG 2.1 A/AA violations on the officer's home page", async () => {
  const { context, page } = await phone({ bypassCSP: true });
  try {
    await signIn(page, 'officer@demo.test');
    await page.getByRole('heading', { level: 1, name: /^Welcome, / }).waitFor();
    await assertAccessible(page, "the officer's home page");
  } finally {
    await context.close();
  }
});

test('the login page weighs under 30 KB transferred (HTML + CSS)', async () => {
  const { context, page } = await phone();
  try {
    const responses = [];
    page.on('response', (r) => responses.push(r));
    await page.goto('/login', { waitUntil: 'load' });
    let transferred = 0;
    let bodies = 0;
    const parts = [];
    for (const r of responses) {
      const sizes = await r.request().sizes();
      const body = (await r.body()).length;
      const wire = sizes.responseHeadersSize + sizes.responseBodySize;
      transferred += wire;
      bodies += body;
      parts.push(`${new URL(r.url()).pathname} ${wire} B`);
    }
    const perf = await page.evaluate(() =>
      performance
        .getEntries()
        .filter((e) => 'transferSize' in e)
        .reduce((sum, e) => sum + e.transferSize, 0),
    );
    const kinds = responses.map((r) => r.request().resourceType()).sort();
    assert.deepEqual(kinds, ['document', 'stylesheet'], 'the login page loads its HTML and one stylesheet');
    console.log(
      `login page: ${transferred} bytes transferred (${(transferred / 1024).toFixed(1)} KB; ` +
        `${parts.join(', ')}), ${bodies} bytes of bodies, performance transferSize ${perf} bytes`,
    );
    assert.ok(transferred > 0 && bodies > 0, 'measured nothing');
    const weight = Math.max(transferred, perf);
    assert.ok(weight < LOGIN_BUDGET, `login page is ${weight} bytes, budget ${LOGIN_BUDGET}`);
  } finally {
    await context.close();
  }
});

test('every demo user signs in and reaches a home page', async (t) => {
  for (const email of DEMO_USERS) {
    await t.test(email, async () => {
      const { context, page } = await phone();
      try {
        await signIn(page, email);
        assert.equal(new URL(page.url()).pathname, '/', `${email} landed on ${page.url()}`);
        await page.getByRole('heading', { level: 1, name: /^Welcome, / }).waitFor();
      } finally {
        await context.close();
      }
    });
  }
});

test('the site admin adds a partner agency through the form and sees it listed', async () => {
  const { context, page } = await phone();
  const errors = collectConsoleErrors(page);
  try {
    await signIn(page, 'admin@demo.test');
    await page.goto('/admin');
    await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
    const name = `Eastside Recovery Café ${Date.now()}`;
    const agencies = page.getByRole('region', { name: 'Partner agencies' });
    await agencies.getByLabel('Name').fill(name);
    await agencies.getByLabel('Kind').selectOption('health');
    const [posted] = await Promise.all([
      page.waitForResponse(
        (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/admin/agencies',
      ),
      agencies.getByRole('button', { name: 'Add agency' }).click(),
    ]);
    assert.equal(posted.status(), 303, `adding the agency answered ${posted.status()}`);
    await page.waitForURL((u) => u.pathname === '/admin');
    await page.waitForLoadState('load');
    const listed = page
      .getByRole('region', { name: 'Partner agencies' })
      .getByRole('listitem')
      .filter({ hasText: name });
    await listed.waitFor();
    assert.equal(await listed.count(), 1);
    assert.deepEqual(errors, [], 'console errors (a CSP violation?)');
  } finally {
    await context.close();
  }
});
