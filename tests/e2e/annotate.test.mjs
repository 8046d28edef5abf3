// Annotating as a person does, end to end in Chromium: mouse drags snapped to words, the tag
// menu, nested and overlapping highlights, pick-in-text links, edits, delete, undo and redo,
// and one annotation made with the keyboard alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  articleText,
  checkBlocks,
  clickText,
  dragOver,
  drawnBlocks,
  launch,
  openApp,
  paintedAnnotations,
  paragraphsOf,
  screenshot,
  serveDist,
  tag,
} from './harness.mjs';

const QUOTE =
  '“After 50 years of oppression under the Baath Party regime and 13 years of crimes, tyranny and (forced) displacement… we announce today, 12/8/2024, the end of this dark period and the beginning of a new era for Syria,”';

/** Annotations as { text → { kind, label } } for readable comparisons. */
function byText(painted) {
  const out = {};
  for (const a of Object.values(painted)) out[`${a.kind}:${a.text}`] = a.label ?? '';
  return out;
}


async function status(page) {
  return page.locator('[role=status]').innerText();
}

async function alertText(page) {
  return page.locator('[role=alert] span').innerText();
}

describe('annotating', () => {
  let server;
  before(async () => {
    server = await serveDist();
  });
  after(async () => {
    await server?.close();
  });

  test('a person annotates the article with the mouse, edits, deletes, undoes and redoes', async () => {
    const b = await launch();
    const { page } = b;
    try {
      await openApp(page, server.url);
      const expectedText = paragraphsOf(await articleText());

      // 1. Drag across "Hayat Tahrir al-Sham" and tag it ORG.
      await dragOver(page, 'Hayat Tahrir al-Sham');
      const menu = page.locator('.tag-menu');
      await menu.waitFor();
      // The menu is beside the selection and does not cover the selected words.
      const [menuBox, words] = await Promise.all([
        menu.boundingBox(),
        page.evaluate(() => {
          const r = getSelection().getRangeAt(0).getBoundingClientRect();
          return { x: r.x, y: r.y, width: r.width, height: r.height };
        }),
      ]);
      const overlap =
        menuBox.x < words.x + words.width &&
        words.x < menuBox.x + menuBox.width &&
        menuBox.y < words.y + words.height &&
        words.y < menuBox.y + menuBox.height;
      assert.equal(overlap, false, 'the tag menu leaves the selected words visible');
      await tag(page, 'Entity', 'ORG');
      let painted = await paintedAnnotations(page);
      assert.deepEqual(byText(painted), { 'entity:Hayat Tahrir al-Sham': 'ORG' });
      assert.equal(painted.e1.start, 32, 'code-point offsets: Python text[32:52]');
      assert.equal(painted.e1.end, 52);

      // 2. From the middle of one word to the middle of another: whole words.
      await dragOver(page, 'Mohammed Ghazi Jalali', { from: 3, to: 2 });
      await tag(page, 'Entity', 'PERSON');
      painted = await paintedAnnotations(page);
      assert.equal(byText(painted)['entity:Mohammed Ghazi Jalali'], 'PERSON');

      // 3. The statement quote, from its opening “ to its closing ”.
      await dragOver(page, QUOTE);
      await tag(page, 'Quote');
      // 4. "Baath Party" nested inside it.
      await dragOver(page, 'Baath Party');
      await tag(page, 'Entity', 'ORG');
      // 5. A claim overlapping the quote: from inside it to past its end.
      await dragOver(page, 'the end of this dark period and the beginning of a new era for Syria,” they stated');
      await tag(page, 'Claim');
      // The speaker, to link by "pick in text".
      await dragOver(page, 'Rebel forces say');
      // "say" is not part of the speaker: shrink the end by one word with the keyboard.
      await tag(page, 'Entity', 'ORG');
      await page.keyboard.press('Shift+ArrowLeft');
      painted = await paintedAnnotations(page);
      assert.deepEqual(byText(painted), {
        'entity:Hayat Tahrir al-Sham': 'ORG',
        'entity:Mohammed Ghazi Jalali': 'PERSON',
        [`quote:${QUOTE}`]: '',
        'entity:Baath Party': 'ORG',
        'claim:the end of this dark period and the beginning of a new era for Syria,” they stated': '',
        'entity:Rebel forces': 'ORG',
      });
      // Decorations are not text: the article still reads exactly as the document.
      const blocks = await drawnBlocks(page);
      assert.deepEqual(
        checkBlocks(blocks, await articleText()).map((p) => p.text),
        expectedText,
      );
      assert.deepEqual(
        blocks.map((blk) => blk.inner),
        expectedText,
        'chips and brackets are not in the visible text (one block a paragraph)',
      );

      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.keyboard.press('Escape');
        await page.locator('p[data-p="2"]').scrollIntoViewIfNeeded();
        await screenshot(page, `annotate-nested-${scheme}`);
      }
      await page.emulateMedia({ colorScheme: 'light' });

      // 6. Link the quote's speaker by "pick in text".
      await clickText(page, 'years of oppression');
      await page.locator('.details').waitFor();
      assert.match(await page.locator('.details h2').innerText(), /QUOTE/i);
      await page.getByRole('button', { name: 'Pick in text' }).click();
      await clickText(page, 'Rebel forces');
      await page.waitForFunction(() =>
        document.querySelector('.details .party-now')?.textContent.includes('Rebel forces'),
      );
      assert.match(await page.locator('.overview').innerText(), /said by\s+Rebel forces/);
      assert.equal(await status(page), 'Set speaker');
      // Undo and redo the link.
      await page.keyboard.press('Control+z');
      await page.waitForFunction(() => !document.querySelector('.overview').textContent.includes('said by'));
      await page.keyboard.press('Control+Shift+z');
      await page.waitForFunction(() => document.querySelector('.overview').textContent.includes('said by'));

      // The speaker's row jumps to the speaker.
      await page.locator('.overview').getByRole('button', { name: 'Rebel forces' }).first().click();
      assert.match(await page.locator('.details h2').innerText(), /ENTITY/i);
      await page.waitForSelector('.seg.flash');

      // 7. Edit a type: Baath Party becomes NORP, by the details panel.
      await clickText(page, 'Baath Party');
      await page.waitForFunction(() => document.querySelector('.details h2')?.textContent.match(/Entity/i));
      await page.getByLabel('Type', { exact: true }).selectOption('NORP');
      painted = await paintedAnnotations(page);
      assert.equal(byText(painted)['entity:Baath Party'], 'NORP');
      await page.keyboard.press('Control+z');
      painted = await paintedAnnotations(page);
      assert.equal(byText(painted)['entity:Baath Party'], 'ORG', 'undo restores the type');
      await page.keyboard.press('Control+y');
      painted = await paintedAnnotations(page);
      assert.equal(byText(painted)['entity:Baath Party'], 'NORP', 'redo (Ctrl+Y) retypes it');

      // 8. Delete the speaker: the quote loses its speaker; undo brings both back.
      await clickText(page, 'Rebel forces');
      await page.waitForFunction(() => document.querySelector('.details h2')?.textContent.match(/Entity/i));
      await page.keyboard.press('Delete');
      painted = await paintedAnnotations(page);
      assert.equal(byText(painted)['entity:Rebel forces'], undefined);
      assert.doesNotMatch(await page.locator('.overview').innerText(), /said by/);
      await page.getByRole('button', { name: 'Undo', exact: true }).click();
      painted = await paintedAnnotations(page);
      assert.equal(byText(painted)['entity:Rebel forces'], 'ORG');
      assert.match(await page.locator('.overview').innerText(), /said by\s+Rebel forces/, 'undo restores the link');
      await page.getByRole('button', { name: 'Redo', exact: true }).click();
      painted = await paintedAnnotations(page);
      assert.equal(byText(painted)['entity:Rebel forces'], undefined);
      await page.keyboard.press('Control+z');

      // Overlapping highlights: clicks cycle through them, innermost first.
      await clickText(page, 'Baath Party');
      assert.match(await page.locator('.details h2').innerText(), /Entity/i);
      await clickText(page, 'Baath Party');
      assert.match(await page.locator('.details h2').innerText(), /Quote/i);

      // A duplicate is refused with a message, and nothing changes.
      const before = await paintedAnnotations(page);
      await dragOver(page, 'Hayat Tahrir al-Sham');
      await page.getByRole('button', { name: 'Entity', exact: true }).click();
      await page.getByRole('button', { name: 'ORG', exact: true }).click();
      assert.equal(await alertText(page), '“Hayat Tahrir al-Sham” is already tagged ORG.');
      assert.ok(await page.locator('.tag-menu').isVisible(), 'the menu stays for another choice');
      await page.keyboard.press('Escape');
      assert.deepEqual(await paintedAnnotations(page), before);

      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });

  test('one annotation with the keyboard alone', async () => {
    const b = await launch();
    const { page } = b;
    try {
      await openApp(page, server.url);
      // Tab into the article.
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('Tab');
        if (await page.evaluate(() => document.activeElement?.matches('article'))) break;
      }
      assert.ok(await page.evaluate(() => document.activeElement?.matches('article')), 'Tab reaches the article');
      // A caret appears at the start; move it by words to "Hayat", then select by words, as
      // a person watching the screen would (how far one Ctrl+→ goes is the platform's call).
      const beforeCaret = () =>
        page.evaluate(() => {
          const s = getSelection();
          const r = document.createRange();
          r.setStart(document.querySelector('article p'), 0);
          r.setEnd(s.focusNode, s.focusOffset);
          return r.toString();
        });
      await page.keyboard.press('ArrowRight');
      for (let i = 0; i < 20 && !(await beforeCaret()).endsWith('led by the'); i++) {
        await page.keyboard.press('Control+ArrowRight');
      }
      await page.keyboard.press('ArrowRight'); // past the space before "Hayat"
      for (let i = 0; i < 10 && (await page.evaluate(() => getSelection().toString())) !== 'Hayat Tahrir al-Sham'; i++) {
        await page.keyboard.press('Control+Shift+ArrowRight');
      }
      await page.waitForSelector('.tag-menu.placed');
      // "e" opens the types; "2" is ORG.
      await page.keyboard.press('e');
      await page.keyboard.press('2');
      let painted = await paintedAnnotations(page);
      assert.deepEqual(byText(painted), { 'entity:Hayat Tahrir al-Sham': 'ORG' });

      // Esc leaves the annotation with a caret after it; Shift+arrows select on; q tags a quote.
      await page.keyboard.press('Escape');
      for (let i = 0; i < 2; i++) await page.keyboard.press('Control+Shift+ArrowRight');
      await page.keyboard.press('q');
      painted = await paintedAnnotations(page);
      assert.equal(Object.values(painted).filter((a) => a.kind === 'quote').length, 1);
      // Every control has an accessible name: the toolbar and the details panel.
      const unnamed = await page.evaluate(() =>
        [...document.querySelectorAll('button, select, input, textarea')]
          .filter((el) => {
            const label =
              el.getAttribute('aria-label') ||
              (el.id && document.querySelector(`label[for="${el.id}"]`)?.textContent) ||
              el.closest('label')?.textContent ||
              el.textContent;
            return !label || !label.trim();
          })
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      assert.deepEqual(unnamed, []);
      // "?" lists the shortcuts.
      await page.keyboard.press('Escape');
      await page.keyboard.press('?');
      await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
      await screenshot(page, 'annotate-shortcuts');
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });

  test('double click, Alt for exact characters, and a change repaints only its paragraph', async () => {
    const b = await launch();
    const { page } = b;
    try {
      await openApp(page, server.url);
      // A double click selects a word; the menu offers the types.
      const { start, end } = await import('./harness.mjs').then((h) =>
        h.textPoints(page, 'Damascus', { nth: 0 }),
      );
      await page.mouse.dblclick((start.x + end.x) / 2, start.y);
      await tag(page, 'Entity', 'GPE');
      let painted = await paintedAnnotations(page);
      assert.deepEqual(byText(painted), { 'entity:Damascus': 'GPE' });

      // Alt keeps the exact characters.
      await page.keyboard.down('Alt');
      await dragOver(page, 'Hayat Tahrir al-Sham', { from: 1, to: 3 });
      await page.keyboard.up('Alt');
      await tag(page, 'Claim');
      painted = await paintedAnnotations(page);
      assert.equal(byText(painted)['claim:ayat Tahrir al-S'], '');

      // Near the bottom edge of the view the menu goes above the selection, and stays on screen.
      await page.keyboard.press('Escape');
      await page.evaluate(() => {
        const p = document.querySelector('p[data-p="3"]');
        window.scrollBy(0, p.getBoundingClientRect().bottom - innerHeight + 4);
      });
      const box = await page.evaluate(() => {
        const p = document.querySelector('p[data-p="3"]');
        const segs = p.querySelectorAll('.seg');
        const r = document.createRange();
        const last = segs[segs.length - 1].firstChild;
        r.setStart(last, last.data.length - 7);
        r.setEnd(last, last.data.length - 1);
        const b = r.getBoundingClientRect();
        return { x: b.left + 2, y: b.top + b.height / 2, x2: b.right - 2 };
      });
      await page.mouse.move(box.x, box.y);
      await page.mouse.down();
      await page.mouse.move(box.x2, box.y, { steps: 4 });
      await page.mouse.up();
      await page.waitForSelector('.tag-menu.placed');
      const placed = await page.evaluate(() => {
        const m = document.querySelector('.tag-menu').getBoundingClientRect();
        const s = getSelection().getRangeAt(0).getBoundingClientRect();
        return { menuTop: m.top, menuBottom: m.bottom, menuLeft: m.left, menuRight: m.right, selTop: s.top, vw: innerWidth, vh: innerHeight };
      });
      assert.ok(placed.menuBottom <= placed.selTop, 'above the selected words');
      assert.ok(placed.menuTop >= 0 && placed.menuBottom <= placed.vh, 'inside the view vertically');
      assert.ok(placed.menuLeft >= 0 && placed.menuRight <= placed.vw, 'inside the view horizontally');
      await page.keyboard.press('Escape');

      // Watch which paragraphs the next change touches.
      await page.evaluate(() => {
        window.__touched = new Set();
        new MutationObserver((records) => {
          for (const r of records) {
            const p = (r.target.nodeType === 1 ? r.target : r.target.parentElement)?.closest('p[data-p]');
            window.__touched.add(p ? p.dataset.p : 'outside paragraphs');
          }
        }).observe(document.querySelector('article'), {
          subtree: true,
          childList: true,
          attributes: true,
          characterData: true,
        });
      });
      await page.keyboard.press('Escape');
      await dragOver(page, 'Sednaya Prison');
      await page.evaluate(() => window.__touched.clear());
      await tag(page, 'Entity', 'FAC');
      const touched = await page.evaluate(() => [...window.__touched]);
      // Each render bumps the paragraph's data-renders, so this counts renders, not only DOM
      // changes: one paragraph re-rendered.
      assert.deepEqual(touched, ['2'], 'only the paragraph holding the new annotation re-renders');
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });
});
