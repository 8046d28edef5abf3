// A newcomer's first minute (issue 12), in Chromium as a person does it: the hint that says how
// to start, messages where the eyes are, an undo notice instead of a stray action log, details
// that stay in view, links made from untagged words and drawn in the text, a menu that keeps
// out of the way, text that holds still when tagged, and the small things (Export menu, local
// times, the save line before any change, focus ring, skip link, shortcut sheet). Screenshots of
// the first minute, light and dark, are written to docs/screenshots/ for the README.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, articleText, axeViolations, clickText, dragOver, exportJson, launch, openApp, paintedAnnotations, serveDist, tag } from './harness.mjs';

const SHOTS = join(ROOT, 'docs', 'screenshots');

/** A box of the page, in viewport coordinates. */
async function box(locator) {
  const b = await locator.boundingBox();
  assert.ok(b, 'the element is drawn');
  return b;
}

function inViewport(b, vp) {
  return b.y >= 0 && b.x >= 0 && b.y + b.height <= vp.height && b.x + b.width <= vp.width;
}

function overlaps(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Every character box of the article's first `n` paragraphs, as the text lies on the page. */
async function textLayout(page, n = 3) {
  return page.evaluate((n) => {
    const out = [];
    for (const p of [...document.querySelectorAll('article p')].slice(0, n)) {
      // Every 7th character of the paragraph's text, wherever its text nodes are cut.
      const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
      let at = 0;
      for (let t; (t = walker.nextNode()); at += t.data.length) {
        for (let i = (7 - (at % 7)) % 7; i < t.data.length; i += 7) {
          const r = document.createRange();
          r.setStart(t, i);
          r.setEnd(t, i + 1);
          const rect = r.getClientRects()[0];
          if (rect) out.push([Math.round(rect.left * 10) / 10, Math.round((rect.top + scrollY) * 10) / 10]);
        }
      }
    }
    return out;
  }, n);
}

describe('a newcomer annotates in the first minute', () => {
  let server;
  before(async () => {
    server = await serveDist();
  });
  after(async () => {
    await server?.close();
  });

  for (const scheme of ['light', 'dark']) {
    test(`the first minute, as screenshots (${scheme})`, async () => {
      const b = await launch({ colorScheme: scheme });
      try {
        const { page } = b;
        await mkdir(SHOTS, { recursive: true });
        await openApp(page, server.url);
        await page.locator('.hint').waitFor();
        await page.screenshot({ path: join(SHOTS, `first-minute-1-empty-${scheme}.png`) });
        await dragOver(page, 'Hayat Tahrir al-Sham');
        await tag(page, 'Entity', 'ORG');
        await page.locator('.toast').waitFor();
        await page.evaluate(() => scrollTo(0, 0));
        await page.screenshot({ path: join(SHOTS, `first-minute-2-first-tag-${scheme}.png`) });
        await dragOver(page, '“reach out”');
        await tag(page, 'Quote');
        await page.getByRole('button', { name: 'Pick in text' }).click();
        await dragOver(page, 'Mohammed Ghazi Jalali');
        await page.getByRole('button', { name: 'PERSON', exact: true }).click();
        await page.locator('svg.links .link-path').first().waitFor();
        await page.locator('.toast').evaluate((t) => t.remove()).catch(() => {});
        const quote = await page.locator('article [data-a]').filter({ hasText: 'reach out' }).first();
        await quote.evaluate((el) => el.scrollIntoView({ block: 'center' }));
        await page.waitForTimeout(100);
        await page.screenshot({ path: join(SHOTS, `first-minute-3-linked-quote-${scheme}.png`) });
      } finally {
        await b.close();
      }
    });
  }

  for (const scheme of ['light', 'dark']) {
    test(`axe-core finds no violation with the new parts open (${scheme})`, async () => {
      const b = await launch({ colorScheme: scheme });
      try {
        const { page } = b;
        await openApp(page, server.url);
        await page.locator('.hint').waitFor();
        assert.deepEqual(await axeViolations(page), [], 'the empty project with its hint');
        await dragOver(page, '“reach out”');
        await tag(page, 'Quote');
        await page.getByRole('button', { name: 'Pick in text' }).click();
        await dragOver(page, 'Mohammed Ghazi Jalali');
        await page.locator('.tag-menu.placed').waitFor();
        assert.deepEqual(await axeViolations(page), [], 'the menu picking a speaker');
        await page.getByRole('button', { name: 'PERSON', exact: true }).click();
        await page.locator('svg.links .link-path').first().waitFor();
        await page.locator('.toast').waitFor();
        await dragOver(page, 'Latakia');
        await page.locator('.tag-menu.placed').waitFor();
        await page.keyboard.press('Escape');
        await page.locator('.details:not([aria-busy])').waitFor();
        assert.deepEqual(await axeViolations(page), [], 'links drawn, the undo notice, the details');
        await page.keyboard.press('?');
        await page.getByRole('dialog').waitFor();
        assert.deepEqual(await axeViolations(page), [], 'the shortcut sheet');
      } finally {
        await b.close();
      }
    });
  }

  test('an empty project shows how to start; the first annotation retires the hint; Shortcuts brings it back', async () => {
    const b = await launch();
    try {
      const { page } = b;
      const vp = page.viewportSize();
      await openApp(page, server.url);
      const hint = page.locator('.hint');
      await hint.waitFor();
      assert.ok(inViewport(await box(hint), vp), 'the hint is in view');
      const text = await hint.innerText();
      for (const step of ['Select words', 'E', 'Q', 'C', 'type']) assert.ok(text.includes(step), `the hint names ${step}: ${text}`);
      await dragOver(page, 'Damascus');
      await tag(page, 'Entity', 'GPE');
      await hint.waitFor({ state: 'detached' });
      // Undoing the first annotation does not bring the hint back, nor does a reload.
      await page.keyboard.press('Control+z');
      await page.waitForSelector('html[data-annotations="0"]');
      await page.reload();
      await page.waitForSelector('.save:not(.muted)');
      await page.waitForTimeout(300);
      assert.equal(await hint.count(), 0, 'retired for good');
      await page.getByRole('button', { name: 'Shortcuts' }).click();
      await page.getByRole('button', { name: 'Show the first steps again' }).click();
      await hint.waitFor();
      await page.getByRole('button', { name: 'Got it' }).click();
      await hint.waitFor({ state: 'detached' });
    } finally {
      await b.close();
    }
  });

  test('feedback lands where the eyes are: a refusal far down the page is in view, beside the open menu', async () => {
    const b = await launch({ viewport: { width: 1280, height: 700 } });
    try {
      const { page } = b;
      const vp = page.viewportSize();
      await openApp(page, server.url);
      // Far down the article.
      await dragOver(page, 'Latakia');
      await tag(page, 'Entity', 'GPE');
      const y = await page.evaluate(() => scrollY);
      assert.ok(y > 600, `the page is scrolled (${y} px)`);
      await dragOver(page, 'Latakia');
      await page.locator('.tag-menu.placed').waitFor();
      await page.getByRole('button', { name: 'Entity', exact: true }).click();
      await page.getByRole('button', { name: 'GPE', exact: true }).click();
      const alert = page.locator('[role="alert"].on');
      await alert.waitFor();
      assert.match(await alert.innerText(), /already tagged/);
      const a = await box(alert);
      assert.ok(inViewport(a, vp), `the message is in view: ${JSON.stringify(a)}`);
      // The menu stays for another choice, and the message does not cover it.
      const menu = await box(page.locator('.tag-menu'));
      assert.ok(!overlaps(a, menu), 'the message does not cover the menu');
      // It stays until read: still there after a while, gone when dismissed.
      await page.waitForTimeout(7000);
      assert.equal(await alert.count(), 1);
      await page.getByRole('button', { name: 'Dismiss message' }).click();
      await alert.waitFor({ state: 'detached' });
    } finally {
      await b.close();
    }
  });

  test('the action log is for screen readers only; sighted people get an undo notice naming the text', async () => {
    const b = await launch();
    try {
      const { page } = b;
      const vp = page.viewportSize();
      await openApp(page, server.url);
      await dragOver(page, 'Damascus');
      await tag(page, 'Entity', 'GPE');
      const status = page.locator('[role="status"]');
      assert.equal(await status.innerText(), 'Add GPE', 'screen readers hear the action');
      const s = await box(status);
      assert.ok(s.width <= 1 && s.height <= 1, `the log is not shown: ${JSON.stringify(s)}`);
      const toast = page.locator('.toast');
      assert.match(await toast.innerText(), /Tagged “Damascus” GPE/);
      assert.ok(inViewport(await box(toast), vp), 'the notice is in view');
      await toast.getByRole('button', { name: /^Undo/ }).click();
      await page.waitForSelector('html[data-annotations="0"]');
      // A notice goes by itself after a few seconds.
      await dragOver(page, 'Damascus');
      await tag(page, 'Entity', 'GPE');
      await toast.waitFor();
      await toast.waitFor({ state: 'detached', timeout: 10_000 });
    } finally {
      await b.close();
    }
  });

  test('the details of an annotation clicked far down the list are in view', async () => {
    const b = await launch({ viewport: { width: 1280, height: 700 } });
    try {
      const { page } = b;
      await openApp(page, server.url);
      // Enough annotations for the list to run below the fold of the side panel.
      for (const t of ['Damascus', 'Syria', 'Bashar al-Assad', 'Homs', 'Latakia', 'Tartus', 'Reuters', 'Iran', 'Al Jazeera', 'Rami Abdel Rahman', 'Sednaya Prison', 'White Helmets', 'Hassan Abdul-Ghani', 'Baath Party']) {
        await dragOver(page, t);
        await tag(page, 'Entity', 'GPE');
      }
      const side = page.locator('aside.side');
      await side.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      const rows = page.locator('.overview button.item');
      const last = rows.last();
      await last.click();
      const details = page.locator('.details:not([aria-busy])');
      await details.waitFor();
      await page.waitForTimeout(150);
      const d = await box(details.locator('h2'));
      const panel = await box(side);
      assert.ok(d.y >= panel.y - 1 && d.y + d.height <= Math.min(panel.y + panel.height, 700), `the details heading is in view: ${JSON.stringify(d)}`);
    } finally {
      await b.close();
    }
  });

  test('Pick in text on untagged words tags and links them in one step, and the link is drawn and listed at both ends', async () => {
    const b = await launch();
    try {
      const { page } = b;
      await openApp(page, server.url);
      await dragOver(page, '“reach out”');
      await tag(page, 'Quote');
      await page.getByRole('button', { name: 'Pick in text' }).click();
      await dragOver(page, 'Mohammed Ghazi Jalali');
      const menu = page.locator('.tag-menu.placed');
      await menu.waitFor();
      assert.match(await menu.innerText(), /speaker/);
      await page.getByRole('button', { name: 'PERSON', exact: true }).click();
      await page.waitForSelector('html[data-annotations="2"]');
      const painted = Object.values(await paintedAnnotations(page));
      const person = painted.find((a) => a.text === 'Mohammed Ghazi Jalali');
      assert.equal(person?.label, 'PERSON');
      // The quote stays selected, its speaker set, and the link is drawn.
      await page.locator('.details:not([aria-busy])').waitFor();
      assert.match(await page.locator('.details .party-now').innerText(), /Mohammed Ghazi Jalali/);
      const link = page.locator('svg.links .link[data-role="speaker"] .link-path');
      await link.waitFor();
      const d = await link.getAttribute('d');
      assert.match(d, /^M[\d.]+,[\d.]+/, 'a path between the two spans');
      // The path ends at the speaker's words.
      const end = await page.locator('svg.links .link[data-role="speaker"] .link-end').first();
      const eb = await box(end);
      const words = await page.locator('article .seg[data-a]').filter({ hasText: 'Jalali' }).first();
      assert.ok(overlaps(eb, await box(words)), 'the far end is outlined');
      // Listed at the other end: the speaker's details name the quote.
      await clickText(page, 'Ghazi');
      await page.locator('.details:not([aria-busy]) .links-in').waitFor();
      assert.match(await page.locator('.details .links-in').innerText(), /speaker of\s+“reach out”/);
      // One step to undo: the entity and the link go together.
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+z');
      await page.waitForSelector('html[data-annotations="1"]');
      assert.equal(await page.locator('svg.links .link-path').count(), 0);
    } finally {
      await b.close();
    }
  });

  test('the menu keeps off the side panel and closes once the selection is used as the cue', async () => {
    const b = await launch();
    try {
      const { page } = b;
      await openApp(page, server.url);
      await dragOver(page, '“free” of “tyrant” President Bashar al-Assad');
      await tag(page, 'Quote');
      await dragOver(page, 'They say');
      const menu = page.locator('.tag-menu.placed');
      await menu.waitFor();
      const m = await box(menu);
      const side = await box(page.locator('aside.side'));
      assert.ok(!overlaps(m, side), `the menu does not cover the side panel: ${JSON.stringify({ m, side })}`);
      const cueButton = page.getByRole('button', { name: 'Use selection as cue' });
      assert.ok(!overlaps(m, await box(cueButton)), 'nor the cue button');
      await cueButton.click();
      await page.locator('.tag-menu').waitFor({ state: 'detached' });
      assert.match(await page.locator('.cue-text').innerText(), /They say/);
      // A stray letter now tags nothing.
      const n = Number(await page.evaluate(() => document.documentElement.dataset.annotations));
      await page.keyboard.press('q');
      await page.waitForTimeout(200);
      assert.equal(Number(await page.evaluate(() => document.documentElement.dataset.annotations)), n);
    } finally {
      await b.close();
    }
  });

  test('tagging does not move the text, and the type buttons stay in their order with the last used marked', async () => {
    const b = await launch();
    try {
      const { page } = b;
      await openApp(page, server.url);
      const before = await textLayout(page);
      await dragOver(page, 'Hayat Tahrir al-Sham');
      await tag(page, 'Entity', 'ORG');
      await dragOver(page, '“free” of “tyrant” President Bashar al-Assad');
      await tag(page, 'Quote');
      await dragOver(page, 'Damascus', { nth: 1 });
      await tag(page, 'Entity', 'GPE');
      await page.evaluate(() => scrollTo(0, 0));
      const afterTags = await textLayout(page);
      assert.equal(afterTags.length, before.length);
      const moved = afterTags.filter((p, i) => p[0] !== before[i][0] || p[1] !== before[i][1]);
      assert.deepEqual(moved, [], 'every character where it was');
      // A quote's opening bracket stays with the word it opens, at any width of the column.
      await dragOver(page, '“reach out”');
      await tag(page, 'Quote');
      await dragOver(page, '“Allah Akbar”');
      await tag(page, 'Quote');
      for (let width = 560; width <= 1300; width += 4) {
        await page.setViewportSize({ width, height: 900 });
        const apart = await page.evaluate(() =>
          [...document.querySelectorAll('article .qopen')].filter((q) => {
            const next = q.nextElementSibling?.firstChild;
            if (!next) return false;
            const r = document.createRange();
            r.setStart(next, 0);
            r.setEnd(next, 1);
            return Math.abs(r.getBoundingClientRect().top - q.getBoundingClientRect().top) > 15;
          }).length,
        );
        assert.equal(apart, 0, `an opening bracket apart from its word at ${width} px`);
      }
      await page.setViewportSize({ width: 1280, height: 900 });
      // The type buttons: the label set's order, GPE (used last) marked, not moved.
      await dragOver(page, 'Homs');
      await page.locator('.tag-menu.placed').waitFor();
      await page.getByRole('button', { name: 'Entity', exact: true }).click();
      const names = await page.locator('.type-btn').evaluateAll((bs) => bs.map((b) => b.firstChild.textContent));
      const set = await page.locator('.legend-types li').evaluateAll((ls) => ls.map((l) => l.textContent.replace(/\d+$/, '').trim()));
      assert.deepEqual(names, set, 'the order of the label set');
      assert.equal(await page.locator('.type-btn.last').innerText().then((t) => t.split(/\s/)[0]), 'GPE');
      await page.keyboard.press('Enter');
      await page.locator('.tag-menu').waitFor({ state: 'detached' });
      const homs = Object.values(await paintedAnnotations(page)).find((a) => a.text === 'Homs');
      assert.equal(homs?.label, 'GPE', 'Enter takes the marked type');
    } finally {
      await b.close();
    }
  });

  test('by keyboard alone: an entity, a quote with speaker and cue, and a claim with claimant, in fewer than 38 keys', async () => {
    const b = await launch();
    try {
      const { page } = b;
      await openApp(page, server.url);
      let keys = 0;
      const press = async (k, times = 1) => {
        for (let i = 0; i < times; i++) {
          keys++;
          await page.keyboard.press(k);
        }
      };
      const count = (n) => page.waitForSelector(`html[data-annotations="${n}"]`);
      // To the text: the skip link, then a caret at its start.
      await press('Tab');
      await press('Enter');
      // An entity: "Syrian", NORP (the 6th type).
      await press('Control+Shift+ArrowRight');
      await press('6');
      await count(1);
      // Two paragraphs down, "Rebel forces", ORG.
      await press('Escape');
      await press('Control+ArrowDown', 2);
      await press('Control+Shift+ArrowRight', 2);
      await press('2');
      await count(2);
      // The next sentence but one is a claim; Rebel forces, suggested, is its claimant.
      await press('Escape');
      await press('Alt+ArrowDown');
      await press('Alt+Shift+ArrowDown');
      await press('c');
      await count(3);
      await press('l');
      await press('Enter');
      // The quote that follows, without "they stated in a statement.", its speaker, and its cue.
      await press('Escape');
      await press('Alt+Shift+ArrowDown', 2);
      await press('Control+Shift+ArrowLeft', 6);
      await press('q');
      await count(4);
      await press('l');
      await press('Enter');
      await press('Control+ArrowRight');
      await press('Control+Shift+ArrowRight');
      await press('u');
      await page.waitForFunction(() => document.querySelector('.cue-text')?.textContent.includes('stated'));

      const a = Object.values(await paintedAnnotations(page));
      const find = (kind, text) => a.find((x) => x.kind === kind && x.text.startsWith(text));
      assert.equal(find('entity', 'Syrian')?.label, 'NORP', JSON.stringify(a));
      assert.equal(find('entity', 'Rebel forces')?.label, 'ORG');
      const claim = find('claim', 'They say the city');
      assert.ok(claim?.text.endsWith('rule is over.'), `the claim: ${claim?.text}`);
      const quote = find('quote', '“After 50 years');
      assert.ok(quote?.text.endsWith('Syria,”'), `the quote: ${quote?.text}`);
      // The links, as the export has them.
      const file = JSON.parse((await exportJson(page)).text);
      const byText = (t) => file.annotations.find((x) => x.text.startsWith(t));
      const rebels = byText('Rebel forces').id;
      assert.deepEqual(byText('They say the city').claimant, { ref: rebels }, 'the claim names its claimant');
      assert.deepEqual(byText('“After 50 years').speaker, { ref: rebels }, 'the quote names its speaker');
      assert.equal(byText('“After 50 years').cue?.text, 'stated');
      console.log(`keyboard walk: ${keys} keys`);
      assert.ok(keys < 38, `${keys} keys`);
    } finally {
      await b.close();
    }
  });

  test('tag every occurrence: counted before it applies, one step to undo, by button or by A A', async () => {
    const b = await launch();
    try {
      const { page } = b;
      await openApp(page, server.url);
      const text = await articleText();
      const expected = text.match(/(?<![\p{L}\p{N}])Damascus(?![\p{L}\p{N}])/gu).length - 1;
      await dragOver(page, 'Damascus');
      await tag(page, 'Entity', 'GPE');
      const button = page.getByRole('button', { name: /^Tag \d+ more “Damascus”$/ });
      await button.waitFor();
      const n = Number((await button.innerText()).match(/Tag (\d+) more/)[1]);
      assert.equal(n, expected, 'the count, before anything is tagged');
      assert.equal(await page.evaluate(() => document.documentElement.dataset.annotations), '1');
      await button.click();
      await page.waitForSelector(`html[data-annotations="${1 + n}"]`);
      assert.match(await page.locator('.toast').innerText(), new RegExp(`Tag ${n} more “Damascus” GPE`));
      const painted = Object.values(await paintedAnnotations(page)).filter((a) => a.text === 'Damascus');
      assert.equal(painted.length, 1 + n);
      assert.ok(painted.every((a) => a.label === 'GPE'));
      assert.equal(await page.getByRole('button', { name: 'No other occurrence' }).count(), 1);
      // One step to undo.
      await page.locator('.toast').getByRole('button', { name: /^Undo/ }).click();
      await page.waitForSelector('html[data-annotations="1"]');
      // By keyboard: A says how many, A again tags them.
      await clickText(page, 'Damascus');
      await page.locator('.details:not([aria-busy])').waitFor();
      await page.keyboard.press('a');
      assert.match(await page.locator('[role="status"]').innerText(), new RegExp(`^${n} more occurrences found: press A again`));
      assert.equal(await page.evaluate(() => document.documentElement.dataset.annotations), '1', 'nothing yet');
      await page.keyboard.press('a');
      await page.waitForSelector(`html[data-annotations="${1 + n}"]`);
      await page.keyboard.press('Control+z');
      await page.waitForSelector('html[data-annotations="1"]');
    } finally {
      await b.close();
    }
  });

  test('small things: Export menu, local times, the save line, focus ring, skip link, the shortcut sheet', async () => {
    const b = await launch();
    try {
      const { page } = b;
      await openApp(page, server.url);
      assert.equal(await page.locator('.save').innerText(), 'Saved in this browser', 'no save time before a change');
      // Export ▾ closes on Esc and on a click outside.
      const exportBtn = page.getByRole('button', { name: 'Export ▾' });
      await exportBtn.click();
      await page.getByRole('menu', { name: 'Export formats' }).waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('menu').waitFor({ state: 'detached' });
      assert.equal(await exportBtn.evaluate((b) => b === document.activeElement), true, 'focus back on the button');
      await exportBtn.click();
      await page.getByRole('menu').waitFor();
      await page.mouse.click(5, 400);
      await page.getByRole('menu').waitFor({ state: 'detached' });
      // Local time in the details, UTC in the file.
      await dragOver(page, 'Damascus');
      await tag(page, 'Entity', 'GPE');
      await page.locator('.details:not([aria-busy])').waitFor();
      const meta = await page.locator('.details-meta').innerText();
      assert.match(meta, /^Created \d{4}-\d\d-\d\d \d\d:\d\d$/, meta);
      assert.match(await page.locator('.details-meta time').getAttribute('datetime'), /Z$/);
      await page.waitForFunction(() => /^Saved \d\d:\d\d:\d\d$/.test(document.querySelector('.save')?.textContent));
      // On a fresh page, the first Tab stop is the skip link; Enter takes the keyboard to the text.
      await page.reload();
      await page.waitForSelector('.save:not(.muted)');
      await page.keyboard.press('Tab');
      const skip = page.locator('.skip-link');
      assert.equal(await skip.evaluate((a) => a === document.activeElement), true, 'skip link first');
      assert.ok((await box(skip)).y >= 0, 'visible when focused');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'article');
      const ring = await page.locator('#article').evaluate((a) => {
        const s = getComputedStyle(a);
        return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
      });
      assert.equal(ring.style, 'solid');
      assert.ok(ring.width >= 2, `a ring at least 2 px thick: ${ring.width}`);
      // The sheet says how to link and set a cue by keyboard.
      await page.keyboard.press('?');
      const sheet = await page.getByRole('dialog').innerText();
      assert.match(sheet, /speaker or claimant/);
      assert.match(sheet, /cue/);
    } finally {
      await b.close();
    }
  });
});
