#!/usr/bin/env node
// The performance benchmark: Marginalia beside the annotators people use today, in the same
// headless Chromium, in the same run, alternating tools, a fresh browser profile per run.
//
//   node bench/run.mjs [--runs N] [--reps N] [--only TOOL[,TOOL]] [--cells LIST | --all]
//                      [--timeout SECONDS] [--no-doc] [--report results/FILE.json]
//
//   --runs N       runs per tool and cell (default 5): one page load each, a fresh profile
//   --reps N       interactions (add, pointer-up, delete/undo, edit) per run (default 3)
//   --only         marginalia | text-annotator | recogito-js (comma-separated)
//   --cells        which cells, as [SHAPE:]TIMESxANNOTATIONS: e.g. 1x10,300x10000,lines:300x10
//                  (SHAPE is article, the default, lines or paragraph: see `marginalia synth`);
//                  the default is the diagonal (1x10, 30x1000, 300x10000) and the text shapes
//                  (lines:300x10, paragraph:300x10, lines:300x10000); --all runs the nine article
//                  cells and the shapes
//   --timeout S    wall-clock limit for one page load (default 60; each interaction gets at
//                  most 30 s): past it the browser is killed and the run recorded as not
//                  finished; a tool that twice does not finish loading a cell is not tried again
//   --no-doc       do not rewrite docs/performance.md and the README's headline
//   --report FILE  only regenerate the table and docs from an earlier results file
//
// Needs: dist/ (trunk build --release), target/release/marginalia (cargo build --release
// --bin marginalia), bench/node_modules (npm ci in bench/). `make bench` does all of it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags } from './lib/args.mjs';
import { chromiumVersion, launch, pss, rendererOf, sleep, stepper } from './lib/browser.mjs';
import { benchMounts, serve } from './lib/server.mjs';
import { TOOLS } from './lib/tools.mjs';
import { machine, renderTable, summarize, writeDocs } from './lib/report.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, '..');
const DATA = join(BENCH, 'data');
const CLI = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'release', 'marginalia');

// Cells: [shape, times, annotations].
const SHAPES = [
  ['lines', 300, 10],
  ['paragraph', 300, 10],
  ['lines', 300, 10000],
];
const DIAGONAL = [
  ['article', 1, 10],
  ['article', 30, 1000],
  ['article', 300, 10000],
  ...SHAPES,
];
const ALL = [1, 30, 300].flatMap((t) => [10, 1000, 10000].map((a) => ['article', t, a])).concat(SHAPES);

/** "lines:300x10" -> ['lines', 300, 10]; "300x10" -> ['article', 300, 10]. */
function parseCell(text) {
  const [shape, size] = text.includes(':') ? text.split(':') : ['article', text];
  return [shape, ...size.split('x').map(Number)];
}

function parseArgs(argv) {
  const defaults = { runs: 5, reps: 3, only: TOOLS.map((t) => t.name), cells: DIAGONAL, timeout: 60, doc: true, report: null };
  const o = parseFlags(
    argv,
    defaults,
    {
      '--runs': (o, val) => (o.runs = Number(val())),
      '--reps': (o, val) => (o.reps = Number(val())),
      '--only': (o, val) => (o.only = val().split(',')),
      '--cells': (o, val) => (o.cells = val().split(',').map(parseCell)),
      '--all': (o) => (o.cells = ALL),
      '--timeout': (o, val) => (o.timeout = Number(val())),
      '--no-doc': (o) => (o.doc = false),
      '--report': (o, val) => (o.report = val()),
    },
    import.meta.url,
  );
  for (const n of o.only)
    if (!TOOLS.some((t) => t.name === n)) throw new Error(`--only: unknown tool ${n} (${TOOLS.map((t) => t.name).join(', ')})`);
  if (!(o.runs >= 1) || !(o.reps >= 1) || !(o.timeout > 0)) throw new Error('--runs, --reps, --timeout must be positive');
  for (const c of o.cells)
    if (c.length !== 3 || !['article', 'lines', 'paragraph'].includes(c[0]) || !c.slice(1).every((n) => Number.isInteger(n) && n > 0))
      throw new Error(`bad cell ${c.join(':')}`);
  return o;
}

/**
 * Writes the native file and its W3C conversion for a cell with the project's CLI, every time
 * (it takes well under a second), so the data always match the CLI that was just built.
 */
function prepareData([shape, times, annotations]) {
  const id = `damascus-${shape === 'article' ? '' : `${shape}-`}x${times}-${annotations}`;
  const native = join(DATA, `${id}.marginalia.json`);
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: cargo build --release -p marginalia-cli (make bench does)`);
  const quiet = { stdio: ['ignore', 'ignore', 'inherit'] };
  execFileSync(CLI, ['synth', '--times', String(times), '--annotations', String(annotations), '--shape', shape, '--seed', '42', '-o', DATA], quiet);
  execFileSync(CLI, ['convert', '--to', 'w3c', native, '-o', DATA], quiet);
  const key = `${shape === 'article' ? '' : `${shape}:`}${times}x${annotations}`;
  return { id, shape, times, annotations, key };
}

const gzCache = new Map();
/**
 * The app's own bytes that the page loaded (each file once): not the data, not our
 * benchmark pages, no 404s. Raw and gzip -9 (the server sends them uncompressed).
 */
async function wireBytes(log) {
  const files = [];
  for (const r of log) {
    if (r.status !== 200 || r.path.startsWith('/bench-data/') || r.path.startsWith('/pages/')) continue;
    if (files.some((f) => f.file === r.file)) continue;
    if (!gzCache.has(r.file)) gzCache.set(r.file, gzipSync(await readFile(r.file), { level: 9 }).length);
    const path = r.path.endsWith('/') ? `${r.path}index.html` : r.path;
    files.push({ file: r.file, path, bytes: r.bytes, gzip: gzCache.get(r.file) });
  }
  return {
    raw: files.reduce((a, f) => a + f.bytes, 0),
    gzip: files.reduce((a, f) => a + f.gzip, 0),
    files: files.map(({ path, bytes, gzip }) => ({ path, bytes, gzip })),
  };
}

/** One run of one tool on one cell: a fresh browser, load, memory, scroll, interactions. */
async function runOne(tool, cell, server, opts, wantWire) {
  const limit = opts.timeout * 1000;
  const out = { tool: tool.name, cell: cell.key, metrics: {}, errors: [] };
  const b = await launch();
  const { page } = b;
  // Past its limit a step kills the browser (the page may block its main thread). Page loads
  // get the full limit, each other step at most 30 s.
  const steps = stepper(out, () => b, (what) => (what === 'load' ? limit : Math.min(limit, 30_000)));
  const { step } = steps;
  try {
    server.log.length = 0;
    // (1) navigation start -> all annotations painted (performance.now() in the page counts
    // from navigation start).
    const loaded = await step('load', async () => {
      await page.goto(tool.url(server.url, cell), { waitUntil: 'commit', timeout: limit });
      const r = await page.evaluate(async () => {
        const B = window.__bench;
        // Until painted, or until the page throws (then it never will be).
        while (B.loaded === null && !B.errors.length) await new Promise((ok) => setTimeout(ok, 25));
        return { ms: B.loaded, info: B.loadInfo, errors: B.errors };
      });
      if (r.ms === null) throw new Error(`the page failed: ${r.errors[0]}`);
      return r;
    });
    if (!loaded) {
      out.metrics.load = null;
      // The app's files came before the page blocked: their size is still known.
      if (wantWire) out.wire = await wireBytes(server.log);
      return out;
    }
    out.metrics.load = loaded.ms;
    out.loadedAnnotations = loaded.info?.annotations ?? null;
    if (out.loadedAnnotations !== cell.annotations)
      out.errors.push(`loaded ${out.loadedAnnotations} annotations of ${cell.annotations}`);
    if (loaded.errors?.length) out.errors.push(...loaded.errors.map((e) => `page: ${e}`));

    // (6) memory after load: a second to settle, a full GC, then the JS heap (CDP) and the
    // renderer's proportional set size (/proc).
    await step('memory', async () => {
      await sleep(1000);
      const cdp = await b.context.newCDPSession(page);
      await cdp.send('HeapProfiler.collectGarbage');
      const heap = await cdp.send('Runtime.getHeapUsage');
      await cdp.detach();
      const wasm = await page.evaluate(() => window.__bench.wasmBytes());
      const r = await rendererOf(b.browserPid);
      out.renderers = r.all.length;
      out.metrics.pss = r.page ? await pss(r.page) : null;
      out.metrics.heap = heap.usedSize;
      // WebAssembly memory (Marginalia's model and index) is not in the JS heap.
      out.metrics.heapWasm = heap.usedSize + wasm;
      out.heapDetail = { ...heap, wasm };
    });

    // (7) the app's wire bytes (the same every run: measured on the first).
    if (wantWire) out.wire = await wireBytes(server.log);

    // (5) 20 wheel steps of 400 px over the text, one every ~50 ms: the worst frame.
    await step('scroll', async () => {
      const box = await page.locator(tool.textRoot).first().boundingBox();
      await page.mouse.move(box.x + Math.min(box.width / 2, 300), 450);
      await page.evaluate((root) => window.__bench.startFrames(root), tool.textRoot);
      for (let i = 0; i < 20; i++) {
        await page.mouse.wheel(0, 400);
        await sleep(50);
      }
      await sleep(500);
      const f = await page.evaluate(() => window.__bench.stopFrames());
      out.metrics.scrollLoaf = f.loafMax;
      out.metrics.scrollGap = f.gapMax;
      out.scroll = f;
      const expected = Math.min(20 * 400, f.roomPx);
      if (f.scrolledPx < expected * 0.5) out.errors.push(`scroll: the text moved ${f.scrolledPx} px of ${expected}`);
    });

    // (2), (3), (4) and edits, `reps` times.
    for (const m of ['select', 'add', 'delete', 'undo', 'edit']) out.metrics[m] = [];
    for (let k = 0; k < opts.reps && steps.alive; k++) {
      const sa = await step(`select+add #${k + 1}`, () => tool.selectAndAdd(page, k));
      if (sa) {
        out.metrics.select.push(sa.select);
        out.metrics.add.push(sa.add);
        if (sa.selectEvent !== undefined) (out.metrics.selectEvent ??= []).push(sa.selectEvent);
      }
      const du = await step(`delete+undo #${k + 1}`, () => tool.deleteUndo(page, k));
      if (du) {
        out.metrics.delete.push(du.delete);
        out.metrics.undo.push(du.undo);
      }
      const ed = await step(`edit #${k + 1}`, () => tool.edit(page, k));
      if (ed !== undefined) out.metrics.edit.push(ed);
    }
    await steps.pageErrors(page);
    return out;
  } finally {
    await b.close();
  }
}

function fmtMs(v) {
  return v === null || v === undefined ? '—' : `${Math.round(v)} ms`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  await mkdir(join(BENCH, 'results'), { recursive: true });

  if (opts.report) {
    const results = JSON.parse(await readFile(resolve(opts.report), 'utf8'));
    const summary = summarize(results);
    console.log(renderTable(summary));
    if (opts.doc) await writeDocs(ROOT, summary);
    return;
  }

  for (const need of [join(ROOT, 'dist', 'index.html'), join(BENCH, 'node_modules', 'playwright-core')])
    if (!existsSync(need)) throw new Error(`${need} is missing: run make bench (or see bench/run.mjs's header)`);
  await mkdir(DATA, { recursive: true });
  const cells = opts.cells.map(prepareData);
  const tools = TOOLS.filter((t) => opts.only.includes(t.name));

  const server = await serve(benchMounts(ROOT, DATA));

  const versions = JSON.parse(await readFile(join(BENCH, 'package-lock.json'), 'utf8')).packages;
  const results = {
    started: new Date().toISOString(),
    machine: await machine(),
    chromium: await chromiumVersion(),
    node: process.version,
    peers: {
      'text-annotator': versions['node_modules/@recogito/text-annotator']?.version,
      'annotorious-core': versions['node_modules/@annotorious/core']?.version,
      'recogito-js': versions['node_modules/@recogito/recogito-js']?.version,
      'playwright-core': versions['node_modules/playwright-core']?.version,
    },
    options: { runs: opts.runs, reps: opts.reps, timeout: opts.timeout, cells: cells.map((c) => c.key), tools: tools.map((t) => t.name) },
    cells: cells.map(({ id, shape, times, annotations, key }) => ({ id, shape, times, annotations, key })),
    runs: [],
  };
  const stamp = results.started.replace(/[:.]/g, '-');
  const file = join(BENCH, 'results', `${stamp}.json`);
  const save = () => writeFile(file, JSON.stringify(results, null, 1));

  // Alternate: every run goes through every cell and every tool, starting with a different
  // tool each time, so that a slow spell of this shared machine does not hit one tool only.
  // A tool that does not finish loading a cell twice is not tried again on it.
  const skip = new Set();
  const failures = new Map();
  const wired = new Set();
  const t0 = Date.now();
  try {
    for (let run = 1; run <= opts.runs; run++) {
      for (const cell of cells) {
        for (let i = 0; i < tools.length; i++) {
          const tool = tools[(i + run - 1) % tools.length];
          const key = `${tool.name}@${cell.key}`;
          if (skip.has(key)) {
            results.runs.push({ tool: tool.name, cell: cell.key, run, skipped: 'two earlier runs did not load', metrics: {} });
            continue;
          }
          const r = await runOne(tool, cell, server, opts, !wired.has(tool.name));
          r.run = run;
          if (r.wire) wired.add(tool.name);
          results.runs.push(r);
          await save();
          const m = r.metrics;
          const med = (xs) => (xs?.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : null);
          console.log(
            `run ${run}/${opts.runs} ${cell.key.padEnd(16)} ${tool.name.padEnd(15)} ` +
              (r.dnf
                ? `DID NOT FINISH: ${r.dnf}`
                : `load ${fmtMs(m.load)}, add ${fmtMs(med(m.add))}, pointer-up ${fmtMs(med(m.select))}, ` +
                  `delete ${fmtMs(med(m.delete))}, undo ${fmtMs(med(m.undo))}, edit ${fmtMs(med(m.edit))}, ` +
                  `scroll worst ${fmtMs(m.scrollGap)}, PSS ${m.pss ? Math.round(m.pss / 2 ** 20) + ' MB' : '—'}`) +
              (r.errors.length && !r.dnf ? `  [${r.errors.length} error(s): ${r.errors[0]}]` : '') +
              `  (${Math.round((Date.now() - t0) / 1000)} s)`,
          );
          if (r.metrics.load === null) {
            failures.set(key, (failures.get(key) ?? 0) + 1);
            if (failures.get(key) >= 2) skip.add(key);
          }
        }
      }
    }
  } finally {
    results.finished = new Date().toISOString();
    await save();
    await server.close();
  }

  const summary = summarize(results);
  console.log();
  console.log(renderTable(summary));
  console.log(`\nraw results: ${file}`);
  if (opts.doc) {
    await writeDocs(ROOT, summary);
    console.log('docs/performance.md and the README headline regenerated');
  }
}

main().catch((e) => {
  console.error(`bench: ${e.message}`);
  process.exit(1);
});
