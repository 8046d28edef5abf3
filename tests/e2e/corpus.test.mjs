// A corpus file, end to end: a real Prodigy JSONL of 373 tasks (../shared/corpora/thirdparty)
// chosen with Import shows what it holds before anything changes; confirmed, every document
// is stored in the project, the first opens, and the summary names the refused line and can
// be copied; the work already in the project is untouched, and everything is there after a
// reload. A file where no line gives a document is refused with a message that says so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, annotateSample, axeViolations, documentCount, documentTitles, launch, openApp, openDocument, paintedAnnotations, screenshot, serveDist, waitSaved } from './harness.mjs';

const THIRDPARTY = join(ROOT, '..', 'shared', 'corpora', 'thirdparty');
const NEWS = join(THIRDPARTY, 'prodigy', 'news_headlines_ner.jsonl');
const BRAT = join(THIRDPARTY, 'brat');

describe('a corpus file', () => {
  let server;
  before(async () => {
    server = await serveDist();
  });
  after(async () => {
    await server?.close();
  });

  test('a Prodigy JSONL of 373 tasks becomes 373 documents, the one answered “ignore” kept as ignored', { skip: !existsSync(NEWS) && 'corpus: ../shared/corpora/thirdparty is absent' }, async () => {
    const lines = readFileSync(NEWS, 'utf8').split('\n').filter((l) => l.trim());
    const first = JSON.parse(lines[0]);
    const b = await launch();
    const { page, context } = b;
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      await openApp(page, server.url);
      await annotateSample(page);
      await waitSaved(page);
      const before = await paintedAnnotations(page);
      assert.equal(Object.keys(before).length, 5);

      // What the file holds, before anything is stored.
      await page.getByLabel('Import', { exact: true }).setInputFiles(NEWS);
      const ask = page.getByRole('alertdialog', { name: 'Import 373 documents from news_headlines_ner.jsonl?' });
      await ask.waitFor({ timeout: 30_000 });
      const held = await ask.locator('pre').innerText();
      assert.match(held, /^373 documents \(372 done, 1 ignored\), 303 annotations\./);
      assert.deepEqual(await axeViolations(page), []);
      await screenshot(page, 'corpus-ask-light');
      assert.equal(await documentCount(page), 1, 'nothing stored yet');

      // Confirmed: stored one by one, then the first opens with its spans.
      await ask.getByRole('button', { name: 'Import 373 documents' }).click();
      const done = page.getByRole('alertdialog', { name: 'Imported from news_headlines_ner.jsonl' });
      await done.waitFor({ timeout: 120_000 });
      const summary = await done.locator('pre').innerText();
      assert.equal(summary.split('\n')[0], held.split('\n')[0]);
      await done.getByRole('button', { name: 'Copy summary' }).click();
      await page.getByRole('status').getByText('The summary is copied.').waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), summary);
      await screenshot(page, 'corpus-summary-light');
      await done.getByRole('button', { name: 'Close' }).click();
      await page.waitForFunction(() => document.documentElement.dataset.doc === 'news_headlines_ner-1');
      // Titled by the start of its text (the file gives no title).
      const firstLine = first.text.trim().split('\n')[0].trim();
      const h1 = await page.locator('h1').innerText();
      if ([...firstLine].length <= 60) assert.equal(h1, firstLine);
      else assert.ok(h1.endsWith('…') && firstLine.startsWith(h1.slice(0, -1)), h1);
      const painted = Object.values(await paintedAnnotations(page)).map((a) => a.text).sort();
      assert.deepEqual(painted, first.spans.map((s) => first.text.slice(s.start, s.end)).sort());
      assert.equal(await documentCount(page), 1 + 373);

      // A reload: the corpus document is open again, and the article's work is as it was.
      await page.reload();
      await openApp(page, server.url);
      assert.equal(await page.evaluate(() => document.documentElement.dataset.doc), 'news_headlines_ner-1');
      assert.equal(await documentCount(page), 374);
      // Prodigy's answers are the documents' statuses: accepted ones done, the ignored one kept.
      await page.locator('.doc-progress', { hasText: '372 of 374 done' }).waitFor();
      await page.getByLabel('Show documents of status').selectOption('ignored');
      const ignored = await documentTitles(page);
      assert.equal(ignored.length, 1);
      assert.ok(JSON.parse(lines[336]).text.trim().startsWith(ignored[0].replace(/…$/, '')), ignored[0]);
      await page.getByLabel('Show documents of status').selectOption('');
      await openDocument(page, 'Syrian rebels', 'damascus-2024-12-08');
      assert.deepEqual(await paintedAnnotations(page), before);
      // The 200th document, opened from the list, has its line's spans.
      const line = JSON.parse(lines[199]);
      await openDocument(page, 'news_headlines_ner-200');
      assert.equal(Number(await page.evaluate(() => document.documentElement.dataset.annotations)), (line.spans ?? []).length);
      // The same file again: the question says every document is here already.
      await page.getByLabel('Import', { exact: true }).setInputFiles(NEWS);
      const again = page.getByRole('alertdialog', { name: 'Import 373 documents from news_headlines_ner.jsonl?' });
      await again.waitFor({ timeout: 30_000 });
      await again.getByText('373 of them have the text of a document this project holds already').waitFor();
      await again.getByRole('button', { name: 'Cancel' }).click();
      assert.equal(await documentCount(page), 374);
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });

  test('a corpus where no line gives a document is refused, naming the first line', async () => {
    const b = await launch({ colorScheme: 'dark' });
    const { page } = b;
    try {
      await openApp(page, server.url);
      const buffer = Buffer.from('{"label": [[0, 1, "LOC"]]}\n{"text": 5, "label": []}\n', 'utf8');
      await page.getByLabel('Import', { exact: true }).setInputFiles({ name: 'broken.jsonl', mimeType: 'application/x-ndjson', buffer });
      await page.waitForSelector('[role=alert] span', { timeout: 30_000 });
      const said = await page.locator('[role=alert] span').first().innerText();
      assert.match(said, /^broken\.jsonl: No line of the file gives a document \(2 lines refused\); line 1: The file has no "text"/);
      assert.equal(await documentCount(page), 1);
      // A small corpus, in dark mode: the question and its Cancel, which stores nothing.
      const two = Buffer.from('{"text": "Paris is big", "label": [[0, 5, "GPE"]]}\n{"text": "Rome", "label": []}\n', 'utf8');
      await page.getByLabel('Import', { exact: true }).setInputFiles({ name: 'two.jsonl', mimeType: 'application/x-ndjson', buffer: two });
      const ask = page.getByRole('alertdialog', { name: 'Import 2 documents from two.jsonl?' });
      await ask.waitFor({ timeout: 30_000 });
      await screenshot(page, 'corpus-ask-dark');
      await ask.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('status').getByText('Nothing was imported.').waitFor();
      assert.equal(await documentCount(page), 1);
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });
  test('brat .txt/.ann files and a plain text picked together become a document each', { skip: !existsSync(BRAT) && 'corpus: ../shared/corpora/thirdparty is absent' }, async () => {
    const pairs = readdirSync(BRAT).filter((n) => n.endsWith('.txt') || n.endsWith('.ann')).sort();
    assert.equal(pairs.length, 12);
    const files = pairs.map((name) => ({ name, mimeType: 'text/plain', buffer: readFileSync(join(BRAT, name)) }));
    files.push({ name: 'field-notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Field notes from Aleppo\n\nThe market reopened.', 'utf8') });
    const b = await launch();
    const { page } = b;
    try {
      await openApp(page, server.url);
      await page.getByLabel('Import', { exact: true }).setInputFiles(files);
      const ask = page.getByRole('alertdialog', { name: 'Import 7 documents from 13 files?' });
      await ask.waitFor({ timeout: 30_000 });
      const held = await ask.locator('pre').innerText();
      // The open schema holds every line of the six pairs (relations, events, attributes,
      // notes, discontinuous spans): the 475 text-bound annotations, nothing left out.
      assert.match(held, /^7 documents, 475 annotations\.$/m);
      assert.doesNotMatch(held, /left out/);
      await ask.getByRole('button', { name: 'Import 7 documents' }).click();
      const done = page.getByRole('alertdialog', { name: 'Imported from 13 files' });
      await done.waitFor({ timeout: 60_000 });
      await done.getByRole('button', { name: 'Close' }).click();
      const options = await documentTitles(page);
      assert.equal(options.length, 8);
      assert.ok(options.includes('Field notes from Aleppo'), options.join(' | '));
      // A brat document, with its spans at code points (Finnish ä and ö before most of them).
      await openDocument(page, 'TDT_wn071');
      const painted = Object.values(await paintedAnnotations(page));
      assert.equal(painted.length, 74);
      const ann = readFileSync(join(BRAT, 'TDT_wn071.ann'), 'utf8');
      const first = ann.split('\n').find((l) => l.startsWith('T1\t')).split('\t')[2];
      assert.ok(painted.some((a) => a.text === first), `T1 “${first}” is painted`);
      // The plain text opens with nothing tagged, ready to annotate.
      await openDocument(page, 'Field notes from Aleppo', 'field-notes');
      await page.waitForFunction(() => document.querySelector('h1').textContent === 'Field notes from Aleppo');
      assert.equal(await page.locator('article > p').count(), 2);
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });
});
