//! W3C Web Annotation tests: golden files, selectors recomputed from the text, round trips
//! (also as a property, and re-anchored by quote alone), the accepted outer shapes, foreign
//! files, every refusal as a table, relations, and files read onto an open document.
//!
//! About 1,000 lines: one file of tests per format module, most of its cases as tables.

use std::rc::Rc;

use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;
use crate::formats::native;
use crate::formats::testing::{assert_golden, bundle_of, find, golden_path, sample_state, T0};
use crate::formats::Format;
use crate::model::annotation::Relation;
use crate::model::State;

fn hard_bundle() -> Bundle {
    let text = std::fs::read_to_string(golden_path("native/hard-text.marginalia.json")).unwrap();
    native::import(&text).unwrap().bundle
}

fn sample() -> Bundle {
    bundle_of(&sample_state())
}

fn items(v: &Value) -> &Vec<Value> {
    v["first"]["items"].as_array().unwrap()
}

/// The selectors of a SpecificResource: (exact, prefix, suffix, start, end).
fn selectors(target: &Value) -> (String, String, String, usize, usize) {
    let sel = target["selector"].as_array().unwrap();
    let q = sel
        .iter()
        .find(|s| s["type"] == "TextQuoteSelector")
        .unwrap();
    let p = sel
        .iter()
        .find(|s| s["type"] == "TextPositionSelector")
        .unwrap();
    (
        q["exact"].as_str().unwrap().into(),
        q["prefix"].as_str().unwrap().into(),
        q["suffix"].as_str().unwrap().into(),
        p["start"].as_u64().unwrap() as usize,
        p["end"].as_u64().unwrap() as usize,
    )
}

/// Checks every selector in an export against the bundle's text, counting code points.
fn assert_selectors_exact(out: &str, bundle: &Bundle) {
    let v: Value = serde_json::from_str(out).unwrap();
    let chars: Vec<char> = bundle.document.text().chars().collect();
    let cut = |a: usize, b: usize| -> String { chars[a..b].iter().collect() };
    let mut checked = 0;
    for item in items(&v) {
        let targets = [&item["target"]]
            .into_iter()
            .chain(item["body"].as_array().into_iter().flatten())
            .filter(|t| t["type"] == "SpecificResource");
        for t in targets {
            let (exact, prefix, suffix, s, e) = selectors(t);
            assert_eq!(exact, cut(s, e), "exact == text[start:end]");
            assert_eq!(
                prefix,
                cut(s.saturating_sub(32), s),
                "32 code points before"
            );
            assert_eq!(suffix, cut(e, (e + 32).min(chars.len())), "32 after");
            assert_eq!(t["source"]["id"], document_iri(&bundle.document.id));
            checked += 1;
        }
    }
    let cues = bundle
        .annotations
        .iter()
        .filter(|a| matches!(a.body, Body::Quote { cue: Some(_), .. }))
        .count();
    assert_eq!(checked, bundle.annotations.len() + cues);
}

#[test]
fn golden_export_of_a_fixed_state() {
    let bundle = sample();
    let out = export(&bundle);
    assert_golden("w3c/damascus.w3c.jsonld", &out);
    assert_selectors_exact(&out, &bundle);
}

#[test]
fn golden_export_of_the_hard_text() {
    let bundle = hard_bundle();
    let out = export(&bundle);
    assert_golden("w3c/hard-text.w3c.jsonld", &out);
    assert_selectors_exact(&out, &bundle);
    // Python: text.index("😀") == 1; the ZWJ family is 5 code points from 4.
    let v: Value = serde_json::from_str(&out).unwrap();
    let spans: Vec<(usize, usize, String)> = items(&v)
        .iter()
        .map(|a| {
            let (exact, _, _, s, e) = selectors(&a["target"]);
            (s, e, exact)
        })
        .collect();
    assert_eq!(
        spans,
        vec![
            (1, 2, "😀".to_string()),
            (4, 9, "👨‍👩‍👧".to_string()),
            (20, 28, "re\u{301}sume\u{301}".to_string()),
            (32, 36, "دمشق".to_string()),
        ]
    );
    // Prefixes are cut at the text's start; the CRLF stays in the context.
    let (_, prefix, suffix, _, _) = selectors(&items(&v)[0]["target"]);
    assert_eq!(prefix, "“");
    assert!(suffix.starts_with("” 👨‍👩‍👧 family\r\n\r\nre"), "{suffix:?}");
}

#[test]
fn export_has_the_documented_shape() {
    let out = export(&sample());
    assert_eq!(out, export(&sample()), "same bundle, same bytes");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["@context"], CONTEXT);
    assert_eq!(v["type"], "AnnotationCollection");
    assert_eq!(v["id"], "urn:marginalia:damascus-2024-12-08/annotations");
    assert_eq!(v["last"], v["first"]["id"]);
    assert_eq!(v["first"]["partOf"], v["id"]);
    assert_eq!(
        v["schema:about"]["id"],
        "urn:marginalia:damascus-2024-12-08"
    );
    assert_eq!(
        v["schema:about"]["schema:text"],
        Document::default_article().text()
    );
    // 5 spans, a speaker link and a cue link for the quote, a claimant link for the claim.
    assert_eq!(v["total"], 8);
    assert_eq!(items(&v).len(), 8);
    let by_id = |id: &str| {
        items(&v)
            .iter()
            .find(|a| a["id"] == format!("urn:marginalia:damascus-2024-12-08:{id}"))
            .unwrap_or_else(|| panic!("{id}"))
            .clone()
    };
    let e1 = by_id("e1");
    assert_eq!(e1["motivation"], "tagging");
    assert_eq!(
        e1["body"],
        json!({"type": "TextualBody", "purpose": "tagging", "value": "ORG", "format": "text/plain"})
    );
    assert_eq!(
        e1["creator"],
        json!({"type": "Person", "name": "A. Researcher"})
    );
    assert_eq!(e1["created"], "2024-12-08T05:30:00.000Z");
    let q3 = by_id("q3");
    assert_eq!(q3["motivation"], "classifying");
    assert_eq!(q3["body"][0]["value"], "QUOTE");
    assert_eq!(q3["body"][1]["value"], "DIRECT");
    let speaker = by_id("q3/speaker");
    assert_eq!(speaker["motivation"], "linking");
    assert_eq!(speaker["target"], "urn:marginalia:damascus-2024-12-08:q3");
    assert_eq!(speaker["body"][0], "urn:marginalia:damascus-2024-12-08:e2");
    assert_eq!(speaker["body"][1]["value"], "SPEAKER");
    let cue = by_id("q3/cue");
    assert_eq!(cue["body"][0]["type"], "SpecificResource");
    assert_eq!(cue["body"][1]["value"], "CUE");
    let claimant = by_id("c5/claimant");
    assert_eq!(
        claimant["body"][0],
        json!({"type": "TextualBody", "purpose": "identifying", "value": "unnamed officials", "format": "text/plain"})
    );
    let c5 = by_id("c5");
    assert_eq!(c5["body"][1]["purpose"], "classifying");
    assert_eq!(c5["body"][1]["value"], "CFS");
    let e4 = by_id("e4");
    assert_eq!(e4["body"][1]["purpose"], "commenting");
    assert_eq!(e4["body"][1]["value"], "<b>not bold</b> & “quoted”");
    // Each link follows the annotation it starts from.
    let ids: Vec<&str> = items(&v)
        .iter()
        .map(|a| a["id"].as_str().unwrap().rsplit(':').next().unwrap())
        .collect();
    let q = ids.iter().position(|i| *i == "q3").unwrap();
    assert_eq!(&ids[q..q + 3], ["q3", "q3/speaker", "q3/cue"]);
}

#[test]
fn ids_are_percent_encoded_into_iris() {
    assert_eq!(encode("a b:c/é~"), "a%20b%3Ac%2F%C3%A9~");
    assert_eq!(decode("a%20b%3Ac%2F%C3%A9~").unwrap(), "a b:c/é~");
    assert_eq!(decode("%zz"), None);
    assert_eq!(decode("%FF"), None, "not UTF-8");
    assert_eq!(
        annotation_iri("my doc", "e:1"),
        "urn:marginalia:my%20doc:e%3A1"
    );
    assert_eq!(marginalia_id("urn:marginalia:x:e%3A1"), Some("e:1".into()));
    assert_eq!(marginalia_id("urn:marginalia:x:q3/speaker"), None);
    assert_eq!(marginalia_id("http://example.org/anno1"), None);
}

fn import_ok(text: &str) -> Imported {
    import_ok_named(text, "file.w3c.jsonld")
}

/// Imports, expecting success, and checks the result restores into a state.
fn import_ok_named(text: &str, file_name: &str) -> Imported {
    let got = import(text, file_name).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.problems, vec![]);
    let b = &got.bundle;
    State::restore(
        Rc::new(b.document.clone()),
        b.labels.clone(),
        b.annotations.clone(),
        0,
    )
    .expect("the import restores into a state");
    got
}

#[test]
fn round_trip_keeps_everything() {
    // Nothing is lost here: the sample uses the default labels.
    for bundle in [sample(), hard_bundle()] {
        let back = import_ok(&export(&bundle));
        assert_eq!(back.total, bundle.annotations.len());
        assert_eq!(back.bundle, bundle);
    }
}

#[test]
fn round_trip_loses_only_unused_and_reordered_labels() {
    let mut bundle = sample();
    bundle.labels.entity = vec!["WEAPON".into(), "NORP".into(), "ORG".into()];
    bundle.annotations[0].body = Body::Entity {
        label: "WEAPON".into(),
    };
    let back = import_ok(&export(&bundle)).bundle;
    let mut expected = Labels::default().entity;
    expected.push("WEAPON".into());
    assert_eq!(
        back.labels.entity, expected,
        "defaults, then the labels used"
    );
    assert_eq!(
        back.annotations, bundle.annotations,
        "the spans themselves survive"
    );
}

/// The sample's export as JSON, changed by `edit`, then imported.
fn import_edited(edit: impl FnOnce(&mut Value)) -> Result<Imported, FileError> {
    let mut v: Value = serde_json::from_str(&export(&sample())).unwrap();
    edit(&mut v);
    import(&v.to_string(), "sample.w3c.jsonld")
}

fn item_mut<'v>(v: &'v mut Value, id: &str) -> &'v mut Value {
    let iri = format!("urn:marginalia:damascus-2024-12-08:{id}");
    v["first"]["items"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|a| a["id"] == iri.as_str())
        .unwrap()
}

/// Keeps only the selectors of `kind` in every target and cue.
fn keep_only(v: &mut Value, kind: &str) {
    for item in v["first"]["items"].as_array_mut().unwrap() {
        let item = item.as_object_mut().unwrap();
        let mut resources = Vec::new();
        for (key, value) in item.iter_mut() {
            match (key.as_str(), value) {
                ("target", t) => resources.push(t),
                ("body", Value::Array(bodies)) => resources.extend(bodies.iter_mut()),
                _ => {}
            }
        }
        for r in resources {
            if let Some(sel) = r.get_mut("selector").and_then(Value::as_array_mut) {
                sel.retain(|s| s["type"] == kind);
            }
        }
    }
}

#[test]
fn quotes_alone_re_anchor_to_the_same_spans() {
    let bundle = sample();
    let back = import_edited(|v| keep_only(v, "TextQuoteSelector")).unwrap();
    assert_eq!(back.bundle, bundle);
    let back = import_edited(|v| keep_only(v, "TextPositionSelector")).unwrap();
    assert_eq!(back.bundle, bundle, "positions alone do too");
}

fn doc_of(text: &str) -> Document {
    Document::new("d", "D", text)
}

#[test]
fn requote_chooses_by_prefix_and_suffix_and_refuses_ties() {
    let doc = doc_of("the cat sat; the cat ran; a cat");
    // Unique.
    assert_eq!(requote(&doc, "sat", "", ""), Ok(Span::new(8, 11)));
    // Three matches: the prefix/suffix pick one.
    assert_eq!(requote(&doc, "cat", "the ", " ran"), Ok(Span::new(17, 20)));
    assert_eq!(requote(&doc, "cat", "a ", ""), Ok(Span::new(28, 31)));
    // A partial agreement still wins when it is the best.
    assert_eq!(
        requote(&doc, "cat", "xx; the ", " rXn"),
        Ok(Span::new(17, 20))
    );
    let err = requote(&doc, "cat", "the ", "").unwrap_err();
    assert!(err.contains("occurs 3 times"), "{err}");
    assert!(
        err.contains("fit 2 of them equally well (at 4..7, 17..20)"),
        "{err}"
    );
    let err = requote(&doc, "dog", "", "").unwrap_err();
    assert_eq!(err, "quote “dog” is not in the document's text");
    // Overlapping occurrences are found; offsets are code points.
    let doc = doc_of("😀aaa");
    assert_eq!(requote(&doc, "aa", "😀a", ""), Ok(Span::new(2, 4)));
    assert_eq!(requote(&doc, "aa", "😀", ""), Ok(Span::new(1, 3)));
}

#[test]
fn other_outer_shapes_are_read() {
    let bundle = sample();
    let v: Value = serde_json::from_str(&export(&bundle)).unwrap();
    let about = v["schema:about"].clone();
    let list = v["first"]["items"].clone();

    // A page, with the collection (and the text) in partOf.
    let mut page = v["first"].clone();
    page["@context"] = json!(CONTEXT);
    page["partOf"] = json!({"id": v["id"], "schema:about": about, "creator": v["creator"]});
    let back = import_ok(&page.to_string());
    assert_eq!(back.bundle, bundle);

    // A list of annotations, each with its context, the text in one target's source.
    let mut list = list.as_array().unwrap().clone();
    for a in &mut list {
        a["@context"] = json!(CONTEXT);
    }
    list[0]["target"]["source"]["schema:text"] = about["schema:text"].clone();
    let back = import_ok(&Value::Array(list.clone()).to_string());
    assert_eq!(back.bundle.annotations, bundle.annotations);
    assert_eq!(back.bundle.annotator, "", "no collection, no annotator");
    assert_eq!(
        back.bundle.document.id, "damascus-2024-12-08",
        "from the IRI"
    );
    assert_eq!(back.bundle.document.text(), bundle.document.text());

    // One annotation.
    let one = list[0].clone();
    let back = import_ok(&one.to_string());
    assert_eq!(back.bundle.annotations.len(), 1);
    assert_eq!(back.bundle.annotations[0].id, "e1");

    // A collection over two embedded pages.
    let mut two = v.clone();
    let rest: Vec<Value> = two["first"]["items"].as_array_mut().unwrap().split_off(4);
    two["first"]["next"] = json!({"id": "urn:x:p2", "type": "AnnotationPage", "items": rest});
    assert_eq!(import_ok(&two.to_string()).bundle, bundle);
}

#[test]
fn a_foreign_file_gets_ids_labels_and_a_name() {
    // As another tool might write it: no Marginalia ids, no document id, a Hypothesis-style
    // comment body without a purpose, a label Marginalia does not have, a quote-only target.
    let text = "Ada met Bob in Paris.\n\n“Hi,” said Bob.";
    let file = json!({
        "@context": CONTEXT,
        "type": "AnnotationCollection",
        "schema:about": {"id": "http://example.org/doc", "schema:text": text},
        "first": {"type": "AnnotationPage", "items": [
            {"id": "http://example.org/a1", "type": "Annotation", "motivation": "commenting",
             "body": [{"type": "TextualBody", "value": "first mention", "format": "text/markdown"},
                      {"type": "TextualBody", "purpose": "tagging", "value": "PERSON"}],
             "target": {"source": "http://example.org/doc",
                        "selector": {"type": "TextQuoteSelector", "exact": "Bob", "prefix": "met ", "suffix": " in"}}},
            {"id": "http://example.org/a2", "type": "Annotation",
             "body": {"type": "TextualBody", "purpose": "tagging", "value": "CITY"},
             "target": {"source": "http://example.org/doc",
                        "selector": [{"type": "RangeSelector"}, {"type": "TextPositionSelector", "start": 15, "end": 20}]}},
            {"id": "http://example.org/a3", "type": "Annotation",
             "body": {"type": "TextualBody", "purpose": "tagging", "value": "QUOTE"},
             "target": {"source": "http://example.org/doc",
                        "selector": {"type": "TextQuoteSelector", "exact": "“Hi,”"}}},
            {"id": "http://example.org/a4", "type": "Annotation", "motivation": "linking",
             "body": "http://example.org/a5",
             "target": "http://example.org/a3"},
            {"id": "http://example.org/a5", "type": "Annotation", "motivation": "tagging",
             "body": {"type": "TextualBody", "purpose": "tagging", "value": "PERSON"},
             "target": {"source": "http://example.org/doc",
                        "selector": {"type": "TextQuoteSelector", "exact": "Bob", "prefix": "said ", "suffix": "."}}}
        ]}
    });
    let got = import_ok_named(&file.to_string(), "notes.jsonld");
    let b = &got.bundle;
    assert_eq!(b.document.id, "notes", "from the file name");
    assert_eq!(b.document.title, "notes");
    let summary: Vec<(String, Span, String, String)> = b
        .annotations
        .iter()
        .map(|a| {
            (
                a.id.clone(),
                a.span,
                a.body.label().unwrap_or(a.kind().as_str()).to_string(),
                a.note.clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "e1".into(),
                Span::new(8, 11),
                "PERSON".into(),
                "first mention".into()
            ),
            ("e2".into(), Span::new(15, 20), "CITY".into(), String::new()),
            (
                "q3".into(),
                Span::new(23, 28),
                "quote".into(),
                String::new()
            ),
            (
                "e4".into(),
                Span::new(34, 37),
                "PERSON".into(),
                String::new()
            ),
        ]
    );
    let quote = &b.annotations[2];
    assert_eq!(
        quote.body,
        Body::Quote {
            speaker: Some(Party::Ref("e4".into())),
            cue: None,
            direct: false
        },
        "the link without a role tag is the speaker"
    );
    let mut labels = Labels::default().entity;
    labels.push("CITY".into());
    assert_eq!(b.labels.entity, labels);
    assert_eq!(got.total, 4, "links are not counted");
}

/// A refusal for a file `edit` breaks: the message must contain `expected`.
type Edit = Box<dyn FnOnce(&mut Value)>;

#[test]
fn bad_files_are_refused_with_a_sentence() {
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|v| *v = json!(3)),
            "This is JSON, but not W3C Web Annotations: it is a number where an object or a list was expected.",
        ),
        (
            Box::new(|v| v["@context"] = json!("http://www.w3.org/ns/oa.jsonld")),
            "its \"@context\" is \"http://www.w3.org/ns/oa.jsonld\", without http://www.w3.org/ns/anno.jsonld.",
        ),
        (
            Box::new(|v| v["type"] = json!("Dataset")),
            "its type is “Dataset”, not Annotation, AnnotationPage or AnnotationCollection.",
        ),
        (
            Box::new(|v| v["first"] = json!("urn:x:page1")),
            "The collection only names its first page (“urn:x:page1”) instead of including it",
        ),
        (
            Box::new(|v| v["total"] = json!(40)),
            "The collection says it holds 40 annotations, but the file holds 8: its other pages are not in the file.",
        ),
        (
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("schema:about");
            }),
            "The file does not include the document's text",
        ),
        (
            Box::new(|v| v["schema:about"]["schema:text"] = json!("changed")),
            "The document's schema:sha256 does not match its text",
        ),
        (
            Box::new(|v| {
                v["schema:about"]["schema:text"] = json!("a\u{1}b");
                v["schema:about"]
                    .as_object_mut()
                    .unwrap()
                    .remove("schema:sha256");
            }),
            "The document text contains the control character U+0001 at character 1",
        ),
        (
            Box::new(|v| v["first"]["items"][0] = json!("urn:elsewhere")),
            "Annotation 1 is only an IRI (“urn:elsewhere”)",
        ),
        (
            Box::new(|v| v["first"]["items"][0]["type"] = json!("Note")),
            "Annotation 1 (urn:marginalia:damascus-2024-12-08:e1): its type is “Note”, not Annotation.",
        ),
    ];
    for (edit, expected) in cases {
        let err = import_edited(edit).unwrap_err().to_string();
        assert!(
            err.contains(expected),
            "{err:?}\nshould contain {expected:?}"
        );
        assert!(err.ends_with('.'), "one sentence: {err}");
    }
    let err = import("{\"@context\": ", "x.jsonld")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("This file is not JSON: EOF while parsing"),
        "{err}"
    );
    assert_eq!(
        import_bytes(b"\x89PNG\r\n\x1a\n\0\0", "x.jsonld").unwrap_err(),
        FileError::NotText
    );
}

#[test]
fn the_first_bad_annotation_is_named() {
    // Items: 1 e1, 2 c5, 3 c5/claimant, 4 e2, 5 q3, 6 q3/speaker, 7 q3/cue, 8 e4 (by start).
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|v| item_mut(v, "e1")["target"]["selector"][1]["start"] = json!(33)),
            "Annotation 1 (urn:marginalia:damascus-2024-12-08:e1): its TextPositionSelector 33..52 selects “ayat Tahrir al-Sham”, but its TextQuoteSelector says “Hayat Tahrir al-Sham”.",
        ),
        (
            Box::new(|v| {
                item_mut(v, "e2")["target"]["selector"][0]["prefix"] = json!("XX");
                item_mut(v, "e4")["target"]["selector"][1]["end"] = json!(0);
            }),
            "Annotation 4 (urn:marginalia:damascus-2024-12-08:e2): its TextQuoteSelector's prefix “XX” is not the text before",
        ),
        (
            Box::new(|v| item_mut(v, "e1")["target"]["selector"][0]["suffix"] = json!("!")),
            "its TextQuoteSelector's suffix “!” is not the text after 32..52.",
        ),
        (
            Box::new(|v| {
                keep_only(v, "TextQuoteSelector");
                item_mut(v, "e1")["target"]["selector"][0]["exact"] = json!("Hayat Tahrir al-Shan");
            }),
            "Annotation 1 (urn:marginalia:damascus-2024-12-08:e1): its quote “Hayat Tahrir al-Shan” is not in the document's text.",
        ),
        (
            Box::new(|v| {
                keep_only(v, "TextQuoteSelector");
                let s = &mut item_mut(v, "e1")["target"]["selector"][0];
                s["exact"] = json!("the");
                s["prefix"] = json!("");
                s["suffix"] = json!("");
            }),
            "its quote “the” occurs",
        ),
        (
            Box::new(|v| item_mut(v, "e1")["target"]["selector"][1]["end"] = json!(99_999)),
            "its offsets 32..99999 run past the end of the text (3486 characters)",
        ),
        (
            Box::new(|v| item_mut(v, "e1")["target"]["selector"][1]["end"] = json!(2.5)),
            "its TextPositionSelector's end 2.5 is not a whole number",
        ),
        (
            Box::new(|v| item_mut(v, "e1")["target"]["selector"] = json!([{"type": "XPathSelector", "value": "/p[1]"}])),
            "its target has no TextQuoteSelector or TextPositionSelector, only “XPathSelector”.",
        ),
        (
            Box::new(|v| item_mut(v, "e1")["target"]["source"] = json!("urn:other")),
            "its target is in “urn:other”, not in the document of this file",
        ),
        (
            Box::new(|v| item_mut(v, "e1")["target"] = json!("urn:marginalia:damascus-2024-12-08")),
            "its target is the whole resource",
        ),
        (
            Box::new(|v| {
                item_mut(v, "e1")["body"] = json!({"type": "TextualBody", "value": "just a comment"});
            }),
            "it has no tagging body naming what the span is",
        ),
        (
            Box::new(|v| {
                item_mut(v, "e1")["body"] = json!([
                    {"type": "TextualBody", "purpose": "tagging", "value": "ORG"},
                    {"type": "TextualBody", "purpose": "tagging", "value": "GPE"}]);
            }),
            "it has 2 tagging bodies (“ORG”, “GPE”); Marginalia gives each span one.",
        ),
        (
            Box::new(|v| {
                item_mut(v, "e1")["body"] =
                    json!({"type": "TextualBody", "purpose": "tagging", "value": "TWO WORDS"});
            }),
            "its entity type is not a valid label: the label “TWO WORDS” contains a space",
        ),
        (
            Box::new(|v| item_mut(v, "q3")["body"][1]["value"] = json!("SORT OF")),
            "it classifies the quote as “SORT OF”, not DIRECT or INDIRECT.",
        ),
        (
            Box::new(|v| item_mut(v, "e1")["created"] = json!("yesterday")),
            "its \"created\" time “yesterday” is not RFC 3339.",
        ),
        (
            Box::new(|v| item_mut(v, "e2")["id"] = json!("urn:marginalia:damascus-2024-12-08:e1")),
            "Annotation 4 (urn:marginalia:damascus-2024-12-08:e1): its id is already used by annotation 1.",
        ),
        (
            Box::new(|v| {
                let e1 = item_mut(v, "e1").clone();
                let e2 = item_mut(v, "e2");
                e2["target"] = e1["target"].clone();
            }),
            "Annotation 4 (urn:marginalia:damascus-2024-12-08:e2): it repeats the kind, label and span of annotation 1.",
        ),
        (
            // 37..38 is the space in “Hayat Tahrir”.
            Box::new(|v| {
                item_mut(v, "e1")["target"]["selector"] =
                    json!([{"type": "TextPositionSelector", "start": 37, "end": 38}]);
            }),
            "Annotation 1 (urn:marginalia:damascus-2024-12-08:e1): its span 37..38 covers only spaces.",
        ),
        (
            Box::new(|v| item_mut(v, "q3/speaker")["body"][0] = json!("urn:marginalia:damascus-2024-12-08:c5")),
            "Annotation 6 (urn:marginalia:damascus-2024-12-08:q3/speaker): its speaker c5 is a claim, not an entity.",
        ),
        (
            Box::new(|v| item_mut(v, "q3/speaker")["body"][0] = json!("urn:nowhere")),
            "its speaker “urn:nowhere” is not an annotation in this file",
        ),
        (
            Box::new(|v| item_mut(v, "q3/speaker")["target"] = json!("urn:marginalia:damascus-2024-12-08:e1")),
            "it gives a speaker to e1, which is an entity.",
        ),
        (
            Box::new(|v| item_mut(v, "q3/speaker")["body"][1]["value"] = json!("CLAIMANT")),
            "it gives a claimant to q3, which is a quote.",
        ),
        (
            Box::new(|v| item_mut(v, "q3/speaker")["body"][1]["value"] = json!("AUTHOR")),
            "it is a link tagged “AUTHOR”, not SPEAKER, CLAIMANT or CUE.",
        ),
        (
            Box::new(|v| item_mut(v, "c5/claimant")["target"] = json!("urn:marginalia:damascus-2024-12-08:q3")),
            "Annotation 3 (urn:marginalia:damascus-2024-12-08:c5/claimant): it gives a claimant to q3, which is a quote.",
        ),
        (
            Box::new(|v| {
                item_mut(v, "c5/claimant")["target"] = json!("urn:marginalia:damascus-2024-12-08:q3");
                item_mut(v, "c5/claimant")["body"][1]["value"] = json!("SPEAKER");
            }),
            "Annotation 6 (urn:marginalia:damascus-2024-12-08:q3/speaker): it gives q3 a second speaker (annotation 3 gives the first).",
        ),
        (
            Box::new(|v| item_mut(v, "q3/cue")["body"][0]["selector"][1]["start"] = json!(0)),
            "Annotation 7 (urn:marginalia:damascus-2024-12-08:q3/cue): its cue TextPositionSelector 0..",
        ),
        (
            Box::new(|v| {
                let body = item_mut(v, "q3/speaker")["body"].as_array_mut().unwrap();
                body.remove(0);
            }),
            "it is a link to nothing",
        ),
        (
            Box::new(|v| item_mut(v, "q3/cue")["target"] = json!("urn:marginalia:damascus-2024-12-08:c5")),
            "it gives a cue to c5, which is a claim.",
        ),
        (
            Box::new(|v| item_mut(v, "e1")["body"] = json!({"type": "Choice", "items": []})),
            "its body 1 is a Choice between bodies, which Marginalia does not read.",
        ),
    ];
    for (k, (edit, expected)) in cases.into_iter().enumerate() {
        let err = match import_edited(edit) {
            Ok(_) => panic!("case {k} was accepted; expected {expected:?}"),
            Err(e) => e.to_string(),
        };
        assert!(
            err.contains(expected),
            "case {k}: {err:?}\nshould contain {expected:?}"
        );
        assert!(err.ends_with('.'), "one sentence: {err}");
    }
}

#[test]
fn an_entity_called_quote_stays_an_entity() {
    // Labels may be called anything, QUOTE and CLAIM included.
    let doc = Document::new("d", "D", "He said it.\n\nQuote me.");
    let mut bundle = Bundle {
        document: doc.clone(),
        labels: Labels {
            entity: vec!["QUOTE".into(), "CLAIM".into()],
            checkworthiness: vec!["CLAIM".into()],
        },
        annotator: String::new(),
        annotations: Vec::new(),
        status: Default::default(),
    };
    bundle.annotations = vec![
        Annotation {
            id: "e1".into(),
            span: find(&doc, "He"),
            body: Body::Entity {
                label: "QUOTE".into(),
            },
            note: String::new(),
            created: T0,
            updated: T0,
            extra: None,
        },
        Annotation {
            id: "c2".into(),
            span: find(&doc, "said it"),
            body: Body::Claim {
                claimant: None,
                checkworthiness: Some("CLAIM".into()),
            },
            note: String::new(),
            created: T0,
            updated: T0,
            extra: None,
        },
    ];
    let back = import_ok(&export(&bundle)).bundle;
    assert_eq!(back.annotations, bundle.annotations);
}

#[test]
fn format_registry_knows_w3c() {
    let f = Format::parse("w3c").unwrap();
    assert_eq!(f.extension(), ".w3c.jsonld");
    assert_eq!(f.mime(), "application/ld+json");
    assert_eq!(f.file_name("damascus"), "damascus.w3c.jsonld");
    let bytes = f.export(&sample());
    assert_eq!(Format::detect("x.w3c.jsonld", b"{}"), Some(Format::W3c));
    assert_eq!(Format::detect("download.json", &bytes), Some(Format::W3c));
    assert_eq!(Format::detect("a.jsonld", b"{}"), Some(Format::W3c));
    let back = f.import(&bytes, "x.w3c.jsonld").unwrap();
    assert_eq!(back.bundle, sample());
}

// ---- round trip as a property over random states ----

fn arb_state() -> impl Strategy<Value = State> {
    // An id with a space, which the W3C ids must escape.
    crate::formats::testing::arb_state("p 1", crate::formats::testing::PROPERTY_TEXT, 80, 15)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    /// import(export(s)) == s for any state the reducer can make; and again when the
    /// annotations must be re-anchored from their quotes alone.
    #[test]
    fn import_of_export_is_identity(state in arb_state()) {
        let bundle = Bundle::from_state(&state, "someone");
        let out = export(&bundle);
        let back = import(&out, "x").unwrap();
        prop_assert_eq!(&back.bundle, &bundle);
        let mut v: Value = serde_json::from_str(&out).unwrap();
        keep_only(&mut v, "TextQuoteSelector");
        let back = import(&v.to_string(), "x").unwrap();
        prop_assert_eq!(&back.bundle, &bundle);
    }
}

#[test]
fn an_unannotated_document_round_trips() {
    let bundle = Bundle {
        document: Document::new("empty doc", "", "Nothing marked."),
        labels: Labels::default(),
        annotator: String::new(),
        annotations: Vec::new(),
        status: Default::default(),
    };
    let out = export(&bundle);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["total"], 0);
    assert_eq!(v["first"]["items"], json!([]));
    assert_eq!(v["label"], "Annotations of empty doc");
    assert!(v.get("creator").is_none(), "no annotator, no creator");
    let back = import_ok(&out);
    assert_eq!(back.bundle, bundle);
    assert_eq!(
        requote(&bundle.document, "", "", ""),
        Err("quote is empty".into())
    );
}

// ---- relations, and files read onto an open document ----

/// The open-schema sample as W3C keeps it: spans, kinds, notes, links and relations (type,
/// ends, note); relations' roles and attributes and the other open-schema parts are lost.
fn as_w3c_keeps(bundle: &Bundle) -> Vec<Vec<Relation>> {
    bundle
        .annotations
        .iter()
        .map(|a| {
            a.extra()
                .relations
                .iter()
                .map(|r| Relation {
                    roles: None,
                    attributes: Vec::new(),
                    ..r.clone()
                })
                .collect()
        })
        .collect()
}

#[test]
fn relations_are_linking_annotations_and_round_trip() {
    let bundle = crate::formats::testing::open_schema_bundle();
    let out = export(&bundle);
    let v: Value = serde_json::from_str(&out).unwrap();
    let doc = &bundle.document.id;
    let relations: Vec<&Value> = items(&v)
        .iter()
        .filter(|i| i["target"].is_array())
        .collect();
    let expected: usize = bundle
        .annotations
        .iter()
        .map(|a| a.extra().relations.len())
        .sum();
    assert!(expected >= 3, "the sample has relations");
    assert_eq!(relations.len(), expected);
    // e4 Family e5, with its note.
    let family = relations
        .iter()
        .find(|r| r["id"] == annotation_iri(doc, "e4") + "/relation-1")
        .unwrap();
    assert_eq!(family["motivation"], "linking");
    assert_eq!(
        family["target"],
        json!([annotation_iri(doc, "e4"), annotation_iri(doc, "e5")])
    );
    assert_eq!(
        family["body"],
        json!([
            {"type": "TextualBody", "purpose": "tagging", "value": "Family", "format": "text/plain"},
            {"type": "TextualBody", "purpose": "commenting", "value": "brother, says the text", "format": "text/plain"}
        ])
    );
    assert_eq!(v["total"], items(&v).len());

    let back = import(&out, "x").unwrap();
    assert_eq!(back.problems, vec![]);
    let ids: Vec<&str> = back
        .bundle
        .annotations
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    let want: Vec<&str> = bundle.annotations.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, want, "ids kept");
    let kept = |b: &Bundle| as_w3c_keeps(b);
    assert_eq!(
        kept(&back.bundle),
        kept(&bundle),
        "every relation, type, end and note"
    );
    // import → export → import: nothing more is lost.
    let again = import(&export(&back.bundle), "x").unwrap();
    assert_eq!(again.bundle, back.bundle);
}

#[test]
fn relations_to_what_is_not_there_are_refused_or_reported() {
    let bundle = crate::formats::testing::open_schema_bundle();
    let mut v: Value = serde_json::from_str(&export(&bundle)).unwrap();
    let doc = bundle.document.id.clone();
    let rel = v["first"]["items"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|i| i["id"] == annotation_iri(&doc, "e4") + "/relation-1")
        .unwrap();
    rel["target"][1] = json!("urn:nowhere");
    let err = import(&v.to_string(), "x").unwrap_err().to_string();
    assert!(
        err.ends_with("/relation-1): its relation “Family” links “urn:nowhere”, which is not an annotation of a span in this file."),
        "{err}"
    );
    rel_edit(&mut v, &doc, |r| r["target"][1] = r["target"][0].clone());
    let err = import(&v.to_string(), "x").unwrap_err().to_string();
    assert!(err.ends_with("it relates e4 to itself."), "{err}");
    rel_edit(&mut v, &doc, |r| {
        r["target"] = json!([annotation_iri(&doc, "e4"), annotation_iri(&doc, "e5")]);
        r["body"] = json!({"type": "TextualBody", "purpose": "tagging", "value": "two words"});
    });
    let err = import(&v.to_string(), "x").unwrap_err().to_string();
    assert!(
        err.contains("its relation type is not a valid label"),
        "{err}"
    );
    rel_edit(&mut v, &doc, |r| {
        r["body"] = json!([]);
    });
    let back = import(&v.to_string(), "x").unwrap();
    let e4 = back
        .bundle
        .annotations
        .iter()
        .find(|a| a.id == "e4")
        .unwrap();
    assert_eq!(
        e4.extra().relations[0].kind,
        UNTYPED_RELATION,
        "no tag: linking"
    );
}

fn rel_edit(v: &mut Value, doc: &str, edit: impl FnOnce(&mut Value)) {
    let rel = v["first"]["items"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|i| i["id"] == annotation_iri(doc, "e4") + "/relation-1")
        .unwrap();
    edit(rel);
}

#[test]
fn a_file_with_its_text_is_read_the_same_onto_any_document() {
    let bundle = sample();
    let out = export(&bundle);
    let other = doc_of("Some other open text.");
    let got = import_onto(&out, "x.w3c.jsonld", &other).unwrap();
    assert_eq!(got.bundle, bundle, "the file's own text wins");
    assert!(got.notes.is_empty());
    // Without its text, the quotes find the same spans in the open document.
    let mut v: Value = serde_json::from_str(&out).unwrap();
    v.as_object_mut().unwrap().remove("schema:about");
    let err = import(&v.to_string(), "x").unwrap_err().to_string();
    assert!(
        err.contains("does not include the document's text"),
        "{err}"
    );
    let got = import_onto(&v.to_string(), "x", &bundle.document).unwrap();
    assert_eq!(got.problems, vec![]);
    assert_eq!(got.bundle.annotations, bundle.annotations);
    assert!(got.notes[0].starts_with("The file does not include its text"));
}

#[test]
fn onto_an_open_document_bad_annotations_are_listed_and_the_rest_kept() {
    let doc = doc_of("The harbour of Smyrna was full of ships.\n\nNobody saw the fire start.");
    let file = json!([
        {"@context": CONTEXT, "id": "a1", "type": "Annotation",
         "body": [{"type": "TextualBody", "purpose": "tagging", "value": "place name"}],
         "target": {"selector": {"type": "TextQuoteSelector", "exact": "Smyrna", "prefix": "harbour of ", "suffix": " was"}}},
        {"@context": CONTEXT, "id": "a2", "type": "Annotation",
         "target": {"selector": {"type": "TextQuoteSelector", "exact": "Athens"}}},
        {"@context": CONTEXT, "id": "a3", "type": "Annotation",
         "body": {"type": "TextualBody", "value": "who?"},
         "target": {"selector": [{"type": "TextQuoteSelector", "exact": "Nobody sav the fire"},
                                 {"type": "TextPositionSelector", "start": 42, "end": 61}]}},
        {"@context": CONTEXT, "id": "a4", "type": "Annotation",
         "target": {"selector": {"type": "TextQuoteSelector", "exact": "was full of ships.\n\nNobody"}}},
        {"@context": CONTEXT, "id": "a1", "type": "Annotation",
         "target": {"selector": {"type": "TextQuoteSelector", "exact": "fire"}}},
        {"@context": CONTEXT, "id": "r1", "type": "Annotation", "motivation": "linking",
         "target": ["a1", "a3"]},
        {"@context": CONTEXT, "id": "r2", "type": "Annotation", "motivation": "linking",
         "target": ["a1", "a2"]},
        "urn:only-an-iri"
    ]);
    let got = import_onto(&file.to_string(), "f.json", &doc).unwrap();
    let lines: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        lines,
        [
            "annotation 2 (a2): its quote “Athens” is not in the document's text, not even approximately (with up to 1 of its 6 characters different); it was left out",
            "annotation 4 (a4): it is an entity across a paragraph break (22..48); it was left out",
            "annotation 5 (a1): its id is already used by annotation 1; it was left out",
            "annotation 7 (r2): its relation “linking” links “a2”, which is not an annotation of a span imported from this file; it was left out",
            "annotation 8 (urn:only-an-iri): it is only an IRI, not an annotation written out in the file; it was left out",
        ]
    );
    let anns = &got.bundle.annotations;
    assert_eq!(anns.len(), 2);
    assert_eq!(
        anns[0].body,
        Body::Entity {
            label: "place_name".into()
        }
    );
    assert_eq!(doc.slice(anns[1].span), "Nobody saw the fire");
    assert_eq!(anns[1].note, "who?");
    assert_eq!(anns[0].extra().relations.len(), 1);
    assert_eq!(anns[0].extra().relations[0].kind, "linking");
    assert_eq!(anns[0].extra().relations[0].target, anns[1].id);
    assert!(
        got.notes.iter().any(|n| n.contains("Annotation 3 (a3): its quote “Nobody sav the fire” is not in the text as written; it was re-anchored approximately (1 character differ) at 42..61: “Nobody saw the fire”.")),
        "{:#?}",
        got.notes
    );
    assert_eq!(got.total, 6, "every annotation but the links");
}

#[test]
fn a_corpus_keeps_each_documents_relations() {
    let bundles = [crate::formats::testing::open_schema_bundle(), sample()];
    let out = many::export(&bundles);
    let corpus = many::import(out.as_bytes(), "project.w3c.jsonld").unwrap();
    assert_eq!(corpus.refused, vec![]);
    assert_eq!(corpus.documents.len(), 2);
    assert_eq!(
        as_w3c_keeps(&corpus.documents[0].bundle),
        as_w3c_keeps(&bundles[0]),
        "each relation goes with the document of the annotation it goes from"
    );
    assert_eq!(corpus.documents[1].bundle, bundles[1]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 60, ..ProptestConfig::default() })]

    /// A foreign file without its text, over random words: each quote with one random letter
    /// changed anchors onto the open document over the span it was taken from, told in the
    /// notes, and nothing is left out.
    #[test]
    fn drifted_quotes_of_a_foreign_file_anchor_over_their_spans(
        words in prop::collection::vec("[a-zé]{1,8}", 30..90),
        picks in prop::collection::vec((0usize..1000, 12usize..40, 0usize..100, prop::char::range('a', 'z')), 1..5),
    ) {
        let text = words.join(" ");
        let doc = Document::new("d", "D", text.clone());
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len();
        let mut items = Vec::new();
        let mut spans = Vec::new();
        for (k, &(from, len, at, c)) in picks.iter().enumerate() {
            let start = from % (n - len);
            let end = start + len;
            let mut exact: Vec<char> = chars[start..end].to_vec();
            let at = at % len;
            prop_assume!(!exact[at].is_whitespace() && exact[at] != c);
            exact[at] = c;
            let exact: String = exact.into_iter().collect();
            let prefix: String = chars[start.saturating_sub(32)..start].iter().collect();
            let suffix: String = chars[end..(end + 32).min(n)].iter().collect();
            items.push(json!({
                "@context": CONTEXT, "id": format!("#a{k}"), "type": "Annotation",
                "body": {"type": "TextualBody", "purpose": "tagging", "value": format!("T{k}")},
                "target": {"selector": [
                    {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix},
                    {"type": "TextPositionSelector", "start": start + 3, "end": end + 3}
                ]}
            }));
            spans.push((format!("T{k}"), Span::new(start, end)));
        }
        let got = import_onto(&json!(items).to_string(), "f.json", &doc).unwrap();
        prop_assert_eq!(got.problems.clone(), vec![]);
        for (label, span) in spans {
            let a = got.bundle.annotations.iter()
                .find(|a| a.body == Body::Entity { label: label.clone() })
                .unwrap();
            prop_assert!(a.span.start < span.end && span.start < a.span.end,
                "{} at {}, taken from {}", label, a.span, span);
        }
        prop_assert!(got.notes.iter().filter(|n| n.contains("approximately")).count() >= 1);
    }
}
