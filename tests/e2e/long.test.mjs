// A long document, end to end: the 1 MB article (300 repeats) with 1,000 annotations, opened by
// a link. Only the blocks near the view are drawn (its paragraphs are short: one block each);
// scrolling draws the rest; jumping to an annotation far down draws and shows it; tagging there
// works; the drawn text is exact. (Long texts that are not paragraphs: shapes.test.mjs.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, E2E_DATA, ROOT, checkBlocks, dragOver, drawnBlocks, launch, screenshot, serveDist, tag } from './harness.mjs';

const FILE = 'damascus-x300-1000.marginalia.json';

describe('a long document', () => {
  let server;
  let data;
  before(async () => {
    execFileSync(CLI, ['synth', '--times', '300', '--annotations', '1000', '-o', E2E_DATA], { stdio: 'pipe' });
    data = JSON.parse(await readFile(join(E2E_DATA, FILE), 'utf8'));
    server = await serveDist();
  });
  after(async () => {
    await server?.close();
  });

  test('opens fast by drawing what is near, and everything can be reached', async () => {
    const b = await launch();
    const { page } = b;
    try {
      await page.goto(`${server.url}?open=/e2e-data/${FILE}`);
      await page.waitForSelector('html[data-doc="damascus-x300-1000"][data-annotations="1000"]', { timeout: 60_000 });
      const drawn = await page.locator('article > p').count();
      assert.ok(drawn > 5 && drawn < 150, `only blocks near the view are drawn (${drawn} of 3000)`);
      // The drawn text is exactly the document's, block by block, and each paragraph is one.
      const chars = Array.from(data.document.text);
      const check = async () => {
        const blocks = await drawnBlocks(page);
        const paras = checkBlocks(blocks, data.document.text);
        assert.equal(paras.length, blocks.length, 'one block a paragraph');
        return blocks.map((blk) => [blk.o, blk.e, blk.content]);
      };
      await check();
      // The article is as tall as the whole document: scrolling to the end draws the end.
      // (Heights of paragraphs not drawn yet are estimates, so the end may move as they are
      // drawn: scroll on to it, as a person holding End would.)
      for (let i = 0; i < 20; i++) {
        await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
        await page.waitForTimeout(150);
        if (await page.evaluate(() => document.querySelector('article > p:last-of-type')?.dataset.p === '2999')) break;
      }
      assert.equal(await page.evaluate(() => document.querySelector('article > p:last-of-type')?.dataset.p), '2999');
      const last = await check();
      assert.equal(last[last.length - 1][1], chars.length, 'the last paragraph ends the text');
      // Jump from the overview to an annotation far from the view: it is drawn and shown.
      await page.evaluate(() => window.scrollTo(0, 0));
      const target = data.annotations.filter((a) => a.kind === 'entity')[20];
      await page.getByPlaceholder('Search text').fill(target.text);
      await page.locator('.overview .item').first().click();
      await page.waitForSelector('.seg.flash');
      const inView = await page.$eval('.seg.flash', (el) => {
        const r = el.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= innerHeight;
      });
      assert.ok(inView, 'the annotation is scrolled into view');
      // Tag something there, with the mouse.
      const word = await page.$eval('.seg.flash', (el) => el.closest('p').textContent.match(/\b[A-Z][a-z]{5,}\b/)[0]);
      await page.keyboard.press('Escape');
      await dragOver(page, word, { nth: 0 });
      await tag(page, 'Claim');
      await page.waitForSelector('html[data-annotations="1001"]');
      await screenshot(page, 'long-document');
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });
});
