// Every format, end to end: annotate, export each format through the Export menu, compare the
// download byte for byte with the command-line tool's conversion of the same annotations, and
// read each importable file back through Import in a fresh profile: the annotations match.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CLI,
  ROOT,
  annotateSample,
  dragOver,
  launch,
  openApp,
  paintedAnnotations,
  serveDist,
  tag,
} from './harness.mjs';

const OUT = join(ROOT, 'target', 'e2e-formats');


/** The Export menu, as a person sees it: title → CLI key, file ending, importable. */
const FORMATS = {
  'Marginalia JSON': { key: 'native', ext: '.marginalia.json', imports: true },
  'Label Studio JSON': { key: 'label-studio', ext: '.label-studio.json', imports: true },
  'CoNLL-2003 (IOB2)': { key: 'conll', ext: '.conll', imports: false },
  'W3C Web Annotation (JSON-LD)': { key: 'w3c', ext: '.w3c.jsonld', imports: true },
  'brat standoff (zip)': { key: 'brat', ext: '.brat.zip', imports: true },
  'spaCy / Prodigy JSONL': { key: 'spacy', ext: '.spacy.jsonl', imports: true },
  'spaCy DocBin (.spacy)': { key: 'spacy-docbin', ext: '.spacy', imports: false },
  'doccano JSONL': { key: 'doccano', ext: '.doccano.jsonl', imports: true },
  'doccano JSONL (relations)': { key: 'doccano-rel', ext: '.doccano-rel.jsonl', imports: true },
};

/** Kind, label and span of each annotation: what every format must carry. */
function spans(painted) {
  return Object.values(painted)
    .map((a) => `${a.kind} ${a.label ?? ''} ${a.start}-${a.end} ${a.text}`)
    .sort();
}

describe('formats', () => {
  let server;
  before(async () => {
    server = await serveDist();
    await rm(OUT, { recursive: true, force: true });
    await mkdir(OUT, { recursive: true });
  });
  after(async () => {
    await server?.close();
  });

  test('each format exports from the menu, as the CLI writes it, and imports back', async () => {
    const a = await launch();
    const files = {};
    let painted;
    try {
      const { page } = a;
      await openApp(page, server.url);
      await annotateSample(page);
      // A cue for the quote, and an entity nested in the claim.
      await page.locator('.overview').getByRole('button', { name: /reach out/ }).click();
      await dragOver(page, 'declared');
      await page.getByRole('button', { name: 'Use selection as cue' }).click();
      await page.keyboard.press('Escape');
      await dragOver(page, 'Bashar al-Assad');
      await tag(page, 'Entity', 'PERSON');
      painted = await paintedAnnotations(page);
      assert.equal(Object.keys(painted).length, 6);

      const menu = page.getByRole('button', { name: 'Export ▾' });
      await menu.click();
      const titles = await page.getByRole('menu', { name: 'Export formats' }).getByRole('menuitem').allInnerTexts();
      await menu.click();
      const available = Object.keys(FORMATS).filter((t) => titles.includes(t));
      assert.deepEqual(titles.filter((t) => !FORMATS[t]), [], 'every format in the menu is tested');
      for (const title of titles) {
        await menu.click();
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('menuitem', { name: title, exact: true }).click(),
        ]);
        const { ext } = FORMATS[title];
        assert.equal(download.suggestedFilename(), `damascus-2024-12-08${ext}`, title);
        const path = join(OUT, 'page', download.suggestedFilename());
        await download.saveAs(path);
        files[title] = path;
      }
      assert.ok(available.length >= 5, `formats in the menu: ${titles.join(', ')}`);

      // The command-line tool, from the native export, writes the same bytes.
      const native = files['Marginalia JSON'];
      for (const title of titles) {
        const { key } = FORMATS[title];
        if (key === 'native') continue;
        const dir = join(OUT, 'cli', key);
        execFileSync(CLI, ['convert', '--to', key, native, '-o', dir], { stdio: 'pipe' });
        const cli = await readFile(join(dir, `damascus-2024-12-08${FORMATS[title].ext}`));
        const fromPage = await readFile(files[title]);
        assert.ok(cli.equals(fromPage), `${title}: the page's download and the CLI's file are the same bytes`);
      }
    } finally {
      await a.close();
    }

    // Each importable file into a fresh profile: the same spans come back.
    for (const [title, path] of Object.entries(files)) {
      if (!FORMATS[title].imports) continue;
      const b = await launch();
      try {
        const { page } = b;
        await openApp(page, server.url);
        await page.getByLabel('Import', { exact: true }).setInputFiles(path);
        await page.waitForSelector('html[data-annotations="6"]');
        const back = await paintedAnnotations(page);
        assert.deepEqual(spans(back), spans(painted), `${title}: the annotations match`);
        // The speaker link survives every format that can carry one.
        assert.match(await page.locator('.overview').innerText(), /said by\s+Rebel forces/, `${title}: speaker`);
        assert.deepEqual(b.errors, []);
      } finally {
        await b.close();
      }
    }
  });
});
