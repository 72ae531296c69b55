// The Bureau's network view on a 390×844 phone: a second site started
// from a template at the command line, both sites side by side in the
// table, the trend charts drawn as SVG with no external assets, the CSV
// download, a site's scorecard, and starting a site from the Bureau's
// page; every page axe-clean and free of console errors.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, stopApp, signedIn, assertAccessible, runCli } from './lib.mjs';

before(startApp);
after(stopApp);

test('the Bureau sees the network side by side, as charts, a table and a CSV', async () => {
  const out = await runCli([
    'admin', 'create-site', '--name', 'Second County LEAD', '--slug', 'second',
    '--time-zone', 'America/Denver', '--template', 'santa-fe',
  ]);
  assert.match(out, /santa-fe template/);

  await signedIn('bureau@demo.test', async (page, errors) => {
    await page.getByRole('link', { name: /The network/ }).click();
    await page.waitForURL('**/network');
    await page.getByRole('heading', { level: 1 }).waitFor();
    const table = page.getByRole('table').first();
    await assert.doesNotReject(table.getByRole('columnheader', { name: 'Demo County LEAD' }).first().waitFor());
    await assert.doesNotReject(table.getByRole('columnheader', { name: 'Second County LEAD' }).first().waitFor());
    // Trend charts: inline SVG images with a title, nothing fetched for them.
    const charts = page.locator('figure.chart svg[role="img"]');
    assert.ok((await charts.count()) >= 3);
    const external = await page.evaluate(() =>
      performance.getEntriesByType('resource').map((r) => r.name).filter((u) => !u.startsWith(location.origin)));
    assert.deepEqual(external, []);
    // The CSV download: same figures, suppression marked.
    const href = await page.getByRole('link', { name: /Download these figures/ }).getAttribute('href');
    const csv = await page.evaluate(async (h) => {
      const r = await fetch(h);
      return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
    }, href);
    assert.equal(csv.status, 200);
    assert.match(csv.type, /text\/csv/);
    assert.match(csv.text, /^site,month,measure,count,suppressed\n/);
    assert.match(csv.text, /\nsecond,/);
    assert.match(csv.text, /\nnetwork,/);
    await assertAccessible(page, 'the network view');

    // Every site's scorecard side by side, then one site's.
    await page.getByRole('link', { name: /side by side/ }).click();
    await page.getByRole('heading', { name: /Fidelity scorecards, side by side/ }).waitFor();
    await assert.doesNotReject(page.getByRole('columnheader', { name: 'Second County LEAD' }).waitFor());
    await assertAccessible(page, 'the scorecards side by side');
    await page.goBack();
    await page.getByRole('link', { name: 'Second County LEAD' }).click();
    await page.getByRole('heading', { name: /Fidelity scorecard: Second County LEAD/ }).waitFor();
    await assert.doesNotReject(page.getByRole('rowheader', { name: /Hand-offs within the site's target/ }).waitFor());
    await assertAccessible(page, 'a site scorecard');

    // Starting a site: every invalid field listed, then the site appears.
    await page.goto('/network/sites/new');
    await assertAccessible(page, 'the start-a-site form');
    await page.getByLabel('Site name').fill('Third LEAD');
    await page.getByLabel(/Short name/).fill('Not A Slug');
    await page.getByRole('button', { name: 'Start the site' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /slug/);
    assert.equal(await page.getByLabel('Site name').inputValue(), 'Third LEAD');
    await assertAccessible(page, 'the start-a-site form with errors');
    await page.getByLabel(/Short name/).fill('third');
    await page.getByLabel(/Community door first/).check();
    await page.getByRole('button', { name: 'Start the site' }).click();
    await page.waitForURL('**/network');
    await assert.doesNotReject(page.getByRole('columnheader', { name: 'Third LEAD' }).first().waitFor());
    assert.deepEqual(errors, []);
  });
});
