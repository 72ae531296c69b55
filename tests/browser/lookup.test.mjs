// Every role's working day (the officer and the partner), on a 390×844
// phone: an officer looks up whether someone is a LEAD participant and is
// told only where the person's release discloses enrolment to the police;
// the partner agency reaches what was shared with it from its home page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApp, stopApp, phone, collectConsoleErrors, signIn, assertAccessible,
} from './lib.mjs';

before(startApp);
after(stopApp);

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** Runs `fn(arg)` in the signed-in page (same-origin fetch with its session). */
const inPage = (page, fn, arg) => page.evaluate(fn, arg);

/** As the case manager: signs a release to the first agency of `kind` for `categories`. */
async function release(page, pid, kind, categories) {
  return inPage(page, async ({ pid, kind, categories, png }) => {
    const csrf = document.querySelector('input[name="csrf_token"]').value;
    const agencies = await (await fetch('/api/v1/agencies')).json();
    const agency = agencies.find((a) => a.kind === kind);
    const r = await fetch(`/api/v1/participants/${pid}/releases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({
        recipients: [{ agency_id: agency.id, categories }],
        purpose: 'care coordination',
        expires_on: '2099-01-01',
        signature: { method: 'drawn', image_base64: png },
      }),
    });
    return r.status;
  }, { pid, kind, categories, png: PNG });
}

function split(name) {
  const at = name.indexOf(' ');
  return { first: name.slice(0, at), last: name.slice(at + 1) };
}

test("an officer's look-up and the partner's 'Shared with us'", async (t) => {
  const cm = await phone();
  const officer = await phone();
  const partner = await phone();
  const errors = [cm, officer, partner].map((p) => collectConsoleErrors(p.page));
  try {
    await signIn(cm.page, 'casemanager@demo.test');
    await signIn(officer.page, 'officer@demo.test');
    await signIn(partner.page, 'partner@demo.test');
    const load = await inPage(cm.page, async () => (await fetch('/api/v1/caseloads?view=mine')).json());
    const people = load.cases.filter((p) => p.name && p.dob && p.name.split(' ').length === 2);
    assert.ok(people.length > 3, 'the demo case manager has participants');

    // A participant released to the police for enrolment, and one whom the
    // officer may not be told about.
    const allowed = people[0];
    assert.equal(await release(cm.page, allowed.id, 'police', ['enrollment']), 201);
    let withheld;
    for (const p of people.slice(1)) {
      const { first, last } = split(p.name);
      const q = new URLSearchParams({ last_name: last, first_name: first, dob: p.dob });
      const a = await inPage(officer.page, async (q) => (await fetch(`/api/v1/lookup?${q}`)).json(), q.toString());
      if (a.matches.length === 0) { withheld = p; break; }
    }
    assert.ok(withheld, 'a participant without a release to the police');

    async function lookUp(person) {
      const { first, last } = split(person.name);
      await officer.page.goto('/');
      await officer.page.getByRole('link', { name: 'Is this person in LEAD?' }).click();
      await officer.page.getByRole('heading', { level: 1, name: 'Is this person in LEAD?' }).waitFor();
      await officer.page.getByLabel('Last name').fill(last);
      await officer.page.getByLabel('First name').fill(first);
      await officer.page.getByLabel('Date of birth').fill(person.dob);
      await officer.page.getByRole('button', { name: 'Look up' }).click();
      await officer.page.locator('#answer').waitFor();
      assert.equal(new URL(officer.page.url()).search, '', 'nothing typed goes into the URL');
    }

    await t.test('the officer is told about a participant whose release allows it', async () => {
      await lookUp(allowed);
      await officer.page.getByRole('heading', { level: 2, name: 'LEAD participant' }).waitFor();
      await officer.page.getByText('Alex Rivera').waitFor();
      await officer.page.getByRole('link', { name: '(206) 555-0100' }).waitFor();
      await assertAccessible(officer.page, 'the look-up answer');
    });

    await t.test('and about no one else', async () => {
      await lookUp(withheld);
      await officer.page.getByText('No LEAD participant found that you may be told about.').waitFor();
      const text = await officer.page.locator('main').innerText();
      assert.ok(!text.includes('Alex Rivera') && !text.includes('LEAD participant\n'), text);
      await lookUp({ name: 'Quillon Zephyrine', dob: '1971-07-07' });
      assert.equal(
        await officer.page.locator('#answer').innerText(),
        'No LEAD participant found that you may be told about.',
      );
      await assertAccessible(officer.page, 'the look-up without an answer');
    });

    await t.test("the partner's home leads to exactly what was shared with it", async () => {
      assert.equal(await release(cm.page, people[1].id, 'housing', ['enrollment', 'plan']), 201);
      await partner.page.goto('/');
      await partner.page.getByRole('link', { name: 'Shared with us' }).click();
      await partner.page.getByRole('heading', { level: 1, name: 'Shared with us' }).waitFor();
      const shared = await inPage(partner.page, async () => (await fetch('/api/v1/shared')).json());
      const hrefs = await partner.page.locator('main ul.items li a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      assert.deepEqual(
        hrefs.slice().sort(),
        shared.map((s) => `/participants/${s.participant_id}`).sort(),
      );
      assert.ok(hrefs.includes(`/participants/${people[1].id}`));
      await assertAccessible(partner.page, 'Shared with us');
      await partner.page.locator(`a[href="/participants/${people[1].id}"]`).click();
      const h1 = await partner.page.getByRole('heading', { level: 1 }).innerText();
      assert.match(h1, /^(Participant shared by .+ — .*enrolment.*|.+ .+)$/);
      await assertAccessible(partner.page, 'a record shared with the partner');
    });

    assert.deepEqual(errors.flat(), []);
  } finally {
    await Promise.all([cm, officer, partner].map((p) => p.context.close()));
  }
});
