// Debian's Chromium through playwright-core, a fresh profile per launch (the flags of
// tests/e2e/harness.mjs), plus what the benchmark needs beyond Playwright: the browser's and
// the page's renderer process ids (from /proc), the renderer's proportional set size, and a
// hard kill by process id when a page blocks its main thread past the wall-clock limit
// (Playwright's own timeouts do not fire then).
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

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

const INSTRUMENT = new URL('./instrument.js', import.meta.url).pathname;

/**
 * Launches Chromium with an empty profile (or `profile`, a directory an earlier launch kept
 * with `keep`) and the in-page instrumentation.
 */
export async function launch({ viewport = { width: 1280, height: 900 }, profile: reuse = null, keep = false } = {}) {
  const profile = reuse ?? (await mkdtemp(join(tmpdir(), 'marginalia-bench-')));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  await context.addInitScript({ path: INSTRUMENT });
  const page = context.pages()[0] ?? (await context.newPage());
  const browserPid = await findBrowserPid(profile);
  let closed = false;
  return {
    context,
    page,
    profile,
    browserPid,
    /** Closes the browser; kills it by pid if it does not close within 10 s. */
    close: async () => {
      if (closed) return;
      closed = true;
      const ok = await Promise.race([
        context.close().then(() => true, () => true),
        sleep(10_000).then(() => false),
      ]);
      if (!ok) kill(browserPid);
      if (!keep) await rm(profile, { recursive: true, force: true }).catch(() => {});
    },
    /** Kills the browser at once (a page that blocks its main thread). */
    kill: async () => {
      closed = true;
      kill(browserPid);
      await Promise.race([context.close().catch(() => {}), sleep(5_000)]);
      await rm(profile, { recursive: true, force: true }).catch(() => {});
    },
  };
}

function kill(pid) {
  if (!pid) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

async function procs() {
  const out = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // Fields after the parenthesised command: state ppid … utime(14) stime(15).
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Chromium rewrites its process title: the arguments are separated by spaces, not NULs.
      const cmdline = (await readFile(`/proc/${name}/cmdline`, 'utf8')).split(/[\0 ]/);
      out.push({
        pid: Number(name),
        ppid: Number(rest[1]),
        cpu: Number(rest[11]) + Number(rest[12]),
        cmdline,
      });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** The browser process: the one whose command line names our fresh profile. */
async function findBrowserPid(profile) {
  const all = await procs();
  const hit = all.find(
    (p) => p.cmdline.some((a) => a === `--user-data-dir=${profile}`) && !p.cmdline.some((a) => a.startsWith('--type=')),
  );
  return hit?.pid ?? null;
}

/**
 * The renderer processes under our browser. The page's renderer is the one that has used the
 * most CPU time (it did all the loading); a spare renderer or the first about:blank one has
 * used almost none.
 */
export async function rendererOf(browserPid) {
  const all = await procs();
  const children = new Map();
  for (const p of all) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(p);
  }
  const below = [];
  const stack = [browserPid];
  while (stack.length) {
    for (const c of children.get(stack.pop()) ?? []) {
      below.push(c);
      stack.push(c.pid);
    }
  }
  const renderers = below.filter((p) => p.cmdline.includes('--type=renderer') && !p.cmdline.includes('--top-chrome-webui'));
  renderers.sort((a, b) => b.cpu - a.cpu);
  return { page: renderers[0]?.pid ?? null, all: renderers.map((r) => r.pid) };
}

/** Proportional set size of a process in bytes, from /proc/<pid>/smaps_rollup. */
export async function pss(pid) {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const m = text.match(/^Pss:\s+(\d+) kB/m);
  return m ? Number(m[1]) * 1024 : null;
}

/**
 * A process's private memory in bytes (Private_Clean + Private_Dirty of smaps_rollup: the
 * pages no other process maps, which, unlike PSS, do not move when other processes start).
 */
export async function privateBytes(pid) {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (field) => Number(text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
  const sum = kb('Private_Clean') + kb('Private_Dirty');
  return Number.isFinite(sum) ? sum * 1024 : null;
}

/** Resolves to { ok: true, value } or { ok: false, error } after at most `ms`. */
export async function deadline(promise, ms, what) {
  let timer;
  const timeout = new Promise((ok) => {
    timer = setTimeout(() => ok({ ok: false, timeout: true, error: `${what}: did not finish in ${ms / 1000} s` }), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ ok: true, value }),
        (e) => ({ ok: false, error: `${what}: ${String(e?.message ?? e).split('\n')[0]}` }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The steps of one run, each given at most `limitOf(what)` ms. Past it the run is recorded as
 * not finished (`out.dnf`) and the browser of the moment (`browser()`) is killed: a page that
 * blocks its main thread answers no Playwright call, and none of Playwright's timeouts fires.
 * A step's error goes to `out.errors`; after a kill, `alive` is false and steps do nothing.
 */
export function stepper(out, browser, limitOf) {
  const s = {
    alive: true,
    step: async (what, fn) => {
      if (!s.alive) return undefined;
      const r = await deadline(fn(), limitOf(what), what);
      if (r.ok) return r.value;
      out.errors.push(r.error);
      if (r.timeout) {
        s.alive = false;
        out.dnf = r.error;
        await browser().kill();
      }
      return undefined;
    },
    /** Adds what the page threw (bench/lib/instrument.js keeps it) to `out.errors`. */
    pageErrors: async (page) => {
      if (!s.alive) return;
      const errs = await page.evaluate(() => window.__bench.errors).catch(() => []);
      if (errs.length) out.errors.push(...errs.map((e) => `page: ${e}`));
    },
  };
  return s;
}

/** The version of the Chromium that the benchmark drives. */
export async function chromiumVersion() {
  const { execFile } = await import('node:child_process');
  return new Promise((ok) =>
    execFile(CHROMIUM, ['--version'], (err, stdout) => ok(err ? 'unknown' : stdout.trim())),
  );
}
