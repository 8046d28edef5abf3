//! `marginalia convert --to` of several documents (one corpus file, `project<ending>`, or a file
//! each with `--each`), project files in and out, and `validate` of project files: run as a
//! person runs it, the built binary over the golden native files.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Output;

use marginalia_core::formats::{corpus, native, Bundle, Format};

mod common;
use common::{names, run};

fn dir(name: &str) -> PathBuf {
    common::dir("project", name)
}

/// The golden native files, and their bundles.
fn samples() -> (Vec<String>, Vec<Bundle>) {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/golden/native");
    let paths: Vec<String> = ["damascus.marginalia.json", "hard-text.marginalia.json"]
        .iter()
        .map(|n| golden.join(n).to_str().unwrap().to_string())
        .collect();
    let bundles = paths
        .iter()
        .map(|p| {
            native::import(&std::fs::read_to_string(p).unwrap())
                .unwrap()
                .bundle
        })
        .collect();
    (paths, bundles)
}

fn convert(args: &[&str], inputs: &[String], out: &Path) -> Output {
    let mut all: Vec<&str> = vec!["convert"];
    all.extend(args);
    all.extend(inputs.iter().map(String::as_str));
    all.extend(["-o", out.to_str().unwrap()]);
    run(&all)
}

#[test]
fn several_documents_make_one_corpus_file_in_every_format() {
    let (inputs, bundles) = samples();
    for &f in Format::ALL {
        let out = dir(&format!("corpus-{}", f.key()));
        let run = convert(&["--to", f.key()], &inputs, &out);
        assert!(run.status.success(), "{}: {:?}", f.key(), run);
        assert_eq!(names(&out), [f.corpus_file_name()], "{}", f.key());
        let written = std::fs::read(out.join(f.corpus_file_name())).unwrap();
        assert!(
            written == corpus::export(f, &bundles).unwrap(),
            "{}: the bytes formats::corpus::export writes",
            f.key()
        );
    }
}

#[test]
fn each_or_one_document_is_a_file_per_document_as_before() {
    let (inputs, bundles) = samples();
    let out = dir("each");
    let run = convert(&["--to", "spacy", "--each"], &inputs, &out);
    assert!(run.status.success(), "{run:?}");
    assert_eq!(
        names(&out),
        ["damascus-2024-12-08.spacy.jsonl", "hard-text.spacy.jsonl"]
    );
    for b in &bundles {
        let file = out.join(Format::Spacy.file_name(&b.document.id));
        assert!(std::fs::read(file).unwrap() == Format::Spacy.export(b));
    }
    let out = dir("one");
    let run = convert(&["--to", "brat"], &inputs[1..], &out);
    assert!(run.status.success(), "{run:?}");
    assert_eq!(names(&out), ["hard-text.brat.zip"]);
}

#[test]
fn a_project_file_goes_out_and_comes_back_document_by_document() {
    let (inputs, _) = samples();
    let out = dir("native");
    let run = convert(&["--to", "native"], &inputs, &out);
    assert!(run.status.success(), "{run:?}");
    let project = out.join("project.marginalia.json");
    assert_eq!(names(&out), ["project.marginalia.json"]);
    // validate reads every document of it.
    let v = run_validate(&[project.to_str().unwrap()]);
    assert!(v.status.success(), "{v:?}");
    let said = String::from_utf8_lossy(&v.stderr);
    assert!(said.contains("ok, 2 documents, 9 annotations"), "{said}");
    // --from native writes each document's own file, byte for byte the golden one.
    let back = dir("native-back");
    let run = convert(
        &["--from", "native"],
        &[project.to_str().unwrap().to_string()],
        &back,
    );
    assert!(run.status.success(), "{run:?}");
    assert_eq!(
        names(&back),
        [
            "damascus-2024-12-08.marginalia.json",
            "hard-text.marginalia.json"
        ]
    );
    let golden = Path::new(&inputs[1]);
    assert_eq!(
        std::fs::read(back.join("hard-text.marginalia.json")).unwrap(),
        std::fs::read(golden).unwrap()
    );
    // A project file and a document file given together are the documents of both.
    let mixed = dir("mixed");
    let other = mixed.join("notes.marginalia.json");
    let text = std::fs::read_to_string(&inputs[1])
        .unwrap()
        .replace("\"id\": \"hard-text\"", "\"id\": \"notes\"");
    std::fs::write(&other, text).unwrap();
    let run = convert(
        &["--to", "doccano"],
        &[
            project.to_str().unwrap().to_string(),
            other.to_str().unwrap().to_string(),
        ],
        &mixed,
    );
    assert!(run.status.success(), "{run:?}");
    let lines = std::fs::read_to_string(mixed.join("project.doccano.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 3);
}

fn run_validate(files: &[&str]) -> Output {
    let mut args = vec!["validate"];
    args.extend(files);
    run(&args)
}

#[test]
fn documents_of_one_id_are_not_one_corpus() {
    let (inputs, _) = samples();
    let out = dir("clash");
    let twice = [inputs[0].clone(), inputs[0].clone()];
    let run = convert(&["--to", "w3c"], &twice, &out);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "project.w3c.jsonld: not written: Documents 1 and 2 both have the id \
             “damascus-2024-12-08”"
        ),
        "{stdout}"
    );
    assert!(names(&out).is_empty());
}

#[test]
fn validate_names_each_bad_document_of_a_project() {
    let (inputs, _) = samples();
    let d = dir("validate");
    let run = convert(&["--to", "native"], &inputs, &d);
    assert!(run.status.success());
    let good = std::fs::read_to_string(d.join("project.marginalia.json")).unwrap();
    let sha = marginalia_core::formats::sha256_hex(
        native::import(&std::fs::read_to_string(&inputs[1]).unwrap())
            .unwrap()
            .bundle
            .document
            .text(),
    );
    let broken = good
        .replacen(
            "\"text\": \"Hayat Tahrir al-Sham\"",
            "\"text\": \"not the text\"",
            1,
        )
        .replacen(&sha, &"0".repeat(64), 1);
    let bad = d.join("bad.marginalia.json");
    std::fs::write(&bad, broken).unwrap();
    let run = run_validate(&[bad.to_str().unwrap(), inputs[1].as_str()]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].contains("bad.marginalia.json: document 2: document.sha256 does not match"),
        "{stdout}"
    );
    assert!(
        lines[1].contains("bad.marginalia.json: damascus-2024-12-08: annotation 1 (e1): its text"),
        "{stdout}"
    );
    // The good file given beside it is still said to be good.
    let said = String::from_utf8_lossy(&run.stderr);
    assert!(
        said.contains("hard-text.marginalia.json: ok, 4 annotations"),
        "{said}"
    );
}
