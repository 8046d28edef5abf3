//! `marginalia tag-all`, run as a person runs it: the built binary over native files made here,
//! its output files read back with the native reader.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use marginalia_core::formats::{native, Bundle};
use marginalia_core::model::{Annotation, Body, Document, Labels, Span, Timestamp};

const TEXT: &str = "Damascus fell. In Damascus, damascus and Damascene; DAMASCUS.\n\n\
                    Bashar al-Assad fled Damascus. Assad’s rule is over: Assad is gone, Assad. \
                    Damascus’s streets.";

/// A fresh directory for one test.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("marginalia-tag-all-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The code-point span of the `nth` (from 0) occurrence of `needle` in TEXT.
fn nth(needle: &str, n: usize) -> Span {
    let (byte, _) = TEXT.match_indices(needle).nth(n).expect("needle in text");
    let start = TEXT[..byte].chars().count();
    Span::new(start, start + needle.chars().count())
}

fn entity(id: &str, span: Span, label: &str) -> Annotation {
    Annotation {
        id: id.into(),
        span,
        body: Body::Entity {
            label: label.into(),
        },
        note: "kept".into(),
        created: Timestamp(1_733_635_800_000),
        updated: Timestamp(1_733_635_800_000),
        extra: None,
    }
}

/// Writes a native file of TEXT with `annotations` into `dir`, as the page exports it.
fn native_file(dir: &Path, name: &str, annotations: Vec<Annotation>) -> PathBuf {
    let bundle = Bundle {
        document: Document::new(name, "Damascus", TEXT),
        labels: Labels::default(),
        annotator: "test".into(),
        annotations,
        status: Default::default(),
    };
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, native::export(&bundle)).unwrap();
    path
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .arg("tag-all")
        .args(args)
        .output()
        .expect("the binary runs")
}

/// The (text, label) of each entity in a native file, in order, after checking that it reads
/// whole and is what `native::export` writes.
fn entities(path: &Path) -> Vec<(String, String)> {
    let data = std::fs::read_to_string(path).unwrap();
    let imported = native::import(&data).unwrap();
    assert!(imported.problems.is_empty(), "{:?}", imported.problems);
    assert_eq!(
        native::export(&imported.bundle),
        data,
        "written by native::export"
    );
    let doc = &imported.bundle.document;
    imported
        .bundle
        .annotations
        .iter()
        .filter_map(|a| Some((doc.slice(a.span).to_string(), a.body.label()?.to_string())))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(t, l)| (t.to_string(), l.to_string()))
        .collect()
}

#[test]
fn tags_a_text_everywhere_as_whole_words() {
    let d = dir("text");
    let file = native_file(&d, "doc", vec![]);
    let out = d.join("out");
    let o = run(&[
        "--text",
        "Damascus",
        "--label",
        "GPE",
        file.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let written = out.join("doc.marginalia.json");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!(
            "{}: tagged 3 more -> {}\n",
            file.display(),
            written.display()
        )
    );
    let damascus = ("Damascus", "GPE");
    assert_eq!(entities(&written), pairs(&[damascus, damascus, damascus]));

    // Ignoring case, the other spellings too, not "Damascene"; the three tagged stay.
    let o = run(&[
        "--text",
        "damascus",
        "--label",
        "GPE",
        "--ignore-case",
        written.to_str().unwrap(),
        "--in-place",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("tagged 2 more"));
    let got = entities(&written);
    assert_eq!(got.len(), 5);
    assert!(got.iter().all(|(_, l)| l == "GPE"));
    let texts: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        texts,
        ["Damascus", "Damascus", "damascus", "DAMASCUS", "Damascus"]
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn propagates_every_entity_and_skips_a_text_with_two_types() {
    let d = dir("propagate");
    let file = native_file(
        &d,
        "doc",
        vec![
            entity("e1", nth("Damascus", 0), "GPE"),
            entity("e2", nth("Assad", 2), "PERSON"),
            entity("e3", nth("Assad", 3), "ORG"),
            entity("e4", nth("Bashar al-Assad", 0), "PERSON"),
        ],
    );
    let o = run(&[file.to_str().unwrap(), "--in-place"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("Tag 2 more “Damascus” GPE"), "{stderr}");
    assert!(
        stderr.contains("“Assad” is tagged PERSON and ORG: skipped"),
        "{stderr}"
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!("{}: tagged 2 more -> {}\n", file.display(), file.display())
    );
    let got = entities(&file);
    let (gpe, person, org) = (("Damascus", "GPE"), ("Assad", "PERSON"), ("Assad", "ORG"));
    assert_eq!(
        got,
        pairs(&[gpe, gpe, ("Bashar al-Assad", "PERSON"), gpe, person, org])
    );
    // What was there keeps its note; what is new has none.
    let data = std::fs::read_to_string(&file).unwrap();
    let anns = native::import(&data).unwrap().bundle.annotations;
    assert_eq!(anns.iter().filter(|a| a.note == "kept").count(), 4);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn bad_input_writes_nothing_and_says_why() {
    let d = dir("bad");
    let good = native_file(&d, "good", vec![]);
    let before = std::fs::read(&good).unwrap();
    let missing = d.join("missing.json");
    let not_native = d.join("notes.json");
    std::fs::write(&not_native, "{\"a\": 1}").unwrap();
    let cases: &[(&[&str], u8, &str)] = &[
        (
            &["--text", "Damascus", "--label", "WEAPON"],
            1,
            "“WEAPON” is not one of the entity types of this project.",
        ),
        (
            &["--text", "Damascus", "--label", "GPE", "MISSING"],
            1,
            "missing.json: ",
        ),
        (&["NOTNATIVE"], 1, "not a Marginalia file"),
        (&["--text", "Damascus"], 2, "--text and --label go together"),
        (&["-o"], 2, "-o needs a directory"),
        (&["--frobnicate"], 2, "unknown option --frobnicate"),
    ];
    for (args, code, message) in cases {
        let mut all: Vec<String> = args
            .iter()
            .map(|a| match *a {
                "MISSING" => missing.display().to_string(),
                "NOTNATIVE" => not_native.display().to_string(),
                a => a.to_string(),
            })
            .collect();
        if *code == 1 {
            all.push(good.display().to_string());
            all.push("--in-place".into());
        }
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let o = run(&all);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(i32::from(*code)),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert_eq!(std::fs::read(&good).unwrap(), before, "{args:?} wrote");
    }
    let o = run(&[good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("needs -o DIR or --in-place"));
    std::fs::remove_dir_all(&d).unwrap();
}
