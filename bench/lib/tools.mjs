// How each tool is driven. Marginalia only by mouse and keyboard (its contract: no internal
// API); the peers by a real mouse drag where their selection is what a person does, and by
// their own API for what they have no user interface for (they are libraries: the host
// application adds, deletes and edits through the API). Every figure is timed inside the page
// (lib/instrument.js): from an input event's timeStamp or from performance.now() before the API
// call, to the painted frame after the change.
import { sleep } from './browser.mjs';

/** Waits for an armed in-page measurement; resolves to ms, or throws with the page's reason. */
async function result(page, name) {
  const r = await page.evaluate(async (n) => {
    const e = window.__bench.armed[n];
    if (!e) return { error: `${n} was not armed` };
    await e.promise;
    return { value: e.result, error: e.error };
  }, name);
  if (r.value === null || r.value === undefined) throw new Error(r.error ?? `${name}: no result`);
  return r.value;
}

/**
 * Viewport points over one whole word (4+ letters, on one line) near the middle of the view,
 * inside `root` and not inside `exclude` if there is such a word (with thousands of
 * annotations on a short text there may be none: then any word). Different `k` give
 * different words.
 */
async function wordPoints(page, root, exclude, k) {
  return (exclude && (await findWord(page, root, exclude, k))) || findWord(page, root, null, k);
}

async function findWord(page, root, exclude, k) {
  const pts = await page.evaluate(
    ([root, exclude, k]) => {
      const el = document.querySelector(root);
      const rect = el.getBoundingClientRect();
      const isW = (c) => /[\p{L}\p{N}]/u.test(c ?? '');
      const y0 = innerHeight * (0.3 + 0.07 * (k % 6));
      for (let dy = 0; dy < innerHeight * 0.45; dy += 17) {
        for (let fx = 0.15; fx < 0.9; fx += 0.12) {
          const y = y0 + dy;
          const x = rect.left + rect.width * fx;
          const r = document.caretRangeFromPoint(x, y);
          const node = r?.startContainer;
          if (!node || node.nodeType !== Node.TEXT_NODE || !el.contains(node)) continue;
          if (exclude && node.parentElement.closest(exclude)) continue;
          let s = r.startOffset;
          let e = s;
          while (s > 0 && isW(node.data[s - 1])) s--;
          while (e < node.data.length && isW(node.data[e])) e++;
          if (e - s < 4) continue;
          const range = document.createRange();
          range.setStart(node, s);
          range.setEnd(node, e);
          const rects = range.getClientRects();
          if (rects.length !== 1) continue;
          const b = rects[0];
          if (b.top < 60 || b.bottom > innerHeight - 60) continue;
          return {
            start: { x: b.left + 1, y: b.top + b.height / 2 },
            end: { x: b.right - 1, y: b.top + b.height / 2 },
            word: range.toString(),
          };
        }
      }
      return null;
    },
    [root, exclude, k],
  );
  if (!pts && !exclude) throw new Error('no word in view to drag over');
  return pts;
}

/** A person's drag over a word: press, move, hold, release (400 ms from press to release). */
async function drag(page, { start, end }) {
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move((start.x + end.x) / 2, start.y, { steps: 4 });
  await sleep(200);
  await page.mouse.move(end.x, end.y, { steps: 4 });
  await sleep(200);
  await page.mouse.up();
}

async function settle(page) {
  // Two frames and a moment, so one measurement's tail does not run into the next.
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  await sleep(100);
}

const annotationCount = (page) => page.evaluate(() => Number(document.documentElement.dataset.annotations));

export const marginalia = {
  name: 'marginalia',
  label: 'Marginalia',
  url: (base, cell) => `${base}?open=/bench-data/${cell.id}.marginalia.json`,
  textRoot: 'article',

  /** (3) pointer-up of a drag -> tag menu painted, then (2) `c` -> the new claim painted. */
  async selectAndAdd(page, k) {
    await page.keyboard.press('Escape');
    await settle(page);
    const pts = await wordPoints(page, 'article', '.seg[data-a]', k);
    await page.evaluate(() =>
      window.__bench.arm('select', () => document.querySelector('.tag-menu.placed') !== null, 'pointerup'),
    );
    await drag(page, pts);
    const select = await result(page, 'select');
    await settle(page);
    const n = await annotationCount(page);
    await page.evaluate((n) => {
      const B = window.__bench;
      const html = document.documentElement;
      let mutated = false;
      const mo = new MutationObserver(() => (mutated = true));
      mo.observe(document.querySelector('article'), { subtree: true, childList: true, attributes: true, characterData: true });
      B.arm('add', () => mutated && Number(html.dataset.annotations) === n + 1, 'keydown');
      B.armed.add.promise.then(() => mo.disconnect());
    }, n);
    await page.keyboard.press('c');
    const add = await result(page, 'add');
    return { select, add };
  },

  /** A highlight in view: click it (selects it), for delete and edit. */
  async clickHighlight(page, k, selector, retried = false) {
    await page.keyboard.press('Escape');
    await settle(page);
    const pt = await page.evaluate(
      ([k, selector]) => {
        const found = [];
        for (const seg of document.querySelectorAll(`article ${selector}`)) {
          const r = seg.getClientRects()[0];
          if (r && r.width > 4 && r.top > innerHeight * 0.05 && r.bottom < innerHeight * 0.95) found.push(r);
        }
        if (!found.length) return null;
        const r = found[k % found.length];
        return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
      },
      [k, selector],
    );
    if (!pt) {
      // None in view (a sparse document): scroll one to the middle, as a person would.
      // Paragraphs far from the view are not in the DOM (the article is virtualised): then
      // go there from the overview, as a person would, by clicking an entity's row.
      const found = await page.evaluate(
        ([k, selector]) => {
          const all = document.querySelectorAll(`article ${selector}`);
          if (all.length) {
            all[k % all.length].scrollIntoView({ block: 'center', behavior: 'instant' });
            return true;
          }
          const wanted = selector.includes('ent') || selector.includes('"e"') ? '.row-item .item:has(.tchip)' : '.row-item .item';
          const rows = document.querySelectorAll(wanted);
          if (!rows.length) return false;
          rows[k % rows.length].click();
          return true;
        },
        [k, selector],
      );
      if (!found || retried) throw new Error(`no ${selector} in the article`);
      await sleep(300);
      return this.clickHighlight(page, k, selector, true);
    }
    await page.mouse.click(pt.x, pt.y);
    await page.waitForSelector('.details', { timeout: 10_000 });
    await settle(page);
    return pt;
  },

  /** (4) click a highlight, `Delete` -> next frame; `Control+z` -> next frame. */
  async deleteUndo(page, k) {
    await this.clickHighlight(page, k, '.seg[data-a]');
    const n = await annotationCount(page);
    await page.evaluate((n) => {
      const html = document.documentElement;
      window.__bench.arm('delete', () => Number(html.dataset.annotations) === n - 1, 'keydown');
    }, n);
    await page.keyboard.press('Delete');
    const del = await result(page, 'delete');
    await settle(page);
    await page.evaluate((n) => {
      const html = document.documentElement;
      window.__bench.arm('undo', () => Number(html.dataset.annotations) === n, 'keydown');
    }, n);
    await page.keyboard.press('Control+z');
    const undo = await result(page, 'undo');
    return { delete: del, undo };
  },

  /**
   * Edit: click an entity (one that no other annotation overlaps, if there is one in view;
   * clicks cycle through overlapping ones), choose another type in the details panel: from
   * the `input` event to the frame after the page changed (article or panel).
   */
  async edit(page, k) {
    // An entity alone: a segment one annotation covers (no space in its keys), an entity.
    const alone = '.seg.ent[data-a]:not([data-a*=" "])';
    const any = await page.evaluate((sel) => document.querySelector(`article ${sel}`) !== null, alone);
    const pt = await this.clickHighlight(page, k, any ? alone : '.seg.ent[data-a]');
    for (let i = 0; i < 4 && !(await page.getByLabel('Type', { exact: true }).count()); i++) {
      await page.mouse.click(pt.x, pt.y);
      await settle(page);
    }
    const select = page.getByLabel('Type', { exact: true });
    if (!(await select.count())) throw new Error('no entity selected (no Type field)');
    const current = await select.inputValue({ timeout: 5_000 });
    const options = await select.locator('option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    const next = options.find((o) => o !== current);
    await page.evaluate(() => {
      const B = window.__bench;
      let mutated = false;
      const inSelect = (n) => (n.nodeType === Node.ELEMENT_NODE ? n : n.parentElement)?.closest('select');
      const mo = new MutationObserver((records) => {
        if (records.some((r) => !inSelect(r.target))) mutated = true;
      });
      mo.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      B.arm('edit', () => mutated, 'input');
      B.armed.edit.promise.then(() => mo.disconnect());
    });
    await select.selectOption(next);
    return result(page, 'edit');
  },
};

/** A peer's annotation in view; if none is, one scrolled into view first. */
async function pickInView(page, k) {
  let id = await page.evaluate((k) => window.__peer.pick(k), k);
  if (!id && (await page.evaluate((k) => window.__peer.reveal(k), k))) {
    await sleep(300);
    await settle(page);
    id = await page.evaluate((k) => window.__peer.pick(k), k);
  }
  if (!id) throw new Error('no annotation in view');
  return id;
}

function peer(name, label, exclude) {
  return {
    name,
    label,
    url: (base, cell) => `${base}pages/${name}.html?data=/bench-data/${cell.id}.w3c.jsonld`,
    textRoot: '#doc',

    /** (3) pointer-up of a drag -> the peer's popup or selection painted; (2) add by API. */
    async selectAndAdd(page, k) {
      await page.evaluate(() => window.__peer.reset());
      await settle(page);
      const pts = await wordPoints(page, '#doc', exclude, k);
      await page.evaluate(() => window.__peer.armSelect());
      await drag(page, pts);
      const select = await result(page, 'select');
      const selectEvent = await page.evaluate(() => window.__peer.selectEvent?.());
      await settle(page);
      await page.evaluate(() => window.__peer.reset());
      await settle(page);
      await page.evaluate((k) => window.__peer.add(k), k);
      const add = await result(page, 'add');
      return selectEvent === undefined || selectEvent === null ? { select, add } : { select, add, selectEvent };
    },

    /** (4) delete by API -> next frame; undo (or add back) by API -> next frame. */
    async deleteUndo(page, k) {
      // Apart from the previous change by more than text-annotator's undo grouping (250 ms).
      await sleep(300);
      await settle(page);
      const id = await pickInView(page, k);
      await page.evaluate((id) => window.__peer.remove(id), id);
      const del = await result(page, 'delete');
      await settle(page);
      await page.evaluate((id) => window.__peer.undo(id), id);
      const undo = await result(page, 'undo');
      return { delete: del, undo };
    },

    async edit(page, k) {
      await settle(page);
      const id = await pickInView(page, k + 3);
      await page.evaluate((id) => window.__peer.edit(id), id);
      return result(page, 'edit');
    },
  };
}

export const textAnnotator = peer('text-annotator', 'text-annotator 4.1.1', null);
export const recogitoJs = peer('recogito-js', 'recogito-js 1.8.4', '.r6o-annotation, .r6o-selection');

export const TOOLS = [marginalia, textAnnotator, recogitoJs];
