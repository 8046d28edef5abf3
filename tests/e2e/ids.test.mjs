// Ids a file brings, end to end: a native file whose ids hold spaces, quotes, brackets,
// backslashes and non-ASCII letters is imported; every highlight can be clicked (the details
// panel names its id) and jumped to from the overview; the export carries the file's ids, and
// links between them, unchanged. The page never puts an id in a selector or an attribute list.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, clickText, exportJson, launch, openApp, paintedAnnotations, screenshot, serveDist } from './harness.mjs';

/** The golden file's ids, and what this test calls them. */
const IDS = {
  e1: 'org one',
  c5: 'claim "5" \\ back\\slash',
  e2: "rebels]['x'] ~=",
  q3: 'q “drei” ü دمشق',
  e4: 'e4 "]" \\"',
};

describe('ids a file brings', () => {
  let server;
  let file;
  before(async () => {
    const golden = JSON.parse(await readFile(join(ROOT, 'core/tests/golden/native/damascus.marginalia.json'), 'utf8'));
    for (const a of golden.annotations) {
      a.id = IDS[a.id];
      if (a.speaker?.ref) a.speaker.ref = IDS[a.speaker.ref];
    }
    file = golden;
    server = await serveDist();
  });
  after(async () => {
    await server?.close();
  });

  test('are kept, can be clicked and jumped to, and are exported unchanged', async () => {
    // A short view, so that the article does not fit and a jump has to scroll.
    const b = await launch({ viewport: { width: 1280, height: 420 } });
    const { page } = b;
    try {
      await openApp(page, server.url);
      await page.getByLabel('Import', { exact: true }).setInputFiles({
        name: 'hostile-ids.marginalia.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(file), 'utf8'),
      });
      await page.waitForSelector('html[data-annotations="5"]');

      // The page paints each annotation under its own id (read from what the page exposes).
      const painted = await paintedAnnotations(page);
      assert.deepEqual(Object.keys(painted).sort(), Object.values(IDS).sort());
      for (const a of file.annotations) {
        assert.equal(painted[a.id].text, a.text, `${a.id} is painted over its text`);
        assert.equal(painted[a.id].kind, a.kind);
      }
      // No id reaches an attribute of the article.
      const attrs = await page.evaluate(() =>
        [...document.querySelectorAll('article *')].flatMap((el) => [...el.attributes].map((x) => x.value)).join('\n'),
      );
      for (const id of Object.values(IDS)) assert.ok(!attrs.includes(id), `${id} is in no attribute`);

      // Click each highlight: its details panel names it. (In "Baath Party" the innermost,
      // the entity, comes first; elsewhere in the quote, the quote.)
      const clicks = [
        ['Hayat Tahrir', IDS.e1],
        ['reported to have fled', IDS.c5],
        ['Rebel forces', IDS.e2],
        ['oppression under', IDS.q3],
        ['Baath Party', IDS.e4],
      ];
      for (const [text, id] of clicks) {
        await page.keyboard.press('Escape');
        await clickText(page, text);
        await page.waitForFunction((id) => document.querySelector('.details .details-id')?.textContent === id, id, { timeout: 5_000 });
      }
      // The quote's speaker is the entity with the odd id: its panel names it.
      await page.keyboard.press('Escape');
      await clickText(page, 'oppression under');
      await page.waitForFunction(() => document.querySelector('.details .party-now')?.textContent.includes('Rebel forces'), null, { timeout: 5_000 });

      // Jump to each from the overview, from the other end of the article.
      for (const a of file.annotations) {
        await page.keyboard.press('Escape');
        await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
        await page.getByPlaceholder('Search text').fill(a.text);
        await page.locator('.overview .item').first().click();
        await page.waitForFunction((id) => document.querySelector('.details .details-id')?.textContent === id, a.id, { timeout: 5_000 });
        await page.waitForSelector('.seg.flash');
        await page.waitForTimeout(400);
        const inView = await page.$eval('.seg.flash', (el) => {
          const r = el.getBoundingClientRect();
          return r.bottom > 0 && r.top < innerHeight;
        });
        assert.ok(inView, `the jump to ${a.id} shows it`);
      }
      await page.getByPlaceholder('Search text').fill('');
      await screenshot(page, 'ids-hostile');

      // Export: the file's ids and links, unchanged.
      const out = JSON.parse((await exportJson(page)).text);
      assert.deepEqual(
        out.annotations.map((a) => [a.id, a.kind, a.start, a.end, a.speaker?.ref ?? null]).sort(),
        file.annotations.map((a) => [a.id, a.kind, a.start, a.end, a.speaker?.ref ?? null]).sort(),
      );
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });
});
