// Long texts that are not blank-line paragraphs, end to end: ~1 MB of single-newline lines (a
// sentence a line, as transcripts and corpora come) and ~1 MB on one line, each one paragraph.
// As a person would: open it by a link; only a few screens of it are drawn; scroll far down,
// drag over a word and tag it; drag from one block into the next and tag that; select across a
// block boundary with the keyboard (Home, Shift+arrows) and tag it; jump to an annotation from
// the overview's search; export, and read back text[start:end] in code points.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, E2E_DATA, ROOT, checkBlocks, drawnBlocks, dragSpan, exportJson, launch, screenshot, serveDist, tag } from './harness.mjs';

const ANNOTATIONS = 60;
const SHAPES = ['lines', 'paragraph'];
const file = (shape) => `damascus-${shape}-x300-${ANNOTATIONS}.marginalia.json`;

/** Python's text[start:end], in code points. */
const slice = (chars, start, end) => chars.slice(start, end).join('');

/** Waits until the page has `n` annotations. */
const count = (page, n) => page.waitForSelector(`html[data-annotations="${n}"]`, { timeout: 30_000 });

/**
 * Words (code-point spans) of the drawn text that no annotation covers, by block:
 * { b, p, o, e, top, bottom, words: [[start, end, text]] }, blocks in order. Only plain words:
 * letters and digits after a space (or the block's start) and before a space, a comma, a full
 * stop (or the block's end), so that snapping to words keeps them as they are.
 */
async function freeWords(page) {
  return page.evaluate(() => {
    const out = [];
    for (const p of document.querySelectorAll('article > p')) {
      const words = [];
      for (const seg of p.querySelectorAll('.seg:not([data-a])')) {
        const text = seg.firstChild.data;
        const atStart = seg.dataset.o === p.dataset.o;
        const atEnd = seg.dataset.e === p.dataset.e;
        for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) {
          const end = m.index + m[0].length;
          const before = m.index === 0 ? atStart : /\s/u.test(text[m.index - 1]);
          const after = end === text.length ? atEnd : /\s/u.test(text[end]) || (/[,.]/.test(text[end]) && (end + 1 === text.length ? atEnd : /\s/u.test(text[end + 1])));
          if (!before || !after) continue;
          const start = Number(seg.dataset.o) + Array.from(text.slice(0, m.index)).length;
          words.push([start, start + Array.from(m[0]).length, m[0]]);
        }
      }
      const r = p.getBoundingClientRect();
      out.push({ b: Number(p.dataset.b), p: Number(p.dataset.p), o: Number(p.dataset.o), e: Number(p.dataset.e), top: r.top, bottom: r.bottom, words });
    }
    return out;
  });
}

/**
 * Two consecutive blocks of one paragraph, near the view, where the last word of the first
 * and the first word of the second are free of annotations and sit at the blocks' edges
 * (nothing but punctuation and spaces between them): { before, after } words, after the `skip`-th such pair.
 */
async function boundary(page, chars, skip = 0) {
  // Read from the drawn blocks; where none qualify, scroll on by a few screens (drawing others)
  // and read again.
  for (let tries = 0; ; tries++) {
    try {
      return await boundaryDrawn(page, chars, skip);
    } catch (e) {
      if (tries >= 6) throw e;
      await page.evaluate(() => scrollBy({ top: innerHeight * 2, behavior: 'instant' }));
      await page.waitForTimeout(150);
    }
  }
}

async function boundaryDrawn(page, chars, skip) {
  const blocks = await freeWords(page);
  let seen = 0;
  for (let k = 0; k + 1 < blocks.length; k++) {
    const [a, b] = [blocks[k], blocks[k + 1]];
    if (a.p !== b.p || a.b + 1 !== b.b || !a.words.length || !b.words.length) continue;
    const last = a.words[a.words.length - 1];
    const first = b.words[0];
    // Only punctuation, spaces and line breaks between them: the blocks' last and first words.
    const between = slice(chars, last[1], first[0]);
    if (/[\p{L}\p{N}]/u.test(between) || between.length > 8) continue;
    // Drawn near the view (blocks of a long line are a few screens tall).
    if (a.bottom < -3500 || b.top > 4500) continue;
    if (seen++ === skip) return { before: last, after: first, blocks: [a.b, b.b] };
  }
  throw new Error(`no free block boundary near the view: ${JSON.stringify(blocks.map((b) => [b.b, b.p, Math.round(b.top), Math.round(b.bottom), b.words.length, b.words[0]?.[0] - b.o, b.e - b.words.at(-1)?.[1]]))}`);
}

describe('long texts that are not paragraphs', () => {
  let server;
  const data = {};
  before(async () => {
    for (const shape of SHAPES) {
      execFileSync(CLI, ['synth', '--shape', shape, '--times', '300', '--annotations', String(ANNOTATIONS), '-o', E2E_DATA], {
        stdio: 'pipe',
      });
      data[shape] = JSON.parse(await readFile(join(E2E_DATA, file(shape)), 'utf8'));
    }
    server = await serveDist();
  });
  after(async () => {
    await server?.close();
  });

  for (const shape of SHAPES) {
    test(`one paragraph of ~1 MB (${shape}): drawn in bounded blocks, annotated exactly`, async () => {
      const b = await launch();
      const { page } = b;
      const doc = data[shape].document;
      const chars = Array.from(doc.text);
      try {
        assert.ok(chars.length > 1_000_000, 'about 1 MB');
        assert.equal(doc.text.includes('\n\n'), false, 'no blank line: one paragraph');
        await page.goto(`${server.url}?open=/e2e-data/${file(shape)}`);
        await page.waitForSelector(`html[data-doc="${doc.id}"][data-annotations="${ANNOTATIONS}"]`, { timeout: 60_000 });

        // Only a few screens are drawn: a bounded number of blocks, of text, of text nodes.
        const drawn = async () => {
          const dom = await page.evaluate(() => {
            const article = document.querySelector('article');
            const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
            let nodes = 0;
            while (walker.nextNode()) nodes++;
            return { text: article.textContent.length, nodes, elements: article.querySelectorAll('*').length };
          });
          assert.ok(dom.text < 60_000, `only text near the view is drawn: ${dom.text} of ${doc.text.length} characters`);
          assert.ok(dom.nodes < 2_000 && dom.elements < 4_000, `a bounded DOM: ${dom.nodes} text nodes, ${dom.elements} elements`);
          const blocks = await drawnBlocks(page);
          assert.ok(blocks.length > 2 && blocks.length < 60, `${blocks.length} blocks drawn`);
          for (const blk of blocks) assert.ok(blk.e - blk.o <= 2048, `block ${blk.b} holds ${blk.e - blk.o} code points`);
          // Exactly the document's text, and one paragraph over several blocks.
          const paras = checkBlocks(blocks, doc.text);
          assert.deepEqual(
            paras.map((p) => p.p),
            [0],
          );
          return blocks;
        };
        await drawn();

        // Scroll far down, as a person dragging the scroll bar: the blocks there are drawn.
        await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight * 0.7));
        await page.waitForFunction((half) => Number(document.querySelector('article > p')?.dataset.o) > half, chars.length / 2);
        await page.waitForTimeout(300);
        const far = await drawn();
        assert.ok(far[0].o > chars.length / 2, `far down: the first drawn block starts at ${far[0].o}`);
        await screenshot(page, `shapes-${shape}-far`);

        // Drag over a word there and tag it.
        const blocks = await freeWords(page);
        const middle = blocks.find((blk) => blk.top > 200 && blk.words.length > 4) ?? blocks.find((blk) => blk.words.length);
        const word = middle.words.filter((w) => w[2].length >= 4)[2] ?? middle.words[0];
        await dragSpan(page, word[0], word[1]);
        await tag(page, 'Entity', 'ORG');
        await count(page, ANNOTATIONS + 1);

        // Drag from the last word of one block into the first word of the next: one claim.
        const mouse = await boundary(page, chars);
        await dragSpan(page, mouse.before[0], mouse.after[1]);
        await tag(page, 'Claim');
        await count(page, ANNOTATIONS + 2);
        await page.keyboard.press('Escape');
        await screenshot(page, `shapes-${shape}-across`);

        // The keyboard: click the first word of a block, Home, Ctrl+→ past that word, then
        // Ctrl+Shift+← back over it and into the block before, and `c`. The selection's ends,
        // mapped from the DOM here, are what is tagged.
        const keys = await boundary(page, chars, 1);
        const pts = await page.evaluate(
          ([b]) => {
            const seg = document.querySelector(`article > p[data-b="${b}"] .seg`);
            const r = document.createRange();
            r.setStart(seg.firstChild, 0);
            r.setEnd(seg.firstChild, 1);
            window.scrollBy({ top: r.getClientRects()[0].top - innerHeight / 2, behavior: 'instant' });
            const rect = r.getClientRects()[0];
            return { x: rect.left + 2, y: rect.top + rect.height / 2 };
          },
          [keys.blocks[1]],
        );
        await page.mouse.click(pts.x, pts.y);
        assert.ok(await page.evaluate(() => document.activeElement?.matches('article')), 'the click focuses the article');
        await page.keyboard.press('Home');
        await page.keyboard.press('Control+ArrowRight');
        for (let i = 0; i < 4; i++) await page.keyboard.press('Control+Shift+ArrowLeft');
        const selected = await page.evaluate(() => {
          const s = getSelection();
          // A point in a text node, or before the `offset`-th child of an element (Chromium
          // puts the start of a block so), in code points.
          const cp = (node, offset) => {
            if (node.nodeType === Node.TEXT_NODE) {
              const seg = node.parentElement.closest('.seg');
              return Number(seg.dataset.o) + Array.from(node.data.slice(0, offset)).length;
            }
            const child = node.childNodes[offset];
            const seg = child?.matches?.('.seg') ? child : child?.querySelector?.('.seg');
            return seg ? Number(seg.dataset.o) : Number(node.closest('p').dataset.e);
          };
          const block = (node, offset) => {
            const el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
            return Number((el.closest('p') ?? el.childNodes[offset]).dataset.b);
          };
          const [a, f] = [cp(s.anchorNode, s.anchorOffset), cp(s.focusNode, s.focusOffset)];
          const where = (n, o) => `${n.nodeName} ${o}`;
          return {
            start: Math.min(a, f),
            end: Math.max(a, f),
            blocks: [block(s.anchorNode, s.anchorOffset), block(s.focusNode, s.focusOffset)],
            points: [where(s.anchorNode, s.anchorOffset), where(s.focusNode, s.focusOffset)],
          };
        });
        assert.deepEqual(selected.blocks, [keys.blocks[1], keys.blocks[0]], `the selection crosses the block boundary (${selected.points})`);
        const edge = (await drawnBlocks(page)).find((blk) => blk.b === keys.blocks[1]).o;
        assert.ok(selected.start < edge - 1 && selected.end > edge, `text on both sides of ${edge}: ${selected.start}..${selected.end}`);
        await page.waitForSelector('.tag-menu.placed');
        await page.keyboard.press('c');
        await count(page, ANNOTATIONS + 3);

        // Jump from the overview's search to an entity near the end, far from the view.
        await page.evaluate(() => window.scrollTo(0, 0));
        // One whose text no entity before it contains, so that its row is the first found.
        const entities = data[shape].annotations.filter((a) => a.kind === 'entity');
        const unique = (a, k) => !entities.slice(0, k).some((x) => x.text.toLowerCase().includes(a.text.toLowerCase()));
        const target = entities.findLast((a, k) => unique(a, k) && a.start > chars.length * 0.6);
        assert.ok(target, 'an entity far down with a text of its own');
        const first = target;
        await page.getByPlaceholder('Search text').fill(target.text);
        await page.locator('.overview .item').first().click();
        await page.waitForSelector('.seg.flash');
        const flashed = await page.$eval('.seg.flash', (el) => {
          const r = el.getBoundingClientRect();
          return { o: Number(el.dataset.o), inView: r.top >= 0 && r.bottom <= innerHeight };
        });
        assert.equal(flashed.o, first.start, 'the row jumps to its annotation');
        assert.ok(flashed.inView, 'and scrolls it into view');
        await drawn();

        // Export: the three new annotations, exact in code points.
        const exported = JSON.parse((await exportJson(page)).text);
        assert.equal(exported.document.text, doc.text);
        const made = exported.annotations.filter((a) => !data[shape].annotations.some((x) => x.id === a.id));
        const spans = made.map((a) => [a.kind, a.start, a.end, a.text]).sort((x, y) => x[1] - y[1]);
        const trim = (s, e) => {
          while (s < e && /\s/u.test(chars[s])) s++;
          while (e > s && /\s/u.test(chars[e - 1])) e--;
          return [s, e];
        };
        const [ks, ke] = trim(selected.start, selected.end);
        const expected = [
          ['entity', word[0], word[1], word[2]],
          ['claim', mouse.before[0], mouse.after[1], slice(chars, mouse.before[0], mouse.after[1])],
          ['claim', ks, ke, slice(chars, ks, ke)],
        ].sort((x, y) => x[1] - y[1]);
        assert.deepEqual(spans, expected);
        for (const a of exported.annotations) assert.equal(slice(chars, a.start, a.end), a.text, `${a.id}: text[start:end]`);
        assert.deepEqual(b.errors, []);
      } finally {
        await b.close();
      }
    });
  }

  test('a short text crowded with annotations is drawn a few blocks at a time', async () => {
    // 60 articles on one line (~210 KB, about a hundred blocks: few enough to be drawn whole)
    // with 30,000 annotations: drawn whole, that is hundreds of thousands of elements.
    const name = 'damascus-paragraph-x60-30000.marginalia.json';
    execFileSync(CLI, ['synth', '--shape', 'paragraph', '--times', '60', '--annotations', '30000', '-o', E2E_DATA], { stdio: 'pipe' });
    const doc = JSON.parse(await readFile(join(E2E_DATA, name), 'utf8')).document;
    const b = await launch();
    const { page } = b;
    try {
      await page.goto(`${server.url}?open=/e2e-data/${name}`);
      await page.waitForSelector(`html[data-doc="${doc.id}"][data-annotations="30000"]`, { timeout: 60_000 });
      const elements = () => page.evaluate(() => document.querySelector('article').querySelectorAll('*').length);
      let blocks = await drawnBlocks(page);
      assert.ok(blocks.length < 20, `${blocks.length} blocks drawn of about ${Math.ceil(Array.from(doc.text).length / 2048)}`);
      assert.ok((await elements()) < 40_000, `a bounded DOM: ${await elements()} elements`);
      checkBlocks(blocks, doc.text);
      // Scrolling on draws what comes near, still a few blocks at a time, exactly the text.
      for (let i = 0; i < 20; i++) {
        await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
        await page.waitForTimeout(150);
        blocks = await drawnBlocks(page);
        if (blocks.at(-1).e === Array.from(doc.text).length) break;
      }
      assert.equal(blocks.at(-1).e, Array.from(doc.text).length, 'the end of the text is reached');
      assert.ok(blocks.length < 20, `${blocks.length} blocks drawn at the end`);
      checkBlocks(blocks, doc.text);
    } finally {
      await b.close();
    }
  });

  test('a paragraph of many blocks reads as one, in light and dark', async () => {
    for (const colorScheme of ['light', 'dark']) {
      const b = await launch({ colorScheme });
      try {
        await b.page.goto(`${server.url}?open=/e2e-data/${file('lines')}`);
        await b.page.waitForSelector(`html[data-annotations="${ANNOTATIONS}"]`, { timeout: 60_000 });
        // No gap between the blocks of one paragraph: each starts where the one before ends.
        const gaps = await b.page.$$eval('article > p', (ps) =>
          ps.slice(1).map((p, k) => p.getBoundingClientRect().top - ps[k].getBoundingClientRect().bottom),
        );
        assert.ok(gaps.length > 2);
        assert.ok(
          gaps.every((g) => Math.abs(g) < 1),
          `blocks of one paragraph follow without a margin: ${gaps.slice(0, 5)}`,
        );
        await screenshot(b.page, `shapes-lines-${colorScheme}`);
      } finally {
        await b.close();
      }
    }
  });
});
