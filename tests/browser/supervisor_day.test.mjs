// The supervisor's day on a 390×844 phone (issue 11, S2): hand-off times
// by month as a chart with a month range and a table; the roster as a week
// (days down the page, hours across, gaps marked, weekly shifts marked),
// with the list view kept. axe-core on every page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, stopApp, signedIn, assertAccessible } from './lib.mjs';

before(startApp);
after(stopApp);

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.ok(overflow <= 0, `${what} scrolls sideways by ${overflow}px at 390px`);
}

const iso = (d) => d.toISOString().slice(0, 10);

test('hand-off times by month as a chart and a table', async () => {
  await signedIn('supervisor@demo.test', async (page, errors) => {
    await page.goto('/supervisor');
    await page.getByRole('link', { name: 'Hand-off times by month (chart)' }).click();
    await page.getByRole('heading', { level: 1, name: 'Hand-off times' }).waitFor();
    const chart = page.getByRole('img', { name: 'Hand-off times by month, in minutes' });
    await chart.waitFor();
    const box = await chart.boundingBox();
    assert.ok(box.width <= 390 && box.width > 300, `the chart fits the phone (${box.width}px)`);
    assert.equal(await page.locator('table tbody tr').count(), 6, 'six months by default');
    // A range of three months.
    const now = new Date();
    const month = (k) => { const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - k, 1)); return d.toISOString().slice(0, 7); };
    await page.getByLabel('From (month)').fill(month(2));
    await page.getByLabel('To (month)').fill(month(0));
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('from') === month(2)),
      page.getByRole('button', { name: 'Show' }).click(),
    ]);
    const rows = await page.locator('table tbody th[scope=row]').allInnerTexts();
    assert.deepEqual(rows, [month(2), month(1), month(0)]);
    const external = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => !e.name.startsWith(location.origin)).length);
    assert.equal(external, 0, 'no external assets');
    await noSidewaysScroll(page, 'the hand-off times');
    await assertAccessible(page, 'the hand-off times by month');
    assert.deepEqual(errors, []);
  });
});

test('the roster as a week with gaps and weekly shifts, the list kept', async () => {
  await signedIn('supervisor@demo.test', async (page, errors) => {
    // A Monday two weeks ahead, 03:00–05:00, every week for four weeks.
    const d = new Date();
    d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7) + 14);
    const day = iso(d);
    await page.goto('/roster');
    const add = page.getByRole('region', { name: 'Add a shift' });
    await add.getByLabel('Case manager').selectOption({ label: 'Alex Rivera' });
    await add.getByLabel(/^Starts/).fill(`${day}T03:00`);
    await add.getByLabel('Ends').fill(`${day}T05:00`);
    await add.getByLabel('Repeat').selectOption('4');
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/roster'),
      add.getByRole('button', { name: 'Add shift' }).click(),
    ]);
    // The list view shows the new shift (the next two weeks may not reach it), and links to the week.
    await page.getByRole('navigation', { name: 'Roster views' }).getByRole('link', { name: 'Week' }).click();
    await page.goto(`/roster?week=${day}`);
    const row = page.locator(`li.day[data-day="${day}"]`);
    await row.getByText(/Alex Rivera\s+03:00–05:00\s+weekly/).waitFor();
    assert.ok(await row.locator('.h.on').count() >= 2, 'the covered hours are filled');
    await page.locator('p.gaps').first().waitFor();
    const nextWeek = new Date(d.getTime() + 7 * 86_400_000);
    await page.getByRole('link', { name: 'Next week' }).click();
    await page.locator(`li.day[data-day="${iso(nextWeek)}"]`).getByText(/Alex Rivera\s+03:00–05:00\s+weekly/).waitFor();
    await noSidewaysScroll(page, 'the roster week');
    await assertAccessible(page, 'the roster week');
    await page.getByRole('link', { name: 'List' }).click();
    await page.getByRole('heading', { name: 'The next two weeks' }).waitFor();
    await assertAccessible(page, 'the roster list');
    assert.deepEqual(errors, []);
  });
});
