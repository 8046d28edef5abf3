// Files and storage, end to end: Export JSON downloads a file that passes the schema and
// text[start:end]; reload restores everything; import into a fresh profile gives the same
// annotations; every bad input is named in an alert and changes nothing; storage failure is
// visible; two tabs never silently overwrite each other; Open text adds documents.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ROOT,
  clickText,
  dragOver,
  exportJson as exportJsonTo,
  documentTitles,
  launch,
  openApp,
  openDocument,
  paintedAnnotations,
  screenshot,
  annotateSample as annotate,
  serveDist,
  tag,
  waitSaved,
} from './harness.mjs';

const OUT = join(ROOT, 'target', 'e2e-files');

/** Clicks Export JSON and returns the downloaded file's name and text. */
const exportJson = (page) => exportJsonTo(page, OUT);

/** Chooses a file with the Import control. */
async function importFile(page, name, content) {
  const buffer = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
  await page.getByLabel('Import', { exact: true }).setInputFiles({ name, mimeType: 'application/json', buffer });
}

/** Drops a file on the page, as a person drags it from their desktop. */
async function dropFile(page, name, content) {
  const bytes = [...(Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'))];
  const transfer = await page.evaluateHandle(
    ([name, bytes]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], name, { type: 'application/json' }));
      return dt;
    },
    [name, bytes],
  );
  await page.dispatchEvent('main', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('main', 'drop', { dataTransfer: transfer });
}

async function alertText(page) {
  await page.waitForSelector('[role=alert] span', { timeout: 10_000 });
  return page.locator('[role=alert] span').first().innerText();
}

describe('files and storage', () => {
  let server;
  before(async () => {
    server = await serveDist();
  });
  after(async () => {
    await server?.close();
  });

  test('export, reload, import into a fresh profile, bad inputs', async () => {
    const a = await launch();
    let exported;
    let painted;
    try {
      await openApp(a.page, server.url);
      await annotate(a.page);
      await a.page.getByLabel('Annotator').fill('Test Person');
      await a.page.getByLabel('Annotator').press('Tab');
      await waitSaved(a.page);
      painted = await paintedAnnotations(a.page);
      assert.equal(Object.keys(painted).length, 5);

      // Export JSON: the file, its name, the schema, text[start:end] in code points.
      exported = await exportJson(a.page);
      assert.equal(exported.name, 'damascus-2024-12-08.marginalia.json');
      const data = JSON.parse(exported.text);
      assert.equal(data.annotator, 'Test Person');
      const chars = Array.from(data.document.text);
      for (const ann of data.annotations) {
        assert.equal(chars.slice(ann.start, ann.end).join(''), ann.text, `${ann.id}: text[start:end]`);
        assert.equal(painted[ann.id]?.text, ann.text, `${ann.id}: as painted`);
      }
      const quote = data.annotations.find((x) => x.kind === 'quote');
      assert.deepEqual(quote.speaker, { ref: data.annotations.find((x) => x.text === 'Rebel forces').id });
      // The schema and the Python reading, by the same check the formats layer runs.
      const out = execFileSync(join(ROOT, 'target/venv/bin/python'), [
        join(ROOT, 'tests/formats/check_native.py'),
        exported.path,
      ]).toString();
      assert.match(out, /native ok/);

      // Reload: every annotation is back.
      await a.page.reload();
      await openApp(a.page, server.url);
      assert.deepEqual(await paintedAnnotations(a.page), painted, 'reload restores every annotation');
      assert.equal(await a.page.getByLabel('Annotator').inputValue(), 'Test Person');
    } finally {
      await a.close();
    }

    // A fresh profile: import the export, Replace, and get the same annotations.
    const b = await launch();
    try {
      await openApp(b.page, server.url);
      assert.deepEqual(await paintedAnnotations(b.page), {}, 'a fresh profile starts empty');
      // Nothing here yet, so nothing to replace or merge: no question.
      await importFile(b.page, exported.name, exported.text);
      await b.page.waitForSelector('html[data-annotations="5"]');
      assert.equal(await b.page.getByRole('alertdialog').count(), 0);
      assert.deepEqual(await paintedAnnotations(b.page), painted, 'the same annotations');
      // With annotations here, the next import asks, and says how many.
      await importFile(b.page, exported.name, exported.text);
      const dialog = b.page.getByRole('alertdialog');
      await dialog.waitFor();
      assert.match(await dialog.innerText(), /It holds 5 annotations; this document has 5/);
      await dialog.getByRole('button', { name: /Replace/ }).click();
      assert.deepEqual(await paintedAnnotations(b.page), painted, 'replaced by the same');
      await waitSaved(b.page);
      const before = await paintedAnnotations(b.page);

      // Every bad input: an alert naming the problem, and nothing changes.
      const good = JSON.parse(exported.text);
      const edit = (f) => {
        const d = structuredClone(good);
        f(d);
        return JSON.stringify(d);
      };
      const cases = [
        ['not-json.json', 'this is { not json', /not JSON/],
        ['other.json', JSON.stringify({ hello: 'world' }), /not a Marginalia file/],
        ['v2.json', edit((d) => (d.version = 2)), /version 2; this Marginalia reads version 1/],
        ['out-of-range.json', edit((d) => (d.annotations[0].end = 999999)), /run past the end of the text/],
        ['negative.json', edit((d) => (d.annotations[0].start = -1)), /are negative/],
        ['reversed.json', edit((d) => { const x = d.annotations[0]; [x.start, x.end] = [x.end, x.start]; }), /reversed/],
        ['text.json', edit((d) => (d.annotations[0].text = 'Hayat Tahrir al-Shan')), /is not the document's text/],
        ['dup.json', edit((d) => (d.annotations[1].id = d.annotations[0].id)), /already used/],
        ['speaker.json', edit((d) => (d.annotations.find((x) => x.kind === 'quote').speaker = { ref: 'nobody' })), /refers to nobody/],
        ['kind.json', edit((d) => (d.annotations[0].kind = 'sentiment')), /kind “sentiment”/],
        ['nul.json', edit((d) => { d.document.text = 'a\u0000b'; d.document.sha256 = '0'.repeat(64); }), /sha256|NUL/],
        ['binary.json', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), /not text/],
      ];
      for (const [name, content, expected] of cases) {
        const dismiss = b.page.getByRole('button', { name: 'Dismiss message' });
        if (await dismiss.count()) await dismiss.click();
        await importFile(b.page, name, content);
        // Files with some valid annotations ask first: the dialog names the bad one; cancel.
        await b.page.waitForFunction(
          () => document.querySelector('[role=alert] span') || document.querySelector('[role=alertdialog]'),
        );
        const ask = b.page.getByRole('alertdialog');
        let message;
        if (await ask.count()) {
          message = await ask.innerText();
          await ask.getByRole('button', { name: 'Cancel' }).click();
        } else {
          message = await alertText(b.page);
        }
        assert.match(message, expected, `${name}: ${message}`);
        assert.deepEqual(await paintedAnnotations(b.page), before, `${name} changed nothing`);
      }

      // NUL in the text with a correct sha256: refused by name.
      const nul = edit((d) => { d.document.text = 'a\u0000b'; d.annotations = []; });
      const nulData = JSON.parse(nul);
      const { createHash } = await import('node:crypto');
      nulData.document.sha256 = createHash('sha256').update(nulData.document.text, 'utf8').digest('hex');
      await importFile(b.page, 'nul-text.json', JSON.stringify(nulData));
      assert.match(await alertText(b.page), /NUL character \(U\+0000\)/);

      // 50 MB: refused at once, without reading it.
      await mkdir(OUT, { recursive: true });
      const huge = join(OUT, 'huge.json');
      await writeFile(huge, Buffer.alloc(50 * 1024 * 1024, 0x20));
      const started = Date.now();
      await b.page.getByLabel('Import', { exact: true }).setInputFiles(huge);
      assert.match(await alertText(b.page), /The file is 52\.4 MB; Marginalia reads files up to 20 MB/);
      assert.ok(Date.now() - started < 5000, 'no freeze');
      assert.deepEqual(await paintedAnnotations(b.page), before);

      // Some bad, some good: the dialog says which; then the valid rest can be imported.
      const partial = edit((d) => {
        d.annotations[0].text = 'wrong';
        d.annotations[2].start = -5;
        for (const x of d.annotations) x.note = 'from the partial file';
      });
      await dropFile(b.page, 'partial.json', partial);
      const ask = b.page.getByRole('alertdialog');
      await ask.waitFor();
      const text = await ask.innerText();
      assert.match(text, /2 of 5 annotations in partial\.json cannot be imported/);
      assert.match(text, /annotation 1 \(e1\)/);
      assert.match(text, /Nothing has been imported/);
      await ask.getByRole('button', { name: 'Import the 3 valid ones' }).click();
      await b.page.getByRole('alertdialog').getByRole('button', { name: /Merge/ }).click();
      // Merge: the three valid ones duplicate what is here, so they are skipped.
      assert.deepEqual(await paintedAnnotations(b.page), before);

      // A hostile note and label: shown as text, never run.
      const hostile = edit((d) => {
        d.labels.entity.push('<b>X</b>');
        d.annotations[0].note = '<img src=x onerror="window.__pwned=1">';
      });
      await importFile(b.page, 'hostile.json', hostile);
      await b.page.getByRole('alertdialog').getByRole('button', { name: /Replace/ }).click();
      await clickText(b.page, 'Hayat Tahrir al-Sham');
      await b.page.locator('.details').waitFor();
      assert.equal(await b.page.getByLabel('Note').inputValue(), '<img src=x onerror="window.__pwned=1">');
      assert.equal(await b.page.evaluate(() => window.__pwned), undefined, 'no script ran');
      assert.equal(await b.page.locator('img[src=x]').count(), 0);
      assert.match(await b.page.locator('.legend').innerText(), /<b>X<\/b>/, 'the label is text');
      await screenshot(b.page, 'files-after-import');
      assert.deepEqual(b.errors.filter((e) => !e.includes('Failed to load resource')), []);
    } finally {
      await b.close();
    }
  });

  test('storage that fails is said, and the work stays in the tab', async () => {
    const b = await launch();
    try {
      await b.context.addInitScript(() => {
        const broken = () => {
          throw new DOMException('simulated: storage is turned off', 'InvalidStateError');
        };
        Object.defineProperty(window.indexedDB, 'open', { value: broken });
      });
      await b.page.goto(server.url);
      await b.page.waitForSelector('article p');
      const warning = b.page.locator('.save.warn');
      await warning.waitFor();
      assert.match(await warning.innerText(), /Not saved: .*simulated.*use Export JSON/);
      await dragOver(b.page, 'Hayat Tahrir al-Sham');
      await tag(b.page, 'Entity', 'ORG');
      const { text } = await exportJson(b.page);
      assert.equal(JSON.parse(text).annotations.length, 1, 'the work is in memory and exports');
    } finally {
      await b.close();
    }
  });

  test('two tabs on one document do not silently overwrite each other', async () => {
    const b = await launch();
    try {
      const one = b.page;
      await openApp(one, server.url);
      const two = await b.context.newPage();
      await openApp(two, server.url);
      await dragOver(one, 'Hayat Tahrir al-Sham');
      await tag(one, 'Entity', 'ORG');
      await waitSaved(one);
      // The other tab is told at once.
      const told = two.getByRole('alertdialog');
      await told.waitFor();
      assert.match(await told.innerText(), /changed in another tab/);
      await told.getByRole('button', { name: 'Reload' }).click();
      await two.waitForFunction(() => document.querySelector('[role=status]')?.textContent.includes('Reloaded'));
      assert.equal(Object.keys(await paintedAnnotations(two)).length, 1, 'reload brings the other tab’s work');

      // Edit in tab one, then in tab two without reloading: tab two is asked before saving.
      await one.bringToFront();
      await dragOver(one, 'Sednaya Prison');
      await tag(one, 'Entity', 'FAC');
      await waitSaved(one);
      await two.bringToFront();
      const notice = two.getByRole('alertdialog');
      await notice.waitFor();
      // Ignore the notice and edit here: the save is refused, and tab two is asked.
      await notice.getByRole('button', { name: 'Not now' }).click();
      await dragOver(two, 'Mohammed Ghazi Jalali');
      await tag(two, 'Entity', 'PERSON');
      const ask = two.getByRole('alertdialog');
      await ask.waitFor();
      assert.match(await ask.innerText(), /your last change was not saved/);
      assert.match(await two.locator('.save').innerText(), /Not saved: another tab saved this document/);
      // Tab one's work is intact in storage: a reload of tab one shows both of its annotations.
      await one.reload();
      await openApp(one, server.url);
      assert.equal(Object.keys(await paintedAnnotations(one)).length, 2, 'nothing of tab one was lost');
      // Tab two reloads and gets them too.
      await ask.getByRole('button', { name: 'Reload' }).click();
      await two.waitForFunction(() => document.querySelector('[role=status]')?.textContent.includes('Reloaded'));
      assert.equal(Object.keys(await paintedAnnotations(two)).length, 2);
    } finally {
      await b.close();
    }
  });

  test('Open text adds documents, each with its own annotations', async () => {
    const b = await launch();
    try {
      const { page } = b;
      await openApp(page, server.url);
      await dragOver(page, 'Hayat Tahrir al-Sham');
      await tag(page, 'Entity', 'ORG');
      // A .txt file with CRLF line breaks (a textarea would turn them into LF).
      await page.getByRole('button', { name: 'Open text' }).click();
      await page.getByLabel('Title (optional)').fill('Family photo 👨‍👩‍👧');
      await page.getByLabel('Text file').setInputFiles({
        name: 'family.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('The 👨‍👩‍👧 family met in دمشق.\r\n\r\nSecond “paragraph” here.', 'utf8'),
      });
      await page.waitForFunction(() => document.querySelector('h1').textContent.startsWith('Family photo'));
      assert.equal(await page.locator('article > p').count(), 2);
      await dragOver(page, 'دمشق');
      await tag(page, 'Entity', 'GPE');
      await waitSaved(page);
      const { text } = await exportJson(page);
      const data = JSON.parse(text);
      assert.equal(data.document.text, 'The 👨‍👩‍👧 family met in دمشق.\r\n\r\nSecond “paragraph” here.');
      assert.deepEqual(
        data.annotations.map((x) => [x.start, x.end, x.text]),
        [[24, 28, 'دمشق']],
        'code points: the family emoji counts 5',
      );
      // Switch back: the article has its own annotation.
      await openDocument(page, 'Syrian rebels', 'damascus-2024-12-08');
      await page.waitForFunction(() => document.querySelector('h1').textContent === 'Syrian rebels enter Damascus');
      let painted = await paintedAnnotations(page);
      assert.deepEqual(Object.values(painted).map((x) => x.text), ['Hayat Tahrir al-Sham']);
      // Reload: both documents are listed; the open one is restored.
      await page.reload();
      await openApp(page, server.url);
      const options = await documentTitles(page);
      assert.deepEqual(options, ['Syrian rebels enter Damascus', 'Family photo 👨‍👩‍👧']);
      await openDocument(page, 'Family photo', 'family');
      await page.waitForFunction(() => document.querySelector('h1').textContent.startsWith('Family'));
      painted = await paintedAnnotations(page);
      assert.deepEqual(Object.values(painted).map((x) => x.text), ['دمشق']);
      // Pasted text opens too.
      await page.getByRole('button', { name: 'Open text' }).click();
      await page.getByLabel('Text to open').fill('Pasted words\n\nDoctors in ZÜRICH and Zürich, not in Zurich.');
      await page.getByRole('button', { name: 'Open pasted text' }).click();
      await page.waitForFunction(() => document.querySelector('h1').textContent === 'Pasted words');
      assert.equal(await page.locator('article > p').count(), 2);
      // The overview's search ignores case beyond ASCII too (the browser's case mapping).
      for (const word of ['ZÜRICH', 'Zürich', 'Zurich']) {
        await dragOver(page, word);
        await tag(page, 'Entity', 'GPE');
      }
      await page.getByPlaceholder('Search text').fill('zürich');
      await page.waitForFunction(() => document.querySelectorAll('.overview .item').length === 2);
      assert.deepEqual(
        (await page.locator('.overview .item').allInnerTexts()).map((t) => t.match(/Z\S+/)[0]),
        ['ZÜRICH', 'Zürich'],
      );
      await page.getByPlaceholder('Search text').fill('ZURICH');
      await page.waitForFunction(() => document.querySelectorAll('.overview .item').length === 1);
      await writeFile(join(OUT, 'family.json'), text);
    } finally {
      await b.close();
    }
  });
});
