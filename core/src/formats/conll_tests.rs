//! CoNLL-2003 export tests: golden files, the file's shape read back line by line, and tables
//! of tokenisation, sentence and overlap cases.

use std::rc::Rc;

use super::*;
use crate::formats::native;
use crate::formats::testing::{assert_golden, bundle_of, golden_path, sample_state, T0};
use crate::model::{Body, Labels, State};

fn hard_text_bundle() -> Bundle {
    let path = golden_path("native/hard-text.marginalia.json");
    let text = std::fs::read_to_string(path).unwrap();
    native::import(&text).unwrap().bundle
}

#[test]
fn golden_export_of_the_article_and_the_hard_text() {
    assert_golden(
        "conll/damascus-2024-12-08.conll",
        &export(&bundle_of(&sample_state())),
    );
    assert_golden("conll/hard-text.conll", &export(&hard_text_bundle()));
}

/// Reads a file back the way a CoNLL reader does: sentences of (token, tag) after the header.
fn read_back(file: &str) -> Vec<Vec<(String, String)>> {
    let mut lines = file.split('\n');
    assert_eq!(lines.next(), Some(DOCSTART));
    assert_eq!(lines.next(), Some(""), "a blank line after the header");
    assert!(file.ends_with("\n\n") || file == format!("{DOCSTART}\n\n"));
    let mut sentences = Vec::new();
    let mut current = Vec::new();
    for line in lines {
        if line.is_empty() {
            if !current.is_empty() {
                sentences.push(std::mem::take(&mut current));
            }
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cols.len(), 4, "four columns in {line:?}");
        assert_eq!(line.split(' ').count(), 4, "single spaces in {line:?}");
        assert_eq!((cols[1], cols[2]), ("_", "_"));
        current.push((cols[0].to_string(), cols[3].to_string()));
    }
    assert!(
        current.is_empty(),
        "the last sentence ends with a blank line"
    );
    sentences
}

/// Entities from IOB2 tags, as (token index of start, end exclusive, label), checking that
/// every I- continues a B- or I- of the same label.
fn entities_of(tags: &[String]) -> Vec<(usize, usize, String)> {
    let mut out: Vec<(usize, usize, String)> = Vec::new();
    for (i, tag) in tags.iter().enumerate() {
        if let Some(label) = tag.strip_prefix("B-") {
            out.push((i, i + 1, label.to_string()));
        } else if let Some(label) = tag.strip_prefix("I-") {
            let last = out.last_mut().expect("I- after a B-");
            assert!(last.1 == i && last.2 == label, "I-{label} at {i} continues");
            last.1 = i + 1;
        } else {
            assert_eq!(tag, "O");
        }
    }
    out
}

/// The file's tokens are the text minus whitespace, in order, and its entities are exactly the
/// kept entities (text and label).
fn assert_faithful(bundle: &Bundle) {
    let file = export(bundle);
    let sentences = read_back(&file);
    let doc = &bundle.document;
    let tokens: Vec<&(String, String)> = sentences.iter().flatten().collect();
    let joined: String = tokens.iter().map(|(t, _)| t.as_str()).collect();
    let expected: String = doc.text().chars().filter(|c| !is_separator(*c)).collect();
    assert_eq!(joined, expected, "tokens spell the text without whitespace");
    // Entities per sentence, so that none can cross a sentence break.
    let mut found = Vec::new();
    let mut base = 0;
    for s in &sentences {
        let tags: Vec<String> = s.iter().map(|(_, t)| t.clone()).collect();
        for (a, b, label) in entities_of(&tags) {
            let text: String = s[a..b].iter().map(|(t, _)| t.as_str()).collect();
            found.push((base + a, text, label));
        }
        base += s.len();
    }
    let kept: Vec<(String, String)> = kept_entities(bundle)
        .iter()
        .map(|a| {
            let t: String = doc
                .slice(a.span)
                .chars()
                .filter(|c| !is_separator(*c))
                .collect();
            (t, a.body.label().unwrap().to_string())
        })
        .collect();
    let found_texts: Vec<(String, String)> = found.into_iter().map(|(_, t, l)| (t, l)).collect();
    assert_eq!(found_texts, kept);
}

#[test]
fn the_samples_read_back_faithfully() {
    assert_faithful(&bundle_of(&sample_state()));
    assert_faithful(&hard_text_bundle());
    // The article: quotes and claims are dropped, every entity of the sample is kept.
    let bundle = bundle_of(&sample_state());
    let entities = bundle
        .annotations
        .iter()
        .filter(|a| a.kind() == Kind::Entity)
        .count();
    assert_eq!(kept_entities(&bundle).len(), entities);
    let file = export(&bundle);
    assert!(file.contains(
        "Hayat _ _ B-ORG\nTahrir _ _ I-ORG\nal _ _ I-ORG\n- _ _ I-ORG\nSham _ _ I-ORG\n"
    ));
    assert!(!file.contains("QUOTE") && !file.contains("CLAIM"));
    assert_eq!(file, export(&bundle), "deterministic");
}

fn bundle(text: &str, entities: &[(&str, &str)]) -> Bundle {
    let doc = Document::new("t", "T", text);
    let annotations = entities
        .iter()
        .enumerate()
        .map(|(i, (needle, label))| {
            // "needle@k": the k-th occurrence (from 0).
            let (needle, nth) = match needle.split_once('@') {
                Some((n, k)) => (n, k.parse().unwrap()),
                None => (*needle, 0),
            };
            let byte = doc.text().match_indices(needle).nth(nth).expect("needle").0;
            let start = doc.text()[..byte].chars().count();
            Annotation {
                id: format!("e{}", i + 1),
                span: Span::new(start, start + needle.chars().count()),
                body: Body::Entity {
                    label: label.to_string(),
                },
                note: String::new(),
                created: T0,
                updated: T0,
                extra: None,
            }
        })
        .collect();
    Bundle {
        document: doc,
        labels: Labels::default(),
        annotator: String::new(),
        annotations,
        status: Default::default(),
    }
}

/// The file as "token/TAG" words, sentences separated by " | ".
fn compact(b: &Bundle) -> String {
    read_back(&export(b))
        .iter()
        .map(|s| {
            s.iter()
                .map(|(t, tag)| format!("{t}/{tag}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Entities as (needle, label).
type Entities<'a> = &'a [(&'a str, &'a str)];

#[test]
fn tokens_sentences_and_overlaps() {
    let cases: &[(&str, Entities, &str)] = &[
        ("", &[], ""),
        (
            "Syria's army",
            &[("Syria", "GPE")],
            "Syria/B-GPE 's/O army/O",
        ),
        (
            // An entity boundary inside a word splits it at both ends.
            "xBankx",
            &[("Bank", "ORG")],
            "x/O Bank/B-ORG x/O",
        ),
        (
            "Bank of America",
            &[("America", "GPE"), ("Bank of America", "ORG")],
            "Bank/B-ORG of/I-ORG America/I-ORG",
        ),
        (
            // Crossing: the longer wins.
            "New York City Hall",
            &[("City Hall", "FAC"), ("New York City", "GPE")],
            "New/B-GPE York/I-GPE City/I-GPE Hall/O",
        ),
        (
            // Crossing, equally long: the earlier wins.
            "a b c",
            &[("b c", "LOC"), ("a b", "ORG")],
            "a/B-ORG b/I-ORG c/O",
        ),
        (
            // Same span, two labels: the first in (start, end, id) order.
            "Paris",
            &[("Paris", "PERSON"), ("Paris", "GPE")],
            "Paris/B-PERSON",
        ),
        (
            // Adjacent entities of one label stay two entities.
            "Alice Bob",
            &[("Alice", "PERSON"), ("Bob", "PERSON")],
            "Alice/B-PERSON Bob/B-PERSON",
        ),
        (
            "Mr. Smith left. He came back.",
            &[("Mr. Smith", "PERSON")],
            "Mr/B-PERSON ./I-PERSON Smith/I-PERSON left/O ./O | He/O came/O back/O ./O",
        ),
        (
            // Without an entity there, the sentence break after "Mr." is used.
            "Mr. Smith left.",
            &[],
            "Mr/O ./O | Smith/O left/O ./O",
        ),
        (
            "One line\nstill one.\n\n\nTwo",
            &[("Two", "ORG")],
            "One/O line/O still/O one/O ./O | Two/B-ORG",
        ),
        (
            // Leading and trailing spaces in an entity's span tag no token.
            "say  Smith  now",
            &[("  Smith  ", "PERSON")],
            "say/O Smith/B-PERSON now/O",
        ),
        (
            // No-break space, CR LF, and the C0 separators Python splits on.
            "a\u{a0}b\r\nc\u{1f}d",
            &[("b\r\nc", "ORG")],
            "a/O b/B-ORG c/I-ORG d/O",
        ),
        (
            "“😀” 👨‍👩‍👧 re\u{301}sume\u{301}",
            &[("😀", "ORG"), ("👨‍👩‍👧", "PERSON")],
            "“/O 😀/B-ORG ”/O 👨‍👩‍👧/B-PERSON re\u{301}sume\u{301}/O",
        ),
        (
            "12/8/2024, al-Assad",
            &[("Assad", "PERSON"), ("8/2024", "DATE")],
            "12/O //O 8/B-DATE //I-DATE 2024/I-DATE ,/O al/O -/O Assad/B-PERSON",
        ),
    ];
    for (text, entities, expected) in cases {
        let b = bundle(text, entities);
        assert_eq!(&compact(&b), expected, "{text:?}");
        assert_faithful(&b);
    }
}

#[test]
fn an_empty_document_is_only_the_header() {
    assert_eq!(export(&bundle("", &[])), format!("{DOCSTART}\n\n"));
    assert_eq!(export(&bundle("  \n\n ", &[])), format!("{DOCSTART}\n\n"));
}

#[test]
fn kept_entities_follow_the_documented_order() {
    // Nested three deep and a crossing pair: the outermost and the longer are kept.
    let b = bundle(
        "the Bank of New York Mellon board and New York City Hall",
        &[
            ("New York", "GPE"),
            ("Bank of New York Mellon", "ORG"),
            ("York", "GPE"),
            ("New York@1", "GPE"),
            ("City Hall", "FAC"),
            ("New York City", "GPE"),
        ],
    );
    let kept: Vec<&str> = kept_entities(&b)
        .iter()
        .map(|a| b.document.slice(a.span))
        .collect();
    assert_eq!(kept, ["Bank of New York Mellon", "New York City"]);
}

#[test]
fn a_state_made_by_the_reducer_exports_faithfully() {
    // Overlapping entities the reducer allows, over the hard text's kinds of characters.
    let text = "The “Baath Party” ruled 😀 for 50 years.\n\nدمشق is free, they said.\r\n\r\nEnd e\u{301} 👨‍👩‍👧.";
    let doc = Rc::new(Document::new("p", "P", text));
    let mut s = State::new(doc.clone());
    for (start, len, label) in [
        (4, 13, "ORG"),
        (5, 5, "NORP"),
        (9, 10, "GPE"),
        (24, 1, "EVENT"),
        (42, 4, "GPE"),
        (70, 6, "PERSON"),
    ] {
        let _ = s.apply(
            crate::model::Action::Create {
                span: Span::new(start, start + len),
                body: Body::Entity {
                    label: label.into(),
                },
                note: String::new(),
            },
            T0,
        );
    }
    assert!(s.annotations().len() >= 5);
    assert_faithful(&bundle_of(&s));
}
