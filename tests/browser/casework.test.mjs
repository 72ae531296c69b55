// Casework in the browser, on a 390×844 phone (issue 4): a case manager
// logs a contact in the field — place, a service, a note — in under a
// minute, and the supervisor's team caseload shows the contact.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApp, stopApp, phone, collectConsoleErrors, signIn, assertAccessible,
} from './lib.mjs';

const CONTACT_BUDGET_MS = 60_000;

before(startApp);
after(stopApp);

async function assertNoSidewaysScroll(page, what) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.ok(overflow <= 0, `${what} scrolls sideways by ${overflow}px at 390px`);
}

test('a case manager logs a contact with a service in the field; the supervisor sees the caseload update', async (t) => {
  const cm = await phone();
  const sup = await phone();
  const cmErrors = collectConsoleErrors(cm.page);
  const supErrors = collectConsoleErrors(sup.page);
  try {
    await signIn(cm.page, 'casemanager@demo.test');
    await signIn(sup.page, 'supervisor@demo.test');

    // The case manager's own caseload: the longest without contact first.
    let name;
    await t.test('my caseload lists the demo participants', async () => {
      await cm.page.goto('/caseload');
      await cm.page.getByRole('heading', { level: 1, name: 'Caseload' }).waitFor();
      const first = cm.page.locator('ul.caseload li a').first();
      name = (await first.textContent()).trim();
      assert.ok(name.length > 3, 'a participant is listed');
      await assertNoSidewaysScroll(cm.page, 'the caseload');
      await assertAccessible(cm.page, 'the caseload');
    });

    await t.test('the contact is logged in under a minute', async () => {
      await cm.page.locator('ul.caseload li a', { hasText: name }).first().click();
      await cm.page.getByRole('heading', { level: 1, name }).waitFor();
      const started = Date.now();
      await cm.page.getByRole('link', { name: 'Log a contact' }).click();
      await cm.page.getByRole('heading', { level: 1, name: `Contact with ${name}` }).waitFor();
      await assertNoSidewaysScroll(cm.page, 'the contact form');
      await cm.page.locator('label[for="place-shelter"]').click();
      await cm.page.getByLabel('Naloxone').check();
      await cm.page.getByLabel('Note', { exact: true }).pressSequentially('Gave a naloxone kit at the shelter', { delay: 30 });
      await Promise.all([
        cm.page.waitForURL((u) => /^\/participants\/[0-9a-f-]+$/.test(u.pathname)),
        cm.page.getByRole('button', { name: 'Save contact' }).click(),
      ]);
      const took = Date.now() - started;
      console.log(`contact logged in ${took} ms`);
      assert.ok(took < CONTACT_BUDGET_MS, `logging a contact took ${took} ms`);
      await cm.page.getByRole('status').getByText('Contact saved.').waitFor();
      const contacts = cm.page.getByRole('region', { name: 'Contacts' });
      await contacts.getByText('Gave a naloxone kit at the shelter').waitFor();
      await contacts.getByText('Naloxone').first().waitFor();
    });

    await t.test('axe: the contact form', async () => {
      await cm.page.getByRole('link', { name: 'Log a contact' }).click();
      await assertAccessible(cm.page, 'the contact form');
    });

    await t.test("the supervisor's team caseload shows today's contact", async () => {
      // The most recent contact first: today's is on the first page.
      await sup.page.goto('/caseload?view=team&order=reverse');
      const row = sup.page.locator('ul.caseload li', { hasText: name }).first();
      await row.getByText('Contact today').waitFor();
      await sup.page.getByRole('heading', { name: 'Case managers' }).waitFor();
      await assertNoSidewaysScroll(sup.page, 'the team caseload');
      await assertAccessible(sup.page, 'the team caseload');
    });

    assert.deepEqual(cmErrors, [], 'console errors on the case manager pages');
    assert.deepEqual(supErrors, [], 'console errors on the supervisor pages');
  } finally {
    await cm.context.close();
    await sup.context.close();
  }
});
