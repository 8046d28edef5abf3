#!/usr/bin/env node
// The stress benchmark: what the main benchmark (bench/run.mjs) does not time. Marginalia only
// (the peers have no undo for a session of actions, and no importers for these files).
//
//   node bench/stress.mjs [--runs N] [--no-doc]
//
//   --runs N    runs of each part (default 3), each in a fresh browser profile
//   --no-doc    do not rewrite the stress section of docs/performance.md
//
// 1. A long session: 1,000 actions on the shipped article (250 rounds of drag over a word,
//    `c` to tag it a claim, Ctrl+Z, Ctrl+Shift+Z, Ctrl+Z), after 100 to warm up; then the JS
//    heap (CDP, after a full GC) and the WebAssembly memory, against the same after the warm-up.
//    The session ends with no annotation, so what grew is what the session left behind.
//
// Needs what bench/run.mjs needs (make bench builds it all).
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, sleep } from './lib/browser.mjs';
import { serve } from './lib/server.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, '..');
const ACTIONS = 1000;
const WARMUP = 100;

function parseArgs(argv) {
  const o = { runs: 3, doc: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') o.runs = Number(argv[++i]);
    else if (argv[i] === '--no-doc') o.doc = false;
    else throw new Error(`unknown option ${argv[i]} (see the header of bench/stress.mjs)`);
  }
  if (!(o.runs >= 1)) throw new Error('--runs must be positive');
  return o;
}

/** Viewport points over the `nth` occurrence of `text` in the article, scrolled into view. */
async function pointsOf(page, text) {
  return page.evaluate((text) => {
    const walker = document.createTreeWalker(document.querySelector('article'), NodeFilter.SHOW_TEXT);
    for (let n; (n = walker.nextNode()); ) {
      const at = n.data.indexOf(text);
      if (at < 0) continue;
      n.parentElement.scrollIntoView({ block: 'center', behavior: 'instant' });
      const r = document.createRange();
      r.setStart(n, at);
      r.setEnd(n, at + text.length);
      const b = r.getClientRects()[0];
      return { start: { x: b.left + 1, y: b.top + b.height / 2 }, end: { x: b.right - 1, y: b.top + b.height / 2 } };
    }
    return null;
  }, text);
}

// Locators, not waitForSelector: the element handle that one returns keeps its element (the
// tag menu, each round) alive, which would count as the page's growth.
const count = (page, n) => page.locator(`html[data-annotations="${n}"]`).waitFor();

/** One round of four actions: tag a word, undo, redo, undo. */
async function round(page, word) {
  const p = await pointsOf(page, word);
  if (!p) throw new Error(`“${word}” is not in the article`);
  await page.mouse.move(p.start.x, p.start.y);
  await page.mouse.down();
  await page.mouse.move(p.end.x, p.end.y, { steps: 3 });
  await page.mouse.up();
  await page.locator('.tag-menu.placed').waitFor();
  await page.keyboard.press('c');
  await count(page, 1);
  await page.keyboard.press('Control+z');
  await count(page, 0);
  await page.keyboard.press('Control+Shift+z');
  await count(page, 1);
  await page.keyboard.press('Control+z');
  await count(page, 0);
}

async function memory(b) {
  const cdp = await b.context.newCDPSession(b.page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return { js: usedSize, wasm: await b.page.evaluate(() => window.__bench.wasmBytes()) };
}

async function longSession(url) {
  const b = await launch();
  try {
    const { page } = b;
    await page.goto(url);
    await page.waitForSelector('.save:not(.muted)', { timeout: 30_000 });
    const words = ['Damascus', 'Assad', 'Syria', 'Latakia', 'Homs'];
    for (let k = 0; k < WARMUP / 4; k++) await round(page, words[k % words.length]);
    await sleep(500);
    const before = await memory(b);
    const t0 = Date.now();
    for (let k = 0; k < ACTIONS / 4; k++) await round(page, words[k % words.length]);
    const seconds = (Date.now() - t0) / 1000;
    await sleep(1000);
    const after = await memory(b);
    return { js: after.js - before.js, wasm: after.wasm - before.wasm, before, after, seconds };
  } finally {
    await b.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (bytes) => `${Math.round(bytes / 1024).toLocaleString('en')} KB`;

function render(results) {
  const s = results.session;
  const js = median(s.map((r) => r.js));
  const wasm = median(s.map((r) => r.wasm));
  const total = median(s.map((r) => r.js + r.wasm));
  const verdict = total <= 1024 * 1024 ? 'met' : `missed by ${kb(total - 1024 * 1024)}`;
  return [
    `Long session (${ACTIONS.toLocaleString('en')} actions after ${WARMUP} to warm up, ${s.length} runs, medians, ${results.started.slice(0, 10)}):`,
    '',
    '| figure | growth | target |',
    '|---|---|---|',
    `| JS heap (after a full GC) | ${kb(js)} | |`,
    `| WebAssembly memory | ${kb(wasm)} | |`,
    `| both | ${kb(total)} (${Math.round(total / ACTIONS)} B an action) | ≤ 1,024 KB: ${verdict} |`,
  ].join('\n');
}

async function writeDoc(text) {
  const path = join(ROOT, 'docs', 'performance.md');
  const doc = await readFile(path, 'utf8');
  const begin = '<!-- bench-stress:begin (generated by bench/stress.mjs) -->';
  const end = '<!-- bench-stress:end -->';
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/performance.md has no ${begin} … ${end} section`);
  await writeFile(path, `${doc.slice(0, i + begin.length)}\n${text}\n${doc.slice(j)}`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist', 'index.html'))) throw new Error('dist/ is missing: make bench builds it');
  const server = await serve([['/', join(ROOT, 'dist')]]);
  const results = { started: new Date().toISOString(), session: [] };
  try {
    for (let run = 1; run <= opts.runs; run++) {
      const r = await longSession(server.url);
      results.session.push(r);
      console.log(
        `stress run ${run}/${opts.runs}: ${ACTIONS} actions in ${r.seconds.toFixed(0)} s, JS heap ${kb(r.js)}, Wasm memory ${kb(r.wasm)}`,
      );
    }
  } finally {
    await server.close();
  }
  await mkdir(join(BENCH, 'results'), { recursive: true });
  const file = join(BENCH, 'results', `stress-${results.started.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify(results, null, 1));
  const text = render(results);
  console.log(`\n${text}\n\nraw results: ${file}`);
  if (opts.doc) {
    await writeDoc(text);
    console.log('docs/performance.md: stress section regenerated');
  }
}

main().catch((e) => {
  console.error(`bench/stress: ${e.message}`);
  process.exit(1);
});
