//! The corpus files other tools wrote (`../shared/corpora/thirdparty/`, described in its
//! MANIFEST.md) read as corpora: every document each holds, with the counts the manifest gives
//! for a faithful importer. Skipped, with one line saying so, where `../shared/` is absent.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use marginalia_core::formats::corpus::{self, Corpus};
use marginalia_core::formats::Format;
use marginalia_core::model::Status;

mod common;

fn shared() -> Option<PathBuf> {
    common::thirdparty("", "third-party corpora")
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
    // 4 entities and their 3 relations of any type (foundedAt, foundedBy twice), nothing left
    // out.
    let c = d("import_tests_relation_extraction.jsonl");
    assert_eq!(counts(&c), (1, 4, 0, vec![]));
    assert_eq!(
        relation_types(&c),
        [("foundedAt".to_string(), 1), ("foundedBy".to_string(), 2)]
    );
}

/// How many relations of each type the corpus's annotations hold, by type.
fn relation_types(c: &Corpus) -> Vec<(String, usize)> {
    let mut by_type = std::collections::BTreeMap::new();
    for d in &c.documents {
        for a in &d.bundle.annotations {
            for r in &a.extra().relations {
                *by_type.entry(r.kind.clone()).or_insert(0) += 1;
            }
        }
    }
    by_type.into_iter().collect()
}

#[test]
fn every_document_of_the_prodigy_files_comes_in() {
    let Some(dir) = shared() else { return };
    let p = |p: &str| read(&dir, &format!("prodigy/{p}"), Format::Spacy);
    // 200 documents, 85 spans (4 of them after an astral character, at code-point offsets),
    // all accepted: done.
    let c = p("fashion_brands_eval.first200.jsonl");
    assert_eq!(counts(&c), (200, 85, 0, vec![]));
    assert!(c.documents.iter().all(|d| d.bundle.status == Status::Done));
    // 373 records: 372 accepted (done) and one "ignore" (line 337, no spans), kept as an
    // ignored document rather than dropped; the 303 spans are all in accepted records.
    let c = p("news_headlines_ner.jsonl");
    assert_eq!(counts(&c), (373, 303, 0, vec![]));
    let status = |s| c.documents.iter().filter(|d| d.bundle.status == s).count();
    assert_eq!(status(Status::Done), 372);
    let ignored: Vec<&str> = c
        .documents
        .iter()
        .filter(|d| d.bundle.status == Status::Ignored)
        .map(|d| d.bundle.document.id.as_str())
        .collect();
    assert_eq!(ignored, ["news_headlines_ner-337"]);
    // 149 documents, 466 spans, and their 267 relations of five labels, nothing left out:
    // four are given twice (three Binds, one Pos-Reg, in three documents), kept once with a
    // note, as the schema issue merges duplicates.
    let c = p("rel_component_annotations.jsonl");
    assert_eq!(counts(&c), (149, 466, 0, vec![]));
    let by_type = relation_types(&c);
    let want = [
        ("Binds", 32),
        ("Neg-Reg", 42),
        ("No-rel", 34),
        ("Pos-Reg", 106),
        ("Reg", 49),
    ];
    let noted: Vec<&String> = c.documents.iter().flat_map(|d| &d.notes).collect();
    assert_eq!(noted.len(), 3, "{noted:?}");
    assert!(noted.iter().all(|n| n.contains("came twice")));
    let want: Vec<(String, usize)> = want.iter().map(|(k, n)| (k.to_string(), *n)).collect();
    assert_eq!(by_type, want);
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

#[test]
fn the_six_brat_pairs_zipped_together_are_read_pair_by_pair() {
    let Some(dir) = shared() else { return };
    let brat = dir.join("brat");
    let mut names: Vec<String> = std::fs::read_dir(&brat)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".txt") || n.ends_with(".ann"))
        .collect();
    marginalia_core::model::sort::sort_by(&mut names, |a, b| a.cmp(b));
    let files: Vec<(String, Vec<u8>)> = names
        .iter()
        .map(|n| (format!("corpus/{n}"), std::fs::read(brat.join(n)).unwrap()))
        .collect();
    let entries: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let zip = marginalia_core::formats::zip::write(&entries);
    let c = corpus::import(Format::Brat, &zip, "thirdparty.zip").unwrap();
    // Each pair reads as it does on its own (with nothing left out: brat_round_trip.rs), and
    // a pair that cannot be read at all would be refused by name.
    for pair in common::BRAT_PAIRS {
        let txt = std::fs::read(brat.join(format!("{pair}.txt"))).unwrap();
        let ann = std::fs::read(brat.join(format!("{pair}.ann"))).unwrap();
        let one = marginalia_core::formats::zip::write(&[
            (&format!("{pair}.txt"), txt.as_slice()),
            (&format!("{pair}.ann"), ann.as_slice()),
        ]);
        let in_corpus = c.documents.iter().find(|d| d.bundle.document.id == pair);
        let refused = c.refused.iter().find(|r| r.place == format!("pair {pair}"));
        match Format::Brat.import(&one, "x.zip") {
            Ok(alone) => {
                let doc = in_corpus.unwrap_or_else(|| panic!("{pair} is in the corpus"));
                assert_eq!(doc.bundle.annotations, alone.bundle.annotations, "{pair}");
                assert_eq!(doc.problems.len(), alone.problems.len(), "{pair}");
            }
            Err(e) => assert_eq!(
                refused.map(|r| r.message.clone()),
                Some(e.to_string()),
                "{pair}"
            ),
        }
    }
    assert_eq!(c.documents.len() + c.refused.len(), 6);
    assert!(!c.documents.is_empty());
}

#[test]
fn a_label_studio_list_of_one_task_with_a_prediction_is_one_document() {
    let Some(dir) = shared() else { return };
    let bytes = std::fs::read(dir.join("label-studio/ls_text_named_entity_tasks.json")).unwrap();
    // The manifest's offset/text disagreement: the span is kept at its offsets and said in a
    // note of the one document, not left out nor a refusal.
    let c = corpus::import(
        Format::LabelStudio,
        &bytes,
        "ls_text_named_entity_tasks.json",
    )
    .unwrap();
    assert_eq!((c.documents.len(), c.refused.len()), (1, 0));
    assert_eq!((c.annotations(), c.problems()), (1, 0));
    assert_eq!(c.documents[0].notes.len(), 1);
}
