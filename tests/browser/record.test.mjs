// The participant's record on a 390×844 phone (issue 11, S2): a service
// referral added from the record (every invalid field listed at once, the
// form kept, "saved" after), a contact showing its author and corrected
// as a new version with the original in its history, and the booking-alert
// banner while a booking is open. axe-core on every page visited.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { app, startApp, stopApp, phone, signIn, runCli, collectConsoleErrors, assertAccessible } from './lib.mjs';

before(startApp);
after(stopApp);

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.ok(overflow <= 0, `${what} scrolls sideways by ${overflow}px at 390px`);
}

test('service referral, contact author and correction, booking banner on the record', async () => {
  const cm = await phone();
  const errors = collectConsoleErrors(cm.page);
  const p = cm.page;
  try {
    await signIn(p, 'casemanager@demo.test');
    const person = await p.evaluate(async () => {
      const load = await (await fetch('/api/v1/caseloads?view=mine')).json();
      const c = load.cases.find((x) => x.name && x.dob);
      return { id: c.id, name: c.name, dob: c.dob };
    });
    const record = `/participants/${person.id}`;

    // A service referral with nothing filled in: every field named at once.
    await p.goto(record);
    await p.getByText('Add a service referral').click();
    const form = p.locator('details#service-referral');
    await form.getByLabel('Referred on (leave empty for today)').fill('2026-12-01');
    await form.getByRole('button', { name: 'Save the service referral' }).click();
    const alert = p.locator('#sr-problems');
    await alert.waitFor();
    const said = await alert.innerText();
    assert.match(said, /Name the provider/);
    assert.match(said, /Say what the referral is for/);
    assert.equal(await form.getByLabel('Referred on (leave empty for today)').inputValue(), '2026-12-01', 'what was typed stays');
    assert.equal(await form.getByLabel('Provider').getAttribute('aria-invalid'), 'true');
    await noSidewaysScroll(p, 'the refused service referral');
    await assertAccessible(p, 'the record with a refused service referral');
    await form.getByLabel('Provider').fill('Evergreen Treatment');
    await form.getByLabel('What for').fill('detox bed');
    await Promise.all([
      p.waitForURL((u) => u.searchParams.get('done') === 'service_referral'),
      form.getByRole('button', { name: 'Save the service referral' }).click(),
    ]);
    await p.getByRole('status').getByText('Service referral saved').waitFor();
    await p.getByText('detox bed — Evergreen Treatment').first().waitFor();

    // A contact shows who wrote it; its author corrects it.
    await p.getByRole('link', { name: 'Log a contact' }).click();
    await p.getByLabel('Note', { exact: true }).fill('Met at the bus stop on 3rd');
    await Promise.all([
      p.waitForURL((u) => u.searchParams.get('logged') === '1'),
      p.getByRole('button', { name: 'Save contact' }).click(),
    ]);
    const contacts = p.getByRole('region', { name: 'Contacts' });
    const item = contacts.locator('li.item', { hasText: 'Met at the bus stop on 3rd' });
    await item.getByText('by Alex Rivera').waitFor();
    await item.getByRole('link', { name: /^Correct the contact/ }).click();
    await p.getByRole('heading', { level: 1, name: 'Correct a contact' }).waitFor();
    await assertAccessible(p, 'the correction form');
    // Without a reason: refused, the new note kept.
    await p.getByLabel('Note').fill('Met at the bus stop on 4th');
    await p.getByLabel('Why it is corrected').evaluate((i) => i.removeAttribute('required'));
    await p.getByRole('button', { name: 'Save the correction' }).click();
    await p.getByRole('alert').getByText(/Why it is corrected|reason/i).waitFor();
    assert.equal(await p.getByLabel('Note').inputValue(), 'Met at the bus stop on 4th');
    await p.getByLabel('Why it is corrected').fill('wrong street');
    await Promise.all([
      p.waitForURL((u) => u.searchParams.get('done') === 'corrected'),
      p.getByRole('button', { name: 'Save the correction' }).click(),
    ]);
    const corrected = contacts.locator('li.item', { hasText: 'Met at the bus stop on 4th' });
    await corrected.getByText(/Corrected — version 2/).click();
    await corrected.getByText('Met at the bus stop on 3rd').waitFor();
    await corrected.getByText(/corrected by Alex Rivera: “wrong street”/).waitFor();
    await assertAccessible(p, 'the record with a corrected contact');

    // A booking from the jail feed: the banner on the record.
    const out = await runCli(['admin', 'create-token', '--site', 'demo', '--name', 'jail feed for the record', '--agency', 'Demo County Police Department', '--scope', 'bookings_feed']);
    const token = out.split(/\s+/).find((w) => w.startsWith('hnd_'));
    const [first, ...rest] = person.name.split(' ');
    const r = await fetch(`${app.base}/api/v1/feeds/bookings`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        booking_number: `BR-${Date.now()}`, booked_at: new Date().toISOString(), released_at: null,
        first_name: first, middle_name: null, last_name: rest.join(' '), dob: person.dob, sex: null, race: null, charges: [],
      }),
    });
    assert.ok(r.ok, `feed answered ${r.status}`);
    await p.goto(record);
    const banner = p.locator('#booking-alert');
    await banner.waitFor();
    assert.match(await banner.innerText(), /Booking alert: booked into jail on \d{4}-\d\d-\d\d, no release recorded yet/);
    const box = await banner.boundingBox();
    assert.ok(box.y < 844, 'the banner is on the first screen');
    await noSidewaysScroll(p, 'the record with a booking alert');
    await assertAccessible(p, 'the record with a booking alert');
    assert.deepEqual(errors, []);
  } finally {
    await cm.context.close();
  }
});
