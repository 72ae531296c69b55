// The case manager's work on a referral as steps, on a 390×844 phone (issue
// 11, S2): the rules sit beside the decision to accept; once at work, one
// step per screen section (arrive, triage, intake, release) under a step
// indicator; the HUD living situations grouped as HUD groups them; a
// refused intake keeps what was typed. axe-core on every step.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApp, stopApp, phone, collectConsoleErrors, signIn, assertAccessible,
  fillQuickForm, submitReferral,
} from './lib.mjs';

before(startApp);
after(stopApp);

const stamp = String(Date.now()).slice(-6);

async function height(page) {
  return page.evaluate(() => document.documentElement.scrollHeight);
}

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.ok(overflow <= 0, `${what} scrolls sideways by ${overflow}px at 390px`);
}

test('the hand-off work is steps: rules at the decision, one step a screen, grouped living situations, nothing lost on error', async () => {
  const person = { first: 'Iris', last: `Step${stamp}`, dob: '1979-02-03', offence: 'drug_possession', substance: 'opioid', grams: '0.5', incident: `26-${stamp}77` };
  const officer = await phone();
  const cm = await phone();
  const errors = collectConsoleErrors(cm.page);
  try {
    await signIn(officer.page, 'officer@demo.test');
    await officer.page.goto('/referrals/new');
    await fillQuickForm(officer.page, person);
    await submitReferral(officer.page);
    const referral = new URL(officer.page.url()).pathname.replace(/\/result$/, '');

    const p = cm.page;
    await signIn(p, 'casemanager@demo.test');
    await p.goto(referral);
    // The rules are open beside the decision, above the page's fold of work.
    const rules = p.locator('details', { has: p.getByRole('heading', { name: /every rule applied/ }) });
    assert.equal(await rules.evaluate((d) => d.open), true, 'the rules are open while deciding');
    const accept = p.getByRole('button', { name: 'Accept this hand-off' });
    const rulesBox = await rules.boundingBox();
    const acceptBox = await accept.boundingBox();
    assert.ok(acceptBox.y > rulesBox.y, 'the rules come just before the decision');
    await assertAccessible(p, 'the referral before accepting');
    await Promise.all([p.waitForURL((u) => u.searchParams.get('done') === 'accepted'), accept.click()]);

    // Step 1: arrive. The indicator names the step; the rules are folded away.
    const steps = p.getByRole('navigation', { name: 'Steps of the hand-off' });
    assert.equal(await steps.locator('[aria-current=step]').innerText(), '1 Arrive');
    assert.equal(await rules.evaluate((d) => d.open), false, 'the rules fold away once at work');
    assert.equal(await p.getByRole('region', { name: 'Psychosocial intake' }).count(), 0, 'one step at a time');
    await noSidewaysScroll(p, 'the arrive step');
    await assertAccessible(p, 'the arrive step');
    await Promise.all([
      p.waitForURL((u) => u.searchParams.get('done') === 'arrived'),
      p.getByRole('button', { name: 'Arrived' }).click(),
    ]);

    // Step 2: triage, alone on the page.
    assert.match(await steps.locator('[aria-current=step]').innerText(), /2\s+Triage/);
    assert.match(await steps.locator('li[data-step=arrive]').innerText(), /done/);
    const triage = p.getByRole('region', { name: 'Triage at the scene' });
    await triage.getByLabel('Food').check();
    const triageHeight = await height(p);
    console.log(`triage step: ${triageHeight}px tall at 390px`);
    assert.ok(triageHeight < 2600, `the triage step is ${triageHeight}px tall`);
    await assertAccessible(p, 'the triage step');
    await Promise.all([
      p.waitForURL((u) => u.searchParams.get('step') === 'intake'),
      triage.getByRole('button', { name: 'Save triage' }).click(),
    ]);

    // Step 3: intake, with the living situations in HUD's groups.
    const intake = p.getByRole('region', { name: 'Psychosocial intake' });
    assert.equal(await triage.count(), 0, 'triage is no longer on the page');
    const groups = await intake.getByLabel('Living situation (HUD)').locator('optgroup').evaluateAll((gs) => gs.map((g) => g.label));
    assert.deepEqual(groups, ['Homeless situations', 'Institutional situations', 'Temporary housing situations', 'Permanent housing situations', 'Not known']);
    const homeless = await intake.locator('optgroup[label="Homeless situations"] option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(homeless, ['place_not_meant_for_habitation', 'emergency_shelter', 'safe_haven']);
    const values = await intake.locator('select#living option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    assert.equal(new Set(values).size, values.length, 'no situation offered twice');
    assert.ok(!values.includes('unsheltered') && !values.includes('housed'), 'the field shorthands are not offered beside the HUD situations');
    const intakeHeight = await height(p);
    console.log(`intake step: ${intakeHeight}px tall at 390px`);
    await assertAccessible(p, 'the intake step');
    // Refused (the goals are blank, typed as spaces): what was typed stays.
    await intake.getByLabel('Living situation (HUD)').selectOption('emergency_shelter');
    await intake.getByLabel('Monthly income (dollars)').fill('310');
    await intake.getByLabel('SNAP').check();
    await intake.getByLabel(/goals, in their own words/).fill('   ');
    await intake.getByRole('button', { name: 'Complete intake' }).click();
    await p.getByRole('alert').waitFor();
    const again = p.getByRole('region', { name: 'Psychosocial intake' });
    assert.equal(await again.getByLabel('Living situation (HUD)').inputValue(), 'emergency_shelter');
    assert.equal(await again.getByLabel('Monthly income (dollars)').inputValue(), '310');
    assert.equal(await again.getByLabel('SNAP').isChecked(), true);
    assert.match(await steps.locator('[aria-current=step]').innerText(), /3\s+Intake/);
    await assertAccessible(p, 'the refused intake step');
    await again.getByLabel(/goals, in their own words/).fill('a bed tonight');
    await Promise.all([
      p.waitForURL((u) => u.searchParams.get('done') === 'intake'),
      again.getByRole('button', { name: 'Complete intake' }).click(),
    ]);

    // Step 4: the release, and a link to the participant record.
    assert.match(await steps.locator('[aria-current=step]').innerText(), /4\s+Release/);
    await p.getByRole('region', { name: 'Release of information' }).waitFor();
    await p.getByRole('link', { name: 'Open the participant record' }).waitFor();
    await assertAccessible(p, 'the release step');
    assert.deepEqual(errors, []);
  } finally {
    await officer.context.close();
    await cm.context.close();
  }
});
