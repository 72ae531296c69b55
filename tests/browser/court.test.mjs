// Court dates on a 390×844 phone (issue 11, coordination): the case manager
// adds a court date on the participant record — every invalid field listed
// at once, next to its input, what was typed kept — and the next week's
// court dates open their home page. axe-clean with and without errors.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApp, stopApp, phone, collectConsoleErrors, signIn, assertAccessible,
} from './lib.mjs';

before(startApp);
after(stopApp);

function dayIn(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

test('a case manager records a court date and sees it on their home page', async (t) => {
  const cm = await phone();
  const errors = collectConsoleErrors(cm.page);
  try {
    await signIn(cm.page, 'casemanager@demo.test');
    await cm.page.goto('/caseload');
    const first = cm.page.locator('ul.caseload li a').first();
    const name = (await first.textContent()).trim();
    await first.click();
    await cm.page.getByRole('heading', { level: 1, name }).waitFor();
    await cm.page.getByRole('link', { name: 'Court dates, warrants and cases' }).click();
    await cm.page.getByRole('heading', { level: 1, name: 'Court dates, warrants and cases' }).waitFor();
    const caseNumber = `26-CR-${String(Date.now()).slice(-5)}`;

    await t.test('every invalid field is named at once; what was typed stays', async () => {
      await cm.page.getByLabel('Case number', { exact: true }).fill(caseNumber);
      await cm.page.getByRole('button', { name: 'Add to the record' }).click();
      const alert = cm.page.locator('#problem');
      await alert.waitFor();
      assert.match(await alert.textContent(), /Please check 3 fields/);
      assert.equal(await cm.page.locator('.error').count(), 3, 'each next to its input');
      assert.equal(await cm.page.getByLabel('Case number', { exact: true }).inputValue(), caseNumber);
      assert.equal(await cm.page.getByLabel('Court', { exact: true }).getAttribute('aria-invalid'), 'true');
      await assertAccessible(cm.page, 'the court form with errors');
    });

    await t.test('saved, listed, and on the home page', async () => {
      await cm.page.getByText('Court date', { exact: true }).click();
      await cm.page.getByLabel('Day', { exact: true }).fill(dayIn(2));
      await cm.page.getByLabel('Court', { exact: true }).fill('Seattle Municipal Court');
      await Promise.all([
        cm.page.waitForURL((u) => u.search.includes('saved=1')),
        cm.page.getByRole('button', { name: 'Add to the record' }).click(),
      ]);
      await cm.page.getByRole('status').getByText('Saved to the record.').waitFor();
      await cm.page.getByText(caseNumber).waitFor();
      await assertAccessible(cm.page, 'the court dates page');
      const overflow = await cm.page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `scrolls sideways by ${overflow}px`);
      await cm.page.goto('/');
      const card = cm.page.getByRole('region', { name: /Court dates this week/ });
      await card.getByText(caseNumber).waitFor();
      await assertAccessible(cm.page, 'the home page with court dates');
    });
    assert.deepEqual(errors, []);
  } finally {
    await cm.context.close();
  }
});
