//! The CoNLL files other tools wrote (`../shared/corpora/thirdparty/conll/`, described in its
//! MANIFEST.md) read with the counts, texts and spans the manifest gives. Skipped, with one line
//! saying so, where `../shared/` is absent.
#![cfg(not(target_arch = "wasm32"))]

use marginalia_core::formats::corpus::{self, Corpus};
use marginalia_core::formats::Format;

mod common;

fn read(name: &str) -> Option<Corpus> {
    let dir = common::thirdparty("conll", "CoNLL import of the third-party files")?;
    let path = dir.join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // As the page and `convert` find it: by its name.
    assert_eq!(Format::detect(name, &bytes), Some(Format::Conll), "{name}");
    Some(corpus::import(Format::Conll, &bytes, name).unwrap_or_else(|e| panic!("{name}: {e}")))
}

/// (text, label, start, end) of every entity of the one document of `c`.
fn entities(c: &Corpus) -> Vec<(String, String, usize, usize)> {
    assert_eq!(c.documents.len(), 1);
    assert!(c.refused.is_empty());
    let d = &c.documents[0];
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    let doc = &d.bundle.document;
    d.bundle
        .annotations
        .iter()
        .map(|a| {
            (
                doc.slice(a.span).to_string(),
                a.body.label().unwrap().to_string(),
                a.span.start,
                a.span.end,
            )
        })
        .collect()
}

fn e(text: &str, label: &str, start: usize) -> (String, String, usize, usize) {
    (
        text.into(),
        label.into(),
        start,
        start + text.chars().count(),
    )
}

#[test]
fn dkpro_conll2003_iob1() {
    let Some(c) = read("dkpro_conll2003_en-orig.conll") else {
        return;
    };
    let d = &c.documents[0];
    // 1 sentence of 7 tokens.
    assert_eq!(
        d.bundle.document.text(),
        "U.N. official Ekeus heads for Baghdad ."
    );
    assert_eq!(d.bundle.document.id, "dkpro_conll2003_en-orig");
    assert_eq!(
        entities(&c),
        [
            e("U.N.", "ORG", 0),
            e("Ekeus", "PER", 14),
            e("Baghdad", "LOC", 30)
        ]
    );
    // Every entity starts with I-: IOB1, read without a note on a tag.
    assert_eq!(d.notes.len(), 1, "{:?}", d.notes);
    assert!(d.notes[0].contains("IOB1 tags (4 columns, space-separated)"));
    // PER, MISC and the others join the default types.
    assert!(d.bundle.labels.entity.ends_with(&["PER".to_string()]));
}

#[test]
fn spacy_token_per_line_iob2() {
    let Some(c) = read("spacy_ner-token-per-line.iob") else {
        return;
    };
    let d = &c.documents[0];
    let text = d.bundle.document.text();
    // 1 sentence (no sentence break at all) of 66 tokens, the curly quotes kept.
    assert!(!text.contains('\n'));
    assert_eq!(text.split(' ').count(), 66);
    assert!(text.starts_with(
        "When Sebastian Thrun started working on self - driving cars at Google in 2007 ,"
    ));
    assert!(text.contains("seriously . “ I can tell you"));
    assert!(text.contains("because I was n’t worth talking to , ” said Thrun ,"));
    assert!(text.ends_with("with Recode earlier this week ."));
    let got: Vec<(String, String)> = entities(&c)
        .into_iter()
        .map(|(t, l, s, end)| {
            assert_eq!(
                text.chars().skip(s).take(end - s).collect::<String>(),
                t,
                "code-point offsets"
            );
            (t, l)
        })
        .collect();
    let want = [
        ("Sebastian Thrun", "PERSON"),
        ("Google", "ORG"),
        ("2007", "DATE"),
        ("American", "NORP"),
        ("Thrun", "PERSON"),
        ("Recode", "ORG"),
        ("earlier this week", "DATE"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(t, l)| (t.to_string(), l.to_string()))
        .collect();
    assert_eq!(got, want);
    assert!(d.notes[0].contains("IOB2 tags (2 columns, tab-separated)"));
    assert_eq!(d.notes.len(), 1);
    // After the three curly characters, offsets still count code points.
    let (_, _, start, _) = entities(&c)[6].clone();
    assert_eq!(
        start,
        text.chars().count() - "earlier this week .".chars().count()
    );
}

#[test]
fn doccano_example_two_sentences() {
    let Some(c) = read("doccano_example.conll") else {
        return;
    };
    let d = &c.documents[0];
    // doccano reads it as "JAPAN GET" with LOC [0,5] and "Nadim Ladki" with PER [0,11], one
    // example a sentence; one document here, a sentence a line.
    assert_eq!(d.bundle.document.text(), "JAPAN GET\nNadim Ladki");
    assert_eq!(
        entities(&c),
        [e("JAPAN", "LOC", 0), e("Nadim Ladki", "PER", 10)]
    );
}

#[test]
fn the_three_files_picked_together() {
    let Some(dir) = common::thirdparty("conll", "CoNLL files picked together") else {
        return;
    };
    let files: Vec<(String, Vec<u8>)> = [
        "dkpro_conll2003_en-orig.conll",
        "spacy_ner-token-per-line.iob",
        "doccano_example.conll",
    ]
    .iter()
    .map(|n| (n.to_string(), std::fs::read(dir.join(n)).unwrap()))
    .collect();
    let c = corpus::import_files(&files).unwrap();
    assert_eq!(c.documents.len(), 3);
    assert_eq!(c.annotations(), 3 + 7 + 2);
    assert!(c.refused.is_empty() && c.problems() == 0);
}
