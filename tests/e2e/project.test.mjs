// A project of many documents, as a person works through one: a Prodigy JSONL of four
// headlines is imported; the Documents panel lists them; N and P and the list's own keys move
// through them; two are annotated (one with the mouse, one by keyboard selection) and one is
// marked done; after a reload everything is where it was; the project is exported as one
// spaCy / Prodigy JSONL, which spaCy reads back (the formats layer's check), and as the
// project file, which the command-line tool validates.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  CLI,
  ROOT,
  axeViolations,
  documentCount,
  documentTitles,
  dragOver,
  launch,
  openApp,
  paintedAnnotations,
  screenshot,
  serveDist,
  tag,
  waitSaved,
} from './harness.mjs';

const HEADLINES = [
  { text: 'Apple opens a store in Berlin', spans: [{ start: 0, end: 5, label: 'ORG' }], answer: 'accept' },
  { text: 'Rain expected over Lagos on Monday', spans: [] },
  { text: 'Kyiv talks resume as envoys meet', spans: [] },
  { text: 'A headline nobody wanted', spans: [], answer: 'ignore' },
];

const docId = () => document.documentElement.dataset.doc;

async function waitDoc(page, id) {
  await page.waitForFunction((want) => document.documentElement.dataset.doc === want, id);
}

async function download(page, format) {
  await page.getByLabel('Export project as').selectOption(format);
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export project' }).click()]);
  // A folder a format: the formats layer's check reads a folder holding the one corpus file.
  const dir = join(ROOT, 'target', 'e2e-downloads', 'project', format);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const path = join(dir, file.suggestedFilename());
  await file.saveAs(path);
  return { name: file.suggestedFilename(), path, text: await readFile(path, 'utf8') };
}

describe('a project of many documents', () => {
  let server;
  before(async () => {
    server = await serveDist();
  });
  after(async () => {
    await server?.close();
  });

  test('import, move through by keyboard, annotate two, reload, export the project', async () => {
    const b = await launch();
    const { page } = b;
    try {
      await openApp(page, server.url);
      const buffer = Buffer.from(HEADLINES.map((h) => JSON.stringify(h)).join('\n') + '\n', 'utf8');
      await page.getByLabel('Import', { exact: true }).setInputFiles({ name: 'headlines.jsonl', mimeType: 'application/x-ndjson', buffer });
      const ask = page.getByRole('alertdialog', { name: 'Import 4 documents from headlines.jsonl?' });
      await ask.waitFor({ timeout: 30_000 });
      await ask.getByRole('button', { name: 'Import 4 documents' }).click();
      const done = page.getByRole('alertdialog', { name: 'Imported from headlines.jsonl' });
      await done.waitFor({ timeout: 60_000 });
      await done.getByRole('button', { name: 'Close' }).click();
      await waitDoc(page, 'headlines-1');

      // The panel: the article and the four, with their counts and statuses.
      assert.equal(await documentCount(page), 5);
      assert.deepEqual(await documentTitles(page), ['Syrian rebels enter Damascus', ...HEADLINES.map((h) => h.text)]);
      const ignored = page.getByRole('option', { name: /A headline nobody wanted/ });
      assert.match(await ignored.innerText(), /Ignored/);
      await page.locator('.doc-progress', { hasText: '1 of 5 done' }).waitFor();

      // N and P (focus on the page, not in a field) move through the list's order.
      await page.locator('h1').click();
      await page.keyboard.press('n');
      await waitDoc(page, 'headlines-2');
      await page.keyboard.press('n');
      await waitDoc(page, 'headlines-3');
      await page.keyboard.press('p');
      await waitDoc(page, 'headlines-2');

      // Annotate the second with the mouse; a first change puts it in progress.
      await dragOver(page, 'Lagos');
      await tag(page, 'Entity', 'GPE');
      await waitSaved(page);
      await page.getByRole('option', { name: /Rain expected over Lagos/ }).getByText('In progress').waitFor();
      // Marked done, with the panel's own control.
      await page.getByLabel('Status of this document').selectOption('done');
      await page.locator('.doc-progress', { hasText: '2 of 5 done' }).waitFor();

      // The list's keys: focus it, ↓ to the next row, Enter opens it.
      const list = page.getByRole('listbox', { name: 'Documents' });
      await list.focus();
      await page.keyboard.press('ArrowDown');
      assert.equal(await list.getAttribute('aria-activedescendant'), 'doc-option-3');
      await page.keyboard.press('Enter');
      await waitDoc(page, 'headlines-3');
      // Annotate the third too.
      await dragOver(page, 'Kyiv');
      await tag(page, 'Entity', 'GPE');
      await waitSaved(page);
      // Filtered by status and ordered by title, the list and N follow.
      await page.getByLabel('Show documents of status').selectOption('in-progress');
      assert.deepEqual(await documentTitles(page), ['Kyiv talks resume as envoys meet']);
      await page.getByLabel('Show documents of status').selectOption('');
      await page.getByLabel('Order documents by').selectOption('title');
      assert.deepEqual(await documentTitles(page), [
        'A headline nobody wanted',
        'Apple opens a store in Berlin',
        'Kyiv talks resume as envoys meet',
        'Rain expected over Lagos on Monday',
        'Syrian rebels enter Damascus',
      ]);
      await page.locator('h1').click();
      await page.keyboard.press('n');
      await waitDoc(page, 'headlines-2');
      assert.deepEqual(await axeViolations(page), []);
      await screenshot(page, 'documents-panel-light');

      // A reload: the open document, the statuses and the counts are back.
      await page.reload();
      await openApp(page, server.url);
      assert.equal(await page.evaluate(docId), 'headlines-2');
      await page.locator('.doc-progress', { hasText: '2 of 5 done' }).waitFor();
      assert.deepEqual(Object.values(await paintedAnnotations(page)).map((a) => a.text), ['Lagos']);
      const kyiv = page.getByRole('option', { name: /Kyiv talks/ });
      assert.match(await kyiv.innerText(), /1\s+In progress/);

      // The project as one spaCy / Prodigy JSONL: a line per document, in the list's order.
      const jsonl = await download(page, 'spacy');
      assert.equal(jsonl.name, 'project.spacy.jsonl');
      const tasks = jsonl.text.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(tasks.length, 5);
      const byText = Object.fromEntries(tasks.map((t) => [t.text, t]));
      const spansOf = (t) => t.spans.map((s) => [t.text.slice(s.start, s.end), s.label]);
      assert.deepEqual(spansOf(byText['Rain expected over Lagos on Monday']), [['Lagos', 'GPE']]);
      assert.deepEqual(spansOf(byText['Kyiv talks resume as envoys meet']), [['Kyiv', 'GPE']]);
      assert.deepEqual(spansOf(byText['Apple opens a store in Berlin']), [['Apple', 'ORG']]);
      assert.equal(byText['A headline nobody wanted'].answer, 'ignore');
      assert.equal(byText['Rain expected over Lagos on Monday'].answer, 'accept');
      // The project file: every document with its status, valid for the command-line tool,
      // which writes the same JSONL from it, byte for byte.
      const project = await download(page, 'native');
      assert.equal(project.name, 'project.marginalia.json');
      const data = JSON.parse(project.text);
      assert.equal(data.documents.length, 5);
      execFileSync(CLI, ['validate', project.path], { stdio: 'pipe' });
      const cliOut = join(ROOT, 'target', 'e2e-downloads', 'project-cli');
      await mkdir(cliOut, { recursive: true });
      execFileSync(CLI, ['convert', '--to', 'spacy', project.path, '-o', cliOut], { stdio: 'pipe' });
      assert.equal(await readFile(join(cliOut, 'project.spacy.jsonl'), 'utf8'), jsonl.text);
      // spaCy reads the JSONL as its users do, by the formats layer's own check, against the
      // project's documents as native files (which the command-line tool writes from it).
      const natives = join(ROOT, 'target', 'e2e-downloads', 'project-natives');
      await rm(natives, { recursive: true, force: true });
      execFileSync(CLI, ['convert', '--from', 'native', project.path, '-o', natives], { stdio: 'pipe' });
      const out = execFileSync(join(ROOT, 'target/venv/bin/python'), [
        join(ROOT, 'tests/formats/check_spacy.py'),
        '--corpus',
        dirname(jsonl.path),
        ...data.documents.map((d) => join(natives, `${d.document.id}.marginalia.json`)),
      ]).toString();
      assert.match(out, /spacy ok/);
      // Only the documents shown: the done ones, as one doccano JSONL.
      await page.getByLabel('Show documents of status').selectOption('done');
      await page.getByLabel('Export only the 2 shown').check();
      const doneOnly = await download(page, 'doccano');
      assert.equal(doneOnly.name, 'project.doccano.jsonl');
      assert.deepEqual(doneOnly.text.trim().split('\n').map((l) => JSON.parse(l).text), ['Apple opens a store in Berlin', 'Rain expected over Lagos on Monday']);
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });

  test('the Documents panel in dark mode, and a list of 400 drawn a window at a time', async () => {
    const b = await launch({ colorScheme: 'dark' });
    const { page } = b;
    try {
      await openApp(page, server.url);
      const lines = Array.from({ length: 400 }, (_, i) => JSON.stringify({ text: `Report number ${i + 1} from the field`, spans: [] }));
      const buffer = Buffer.from(lines.join('\n') + '\n', 'utf8');
      await page.getByLabel('Import', { exact: true }).setInputFiles({ name: 'reports.jsonl', mimeType: 'application/x-ndjson', buffer });
      const ask = page.getByRole('alertdialog', { name: 'Import 400 documents from reports.jsonl?' });
      await ask.waitFor({ timeout: 30_000 });
      await ask.getByRole('button', { name: 'Import 400 documents' }).click();
      const done = page.getByRole('alertdialog', { name: 'Imported from reports.jsonl' });
      await done.waitFor({ timeout: 120_000 });
      await done.getByRole('button', { name: 'Close' }).click();
      assert.equal(await documentCount(page), 401);
      const list = page.getByRole('listbox', { name: 'Documents' });
      const drawn = await list.getByRole('option').count();
      assert.ok(drawn > 5 && drawn < 40, `only the rows near the view are drawn: ${drawn}`);
      // End goes to the last; the list scrolls there and draws it, with its place in the set.
      await list.focus();
      await page.keyboard.press('End');
      const last = page.locator('#doc-option-400');
      await last.waitFor();
      assert.equal(await last.getAttribute('aria-posinset'), '401');
      assert.equal(await last.getAttribute('aria-setsize'), '401');
      assert.match(await last.innerText(), /Report number 400/);
      await page.keyboard.press('Enter');
      await waitDoc(page, 'reports-400');
      // The filter narrows the list by title.
      await page.getByLabel('Filter documents by title').fill('number 12');
      assert.deepEqual(await documentTitles(page), [
        'Report number 12 from the field',
        ...Array.from({ length: 10 }, (_, i) => `Report number ${120 + i} from the field`),
      ]);
      await page.locator('.doc-progress', { hasText: '0 of 401 done · 11 shown' }).waitFor();
      assert.deepEqual(await axeViolations(page), []);
      await screenshot(page, 'documents-panel-dark');
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });

  test('storage full: the page says so at once, keeps the work, and exports the project', async () => {
    const b = await launch();
    const { page } = b;
    try {
      await page.addInitScript(() => {
        const put = IDBObjectStore.prototype.put;
        IDBObjectStore.prototype.put = function (...args) {
          if (globalThis.__storageFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          return put.apply(this, args);
        };
      });
      await openApp(page, server.url);
      await dragOver(page, 'Hayat Tahrir al-Sham');
      await tag(page, 'Entity', 'ORG');
      await waitSaved(page);
      // The storage fills up: from here on every write is refused as a full disk refuses it
      // (QuotaExceededError). (Chromium's quota override does not reach the in-memory storage
      // of a test's browser context, so the refusal is made where the page meets IndexedDB.)
      await page.evaluate(() => { globalThis.__storageFull = true; });
      await dragOver(page, 'Rebel forces');
      await tag(page, 'Entity', 'ORG');
      const alert = page.locator('.save.warn[role=alert]');
      await alert.getByText('storage for Marginalia is full').waitFor({ timeout: 30_000 });
      await screenshot(page, 'storage-full-light');
      // Everything is still on the page, and the project comes out whole.
      assert.deepEqual(Object.values(await paintedAnnotations(page)).map((a) => a.text).sort(), ['Hayat Tahrir al-Sham', 'Rebel forces']);
      const [file] = await Promise.all([page.waitForEvent('download'), alert.getByRole('button', { name: 'Export project' }).click()]);
      assert.equal(file.suggestedFilename(), 'project.marginalia.json');
      // (A project of one document comes out as that document's file.)
      const data = JSON.parse(await readFile(await file.path(), 'utf8'));
      assert.deepEqual(data.annotations.map((a) => a.text).sort(), ['Hayat Tahrir al-Sham', 'Rebel forces']);
      // What was saved before the storage filled up is untouched.
      await page.reload();
      await openApp(page, server.url);
      assert.deepEqual(Object.values(await paintedAnnotations(page)).map((a) => a.text), ['Hayat Tahrir al-Sham']);
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });

  test('documents the project holds already: merged or replaced, chosen once for all', async () => {
    const b = await launch();
    const { page } = b;
    const jsonl = (tasks) => Buffer.from(tasks.map((t) => JSON.stringify(t)).join('\n') + '\n', 'utf8');
    const importFile = async (name, tasks, how) => {
      await page.getByLabel('Import', { exact: true }).setInputFiles({ name, mimeType: 'application/x-ndjson', buffer: jsonl(tasks) });
      const ask = page.getByRole('alertdialog', { name: `Import ${tasks.length} documents from ${name}?` });
      await ask.waitFor({ timeout: 30_000 });
      if (how) await ask.getByLabel(how).check();
      if (how?.startsWith('Merge')) {
        assert.deepEqual(await axeViolations(page), []);
        await screenshot(page, 'corpus-on-match-light');
      }
      await ask.getByRole('button', { name: `Import ${tasks.length} documents` }).click();
      const done = page.getByRole('alertdialog', { name: `Imported from ${name}` });
      await done.waitFor({ timeout: 60_000 });
      const summary = await done.locator('pre').innerText();
      await done.getByRole('button', { name: 'Close' }).click();
      return summary;
    };
    const texts = async () => Object.values(await paintedAnnotations(page)).map((a) => `${a.text}:${a.label}`).sort();
    try {
      await openApp(page, server.url);
      const paris = 'Paris is big and busy';
      const rome = 'Rome is old and calm';
      await importFile('first.jsonl', [
        { text: paris, spans: [{ start: 0, end: 5, label: 'GPE' }] },
        { text: rome, spans: [] },
      ]);
      await waitDoc(page, 'first-1');
      const second = [
        { text: paris, spans: [{ start: 9, end: 12, label: 'ORG' }] },
        { text: rome, spans: [{ start: 0, end: 4, label: 'GPE' }] },
        { text: 'Oslo is cold', spans: [] },
      ];
      // Merge: the open one takes the file's annotation beside its own; so does the stored one.
      const merged = await importFile('second.jsonl', second, 'Merge: add the file\'s annotations to theirs');
      assert.match(merged, /2 of the documents have the text of a document the project held already; their annotations were merged/);
      assert.equal(await documentCount(page), 4, 'the article, the two held, and the new one');
      await waitDoc(page, 'first-1');
      assert.deepEqual(await texts(), ['Paris:GPE', 'big:ORG']);
      await page.keyboard.press('Control+z');
      await page.waitForFunction(() => document.documentElement.dataset.annotations === '1');
      assert.deepEqual(await texts(), ['Paris:GPE'], 'on the open document the merge is one step to undo');
      await page.keyboard.press('Control+Shift+z');
      await page.waitForFunction(() => document.documentElement.dataset.annotations === '2');
      await page.locator('h1').click();
      await page.keyboard.press('n');
      await waitDoc(page, 'first-2');
      assert.deepEqual(await texts(), ['Rome:GPE']);
      // Replace, on every held document (all three now): the file's annotations only.
      const replaced = await importFile('second.jsonl', second, 'Replace: the file\'s annotations replace theirs');
      assert.match(replaced, /3 of the documents have the text of a document the project held already; their annotations replaced/);
      assert.equal(await documentCount(page), 4);
      await page.reload();
      await openApp(page, server.url);
      await waitDoc(page, 'first-1');
      assert.deepEqual(await texts(), ['big:ORG']);
      await page.locator('h1').click();
      await page.keyboard.press('n');
      await waitDoc(page, 'first-2');
      assert.deepEqual(await texts(), ['Rome:GPE']);
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });
});
