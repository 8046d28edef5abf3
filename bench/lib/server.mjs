// One static server on 127.0.0.1 for every tool, so all pages share an origin and a network
// path: Marginalia's release build (dist/) at /, the benchmark data at /bench-data/, the peer
// pages at /pages/ and the peers' npm builds at /peers/<name>/. Every response is logged
// (path, status, bytes) so that the harness can sum what each page loaded.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.jsonld': 'application/ld+json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves `mounts` ([[urlPrefix, directory], …], longest prefix first) on a free port.
 * Resolves to { url, log, close }; `log` is an array the caller may empty between pages.
 */
export async function serve(mounts) {
  const sorted = [...mounts].sort((a, b) => b[0].length - a[0].length);
  const log = [];
  const server = createServer(async (req, res) => {
    let path = '?';
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      const mount = sorted.find(([prefix]) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix));
      if (!mount) throw new Error('no mount');
      const [prefix, dir] = mount;
      let file = normalize(join(dir, path.slice(prefix.length)));
      if (!file.startsWith(normalize(dir))) throw new Error('outside the mount');
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
      log.push({ path, status: 200, file, bytes: body.length });
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      log.push({ path, status: 404, bytes: 0 });
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    log,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(ok);
      }),
  };
}

/**
 * The benchmarks' mounts: Marginalia's release build (`root`/dist) at /, the data directory
 * `data` at /bench-data/, the peers' pages at /pages/ and their npm builds at /peers/<name>/.
 */
export function benchMounts(root, data) {
  const bench = join(root, 'bench');
  return [
    ['/', join(root, 'dist')],
    ['/bench-data/', data],
    ['/pages/', join(bench, 'pages')],
    ['/peers/text-annotator/', join(bench, 'node_modules', '@recogito', 'text-annotator', 'dist')],
    ['/peers/recogito-js/', join(bench, 'node_modules', '@recogito', 'recogito-js', 'dist')],
  ];
}
