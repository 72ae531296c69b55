// A jail booking of a participant reaches the assigned case manager's live
// page (issue 6): the jail feed posts a booking with an integration token;
// the case manager's hand-off page shows the alert without a reload. The
// police see nothing of it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { app, startApp, stopApp, phone, signIn, runCli, collectConsoleErrors } from './lib.mjs';

before(startApp);
after(stopApp);

test('a booking alerts the assigned case manager on their live page', async () => {
  const cm = await phone();
  const police = await phone();
  const errors = collectConsoleErrors(cm.page);
  try {
    await signIn(cm.page, 'casemanager@demo.test');
    await signIn(police.page, 'officer@demo.test');
    // One of the case manager's own participants, with a date of birth.
    const person = await cm.page.evaluate(async () => {
      const load = await (await fetch('/api/v1/caseloads?view=mine')).json();
      const c = load.cases.find((x) => x.name && x.dob);
      return { id: c.id, name: c.name, dob: c.dob };
    });
    assert.ok(person.id, 'the case manager has a participant');
    const [first, ...rest] = person.name.split(' ');
    const out = await runCli(['admin', 'create-token', '--site', 'demo', '--name', 'county jail feed', '--agency', 'Demo County Police Department', '--scope', 'bookings_feed']);
    const token = out.split(/\s+/).find((w) => w.startsWith('hnd_'));
    assert.ok(token, 'an integration token');

    await cm.page.goto('/handoffs');
    await cm.page.waitForFunction(() => document.documentElement.getAttribute('data-live') === 'connected');
    const before = await cm.page.locator('#live').textContent();
    assert.ok(!before.includes('New jail booking'), 'no booking alert yet');

    const booking = {
      booking_number: `B-${Date.now()}`,
      booked_at: new Date().toISOString(),
      released_at: null,
      first_name: first,
      middle_name: null,
      last_name: rest.join(' '),
      dob: person.dob,
      sex: null,
      race: null,
      charges: [{ statute: '9A.56.050', description: 'Theft 3', felony: 'M' }],
    };
    const sent = Date.now();
    const r = await fetch(`${app.base}/api/v1/feeds/bookings`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(booking),
    });
    assert.ok(r.ok, `feed answered ${r.status}: ${await r.text()}`);
    await cm.page.locator('#live', { hasText: 'New jail booking of your participant' }).waitFor({ timeout: 5000 });
    const took = Date.now() - sent;
    console.log(`booking alert visible on the case manager's page ${took} ms after the POST`);
    assert.ok(took < 5000);

    // The police see no alert and no case content.
    const policeView = await police.page.evaluate(async (pid) => {
      const notes = await (await fetch('/api/v1/notifications')).json();
      const justice = await fetch(`/api/v1/participants/${pid}/justice`);
      return { booked: notes.some((n) => n.kind === 'booking.new'), justice: justice.status };
    }, person.id);
    assert.equal(policeView.booked, false, 'no booking notification for the police');
    assert.ok([403, 404].includes(policeView.justice), `police read of justice data answered ${policeView.justice}`);
    assert.deepEqual(errors, []);
  } finally {
    await cm.context.close();
    await police.context.close();
  }
});
