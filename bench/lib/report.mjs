// Turns raw results into min / median / max per metric, tool and cell, Marginalia's ratio to
// each peer, the issue's targets (met, or missed by how much), the table printed to stdout,
// docs/performance.md (only between its markers: the hand-written text around them stays) and
// the README's headline (between its markers).
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const METRICS = [
  { key: 'load', label: '(1) navigation start → all painted', unit: 'ms' },
  { key: 'add', label: '(2) add one → next frame', unit: 'ms' },
  { key: 'select', label: '(3) pointer-up → menu / popup / selection painted', unit: 'ms' },
  { key: 'selectEvent', label: '(3) pointer-up → selection event (text-annotator)', unit: 'ms', only: 'text-annotator' },
  { key: 'delete', label: '(4) delete one → next frame', unit: 'ms' },
  { key: 'undo', label: '(4) undo the delete → next frame', unit: 'ms' },
  { key: 'edit', label: 'edit one → next frame', unit: 'ms' },
  { key: 'scrollGap', label: '(5) 20 scroll steps: worst frame', unit: 'ms' },
  { key: 'scrollLoaf', label: '(5) 20 scroll steps: worst long animation frame (0 = none over 50 ms)', unit: 'ms' },
  { key: 'pss', label: '(6) renderer process PSS after load', unit: 'MB' },
  { key: 'heapWasm', label: '(6) JS heap + WebAssembly memory', unit: 'MB' },
  { key: 'heap', label: '(6) JS heap alone', unit: 'MB' },
];

const LABELS = { marginalia: 'Marginalia', 'text-annotator': 'text-annotator', 'recogito-js': 'recogito-js' };
const PEERS = ['text-annotator', 'recogito-js'];
const BIG = '300x10000';
const MB = 2 ** 20;

export async function machine() {
  const read = (f) => readFile(f, 'utf8').catch(() => '');
  const cpuinfo = await read('/proc/cpuinfo');
  const meminfo = await read('/proc/meminfo');
  const os = await read('/etc/os-release');
  let nproc = null;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    // no coreutils
  }
  return {
    nproc,
    cpu: cpuinfo.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? 'unknown',
    ramGiB: Math.round((Number(meminfo.match(/^MemTotal:\s+(\d+)/m)?.[1] ?? 0) / 2 ** 20) * 10) / 10,
    os: os.match(/^PRETTY_NAME="?([^"\n]*)/m)?.[1] ?? 'unknown',
  };
}

function stats(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = v.length >> 1;
  return {
    n: v.length,
    min: v[0],
    median: v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2,
    max: v[v.length - 1],
  };
}

export function summarize(results) {
  const tools = results.options.tools;
  const cells = results.cells.map((cell) => {
    const byTool = {};
    for (const tool of tools) {
      const runs = results.runs.filter((r) => r.tool === tool && r.cell === cell.key);
      const metrics = {};
      for (const { key } of METRICS) metrics[key] = stats(runs.flatMap((r) => [].concat(r.metrics?.[key] ?? [])));
      byTool[tool] = {
        runs: runs.length,
        finished: runs.filter((r) => typeof r.metrics?.load === 'number').length,
        dnf: runs.filter((r) => r.dnf).map((r) => r.dnf),
        skipped: runs.filter((r) => r.skipped).length,
        errors: [...new Set(runs.flatMap((r) => r.errors ?? []))],
        loaded: [...new Set(runs.map((r) => r.loadedAnnotations).filter((x) => x !== undefined))],
        metrics,
      };
    }
    return { ...cell, tools: byTool };
  });
  const wire = {};
  for (const tool of tools) wire[tool] = results.runs.find((r) => r.tool === tool && r.wire)?.wire ?? null;
  const summary = { ...results, runs: undefined, tools, cells, wire };
  summary.targets = targets(summary);
  return summary;
}

const fmt = (v, unit) => {
  if (v === null || v === undefined) return '—';
  if (unit === 'MB') return (v / MB).toFixed(v / MB < 10 ? 1 : 0);
  return v < 10 ? v.toFixed(1) : Math.round(v).toString();
};

function cellText(s, unit) {
  if (!s) return null;
  return s.n === 1 ? `${fmt(s.median, unit)}` : `${fmt(s.min, unit)} / **${fmt(s.median, unit)}** / ${fmt(s.max, unit)}`;
}

function ratio(m, p) {
  if (!m || !p || !p.median || !m.median) return '—';
  const r = m.median / p.median;
  return `${r < 0.1 ? r.toFixed(3) : r.toFixed(2)}×`;
}

function missing(t, timeout) {
  if (t.runs === 0) return 'not run';
  if (t.finished === 0 && t.dnf.length) return `did not finish in ${timeout} s`;
  if (t.finished === 0) return 'failed to load (see below)';
  // Cut short when the page blocked an earlier step of its runs.
  if (t.dnf.length) return `cut short: ${t.dnf[0].replace(/ #\d+:/, '')}`;
  return 'n/a';
}

/** "300× the article (~1 MB), 10,000 annotations", or with the text shape when not paragraphs. */
export function cellTitle(cell) {
  const km = Math.round(cell.times * 3.486);
  const size = cell.times === 1 ? '3.5 KB' : cell.times === 30 ? '~100 KB' : cell.times === 300 ? '~1 MB' : `~${km} KB`;
  const shape = {
    lines: ' as single-newline lines (a sentence a line, no blank line: one paragraph)',
    paragraph: ' as one paragraph without a line break',
  }[cell.shape ?? 'article'] ?? '';
  return `${cell.times}× the article${shape} (${size}), ${cell.annotations.toLocaleString('en')} annotations`;
}

export function renderTable(summary) {
  const { tools } = summary;
  const peers = tools.filter((t) => t !== 'marginalia');
  const hasM = tools.includes('marginalia');
  const out = [];
  for (const cell of summary.cells) {
    out.push(`#### ${cellTitle(cell)}`);
    out.push('');
    const head = ['metric (unit)'];
    for (const t of tools) {
      head.push(`${LABELS[t]} min / **median** / max`);
      if (hasM && t !== 'marginalia') head.push(`Marginalia ÷ ${LABELS[t]}`);
    }
    out.push(`| ${head.join(' | ')} |`);
    out.push(`|${head.map((_, i) => (i === 0 ? '---' : '--:')).join('|')}|`);
    for (const m of METRICS) {
      if (!tools.some((t) => cell.tools[t].metrics[m.key])) continue;
      const row = [`${m.label} (${m.unit})`];
      const mine = cell.tools.marginalia?.metrics[m.key];
      for (const t of tools) {
        const T = cell.tools[t];
        let text = cellText(T.metrics[m.key], m.unit);
        if (text && m.key === 'load' && T.finished < T.runs) text += ` (${T.finished} of ${T.runs} runs finished)`;
        row.push(text ?? (m.only && m.only !== t ? 'n/a' : missing(T, summary.options.timeout)));
        if (hasM && t !== 'marginalia') row.push(ratio(mine, T.metrics[m.key]));
      }
      out.push(`| ${row.join(' | ')} |`);
    }
    out.push('');
    const notes = [];
    for (const t of tools) {
      const T = cell.tools[t];
      if (T.dnf.length)
        notes.push(
          `${LABELS[t]}: ${T.dnf.length} of ${T.runs} runs did not finish (${[...new Set(T.dnf)].join('; ')})` +
            (T.skipped ? `; ${T.skipped} more not tried after two did not load.` : '.'),
        );
      const wrong = T.loaded.filter((n) => n !== null && n !== cell.annotations);
      if (wrong.length) notes.push(`${LABELS[t]}: loaded ${wrong.join(', ')} of ${cell.annotations} annotations.`);
      const errs = T.errors.filter((e) => !T.dnf.includes(e));
      if (errs.length) notes.push(`${LABELS[t]}: ${errs.slice(0, 3).join('; ')}${errs.length > 3 ? ` (and ${errs.length - 3} more)` : ''}`);
    }
    if (notes.length) {
      out.push(...notes.map((n) => `- ${n}`));
      out.push('');
    }
  }
  // Wire size
  out.push('#### (7) Wire bytes of the app (every file the page loaded, not the data)');
  out.push('');
  out.push('| tool | raw | gzip -9 | files |');
  out.push('|---|--:|--:|---|');
  for (const t of tools) {
    const w = summary.wire[t];
    out.push(
      w
        ? `| ${LABELS[t]} | ${w.raw.toLocaleString('en')} B | ${w.gzip.toLocaleString('en')} B | ${w.files.map((f) => f.path.split('/').pop()).join(', ')} |`
        : `| ${LABELS[t]} | — | — | not measured |`,
    );
  }
  if (hasM && peers.length) {
    const m = summary.wire.marginalia;
    const parts = peers.filter((p) => summary.wire[p] && m).map((p) => `${LABELS[p]} ${ratio({ median: m.gzip }, { median: summary.wire[p].gzip })}`);
    if (parts.length) out.push('', `Marginalia ÷ peer, gzip: ${parts.join(', ')}.`);
  }
  out.push('');
  return out.join('\n');
}

/** The issue's targets, computed from the 1 MB / 10,000 cell (the interactions from every cell
 * with 10,000 annotations that was run) and the wire size. */
function targets(summary) {
  const list = [];
  const cell = summary.cells.find((c) => c.key === BIG);
  const M = cell?.tools.marginalia;
  const med = (key) => M?.metrics[key]?.median ?? null;
  const add = (text, met, detail) => list.push({ text, met, detail });
  const ms = (v) => `${Math.round(v)} ms`;
  if (!cell || !M) {
    add('1 MB document with 10,000 annotations (all targets but size)', null, 'not run (the 300x10000 cell or Marginalia was left out)');
  } else {
    const load = med('load');
    if (load === null) add('1 MB, 10,000 annotations: all painted in under 1 s', false, 'Marginalia did not finish loading');
    else
      add(
        '1 MB, 10,000 annotations: all painted in under 1 s (median)',
        load < 1000,
        load < 1000 ? `${ms(load)}, ${ms(1000 - load)} to spare` : `${ms(load)}: missed by ${ms(load - 1000)} (${(load / 1000).toFixed(2)}× the target)`,
      );
    const finishedPeers = PEERS.filter((p) => cell.tools[p]?.metrics.load);
    const dnfPeers = PEERS.filter((p) => cell.tools[p] && !cell.tools[p].metrics.load);
    if (load !== null) {
      if (finishedPeers.length) {
        const fastest = finishedPeers.reduce((a, b) => (cell.tools[a].metrics.load.median <= cell.tools[b].metrics.load.median ? a : b));
        const p = cell.tools[fastest].metrics.load.median;
        add(
          '… and at most half the time of the fastest peer that manages it',
          load <= p / 2,
          `fastest peer: ${LABELS[fastest]} ${ms(p)}; Marginalia ${ms(load)} = ${(load / p).toFixed(2)}× of it` +
            (load <= p / 2 ? '' : `: missed by ${ms(load - p / 2)}`) +
            (dnfPeers.length ? ` (${dnfPeers.map((d) => LABELS[d]).join(', ')}: did not finish in ${summary.options.timeout} s)` : ''),
        );
      } else if (dnfPeers.length) {
        add(
          '… and at most half the time of the fastest peer that manages it',
          true,
          `no peer managed it: ${dnfPeers.map((d) => LABELS[d]).join(', ')} did not finish in ${summary.options.timeout} s`,
        );
      }
    }
    for (const [key, what] of [
      ['add', 'adding one annotation'],
      ['edit', 'editing one annotation'],
      ['delete', 'deleting one annotation'],
      ['undo', 'undoing (the delete)'],
      ['select', 'mouse-up to tag menu'],
    ]) {
      // "With 10,000 present" holds on every document run with 10,000 annotations: the 1 MB
      // one first, then the shorter ones (on the 1× article that is about 17 per word).
      const cells = ['300x10000', 'lines:300x10000', '30x10000', '1x10000']
        .map((k) => [k, summary.cells.find((c) => c.key === k)?.tools.marginalia?.metrics[key]?.median ?? null])
        .filter(([k, v]) => k === BIG || v !== null);
      const name = { '300x10000': '1 MB', 'lines:300x10000': '1 MB of lines', '30x10000': '100 KB', '1x10000': '3.5 KB article' };
      const one = ([k, v]) =>
        v === null ? `${name[k]}: not measured (see errors)` : `${name[k]}: ${v.toFixed(1)} ms` + (v <= 16 ? '' : ` (missed by ${(v - 16).toFixed(1)} ms)`);
      const vals = cells.map(([, v]) => v);
      add(
        `10,000 present: ${what} → next frame within 16 ms (median)`,
        vals.includes(null) ? null : vals.every((v) => v <= 16),
        cells.map(one).join('; '),
      );
    }
    const gap = M.metrics.scrollGap;
    const loaf = M.metrics.scrollLoaf;
    add(
      'scrolling the 1 MB document: no frame over 50 ms (median of each run’s worst frame)',
      gap ? gap.median <= 50 : null,
      gap
        ? `worst frame median ${ms(gap.median)} (max over runs ${ms(gap.max)}); long animation frames: worst ${loaf?.max ? ms(loaf.max) : 'none over 50 ms'}` +
            (gap.median <= 50 ? '' : `: missed by ${ms(gap.median - 50)}`)
        : 'not measured',
    );
    const pssM = med('pss');
    const peerPss = PEERS.filter((p) => cell.tools[p]?.metrics.pss).map((p) => [p, cell.tools[p].metrics.pss.median]);
    if (pssM === null) add('memory after loading 1 MB / 10,000: below the peers’', null, 'not measured');
    else if (!peerPss.length)
      add('memory after loading 1 MB / 10,000: below the peers’', null, `Marginalia ${(pssM / MB).toFixed(0)} MB; no peer finished loading, nothing to compare`);
    else {
      const lowest = peerPss.reduce((a, b) => (a[1] <= b[1] ? a : b));
      add(
        'memory after loading 1 MB / 10,000 (renderer PSS): below the peers’',
        pssM < lowest[1],
        `Marginalia ${(pssM / MB).toFixed(0)} MB; ${peerPss.map(([p, v]) => `${LABELS[p]} ${(v / MB).toFixed(0)} MB`).join(', ')}` +
          (pssM < lowest[1] ? '' : `: missed by ${((pssM - lowest[1]) / MB).toFixed(0)} MB`) +
          (PEERS.filter((p) => cell.tools[p] && !cell.tools[p].metrics.pss).length
            ? ` (${PEERS.filter((p) => cell.tools[p] && !cell.tools[p].metrics.pss).map((p) => LABELS[p]).join(', ')}: did not finish loading)`
            : ''),
      );
    }
  }
  // Every text shape meets the targets the 1 MB / 10,000 cell is held to.
  for (const cell of summary.cells.filter((c) => (c.shape ?? 'article') !== 'article')) {
    const S = cell.tools.marginalia;
    if (!S) continue;
    const v = (key) => S.metrics[key]?.median ?? null;
    const checks = [
      ['load', 'open', 1000],
      ['select', 'menu', 16],
      ['add', 'add', 16],
      ['edit', 'edit', 16],
      ['delete', 'delete', 16],
      ['undo', 'undo', 16],
    ].map(([key, what, limit]) => [what, v(key), limit]);
    const one = ([what, x, limit]) =>
      x === null ? `${what}: not measured` : `${what} ${x < 10 ? x.toFixed(1) : Math.round(x)} ms` + (x <= limit ? '' : ` (missed by ${ms(x - limit)})`);
    add(
      `${cellTitle(cell)}: open within 1 s, mouse-up → menu and add/edit/delete/undo → next frame within 16 ms (medians)`,
      checks.some(([, x]) => x === null) ? null : checks.every(([, x, limit]) => x <= limit),
      checks.map(one).join('; '),
    );
  }
  const w = summary.wire.marginalia;
  add(
    'app wire size (wasm + JS + CSS + HTML, gzip -9): at most 200 KB (200,000 B)',
    w ? w.gzip <= 200_000 : null,
    w ? `${w.gzip.toLocaleString('en')} B` + (w.gzip <= 200_000 ? `, ${(200_000 - w.gzip).toLocaleString('en')} B to spare` : `: missed by ${(w.gzip - 200_000).toLocaleString('en')} B`) : 'not measured',
  );
  return list;
}

function renderTargets(summary) {
  const mark = (m) => (m === true ? '✅ met' : m === false ? '❌ missed' : '— not determined');
  return summary.targets.map((t) => `- ${mark(t.met)}: ${t.text}: ${t.detail}.`).join('\n');
}

function renderMeta(summary) {
  const m = summary.machine;
  const date = summary.started.slice(0, 10);
  return [
    `Run on ${date} (${summary.started} to ${summary.finished ?? '?'}), on ${m.nproc} CPU cores (\`nproc\`) of an ${m.cpu}, ${m.ramGiB} GiB RAM, ${m.os};`,
    `${summary.chromium} (headless, \`--disable-gpu\`), driven by playwright-core ${summary.peers['playwright-core']} from node ${summary.node}.`,
    `Peers: @recogito/text-annotator ${summary.peers['text-annotator']} (with @annotorious/core ${summary.peers['annotorious-core']}), @recogito/recogito-js ${summary.peers['recogito-js']}.`,
    `${summary.options.runs} run(s) per tool and cell (a fresh browser profile each), ${summary.options.reps} interaction(s) of each kind per run; ` +
      `cells: ${summary.options.cells.join(', ')} (times the article × annotations); wall-clock limit ${summary.options.timeout} s per page load (30 s per interaction).`,
  ].join('\n');
}

const DOC_BEGIN = '<!-- bench:begin: generated by bench/run.mjs from bench/results/*.json; edit outside the markers -->';
const DOC_END = '<!-- bench:end -->';
const README_BEGIN = '<!-- bench-headline:begin (generated by bench/run.mjs) -->';
const README_END = '<!-- bench-headline:end -->';

function replaceBetween(text, begin, end, body) {
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return null;
  return `${text.slice(0, a + begin.length)}\n${body}\n${text.slice(b)}`;
}

export function headline(summary) {
  const cell = summary.cells.find((c) => c.key === BIG);
  const M = cell?.tools.marginalia;
  if (!M) return null;
  const v = (k) => M.metrics[k]?.median;
  const ms = (x) => (x === undefined || x === null ? '—' : x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x).toLocaleString('en')} ms`);
  const peers = PEERS.filter((p) => cell.tools[p])
    .map((p) => {
      const t = cell.tools[p];
      if (!t.metrics.load) return `${LABELS[p]} did not finish in ${summary.options.timeout} s`;
      return `${LABELS[p]} ${ms(t.metrics.load.median)}` + (t.finished < t.runs ? ` in the ${t.finished} of ${t.runs} runs that finished within ${summary.options.timeout} s` : '');
    })
    .join(', ');
  const met = summary.targets.filter((t) => t.met === true).length;
  const w = summary.wire.marginalia;
  return (
    `On ${summary.machine.nproc} cores of an ${summary.machine.cpu} in ${summary.chromium.replace(/ built on.*/, '')} (${summary.started.slice(0, 10)}, medians): ` +
    `the 1 MB document with 10,000 annotations is painted **${ms(v('load'))}** after navigation starts` +
    (peers ? ` (${peers})` : '') +
    `; with 10,000 present, adding one annotation takes ${ms(v('add'))} to its frame, deleting ${ms(v('delete'))}, undoing ${ms(v('undo'))}, ` +
    `mouse-up to tag menu ${ms(v('select'))}; the worst scroll frame is ${ms(v('scrollGap'))}; the renderer uses ${v('pss') ? Math.round(v('pss') / MB) + ' MB' : '—'}` +
    (w ? `; the app is ${Math.round(w.gzip / 1000)} KB gzip` : '') +
    `. ${met} of ${summary.targets.length} targets met: [docs/performance.md](docs/performance.md).`
  );
}

export async function writeDocs(root, summary) {
  const docPath = join(root, 'docs', 'performance.md');
  const body = [
    '## Results',
    '',
    renderMeta(summary),
    '',
    'Each entry: min / **median** / max over all runs (for interactions, over every repetition of',
    'every run), in ms or MB (MiB). "Marginalia ÷ peer" is the ratio of medians: below 1 Marginalia is',
    'faster or smaller.',
    '',
    renderTable(summary),
    '## Targets',
    '',
    'Computed from the 1 MB / 10,000-annotation cell (medians; the interactions with 10,000 present from every cell with 10,000 annotations that was run), as the issue states them, and the same targets for every text shape that was run:',
    '',
    renderTargets(summary),
    '',
    ['1x1000', '1x10000', '30x10', '30x10000', '300x10', '300x1000'].some((c) => !summary.options.cells.includes(c))
      ? `Off-diagonal cells (${['1x1000', '1x10000', '30x10', '30x10000', '300x10', '300x1000'].filter((c) => !summary.options.cells.includes(c)).join(', ')}) were not run; \`node bench/run.mjs --all\` runs them.`
      : 'All nine article cells were run.',
  ].join('\n');
  let doc = await readFile(docPath, 'utf8').catch(() => null);
  if (doc === null) doc = `# Performance\n\n${DOC_BEGIN}\n${DOC_END}\n`;
  const next = replaceBetween(doc, DOC_BEGIN, DOC_END, body);
  if (next === null) throw new Error(`docs/performance.md lacks the markers ${DOC_BEGIN} … ${DOC_END}`);
  await writeFile(docPath, next);

  const readmePath = join(root, 'README.md');
  const readme = await readFile(readmePath, 'utf8');
  const h = headline(summary);
  if (h) {
    const r = replaceBetween(readme, README_BEGIN, README_END, h);
    if (r === null) console.warn('README.md lacks the headline markers: headline not written');
    else await writeFile(readmePath, r);
  }
}
