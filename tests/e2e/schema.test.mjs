// The open schema in the page, as a person uses it: a relation of a custom type made by mouse
// and one by keyboard alone, attributes added and edited in the details panel, a
// discontinuous entity made by Ctrl-drag; all exported as JSON, read back, and imported into
// a fresh profile exactly; undo takes a relation back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  ROOT,
  clickText,
  paintedAnnotations,
  dragOver,
  exportJson,
  launch,
  openApp,
  screenshot,
  serveDist,
  tag,
  waitSaved,
} from './harness.mjs';

const OUT = join(ROOT, 'target', 'e2e-downloads', 'schema');

/** The annotation of the export whose text is `text` (the only one). */
function byText(file, text) {
  const whole = file.document.text;
  const found = file.annotations.filter((a) => whole.slice(...codePoints(whole, a)) === text);
  assert.equal(found.length, 1, `one annotation over “${text}”: ${JSON.stringify(found)}`);
  return found[0];
}

/** [start, end] of an annotation as UTF-16 indices of `text` (offsets are code points). */
function codePoints(text, a) {
  const cps = Array.from(text);
  const at = (n) => cps.slice(0, n).join('').length;
  return [at(a.start), at(a.end)];
}

/** The work a file holds: its text and annotations, without when they were made. */
function comparable(file) {
  const annotations = structuredClone(file.annotations);
  for (const a of annotations) {
    delete a.created;
    delete a.updated;
  }
  return { text: file.document.text, labels: file.labels, annotations };
}

describe('the open schema in the page', () => {
  let server;
  before(async () => {
    server = await serveDist();
  });
  after(async () => {
    await server?.close();
  });

  test('relations by mouse and keyboard, attributes, a discontinuous span; exported and reimported exactly', async () => {
    const a = await launch();
    let exported;
    try {
      const { page } = a;
      await openApp(page, server.url);
      await dragOver(page, 'Hayat Tahrir al-Sham');
      await tag(page, 'Entity', 'ORG');
      await dragOver(page, 'HTS');
      await tag(page, 'Entity', 'ORG');
      await dragOver(page, 'Damascus');
      await tag(page, 'Entity', 'GPE');

      // By mouse: select the source, "Add relation…", click the target, type the type.
      await clickText(page, 'Hayat Tahrir al-Sham');
      await page.getByRole('button', { name: 'Add relation…' }).click();
      assert.match(await page.locator('[role=status]').innerText(), /click another annotation/);
      await clickText(page, 'Damascus');
      const type = page.getByRole('combobox', { name: 'Relation type' });
      await type.waitFor();
      assert.ok(await type.evaluate((el) => el === document.activeElement), 'the type field has focus');
      await type.fill('Entered');
      await page.getByRole('button', { name: 'Relate', exact: true }).click();
      const details = page.locator('section.details');
      await details.locator('.relation.out', { hasText: 'Entered' }).waitFor();
      assert.match(await details.locator('.relations').innerText(), /Entered\s*→\s*“Damascus”/);
      // Drawn over the text, labelled with its type.
      await page.waitForSelector('svg.links g.link.relation[data-role="Entered"]');
      // In the sidebar's list, under its source.
      assert.match(await page.locator('.overview .item-relation').first().innerText(), /Entered → Damascus/);
      // Listed at the other end too, and named for screen readers.
      assert.equal(await page.getByRole('button', { name: 'Remove relation Entered to “Damascus”' }).count(), 1);
      await clickText(page, 'Damascus');
      await details.locator('.relation.in', { hasText: 'Entered' }).waitFor();
      assert.match(await details.locator('.relations').innerText(), /Entered\s*←\s*“Hayat Tahrir al-Sham”/);

      // By keyboard alone: Esc leaves a caret after the annotation; ← puts it inside, Enter
      // selects it; R starts a relation; → → puts the caret on "HTS", Enter picks it; the type
      // is typed and Enter makes it.
      await clickText(page, 'Hayat Tahrir al-Sham');
      await page.keyboard.press('Escape');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('Enter');
      await details.locator('.details-text', { hasText: 'Hayat Tahrir al-Sham' }).waitFor();
      await page.keyboard.press('r');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Enter');
      await type.waitFor();
      assert.ok(await type.evaluate((el) => el === document.activeElement), 'focus goes to the type field');
      await page.keyboard.type('Short-form');
      await page.keyboard.press('Enter');
      await details.locator('.relation.out', { hasText: 'Short-form' }).waitFor();
      // Several relations from one annotation are drawn apart: two labelled paths.
      await page.waitForFunction(() => document.querySelectorAll('svg.links g.link.relation').length === 2);
      await screenshot(page, 'schema-relations-light');

      // Undo takes the last relation back; redo brings it again.
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+z');
      await clickText(page, 'Hayat Tahrir al-Sham');
      await page.waitForFunction(() => !document.querySelector('section.details .relations')?.textContent.includes('Short-form'));
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+Shift+z');
      await clickText(page, 'Hayat Tahrir al-Sham');
      await details.locator('.relation.out', { hasText: 'Short-form' }).waitFor();

      // Attributes on "Damascus": a flag, and a value then edited.
      await clickText(page, 'Damascus');
      await page.getByRole('combobox', { name: 'New attribute name' }).fill('Capital');
      await page.getByRole('combobox', { name: 'New attribute name' }).press('Enter');
      await details.getByRole('checkbox', { name: 'Capital' }).waitFor();
      assert.ok(await details.getByRole('checkbox', { name: 'Capital' }).isChecked());
      await page.getByRole('combobox', { name: 'New attribute name' }).fill('Status');
      await page.getByRole('textbox', { name: /New attribute value/ }).fill('confirmed');
      await page.getByRole('textbox', { name: /New attribute value/ }).press('Enter');
      const status = details.getByRole('textbox', { name: 'Attribute Status' });
      await status.waitFor();
      assert.equal(await status.inputValue(), 'confirmed');
      await status.fill('reported');
      await status.press('Tab');
      await page.waitForFunction(() => document.querySelector('[role=status]')?.textContent.includes('Status'));
      // A refused name says why and changes nothing.
      await page.getByRole('combobox', { name: 'New attribute name' }).fill('two words');
      await page.getByRole('combobox', { name: 'New attribute name' }).press('Enter');
      await page.waitForSelector('[role=alert]');
      assert.match(await page.locator('[role=alert]').innerText(), /attribute name/i);

      // A discontinuous entity: "Syrian … forces", the second fragment added by Ctrl-drag.
      await dragOver(page, 'Syrian');
      await tag(page, 'Entity', 'NORP');
      await page.keyboard.down('Control');
      await dragOver(page, 'forces');
      await page.keyboard.up('Control');
      await details.locator('.fragments li').nth(1).waitFor();
      assert.deepEqual(await details.locator('.fragments li').allInnerTexts(), ['“Syrian” 0–6', '“forces” 13–19']);
      // Painted as its two fragments, the gap plain.
      const painted = await page.evaluate(() =>
        [...document.querySelectorAll('article .seg.sel')].map((s) => s.textContent),
      );
      assert.deepEqual(painted, ['Syrian', 'forces']);
      await screenshot(page, 'schema-fragments-light');
      await waitSaved(page);

      exported = await exportJson(page, OUT);
      const file = JSON.parse(exported.text);
      const hts = byText(file, 'Hayat Tahrir al-Sham');
      const damascus = byText(file, 'Damascus');
      const short = byText(file, 'HTS');
      assert.deepEqual(
        hts.relations.map((r) => [r.type, r.target]),
        [
          ['Entered', damascus.id],
          ['Short-form', short.id],
        ],
      );
      assert.deepEqual(damascus.attributes, { Capital: true, Status: 'reported' });
      const syrian = file.annotations.find((x) => x.fragments);
      assert.deepEqual(
        syrian.fragments.map((f) => [f.start, f.end, f.text]),
        [
          [0, 6, 'Syrian'],
          [13, 19, 'forces'],
        ],
      );
      assert.deepEqual([syrian.start, syrian.end], [0, 19]);
    } finally {
      await a.close();
    }

    // Dark mode shows the relations readably too.
    const dark = await launch({ colorScheme: 'dark' });
    try {
      await openApp(dark.page, server.url);
      await dark.page.getByLabel('Import', { exact: true }).setInputFiles({
        name: exported.name,
        mimeType: 'application/json',
        buffer: Buffer.from(exported.text, 'utf8'),
      });
      // The relation types and attributes are new to this profile: listed, added by one
      // confirmation.
      const ask = dark.page.getByRole('alertdialog');
      await ask.waitFor();
      assert.deepEqual((await ask.locator('li').allInnerTexts()).sort(), [
        'attribute Capital',
        'attribute Status',
        'relation type Entered',
        'relation type Short-form',
      ]);
      await ask.getByRole('button', { name: 'Import and add 4 types' }).click();
      await dark.page.waitForSelector('html[data-annotations="4"]');
      await clickText(dark.page, 'Hayat Tahrir al-Sham');
      await dark.page.waitForFunction(() => document.querySelectorAll('svg.links g.link.relation').length === 2);
      await screenshot(dark.page, 'schema-relations-dark');
      // Imported into a fresh profile, the work exports exactly as it was.
      const again = JSON.parse((await exportJson(dark.page, join(OUT, 'again'))).text);
      assert.deepEqual(comparable(again), comparable(JSON.parse(exported.text)));
    } finally {
      await dark.close();
    }
  });

  test('a W3C file without its text is anchored onto the open document, drift and all; what cannot be anchored is listed', async () => {
    // As Recogito writes them: quote and position selectors, no source text; one quote has
    // drifted ("al-Asad"), one is not in this text at all, and a linking annotation relates
    // the first two.
    const quote = (id, exact, prefix, suffix, start, tagValue) => ({
      '@context': 'http://www.w3.org/ns/anno.jsonld',
      id,
      type: 'Annotation',
      body: [{ type: 'TextualBody', purpose: 'tagging', value: tagValue }],
      target: {
        selector: [
          { type: 'TextQuoteSelector', exact, prefix, suffix },
          { type: 'TextPositionSelector', start, end: start + exact.length },
        ],
      },
    });
    const file = [
      quote('#a1', 'Hayat Tahrir al-Sham', 'led by the ', ' (HTS)', 32, 'ORG'),
      quote('#a2', 'Bashar al-Asad', 'President ', ' is reported', 200, 'PERSON'),
      quote('#a3', 'Moscow was quiet all night', 'In Russia, ', '.', 900, 'EVENT'),
      {
        '@context': 'http://www.w3.org/ns/anno.jsonld',
        id: '#l1',
        type: 'Annotation',
        motivation: 'linking',
        body: [{ type: 'TextualBody', purpose: 'tagging', value: 'isRelatedTo' }],
        target: ['#a1', '#a2'],
      },
    ];
    const b = await launch();
    try {
      const { page } = b;
      await openApp(page, server.url);
      await page.getByLabel('Import', { exact: true }).setInputFiles({
        name: 'recogito.w3c.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(file, null, 2), 'utf8'),
      });
      // The one that cannot be anchored is listed by its id before anything changes.
      const dialog = page.getByRole('alertdialog');
      await dialog.waitFor();
      const said = await dialog.innerText();
      assert.match(said, /a3/);
      assert.doesNotMatch(said, /#a1|#a2/);
      // The relation type is new here: listed in the same dialog, added by its one button.
      assert.match(said, /relation type isRelatedTo/);
      await dialog.getByRole('button', { name: /Import the 2 valid ones/ }).click();
      await page.waitForSelector('html[data-annotations="2"]');
      const painted = Object.values(await paintedAnnotations(page)).map((a) => `${a.label}:${a.text}`);
      assert.deepEqual(painted.sort(), ['ORG:Hayat Tahrir al-Sham', 'PERSON:Bashar al-Assad']);
      // The linking annotation is a relation, drawn and listed.
      await clickText(page, 'Hayat Tahrir al-Sham');
      await page.waitForSelector('svg.links g.link.relation[data-role="isRelatedTo"]');
      assert.match(await page.locator('section.details .relations').innerText(), /isRelatedTo\s*→\s*“Bashar al-Assad”/);
    } finally {
      await b.close();
    }
  });
});
