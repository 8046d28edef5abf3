//! Label Studio's import and export against real files: the three Label Studio files of
//! `../shared/corpora/thirdparty/label-studio/` with what MANIFEST.md expects of them, the six
//! brat pairs' relations and attributes carried through a Label Studio file, and the
//! open-schema golden file's. Corpus parts are skipped, with one line saying so, where
//! `../shared/` is absent.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use marginalia_core::formats::{brat, label_studio, native, Bundle};
use marginalia_core::model::annotation::Value;
use marginalia_core::model::Span;

mod common;

fn read(dir: &Path, name: &str) -> native::Imported {
    let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    label_studio::import_bytes(&bytes, name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn spans(b: &Bundle) -> Vec<(usize, usize, String, String)> {
    b.annotations
        .iter()
        .map(|a| {
            (
                a.span.start,
                a.span.end,
                b.document.slice(a.span).to_string(),
                a.body.label().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn span(s: usize, e: usize, text: &str, label: &str) -> (usize, usize, String, String) {
    (s, e, text.to_string(), label.to_string())
}

#[test]
fn the_label_studio_files_give_what_the_manifest_expects() {
    let Some(dir) = common::thirdparty("label-studio", "Label Studio corpus") else {
        return;
    };
    // One span, Date "February 22", which matches the text: nothing to say.
    let got = read(&dir, "lsf_named_entity_annotation.json");
    assert_eq!(spans(&got.bundle), [span(343, 354, "February 22", "Date")]);
    assert_eq!((got.problems.len(), got.notes.len()), (0, 0));
    assert!(got.bundle.labels.entity.iter().any(|l| l == "Date"));

    // The prediction (no annotations) whose text says "February 22" but whose end is 353:
    // kept at its offsets ("February 2"), not silently extended, and the mismatch said.
    let got = read(&dir, "ls_text_named_entity_tasks.json");
    assert_eq!(spans(&got.bundle), [span(343, 353, "February 2", "Date")]);
    assert_eq!(got.problems, vec![]);
    assert_eq!(
        got.notes,
        ["Result 1 (beFiQTT1cU): its text “February 22” is not the document's text at 343..353; it is imported as e1 at its offsets, over “February 2”."]
    );

    // data.ner, but the result's source is $text (a key the task lacks), and its text is
    // stale: one span as written, with a note for each.
    let got = read(&dir, "lsf_rich_text_plain_annotation.json");
    assert_eq!(got.bundle.annotations.len(), 1);
    assert_eq!(got.bundle.annotations[0].span, Span::new(343, 354));
    assert_eq!(got.problems, vec![]);
    assert_eq!(got.notes.len(), 3, "{:?}", got.notes);
    assert!(got.notes[0].contains("the document is data.ner"));
    assert!(got.notes[1].contains("(\"source\": \"$text\"), which the task does not have"));
    assert!(got.notes[2].contains("its text “February 22” is not the document's text at 343..354"));
}

/// Each annotation's relations (type and target) and attributes, by annotation id.
type Carried = Vec<(String, Vec<(String, String)>, Vec<(String, Value)>)>;

fn carried(b: &Bundle) -> Carried {
    b.annotations
        .iter()
        .map(|a| {
            let e = a.extra();
            (
                a.id.clone(),
                e.relations
                    .iter()
                    .map(|r| (r.kind.clone(), r.target.clone()))
                    .collect(),
                e.attributes.clone(),
            )
        })
        .collect()
}

fn through_label_studio(b: &Bundle, what: &str) -> Bundle {
    let back = label_studio::import(&label_studio::export(b), "x.json").unwrap();
    assert_eq!(back.problems, vec![], "{what}");
    assert_eq!(back.notes, Vec::<String>::new(), "{what}");
    back.bundle
}

#[test]
fn the_brat_pairs_relations_and_attributes_survive_label_studio() {
    let Some(dir) = common::thirdparty("brat", "brat through Label Studio") else {
        return;
    };
    let (mut relations, mut attributes) = (0, 0);
    for pair in common::BRAT_PAIRS {
        let txt = std::fs::read_to_string(dir.join(format!("{pair}.txt"))).unwrap();
        let ann = std::fs::read_to_string(dir.join(format!("{pair}.ann"))).unwrap();
        let b = brat::import_text(pair, &txt, &ann).unwrap().bundle;
        let back = through_label_studio(&b, pair);
        assert_eq!(carried(&back), carried(&b), "{pair}");
        assert_eq!(spans(&back), spans(&b), "{pair}");
        for (_, r, a) in carried(&back) {
            relations += r.len();
            attributes += a.len();
        }
    }
    // MANIFEST.md: 79 relations; 236 attributes, of which 2 on relations and 1 on an event
    // (which Label Studio cannot hold; the rest are on spans).
    assert_eq!((relations, attributes), (79, 233));
}

#[test]
fn the_open_schema_golden_keeps_its_relations_and_attributes() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/open-schema/open-schema.marginalia.json");
    let b = native::import(&std::fs::read_to_string(path).unwrap())
        .unwrap()
        .bundle;
    let back = through_label_studio(&b, "open-schema");
    assert_eq!(carried(&back), carried(&b));
    let n: usize = carried(&b).iter().map(|(_, r, a)| r.len() + a.len()).sum();
    assert_eq!(
        n, 6,
        "the golden file holds relations and attributes to check"
    );
    // And once more: what came back goes through unchanged.
    assert_eq!(through_label_studio(&back, "again"), back);
}
