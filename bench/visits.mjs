#!/usr/bin/env node
// Visits on a slow link: a first visit (nothing cached) and a repeat visit with the network
// gone, for Marginalia and the peers, in the same headless Chromium, a fresh profile per run.
//
//   node bench/visits.mjs [--runs N] [--only TOOL[,TOOL]] [--dist DIR] [--out FILE]
//
//   --runs N   runs per tool (default 3): a first visit, then a repeat visit offline, each run
//              in a fresh profile
//   --only     marginalia | text-annotator | recogito-js (comma-separated)
//   --dist     Marginalia's build to serve (default dist/, as `make bench` builds it)
//   --out      where the results go (default bench/results/visits.json)
//
// Every visit is made twice: with the files gzip-compressed on the wire, as a web server
// sends them (a proxy in front of the benchmark server compresses them), and as the
// benchmark server sends them (uncompressed).
// The link: CDP Network.emulateNetworkConditions at 1.6 Mbps down, 750 kbps up, 150 ms
// round trip, and Emulation.setCPUThrottlingRate 4. "Interactive" is navigation start to the
// moment the page is ready for a drag (Marginalia: its work restored and drawn; a peer: its
// annotations painted), plus a drag's pointer-up to the tag menu (a peer: its selection)
// painted, both timed inside the page (lib/instrument.js); the drag's own 400 ms are the
// person's and not counted. The repeat visit is the same address in a new tab of the same
// profile, the first one closed (Marginalia: the bare address, its work restored from this
// browser), with the network offline; a page that cannot load offline is recorded as such. Targets: first ≤ 2,500 ms, repeat offline ≤ 300 ms.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags } from './lib/args.mjs';
import { chromiumVersion, launch } from './lib/browser.mjs';
import { benchMounts, serve } from './lib/server.mjs';
import { TOOLS } from './lib/tools.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, '..');
const DATA = join(BENCH, 'data');
const CLI = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'release', 'marginalia');
const LINK = { offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 };
const TARGET = { first: 2500, repeat: 300 };
const CELL = { id: 'damascus-x1-10', annotations: 10 };

const opts = parseFlags(
  process.argv.slice(2),
  { runs: 3, only: TOOLS.map((t) => t.name), dist: join(ROOT, 'dist'), out: join(BENCH, 'results', 'visits.json') },
  {
    '--runs': (o, val) => (o.runs = Number(val())),
    '--only': (o, val) => (o.only = val().split(',')),
    '--dist': (o, val) => (o.dist = resolve(val())),
    '--out': (o, val) => (o.out = resolve(val())),
  },
  import.meta.url,
);

/** Resolves in the page, to performance.now() at the first frame where `ready` holds. */
const readyAt = (page, ready) =>
  page.evaluate(
    (src) =>
      new Promise((ok) => {
        const holds = new Function(`return (${src})()`);
        const check = () => (holds() ? ok(performance.now()) : requestAnimationFrame(check));
        check();
      }),
    ready.toString(),
  );

/** When each tool is ready for a drag. */
const READY = {
  marginalia: (count) =>
    `() => Number(document.documentElement.dataset.annotations) >= ${count} && document.querySelector('article p') !== null && document.querySelector('.save:not(.muted)') !== null`,
  peer: () => '() => window.__bench?.loaded != null && window.__peer != null',
};

/** One visit: navigation start → ready, + pointer-up → tag menu painted. Null when it fails. */
async function visit(page, tool, url, count) {
  try {
    await page.goto(url, { waitUntil: 'commit', timeout: 60_000 });
  } catch (e) {
    return { ms: null, error: e.message.split('\n')[0] };
  }
  const ready = tool.name === 'marginalia' ? READY.marginalia(count) : READY.peer();
  const at = await Promise.race([
    readyAt(page, ready),
    new Promise((ok) => setTimeout(() => ok(null), 60_000)),
  ]).catch((e) => ({ error: e.message }));
  if (typeof at !== 'number') return { ms: null, error: at?.error ?? 'not ready within 60 s' };
  const { select } = await tool.selectAndAdd(page, 0);
  return { ms: at + select, ready: at, select };
}

/**
 * A proxy to `upstream` that gzips every answer for a client that accepts it (the benchmark
 * server sends files as they are). Resolves to { url, close }.
 */
async function gzipProxy(upstream) {
  const up = new URL(upstream);
  const proxy = createServer((req, res) => {
    const ask = request({ host: up.hostname, port: up.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      const chunks = [];
      answer.on('data', (c) => chunks.push(c));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        const headers = { ...answer.headers };
        delete headers['content-length'];
        const gz = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
        const out = gz ? gzipSync(body, { level: 9 }) : body;
        if (gz) headers['content-encoding'] = 'gzip';
        res.writeHead(answer.statusCode, { ...headers, 'content-length': out.length });
        res.end(out);
      });
    });
    ask.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(ask);
  });
  await new Promise((ok) => proxy.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${proxy.address().port}/`,
    close: () =>
      new Promise((ok) => {
        proxy.closeAllConnections();
        proxy.close(ok);
      }),
  };
}

/** A CDP session on `page` with the slow link (offline when `offline`) and the slow processor. */
async function throttle(context, page, offline) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { ...LINK, offline });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  return cdp;
}

async function runOne(tool, server, encoding) {
  const b = await launch();
  const out = { tool: tool.name, encoding };
  try {
    await throttle(b.context, b.page, false);
    out.first = await visit(b.page, tool, tool.url(server.url, CELL), CELL.annotations);
    if (tool.name === 'marginalia') {
      // The offline copy is made once the page has loaded: wait for it, and for the save.
      await b.page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 120_000 });
      await b.page.waitForFunction(() => document.querySelector('.save')?.textContent.startsWith('Saved'));
    }
    // The person comes back later: the tab was closed, a new one opens the same address.
    // Marginalia's work comes back from this browser; the peers are asked for their file.
    await b.page.close();
    const page = await b.context.newPage();
    await throttle(b.context, page, true);
    const again = tool.name === 'marginalia' ? server.url : tool.url(server.url, CELL);
    out.repeatOffline = await visit(page, tool, again, CELL.annotations);
  } catch (e) {
    out.error = e.message.split('\n')[0];
  } finally {
    await b.close();
  }
  return out;
}

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return s.length ? s[(s.length - 1) >> 1] : null;
};

if (!existsSync(join(opts.dist, 'index.html'))) throw new Error(`${opts.dist}/index.html is missing: trunk build --release`);
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: cargo build --release -p marginalia-cli (make bench does)`);
await mkdir(DATA, { recursive: true });
const quiet = { stdio: ['ignore', 'ignore', 'inherit'] };
execFileSync(CLI, ['synth', '--times', '1', '--annotations', '10', '--shape', 'article', '--seed', '42', '-o', DATA], quiet);
execFileSync(CLI, ['convert', '--to', 'w3c', join(DATA, `${CELL.id}.marginalia.json`), '-o', DATA], quiet);

const mounts = benchMounts(ROOT, DATA).map(([p, d]) => (p === '/' ? [p, opts.dist] : [p, d]));
const server = await serve(mounts);
const proxy = await gzipProxy(server.url);
const ENCODINGS = { gzip: proxy, identity: server };
const tools = TOOLS.filter((t) => opts.only.includes(t.name));
const runs = [];
try {
  for (let r = 0; r < opts.runs; r++) {
    for (const tool of tools) {
      for (const [encoding, via] of Object.entries(ENCODINGS)) {
        const one = await runOne(tool, via, encoding);
        runs.push(one);
        const f = (v) => (v?.ms == null ? `— (${v?.error ?? one.error})` : `${Math.round(v.ms)} ms`);
        console.log(`${tool.name} (${encoding}) run ${r + 1}: first ${f(one.first)}, repeat offline ${f(one.repeatOffline)}`);
      }
    }
  }
} finally {
  await proxy.close();
  await server.close();
}

const summary = {
  date: new Date().toISOString(),
  chromium: await chromiumVersion().catch(() => null),
  link: { downMbps: 1.6, upKbps: 750, rttMs: 150, cpuSlowdown: 4 },
  targets: TARGET,
  tools: Object.fromEntries(
    tools.flatMap((t) => Object.keys(ENCODINGS).map((encoding) => {
      const mine = runs.filter((x) => x.tool === t.name && x.encoding === encoding);
      return [`${t.name} (${encoding})`, {
        first: median(mine.map((x) => x.first?.ms)),
        firstReady: median(mine.map((x) => x.first?.ready)),
        repeatOffline: median(mine.map((x) => x.repeatOffline?.ms)),
        repeatReady: median(mine.map((x) => x.repeatOffline?.ready)),
        offlineError: mine.find((x) => x.repeatOffline?.ms == null)?.repeatOffline?.error ?? null,
      }];
    })),
  ),
  runs,
};
await mkdir(dirname(opts.out), { recursive: true });
await writeFile(opts.out, `${JSON.stringify(summary, null, 2)}\n`);
console.log('\nmedians (ms): tool | first visit → interactive | repeat visit offline → interactive');
for (const [name, s] of Object.entries(summary.tools)) {
  const v = (x, t) => (x == null ? 'does not load offline' : `${Math.round(x)} (target ${t}: ${x <= t ? 'met' : `missed by ${Math.round(x - t)}`})`);
  console.log(`${name} | ${v(s.first, TARGET.first)} | ${v(s.repeatOffline, TARGET.repeat)}`);
}
console.log(`results: ${opts.out}`);
