// Shared harness for the end-to-end tests: serves the release build on 127.0.0.1 and
// drives Debian's Chromium with playwright-core, a fresh profile per browser, the way a person
// uses the page. Every request the page makes is recorded so that tests can check none leaves
// 127.0.0.1; console errors and page errors are recorded too.
import { createServer } from 'node:http';
import { mkdtemp, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
// The release build with the hooks only tests read (feature `test-hooks`: the render counter
// `data-renders`), which `make test-e2e` builds into target/dist-e2e. MARGINALIA_DIST serves
// another build (e.g. an earlier one, to see a test fail before a fix).
export const DIST = process.env.MARGINALIA_DIST ?? join(ROOT, 'target', 'dist-e2e');
export const SCREENSHOTS = join(ROOT, 'target', 'e2e-screenshots');
export const E2E_DATA = join(ROOT, 'target', 'e2e-data');
// The command-line tool, where cargo puts it (CARGO_TARGET_DIR, which many set, or target/).
export const CLI = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'release', 'marginalia');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Serves the build in DIST on 127.0.0.1 at a free port. Resolves to { url, close }. */
export async function serveDist() {
  await stat(join(DIST, 'index.html')).catch(() => {
    throw new Error(`${DIST}/index.html is missing: run make test-e2e, which builds it ` +
      '(trunk build --release --features test-hooks --dist target/dist-e2e)');
  });
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      // Test data (made by the tests under target/e2e-data) is served beside the app.
      const [root, rel] = path.startsWith('/e2e-data/')
        ? [E2E_DATA, path.slice('/e2e-data/'.length)]
        : [DIST, path];
      let file = normalize(join(root, rel));
      if (!file.startsWith(root)) throw new Error('outside the served folders');
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches Chromium with a fresh, empty profile. Resolves to
 * { context, page, requests, errors, close }, where `requests` lists every URL the browser
 * asked for and `errors` every console error and uncaught page error.
 */
export async function launch({ colorScheme = 'light', viewport = { width: 1280, height: 900 }, serviceWorkers = 'allow' } = {}) {
  const profile = await mkdtemp(join(tmpdir(), 'marginalia-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    colorScheme,
    viewport,
    // 'block' for a test that routes the app's own requests (a slow network), which a service
    // worker would otherwise answer from its cache.
    serviceWorkers,
  });
  const requests = [];
  const errors = [];
  context.on('request', (r) => requests.push(r.url()));
  const watch = (page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    requests,
    errors,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the app and waits until the article is on the page and the saved work is restored
 * (the save status no longer says it is opening storage).
 */
export async function openApp(page, url) {
  await page.goto(url);
  await page.waitForSelector('article p', { timeout: 30_000 });
  await page.waitForSelector('.save:not(.muted)', { timeout: 30_000 });
}

/** Saves a screenshot under target/e2e-screenshots/NAME.png. */
export async function screenshot(page, name, options = {}) {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, ...options });
  return path;
}

/** The shipped article's text, read from the project's own copy. */
export async function articleText() {
  return readFile(join(ROOT, 'assets', 'documents', 'damascus-2024-12-08.txt'), 'utf8');
}

/**
 * Paragraphs as the app defines them (core/src/model/document.rs): maximal runs of non-blank lines,
 * a line break being "\n" with an optional "\r" before it that belongs to the break.
 */
export function paragraphsOf(text) {
  const out = [];
  let current = null;
  for (const line of text.split('\n')) {
    const content = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (content.trim() === '') {
      if (current !== null) out.push(current.join('\n'));
      current = null;
    } else {
      (current ??= []).push(line);
    }
  }
  if (current !== null) out.push(current.join('\n'));
  // A paragraph ends before its last line's break: drop a trailing "\r" kept by join.
  return out.map((p) => (p.endsWith('\r') ? p.slice(0, -1) : p));
}

/**
 * The article's drawn blocks (`article > p`, src/ui/block.rs: a paragraph, or a bounded piece
 * of a long one), in order: { b, p, o, e, content, inner, more } with the block's and its
 * paragraph's index, its code-point range, its text content and visible text, and whether the
 * paragraph continues after it.
 */
export async function drawnBlocks(page) {
  return page.$$eval('article > p', (ps) =>
    ps.map((p) => ({
      b: Number(p.dataset.b),
      p: Number(p.dataset.p),
      o: Number(p.dataset.o),
      e: Number(p.dataset.e),
      content: p.textContent,
      inner: p.innerText,
      more: p.classList.contains('more'),
    })),
  );
}

/**
 * Checks drawn blocks against the document's text, and returns the paragraphs they draw as
 * text (`[{ p, text }]`). Each block must hold exactly text[o:e] in code points; the blocks of
 * one paragraph follow each other with nothing or one line break between them (the break is
 * in no block), and all but the paragraph's last have `more`.
 */
export function checkBlocks(blocks, text) {
  const chars = Array.from(text);
  const slice = (o, e) => chars.slice(o, e).join('');
  const out = [];
  blocks.forEach((blk, k) => {
    if (blk.content !== slice(blk.o, blk.e)) throw new Error(`block ${blk.b} (${blk.o}..${blk.e}) does not hold the document's text`);
    const prev = blocks[k - 1];
    if (prev && prev.p === blk.p) {
      if (prev.b + 1 !== blk.b) throw new Error(`block ${blk.b} follows block ${prev.b}`);
      const gap = slice(prev.e, blk.o);
      if (!['', '\n', '\r\n'].includes(gap)) throw new Error(`between blocks ${prev.b} and ${blk.b}: ${JSON.stringify(gap)}`);
      if (!prev.more) throw new Error(`block ${prev.b} is continued but not marked so`);
      out[out.length - 1].e = blk.e;
    } else {
      out.push({ p: blk.p, o: blk.o, e: blk.e });
    }
  });
  return out.map(({ p, o, e }) => ({ p, text: slice(o, e) }));
}

/** Requests that went anywhere but the test server. */
export function foreignRequests(requests, base) {
  const origin = new URL(base).origin;
  return requests.filter((u) => {
    if (u.startsWith('data:') || u.startsWith('blob:')) return false;
    return new URL(u).origin !== origin;
  });
}

/**
 * Viewport points of a piece of article text: the start of `text` (after `from` of its
 * characters) and its end (before its last `to` characters), on the `nth` occurrence.
 * Offsets count UTF-16 units, as the DOM does.
 */
export async function textPoints(page, text, { nth = 0, from = 0, to = 0 } = {}) {
  const pts = await page.evaluate(
    ([text, nth, from, to]) => {
      const walker = document.createTreeWalker(document.querySelector('article'), NodeFilter.SHOW_TEXT);
      // Search the article's text as a whole, so a phrase may span several segments.
      const nodes = [];
      let all = '';
      for (let n; (n = walker.nextNode()); ) {
        nodes.push([n, all.length]);
        all += n.data;
      }
      let at = -1;
      for (let k = 0; k <= nth; k++) {
        at = all.indexOf(text, at + 1);
        if (at < 0) return null;
      }
      const locate = (i) => {
        let best = nodes[0];
        for (const entry of nodes) if (entry[1] <= i) best = entry;
        return [best[0], i - best[1]];
      };
      // Bring the text to the middle of the view first, as a person would scroll to it.
      locate(at)[0].parentElement.scrollIntoView({ block: 'center', behavior: 'instant' });
      const caretAt = (i, side) => {
        const [node, off] = locate(i);
        const r = document.createRange();
        r.setStart(node, off);
        r.setEnd(node, Math.min(off + 1, node.data.length));
        const rect = r.getClientRects()[0];
        return side === 'start'
          ? { x: rect.left + 1, y: rect.top + rect.height / 2 }
          : { x: rect.right - 1, y: rect.top + rect.height / 2 };
      };
      return {
        start: caretAt(at + from, 'start'),
        end: caretAt(at + text.length - 1 - to, 'end'),
      };
    },
    [text, nth, from, to],
  );
  if (!pts) throw new Error(`text not in the article: ${text}`);
  return pts;
}

/**
 * Viewport points of the code points `start` and `end - 1` of the document, where they are
 * drawn (after scrolling the first to the middle of the view): the left edge of the first and
 * the right edge of the last, mid-line.
 */
export async function spanPoints(page, start, end) {
  const pts = await page.evaluate(
    ([start, end]) => {
      const at = (cp) => {
        for (const seg of document.querySelectorAll('article .seg')) {
          const [o, e] = [Number(seg.dataset.o), Number(seg.dataset.e)];
          if (o <= cp && cp < e) {
            const chars = Array.from(seg.firstChild.data);
            const unit = chars.slice(0, cp - o).join('').length;
            return [seg, unit, chars[cp - o].length];
          }
        }
        return null;
      };
      const first = at(start);
      const last = at(end - 1);
      if (!first || !last) return null;
      const rect = ([seg, unit, len]) => {
        const r = document.createRange();
        r.setStart(seg.firstChild, unit);
        r.setEnd(seg.firstChild, unit + len);
        return r.getClientRects()[0];
      };
      // The first character to the middle of the view (a segment may be many lines tall).
      window.scrollBy({ top: rect(first).top - innerHeight / 2, behavior: 'instant' });
      const [a, b] = [rect(first), rect(last)];
      return { start: { x: a.left + 1, y: a.top + a.height / 2 }, end: { x: b.right - 1, y: b.top + b.height / 2 } };
    },
    [start, end],
  );
  if (!pts) throw new Error(`${start}..${end} is not drawn`);
  return pts;
}

/** Drags the mouse from code point `start` to code point `end - 1` of the document. */
export async function dragSpan(page, start, end) {
  await drag(page, await spanPoints(page, start, end));
}

async function drag(page, { start, end }) {
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move((start.x + end.x) / 2, (start.y + end.y) / 2, { steps: 4 });
  await page.mouse.move(end.x, end.y, { steps: 4 });
  await page.mouse.up();
}

/** Clicks Export JSON; returns the downloaded file's name, where it was saved, and its text. */
export async function exportJson(page, dir = join(ROOT, 'target', 'e2e-downloads')) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  await mkdir(dir, { recursive: true });
  const path = join(dir, download.suggestedFilename());
  await download.saveAs(path);
  return { name: download.suggestedFilename(), path, text: await readFile(path, 'utf8') };
}

/** Drags the mouse over article text, as a person selects it. */
export async function dragOver(page, text, options = {}) {
  await drag(page, await textPoints(page, text, options));
}

/** Clicks on the middle of article text. */
export async function clickText(page, text, options = {}) {
  const { start, end } = await textPoints(page, text, options);
  if (Math.abs(start.y - end.y) < 2) await page.mouse.click((start.x + end.x) / 2, start.y);
  else await page.mouse.click(start.x + 2, start.y);
}

/**
 * The annotations as the page paints them, read from the DOM: id → { start, end, text, label,
 * kind }. Offsets are code points; `text` is the document's text between them. Highlights name
 * their annotations by key (`data-a`, src/ui/block.rs), never by id; the page tells what a key
 * stands for (`article.annotationOf(key)`: its id, kind and type).
 */
export async function paintedAnnotations(page) {
  return page.evaluate(() => {
    const article = document.querySelector('article');
    const out = {};
    const keys = {};
    for (const seg of article.querySelectorAll('.seg[data-a]')) {
      const [o, e] = [Number(seg.dataset.o), Number(seg.dataset.e)];
      for (const key of seg.dataset.a.split(' ')) {
        const about = article.annotationOf(Number(key));
        if (!about) throw new Error(`the page draws key ${key}, which is no annotation`);
        keys[about.id] = key;
        const a = (out[about.id] ??= { start: o, end: e, kind: about.kind });
        a.start = Math.min(a.start, o);
        a.end = Math.max(a.end, e);
      }
    }
    // Offsets index the whole document (with its blank lines), so read the text from segments
    // by their own offsets.
    const byOffset = new Map();
    for (const seg of article.querySelectorAll('.seg')) {
      const chars = Array.from(seg.textContent);
      chars.forEach((c, k) => byOffset.set(Number(seg.dataset.o) + k, c));
    }
    for (const [id, a] of Object.entries(out)) {
      let t = '';
      for (let i = a.start; i < a.end; i++) t += byOffset.get(i) ?? '\n';
      a.text = t;
      // The type as painted: the entity's chip (keys are numbers: no escaping needed).
      const chip = article.querySelector(`.chip[data-for="${keys[id]}"]`);
      if (chip) a.label = chip.dataset.label;
    }
    return out;
  });
}

/** Tags the pending selection through the tag menu: a kind, then (for entities) a type. */
export async function tag(page, kind, label) {
  await page.waitForSelector('.tag-menu.placed');
  await page.getByRole('button', { name: kind, exact: true }).click();
  if (label) await page.getByRole('button', { name: label, exact: true }).click();
  await page.waitForSelector('.tag-menu', { state: 'detached' });
}

/** Annotates a few spans of the article: entities, a claim, a quote with its speaker linked. */
export async function annotateSample(page) {
  await dragOver(page, 'Hayat Tahrir al-Sham');
  await tag(page, 'Entity', 'ORG');
  await dragOver(page, 'Rebel forces');
  await tag(page, 'Entity', 'ORG');
  await dragOver(page, '“free” of “tyrant” President Bashar al-Assad');
  await tag(page, 'Claim');
  await dragOver(page, '“reach out”');
  await tag(page, 'Quote');
  await page.getByRole('button', { name: 'Pick in text' }).click();
  await clickText(page, 'Rebel forces');
  await page.waitForFunction(() => document.querySelector('.overview')?.textContent.includes('said by'));
  // An emoji-free article still has curly quotes and an ellipsis before later spans.
  await dragOver(page, 'Sednaya Prison');
  await tag(page, 'Entity', 'FAC');
}


/**
 * The accessibility violations axe-core finds on the page as it is now, as readable lines.
 * axe-core comes from node_modules and is evaluated through the debugging protocol, which the
 * page's Content-Security-Policy (scripts from its own origin only) does not govern: nothing
 * is fetched and the policy stays as users get it.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.evaluate(await readFile(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8'));
  }
  const violations = await page.evaluate(async () => (await window.axe.run(document)).violations);
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
}

/** Waits until the page says the last change is saved in this browser. */
export async function waitSaved(page) {
  await page.waitForFunction(() => document.querySelector('.save')?.textContent.startsWith('Saved'));
}

// ---- the Documents panel ----

/** How many documents the project holds, from the panel's progress line ("3 of 120 done"). */
export async function documentCount(page) {
  const line = await page.locator('.doc-progress').innerText();
  const m = line.match(/^(\d+) of (\d+) done/);
  if (!m) throw new Error(`no progress line: ${line}`);
  return Number(m[2]);
}

/** The titles of the rows the Documents list draws (all of them in a short list). */
export async function documentTitles(page) {
  return page.locator('[role=listbox][aria-label=Documents] [role=option] .doc-row-title').allInnerTexts();
}

/**
 * Opens a document as a person does: types its title (or a part of its id) into the panel's
 * filter, clicks the first row left, and clears the filter again. `id` is what
 * <html data-doc> shows once it is open.
 */
export async function openDocument(page, query, id = query) {
  const filter = page.getByLabel('Filter documents by title');
  await filter.fill(query);
  // The list has narrowed ("· 1 shown") before its first row is clicked.
  await page.locator('.doc-progress', { hasText: 'shown' }).waitFor();
  await page.getByRole('listbox', { name: 'Documents' }).getByRole('option').first().click();
  await page.waitForFunction((want) => document.documentElement.dataset.doc === want, id);
  await filter.fill('');
  await page.locator('.doc-progress', { hasText: 'shown' }).waitFor({ state: 'detached' });
}

// ---- offline and installable (tests/e2e/offline.test.mjs) ----

/**
 * Serves a build like serveDist, from a folder that can be swapped while the address stays
 * (a new deploy at the same origin, where the service worker and its caches live), or taken
 * down (`down = true`: every request is refused, as an unreachable server). Resolves to
 * { url, use(dir), down, served, close }, `served` listing the paths answered.
 */
export async function serveBuild(dir = DIST) {
  const types = { ...TYPES, '.png': 'image/png', '.webmanifest': 'application/manifest+json' };
  const site = { dir, down: false, served: [] };
  const server = createServer(async (req, res) => {
    if (site.down) {
      req.socket.destroy();
      return;
    }
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      const [root, rel] = path.startsWith('/e2e-data/')
        ? [E2E_DATA, path.slice('/e2e-data/'.length)]
        : [site.dir, path];
      let file = normalize(join(root, rel));
      if (!file.startsWith(root)) throw new Error('outside the served folders');
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
      site.served.push(path);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return Object.assign(site, {
    url: `http://127.0.0.1:${port}/`,
    use: (next) => {
      site.dir = next;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((ok) => server.close(ok));
    },
  });
}

/** Waits until a service worker controls the page; resolves to its cache names. */
export async function waitControlled(page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
  return page.evaluate(() => caches.keys());
}
