// The promises under stress, end to end: every change reaches storage within a second even in
// a tab that paints no frames; the workspace never points at a document that is not stored,
// and if it does the document saved last opens with its annotations; a conflict is raised
// only when another tab really wrote; an internal error (a panic) shows a notice drawn
// without the app, and the work saved until then is there after a reload; a crashed formats
// worker is replaced; a long session does not make memory creep.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { documentTitles, dragOver, launch, openApp, paintedAnnotations, screenshot, serveDist, tag } from './harness.mjs';

/** Reads what IndexedDB holds, from inside the page: records, workspace, annotation count. */
async function stored(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('marginalia');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['docs', 'anns', 'meta'], 'readonly');
          const out = {};
          const docs = tx.objectStore('docs').getAll();
          docs.onsuccess = () => (out.docs = docs.result.map((s) => JSON.parse(s)));
          const keys = tx.objectStore('anns').getAllKeys();
          keys.onsuccess = () => (out.anns = keys.result);
          const ws = tx.objectStore('meta').get('workspace');
          ws.onsuccess = () => (out.workspace = ws.result ? JSON.parse(ws.result) : null);
          tx.oncomplete = () => {
            db.close();
            resolve(out);
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

/** Writes records straight into IndexedDB, as a damaged or lost write would leave them: [store, key, value]. */
async function putStored(page, records) {
  await page.evaluate(
    (records) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('marginalia');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction([...new Set(records.map((r) => r[0]))], 'readwrite');
          for (const [store, key, value] of records) tx.objectStore(store).put(value, key);
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    records,
  );
}

/** Polls storage until `ok(stored)` holds, for at most `ms`; returns what was stored last. */
async function storedWithin(page, ms, ok) {
  const until = Date.now() + ms;
  let last;
  for (;;) {
    last = await stored(page);
    if (ok(last) || Date.now() > until) return last;
    await page.waitForTimeout(50);
  }
}

/** A tab whose frames never come, as in a background tab: requestAnimationFrame never calls back. */
const NO_FRAMES = () => {
  window.requestAnimationFrame = () => 1;
  window.cancelAnimationFrame = () => {};
};

async function openText(page, title, text) {
  await page.getByRole('button', { name: 'Open text' }).click();
  await page.getByLabel('Title (optional)').fill(title);
  await page.getByLabel('Text to open').fill(text);
  await page.getByRole('button', { name: 'Open pasted text' }).click();
  await page.waitForFunction((t) => document.querySelector('h1').textContent === t, title);
}

const NOTES = 'Field notes\n\nMaria Sanchez met Omar Haddad in Aleppo on Monday.';
const TYPES = { 'Maria Sanchez': 'PERSON', 'Omar Haddad': 'PERSON', Aleppo: 'GPE' };

/** Tags each of `words` in the open text as an entity of its type (TYPES). */
async function tagAll(page, words) {
  for (const word of words) {
    await dragOver(page, word);
    await tag(page, 'Entity', TYPES[word]);
  }
}

describe('promises under stress', () => {
  let server;
  before(async () => {
    server = await serveDist();
  });
  after(async () => {
    await server?.close();
  });

  test('a tab without frames saves every change within a second, and the next visit has it', async () => {
    const b = await launch();
    try {
      const { page, context } = b;
      await context.addInitScript(NO_FRAMES);
      await openApp(page, server.url);
      await openText(page, 'Field notes', NOTES);
      const first = await storedWithin(page, 1000, (s) => s.docs.some((d) => d.id === 'field-notes'));
      assert.ok(first.docs.some((d) => d.id === 'field-notes'), 'the opened text is stored within 1 s');
      assert.equal(first.workspace?.current, 'field-notes');
      await tagAll(page, ['Maria Sanchez', 'Omar Haddad']);
      // The details panel, drawn after the frame that shows the tag, is drawn here too.
      await page.waitForSelector('.details:not([aria-busy])');
      const both = await storedWithin(page, 1000, (s) => s.anns.filter((k) => k[0] === 'field-notes').length === 2);
      assert.equal(both.anns.filter((k) => k[0] === 'field-notes').length, 2, 'both annotations stored within 1 s');

      // The next visit (a new tab of the same browser) opens the text with its annotations.
      const next = await context.newPage();
      await openApp(next, server.url);
      await next.waitForFunction(() => document.documentElement.dataset.doc === 'field-notes');
      await next.waitForSelector('html[data-annotations="2"]');
      assert.match(await next.locator('.save').innerText(), /^Saved/);
      assert.equal(await next.locator('[role="alert"].on').count(), 0, 'no error is shown');
      await page.close();
      // An edit there is saved without any question: no other tab wrote.
      await tagAll(next, ['Aleppo']);
      const three = await storedWithin(next, 1000, (s) => s.anns.filter((k) => k[0] === 'field-notes').length === 3);
      assert.equal(three.anns.filter((k) => k[0] === 'field-notes').length, 3);
      assert.equal(await next.getByRole('alertdialog').count(), 0, 'no conflict dialog');
      assert.match(await next.locator('.save').innerText(), /^Saved/);
    } finally {
      await b.close();
    }
  });

  test('a workspace pointing at a missing document opens the one saved last, with its annotations', async () => {
    const b = await launch();
    try {
      const { page } = b;
      await openApp(page, server.url);
      await openText(page, 'Field notes', NOTES);
      await tagAll(page, ['Maria Sanchez', 'Omar Haddad']);
      await storedWithin(page, 2000, (s) => s.anns.length === 2);
      // Point the workspace at a document storage does not hold (as a lost write would).
      await putStored(page, [['meta', 'workspace', JSON.stringify({ current: 'never-stored', annotator: '' })]]);
      await page.reload();
      await page.waitForSelector('.save:not(.muted)');
      await page.waitForSelector('html[data-doc="field-notes"][data-annotations="2"]');
      const alert = await page.locator('[role="alert"]').innerText();
      assert.match(alert, /never-stored is not in this browser's storage/);
      assert.match(alert, /Opened “Field notes”, the document saved last, instead/);
      assert.match(await page.locator('.save').innerText(), /^Saved/);
      const s = await storedWithin(page, 1000, (s) => s.workspace?.current === 'field-notes');
      assert.equal(s.workspace?.current, 'field-notes', 'the workspace points at what opened');
      await tagAll(page, ['Aleppo']);
      await storedWithin(page, 1000, (s) => s.anns.length === 3);
      assert.equal(await page.getByRole('alertdialog').count(), 0, 'no conflict dialog');
    } finally {
      await b.close();
    }
  });

  test('damaged stored records are named and left out; the rest opens', async () => {
    const b = await launch();
    try {
      const { page } = b;
      await openApp(page, server.url);
      await openText(page, 'Field notes', NOTES);
      await tagAll(page, ['Maria Sanchez', 'Omar Haddad', 'Aleppo']);
      await storedWithin(page, 2000, (s) => s.anns.length === 3);
      const at = '2024-12-08T05:30:00.000Z';
      await putStored(page, [
        // A quote whose speaker is not stored, and a record that is not JSON.
        [
          'anns',
          ['field-notes', 'q90'],
          JSON.stringify({
            id: 'q90', kind: 'quote', start: 0, end: 11, text: 'Field notes', speaker: { ref: 'e404' },
            cue: null, direct: true, note: '', created: at, updated: at,
          }),
        ],
        ['anns', ['field-notes', 'q91'], '{not json'],
        // Another document whose record has an empty label set.
        [
          'docs',
          'broken',
          JSON.stringify({
            id: 'broken', title: 'Broken', sha256: '', labels: { entity: [], checkworthiness: ['CFS'] },
            next_seq: 1, serial: 1, writer: 'x', saved_at: 0,
          }),
        ],
      ]);
      await page.reload();
      await page.waitForSelector('.save:not(.muted)');
      await page.waitForSelector('html[data-doc="field-notes"][data-annotations="3"]');
      const alert = await page.locator('[role="alert"]').innerText();
      assert.match(alert, /2 stored annotation\(s\) of this document were damaged and left out/);
      assert.match(alert, /q90: it links to e404, which is not a stored entity/);
      assert.match(alert, /not JSON/);
      assert.match(alert, /broken \(its|broken \(the entity label set is empty\)/);
      const options = await documentTitles(page);
      assert.ok(!options.includes('Broken'), `the damaged document is not offered: ${options}`);
      assert.deepEqual(
        Object.values(await paintedAnnotations(page)).map((a) => a.text).sort(),
        ['Aleppo', 'Maria Sanchez', 'Omar Haddad'],
      );
    } finally {
      await b.close();
    }
  });

  test('a panic shows a notice drawn without the app, and the saved work survives', async () => {
    const b = await launch();
    try {
      const { page } = b;
      await openApp(page, server.url);
      await dragOver(page, 'Hayat Tahrir al-Sham');
      await tag(page, 'Entity', 'ORG');
      await storedWithin(page, 1000, (s) => s.anns.length === 1);
      await page.goto(`${server.url}?crash-test`);
      await page.waitForSelector('html[data-annotations="1"]');
      await page.waitForSelector('.save:not(.muted)');
      await dragOver(page, 'Damascus');
      await page.waitForSelector('.tag-menu.placed');
      await page.getByRole('button', { name: 'Quote', exact: true }).click();
      const notice = page.getByRole('alertdialog');
      await notice.waitFor();
      const text = await notice.innerText();
      assert.match(text, /Marginalia hit an internal error; your work up to the last save is kept — reload to continue/);
      assert.match(text, /crash test: the page was opened with \?crash-test/);
      assert.match(text, /src\/dom\/crash\.rs|src\\dom\\crash\.rs/, 'the message says where');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Reload', 'Reload has focus');
      assert.equal(await page.evaluate(() => document.getElementById('app').inert), true, 'the stopped app is inert');
      await screenshot(page, 'crash-notice');
      await page.emulateMedia({ colorScheme: 'dark' });
      await screenshot(page, 'crash-notice-dark');
      // Reload (without the test switch): the saved work is there.
      await page.goto(server.url);
      await page.waitForSelector('html[data-annotations="1"]');
      assert.deepEqual(Object.values(await paintedAnnotations(page)).map((a) => a.text), ['Hayat Tahrir al-Sham']);
    } finally {
      await b.close();
    }
  });

  test('a crashed formats worker is replaced, and the next conversion works', async () => {
    const b = await launch();
    try {
      const { page } = b;
      await page.goto(`${server.url}?crash-test=worker`);
      await page.waitForSelector('.save:not(.muted)');
      await page.getByRole('button', { name: 'Export ▾' }).click();
      await page.getByRole('menuitem', { name: 'doccano JSONL', exact: true }).click();
      await page.waitForFunction(() => /formats worker stopped/.test(document.querySelector('[role="alert"]')?.textContent ?? ''));
      assert.match(await page.locator('[role="alert"]').innerText(), /crash test/);
      // The next conversion gets a new worker.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        (async () => {
          await page.getByRole('button', { name: 'Export ▾' }).click();
          await page.getByRole('menuitem', { name: 'doccano JSONL', exact: true }).click();
        })(),
      ]);
      assert.equal(download.suggestedFilename(), 'damascus-2024-12-08.doccano.jsonl');
    } finally {
      await b.close();
    }
  });

  test('a conversion shows its progress and can be cancelled; nothing changes, and the next one works', async () => {
    // The first visit's case: the worker's code still on its way (the service worker, which
    // would serve it from its cache on later visits, is kept out so that the route holds it).
    const b = await launch({ serviceWorkers: 'block' });
    try {
      const { page } = b;
      await openApp(page, server.url);
      // Hold the worker's code back, as a slow connection would: the conversion waits.
      let release;
      const held = new Promise((ok) => (release = ok));
      await page.route('**/marginalia-worker_bg.wasm', async (route) => {
        await held;
        // The cancelled worker is gone by then, and its request with it.
        await route.continue().catch(() => {});
      });
      const doccano = JSON.stringify({ text: 'Damascus fell.', label: [[0, 8, 'GPE']] }) + '\n';
      await page.getByLabel('Import', { exact: true }).setInputFiles({
        name: 'slow.jsonl',
        mimeType: 'application/json',
        buffer: Buffer.from(doccano),
      });
      const bar = page.locator('.busy');
      await bar.waitFor();
      assert.match(await bar.innerText(), /Reading slow\.jsonl \(0\.0 MB\)…/);
      assert.equal(await page.locator('.busy progress').getAttribute('aria-label'), 'Reading slow.jsonl (0.0 MB)');
      await screenshot(page, 'busy-bar');
      await page.getByRole('button', { name: 'Cancel', exact: true }).click();
      await bar.waitFor({ state: 'detached' });
      await page.waitForFunction(() => /slow\.jsonl: import cancelled; nothing was changed/.test(document.querySelector('[role="status"]')?.textContent ?? ''));
      assert.equal(await page.evaluate(() => document.documentElement.dataset.doc), 'damascus-2024-12-08');
      release();
      await page.unroute('**/marginalia-worker_bg.wasm');
      // The next conversion has a new worker, and opens the text as a new document.
      await page.getByLabel('Import', { exact: true }).setInputFiles({
        name: 'again.jsonl',
        mimeType: 'application/json',
        buffer: Buffer.from(doccano),
      });
      await page.waitForSelector('html[data-annotations="1"]');
      assert.deepEqual(Object.values(await paintedAnnotations(page)).map((a) => a.text), ['Damascus']);
    } finally {
      await b.close();
    }
  });

  test('a long session does not make memory creep', async () => {
    const b = await launch();
    try {
      const { page, context } = b;
      // Keep a handle on the app's WebAssembly memory.
      await context.addInitScript(() => {
        const keep = (result) => {
          const memory = (result.instance ?? result).exports?.memory;
          if (memory) (window.__memories ??= []).push(memory);
          return result;
        };
        const streaming = WebAssembly.instantiateStreaming;
        WebAssembly.instantiateStreaming = (...a) => streaming(...a).then(keep);
        const plain = WebAssembly.instantiate;
        WebAssembly.instantiate = (...a) => plain(...a).then(keep);
      });
      await openApp(page, server.url);
      const cdp = await context.newCDPSession(page);
      const measure = async () => {
        await cdp.send('HeapProfiler.collectGarbage');
        const { usedSize } = await cdp.send('Runtime.getHeapUsage');
        const wasm = await page.evaluate(() => (window.__memories ?? []).reduce((n, m) => n + m.buffer.byteLength, 0));
        return { js: usedSize, wasm };
      };
      const words = ['Damascus', 'Assad', 'Syria', 'Latakia', 'Homs'];
      // Four actions a round: tag, undo, redo, undo.
      // Locators, not waitForSelector: the element handle that one returns keeps its element
      // (the tag menu, each round) alive, which would count as the page's growth.
      const count = (n) => page.locator(`html[data-annotations="${n}"]`).waitFor();
      const round = async (k) => {
        await dragOver(page, words[k % words.length]);
        await page.locator('.tag-menu.placed').waitFor();
        await page.keyboard.press('c');
        await count(1);
        await page.keyboard.press('Control+z');
        await count(0);
        await page.keyboard.press('Control+Shift+z');
        await count(1);
        await page.keyboard.press('Control+z');
        await count(0);
      };
      for (let k = 0; k < 25; k++) await round(k);
      const start = await measure();
      for (let k = 0; k < 250; k++) await round(k);
      await storedWithin(page, 2000, (s) => s.anns.length === 0);
      const end = await measure();
      const grew = end.js - start.js + (end.wasm - start.wasm);
      console.log(
        `memory over 1,000 actions: JS heap ${((end.js - start.js) / 1024).toFixed(0)} KB, ` +
          `Wasm memory ${((end.wasm - start.wasm) / 1024).toFixed(0)} KB`,
      );
      assert.ok(grew <= 1024 * 1024, `JS heap + Wasm memory grew by ${(grew / 1024).toFixed(0)} KB over 1,000 actions`);
      assert.equal(Object.keys(await paintedAnnotations(page)).length, 0);
    } finally {
      await b.close();
    }
  });
});
