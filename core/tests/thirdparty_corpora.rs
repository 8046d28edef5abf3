//! The corpus files other tools wrote (`../shared/corpora/thirdparty/`, described in its
//! MANIFEST.md) read as corpora: every document each holds, with the counts the manifest gives
//! for a faithful importer. Skipped, with one line saying so, where `../shared/` is absent.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use marginalia_core::formats::corpus::{self, Corpus};
use marginalia_core::formats::Format;

fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora/thirdparty");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("third-party corpora: ../shared/corpora/thirdparty is absent; skipped");
        None
    }
}

fn read(dir: &Path, path: &str, format: Format) -> Corpus {
    let file = dir.join(path);
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let name = file.file_name().unwrap().to_str().unwrap();
    corpus::import(format, &bytes, name).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// (documents, annotations kept, items left out, refused parts) of a file read as a corpus.
fn counts(c: &Corpus) -> (usize, usize, usize, Vec<&str>) {
    let refused = c.refused.iter().map(|r| r.place.as_str()).collect();
    (c.documents.len(), c.annotations(), c.problems(), refused)
}

#[test]
fn every_document_of_the_doccano_files_comes_in() {
    let Some(dir) = shared() else { return };
    let d = |p: &str| read(&dir, &format!("doccano/{p}"), Format::Doccano);
    // The manifest's counts: 3 documents, 4 spans.
    let c = d("export_sequence_labeling.jsonl");
    assert_eq!(counts(&c), (3, 4, 0, vec![]));
    // 2 documents and 1 span, plus 1 error for line 3 (no text), as doccano's own test has it.
    let c = d("import_tests_sequence_labeling.jsonl");
    assert_eq!(counts(&c), (2, 1, 0, vec!["line 3"]));
    assert!(c.refused[0].message.contains("no \"text\""));
    // The older export: 3 documents, 3 spans, labels named by their ids 2 and 1, with a note.
    let c = d("frontend_download_sequence_labeling.jsonl");
    assert_eq!(counts(&c), (3, 3, 0, vec![]));
    let labels: Vec<&str> = c
        .documents
        .iter()
        .flat_map(|d| d.bundle.annotations.iter().filter_map(|a| a.body.label()))
        .collect();
    assert_eq!(labels, ["2", "1", "1"]);
    assert!(c.summary().contains("numeric ids"));
    // Relations of other types than Marginalia's links are listed, the entities kept (the
    // schema issue carries them).
    let c = d("import_tests_relation_extraction.jsonl");
    assert_eq!(counts(&c), (1, 4, 3, vec![]));
}

#[test]
fn every_document_of_the_prodigy_files_comes_in() {
    let Some(dir) = shared() else { return };
    let p = |p: &str| read(&dir, &format!("prodigy/{p}"), Format::Spacy);
    // 200 documents, 85 spans (4 of them after an astral character, at code-point offsets).
    let c = p("fashion_brands_eval.first200.jsonl");
    assert_eq!(counts(&c), (200, 85, 0, vec![]));
    // 372 accepted and one "ignore" (line 337), which is named, not dropped unseen.
    let c = p("news_headlines_ner.jsonl");
    assert_eq!(counts(&c), (372, 303, 0, vec!["line 337"]));
    assert!(c.refused[0].message.contains("“ignore”"));
    // 149 documents, 466 spans; the 267 relations are listed as left out.
    let c = p("rel_component_annotations.jsonl");
    assert_eq!(counts(&c), (149, 466, 267, vec![]));
    let ids: std::collections::HashSet<&str> = c
        .documents
        .iter()
        .map(|d| d.bundle.document.id.as_str())
        .collect();
    assert_eq!(ids.len(), 149, "every document has an id of its own");
}

#[test]
fn the_page_tells_each_corpus_file_by_its_name_and_first_lines() {
    let Some(dir) = shared() else { return };
    for (path, want) in [
        ("doccano/export_sequence_labeling.jsonl", Format::Doccano),
        (
            "doccano/import_tests_sequence_labeling.jsonl",
            Format::Doccano,
        ),
        (
            "doccano/frontend_download_sequence_labeling.jsonl",
            Format::DoccanoRel,
        ),
        ("prodigy/fashion_brands_eval.first200.jsonl", Format::Spacy),
        ("prodigy/news_headlines_ner.jsonl", Format::Spacy),
        ("prodigy/rel_component_annotations.jsonl", Format::Spacy),
    ] {
        let file = dir.join(path);
        let bytes = std::fs::read(&file).unwrap();
        let name = file.file_name().unwrap().to_str().unwrap();
        assert_eq!(Format::detect(name, &bytes), Some(want), "{path}");
    }
}
