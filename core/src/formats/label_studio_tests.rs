//! Label Studio format tests: golden files, round trips (also as a property), files as Label
//! Studio itself writes them, and every refusal as a table.
//!
//! Over 1,100 lines: one file of tests per format module, most of its cases as tables; the open
//! schema (relations of any type, fields as attributes) has its own part, with a property.

use std::rc::Rc;

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::formats::testing::{assert_golden, bundle_of, find, golden_path, sample_state, T0};
use crate::formats::{native, Format};
use crate::model::annotation::{Relation, Value as AttrValue};
use crate::model::State;

fn hard_text_bundle() -> Bundle {
    let text = std::fs::read_to_string(golden_path("native/hard-text.marginalia.json")).unwrap();
    native::import(&text).unwrap().bundle
}

fn restore(b: &Bundle) -> State {
    State::restore(
        Rc::new(b.document.clone()),
        b.labels.clone(),
        b.annotations.clone(),
        0,
    )
    .expect("the import passes State::restore")
}

#[test]
fn golden_exports_and_labeling_config() {
    assert_golden(
        "label-studio/damascus-2024-12-08.label-studio.json",
        &export(&bundle_of(&sample_state())),
    );
    assert_golden(
        "label-studio/hard-text.label-studio.json",
        &export(&hard_text_bundle()),
    );
    assert_golden(
        "label-studio/labeling-config.xml",
        &labeling_config(&Labels::default()),
    );
    // The open schema's parts (docs/formats.md quotes it), and the configuration that
    // declares them.
    let open = crate::formats::testing::open_schema_bundle();
    assert_golden("label-studio/open-schema.label-studio.json", &export(&open));
    assert_golden(
        "label-studio/open-schema.labeling-config.xml",
        &labeling_config_for(&open.labels, std::slice::from_ref(&open)),
    );
}

#[test]
fn export_shape_offsets_in_code_points() {
    let v: Value = serde_json::from_str(&export(&hard_text_bundle())).unwrap();
    let task = &v[0];
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(task["data"]["document_id"], "hard-text");
    let text: Vec<char> = task["data"]["text"].as_str().unwrap().chars().collect();
    let result = task["annotations"][0]["result"].as_array().unwrap();
    let spans: Vec<(u64, u64, &str, &str)> = result
        .iter()
        .map(|r| {
            let v = &r["value"];
            let (s, e) = (v["start"].as_u64().unwrap(), v["end"].as_u64().unwrap());
            let slice: String = text[s as usize..e as usize].iter().collect();
            assert_eq!(v["text"], slice.as_str(), "text[start:end] in code points");
            assert_eq!(
                (&r["from_name"], &r["to_name"], &r["type"]),
                (&json!("label"), &json!("text"), &json!("labels"))
            );
            (
                s,
                e,
                v["text"].as_str().unwrap(),
                v["labels"][0].as_str().unwrap(),
            )
        })
        .collect();
    // Python: text.index("😀") == 1; UTF-16 would say 1..3 and the family 5..13.
    assert_eq!(
        spans,
        [
            (1, 2, "😀", "ORG"),
            (4, 9, "👨‍👩‍👧", "PERSON"),
            (20, 28, "re\u{301}sume\u{301}", "EVENT"),
            (32, 36, "دمشق", "GPE"),
        ]
    );
}

#[test]
fn export_of_the_sample_holds_every_field() {
    let v: Value = serde_json::from_str(&export(&bundle_of(&sample_state()))).unwrap();
    let ann = &v[0]["annotations"][0];
    assert_eq!(ann["created_at"], "2024-12-08T05:30:00.000Z");
    let result = ann["result"].as_array().unwrap();
    let find_r = |pred: &dyn Fn(&Value) -> bool| result.iter().find(|r| pred(r)).cloned();
    let quote = find_r(&|r| r["value"]["labels"][0] == "QUOTE").unwrap();
    let qid = quote["id"].as_str().unwrap();
    assert_eq!(
        find_r(&|r| r["type"] == "relation" && r["labels"][0] == "SPEAKER").unwrap(),
        json!({"from_id": qid, "to_id": "e2", "type": "relation", "direction": "right", "labels": ["SPEAKER"]})
    );
    let cue = find_r(&|r| r["from_name"] == "cue").unwrap();
    assert_eq!(cue["value"]["text"], "stated");
    assert_eq!(cue["id"], format!("{qid}-cue"));
    assert!(find_r(&|r| r["type"] == "relation" && r["to_id"] == cue["id"]).is_some());
    assert_eq!(
        find_r(&|r| r["from_name"] == "direct").unwrap()["value"]["choices"],
        json!(["direct"])
    );
    assert_eq!(
        find_r(&|r| r["from_name"] == "checkworthiness").unwrap()["value"]["choices"],
        json!(["CFS"])
    );
    assert_eq!(
        find_r(&|r| r["from_name"] == "claimant").unwrap()["value"]["text"],
        json!(["unnamed officials"])
    );
    assert_eq!(
        find_r(&|r| r["from_name"] == "note").unwrap()["value"]["text"],
        json!(["<b>not bold</b> & “quoted”"])
    );
    // Regions come before relations; the first result is an annotation of the label control
    // (label-studio-converter's CoNLL export reads the first Labels control it meets).
    assert_eq!(result[0]["from_name"], "label");
    let first_relation = result.iter().position(|r| r["type"] == "relation").unwrap();
    assert!(result[first_relation..]
        .iter()
        .all(|r| r["type"] == "relation"));
}

#[test]
fn round_trip_keeps_everything_the_sample_has() {
    // The sample's times are all equal, so even they come back.
    let bundle = bundle_of(&sample_state());
    let back = import(&export(&bundle), "x.json").unwrap();
    assert_eq!(back.problems, vec![]);
    assert_eq!(back.bundle, bundle);
    restore(&back.bundle);
    let hard = hard_text_bundle();
    let back = import(&export(&hard), "x.json").unwrap();
    assert_eq!(back.bundle, hard, "CRLF, emoji and combining marks survive");
}

#[test]
fn an_empty_document_round_trips() {
    let doc = Document::new("empty", "Nothing", "");
    let b = Bundle {
        document: doc,
        labels: Labels::default(),
        annotator: String::new(),
        annotations: vec![],
        status: Default::default(),
    };
    let out = export(&b);
    assert!(out.contains("\"annotations\": []"));
    assert_eq!(import(&out, "e.json").unwrap().bundle, b);
}

/// A file as Label Studio 1.x exports it: random region ids, a user id, microsecond times,
/// relations without labels or the other way round, and an extra whole-text choice.
fn label_studio_file() -> Value {
    json!([{
        "id": 17,
        "data": {"ner": "Alice met Bob in Paris. “We won,” she said.\n\nLater."},
        "annotations": [
            {"id": 3, "was_cancelled": true, "result": []},
            {
                "id": 4,
                "completed_by": 1,
                "created_at": "2024-05-01T10:00:00.123456Z",
                "updated_at": "2024-05-02T10:00:00.5Z",
                "result": [
                    {"id": "Xa1_bc9QrT", "from_name": "label", "to_name": "text", "type": "labels",
                     "value": {"start": 0, "end": 5, "text": "Alice", "labels": ["PERSON"]}, "origin": "manual"},
                    {"id": "k2", "from_name": "label", "to_name": "text", "type": "labels",
                     "value": {"start": 17, "end": 22, "labels": ["CITY"]}},
                    {"id": "q7", "from_name": "label", "to_name": "text", "type": "labels",
                     "value": {"start": 24, "end": 33, "text": "“We won,”", "labels": ["QUOTE"]}},
                    {"from_id": "Xa1_bc9QrT", "to_id": "q7", "type": "relation", "direction": "left"},
                    {"id": "cue1", "from_name": "cue", "to_name": "text", "type": "labels",
                     "value": {"start": 38, "end": 42, "text": "said", "labels": ["CUE"]}},
                    {"from_id": "q7", "to_id": "cue1", "type": "relation", "direction": "right", "labels": ["CUE"]}
                ]
            }
        ],
        "predictions": [{"result": [{"id": "p", "from_name": "label", "to_name": "text", "type": "labels",
                                     "value": {"start": 10, "end": 13, "labels": ["PERSON"]}}]}]
    }])
}

#[test]
fn a_file_written_by_label_studio_is_read() {
    let got = import(&label_studio_file().to_string(), "project-1-at-2024.json").unwrap();
    assert_eq!(got.problems, vec![]);
    assert_eq!(got.total, 6);
    let b = &got.bundle;
    assert_eq!(b.document.id, "project-1-at-2024", "named after the file");
    assert_eq!(b.document.title, "project-1-at-2024");
    assert!(
        b.document.text().starts_with("Alice met Bob"),
        "the only text field"
    );
    assert_eq!(
        b.labels.entity.last().unwrap(),
        "CITY",
        "an unknown label is added"
    );
    let summary: Vec<String> = b
        .annotations
        .iter()
        .map(|a| format!("{} {} {:?}", a.id, b.document.slice(a.span), a.body))
        .collect();
    // q7 is of Marginalia's form and kept; the others get ids after it.
    assert_eq!(
        summary,
        [
            "e8 Alice Entity { label: \"PERSON\" }",
            "e9 Paris Entity { label: \"CITY\" }",
            "q7 “We won,” Quote { speaker: Some(Ref(\"e8\")), cue: Some(Span { start: 38, end: 42 }), direct: true }",
        ]
    );
    let a = &b.annotations[0];
    assert_eq!(a.created.to_rfc3339(), "2024-05-01T10:00:00.123Z");
    assert_eq!(a.updated.to_rfc3339(), "2024-05-02T10:00:00.500Z");
    restore(b);
}

#[test]
fn one_task_object_predictions_and_legacy_completions() {
    let mut v = label_studio_file();
    let task = v[0].take();
    // One task object, no annotations: its first prediction.
    let mut only_predictions = task.clone();
    only_predictions
        .as_object_mut()
        .unwrap()
        .remove("annotations");
    let got = import(&only_predictions.to_string(), "t.json").unwrap();
    assert_eq!(got.bundle.annotations.len(), 1);
    assert_eq!(
        got.bundle.document.slice(got.bundle.annotations[0].span),
        "Bob"
    );
    // Old exports call annotations "completions".
    let mut legacy = task.clone();
    let anns = legacy
        .as_object_mut()
        .unwrap()
        .remove("annotations")
        .unwrap();
    legacy["completions"] = anns;
    assert_eq!(
        import(&legacy.to_string(), "t.json")
            .unwrap()
            .bundle
            .annotations
            .len(),
        3
    );
    // Neither: the text alone.
    let bare = json!({"data": {"text": "Just text."}});
    let got = import(&bare.to_string(), "bare.label-studio.json").unwrap();
    assert_eq!(got.bundle.document.id, "bare");
    assert!(got.bundle.annotations.is_empty());
}

/// A change to the sample export's JSON, for tables of bad input.
type Edit = Box<dyn FnOnce(&mut Value)>;

fn sample_json() -> Value {
    serde_json::from_str(&export(&bundle_of(&sample_state()))).unwrap()
}

fn import_edited(edit: impl FnOnce(&mut Value)) -> Result<Imported, FileError> {
    let mut v = sample_json();
    edit(&mut v);
    import(&v.to_string(), "sample.json")
}

fn result_mut(v: &mut Value) -> &mut Vec<Value> {
    v[0]["annotations"][0]["result"].as_array_mut().unwrap()
}

#[test]
fn whole_file_errors_are_named() {
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|v| *v = json!([])),
            "This is an empty list: it holds no Label Studio task to read.",
        ),
        (
            Box::new(|v| *v = json!("text")),
            "This is JSON, but not Label Studio tasks: it is a string where a list of tasks was expected.",
        ),
        (Box::new(|v| *v = json!([7])), "The first task is a number, not an object."),
        (
            Box::new(|v| *v = json!({"format": "marginalia"})),
            "This is JSON, but not a Label Studio task: it has no \"data\" object with the text.",
        ),
        (
            Box::new(|v| *v = json!([{"data": {"a": "x", "b": "y"}}])),
            "The task's data has no \"text\" (it has a, b); Marginalia reads the document from data.text.",
        ),
        (
            Box::new(|v| v[0]["data"]["text"] = json!(5)),
            "data.text must be a string, not a number.",
        ),
        (
            Box::new(|v| v[0]["data"]["text"] = json!("a\u{7}b")),
            "The document text contains the control character U+0007 at character 1",
        ),
        (
            Box::new(|v| v[0]["data"]["document_id"] = json!(" ")),
            "data.document_id must be 1–200 characters",
        ),
        (
            Box::new(|v| v[0]["annotations"] = json!({})),
            "\"annotations\" must be a list, not an object.",
        ),
        (
            Box::new(|v| v[0]["annotations"][0] = json!("x")),
            "Annotation 1 of the task is a string, not an object.",
        ),
        (
            Box::new(|v| v[0]["annotations"][0]["result"] = json!({})),
            "The annotation's \"result\" must be a list, not an object.",
        ),
    ];
    for (edit, expected) in cases {
        let err = import_edited(edit).unwrap_err().to_string();
        assert!(
            err.contains(expected),
            "{err:?} should contain {expected:?}"
        );
    }
    let err = import("[{\"data\": ", "x.json").unwrap_err().to_string();
    assert!(
        err.starts_with("This file is not JSON: EOF while parsing"),
        "{err}"
    );
    assert_eq!(
        import_bytes(b"\x89PNG\r\n\x1a\n\0\0", "x.json").unwrap_err(),
        FileError::NotText
    );
}

/// The index of the first result whose `key` is `value`.
fn position(v: &mut Value, pred: impl Fn(&Value) -> bool) -> usize {
    result_mut(v).iter().position(pred).unwrap()
}

/// The `labels` result with this id.
fn region<'v>(v: &'v mut Value, id: &str) -> &'v mut Value {
    let i = position(v, |r| r["id"] == id && r["type"] == "labels");
    &mut result_mut(v)[i]
}

#[test]
fn each_bad_result_is_named_and_the_rest_kept() {
    // The sample's results: 5 annotation regions, 5 per-region results, a cue region, 2 relations.
    let cases: Vec<(Edit, &str, usize)> = vec![
        (
            Box::new(|v| region(v, "e1")["value"]["start"] = json!(-3)),
            "offsets -3..52 are negative",
            4,
        ),
        (
            Box::new(|v| region(v, "e1")["value"]["end"] = json!(99_999)),
            "run past the end of the text (3486 characters)",
            4,
        ),
        (
            Box::new(|v| region(v, "e1")["value"]["start"] = json!(52)),
            "its span 52..52 is empty",
            4,
        ),
        (
            Box::new(|v| region(v, "e1")["value"]["start"] = json!("32")),
            "its start must be a number, not a string",
            4,
        ),
        (
            // Read at its offsets, and said in a note (below).
            Box::new(|v| region(v, "e1")["value"]["text"] = json!("Hayat Tahrir al-Shan")),
            "",
            5,
        ),
        (
            // An annotation of each label (a note says so, below).
            Box::new(|v| region(v, "e1")["value"]["labels"] = json!(["ORG", "GPE"])),
            "",
            6,
        ),
        (
            Box::new(|v| region(v, "e1")["value"]["labels"] = json!(["TWO WORDS"])),
            "contains a space",
            4,
        ),
        (
            Box::new(|v| region(v, "e1")["id"] = json!("e2")),
            "the id e2 is already used by result",
            4,
        ),
        (
            Box::new(move |v| {
                region(v, "e1")["value"] = json!({"start": 36, "end": 52, "labels": ["ORG"]})
            }),
            "", // a shorter ORG span is fine on its own
            5,
        ),
        (
            Box::new(|v| {
                result_mut(v).push(json!({"id": "r", "type": "rectanglelabels", "value": {}}))
            }),
            "it is a “rectanglelabels” result",
            5,
        ),
        (
            Box::new(|v| {
                result_mut(v).push(json!({"id": "e1", "from_name": "two words", "type": "choices", "value": {"choices": ["x"]}}))
            }),
            "its field name cannot be an attribute name in Marginalia",
            5,
        ),
        (
            Box::new(|v| {
                result_mut(v).push(json!({"id": "e1", "from_name": "tone", "type": "choices", "value": {"choices": ["x"]}}));
                result_mut(v).push(json!({"id": "e1", "from_name": "tone", "type": "textarea", "value": {"text": ["y"]}}));
            }),
            "the span e1 already has a “tone”",
            5,
        ),
        (
            Box::new(|v| {
                result_mut(v).push(json!({"id": "q3-cue", "from_name": "tone", "type": "choices", "value": {"choices": ["x"]}}))
            }),
            "its field “tone” is on the span q3-cue, a cue, which has no fields of its own",
            5,
        ),
        (
            Box::new(|v| {
                result_mut(v).push(json!({"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}))
            }),
            "its field “sentiment” belongs to no span (it has no \"id\")",
            5,
        ),
        (
            Box::new(|v| {
                result_mut(v)
                    .push(json!({"id": "e1", "from_name": "size", "type": "number", "value": {}}))
            }),
            "its value has no \"number\"",
            5,
        ),
        (
            Box::new(|v| {
                result_mut(v).push(json!({"id": "e404", "from_name": "note", "type": "textarea", "value": {"text": ["x"]}}))
            }),
            "its span e404 is not a span in the file",
            5,
        ),
        (
            Box::new(|v| {
                result_mut(v).push(json!({"from_id": "e1", "to_id": "q3-cue", "type": "relation", "labels": ["near"]}))
            }),
            "its “near” relation ends at the span q3-cue, a cue",
            5,
        ),
        (
            Box::new(|v| {
                result_mut(v).push(
                    json!({"from_id": "e1", "to_id": "e1", "type": "relation", "labels": ["same"]}),
                )
            }),
            "the span e1 is related to itself",
            5,
        ),
        (
            Box::new(|v| {
                result_mut(v).push(
                    json!({"from_id": "e1", "to_id": "e2", "type": "relation", "direction": "up"}),
                )
            }),
            "its direction “up” is not right, left or bi",
            5,
        ),
        (
            Box::new(|v| {
                result_mut(v).push(
                    json!({"from_id": "e1", "to_id": "e2", "type": "relation", "labels": ["a b"]}),
                )
            }),
            "its type cannot be a relation type in Marginalia",
            5,
        ),
        (
            Box::new(|v| {
                result_mut(v).push(json!({"from_id": "e1", "to_id": "e2", "type": "relation", "labels": ["Near", "Near"]}))
            }),
            "it repeats the “Near” relation from the span e1 to the span e2",
            5,
        ),
        (
            Box::new(|v| {
                let i = position(v, |r| r["labels"][0] == "SPEAKER");
                let again = result_mut(v)[i].clone();
                result_mut(v).push(again);
            }),
            "it repeats the SPEAKER link of the span q3",
            5,
        ),
        (
            Box::new(|v| {
                let i = position(v, |r| r["labels"][0] == "CUE" && r["type"] == "relation");
                let mut again = result_mut(v)[i].clone();
                again["to_id"] = json!("e1");
                again["from_id"] = json!("q3-cue");
                again["direction"] = json!("left");
                result_mut(v).push(again);
            }),
            "its “CUE” relation ends at the span q3-cue, a cue",
            5,
        ),
        (
            Box::new(|v| {
                let i = position(v, |r| r["labels"][0] == "CUE" && r["type"] == "relation");
                result_mut(v).remove(i);
            }),
            "it is a cue (CUE) that no quote links to by a CUE relation",
            5,
        ),
        (
            Box::new(|v| {
                let i = position(v, |r| r["from_name"] == "checkworthiness");
                result_mut(v)[i]["value"]["choices"] = json!(["CFS", "UFS"]);
            }),
            "its choices must hold one check-worthiness value",
            5,
        ),
    ];
    for (edit, expected, kept) in cases {
        let got = import_edited(edit).unwrap();
        let messages: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
        if expected.is_empty() {
            assert_eq!(messages, Vec::<String>::new());
        } else {
            assert_eq!(messages.len(), 1, "{messages:?}");
            assert!(
                messages[0].contains(expected),
                "{:?} should contain {expected:?}",
                messages[0]
            );
        }
        assert_eq!(got.bundle.annotations.len(), kept, "{messages:?}");
        restore(&got.bundle);
    }
}

#[test]
fn a_link_to_an_invalid_region_is_a_problem_too() {
    // The quote's speaker is e2. Break e2: the relation goes, the quote stays without speaker.
    let got = import_edited(|v| {
        let i = position(v, |r| r["id"] == "e2" && r["type"] == "labels");
        result_mut(v)[i]["value"]["labels"] = json!(["TWO WORDS"]);
    })
    .unwrap();
    let messages: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[1].contains("its end e2 is itself invalid"),
        "{messages:?}"
    );
    let quote = got
        .bundle
        .annotations
        .iter()
        .find(|a| a.id == "q3")
        .unwrap();
    assert_eq!(quote.body.party(), None);
    restore(&got.bundle);
}

#[test]
fn utf16_offsets_of_old_label_studio_versions_are_recognised() {
    // "💩This is an annotation.": old versions wrote 13..23 for "annotation" (#1347).
    let file = json!([{"data": {"text": "💩This is an annotation."}, "annotations": [{"result": [
        {"id": "a", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 13, "end": 23, "text": "annotation", "labels": ["ORG"]}}]}]}]);
    // Read at its offsets (what Label Studio itself shows), and said.
    let got = import(&file.to_string(), "old.json").unwrap();
    assert_eq!(got.problems, vec![]);
    assert_eq!(got.bundle.annotations[0].span, Span::new(13, 23));
    let message = &got.notes[0];
    assert!(
        message.contains("its text “annotation” is not the document's text at 13..23; it is imported as e1 at its offsets, over “nnotation.”")
            && message.contains("read as UTF-16 units the offsets would fit"),
        "{message}"
    );
    // In code points it is 12..22, and read.
    let file = file.to_string().replace("13", "12").replace("23", "22");
    let got = import(&file, "new.json").unwrap();
    assert_eq!(got.problems, vec![]);
    assert_eq!(got.bundle.annotations[0].span, Span::new(12, 22));
}

#[test]
fn the_format_is_registered_and_detected() {
    let f = Format::parse("label-studio").unwrap();
    assert_eq!(f, Format::LabelStudio);
    assert_eq!(f.title(), "Label Studio JSON");
    assert_eq!(
        f.file_name("damascus-2024-12-08"),
        "damascus-2024-12-08.label-studio.json"
    );
    assert!(f.can_import());
    let bytes = f.export(&bundle_of(&sample_state()));
    assert_eq!(
        Format::detect("export.json", &bytes),
        Some(Format::LabelStudio)
    );
    assert_eq!(
        Format::detect("a.label-studio.json", b""),
        Some(Format::LabelStudio)
    );
    let native_bytes = Format::Native.export(&bundle_of(&sample_state()));
    assert_eq!(
        Format::detect("a.json", &native_bytes),
        Some(Format::Native)
    );
    let back = f.import(&bytes, "whatever.json").unwrap();
    assert_eq!(back.bundle.document.id, "damascus-2024-12-08");
}

#[test]
fn the_labeling_config_names_every_label_and_escapes() {
    let labels = Labels {
        entity: vec!["ORG".into(), "A&B\"<x>".into()],
        checkworthiness: vec!["CFS".into()],
    };
    let x = labeling_config(&labels);
    assert!(x.contains("<Label value=\"A&amp;B&quot;&lt;x&gt;\"/>"));
    assert!(x.contains("<Choice value=\"CFS\"/>"));
    for name in [
        "label",
        "cue",
        "direct",
        "checkworthiness",
        "speaker",
        "claimant",
        "note",
    ] {
        assert!(x.contains(&format!("name=\"{name}\"")), "{name}");
    }
}

// ---- round trip as a property over random states ----

fn arb_state() -> impl Strategy<Value = State> {
    crate::formats::testing::arb_state("p", crate::formats::testing::PROPERTY_TEXT, 80, 15)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// import(export(s)) == s but for times, which the format holds once per file.
    #[test]
    fn import_of_export_is_identity_but_times(state in arb_state()) {
        let bundle = Bundle::from_state(&state, "someone");
        let back = import(&export(&bundle), "p.json").unwrap();
        prop_assert_eq!(&back.problems, &vec![]);
        let untimed = |b: &Bundle| -> Vec<Annotation> {
            b.annotations.iter().map(|a| Annotation { created: T0, updated: T0, ..a.clone() }).collect()
        };
        prop_assert_eq!(untimed(&back.bundle), untimed(&bundle));
        prop_assert_eq!(&back.bundle.document, &bundle.document);
        prop_assert_eq!(&back.bundle.annotator, "someone");
        prop_assert_eq!(&back.bundle.labels, &bundle.labels);
        if let Some(first) = back.bundle.annotations.first() {
            prop_assert_eq!(first.created, bundle.annotations.iter().map(|a| a.created).min().unwrap());
            prop_assert_eq!(first.updated, bundle.annotations.iter().map(|a| a.updated).max().unwrap());
        }
        restore(&back.bundle);
    }
}

#[test]
fn the_sample_has_what_the_tests_expect() {
    // Guards the indices the tables above rely on.
    let b = bundle_of(&sample_state());
    let mut ids: Vec<&str> = b.annotations.iter().map(|a| a.id.as_str()).collect();
    crate::model::sort::sort_by(&mut ids, Ord::cmp);
    assert_eq!(ids, ["c5", "e1", "e2", "e4", "q3"]);
    assert_eq!(
        b.document.slice(find(&b.document, "Rebel forces")),
        "Rebel forces"
    );
    let _ = T0;
}

// ---- the open schema: relations of any type, fields of regions as attributes ----

/// A task over "Ann met Bob and Cy. “Go,” Ann said. Dee claims rain.", with `result`.
fn open_task(result: Value) -> Value {
    json!([{"data": {"text": "Ann met Bob and Cy. “Go,” Ann said. Dee claims rain."},
            "annotations": [{"result": result}]}])
}

fn span_region(id: &str, start: usize, end: usize, label: &str) -> Value {
    json!({"id": id, "from_name": "label", "to_name": "text", "type": "labels",
           "value": {"start": start, "end": end, "labels": [label]}})
}

fn rel(from: &str, to: &str, direction: &str, labels: Value) -> Value {
    json!({"from_id": from, "to_id": to, "type": "relation", "direction": direction, "labels": labels})
}

fn field(id: &str, name: &str, kind: &str, value: Value) -> Value {
    json!({"id": id, "from_name": name, "to_name": "text", "type": kind, "value": value})
}

/// The regions of [`open_task`]: Ann (e1), Bob (e2), Cy (e3), the quote (q4), Ann again
/// (e5), Dee (e6), the claim (c7); random ids for Bob and Cy.
fn open_regions() -> Vec<Value> {
    vec![
        span_region("e1", 0, 3, "PERSON"),
        span_region("Xb0b", 8, 11, "PERSON"),
        span_region("Zcy", 16, 18, "PERSON"),
        span_region("q4", 20, 26, "QUOTE"),
        span_region("e5", 27, 30, "PERSON"),
        span_region("e6", 36, 39, "PERSON"),
        span_region("c7", 36, 51, "CLAIM"),
    ]
}

/// Each annotation's relations as "from type to (attributes)".
fn relations_summary(b: &Bundle) -> Vec<String> {
    b.annotations
        .iter()
        .flat_map(|a| {
            a.extra().relations.iter().map(move |r| {
                let attrs: Vec<String> = r
                    .attributes
                    .iter()
                    .map(|(n, v)| format!("{n}={v:?}"))
                    .collect();
                format!("{} {} {} {}", a.id, r.kind, r.target, attrs.join(","))
                    .trim_end()
                    .to_string()
            })
        })
        .collect()
}

fn by_id<'b>(b: &'b Bundle, id: &str) -> &'b Annotation {
    b.annotations.iter().find(|a| a.id == id).unwrap()
}

#[test]
fn relations_of_any_type_direction_and_labels_are_read() {
    let mut result = open_regions();
    result.extend([
        rel("e1", "Xb0b", "right", json!(["Knows"])),
        // left: from Cy to Ann.
        rel("e1", "Zcy", "left", json!(["Employs"])),
        rel("Xb0b", "Zcy", "bi", json!(["Near"])),
        // Several labels: a relation each.
        rel("Zcy", "e6", "right", json!(["Ally", "Rival"])),
        // No label, between entities: the default type.
        rel("e6", "e1", "right", json!([])),
        json!({"from_id": "e6", "to_id": "Xb0b", "type": "relation"}),
        // Marginalia's links: the quote's speaker (unlabelled, the slot is free), then
        // another SPEAKER, which is a relation of that type; SPEAKER plus another label.
        rel("e5", "q4", "right", json!([])),
        rel("q4", "e1", "right", json!(["SPEAKER"])),
        rel("c7", "e6", "right", json!(["CLAIMANT", "Source"])),
        // A CUE label between entities is a relation of that type.
        rel("e1", "e5", "right", json!(["CUE"])),
    ]);
    let got = import(&open_task(Value::Array(result)).to_string(), "r.json").unwrap();
    assert_eq!(got.problems, vec![]);
    assert_eq!(got.notes, Vec::<String>::new());
    let b = &got.bundle;
    let ids: Vec<&str> = b.annotations.iter().map(|a| a.id.as_str()).collect();
    // Bob and Cy get ids after the file's own (c7 is the highest).
    assert_eq!(ids, ["e1", "e8", "e9", "q4", "e5", "e6", "c7"]);
    assert_eq!(
        relations_summary(b),
        [
            "e1 Knows e8",
            "e1 CUE e5",
            "e8 Near e9 direction=Text(\"bi\")",
            "e9 Employs e1",
            "e9 Ally e6",
            "e9 Rival e6",
            "q4 SPEAKER e1",
            "e6 relation e1",
            "e6 relation e8",
            "c7 Source e6",
        ]
    );
    assert_eq!(by_id(b, "q4").body.party(), Some(&Party::Ref("e5".into())));
    assert_eq!(by_id(b, "c7").body.party(), Some(&Party::Ref("e6".into())));
    restore(b);
}

#[test]
fn fields_of_regions_are_attributes() {
    let mut result = open_regions();
    result.extend([
        field("e1", "sentiment", "choices", json!({"start": 0, "end": 3, "choices": ["Positive"]})),
        // A checkbox: the choice is the field's own name.
        field("e1", "important", "choices", json!({"choices": ["important"]})),
        field("e1", "topics", "choices", json!({"choices": ["sport", "rain"]})),
        field("Xb0b", "comment", "textarea", json!({"text": ["first line", "second"]})),
        field("Xb0b", "age", "number", json!({"number": 41.5})),
        field("Xb0b", "stars", "rating", json!({"rating": 4})),
        field("Zcy", "kind", "taxonomy", json!({"taxonomy": [["Person", "Artist"], ["Place"]]})),
        field("Zcy", "when", "datetime", json!({"datetime": "2024-12-08"})),
        // Marginalia's fields keep their meaning where they fit …
        field("q4", "direct", "choices", json!({"choices": ["indirect"]})),
        field("c7", "checkworthiness", "choices", json!({"choices": ["CFS"]})),
        field("e6", "note", "textarea", json!({"text": ["a note"]})),
        // … and are attributes where they do not.
        field("e5", "direct", "choices", json!({"choices": ["direct"]})),
        field("e5", "speaker", "textarea", json!({"text": ["Ann"]})),
        // A field of a region that is not in the file, and of none at all.
        field("e404", "sentiment", "choices", json!({"choices": ["Negative"]})),
        json!({"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["News"]}}),
    ]);
    let got = import(&open_task(Value::Array(result)).to_string(), "f.json").unwrap();
    let problems: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        problems,
        [
            "annotation 21 (e404): its span e404 is not a span in the file",
            "annotation 22: its field “topic” belongs to no span (it has no \"id\"); Marginalia holds fields of spans, not of the whole document",
        ]
    );
    let b = &got.bundle;
    let attrs = |id: &str| -> Vec<(String, AttrValue)> { by_id(b, id).extra().attributes.clone() };
    let text = |n: &str, v: &str| (n.to_string(), AttrValue::Text(v.into()));
    assert_eq!(
        attrs("e1"),
        [
            ("important".to_string(), AttrValue::Flag),
            text("sentiment", "Positive"),
            text("topics", "sport; rain"),
        ]
    );
    assert_eq!(
        attrs("e8"),
        [
            text("age", "41.5"),
            text("comment", "first line\nsecond"),
            text("stars", "4"),
        ]
    );
    assert_eq!(
        attrs("e9"),
        [
            text("kind", "Person / Artist; Place"),
            text("when", "2024-12-08")
        ]
    );
    // (choices ["direct"] of the field direct: a checkbox, so a flag.)
    assert_eq!(
        attrs("e5"),
        [
            ("direct".to_string(), AttrValue::Flag),
            text("speaker", "Ann")
        ]
    );
    assert!(matches!(
        by_id(b, "q4").body,
        Body::Quote { direct: false, .. }
    ));
    assert!(
        matches!(&by_id(b, "c7").body, Body::Claim { checkworthiness: Some(c), .. } if c == "CFS")
    );
    assert_eq!(by_id(b, "e6").note, "a note");
    assert!(attrs("q4").is_empty() && attrs("c7").is_empty() && attrs("e6").is_empty());
    restore(b);
    // And back: import → export → import gives the same bundle.
    let again = import(&export(b), "f.json").unwrap();
    assert_eq!(again.problems, vec![]);
    assert_eq!(&again.bundle, b);
}

#[test]
fn relations_and_attributes_are_written_as_label_studio_reads_them() {
    let mut result = open_regions();
    result.extend([
        rel("e1", "Xb0b", "bi", json!(["Near"])),
        rel("e1", "Zcy", "left", json!(["Employs"])),
        rel("e6", "e1", "right", json!([])),
        field(
            "e1",
            "important",
            "choices",
            json!({"choices": ["important"]}),
        ),
        field(
            "e1",
            "sentiment",
            "choices",
            json!({"choices": ["Positive"]}),
        ),
        // An attribute named like Marginalia's note field, on an entity.
        field("e1", "note", "choices", json!({"choices": ["not a note"]})),
    ]);
    let got = import(&open_task(Value::Array(result)).to_string(), "w.json").unwrap();
    assert_eq!(got.problems, vec![]);
    let out: Value = serde_json::from_str(&export(&got.bundle)).unwrap();
    let results = out[0]["annotations"][0]["result"].as_array().unwrap();
    let relations: Vec<&Value> = results.iter().filter(|r| r["type"] == "relation").collect();
    assert_eq!(
        relations,
        [
            &json!({"from_id": "e1", "to_id": "e8", "type": "relation", "direction": "bi", "labels": ["Near"]}),
            &json!({"from_id": "e9", "to_id": "e1", "type": "relation", "direction": "right", "labels": ["Employs"]}),
            &json!({"from_id": "e6", "to_id": "e1", "type": "relation", "direction": "right", "labels": []}),
        ]
    );
    let fields: Vec<&Value> = results
        .iter()
        .filter(|r| r["id"] == "e1" && r["type"] != "labels")
        .collect();
    assert_eq!(
        fields,
        [
            &json!({"id": "e1", "from_name": "important", "to_name": "text", "type": "choices", "value": {"start": 0, "end": 3, "choices": ["important"]}}),
            // A text area named note would read back as the note: a choice instead.
            &json!({"id": "e1", "from_name": "note", "to_name": "text", "type": "choices", "value": {"start": 0, "end": 3, "choices": ["not a note"]}}),
            &json!({"id": "e1", "from_name": "sentiment", "to_name": "text", "type": "textarea", "value": {"start": 0, "end": 3, "text": ["Positive"]}}),
        ]
    );
    assert_eq!(
        import(&out.to_string(), "w.json").unwrap().bundle,
        got.bundle
    );
}

#[test]
fn an_unlabelled_relation_that_would_read_back_as_a_link_is_written_with_its_type() {
    // A relation of the default type from a quote without speaker to an entity: written
    // without a label it would come back as the speaker.
    let mut result = open_regions();
    result.extend([
        rel("q4", "e5", "right", json!(["relation"])),
        rel("e1", "c7", "right", json!(["relation"])),
    ]);
    let got = import(&open_task(Value::Array(result)).to_string(), "u.json").unwrap();
    assert_eq!(
        relations_summary(&got.bundle),
        ["e1 relation c7", "q4 relation e5"]
    );
    assert_eq!(by_id(&got.bundle, "q4").body.party(), None);
    let out = export(&got.bundle);
    let v: Value = serde_json::from_str(&out).unwrap();
    let labelled = v[0]["annotations"][0]["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "relation" && r["labels"] == json!(["relation"]))
        .count();
    assert_eq!(labelled, 2, "{out}");
    assert_eq!(import(&out, "u.json").unwrap().bundle, got.bundle);
}

#[test]
fn the_open_schema_sample_keeps_its_relations_and_attributes() {
    // What Label Studio's results hold of the open schema comes back; the rest is the
    // documented loss: fragments, events, normalisations, typed notes, and a relation's
    // roles, attributes (but direction=bi) and note.
    let bundle = crate::formats::testing::open_schema_bundle();
    let back = import(&export(&bundle), "o.json").unwrap();
    assert_eq!(back.problems, vec![]);
    let mut expected = bundle.clone();
    for a in &mut expected.annotations {
        if let Some(e) = a.extra.as_deref_mut() {
            e.fragments.clear();
            e.event = None;
            e.norms.clear();
            e.notes.clear();
            for r in &mut e.relations {
                r.roles = None;
                r.note.clear();
                r.attributes
                    .retain(|(n, v)| n == DIRECTION_ATTRIBUTE && *v == AttrValue::Text(BI.into()));
            }
        }
        a.tidy_extra();
    }
    assert_eq!(back.bundle, expected);
    assert_eq!(
        relations_summary(&back.bundle),
        ["e4 Family e5", "e6 Origin e7", "c11 About e8"]
    );
    restore(&back.bundle);
}

#[test]
fn a_flag_named_like_a_choice_of_marginalia_is_not_written() {
    // `direct` on a quote is Marginalia's choice: a flag of that name cannot be told apart.
    let mut b = bundle_of(&sample_state());
    let q = b.annotations.iter_mut().find(|a| a.id == "q3").unwrap();
    q.extra_mut().attributes = vec![
        ("direct".into(), AttrValue::Flag),
        ("speaker".into(), AttrValue::Text("aside".into())),
    ];
    let back = import(&export(&b), "d.json").unwrap();
    assert_eq!(back.problems, vec![]);
    let q = by_id(&back.bundle, "q3");
    assert_eq!(
        q.extra().attributes,
        [("speaker".to_string(), AttrValue::Text("aside".into()))]
    );
}

#[test]
fn a_source_naming_a_missing_field_and_a_text_key_other_than_text_are_said() {
    let file = json!({"data": {"ner": "Alice met Bob."}, "annotations": [{"result": [
        {"id": "a", "from_name": "label", "to_name": "text", "source": "$text", "type": "labels",
         "value": {"start": 10, "end": 13, "text": "Bob", "labels": ["PERSON"]}}]}]});
    let got = import(&file.to_string(), "s.json").unwrap();
    assert_eq!(got.problems, vec![]);
    assert_eq!(
        got.notes,
        [
            "The task has no data.text: the document is data.ner, its only text field.",
            "Result 1 says its text is data.text (\"source\": \"$text\"), which the task does not have; it is read against data.ner.",
        ]
    );
    // A source naming another field of the task: the span is of another text.
    let file = json!({"data": {"text": "Alice met Bob.", "other": "Something else."}, "annotations": [{"result": [
        {"id": "a", "from_name": "label", "to_name": "text", "source": "$other", "type": "labels",
         "value": {"start": 0, "end": 9, "labels": ["PERSON"]}},
        {"id": "b", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 10, "end": 13, "labels": ["PERSON"]}},
        {"from_id": "b", "to_id": "a", "type": "relation", "labels": ["Knows"]}]}]});
    let got = import(&file.to_string(), "s.json").unwrap();
    assert_eq!(got.bundle.annotations.len(), 1);
    let problems: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        problems,
        [
            "annotation 1 (a): its source is $other, another field of the task than the text Marginalia reads (data.text)",
            "annotation 3: its end a is itself invalid",
        ]
    );
}

#[test]
fn a_text_that_disagrees_with_the_offsets_is_read_at_them_and_said() {
    let got = import_edited(|v| region(v, "e1")["value"]["text"] = json!("Hayat Tahrir al-Shan"))
        .unwrap();
    assert_eq!(got.problems, vec![]);
    assert_eq!(got.bundle, bundle_of(&sample_state()));
    assert_eq!(
        got.notes,
        ["Result 1 (e1): its text “Hayat Tahrir al-Shan” is not the document's text at 32..52; it is imported as e1 at its offsets, over “Hayat Tahrir al-Sham”."]
    );
}

// ---- the open schema's round trip as a property ----

/// A state of [`arb_state`] with relations and attributes of the open schema added: what
/// Label Studio's results carry, so that import(export(b)) == b (but times).
fn arb_open_bundle() -> impl Strategy<Value = Bundle> {
    let kinds = ["relation", "Family", "CUE", "About", "SPEAKER", "CLAIMANT"];
    let names = [
        "Tone",
        "note",
        "direct",
        "speaker",
        "checkworthiness",
        "Mention",
    ];
    (
        arb_state(),
        proptest::collection::vec((0usize..20, 0usize..20, 0usize..6, any::<bool>()), 0..12),
        proptest::collection::vec((0usize..20, 0usize..6, 0usize..4), 0..12),
    )
        .prop_map(move |(state, rels, attrs)| {
            let mut b = Bundle::from_state(&state, "someone");
            let n = b.annotations.len();
            if n == 0 {
                return b;
            }
            for (from, to, k, bi) in rels {
                let (from, to) = (from % n, to % n);
                let kind = kinds[k];
                let (fa, ta) = (&b.annotations[from], &b.annotations[to]);
                if from == to {
                    continue;
                }
                // A SPEAKER or CLAIMANT where the quote or claim has no link yet reads back as
                // the link (documented): left out here.
                if matches!(kind, "SPEAKER" | "CLAIMANT") && link_kinds(fa.kind(), ta.kind()) {
                    let owner = if fa.kind() == Kind::Entity { ta } else { fa };
                    if owner.body.party().is_none() {
                        continue;
                    }
                }
                if let Some(Party::Ref(p)) = fa.body.party() {
                    let link = crate::formats::labelled_spans::link_label(fa.kind());
                    if *p == ta.id && kind == link {
                        continue; // the link itself
                    }
                }
                if let Some(Party::Ref(p)) = ta.body.party() {
                    let link = crate::formats::labelled_spans::link_label(ta.kind());
                    if *p == fa.id && kind == link && fa.kind() == Kind::Entity {
                        continue; // the link, the other way round
                    }
                }
                let target = ta.id.clone();
                let e = b.annotations[from].extra_mut();
                if e.relations
                    .iter()
                    .any(|r| r.kind == kind && r.target == target)
                {
                    continue;
                }
                e.relations.push(Relation {
                    kind: kind.into(),
                    target,
                    roles: None,
                    attributes: if bi {
                        vec![(DIRECTION_ATTRIBUTE.into(), AttrValue::Text(BI.into()))]
                    } else {
                        Vec::new()
                    },
                    note: String::new(),
                });
            }
            for (at, name, v) in attrs {
                let a = &mut b.annotations[at % n];
                let name = names[name];
                let value = match v {
                    0 => AttrValue::Flag,
                    1 => AttrValue::Text(String::new()),
                    2 => AttrValue::Text("two\nlines; and more".into()),
                    _ => AttrValue::Text("Name".into()),
                };
                // A flag named like Marginalia's choice of that kind is not written
                // (documented).
                if value == AttrValue::Flag && is_builtin_field(a.kind(), name, "choices") {
                    continue;
                }
                let attrs = &mut a.extra_mut().attributes;
                if !attrs.iter().any(|(n, _)| n == name) {
                    attrs.push((name.into(), value));
                    sort::sort_by(attrs, |x, y| x.0.cmp(&y.0));
                }
            }
            b
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Relations of any type and attributes survive export and import.
    #[test]
    fn the_open_schema_parts_label_studio_carries_round_trip(bundle in arb_open_bundle()) {
        let back = import(&export(&bundle), "p.json").unwrap();
        prop_assert_eq!(&back.problems, &vec![]);
        let untimed = |b: &Bundle| -> Vec<Annotation> {
            b.annotations.iter().map(|a| Annotation { created: T0, updated: T0, ..a.clone() }).collect()
        };
        prop_assert_eq!(untimed(&back.bundle), untimed(&bundle));
        restore(&back.bundle);
    }
}

#[test]
fn the_labeling_config_declares_the_open_schema_parts_used() {
    let b = crate::formats::testing::open_schema_bundle();
    let mut more = bundle_of(&sample_state());
    let e1 = more.annotations.iter_mut().find(|a| a.id == "e1").unwrap();
    e1.extra_mut().attributes = vec![
        ("Individual".into(), AttrValue::Text("yes".into())),
        ("note".into(), AttrValue::Text("an attribute".into())),
    ];
    let x = labeling_config_for(&b.labels, &[b.clone(), more]);
    for r in ["About", "Family", "Origin"] {
        assert!(
            x.contains(&format!("    <Relation value=\"{r}\"/>\n")),
            "{r}"
        );
    }
    // A flag in one bundle, a value in the other: a text area.
    assert!(x.contains("  <TextArea name=\"Individual\" toName=\"text\" perRegion=\"true\" maxSubmissions=\"1\"/>\n"));
    assert!(x.contains("  <TextArea name=\"Mention\" "));
    assert!(x.contains("  <TextArea name=\"Tone\" "));
    assert_eq!(x.matches("name=\"note\"").count(), 1, "{x}");
    // Flags alone: choices of their own name.
    let mut flags = b.clone();
    for a in &mut flags.annotations {
        a.extra_mut()
            .attributes
            .retain(|(_, v)| *v == AttrValue::Flag);
        a.extra_mut().relations.clear();
        a.tidy_extra();
    }
    let x = labeling_config_for(&flags.labels, std::slice::from_ref(&flags));
    assert!(x.contains("  <Choices name=\"Individual\" toName=\"text\" perRegion=\"true\" choice=\"multiple\">\n    <Choice value=\"Individual\"/>\n  </Choices>\n"), "{x}");
    assert!(!x.contains("About"));
    assert_eq!(
        labeling_config_for(&Labels::default(), &[]),
        labeling_config(&Labels::default())
    );
}

#[test]
fn a_region_of_several_labels_is_an_annotation_of_each() {
    let mut result = open_regions();
    result[0]["value"]["labels"] = json!(["PERSON", "ORG", "PERSON"]);
    result.extend([
        field("e1", "tone", "textarea", json!({"text": ["warm"]})),
        rel("e1", "e6", "right", json!(["Knows"])),
    ]);
    let got = import(&open_task(Value::Array(result)).to_string(), "m.json").unwrap();
    assert_eq!(got.problems, vec![]);
    assert_eq!(
        got.notes,
        ["Result 1 (e1): it has 3 labels (PERSON, ORG, PERSON), and Marginalia gives a span one: it is read as an annotation of each over the same span; its fields and relations are the first's."]
    );
    let b = &got.bundle;
    let at_ann: Vec<(&str, Option<&str>)> = b
        .annotations
        .iter()
        .filter(|a| a.span == Span::new(0, 3))
        .map(|a| (a.id.as_str(), a.body.label()))
        .collect();
    assert_eq!(at_ann, [("e1", Some("PERSON")), ("e8", Some("ORG"))]);
    assert_eq!(relations_summary(b), ["e1 Knows e6"]);
    assert_eq!(by_id(b, "e1").extra().attributes.len(), 1);
    assert!(by_id(b, "e8").extra.is_none());
    restore(b);
    // Written back as two regions, and read back the same.
    assert_eq!(import(&export(b), "m.json").unwrap().bundle, *b);
}
