// Lists that page, filter and export, on a 390×844 phone with the demo
// data: the supervisor's "All referrals" shows 50 rows, links the next page
// (keeping the filters), is under 50 KB transferred (compressed), and is
// axe-clean; the filter form narrows the list and keeps what was chosen;
// the CSV link downloads the filtered list.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, stopApp, signedIn, assertAccessible, measureLoad } from './lib.mjs';

before(startApp);
after(stopApp);

const PAGE_BUDGET = 50 * 1024;

test("the supervisor pages, filters and exports 'All referrals'", async () => {
  await signedIn('supervisor@demo.test', async (page, errors) => {
    const m = await measureLoad(page, '/referrals');
    console.log(`all referrals, page 1: ${m.weight} bytes transferred (${(m.weight / 1024).toFixed(1)} KB; ${m.parts.join(', ')})`);
    assert.ok(m.weight > 0, 'measured nothing');
    assert.ok(m.weight < PAGE_BUDGET, `'All referrals' is ${m.weight} bytes, budget ${PAGE_BUDGET}`);
    const rows = page.locator('#live ul.items > li');
    assert.equal(await rows.count(), 50, 'one page of 50 referrals');
    await assertAccessible(page, 'all referrals (page 1)');

    // The next page: other referrals, and a way back to the first.
    const first = await rows.first().locator('a').getAttribute('href');
    await Promise.all([
      page.waitForURL((u) => u.searchParams.has('cursor')),
      page.getByRole('link', { name: 'Next page' }).click(),
    ]);
    assert.ok((await rows.count()) > 0, 'the second page has referrals');
    const second = await page.locator('#live ul.items > li a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(!second.includes(first), 'no referral of page 1 again');
    assert.ok(await page.getByRole('link', { name: 'First page' }).isVisible());
    await assertAccessible(page, 'all referrals (page 2)');

    // Filter: one status; the form keeps it and every row has it.
    await page.goto('/referrals');
    await page.getByLabel('State').selectOption('enrolled');
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('state') === 'enrolled'),
      page.getByRole('button', { name: 'Show' }).click(),
    ]);
    assert.equal(await page.getByLabel('State').inputValue(), 'enrolled');
    const states = await page.locator('#live ul.items > li .status').evaluateAll((s) => s.map((e) => e.dataset.status));
    assert.ok(states.length > 0, 'the demo has participants');
    assert.ok(states.every((s) => s === 'enrolled'), `only enrolled: ${states}`);
    const next = page.getByRole('link', { name: 'Next page' });
    if (await next.count()) {
      assert.match(await next.getAttribute('href'), /state=enrolled/, 'the next page keeps the filter');
    }
    await assertAccessible(page, 'all referrals (filtered)');

    // The CSV link downloads the filtered list.
    const csvHref = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    assert.match(csvHref, /format=csv/);
    assert.match(csvHref, /state=enrolled/);
    const csv = await page.evaluate(async (href) => {
      const r = await fetch(href);
      return { type: r.headers.get('content-type'), text: await r.text() };
    }, csvHref);
    assert.match(csv.type, /^text\/csv/);
    const lines = csv.text.trim().split('\n');
    assert.match(lines[0], /^referral_id,referred_at,door,status/);
    assert.ok(lines.length > 1, 'rows under the header');
    assert.ok(lines.slice(1).every((l) => l.split(',')[3] === 'enrolled'), 'only the filtered rows');
    assert.deepEqual(errors, []);
  });
});
