// The foundation, end to end: the release build opens on the article in Chromium, shows it
// exactly, logs no error, asks nothing of any other origin, and looks right in both themes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  articleText,
  checkBlocks,
  drawnBlocks,
  foreignRequests,
  launch,
  openApp,
  paragraphsOf,
  screenshot,
  serveDist,
} from './harness.mjs';

describe('foundation', () => {
  let server;
  before(async () => {
    server = await serveDist();
  });
  after(async () => {
    await server?.close();
  });

  test('opens on the article, paragraph by paragraph, with no console error', async () => {
    const b = await launch();
    try {
      await openApp(b.page, server.url);
      const expected = paragraphsOf(await articleText());
      assert.equal(expected.length, 10, 'the article has ten paragraphs');

      const articles = await b.page.locator('article').count();
      assert.equal(articles, 1, 'exactly one <article>');
      // innerText is what a reader sees; textContent what a screen reader and a copy get. The
      // article's paragraphs are short: one block each.
      const text = await articleText();
      const blocks = await drawnBlocks(b.page);
      assert.deepEqual(
        checkBlocks(blocks, text).map((p) => p.text),
        expected,
        'the blocks draw every paragraph exactly',
      );
      assert.equal(blocks.length, expected.length);
      blocks.forEach((blk, i) => {
        assert.equal(blk.inner, expected[i], `visible text of paragraph ${i}`);
        assert.equal(blk.content, expected[i], `text content of paragraph ${i}`);
      });

      const header = b.page.locator('header');
      assert.equal(await header.locator('h1').innerText(), 'Syrian rebels enter Damascus');
      assert.match(await header.innerText(), /damascus-2024-12-08/);
      assert.equal(await b.page.title(), 'Marginalia');

      assert.deepEqual(b.errors, [], 'no console error or page error');
      assert.deepEqual(foreignRequests(b.requests, server.url), [], 'no request leaves 127.0.0.1');
      assert.ok(
        b.requests.some((u) => u.endsWith('.wasm')),
        'the app loaded its WebAssembly from the test server',
      );
    } finally {
      await b.close();
    }
  });

  test('the Content-Security-Policy forbids inline scripts and other origins', async () => {
    const b = await launch();
    try {
      await openApp(b.page, server.url);
      const csp = await b.page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|https?:/);
      // The policy is live: an inline script injected now must not run.
      const ran = await b.page.evaluate(async () => {
        const s = document.createElement('script');
        s.textContent = 'window.__inline_ran = true';
        document.body.append(s);
        await new Promise((r) => setTimeout(r, 50));
        return window.__inline_ran === true;
      });
      assert.equal(ran, false, 'inline script blocked by the CSP');
    } finally {
      await b.close();
    }
  });

  test('measure, leading and fonts make a readable page', async () => {
    const b = await launch();
    try {
      await openApp(b.page, server.url);
      const m = await b.page.$eval('article', (a) => {
        const style = getComputedStyle(a);
        const probe = document.createElement('span');
        // Average character width over real text: the article's own first paragraph.
        probe.textContent = a.querySelector('p').textContent;
        probe.style.whiteSpace = 'nowrap';
        a.append(probe);
        const perChar = probe.getBoundingClientRect().width / probe.textContent.length;
        probe.remove();
        return {
          width: a.clientWidth,
          perChar,
          lineHeight: parseFloat(style.lineHeight) / parseFloat(style.fontSize),
          fonts: style.fontFamily,
        };
      });
      const measure = m.width / m.perChar;
      assert.ok(measure >= 60 && measure <= 75, `measure of ${measure.toFixed(1)} characters`);
      assert.ok(m.lineHeight >= 1.5, `line height ${m.lineHeight}`);
      assert.doesNotMatch(m.fonts, /url\(/);
    } finally {
      await b.close();
    }
  });

  for (const scheme of ['light', 'dark']) {
    test(`screenshot in ${scheme} mode`, async () => {
      const b = await launch({ colorScheme: scheme });
      try {
        await openApp(b.page, server.url);
        const colours = await b.page.evaluate(() => {
          const s = getComputedStyle(document.documentElement);
          return { bg: s.backgroundColor, fg: s.color };
        });
        const lum = (rgb) => {
          const [r, g, b2] = rgb.match(/\d+/g).map(Number);
          return 0.2126 * r + 0.7152 * g + 0.0722 * b2;
        };
        if (scheme === 'dark') assert.ok(lum(colours.bg) < lum(colours.fg), 'light text on dark');
        else assert.ok(lum(colours.bg) > lum(colours.fg), 'dark text on light');
        await screenshot(b.page, `foundation-${scheme}`);
        await screenshot(b.page, `foundation-${scheme}-full`, { fullPage: true });
        assert.deepEqual(b.errors, []);
      } finally {
        await b.close();
      }
    });
  }
});
