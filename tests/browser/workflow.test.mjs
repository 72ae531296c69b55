// The diversion workflow in the browser, on a 390×844 phone (issue 3's
// acceptance): an officer refers through the quick form → the on-call case
// manager's hand-off inbox updates live and they accept → the officer sees
// who is coming → arrival, triage, intake and a release of information
// signed on the canvas → the prosecutor's queue shows the hold satisfied.
// An excluded offence is ineligible with the rule named; a referral left
// pending lapses after `handoff holds sweep --as-of` and the prosecutor
// records a decision. axe-core checks the quick form, the inbox, the
// intake/ROI page and the hold queue.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApp, stopApp, phone, collectConsoleErrors, signIn, signedIn, assertAccessible, measureLoad, runCli,
  fillQuickForm, submitReferral, KEY_DELAY_MS,
} from './lib.mjs';

const FORM_BUDGET_MS = 60_000;
const FORM_WEIGHT_BUDGET = 50 * 1024;

before(startApp);
after(stopApp);

/** One column on a phone: nothing wider than the screen. */
async function assertNoSidewaysScroll(page, what) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.ok(overflow <= 0, `${what} scrolls sideways by ${overflow}px at 390px`);
}

function isoDay(offsetDays) {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return d.toISOString().slice(0, 10);
}

test('arrest diversion from the street to a satisfied hold, an excluded offence, and a lapsed hold decided', async (t) => {
  const stamp = String(Date.now()).slice(-6);
  const person = { first: 'Dana', last: `Reyes${stamp}`, dob: '1988-04-02', offence: 'drug_possession', substance: 'opioid', grams: '1.2', incident: `26-${stamp}1` };
  const officer = await phone();
  const cm = await phone();
  const prosecutor = await phone();
  const officerErrors = collectConsoleErrors(officer.page);
  let referralPath;
  const cmErrors = collectConsoleErrors(cm.page);
  try {
    // The on-call case manager has the inbox open, listening.
    await signIn(cm.page, 'casemanager@demo.test');
    await cm.page.goto('/handoffs');
    await cm.page.getByRole('heading', { level: 1, name: 'Hand-offs' }).waitFor();
    await cm.page.waitForFunction(() => document.documentElement.getAttribute('data-live') === 'connected');
    await cm.page.evaluate(() => { window.__notReloaded = true; });

    await signIn(officer.page, 'officer@demo.test');

    await t.test('the quick referral page weighs under 50 KB', async () => {
      const m = await measureLoad(officer.page, '/referrals/new');
      console.log(`quick referral page: ${m.weight} bytes transferred (${(m.weight / 1024).toFixed(1)} KB; ${m.parts.join(', ')})`);
      assert.ok(m.weight > 0, 'measured nothing');
      assert.ok(m.weight < FORM_WEIGHT_BUDGET, `quick referral page is ${m.weight} bytes, budget ${FORM_WEIGHT_BUDGET}`);
      // At most 8 required fields: those the browser enforces plus date of
      // birth or age, location and incident number, which screening requires.
      const marked = await officer.page.evaluate(() =>
        [...new Set([...document.querySelectorAll('form.quick [required]')].map((e) => e.name))],
      );
      console.log(`quick referral required fields: ${[...marked, 'dob|approx_age', 'address', 'incident_number'].join(', ')}`);
      assert.ok(marked.length + 3 <= 8, `${marked.length + 3} required fields`);
    });

    await t.test('the officer refers in under a minute and sees the result', async () => {
      const started = Date.now();
      await officer.page.goto('/referrals/new');
      await fillQuickForm(officer.page, person, true);
      await submitReferral(officer.page);
      await officer.page.getByRole('heading', { level: 1, name: 'Eligible for LEAD' }).waitFor();
      const elapsed = Date.now() - started;
      console.log(`quick referral: ${elapsed} ms from page load to result (typing at ${KEY_DELAY_MS} ms a key)`);
      assert.ok(elapsed < FORM_BUDGET_MS, `the quick referral took ${elapsed} ms`);
      await officer.page.getByText('A case manager has been notified.').waitFor();
      await officer.page.getByText('hold deadline').waitFor();
      await officer.page.getByText(/Screened against policy version \d+/).waitFor();
      referralPath = await officer.page.getByRole('link', { name: 'Follow this referral' }).getAttribute('href');
      const reasons = await officer.page.locator('ul.reasons li').count();
      assert.ok(reasons >= 3, `only ${reasons} screening reasons shown`);
    });

    await t.test('axe: the quick referral page', async () => {
      await officer.page.goto('/referrals/new');
      await assertNoSidewaysScroll(officer.page, 'the quick referral page');
      await assertAccessible(officer.page, 'the quick referral page');
    });

    await t.test("the case manager's inbox updates live and they accept", async () => {
      // The officer keeps the referral's page open meanwhile.
      await officer.page.goto(referralPath);
      await officer.page.waitForFunction(() => document.documentElement.getAttribute('data-live') === 'connected');
      const item = cm.page.locator('#live li.item', { hasText: person.last });
      await item.waitFor({ timeout: 15_000 });
      assert.equal(await cm.page.evaluate(() => window.__notReloaded), true, 'the inbox reloaded instead of updating');
      await assertNoSidewaysScroll(cm.page, 'the hand-off inbox');
      await assertAccessible(cm.page, 'the hand-off inbox');
      await Promise.all([
        cm.page.waitForURL((u) => /^\/referrals\/[0-9a-f-]+$/.test(u.pathname)),
        item.getByRole('button', { name: /^Accept/ }).click(),
      ]);
      await cm.page.getByText('You accepted the hand-off.').waitFor();
    });

    await t.test('the officer sees who is coming', async () => {
      // Live, on the referral's page …
      await officer.page.locator('#live').getByText('Alex Rivera').waitFor();
      // … and in "My referrals".
      await officer.page.goto('/referrals');
      const mine = officer.page.locator('li.item', { hasText: person.last });
      await mine.getByText('Case manager: Alex Rivera').waitFor();
    });

    await t.test('arrival, triage, intake and a release signed on the canvas', async () => {
      const p = cm.page;
      await Promise.all([
        p.waitForURL((u) => u.searchParams.get('done') === 'arrived'),
        p.getByRole('button', { name: 'Arrived' }).click(),
      ]);
      const triage = p.getByRole('region', { name: 'Triage at the scene' });
      await triage.getByLabel('Food').check();
      await triage.getByLabel('Shelter tonight').check();
      await triage.getByLabel('Safety concerns').fill('None observed');
      await Promise.all([
        p.waitForURL((u) => u.searchParams.get('done') === 'triage'),
        triage.getByRole('button', { name: 'Save triage' }).click(),
      ]);
      await assertNoSidewaysScroll(p, 'the intake page');
      await assertAccessible(p, 'the intake page');
      const intake = p.getByRole('region', { name: 'Psychosocial intake' });
      await intake.getByLabel('Living situation (HUD)').selectOption('place_not_meant_for_habitation');
      await intake.getByLabel('Monthly income (dollars)').fill('250');
      await intake.getByLabel('SNAP').check();
      await intake.getByLabel('Mental health').fill('Would like to see a counsellor');
      await intake.getByLabel(/goals, in their own words/).fill('get an ID card\nfind a place to stay');
      await Promise.all([
        p.waitForURL((u) => u.searchParams.get('done') === 'intake'),
        intake.getByRole('button', { name: 'Complete intake' }).click(),
      ]);
      const roi = p.getByRole('region', { name: 'Release of information' });
      await roi.waitFor();
      await assertAccessible(p, 'the release of information page');
      const housing = roi.getByRole('group', { name: 'Safe Harbor Housing' });
      await housing.getByLabel('Share with Safe Harbor Housing').check();
      await housing.getByText('What Safe Harbor Housing may receive').click();
      await housing.getByLabel(/Enrollment/).check();
      await housing.getByLabel(/Engagement/).check();
      // The police are offered only what officers may ever receive; the Part 2
      // elements appear while substance use is ticked for a recipient.
      const police = roi.getByRole('group', { name: 'Demo County Police Department' });
      assert.deepEqual(await police.locator('input[type=checkbox]').evaluateAll((xs) => xs.map((x) => x.value).slice(1)), ['enrollment', 'engagement']);
      assert.equal(await roi.getByRole('group', { name: 'National LEAD Support Bureau' }).count(), 0);
      const part2 = roi.getByRole('group', { name: /42 CFR Part 2 consent/ });
      assert.equal(await part2.isVisible(), false, 'no Part 2 elements without substance use');
      await housing.getByLabel(/Substance use treatment/).check();
      await part2.waitFor();
      assert.match(await part2.innerText(), /42 CFR part 2/);
      await assertAccessible(p, 'the release of information page with Part 2 consent');
      await housing.getByLabel(/Substance use treatment/).uncheck();
      await part2.waitFor({ state: 'hidden' });
      // Without a signature the release is refused, naming it, and the form keeps what was ticked.
      await roi.getByRole('button', { name: 'Record the release' }).click();
      const refusal = p.getByRole('alert');
      await refusal.waitFor();
      assert.match(await refusal.innerText(), /Signature/);
      assert.equal(await housing.getByLabel('Share with Safe Harbor Housing').isChecked(), true, 'the refused form kept its recipients');
      assert.equal(await housing.getByLabel(/Engagement/).isChecked(), true, 'the refused form kept its categories');
      await assertNoSidewaysScroll(p, 'the release of information page');
      // The participant signs with a finger; here, a pointer drawing a zigzag.
      const pad = roi.getByRole('img', { name: 'Signature pad' });
      await pad.scrollIntoViewIfNeeded();
      const box = await pad.boundingBox();
      await p.mouse.move(box.x + 20, box.y + box.height / 2);
      await p.mouse.down();
      for (let i = 1; i <= 12; i++) {
        await p.mouse.move(box.x + 20 + i * ((box.width - 40) / 12), box.y + box.height / 2 + (i % 2 ? -20 : 20), { steps: 3 });
      }
      await p.mouse.up();
      await Promise.all([
        p.waitForURL((u) => u.searchParams.get('done') === 'release'),
        roi.getByRole('button', { name: 'Record the release' }).click(),
      ]);
      await p.getByText('Release of information recorded.').waitFor();
      await p.locator('.status[data-status="enrolled"]').waitFor();
      const list = p.getByRole('region', { name: 'Releases of information' });
      await list.getByText('in force').waitFor();

      // A second release, signed on paper and uploaded as a PDF, then revoked.
      const roi2 = p.getByRole('region', { name: 'Release of information' });
      const defender = roi2.getByRole('group', { name: 'Demo County Public Defender' });
      await defender.getByLabel('Share with Demo County Public Defender').check();
      await defender.getByText('What Demo County Public Defender may receive').click();
      await defender.getByLabel(/Enrollment/).check();
      await roi2.getByLabel('Signed paper form (PDF)').check();
      await roi2.getByLabel('Signed PDF').setInputFiles({
        name: 'signed-release.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'),
      });
      await p.waitForFunction(() => document.getElementById('pdf_base64').value.length > 0);
      await Promise.all([
        p.waitForURL((u) => u.searchParams.get('done') === 'release'),
        roi2.getByRole('button', { name: 'Record the release' }).click(),
      ]);
      const uploaded = list.locator('li.item', { hasText: 'Demo County Public Defender' });
      await uploaded.getByText('in force').waitFor();
      await Promise.all([
        p.waitForURL((u) => u.searchParams.get('done') === 'revoked'),
        uploaded.getByRole('button', { name: 'Revoke' }).click(),
      ]);
      await list.locator('li.item[data-status="revoked"]', { hasText: 'Demo County Public Defender' }).waitFor();
      await list.locator('li.item[data-status="in_force"]', { hasText: 'Safe Harbor Housing' }).waitFor();
    });

    await t.test("the prosecutor's queue shows the hold satisfied", async () => {
      await signIn(prosecutor.page, 'prosecutor@demo.test');
      await prosecutor.page.goto('/holds');
      const satisfied = prosecutor.page.getByRole('region', { name: 'Satisfied: do not file' });
      await satisfied.locator('li[data-state="satisfied"]', { hasText: person.incident }).getByText('satisfied').waitFor();
      await assertNoSidewaysScroll(prosecutor.page, 'the hold queue');
      await assertAccessible(prosecutor.page, 'the hold queue');
    });

    await t.test('an excluded offence is ineligible with the rule named', async () => {
      await officer.page.goto('/referrals/new');
      await fillQuickForm(officer.page, { ...person, last: `Excluded${stamp}`, offence: 'promoting_prostitution', substance: '', grams: '', incident: `26-${stamp}2` });
      await submitReferral(officer.page);
      await officer.page.getByRole('heading', { level: 1, name: 'Not eligible' }).waitFor();
      await officer.page.getByText('Proceed as usual.').waitFor();
      await officer.page.getByText(/Excluded by the rule (Promoting prostitution|Eligible conduct)/).first().waitFor();
    });

    await t.test('a referral left pending lapses after the sweep and the prosecutor decides', async () => {
      const incident = `26-${stamp}3`;
      await officer.page.goto('/referrals/new');
      await fillQuickForm(officer.page, { ...person, last: `Pending${stamp}`, incident });
      await submitReferral(officer.page);
      await officer.page.getByRole('heading', { level: 1, name: 'Eligible for LEAD' }).waitFor();
      const out = await runCli(['holds', 'sweep', '--as-of', isoDay(60)]);
      console.log(`sweep: ${out.trim()}`);
      const p = prosecutor.page;
      await p.goto('/holds');
      const lapsed = p.getByRole('region', { name: 'Lapsed, awaiting your decision' });
      const item = lapsed.locator('li[data-state="lapsed"]', { hasText: incident });
      await item.waitFor();
      await item.getByLabel('Declined').check();
      await item.getByLabel('Note').fill('Declined in the interest of justice');
      // The decision is confirmed before it is recorded.
      await item.getByRole('button', { name: 'Record decision' }).click();
      await Promise.all([
        p.waitForURL((u) => u.pathname === '/holds'),
        p.getByRole('button', { name: 'Confirm decision' }).click(),
      ]);
      const decided = p.getByRole('region', { name: 'Lapsed and decided' });
      await decided.locator('li', { hasText: incident }).getByText(/declined — Declined in the interest of justice/).waitFor();
    });

    assert.deepEqual(officerErrors, [], 'console errors on the officer pages (a CSP violation?)');
    assert.deepEqual(cmErrors, [], 'console errors on the case manager pages (a CSP violation?)');
  } finally {
    await officer.context.close();
    await cm.context.close();
    await prosecutor.context.close();
  }
});

test('the supervisor sees hand-off times per week and keeps the on-call roster', async () => {
  await signedIn('supervisor@demo.test', async (page, errors) => {
    await page.goto('/supervisor');
    const times = page.getByRole('region', { name: 'Hand-off times' }).first();
    const rows = times.locator('tbody tr');
    assert.equal(await rows.count(), 8, 'eight weeks of hand-off times');
    // This week's row: the journey's hand-off was accepted.
    const thisWeek = rows.first();
    const cells = await thisWeek.locator('td').allInnerTexts();
    console.log(`hand-off times this week: ${cells.join(' | ')}`);
    assert.ok(Number(cells[0]) >= 1, `no hand-off counted this week: ${cells.join(' | ')}`);
    assert.match(cells[1], /min/);
    await assertAccessible(page, 'the supervisor page');

    await page.goto('/roster');
    const add = page.getByRole('region', { name: 'Add a shift' });
    const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    await add.getByLabel('Case manager').selectOption({ label: 'Alex Rivera' });
    await add.getByLabel(/^Starts/).fill(`${day}T08:00`);
    await add.getByLabel('Ends').fill(`${day}T16:00`);
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/roster'),
      add.getByRole('button', { name: 'Add shift' }).click(),
    ]);
    const shift = page.locator('li.item', { hasText: `${day} 08:00 to ${day} 16:00` });
    await shift.waitFor();
    await assertAccessible(page, 'the roster');
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/roster'),
      shift.getByRole('button', { name: /^Remove/ }).click(),
    ]);
    await page.getByRole('heading', { level: 1, name: 'On-call roster' }).waitFor();
    assert.equal(await page.locator('li.item', { hasText: `${day} 08:00 to ${day} 16:00` }).count(), 0);
    assert.deepEqual(errors, [], 'console errors (a CSP violation?)');
  });
});

test('a community referrer refers without police', async () => {
  const { context, page } = await phone();
  try {
    await signIn(page, 'community@demo.test');
    await page.goto('/referrals/new?door=community');
    await page.getByRole('heading', { level: 1, name: 'Community referral' }).waitFor();
    await page.getByLabel('First name').fill('Jo');
    await page.getByLabel('Last name').fill(`Outreach${Date.now() % 100000}`);
    await page.getByLabel('or age (about)').fill('40');
    await page.locator('label[for="sex-U"]').click();
    await page.getByLabel('Race (observed or stated)').selectOption('Unknown');
    await page.getByLabel('Location (address or cross streets)').fill('Westlake Park');
    await submitReferral(page);
    await page.getByRole('heading', { level: 1, name: 'Eligible for LEAD' }).waitFor();
    await page.getByText('A case manager has been notified.').waitFor();
  } finally {
    await context.close();
  }
});

test('a refused referral re-shows the form naming the field; "use my location" fills the coordinates', async () => {
  const { context, page } = await phone({
    permissions: ['geolocation'],
    geolocation: { latitude: 47.6097, longitude: -122.3331 },
  });
  try {
    await signIn(page, 'officer@demo.test');
    await page.goto('/referrals/new');
    await page.getByRole('button', { name: 'Use my location' }).click();
    await page.getByText(/^Location added/).waitFor();
    assert.equal(await page.locator('#lat').inputValue(), '47.609700');
    assert.equal(await page.locator('#lon').inputValue(), '-122.333100');
    await fillQuickForm(page, { first: 'Lee', last: 'Nomber', dob: '1990-01-01', offence: 'theft', incident: 'bad number!' });
    await page.getByRole('button', { name: 'Refer to LEAD' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Incident number/);
    assert.equal(await page.getByLabel('First name').inputValue(), 'Lee', 'the form keeps what was typed');
  } finally {
    await context.close();
  }
});

test('the site admin saves a new policy version through the editor', async () => {
  await signedIn('admin@demo.test', async (page, errors) => {
    await page.goto('/admin/policy');
    const current = await page.getByRole('heading', { level: 2, name: /^In force: version \d+/ }).innerText();
    const before = Number(current.match(/\d+/)[0]);
    await assertAccessible(page, 'the policy editor');
    // A hold window outside 1–180 days is refused, naming the field.
    await page.getByLabel('Hold window (days)').fill('500');
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /hold window days/i);
    await page.getByLabel('Hold window (days)').fill('30');
    await page.getByLabel('Hand-off target (minutes)').fill('45');
    await page.getByLabel(/^Why it changes/).fill('PCG meeting, minute 4');
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('saved') === '1'),
      page.getByRole('button', { name: 'Save as a new version' }).click(),
    ]);
    await page.getByRole('heading', { level: 2, name: `In force: version ${before + 1}` }).waitFor();
    assert.equal(await page.getByLabel('Hand-off target (minutes)').inputValue(), '45');
    await page.getByRole('region', { name: 'History' }).first().getByText('PCG meeting, minute 4').waitFor();
    assert.deepEqual(errors, [], 'console errors (a CSP violation?)');
  });
});
