// Evidence from the site's own data, on the demo site: an officer on a
// 390×844 phone logs an eligible arrest that was booked (timed: under 30
// seconds from the home page to "Logged"), and the evaluator runs the
// evaluation on the site's own data in one click; the report names both
// groups and shows the propensity-weighting section.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApp, stopApp, phone, collectConsoleErrors, signIn, assertAccessible,
} from './lib.mjs';

before(startApp);
after(stopApp);

test('an officer logs an eligible arrest that was booked, on a phone, in under 30 s', async () => {
  const { context, page } = await phone();
  const errors = collectConsoleErrors(page);
  try {
    await signIn(page, 'officer@demo.test');
    // The home page says whether diversion is on this shift.
    await page.locator('#shift').getByText(/Diversion (ON|OFF)/).waitFor();
    await assertAccessible(page, 'officer home with the shift');
    const started = Date.now();
    await page.getByRole('link', { name: 'Log an eligible arrest booked' }).click();
    await page.getByRole('heading', { level: 1, name: 'Eligible, booked' }).waitFor();
    await page.getByLabel('Incident number').fill('26-777001');
    await page.getByLabel('Offence').selectOption('drug_possession');
    await page.getByLabel('Where (area)').selectOption('East Precinct');
    await page.getByLabel('Race').selectOption('Black/African American');
    await page.locator('label[for="ea-sex-M"]').click();
    await page.getByLabel('Age (about)').fill('34');
    await Promise.all([
      page.waitForURL(/\/eligible-arrests\/new\?logged=1$/),
      page.getByRole('button', { name: 'Log it' }).click(),
    ]);
    await page.locator('#logged').waitFor();
    const seconds = (Date.now() - started) / 1000;
    console.log(`eligible-but-booked arrest logged on a phone in ${seconds.toFixed(1)} s`);
    assert.ok(seconds < 30, `took ${seconds} s`);
    await assertAccessible(page, 'the eligible-but-booked form');
    // The same incident again: the form comes back with what was typed
    // and the problem named.
    await page.getByLabel('Incident number').fill('26-777001');
    await page.getByLabel('Offence').selectOption('drug_possession');
    await page.getByLabel('Where (area)').selectOption('East Precinct');
    await page.getByLabel('Race').selectOption('White');
    await page.locator('label[for="ea-sex-F"]').click();
    await page.getByLabel('Age (about)').fill('41');
    await page.getByRole('button', { name: 'Log it' }).click();
    await page.locator('#problem').getByText('already in the log').waitFor();
    assert.equal(await page.getByLabel('Age (about)').inputValue(), '41');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the evaluator runs the evaluation on the demo in one click', async () => {
  const { context, page } = await phone({ viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 });
  context.setDefaultTimeout(180_000);
  const errors = collectConsoleErrors(page);
  try {
    await signIn(page, 'evaluator@demo.test');
    await page.goto('/evaluation');
    const started = Date.now();
    await Promise.all([
      page.waitForURL(/\/evaluation\/runs\//),
      page.getByRole('button', { name: 'Run the evaluation' }).click(),
    ]);
    await page.locator('#report').waitFor();
    console.log(`evaluation run and report in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const sample = await page.locator('#sample').innerText();
    const lead = Number(/(\d+) LEAD participants/.exec(sample)[1]);
    const control = Number(/(\d+) people in the comparison group/.exec(sample)[1]);
    console.log(`demo evaluation: ${lead} LEAD, ${control} comparison`);
    assert.ok(lead >= 150 && control >= 80, sample);
    await page.locator('#weighting').waitFor();
    assert.equal(await page.locator('#sample').getByText('What the data cannot support').count(), 0, 'every analysis computed');
    await assertAccessible(page, 'the evaluation report');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("the site admin's programme records and the PCG report", async () => {
  const { context, page } = await phone();
  const errors = collectConsoleErrors(page);
  try {
    await signIn(page, 'admin@demo.test');
    await page.goto('/admin/evidence');
    await page.getByText('In force: version 1').waitFor();
    await assertAccessible(page, 'the programme records');
    // A refused cost keeps what was typed and names the field.
    await page.getByLabel('From', { exact: true }).fill('2026-03-31');
    await page.getByLabel('To', { exact: true }).fill('2026-01-01');
    await page.getByLabel('Amount (USD)').fill('1200');
    await page.getByRole('button', { name: 'Record the cost' }).click();
    await page.locator('#costs #problem').waitFor();
    assert.equal(await page.getByLabel('Amount (USD)').inputValue(), '1200');
    await page.goto('/reports/pcg');
    await page.locator('#equity svg, #referrals_by_door svg').first().waitFor();
    await assertAccessible(page, 'the PCG report');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
