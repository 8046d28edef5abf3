// Offline and installable, end to end: after one visit the service worker controls the page
// and holds the app's files; with the network gone and the server down, a reload shows the
// article and the saved work, a drag tags a span, Export JSON downloads the file. A new
// deploy at the same address shows "A new version of Marginalia is ready — Reload", and
// Reload, right after a change, runs the new version with nothing lost. Chromium finds the
// page installable (manifest, icons, service worker), and the page asks no other origin.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DIST,
  ROOT,
  axeViolations,
  dragOver,
  exportJson,
  foreignRequests,
  launch,
  openApp,
  paintedAnnotations,
  screenshot,
  serveBuild,
  tag,
  waitControlled,
  waitSaved,
} from './harness.mjs';

const OUT = join(ROOT, 'target', 'e2e-offline');
const NEXT = join(ROOT, 'target', 'e2e-offline-next');
const OFFLINE = 'Offline — everything keeps working and is saved in this browser';

/** The build's version, as the build wrote it into sw.js (web/precache.mjs). */
async function versionOf(dir) {
  const sw = await readFile(join(dir, 'sw.js'), 'utf8');
  const m = sw.match(/"version":"([0-9a-f]+)"/);
  assert.ok(m, 'the build wrote a version into sw.js');
  return m[1];
}

/** Labels of the painted annotations, by text. */
async function tagged(page) {
  const painted = Object.values(await paintedAnnotations(page));
  return Object.fromEntries(painted.map((a) => [a.text, a.label ?? a.kind]));
}

describe('offline and installable', () => {
  let version;
  before(async () => {
    version = await versionOf(DIST);
  });

  test('after one visit it works offline: the saved work, a new tag, Export JSON', async () => {
    const site = await serveBuild();
    const b = await launch();
    try {
      await openApp(b.page, site.url);
      const caches = await waitControlled(b.page);
      assert.deepEqual(caches, [`marginalia-${version}`], 'one cache, named after the build');
      // Every file of the build is in it.
      const held = await b.page.evaluate(async (name) => {
        const c = await caches.open(name);
        return (await c.keys()).map((r) => new URL(r.url).pathname);
      }, caches[0]);
      for (const f of ['/index.html', '/loader.js', '/marginalia-app.js', '/marginalia-app_bg.wasm',
        '/marginalia-worker.js', '/marginalia-worker_bg.wasm', '/worker-loader.js', '/main.css',
        '/favicon.svg', '/manifest.json', '/icons/icon-512.png']) {
        assert.ok(held.includes(f), `the cache holds ${f}`);
      }

      // Installable, as Chromium judges it.
      const cdp = await b.context.newCDPSession(b.page);
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      assert.deepEqual(installabilityErrors, [], 'Chromium finds the page installable');
      const { url: manifestUrl, errors: manifestErrors } = await cdp.send('Page.getAppManifest');
      assert.equal(new URL(manifestUrl).pathname, '/manifest.json');
      assert.deepEqual(manifestErrors, []);
      const manifest = await b.page.evaluate(async () => (await fetch('manifest.json')).json());
      assert.equal(manifest.display, 'standalone');
      assert.equal(manifest.start_url, './');
      assert.equal(manifest.scope, './');
      for (const size of ['192x192', '512x512']) {
        assert.ok(manifest.icons.some((i) => i.sizes === size && i.purpose === 'any'), `an icon ${size} for any purpose`);
      }
      const themes = await b.page.$$eval('meta[name=theme-color]', (ms) => ms.map((m) => m.media));
      assert.deepEqual(themes, ['(prefers-color-scheme: light)', '(prefers-color-scheme: dark)']);
      // A session of its own would keep the page's network online under setOffline.
      await cdp.detach();

      await dragOver(b.page, 'Hayat Tahrir al-Sham');
      await tag(b.page, 'Entity', 'ORG');
      await waitSaved(b.page);

      // The network goes, and the server with it.
      const before = site.served.length;
      site.down = true;
      await b.context.setOffline(true);
      await b.page.reload();
      await openApp(b.page, site.url).catch(async (e) => {
        await screenshot(b.page, 'offline-reload-failed');
        throw e;
      });
      assert.equal(await b.page.locator('.pwa-offline').innerText(), OFFLINE);
      assert.deepEqual(await axeViolations(b.page), [], 'the banner keeps the page accessible');
      assert.deepEqual(await tagged(b.page), { 'Hayat Tahrir al-Sham': 'ORG' }, 'the saved work is back');
      await dragOver(b.page, 'Rebel forces');
      await tag(b.page, 'Entity', 'ORG');
      await waitSaved(b.page);
      assert.deepEqual(await tagged(b.page), { 'Hayat Tahrir al-Sham': 'ORG', 'Rebel forces': 'ORG' });
      const exported = await exportJson(b.page, OUT);
      const data = JSON.parse(exported.text);
      assert.deepEqual(data.annotations.map((a) => a.text).sort(), ['Hayat Tahrir al-Sham', 'Rebel forces']);
      // Every other format is written by the formats worker, whose code comes from the cache too.
      await b.page.getByRole('button', { name: 'Export ▾' }).click();
      const [download] = await Promise.all([
        b.page.waitForEvent('download'),
        b.page.getByRole('menuitem', { name: 'W3C Web Annotation (JSON-LD)', exact: true }).click(),
      ]);
      const w3c = join(OUT, download.suggestedFilename());
      await download.saveAs(w3c);
      const items = JSON.parse(await readFile(w3c, 'utf8')).first?.items ?? [];
      assert.equal(items.length, 2, 'the W3C export, offline, holds both annotations');
      await screenshot(b.page, 'offline');

      assert.equal(site.served.length, before, 'nothing was served while offline');
      // Online again: the banner goes.
      site.down = false;
      await b.context.setOffline(false);
      await b.page.locator('.pwa-offline').waitFor({ state: 'detached' });
      assert.deepEqual(foreignRequests(b.requests, site.url), []);
      assert.deepEqual(b.errors.filter((e) => e.startsWith('pageerror')), []);
    } finally {
      await b.close();
      await site.close();
    }
  });

  test('a new deploy says so, and Reload right after a change loses nothing', async () => {
    // The next release: the same build with another version (and a mark to recognise it).
    await rm(NEXT, { recursive: true, force: true });
    await cp(DIST, NEXT, { recursive: true });
    const next = `${version.slice(0, 12)}beef`;
    const sw = await readFile(join(NEXT, 'sw.js'), 'utf8');
    await writeFile(join(NEXT, 'sw.js'), sw.replace(version, next));
    const html = await readFile(join(NEXT, 'index.html'), 'utf8');
    await writeFile(join(NEXT, 'index.html'), html.replace(/<html\b/, '<html data-release="next"'));

    const site = await serveBuild();
    const b = await launch();
    try {
      await openApp(b.page, site.url);
      await waitControlled(b.page);
      await dragOver(b.page, 'Hayat Tahrir al-Sham');
      await tag(b.page, 'Entity', 'ORG');
      await waitSaved(b.page);
      assert.equal(await b.page.locator('.pwa-update').count(), 0, 'no notice while nothing new is deployed');

      // Deploy; the next visit finds it (the page it shows is still the old version's).
      site.use(NEXT);
      await b.page.reload();
      await openApp(b.page, site.url);
      const notice = b.page.locator('.pwa-update');
      await notice.waitFor({ timeout: 30_000 });
      assert.equal((await notice.innerText()).replace(/\s+/g, ' ').trim(), 'A new version of Marginalia is ready — Reload');
      assert.equal(await b.page.evaluate(() => document.documentElement.dataset.release), undefined);
      assert.deepEqual(await axeViolations(b.page), [], 'the notice keeps the page accessible');
      await screenshot(b.page, 'offline-new-version');

      // A change, and Reload at once.
      await dragOver(b.page, 'Rebel forces');
      await tag(b.page, 'Entity', 'ORG');
      await Promise.all([
        b.page.waitForEvent('load', { timeout: 30_000 }),
        notice.getByRole('button', { name: 'Reload', exact: true }).click(),
      ]);
      await openApp(b.page, site.url).catch(() => {});
      await b.page.waitForSelector('.save:not(.muted)', { timeout: 30_000 });
      assert.equal(await b.page.evaluate(() => document.documentElement.dataset.release), 'next', 'the new version runs');
      assert.deepEqual(await tagged(b.page), { 'Hayat Tahrir al-Sham': 'ORG', 'Rebel forces': 'ORG' }, 'nothing lost');
      assert.deepEqual(await waitControlled(b.page), [`marginalia-${next}`], 'the old cache is gone');
      assert.equal(await b.page.locator('.pwa-update').count(), 0);
      assert.deepEqual(foreignRequests(b.requests, site.url), []);
    } finally {
      await b.close();
      await site.close();
    }
  });
});
