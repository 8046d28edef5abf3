//! `marginalia agree`, run as a person runs it: native files made here, matched by their text.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use marginalia_core::formats::{native, project, Bundle};
use marginalia_core::model::{Annotation, Body, Document, Labels, Span, Timestamp};

const TEXT: &str = "Anna Berg met Carl Dahl in Eskilstuna.";

fn entity(id: &str, start: usize, end: usize, label: &str) -> Annotation {
    Annotation {
        id: id.into(),
        span: Span::new(start, end),
        body: Body::Entity {
            label: label.into(),
        },
        note: String::new(),
        created: Timestamp(0),
        updated: Timestamp(0),
        extra: None,
    }
}

fn bundle(id: &str, text: &str, annotator: &str, annotations: Vec<Annotation>) -> Bundle {
    Bundle {
        document: Document::new(id, id, text),
        labels: Labels::default(),
        annotator: annotator.into(),
        annotations,
        status: Default::default(),
    }
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn two_annotators_in_a_document_file_and_a_project_file() {
    let d = common::dir("agree", "two");
    let a = bundle(
        "doc",
        TEXT,
        "ann",
        vec![entity("a1", 0, 9, "PERSON"), entity("a2", 14, 23, "PERSON")],
    );
    // The same text under another id, in a project file with a document only bob annotated.
    let b = bundle(
        "other-id",
        TEXT,
        "bob",
        vec![entity("b1", 0, 9, "PERSON"), entity("b2", 19, 23, "PERSON")],
    );
    let lone = bundle("lone", "Nobody else read this.", "bob", vec![]);
    let fa = d.join("ann.marginalia.json");
    let fb = d.join("bob.marginalia.json");
    std::fs::write(&fa, native::export(&a)).unwrap();
    std::fs::write(&fb, project::export(&[b, lone])).unwrap();
    let (fa, fb) = (fa.to_str().unwrap(), fb.to_str().unwrap());

    let out = common::run(&["agree", "--json", fa, fb]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a document with one annotator is left out"
    );
    assert!(stderr(&out).contains("“lone”"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("annotated by bob only"),
        "{}",
        stderr(&out)
    );
    // The report as model::agreement serialises it (its fields are checked there).
    let json = stdout(&out);
    assert!(
        json.starts_with(
            "{\n  \"annotators\": [\n    \"ann\",\n    \"bob\"\n  ],\n  \"span_f1_exact\": 0.5,"
        ),
        "{json}"
    );
    assert_eq!(
        json.matches("\"sha256\":").count(),
        1,
        "one document compared"
    );

    let out = common::run(&["agree", fa, fb]);
    let table = stdout(&out);
    assert!(
        table.contains("2 annotators (ann, bob), 1 document compared"),
        "{table}"
    );
    assert!(table.contains("entity:PERSON"), "{table}");

    let out = common::run(&["agree", "--csv", fa, fb]);
    let csv = stdout(&out);
    assert!(
        csv.starts_with("document,scope,a,b,figure,value,units\n"),
        "{csv}"
    );
    assert!(csv.contains("\n,all,,,exact_f1,0.5,4\n"), "{csv}");
}

#[test]
fn files_of_different_documents_are_listed() {
    let d = common::dir("agree", "apart");
    let fa = d.join("a.marginalia.json");
    let fb = d.join("b.marginalia.json");
    std::fs::write(&fa, native::export(&bundle("x", TEXT, "ann", vec![]))).unwrap();
    std::fs::write(
        &fb,
        native::export(&bundle("y", "Another text.", "bob", vec![])),
    )
    .unwrap();
    let out = common::run(&["agree", fa.to_str().unwrap(), fb.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("“x”") && err.contains("“y”"), "{err}");
    assert!(
        err.contains("no document is annotated by two annotators"),
        "{err}"
    );
    // The same annotator twice on one text.
    std::fs::write(&fb, native::export(&bundle("y", TEXT, "ann", vec![]))).unwrap();
    let out = common::run(&["agree", fa.to_str().unwrap(), fb.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("annotated by ann in both"),
        "{}",
        stderr(&out)
    );
}
