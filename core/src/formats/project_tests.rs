//! The project file: written as a list of document files, read back document by document, bad
//! documents refused alone, and what is not a project of one to 10,000 documents refused whole.

use serde_json::{json, Value};

use super::*;
use crate::formats::spacy::tests::hard_text_bundle;
use crate::formats::testing::{bundle_of, sample_state};
use crate::formats::{corpus, Format};
use crate::model::{Document, Status};

fn two() -> Vec<Bundle> {
    vec![
        Bundle {
            status: Status::InProgress,
            ..bundle_of(&sample_state())
        },
        hard_text_bundle(),
    ]
}

fn project_json(bundles: &[Bundle]) -> Value {
    serde_json::from_str(&export(bundles)).unwrap()
}

fn read(v: &Value) -> Result<Corpus, FileError> {
    corpus::import(
        Format::Native,
        v.to_string().as_bytes(),
        "p.marginalia.json",
    )
}

#[test]
fn every_document_reads_back_as_it_was_written() {
    let bundles = two();
    let out = export(&bundles);
    assert!(out.starts_with("{\n  \"format\": \"marginalia-project\",\n  \"version\": 1,\n"));
    assert!(out.ends_with("}\n"));
    let back = corpus::import(Format::Native, out.as_bytes(), "project.marginalia.json").unwrap();
    assert!(back.refused.is_empty());
    let got: Vec<&Bundle> = back.documents.iter().map(|d| &d.bundle).collect();
    assert_eq!(got, bundles.iter().collect::<Vec<_>>());
    assert!(back.documents.iter().all(|d| d.problems.is_empty()));
    // A document file is one document, as before.
    let one = native::export(&bundles[1]);
    let back = corpus::import(Format::Native, one.as_bytes(), "x.marginalia.json").unwrap();
    assert_eq!(back, Corpus::single(native::import(&one).unwrap()));
}

#[test]
fn the_page_and_the_cli_tell_a_project_file_by_its_name_and_first_bytes() {
    let out = export(&two());
    assert!(looks_like(out.as_bytes()));
    assert!(looks_like(
        br#"{"format":"marginalia-project","documents":[]}"#
    ));
    assert!(!looks_like(native::export(&two()[0]).as_bytes()));
    assert_eq!(
        Format::detect("project.marginalia.json", out.as_bytes()),
        Some(Format::Native)
    );
    assert_eq!(
        Format::detect("download.json", out.as_bytes()),
        Some(Format::Native)
    );
    assert_eq!(
        Format::detect("any name", out.as_bytes()),
        Some(Format::Native)
    );
    // Opened as one document, it says what it is.
    let err = native::import(&out).unwrap_err().to_string();
    assert!(
        err.starts_with("This is a Marginalia project file, which holds many documents"),
        "{err}"
    );
}

#[test]
fn a_bad_document_is_refused_by_its_number_and_bad_annotations_are_its_problems() {
    let mut v = project_json(&two());
    v["documents"][0]["document"]["text"] = json!("changed");
    v["documents"][1]["annotations"][0]["text"] = json!("not the text");
    let back = read(&v).unwrap();
    assert_eq!(back.documents.len(), 1);
    assert_eq!(back.refused.len(), 1);
    assert_eq!(back.refused[0].place, "document 1");
    assert!(
        back.refused[0]
            .message
            .contains("document.sha256 does not match"),
        "{:?}",
        back.refused
    );
    let doc = &back.documents[0];
    assert_eq!(doc.bundle.document.id, "hard-text");
    assert_eq!(doc.problems.len(), 1);
    let summary = back.summary();
    assert!(
        summary.starts_with(
            "1 document, 3 annotations; 1 item left out, listed below; 1 document refused: \
             document 1 — document.sha256"
        ),
        "{summary}"
    );
    assert!(summary.contains("\nhard-text: annotation 1"), "{summary}");
    // An unknown status is one document's fault too.
    let mut v = project_json(&two());
    v["documents"][1]["status"] = json!("finished");
    let back = read(&v).unwrap();
    assert_eq!(back.refused[0].place, "document 2");
    assert!(back.refused[0].message.contains("“finished”"));
}

#[test]
fn a_repeated_id_is_renamed_with_a_note() {
    let b = hard_text_bundle();
    let v = project_json(&[b.clone(), b.clone(), b]);
    let back = read(&v).unwrap();
    let ids: Vec<&str> = back
        .documents
        .iter()
        .map(|d| d.bundle.document.id.as_str())
        .collect();
    assert_eq!(ids, ["hard-text", "hard-text-2", "hard-text-3"]);
    assert!(back.documents[0].notes.is_empty());
    assert_eq!(
        back.documents[2].notes,
        ["its id “hard-text” is an earlier document's too: it is read as “hard-text-3”."]
    );
}

#[test]
fn what_is_not_a_project_of_one_to_ten_thousand_documents_is_refused_whole() {
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"format": "marginalia-project", "version": 1, "documents": []}),
            "The project file holds no document: its \"documents\" list is empty.",
        ),
        (
            json!({"format": "marginalia-project", "version": 2, "documents": []}),
            "This is a Marginalia project file of version 2; this Marginalia reads version 1.",
        ),
        (
            json!({"format": "marginalia-project", "version": 1}),
            "The project file has no \"documents\" list.",
        ),
        (
            json!({"format": "marginalia-project", "version": 1, "documents": {}}),
            "The project file's \"documents\" must be a list, not an object.",
        ),
        (
            json!({"format": "marginalia-project", "version": 1, "documents": [1, "x"]}),
            "No document of the file gives a document (2 documents refused); document 1: This is JSON, but not a Marginalia file: it is a number",
        ),
    ];
    for (v, expected) in cases {
        let err = read(&v).unwrap_err().to_string();
        assert!(
            err.starts_with(expected),
            "{err:?} should start {expected:?}"
        );
    }
    let tiny = serde_json::from_str::<Value>(&native::export(&Bundle {
        annotations: Vec::new(),
        document: Document::new("d", "", "t"),
        ..hard_text_bundle()
    }))
    .unwrap();
    let many = json!({
        "format": "marginalia-project",
        "version": 1,
        "documents": vec![tiny; corpus::MAX_DOCUMENTS + 1],
    });
    let err = read(&many).unwrap_err().to_string();
    assert_eq!(
        err,
        "This file holds 10,001 documents, a document each; Marginalia reads at most 10,000 \
         documents from one file. Export the project in parts of at most 10,000 documents."
    );
}
