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
// 2. Hostile files: `marginalia synth-hostile` writes, for every importer, ~10 MB files built to
//    hit the worst case of a path whose work a file controls; each is chosen with Import in a
//    fresh page, and timed from the choice to what the page then says (the question to import,
//    the document opened, or the refusal): the formats worker's work and the page's own.
//
// Needs what bench/run.mjs needs (make bench builds it all).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, sleep } from './lib/browser.mjs';
import { serve } from './lib/server.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, '..');
const CLI = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'release', 'marginalia');
const HOSTILE = join(BENCH, 'data', 'hostile');
const HOSTILE_BYTES = 10_000_000;
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

/** Chooses `file` with Import and waits for what the page says; returns the time and what. */
async function importHostile(url, file) {
  const b = await launch();
  try {
    const { page } = b;
    await page.goto(url);
    await page.waitForSelector('.save:not(.muted)', { timeout: 30_000 });
    const said = () =>
      page.evaluate(() => {
        const dialog = document.querySelector('[role="alertdialog"]');
        if (dialog) return `asked: ${dialog.innerText.split('\n').find((l) => l.trim()) ?? ''}`;
        const alert = document.querySelector('.messages [role="alert"].on');
        if (alert) return `refused: ${alert.innerText.replace(/×$/, '').trim()}`;
        const status = document.querySelector('.messages [role="status"].on');
        if (status && /^Opened/.test(status.innerText)) return `opened: ${status.innerText.trim()}`;
        return null;
      });
    const t0 = Date.now();
    await page.getByLabel('Import', { exact: true }).setInputFiles(file);
    let what = null;
    while (!(what = await said())) {
      if (Date.now() - t0 > 60_000) throw new Error(`${file}: nothing said within 60 s`);
      await sleep(20);
    }
    return { ms: Date.now() - t0, what: what.slice(0, 160) };
  } finally {
    await b.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (bytes) => `${Math.round(bytes / 1024).toLocaleString('en')} KB`;

function renderHostile(results) {
  const rows = Object.entries(results.hostile).map(([name, rs]) => {
    const ms = median(rs.map((r) => r.ms));
    const verdict = ms <= 2000 ? 'met' : `missed by ${(ms - 2000).toLocaleString('en')} ms`;
    return `| \`${name}\` | ${(rs[0].bytes / 1e6).toFixed(1)} MB | ${ms.toLocaleString('en')} ms | ${verdict} | ${rs[0].what.replace(/\|/g, '\\|')} |`;
  });
  return [
    `Hostile files (made by \`marginalia synth-hostile\`, ~${HOSTILE_BYTES / 1e6} MB each; from choosing the file with Import to what the page says, medians):`,
    '',
    '| file | size | time | target ≤ 2 s | what the page said |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

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
  const results = { started: new Date().toISOString(), session: [], hostile: {} };
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: make bench builds it`);
  await rm(HOSTILE, { recursive: true, force: true });
  execFileSync(CLI, ['synth-hostile', '--bytes', String(HOSTILE_BYTES), '-o', HOSTILE], { stdio: ['ignore', 'ignore', 'inherit'] });
  const files = (await readdir(HOSTILE)).sort();
  try {
    for (let run = 1; run <= opts.runs; run++) {
      for (const name of files) {
        const path = join(HOSTILE, name);
        const r = await importHostile(server.url, path);
        r.bytes = (await readFile(path)).length;
        (results.hostile[name] ??= []).push(r);
        console.log(`stress run ${run}/${opts.runs}: ${name} (${(r.bytes / 1e6).toFixed(1)} MB) in ${r.ms} ms: ${r.what}`);
      }
    }
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
  const text = `${render(results)}\n\n${renderHostile(results)}`;
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
