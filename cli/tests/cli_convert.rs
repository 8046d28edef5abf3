//! `marginalia convert --from`, run as a person runs it: the built binary over a corpus file of
//! a document a line, its output files read back with the native reader.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::Command;

use marginalia_core::formats::native;

mod common;
use common::{names, run};

fn dir(name: &str) -> PathBuf {
    common::dir("convert", name)
}

#[test]
fn a_corpus_becomes_one_native_file_per_document() {
    let d = dir("corpus");
    let file = d.join("headlines.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"text": "Apple buys a start-up", "spans": [{"start": 0, "end": 5, "label": "ORG"}], "answer": "accept"}"#,
            "\n",
            r#"{"text": "Nothing here", "spans": [], "answer": "accept", "meta": {"id": "n2"}}"#,
            "\n",
            r#"{"text": "Skipped", "answer": "ignore"}"#,
            "\n",
            "{\"text\": \"broken\n",
        ),
    )
    .unwrap();
    let out = d.join("out");
    let run = run(&[
        "convert",
        "--from",
        "spacy",
        file.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    // The refused line is named, and the run fails so that a pipeline notices; the others
    // are written all the same, the ignored task too, with its status.
    assert_eq!(run.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("headlines.jsonl: line 4: it is not JSON"),
        "{stdout}"
    );
    assert_eq!(
        names(&out),
        [
            "headlines-1.marginalia.json",
            "headlines-3.marginalia.json",
            "n2.marginalia.json"
        ]
    );
    let third =
        native::import(&std::fs::read_to_string(out.join("headlines-3.marginalia.json")).unwrap())
            .unwrap();
    assert_eq!(third.bundle.status, marginalia_core::model::Status::Ignored);
    let first =
        native::import(&std::fs::read_to_string(out.join("headlines-1.marginalia.json")).unwrap())
            .unwrap();
    assert_eq!(first.bundle.document.text(), "Apple buys a start-up");
    assert_eq!(first.bundle.document.title, "Apple buys a start-up");
    assert_eq!(first.bundle.annotations.len(), 1);
    // What it wrote is valid.
    let validate = Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .arg("validate")
        .args(names(&out).iter().map(|n| out.join(n)))
        .output()
        .unwrap();
    assert!(
        validate.status.success(),
        "{}",
        String::from_utf8_lossy(&validate.stdout)
    );
}

#[test]
fn two_documents_of_one_id_are_not_written_over_each_other() {
    let d = dir("clash");
    let line = r#"{"text": "Same id", "label": [], "meta": {"id": "x"}}"#;
    for name in ["a.jsonl", "b.jsonl"] {
        std::fs::write(d.join(name), line).unwrap();
    }
    let out = d.join("out");
    let (a, b) = (d.join("a.jsonl"), d.join("b.jsonl"));
    let run = run(&[
        "convert",
        "--from",
        "doccano",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("x.marginalia.json was written from"),
        "{stdout}"
    );
    assert_eq!(names(&out), ["x.marginalia.json"]);
}

#[test]
fn brat_files_given_loose_are_read_as_pairs() {
    let d = dir("loose");
    std::fs::write(d.join("a.txt"), "Apple buys Intel.").unwrap();
    std::fs::write(
        d.join("a.ann"),
        "T1\tORG 0 5\tApple\nT2\tORG 11 16\tIntel\n",
    )
    .unwrap();
    std::fs::write(d.join("b.txt"), "Paris is big.").unwrap();
    std::fs::write(d.join("b.ann"), "T1\tGPE 0 5\tParis\n").unwrap();
    std::fs::write(d.join("lonely.ann"), "T1\tORG 0 5\tApple\n").unwrap();
    let out = d.join("out");
    let paths: Vec<String> = ["a.txt", "a.ann", "b.txt", "b.ann", "lonely.ann"]
        .iter()
        .map(|n| d.join(n).to_str().unwrap().to_string())
        .collect();
    let mut args = vec!["convert", "--from", "brat"];
    args.extend(paths.iter().map(String::as_str));
    args.extend(["-o", out.to_str().unwrap()]);
    let run = run(&args);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("file lonely.ann: it has no partner"),
        "{stdout}"
    );
    assert_eq!(names(&out), ["a.marginalia.json", "b.marginalia.json"]);
    let a =
        native::import(&std::fs::read_to_string(out.join("a.marginalia.json")).unwrap()).unwrap();
    assert_eq!(a.bundle.annotations.len(), 2);
}

/// A W3C file without its text (as Recogito writes it) is anchored onto `--onto`, a plain
/// text: a drifted quote too; one not in the text is printed, and the rest are written.
#[test]
fn a_w3c_file_without_its_text_is_anchored_onto_the_document_given() {
    let d = dir("onto");
    let text = "Rebels entered Damascus at dawn. President Bashar al-Assad fled.";
    std::fs::write(d.join("article.txt"), text).unwrap();
    let quote = |id: &str, exact: &str, prefix: &str, tag: &str| {
        format!(
            r#"{{"@context": "http://www.w3.org/ns/anno.jsonld", "id": "{id}", "type": "Annotation",
              "body": [{{"type": "TextualBody", "purpose": "tagging", "value": "{tag}"}}],
              "target": {{"selector": [{{"type": "TextQuoteSelector", "exact": "{exact}", "prefix": "{prefix}"}}]}}}}"#
        )
    };
    let link = r##"{"@context": "http://www.w3.org/ns/anno.jsonld", "id": "#l1", "type": "Annotation",
        "motivation": "linking", "target": ["#a2", "#a1"],
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": "fledFrom"}]}"##;
    let (a1, a2) = (
        quote("#a1", "Damascus", "entered ", "GPE"),
        quote("#a2", "Bashar al-Asad", "President ", "PERSON"),
    );
    let a3 = quote("#a3", "Moscow was quiet", "", "GPE");
    let onto = d.join("article.txt");
    let convert = |name: &str, file: String, out: &std::path::Path| {
        let w3c = d.join(name);
        std::fs::write(&w3c, file).unwrap();
        let (w3c, onto, out) = (
            w3c.to_str().unwrap(),
            onto.to_str().unwrap(),
            out.to_str().unwrap(),
        );
        run(&["convert", "--from", "w3c", w3c, "--onto", onto, "-o", out])
    };
    // One quote not in the text: printed by its id; the document is not written (the
    // command line writes no document with problems).
    let out = d.join("out-1");
    let first = convert(
        "three.w3c.json",
        format!("[{a1}, {a2}, {a3}, {link}]"),
        &out,
    );
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("annotation 3 (#a3)"), "{stdout}");
    assert_eq!(first.status.code(), Some(1));
    // The two that anchor (one has drifted) and their relation are written.
    let out = d.join("out-2");
    let second = convert("two.w3c.json", format!("[{a1}, {a2}, {link}]"), &out);
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert_eq!(names(&out), ["article.marginalia.json"], "{stdout}");
    let got =
        native::import(&std::fs::read_to_string(out.join("article.marginalia.json")).unwrap())
            .unwrap();
    let b = &got.bundle;
    let texts: Vec<&str> = b
        .annotations
        .iter()
        .map(|a| b.document.slice(a.span))
        .collect();
    assert_eq!(texts, ["Damascus", "Bashar al-Assad"]);
    let rel = &b.annotations[1].extra().relations;
    assert_eq!(rel.len(), 1);
    assert_eq!(
        (rel[0].kind.as_str(), rel[0].target.as_str()),
        ("fledFrom", b.annotations[0].id.as_str())
    );
    // Without --onto, the file is refused with the reason.
    let w3c = d.join("two.w3c.json");
    let w3c = w3c.to_str().unwrap();
    let third = run(&["convert", "--from", "w3c", w3c, "-o", out.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&third.stdout).contains("does not include"));
}

#[test]
fn a_conll_corpus_becomes_a_native_file_per_document() {
    let d = dir("conll");
    let file = d.join("news.iob");
    std::fs::write(
        &file,
        "-DOCSTART- -X- -X- O\n\nU.N.\tI-ORG\nofficial\tO\nEkeus\tI-PER\n\n\
         -DOCSTART- -X- -X- O\n\nParis\tB-GPE\nis\tO\nbig\tO\n",
    )
    .unwrap();
    let out = d.join("out");
    let run = run(&[
        "convert",
        "--from",
        "conll",
        file.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stdout}{stderr}");
    // How the file was read is said on stderr, with its scheme.
    assert!(stderr.contains("Read as CoNLL with IOB1 tags"), "{stderr}");
    assert_eq!(
        names(&out),
        ["news-1.marginalia.json", "news-2.marginalia.json"]
    );
    let first =
        native::import(&std::fs::read_to_string(out.join("news-1.marginalia.json")).unwrap())
            .unwrap()
            .bundle;
    assert_eq!(first.document.text(), "U.N. official Ekeus");
    let spans: Vec<(&str, &str)> = first
        .annotations
        .iter()
        .map(|a| (first.document.slice(a.span), a.body.label().unwrap()))
        .collect();
    assert_eq!(spans, [("U.N.", "ORG"), ("Ekeus", "PER")]);
    // And back to CoNLL: IOB2, the same entities (the export's word segmentation cuts "U.N."
    // at its last full stop).
    let back = d.join("back");
    let run2 = run_to_conll(&out.join("news-1.marginalia.json"), &back);
    assert!(run2, "convert --to conll");
    let conll = std::fs::read_to_string(back.join("news-1.conll")).unwrap();
    assert!(
        conll.ends_with("U.N _ _ B-ORG\n. _ _ I-ORG\nofficial _ _ O\nEkeus _ _ B-PER\n\n"),
        "{conll}"
    );
}

fn run_to_conll(file: &std::path::Path, out: &std::path::Path) -> bool {
    run(&[
        "convert",
        "--to",
        "conll",
        file.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ])
    .status
    .success()
}
