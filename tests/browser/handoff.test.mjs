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
import { startApp, stopApp, phone, signIn, signedIn, assertAccessible, measureLoad } from './lib.mjs';

const DEMO_USERS = [
  'officer', 'community', 'casemanager', 'supervisor', 'prosecutor',
  'partner', 'oversight', 'evaluator', 'admin', 'bureau',
].map((u) => `${u}@demo.test`);
const LOGIN_BUDGET = 30 * 1024;

before(startApp);
after(stopApp);

test('the demo officer signs in on a 390×844 phone and reaches the officer home', async () => {
  await signedIn('officer@demo.test', async (page, errors) => {
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
  });
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
    const { weight, transferred, perf, parts, kinds, bodies } = await measureLoad(page, '/login', {
      bodies: true,
    });
    assert.deepEqual(kinds, ['document', 'stylesheet'], 'the login page loads its HTML and one stylesheet');
    console.log(
      `login page: ${transferred} bytes transferred (${(transferred / 1024).toFixed(1)} KB; ` +
        `${parts.join(', ')}), ${bodies} bytes of bodies, performance transferSize ${perf} bytes`,
    );
    assert.ok(transferred > 0 && bodies > 0, 'measured nothing');
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
  await signedIn('admin@demo.test', async (page, errors) => {
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
  });
});
