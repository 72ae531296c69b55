// Every form posts, redirects and gets, on a 390×844 phone: the officer
// files a referral through the quick form, reloads the result page and goes
// back and submits the same form again — the referral list and the case
// manager's inbox hold one referral with that incident number. Radios and
// checkboxes are one component: a small box beside its text on the
// prosecutor's hold decision and the release's signature method, with
// axe-core checks of both pages.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApp, stopApp, phone, collectConsoleErrors, signIn, signedIn, assertAccessible, runCli,
  fillQuickForm, submitReferral,
} from './lib.mjs';

before(startApp);
after(stopApp);

const stamp = String(Date.now()).slice(-6);
const incident = `26-${stamp}7`;
const person = { first: 'Dana', last: `Once${stamp}`, dob: '1988-04-02', offence: 'drug_possession', substance: 'opioid', grams: '1.2', incident };

/** The items of a list page that name this incident number. */
async function itemsWith(page, path, text) {
  await page.goto(path);
  return page.locator('li.item', { hasText: text }).count();
}

test('reloading the result page or submitting the form again files one referral', async () => {
  const officer = await phone();
  const errors = collectConsoleErrors(officer.page);
  try {
    const p = officer.page;
    await signIn(p, 'officer@demo.test');
    await p.goto('/referrals/new');
    await fillQuickForm(p, person);
    await submitReferral(p);
    const resultUrl = p.url();
    await p.getByRole('heading', { level: 1, name: 'Eligible for LEAD' }).waitFor();

    // Reloading the result page is a GET: nothing is filed again.
    await p.reload();
    await p.getByRole('heading', { level: 1, name: 'Eligible for LEAD' }).waitFor();
    assert.equal(p.url(), resultUrl);

    // Back to the form, and the same form submitted again: its client
    // token returns the first referral. (The page is never cached, so the
    // browser fetches it again; where it does not keep what was typed, the
    // officer types it again.)
    await p.goBack();
    assert.match(new URL(p.url()).pathname, /^\/referrals\/new$/);
    if ((await p.getByLabel('Last name').inputValue()) === '') {
      await fillQuickForm(p, person);
    }
    await submitReferral(p);
    await p.getByRole('heading', { level: 1, name: 'Eligible for LEAD' }).waitFor();
    assert.equal(new URL(p.url()).pathname, new URL(resultUrl).pathname, 'a second referral was filed');
    await p.getByText('nothing new was filed').waitFor();

    assert.equal(await itemsWith(p, '/referrals', incident), 1, 'referrals with the incident number');
    assert.deepEqual(errors, [], 'console errors on the officer pages');
  } finally {
    await officer.context.close();
  }
  await signedIn('casemanager@demo.test', async (page, errors) => {
    assert.equal(await itemsWith(page, '/handoffs', incident), 1, 'hand-offs with the incident number');
    assert.deepEqual(errors, []);
  });
});

/**
 * Each radio of `choices` is a small box on its label's line, just before
 * its text, and the row is a 44px target.
 */
async function assertCompactChoices(choices, what) {
  const n = await choices.count();
  assert.ok(n >= 2, `${what}: only ${n} choices`);
  for (let i = 0; i < n; i += 1) {
    const label = choices.nth(i);
    const box = await label.locator('input').boundingBox();
    const row = await label.boundingBox();
    // The text's own box: a range over the label's text nodes.
    const text = await label.evaluate((l) => {
      const r = document.createRange();
      const nodes = [...l.childNodes].filter((c) => c.nodeType === Node.TEXT_NODE && c.textContent.trim());
      r.setStartBefore(nodes[0]);
      r.setEndAfter(nodes[nodes.length - 1]);
      const b = r.getBoundingClientRect();
      return { x: b.x + window.scrollX, y: b.y + window.scrollY, width: b.width, height: b.height };
    });
    const name = await label.innerText();
    assert.ok(box.width <= 32 && box.height <= 32, `${what} "${name}": the box is ${box.width}×${box.height}`);
    const gap = text.x - (box.x + box.width);
    assert.ok(gap >= 0 && gap <= 16, `${what} "${name}": ${gap}px between the box and its text`);
    const boxMiddle = box.y + box.height / 2;
    assert.ok(boxMiddle >= text.y && boxMiddle <= text.y + text.height, `${what} "${name}": the box is not on the text's line`);
    assert.ok(row.height >= 44, `${what} "${name}": the row is ${row.height}px high`);
  }
}

test("radios sit beside their labels: the prosecutor's decision and the release's signature method", async () => {
  // A referral left pending lapses: the prosecutor's decision form.
  const officer = await phone();
  try {
    await signIn(officer.page, 'officer@demo.test');
    await officer.page.goto('/referrals/new');
    await fillQuickForm(officer.page, { ...person, last: `Lapse${stamp}`, incident: `26-${stamp}8` });
    await submitReferral(officer.page);
  } finally {
    await officer.context.close();
  }
  const later = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
  await runCli(['holds', 'sweep', '--as-of', later]);

  await signedIn('prosecutor@demo.test', async (page, errors) => {
    await page.goto('/holds');
    const item = page
      .getByRole('region', { name: 'Lapsed, awaiting your decision' })
      .locator('li[data-state="lapsed"]', { hasText: `26-${stamp}8` });
    await item.waitFor();
    await assertCompactChoices(item.locator('label.check:has(input[type=radio])'), 'hold decision');
    await assertAccessible(page, 'the hold queue');
    assert.deepEqual(errors, []);
  });

  await signedIn('casemanager@demo.test', async (page, errors) => {
    // A participant of the case manager's: the referral's page carries the release form.
    const mine = await (await page.request.get('/api/v1/referrals?mine=true')).json();
    const enrolled = mine.find((r) => r.participant_id);
    assert.ok(enrolled, 'the demo case manager has a participant');
    await page.goto(`/referrals/${enrolled.id}`);
    const signature = page.getByRole('group', { name: 'Signature' });
    await signature.waitFor();
    await assertCompactChoices(signature.locator('label.check:has(input[type=radio])'), 'signature method');
    await assertAccessible(page, 'the release of information form');
    assert.deepEqual(errors, []);
  });
});
