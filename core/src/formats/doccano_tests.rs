//! doccano JSONL tests: golden files of both shapes, UTF-16 offsets in hard text, round trips
//! (also as a property over random states), doccano's own lines, and bad input as a table.

use std::rc::Rc;

use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;
use crate::formats::spacy::tests::{arb_state, hard_text_bundle};
use crate::formats::testing::{assert_golden, bundle_of, sample_state};
use crate::formats::Format;
use crate::model::{Body, Kind, Labels, Party, State};

fn restore(bundle: &Bundle) -> State {
    State::restore(
        Rc::new(bundle.document.clone()),
        bundle.labels.clone(),
        bundle.annotations.clone(),
        1,
    )
    .unwrap()
}

fn parse(line: &str) -> Value {
    assert_eq!(line.matches('\n').count(), 1, "one line");
    serde_json::from_str(line).unwrap()
}

#[test]
fn golden_exports() {
    let article = bundle_of(&sample_state());
    let hard = hard_text_bundle();
    assert_golden("doccano/damascus.doccano.jsonl", &export(&article));
    assert_golden("doccano/damascus.doccano-rel.jsonl", &export_rel(&article));
    assert_golden("doccano/hard-text.doccano.jsonl", &export(&hard));
    assert_golden("doccano/hard-text.doccano-rel.jsonl", &export_rel(&hard));
}

#[test]
fn offsets_are_utf16_code_units() {
    // “😀” 👨‍👩‍👧 family…: the emoji take two UTF-16 units each, as in JavaScript.
    let v = parse(&export(&hard_text_bundle()));
    assert_eq!(
        v["label"],
        json!([
            [1, 3, "ORG"],
            [5, 13, "PERSON"],
            [24, 32, "EVENT"],
            [36, 40, "GPE"]
        ]),
        "code points 1..2, 4..9, 20..28, 32..36"
    );
    let text: Vec<u16> = v["text"].as_str().unwrap().encode_utf16().collect();
    let slice = |s: usize, e: usize| String::from_utf16(&text[s..e]).unwrap();
    assert_eq!(slice(1, 3), "😀");
    assert_eq!(slice(5, 13), "👨‍👩‍👧");
    assert_eq!(slice(36, 40), "دمشق");
    let rel = parse(&export_rel(&hard_text_bundle()));
    assert_eq!(
        rel["entities"][1],
        json!({"id": 2, "label": "PERSON", "start_offset": 5, "end_offset": 13})
    );
    assert_eq!(
        rel["_marginalia"]["annotations"][1]["start"], 5,
        "extras count alike"
    );
}

#[test]
fn the_two_shapes() {
    let bundle = bundle_of(&sample_state());
    let v = parse(&export(&bundle));
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["_marginalia", "label", "meta", "text"]);
    assert_eq!(
        v["label"],
        json!([
            [32, 52, "ORG"],
            [190, 255, "CLAIM"],
            [294, 306, "ORG"],
            [456, 674, "QUOTE"],
            [496, 507, "NORP"]
        ])
    );
    assert_eq!(
        v["_marginalia"]["annotations"][3]["speaker"],
        json!({"ref": "e2"}),
        "without relations, the speaker travels in the extras"
    );
    let r = parse(&export_rel(&bundle));
    let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["_marginalia", "entities", "meta", "relations", "text"]
    );
    assert_eq!(
        r["relations"],
        json!([{"id": 1, "from_id": 4, "to_id": 3, "type": "SPEAKER"}]),
        "the quote (entity 4) to Rebel forces (entity 3)"
    );
    assert!(r["_marginalia"]["annotations"][3].get("speaker").is_none());
    assert_eq!(
        r["_marginalia"]["annotations"][1]["claimant"],
        json!({"name": "unnamed officials"})
    );
}

#[test]
fn round_trips_keep_everything() {
    for bundle in [bundle_of(&sample_state()), hard_text_bundle()] {
        for out in [export(&bundle), export_rel(&bundle)] {
            let back = import(out.as_bytes(), "x.doccano.jsonl").unwrap();
            assert_eq!(back.problems, vec![]);
            assert_eq!(back.total, bundle.annotations.len());
            assert_eq!(back.bundle, bundle);
            restore(&back.bundle);
        }
    }
}

#[test]
fn without_extras_spans_labels_and_relations_survive() {
    // doccano itself keeps `meta` and `_marginalia`; a file made elsewhere has neither. Then
    // lost: ids (made anew), notes, times, cues, named speakers and claimants, check-worthiness,
    // the annotator, the label order; and without relations, the speaker links.
    let bundle = bundle_of(&sample_state());
    for (out, linked) in [(export(&bundle), false), (export_rel(&bundle), true)] {
        let mut v = parse(&out);
        v.as_object_mut().unwrap().remove("_marginalia");
        v.as_object_mut().unwrap().remove("meta");
        let back = import(v.to_string().as_bytes(), "project/1.jsonl").unwrap();
        assert_eq!(back.problems, vec![]);
        let b = &back.bundle;
        assert_eq!(b.document.id, "1");
        assert_eq!(b.labels, Labels::default());
        let key =
            |a: &crate::model::Annotation| (a.span, a.kind(), a.body.label().map(str::to_string));
        assert_eq!(
            b.annotations.iter().map(key).collect::<Vec<_>>(),
            bundle.annotations.iter().map(key).collect::<Vec<_>>()
        );
        let quote = b
            .annotations
            .iter()
            .find(|a| a.kind() == Kind::Quote)
            .unwrap();
        let speaker = if linked {
            Some(Party::Ref("e3".into()))
        } else {
            None
        };
        assert_eq!(
            quote.body,
            Body::Quote {
                speaker,
                cue: None,
                direct: true
            }
        );
        restore(b);
    }
}

#[test]
fn lines_as_doccano_writes_them() {
    // doccano's own example (backend/data_export/pipeline/examples/sequence_labeling), and a
    // line of a relation project's export with doccano's numeric ids and its Comments field.
    let seq = r#"{"text": "EU rejects German call to boycott British lamb.", "label": [ [0, 2, "ORG"], [11, 17, "MISC"] ]}"#;
    let got = import(seq.as_bytes(), "all.jsonl").unwrap();
    assert_eq!(got.problems, vec![]);
    assert_eq!(got.bundle.document.id, "all");
    assert_eq!(got.bundle.labels.entity.last().unwrap(), "MISC");
    let spans: Vec<(usize, usize, &str)> = got
        .bundle
        .annotations
        .iter()
        .map(|a| (a.span.start, a.span.end, a.body.label().unwrap()))
        .collect();
    assert_eq!(spans, [(0, 2, "ORG"), (11, 17, "MISC")]);

    let rel = r#"{"id": 6400, "text": "Ann said “yes” 😀 to Bo.", "entities": [{"id": 1662, "label": "PERSON", "start_offset": 0, "end_offset": 3}, {"id": 1663, "label": "QUOTE", "start_offset": 9, "end_offset": 14}, {"id": 1664, "label": "PERSON", "start_offset": 21, "end_offset": 23}], "relations": [{"id": 273, "from_id": 1663, "to_id": 1662, "type": "SPEAKER"}], "Comments": []}"#;
    let got = import(rel.as_bytes(), "admin.jsonl").unwrap();
    assert_eq!(got.problems, vec![]);
    let b = &got.bundle;
    let texts: Vec<&str> = b
        .annotations
        .iter()
        .map(|a| b.document.slice(a.span))
        .collect();
    assert_eq!(
        texts,
        ["Ann", "“yes”", "Bo"],
        "Bo is at UTF-16 21..23, code points 20..22"
    );
    assert_eq!(
        b.annotations[1].body,
        Body::Quote {
            speaker: Some(Party::Ref("e1".into())),
            cue: None,
            direct: true
        }
    );
    restore(b);
    // A line with only text: a document without annotations.
    let got = import(br#"{"text": "Nothing yet."}"#, "t.doccano.jsonl").unwrap();
    assert_eq!((got.total, got.bundle.document.id.as_str()), (0, "t"));
}

/// A change to an exported line, for a table of bad inputs.
type Edit = Box<dyn FnOnce(&mut Value)>;

fn import_edited(rel: bool, edit: impl FnOnce(&mut Value)) -> Result<Imported, FileError> {
    let bundle = hard_text_bundle();
    let mut v = parse(&if rel {
        export_rel(&bundle)
    } else {
        export(&bundle)
    });
    edit(&mut v);
    import(v.to_string().as_bytes(), "hard-text.doccano.jsonl")
}

#[test]
fn whole_file_errors_are_named() {
    let cases: Vec<(bool, Edit, &str)> = vec![
        (
            false,
            Box::new(|v| v["label"] = json!(["positive", "news"])),
            "Its \"label\" lists categories, not spans: this is a doccano text-classification export",
        ),
        (false, Box::new(|v| v["label"] = json!("ORG")), "\"label\" must be a list, not a string."),
        (
            true,
            Box::new(|v| v["entities"][1]["id"] = json!(1)),
            "Entities 1 and 2 both have the id 1.",
        ),
        (
            true,
            Box::new(|v| {
                v["relations"] = json!([{"id": 1, "from_id": 7, "to_id": 1, "type": "SPEAKER"}])
            }),
            "Relation 1: its from_id 7 is not the id of an entity in the file.",
        ),
        (
            true,
            Box::new(|v| v["relations"] = json!([{"from_id": 1, "to_id": 2}])),
            "Relation 1: it has no \"type\".",
        ),
        (
            true,
            Box::new(|v| v["relations"] = json!([{"from_id": "1", "to_id": 2, "type": "X"}])),
            "Relation 1: its from_id must be a number, not a string.",
        ),
        (
            false,
            Box::new(|v| v["_marginalia"] = json!([])),
            "\"_marginalia\" must be an object, not a list.",
        ),
    ];
    for (rel, edit, expected) in cases {
        let err = import_edited(rel, edit).unwrap_err().to_string();
        assert!(
            err.contains(expected),
            "{err:?} should contain {expected:?}"
        );
    }
    let err = import(
        b"{\"text\": \"a\", \"label\": []}\n{\"text\": \"b\", \"label\": []}\n",
        "all.jsonl",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("This file holds 2 documents, one per line"),
        "{err}"
    );
}

#[test]
fn each_bad_span_is_named_and_the_rest_kept() {
    // Spans of the hard text, in UTF-16 units: 0 😀 1..3 (e4), 1 the family 5..13 (e1),
    // 2 résumé 24..32 (e2), 3 دمشق 36..40 (e3).
    let cases: Vec<(bool, Edit, &str)> = vec![
        (
            false,
            Box::new(|v| v["label"][0][1] = json!(2)),
            "annotation 1: its end 2 falls inside a character written with two UTF-16 code units",
        ),
        (
            false,
            Box::new(|v| v["label"][3][1] = json!(47)),
            "annotation 4: its end 47 is past the end of the text (46 UTF-16 code units)",
        ),
        (
            false,
            Box::new(|v| v["label"][0] = json!([1, 3])),
            "annotation 1: has 2 items, not the three of [start, end, label]",
        ),
        (
            false,
            Box::new(|v| v["label"][0] = json!("ORG")),
            "annotation 1: is a string, not [start, end, label]",
        ),
        (
            false,
            Box::new(|v| v["label"][0] = json!({"start_offset": 1, "end_offset": 3})),
            "annotation 1: it has no label",
        ),
        (
            true,
            Box::new(|v| v["entities"][0]["end_offset"] = json!(-1)),
            "annotation 1: its offsets 1..-1 are reversed",
        ),
        (
            true,
            Box::new(|v| {
                v["entities"][3]["start_offset"] = json!(13);
                v["entities"][3]["end_offset"] = json!(28);
            }),
            "annotation 4: it is an entity across a paragraph break",
        ),
    ];
    for (rel, edit, expected) in cases {
        let got = import_edited(rel, edit).unwrap();
        assert_eq!(got.total, 4);
        let messages: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(messages.len(), 1, "{messages:?}, expected {expected:?}");
        assert!(
            messages[0].starts_with(expected),
            "{messages:?} should start with {expected:?}"
        );
        assert_eq!(got.bundle.annotations.len(), 3, "the valid rest is kept");
        restore(&got.bundle);
    }
}

#[test]
fn detected_by_extension_and_content() {
    assert_eq!(
        Format::detect("a.doccano.jsonl", b""),
        Some(Format::Doccano)
    );
    assert_eq!(
        Format::detect("a.doccano-rel.jsonl", b""),
        Some(Format::DoccanoRel)
    );
    assert_eq!(
        Format::detect(
            "all.jsonl",
            br#"{"id": 1, "text": "x", "label": [[0, 1, "A"]]}"#
        ),
        Some(Format::Doccano)
    );
    assert_eq!(
        Format::detect(
            "all.jsonl",
            br#"{"text": "x", "entities": [], "relations": []}"#
        ),
        Some(Format::DoccanoRel)
    );
    assert_eq!(
        Format::parse("doccano-rel").unwrap().title(),
        "doccano JSONL (relations)"
    );
    let bundle = bundle_of(&sample_state());
    for f in [Format::Doccano, Format::DoccanoRel] {
        let back = f.import(&f.export(&bundle), &f.file_name("d")).unwrap();
        assert_eq!(back.bundle, bundle);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 100, ..ProptestConfig::default() })]

    /// import(export(s)) == s for both shapes.
    #[test]
    fn import_of_export_is_identity(state in arb_state()) {
        let bundle = Bundle::from_state(&state, "someone");
        for out in [export(&bundle), export_rel(&bundle)] {
            let back = import(out.as_bytes(), "p.doccano.jsonl").unwrap();
            prop_assert_eq!(&back.problems, &vec![]);
            prop_assert_eq!(&back.bundle, &bundle);
            restore(&back.bundle);
        }
    }
}

#[test]
fn the_status_travels_in_the_extras_of_both_shapes() {
    use crate::model::Status;
    for status in Status::ALL {
        let bundle = Bundle {
            status: *status,
            ..bundle_of(&sample_state())
        };
        for out in [export(&bundle), export_rel(&bundle)] {
            assert_eq!(
                out.contains("\"status\""),
                *status != Status::New,
                "written only when not new"
            );
            let back = import(out.as_bytes(), "d.doccano.jsonl").unwrap();
            assert_eq!(back.bundle.status, *status);
        }
    }
    // A line without extras is a new document.
    let line = r#"{"text": "EU rejects", "label": [[0, 2, "ORG"]]}"#;
    assert_eq!(
        import(line.as_bytes(), "d.jsonl").unwrap().bundle.status,
        Status::New
    );
}
