// Every real file of ../shared/corpora/thirdparty (written by doccano, Label Studio, brat,
// Prodigy, W3C annotators and CoNLL tools) imported through the page as a person imports it:
// Import, whatever question it asks answered with its first button, and then the documents
// and annotations it gave counted, against what that folder's MANIFEST.md expects. A file
// that comes without its text is anchored onto the open article, where none of its quotes is:
// each is reported, none dropped unseen.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, launch, openApp, serveDist } from './harness.mjs';

const THIRDPARTY = join(ROOT, '..', 'shared', 'corpora', 'thirdparty');

// file (or files picked together) → what the page ends with: documents and annotations, and
// what its question (if any) must say.
const CASES = [
  ['doccano/export_sequence_labeling.jsonl', { docs: 3, anns: 4 }],
  ['doccano/import_tests_sequence_labeling.jsonl', { docs: 2, anns: 1, said: /line 3/ }],
  ['doccano/import_tests_overlapping.jsonl', { docs: 1, anns: 1 }],
  ['doccano/import_tests_relation_extraction.jsonl', { docs: 1, anns: 4 }],
  ['doccano/frontend_download_sequence_labeling.jsonl', { docs: 3, anns: 3 }],
  ['label-studio/lsf_named_entity_annotation.json', { docs: 1, anns: 1 }],
  ['label-studio/ls_text_named_entity_tasks.json', { docs: 1, anns: 1 }],
  ['label-studio/lsf_rich_text_plain_annotation.json', { docs: 1, anns: 1 }],
  ['prodigy/rel_component_annotations.jsonl', { docs: 149, anns: 466 }],
  ['prodigy/fashion_brands_eval.first200.jsonl', { docs: 200, anns: 85 }],
  ['prodigy/news_headlines_ner.jsonl', { docs: 373, anns: 303 }],
  [
    ['news_000-introduction', 'bio_110-note_annotation', 'TDT_wn071', 'CRAFT_16507151', 'medkit_1_example', 'medkit_doc_01'].flatMap(
      (s) => [`brat/${s}.txt`, `brat/${s}.ann`],
    ),
    { docs: 6, anns: 475 },
  ],
  ['conll/dkpro_conll2003_en-orig.conll', { docs: 1, anns: 3 }],
  ['conll/spacy_ner-token-per-line.iob', { docs: 1, anns: 7 }],
  ['conll/doccano_example.conll', { docs: 1, anns: 2 }],
  // No text of their own, and none of their quotes is in the article: all reported.
  ['w3c/recogito-js_annotations.w3c.json', { docs: 1, anns: 0, said: /“Troy” is not in the document's text/ }],
  ['w3c/text-annotator-js_annotations.w3c.json', { docs: 1, anns: 0, said: /not in the document's text/ }],
  // Its two position selectors (one inside refinedBy) have nothing else to anchor by: placed at
  // their offsets; its two quotes are not in the article; the other 39 reach no text at all.
  ['w3c/w3c-spec_collection1.json', { docs: 1, anns: 2, said: /41 of 43 annotations[\s\S]*annotation 1 \(http:\/\/example.org\/anno1\)/ }],
];

/** What the page shows after an import: a question, a new document opened, or a message. */
async function outcome(page, startDoc, tries = 600) {
  for (let i = 0; i < tries; i++) {
    const now = await page.evaluate((start) => {
      const dialog = document.querySelector('[role=alertdialog]');
      if (dialog) return { dialog: dialog.querySelector('h2')?.textContent ?? '' };
      if (document.documentElement.dataset.doc !== start) return { opened: document.documentElement.dataset.doc };
      const alert = document.querySelector('[role=alert]');
      if (alert?.textContent.trim()) return { alert: alert.textContent };
      return null;
    }, startDoc);
    if (now) return now;
    await page.waitForTimeout(100);
  }
  throw new Error('the import showed nothing');
}

describe('every third-party file through the page', { skip: !existsSync(THIRDPARTY) && 'thirdparty: ../shared/corpora/thirdparty is absent' }, () => {
  let server;
  before(async () => {
    server = await serveDist();
  });
  after(async () => {
    await server?.close();
  });

  for (const [files, want] of CASES) {
    const names = [files].flat();
    test(`${names[0]}${names.length > 1 ? ` and ${names.length - 1} more` : ''}`, async () => {
      const b = await launch();
      const { page } = b;
      try {
        await openApp(page, server.url);
        const startDoc = await page.evaluate(() => document.documentElement.dataset.doc);
        await page.getByLabel('Import', { exact: true }).setInputFiles(names.map((n) => join(THIRDPARTY, n)));
        let said = '';
        let got = await outcome(page, startDoc);
        let docs = 1;
        let anns;
        if (got.dialog && /^Import \d+ documents? from/.test(got.dialog)) {
          // A corpus: what it holds, counted before anything is stored, then stored.
          const dialog = page.getByRole('alertdialog');
          said = await dialog.innerText();
          const m = (await dialog.locator('pre').innerText()).match(/^([\d,]+) documents?\b.*?, ([\d,]+) annotations?/);
          assert.ok(m, said);
          [docs, anns] = [Number(m[1].replace(/,/g, '')), Number(m[2].replace(/,/g, ''))];
          await dialog.locator('button.primary').click();
          await page.getByRole('alertdialog', { name: /^Imported from/ }).waitFor({ timeout: 120_000 });
        } else {
          // One document: its question (problems, types new to the project) answered with its
          // first button when it has one to give, and the annotations counted where it opens.
          while (got.dialog) {
            const dialog = page.getByRole('alertdialog');
            said += await dialog.innerText();
            const primary = dialog.locator('button.primary');
            if (await primary.isDisabled()) break;
            await primary.click();
            await dialog.waitFor({ state: 'detached' });
            // Another question, or a document opened; or, imported into the open one, nothing.
            got = await outcome(page, startDoc, 30).catch(() => ({}));
            if (got.opened || got.alert) break;
          }
          if (got.alert) said += got.alert;
          anns = Number(await page.evaluate(() => document.documentElement.dataset.annotations));
        }
        if (want.said) assert.match(said, want.said);
        assert.deepEqual({ docs, anns }, { docs: want.docs, anns: want.anns }, said);
        assert.deepEqual(b.errors, []);
      } finally {
        await b.close();
      }
    });
  }
});
