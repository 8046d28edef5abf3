//! spaCy / Prodigy JSONL tests: the tokenizer against spaCy's own tokens, golden files, round
//! trips (also as a property over random states), tokens split for misaligned spans, and every
//! bad input as a table.
//!
//! Over 600 lines: one file of tests per format module, most of its cases as tables.

use std::rc::Rc;

use proptest::prelude::*;
use serde_json::{json, Value};

use super::tokenizer::tokenize;
use super::*;
use crate::formats::testing::{assert_golden, bundle_of, find, golden_path, sample_state, T0};
use crate::formats::{native, Format};
use crate::model::{Action, Body, Document, Kind, Labels, Party, Span, State};

/// The hard text's native sample, as a bundle.
pub(crate) fn hard_text_bundle() -> Bundle {
    let text = std::fs::read_to_string(golden_path("native/hard-text.marginalia.json")).unwrap();
    native::import(&text).unwrap().bundle
}

fn restore(bundle: &Bundle) -> State {
    State::restore(
        Rc::new(bundle.document.clone()),
        bundle.labels.clone(),
        bundle.annotations.clone(),
        1,
    )
    .unwrap()
}

fn task(bundle: &Bundle) -> Value {
    serde_json::from_str(&export(bundle)).unwrap()
}

// ---- the tokenizer ----

#[test]
fn spacy_tokenizer_agrees_with_spacy() {
    // The cases are texts and the tokens spaCy made of them, written by
    // tests/formats/gen_spacy_tables.py; SPACY_CASES=FILE runs a longer set it wrote.
    let path = std::env::var("SPACY_CASES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| golden_path("spacy/tokenizer-cases.json"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["spacy"], SPACY_VERSION, "cases and tables of one spaCy");
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() > 400, "{} cases", cases.len());
    let mut bad = Vec::new();
    for case in cases {
        let text = case["text"].as_str().unwrap();
        let expected: Vec<(usize, usize, bool)> = case["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let n = |i: usize| t[i].as_u64().unwrap() as usize;
                (n(0), n(1), n(2) == 1)
            })
            .collect();
        let got: Vec<(usize, usize, bool)> = tokenize(text)
            .iter()
            .map(|t| (t.start, t.end, t.ws))
            .collect();
        // spaCy's `token.norm_` of each token, where the tokens agree.
        let norms: Vec<&str> = case["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t[3].as_str().unwrap())
            .collect();
        let with_norms = super::tokenizer::tokenize_with_norms(text);
        if got == expected {
            for ((t, ours), spacys) in with_norms.iter().zip(&norms) {
                if ours != spacys {
                    bad.push(format!(
                        "{text:?}: the norm of {}..{} is {ours:?}, spaCy's {spacys:?}",
                        t.start, t.end
                    ));
                }
            }
        }
        if got != expected {
            let chars: Vec<char> = text.chars().collect();
            let show = |v: &[(usize, usize, bool)]| -> String {
                v.iter()
                    .map(|&(s, e, w)| {
                        let t: String = chars[s..e].iter().collect();
                        format!("{t:?}{}", if w { "␠" } else { "" })
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            bad.push(format!(
                "{text:?}\n  spaCy: {}\n  ours:  {}",
                show(&expected),
                show(&got)
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {} texts tokenized differently from spaCy:\n{}",
        bad.len(),
        cases.len(),
        bad[..bad.len().min(5)].join("\n")
    );
}

#[test]
fn tokenizer_examples() {
    let words = |text: &str| -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        tokenize(text)
            .iter()
            .map(|t| {
                let w: String = chars[t.start..t.end].iter().collect();
                if t.ws {
                    format!("{w}␠")
                } else {
                    w
                }
            })
            .collect()
    };
    let cases: &[(&str, &[&str])] = &[
        ("", &[]),
        ("Hello, world!", &["Hello", ",␠", "world", "!"]),
        ("hasn't", &["has", "n't"]),
        ("the Assad family’s", &["the␠", "Assad␠", "family", "’s"]),
        ("al-Assad", &["al", "-", "Assad"]),
        ("“free”", &["“", "free", "”"]),
        ("12/8/2024,", &["12/8/2024", ","]),
        ("U.S. e.g.", &["U.S.␠", "e.g."]),
        ("a  b", &["a␠", " ", "b"]),
        (" a\r\n\r\nb", &[" ", "a", "\r\n\r\n", "b"]),
        ("http://example.com/a?b", &["http://example.com/a?b"]),
        ("-:)", &["-", ":)"]),
        ("5km", &["5", "km"]),
        ("👨‍👩‍👧", &["👨", "\u{200d}", "👩", "\u{200d}", "👧"]),
    ];
    for (text, expected) in cases {
        assert_eq!(words(text), *expected, "tokens of {text:?}");
    }
}

// ---- export ----

#[test]
fn golden_export_of_a_fixed_state() {
    assert_golden(
        "spacy/damascus.spacy.jsonl",
        &export(&bundle_of(&sample_state())),
    );
}

#[test]
fn golden_export_of_the_hard_text() {
    assert_golden("spacy/hard-text.spacy.jsonl", &export(&hard_text_bundle()));
}

#[test]
fn export_is_one_line_of_a_prodigy_task() {
    let bundle = bundle_of(&sample_state());
    let out = export(&bundle);
    assert_eq!(out, export(&bundle), "deterministic");
    assert_eq!(out.matches('\n').count(), 1, "one line");
    assert!(out.ends_with('\n'));
    let v = task(&bundle);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = vec![
        "_marginalia",
        "_view_id",
        "answer",
        "meta",
        "relations",
        "spans",
        "text",
        "tokens",
    ];
    crate::model::sort::sort_by(&mut expected, Ord::cmp);
    assert_eq!(keys, expected);
    // The quote holds the entity "Baath Party": spans that overlap, which ner_manual cannot show.
    assert_eq!(v["_view_id"], "spans_manual");
    assert_eq!(v["answer"], "accept");
    assert_eq!(
        v["meta"],
        json!({"id": "damascus-2024-12-08", "title": "Syrian rebels enter Damascus"})
    );
    // The first span: "Hayat Tahrir al-Sham" is spaCy's tokens 7..=11 (the hyphen splits).
    assert_eq!(
        v["spans"][0],
        json!({"start": 32, "end": 52, "token_start": 7, "token_end": 11, "label": "ORG"})
    );
    let tokens = v["tokens"].as_array().unwrap();
    let words: Vec<&str> = tokens[7..=11]
        .iter()
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    assert_eq!(words, ["Hayat", "Tahrir", "al", "-", "Sham"]);
    // The quote's speaker: a SPEAKER relation from the quote to "Rebel forces", head and child
    // at the last token of each span.
    let rel = &v["relations"][0];
    assert_eq!(rel["label"], "SPEAKER");
    assert_eq!(rel["head_span"]["label"], "QUOTE");
    assert_eq!(rel["child_span"]["start"], 294);
    assert_eq!(rel["head"], rel["head_span"]["token_end"]);
    assert_eq!(rel["child"], rel["child_span"]["token_end"]);
    assert_eq!(v["relations"].as_array().unwrap().len(), 1);
    assert!(v["_marginalia"].get("token_splits").is_none());
}

/// Every exported span starts and ends at tokens, and the tokens spell the text.
fn assert_consistent(v: &Value) {
    let text: Vec<char> = v["text"].as_str().unwrap().chars().collect();
    let tokens = v["tokens"].as_array().unwrap();
    let mut rebuilt = String::new();
    let mut at = 0;
    for (i, t) in tokens.iter().enumerate() {
        let (s, e) = (
            t["start"].as_u64().unwrap() as usize,
            t["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(s, at, "token {i} follows the previous one");
        assert!(s < e, "token {i} is not empty");
        assert_eq!(t["id"], i);
        let word: String = text[s..e].iter().collect();
        assert_eq!(t["text"], word.as_str());
        rebuilt.push_str(&word);
        at = e;
        if t["ws"].as_bool().unwrap() {
            assert_eq!(
                text.get(e),
                Some(&' '),
                "token {i}: ws means a space follows"
            );
            rebuilt.push(' ');
            at += 1;
        }
    }
    assert_eq!(
        rebuilt,
        text.iter().collect::<String>(),
        "tokens spell the text"
    );
    let check_span = |s: &Value| {
        let (ts, te) = (
            s["token_start"].as_u64().unwrap() as usize,
            s["token_end"].as_u64().unwrap() as usize,
        );
        assert!(ts <= te);
        assert_eq!(tokens[ts]["start"], s["start"], "{s}");
        assert_eq!(tokens[te]["end"], s["end"], "{s}");
    };
    for s in v["spans"].as_array().unwrap() {
        check_span(s);
    }
    for r in v["relations"].as_array().unwrap() {
        check_span(&r["head_span"]);
        check_span(&r["child_span"]);
        assert_eq!(r["head"], r["head_span"]["token_end"]);
        assert_eq!(r["child"], r["child_span"]["token_end"]);
    }
}

#[test]
fn tokens_are_split_only_where_a_span_needs_it() {
    // "2024" inside the spaCy token "12/8/2024", and a span taking in the space after "today,".
    let doc = Rc::new(Document::default_article());
    let mut s = State::new(doc.clone());
    let date = find(&doc, "12/8/2024");
    let year = Span::new(date.end - 4, date.end);
    let today = find(&doc, "today, ");
    for span in [year, today] {
        s.apply(
            Action::Create {
                span,
                body: Body::Entity {
                    label: "DATE".into(),
                },
                note: String::new(),
            },
            T0,
        )
        .unwrap();
    }
    let bundle = bundle_of(&s);
    let v = task(&bundle);
    assert_consistent(&v);
    assert_eq!(
        v["_marginalia"]["token_splits"],
        json!([today.end, year.start]),
        "the split points are listed"
    );
    let words: Vec<&str> = v["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text"].as_str().unwrap())
        .filter(|w| ["12/8/", "2024", " ", "today"].contains(w))
        .collect();
    assert!(
        words.contains(&"12/8/") && words.contains(&"2024") && words.contains(&" "),
        "{words:?}"
    );
    // Without these annotations, the same text gives spaCy's tokens unchanged.
    let plain = task(&bundle_of(&State::new(doc)));
    assert!(plain["_marginalia"].get("token_splits").is_none());
    assert_eq!(
        plain["tokens"].as_array().unwrap().len() + 2,
        v["tokens"].as_array().unwrap().len()
    );
    let back = import(export(&bundle).as_bytes(), "x.spacy.jsonl").unwrap();
    assert_eq!(
        back.bundle, bundle,
        "split tokens do not change the round trip"
    );
}

/// The Prodigy view of a task of entities at `spans` of the article (a quote where the label
/// is `None`).
fn view_of(spans: &[(&str, Option<&str>)]) -> (Value, Bundle) {
    let doc = Rc::new(Document::default_article());
    let mut s = State::new(doc.clone());
    for (needle, label) in spans {
        let body = match label {
            Some(l) => Body::Entity { label: (*l).into() },
            None => Body::Quote {
                speaker: None,
                cue: None,
                direct: true,
            },
        };
        let span = match needle.split_once('|') {
            // "outer|inner": the inner text inside the first outer one.
            Some((outer, inner)) => {
                let at = find(&doc, outer);
                let off = outer.find(inner).unwrap();
                let start = at.start + outer[..off].chars().count();
                Span::new(start, start + inner.chars().count())
            }
            None => find(&doc, needle),
        };
        let note = String::new();
        s.apply(Action::Create { span, body, note }, T0).unwrap();
    }
    let bundle = bundle_of(&s);
    (task(&bundle), bundle)
}

#[test]
fn the_view_is_spans_manual_exactly_where_spans_overlap() {
    let ner = [
        vec![],
        vec![("Rebel forces", Some("ORG"))],
        vec![
            ("Hayat Tahrir al-Sham", Some("ORG")),
            ("Rebel forces", Some("ORG")),
        ],
        // Touching is not overlapping: "Hayat" ends where " Tahrir" starts.
        vec![
            ("Hayat Tahrir al-Sham|Hayat", Some("PERSON")),
            ("Hayat Tahrir al-Sham| Tahrir", Some("PERSON")),
        ],
    ];
    let spans = [
        // Nested entities.
        vec![
            ("Hayat Tahrir al-Sham", Some("ORG")),
            ("Hayat Tahrir al-Sham|Tahrir", Some("PERSON")),
        ],
        // Two entities sharing one character.
        vec![
            ("Hayat Tahrir al-Sham|Hayat T", Some("ORG")),
            ("Hayat Tahrir al-Sham|Tahrir", Some("PERSON")),
        ],
        // The same span twice, under two labels.
        vec![
            ("Rebel forces", Some("ORG")),
            ("Rebel forces", Some("NORP")),
        ],
        // A quote holding an entity, far from the first span.
        vec![
            ("Hayat Tahrir al-Sham", Some("ORG")),
            ("the end of this dark period", None),
            ("the end of this dark period|dark", Some("NORP")),
        ],
    ];
    for (cases, view) in [(&ner[..], "ner_manual"), (&spans[..], "spans_manual")] {
        for case in cases {
            let (v, bundle) = view_of(case);
            assert_eq!(v["_view_id"], view, "{case:?}");
            assert_eq!(v["spans"].as_array().unwrap().len(), case.len());
            // Import reads either view: the spans come back as they were.
            let back = import(export(&bundle).as_bytes(), "x.spacy.jsonl").unwrap();
            assert_eq!(back.bundle, bundle, "{case:?}");
        }
    }
}

// ---- round trips ----

#[test]
fn round_trip_keeps_everything() {
    for bundle in [bundle_of(&sample_state()), hard_text_bundle()] {
        let back = import(export(&bundle).as_bytes(), "whatever.jsonl").unwrap();
        assert_eq!(back.problems, vec![]);
        assert_eq!(back.total, bundle.annotations.len());
        assert_eq!(back.bundle, bundle);
        restore(&back.bundle);
    }
}

#[test]
fn without_extras_spans_labels_and_links_survive() {
    // What Prodigy itself needs: text, spans and relations. Lost without `_marginalia`: ids
    // (made anew), notes, times, cues, speakers and claimants named in free text,
    // check-worthiness, the annotator and the label order.
    let bundle = bundle_of(&sample_state());
    let mut v = task(&bundle);
    v.as_object_mut().unwrap().remove("_marginalia");
    v.as_object_mut().unwrap().remove("meta");
    let back = import(v.to_string().as_bytes(), "damascus.spacy.jsonl").unwrap();
    assert_eq!(back.problems, vec![]);
    let b = &back.bundle;
    assert_eq!(b.document.id, "damascus", "named after the file");
    assert_eq!(b.document.text(), bundle.document.text());
    assert_eq!(b.labels, Labels::default());
    let key = |a: &crate::model::Annotation| (a.span, a.kind(), a.body.label().map(str::to_string));
    assert_eq!(
        b.annotations.iter().map(key).collect::<Vec<_>>(),
        bundle.annotations.iter().map(key).collect::<Vec<_>>()
    );
    let ids: Vec<&str> = b.annotations.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        ["e1", "c2", "e3", "q4", "e5"],
        "ids made in file order"
    );
    let quote = b
        .annotations
        .iter()
        .find(|a| a.kind() == Kind::Quote)
        .unwrap();
    assert_eq!(
        quote.body,
        Body::Quote {
            speaker: Some(Party::Ref("e3".into())),
            cue: None,
            direct: true
        },
        "the speaker comes from the relation, direct from the quotation marks"
    );
    restore(b);
}

#[test]
fn a_plain_spans_line_from_another_tool() {
    let line = r#"{"text": "Ann Lee said “we won” in Paris.", "spans": [{"start": 0, "end": 7, "label": "PERSON"}, {"start": 13, "end": 21, "label": "QUOTE"}, {"start": 25, "end": 30, "label": "CITY"}, {"start": 25, "end": 99, "label": "WEAPON"}]}"#;
    let got = import(line.as_bytes(), "notes/interview.jsonl").unwrap();
    assert_eq!(
        got.problems
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>(),
        ["annotation 4: its end 99 is past the end of the text (31 characters)"]
    );
    assert!(
        !got.bundle.labels.entity.contains(&"WEAPON".to_string()),
        "an invalid span adds no label"
    );
    let b = &got.bundle;
    assert_eq!(
        (b.document.id.as_str(), b.document.title.as_str()),
        ("interview", "interview")
    );
    assert_eq!(
        b.labels.entity.last().unwrap(),
        "CITY",
        "a new label is added"
    );
    let kinds: Vec<(Kind, &str)> = b
        .annotations
        .iter()
        .map(|a| (a.kind(), a.id.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (Kind::Entity, "e1"),
            (Kind::Quote, "q2"),
            (Kind::Entity, "e3")
        ]
    );
    restore(b);
}

// ---- bad input ----

/// A change to the exported task, for a table of bad inputs.
type Edit = Box<dyn FnOnce(&mut Value)>;

fn import_edited(edit: impl FnOnce(&mut Value)) -> Result<Imported, FileError> {
    let mut v = task(&bundle_of(&sample_state()));
    edit(&mut v);
    import(v.to_string().as_bytes(), "damascus.spacy.jsonl")
}

#[test]
fn whole_file_errors_are_named() {
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|v| *v = json!([1])),
            "This is JSON, but not a spaCy / Prodigy task: it is a list where an object was expected.",
        ),
        (
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("text");
            }),
            "The file has no \"text\": the document's text.",
        ),
        (Box::new(|v| v["text"] = json!(5)), "\"text\" must be a string, not a number."),
        (
            Box::new(|v| v["text"] = json!("a\u{1}b")),
            "The document text contains the control character U+0001 at character 1",
        ),
        (Box::new(|v| v["spans"] = json!({})), "\"spans\" must be a list, not an object."),
        (
            Box::new(|v| v["answer"] = json!("maybe")),
            "\"answer\" must be \"accept\", \"reject\" or \"ignore\", not \"maybe\".",
        ),
        (
            Box::new(|v| v["relations"][0]["head_span"]["start"] = json!(3)),
            "Relation 1: its head_span 3..674 is not one of the task's spans",
        ),
        (
            Box::new(|v| {
                v["relations"][0].as_object_mut().unwrap().remove("child_span");
            }),
            "Relation 1: it has no child_span object.",
        ),
        (
            Box::new(|v| v["_marginalia"]["labels"]["entity"] = json!([])),
            "The file's labels are not valid: the entity label set is empty.",
        ),
        (
            Box::new(|v| v["_marginalia"]["annotations"][2] = json!(7)),
            "_marginalia.annotations[2] is a number, not an object.",
        ),
    ];
    for (edit, expected) in cases {
        let err = import_edited(edit).unwrap_err().to_string();
        assert!(
            err.contains(expected),
            "{err:?} should contain {expected:?}"
        );
    }
    let syntax: &[(&[u8], &str)] = &[
        (b"", "The file is empty: it holds no JSON line."),
        (
            b"{\"text\": ",
            "Line 1 is not JSON: EOF while parsing a value (column 9).",
        ),
        (
            b"{\"text\": \"a\"}\n{\"text\": \"b\"}\n\n{\"text\": \"c\"}\n",
            "This file holds 3 documents, one per line; Marginalia opens one document at a time.",
        ),
        (
            b"{\"text\": \"a\"}\n{\"text\": }\n",
            "Line 2 is not JSON: expected value (column 10).",
        ),
    ];
    for (bytes, expected) in syntax {
        let err = import(bytes, "x.jsonl").unwrap_err().to_string();
        assert!(
            err.starts_with(expected),
            "{err:?} should start with {expected:?}"
        );
    }
    assert_eq!(
        import(b"\xff\xfe{}", "x.jsonl").unwrap_err(),
        FileError::NotText
    );
    // One object spread over several lines is one document.
    let pretty = serde_json::to_string_pretty(&task(&bundle_of(&sample_state()))).unwrap();
    assert_eq!(
        import(pretty.as_bytes(), "x").unwrap().bundle,
        bundle_of(&sample_state())
    );
}

#[test]
fn each_bad_span_is_named_and_the_rest_kept() {
    // Spans in the sample: 0 HTS (e1), 1 the claim (c5), 2 Rebel forces (e2), 3 the quote
    // (q3, speaker e2), 4 Baath Party (e4). A span moved away from its extras loses its id.
    let cases: Vec<(Edit, &str)> = vec![
        (Box::new(|v| v["spans"][0]["start"] = json!(-3)), "annotation 1: its start -3 is negative"),
        (
            Box::new(|v| v["spans"][0]["end"] = json!(99_999)),
            "annotation 1: its end 99999 is past the end of the text (3486 characters)",
        ),
        (
            Box::new(|v| {
                v["spans"][0]["start"] = json!(52);
                v["spans"][0]["end"] = json!(32);
            }),
            "annotation 1: its offsets 52..32 are reversed",
        ),
        (Box::new(|v| v["spans"][0]["end"] = json!(32)), "annotation 1: its span 32..32 is empty"),
        (Box::new(|v| v["spans"][0]["start"] = json!(1.5)), "annotation 1: its start 1.5 is not a whole number"),
        (Box::new(|v| v["spans"][0]["label"] = json!(7)), "annotation 1: its label must be a string, not a number"),
        (
            Box::new(|v| v["spans"][0]["text"] = json!("Hayat Tahrir al-Shan")),
            "annotation 1 (e1): its text “Hayat Tahrir al-Shan” is not the text at 32..52 (“Hayat Tahrir al-Sham”)",
        ),
        (
            Box::new(|v| {
                v["spans"][0]["label"] = json!("TWO WORDS");
                v["_marginalia"]["annotations"][0]["label"] = json!("TWO WORDS");
            }),
            "annotation 1 (e1): the label “TWO WORDS” contains a space",
        ),
        (
            Box::new(|v| {
                v["spans"][0]["start"] = json!(250);
                v["spans"][0]["end"] = json!(262);
            }),
            "annotation 1: it is an entity across a paragraph break",
        ),
        (
            Box::new(|v| {
                v["spans"][0]["start"] = json!(256);
                v["spans"][0]["end"] = json!(258);
            }),
            "annotation 1: its span covers only spaces",
        ),
        (
            Box::new(|v| {
                v["spans"][0]["start"] = json!(294);
                v["spans"][0]["end"] = json!(306);
            }),
            "annotation 3: repeats the kind, label and span of annotation 1",
        ),
        (Box::new(|v| v["spans"][4] = json!("x")), "annotation 5: is a string, not an object"),
        (
            Box::new(|v| v["_marginalia"]["annotations"][4]["created"] = json!("yesterday")),
            "annotation 5 (e4): its Marginalia \"created\" time “yesterday” is not RFC 3339",
        ),
        (
            Box::new(|v| v["_marginalia"]["annotations"][4]["id"] = json!("e1")),
            "annotation 5 (e1): the id e1 is already used",
        ),
        (
            Box::new(|v| v["_marginalia"]["annotations"][3]["cue"] = json!({"start": 9, "end": 2})),
            "annotation 4 (q3): its cue 9..2 is empty or reversed",
        ),
    ];
    for (edit, expected) in cases {
        let got = import_edited(edit).unwrap();
        assert_eq!(got.total, 5);
        let messages: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
        assert!(
            messages.iter().any(|m| m.starts_with(expected)),
            "{messages:?} should have one starting with {expected:?}"
        );
        assert!(got.bundle.annotations.len() >= 3, "the valid rest is kept");
        restore(&got.bundle);
    }
}

#[test]
fn relations_of_any_label_are_kept_and_broken_ones_named() {
    // Kept as relations of the open schema: another label, a second speaker, a speaker that
    // is a claim. (label, the relation's child span, the quote's speaker after, the relation kept)
    type Case = (
        Edit,
        Option<&'static str>,
        Option<(&'static str, &'static str)>,
    );
    let cases: Vec<Case> = vec![
        (
            Box::new(|v| v["relations"][0]["label"] = json!("QUOTES")),
            None,
            Some(("QUOTES", "e2")),
        ),
        (
            Box::new(|v| {
                let first = v["spans"][0].clone();
                v["relations"][0]["child_span"] = first;
                let mut again = v["relations"][0].clone();
                again["child_span"] = v["spans"][2].clone();
                v["relations"].as_array_mut().unwrap().push(again);
            }),
            Some("e1"),
            Some(("SPEAKER", "e2")),
        ),
        (
            Box::new(|v| v["relations"][0]["child_span"] = v["spans"][1].clone()),
            None,
            Some(("SPEAKER", "c5")),
        ),
    ];
    for (edit, speaker, relation) in cases {
        let got = import_edited(edit).unwrap();
        assert_eq!(got.problems, vec![], "{relation:?}");
        let quote = the_quote(&got);
        assert_eq!(
            quote.body.party().and_then(|p| p.as_ref_id()),
            speaker,
            "{relation:?}"
        );
        let kept: Vec<(&str, &str)> = quote
            .extra()
            .relations
            .iter()
            .map(|r| (r.kind.as_str(), r.target.as_str()))
            .collect();
        assert_eq!(kept, relation.into_iter().collect::<Vec<_>>());
        restore(&got.bundle);
        // Written back as they came.
        let again = import(export(&got.bundle).as_bytes(), "x.spacy.jsonl").unwrap();
        assert_eq!(again.bundle.annotations, got.bundle.annotations);
    }
    // A relation to a span that is itself invalid is named, the quote kept.
    let got = import_edited(Box::new(|v: &mut Value| {
        v["spans"][2]["text"] = json!("Rebel farces")
    }))
    .unwrap();
    let messages: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
    let expected = "annotation 4 (q3): its relation “SPEAKER” ends at annotation 3, which is itself invalid; the link is left out";
    assert!(messages.iter().any(|m| m == expected), "{messages:?}");
    assert_eq!(the_quote(&got).body.party(), None);
    restore(&got.bundle);
}

/// The sample's quote, q3, as an import gave it.
fn the_quote(got: &Imported) -> &Annotation {
    got.bundle
        .annotations
        .iter()
        .find(|a| a.id == "q3")
        .expect("the quote is kept")
}

#[test]
fn detected_by_extension_and_content() {
    assert_eq!(
        Format::detect("damascus.spacy.jsonl", b""),
        Some(Format::Spacy)
    );
    assert_eq!(
        Format::detect("DAMASCUS.SPACY.JSONL", b""),
        Some(Format::Spacy)
    );
    assert_eq!(
        Format::detect("annotations.jsonl", br#"{"text": "x", "spans": []}"#),
        Some(Format::Spacy)
    );
    // A task whose keys follow a text longer than the 4 KB looked at first.
    let long = format!(
        "{{\"text\": \"{}\", \"spans\": []}}\n{{\"text\": \"y\"}}\n",
        "word ".repeat(2_000)
    );
    assert_eq!(
        Format::detect("corpus.jsonl", long.as_bytes()),
        Some(Format::Spacy)
    );
    let f = Format::parse("spacy").unwrap();
    assert_eq!(f.title(), "spaCy / Prodigy JSONL");
    assert_eq!(
        f.file_name("damascus-2024-12-08"),
        "damascus-2024-12-08.spacy.jsonl"
    );
    assert!(f.can_import());
    let bundle = bundle_of(&sample_state());
    let back = f
        .import(&f.export(&bundle), "damascus-2024-12-08.spacy.jsonl")
        .unwrap();
    assert_eq!(back.bundle, bundle);
}

// ---- round trip as a property over random states ----

pub(crate) fn arb_state() -> impl Strategy<Value = State> {
    // Text where spaCy's tokens and random spans disagree: hyphens, dates, emoji, CRLF, Arabic,
    // a double space, a URL.
    let text = "The “Baath Party” ruled 😀 for 50 years, al-Assad’s 12/8/2024.\n\nدمشق is free,  they said.\r\n\r\nSee www.example.com/x. End e\u{301} 👨‍👩‍👧.";
    crate::formats::testing::arb_state("p", text, 120, 20)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// import(export(s)) == s, and every span sits on the exported tokens.
    #[test]
    fn import_of_export_is_identity(state in arb_state()) {
        let bundle = Bundle::from_state(&state, "someone");
        let out = export(&bundle);
        assert_consistent(&serde_json::from_str(&out).unwrap());
        let back = import(out.as_bytes(), "p.spacy.jsonl").unwrap();
        prop_assert_eq!(&back.problems, &vec![]);
        prop_assert_eq!(&back.bundle, &bundle);
        let restored = restore(&back.bundle);
        prop_assert_eq!(restored.annotations(), state.annotations());
    }
}

// ---- the task's answer: where the document stands ----

#[test]
fn every_status_is_written_as_its_answer_and_read_back() {
    use crate::model::Status;
    for status in Status::ALL {
        let bundle = Bundle {
            status: *status,
            ..bundle_of(&sample_state())
        };
        let out = export(&bundle);
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["answer"], status.answer(), "{status:?}");
        let back = import(out.as_bytes(), "damascus.spacy.jsonl").unwrap();
        assert_eq!(back.bundle.status, *status, "{status:?}");
        assert_eq!(back.bundle.annotations, bundle.annotations, "{status:?}");
    }
    // A new document's line is as before: "accept", no status in the extras.
    let plain = export(&bundle_of(&sample_state()));
    assert!(!plain.contains("\"status\""));
}

#[test]
fn prodigy_answers_give_the_status_and_the_spans_are_kept() {
    use crate::model::Status;
    let line = |answer: &str| {
        format!(
            r#"{{"text": "Apple buys", "spans": [{{"start": 0, "end": 5, "label": "ORG"}}], "answer": "{answer}"}}"#
        )
    };
    for (answer, status) in [
        ("accept", Status::Done),
        ("reject", Status::Rejected),
        ("ignore", Status::Ignored),
    ] {
        let got = import(line(answer).as_bytes(), "t.jsonl").unwrap();
        assert_eq!(got.bundle.status, status, "{answer}");
        assert_eq!(
            got.bundle.annotations.len(),
            1,
            "{answer}: its span is kept"
        );
    }
    let unanswered = r#"{"text": "Apple buys", "spans": []}"#;
    let got = import(unanswered.as_bytes(), "t.jsonl").unwrap();
    assert_eq!(got.bundle.status, Status::New);
    // Re-answered in Prodigy: the answer wins over what Marginalia's extras said.
    let mut v = task(&Bundle {
        status: Status::InProgress,
        ..bundle_of(&sample_state())
    });
    v["answer"] = json!("reject");
    let got = import(v.to_string().as_bytes(), "d.spacy.jsonl").unwrap();
    assert_eq!(got.bundle.status, Status::Rejected);
    v["answer"] = json!("accept");
    let got = import(v.to_string().as_bytes(), "d.spacy.jsonl").unwrap();
    assert_eq!(got.bundle.status, Status::InProgress);
    let mut v = task(&Bundle {
        status: Status::Ignored,
        ..bundle_of(&sample_state())
    });
    v["answer"] = json!("accept");
    let got = import(v.to_string().as_bytes(), "d.spacy.jsonl").unwrap();
    assert_eq!(got.bundle.status, Status::Done);
    // An unknown status in the extras is named.
    v["_marginalia"]["status"] = json!("finished");
    let err = import(v.to_string().as_bytes(), "d.spacy.jsonl").unwrap_err();
    assert!(
        err.to_string()
            .contains("_marginalia.status “finished” is not one of new, in-progress"),
        "{err}"
    );
}
