// Review, the first slice: two other annotators' files of the article imported as their
// layers (not merged into the person's own work); the Review panel's agreement table checked
// against `marginalia agree --json` on the same three files; the layers kept across a reload,
// and removable.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, ROOT, annotateSample, exportJson, launch, openApp, screenshot, serveDist, waitSaved } from './harness.mjs';

const OUT = join(ROOT, 'target', 'e2e-downloads', 'review');

async function importFile(page, name, text) {
  await page.getByLabel('Import', { exact: true }).setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text, 'utf8') });
}

/** The pairs of the Review table: "a|b" → exact F1 as shown. */
async function shownPairs(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('table.pairs tbody tr')].map((tr) => [
        `${tr.dataset.a}|${tr.dataset.b}`,
        tr.querySelector('.f1-exact').firstChild.textContent,
      ]),
    ),
  );
}

describe('review', () => {
  let server;
  before(async () => {
    server = await serveDist();
  });
  after(async () => {
    await server?.close();
  });

  test('other annotators’ files become layers; the agreement table matches marginalia agree', async () => {
    await mkdir(OUT, { recursive: true });
    const b = await launch();
    const { page } = b;
    try {
      await openApp(page, server.url);
      await page.getByLabel('Annotator').fill('Reviewer');
      await page.getByLabel('Annotator').press('Tab');
      await annotateSample(page);
      await waitSaved(page);
      const mine = await exportJson(page, OUT);
      const own = JSON.parse(mine.text);
      assert.equal(own.annotator, 'Reviewer');
      assert.equal(own.annotations.length, 5);

      // Ann left out the facility and typed "Rebel forces" a PERSON; Bo left out the claim.
      const ann = structuredClone(own);
      ann.annotator = 'Ann';
      ann.annotations = ann.annotations.filter((a) => a.label !== 'FAC');
      ann.annotations.find((a) => a.text === 'Rebel forces').label = 'PERSON';
      const bo = structuredClone(own);
      bo.annotator = 'Bo';
      bo.annotations = bo.annotations.filter((a) => a.kind !== 'claim');
      const files = { 'mine.json': mine.text, 'ann.json': JSON.stringify(ann), 'bo.json': JSON.stringify(bo) };
      for (const [name, text] of Object.entries(files)) await writeFile(join(OUT, name), text);

      for (const [name, who] of [
        ['ann.json', 'Ann'],
        ['bo.json', 'Bo'],
      ]) {
        await importFile(page, name, files[name]);
        const dialog = page.getByRole('alertdialog');
        await dialog.waitFor();
        await dialog.getByRole('button', { name: `Add as ${who}'s layer` }).click();
        await page.locator('.review .layer', { hasText: `${who}:` }).waitFor();
      }
      // The person's own work is as it was: nothing merged.
      assert.equal(await page.evaluate(() => document.documentElement.dataset.annotations), '5');

      // The same figures as the command line's, on the same three files.
      const cli = JSON.parse(
        execFileSync(CLI, ['agree', '--json', ...Object.keys(files).map((n) => join(OUT, n))], { encoding: 'utf8' }),
      );
      const all = cli.project.scopes.find((s) => s.scope === 'all');
      const expected = Object.fromEntries(all.pairs.map((p) => [`${p.a}|${p.b}`, p.exact.f1.toFixed(3)]));
      assert.equal(Object.keys(expected).length, 3);
      assert.deepEqual(await shownPairs(page), expected);
      assert.equal(await page.locator('.review .span-f1-exact').innerText(), cli.span_f1_exact.toFixed(3));
      assert.notEqual(cli.span_f1_exact, 1, 'the layers disagree somewhere');
      // By kind and type too; and the figures download as the command line writes them.
      const scopes = await page.locator('table.scopes tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.scope));
      assert.deepEqual(scopes, cli.project.scopes.filter((s) => s.scope !== 'all').map((s) => s.scope));
      assert.ok(scopes.includes('entity:ORG'), scopes.join());
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download figures (JSON)' }).click(),
      ]);
      const saved = join(OUT, download.suggestedFilename());
      await download.saveAs(saved);
      const fromPage = JSON.parse(await readFile(saved, 'utf8'));
      assert.equal(download.suggestedFilename(), 'damascus-2024-12-08.agreement.json');
      assert.equal(fromPage.span_f1_exact, cli.span_f1_exact);
      assert.deepEqual(fromPage.project.scopes, cli.project.scopes);
      await page.keyboard.press('Escape');
      await page.locator('.review').scrollIntoViewIfNeeded();
      await screenshot(page, 'review-light');
      await page.emulateMedia({ colorScheme: 'dark' });
      await screenshot(page, 'review-dark');
      await page.emulateMedia({ colorScheme: 'light' });

      // Kept across a reload; removable.
      await page.reload();
      await openApp(page, server.url);
      await page.getByRole('button', { name: 'Review' }).click();
      await page.locator('.review .layer', { hasText: 'Bo:' }).waitFor();
      assert.deepEqual(await shownPairs(page), expected);
      await page.getByRole('button', { name: "Remove Bo's layer" }).click();
      await page.waitForFunction(() => document.querySelectorAll('table.pairs tbody tr').length === 1);
      assert.deepEqual(Object.keys(await shownPairs(page)), ['Ann|Reviewer']);

      // What both agree on starts the gold layer, each annotation naming who made it; it is
      // no annotator of the table, and downloads as a native file the validator accepts.
      await page.getByRole('button', { name: 'Accept what all agree on' }).click();
      await page.locator('.review .layer', { hasText: 'gold: 3 annotations' }).waitFor();
      // Settled: the document is reviewed (and counts as done).
      await page.waitForFunction(() => document.querySelector('.doc-status select')?.value === 'reviewed');
      assert.match(await page.locator('.doc-progress').innerText(), /^1 of 1 done/);
      assert.deepEqual(Object.keys(await shownPairs(page)), ['Ann|Reviewer']);
      const [gold] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: "Download gold's layer" }).click(),
      ]);
      const goldPath = join(OUT, gold.suggestedFilename());
      await gold.saveAs(goldPath);
      const goldFile = JSON.parse(await readFile(goldPath, 'utf8'));
      assert.equal(goldFile.annotator, 'gold');
      assert.deepEqual(
        goldFile.annotations.map((a) => [a.text.slice(0, 20), a.attributes.annotators]),
        [
          ['Hayat Tahrir al-Sham', 'Ann; Reviewer'],
          ['“free” of “tyrant” P', 'Ann; Reviewer'],
          ['“reach out”', 'Ann; Reviewer'],
        ],
      );
      execFileSync(CLI, ['validate', goldPath]);
    } finally {
      await b.close();
    }
  });
});
