// Trunk post_build hook (Trunk.toml): writes the precache list and the build's version into
// the service worker (web/sw.js) in the staging folder. The version is a hash of every file
// the worker stores, so a build that changes anything is a new version, and one that changes
// nothing is not (the browser then installs nothing new).
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) throw new Error('precache.mjs runs as a trunk hook (TRUNK_STAGING_DIR is not set)');
const SW = 'sw.js';

async function walk(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(path)));
    else out.push(relative(staging, path).split(sep).join('/'));
  }
  return out;
}

const files = (await walk(staging)).filter((f) => f !== SW && !f.endsWith('.map'));
files.sort();
const hash = createHash('sha256');
for (const f of files) {
  hash.update(f);
  hash.update('\0');
  hash.update(await readFile(join(staging, f)));
}
const version = hash.digest('hex').slice(0, 16);
const swPath = join(staging, SW);
const sw = await readFile(swPath, 'utf8');
const marked = /\/\*PRECACHE\*\/[\s\S]*?\/\*END\*\//;
if (!marked.test(sw)) throw new Error(`${SW} has no /*PRECACHE*/ … /*END*/ placeholder`);
const listed = files;
await writeFile(swPath, sw.replace(marked, JSON.stringify({ version, files: listed })));
console.log(`precache: ${files.length} files, version ${version}`);
