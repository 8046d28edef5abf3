//! Native format tests: a golden file, round trips (also as a property over random states),
//! offsets in hard text, and every validation error as a table.

use std::rc::Rc;

use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;
use crate::formats::testing::{assert_golden, find, sample_state};
use crate::model::{Action, State};

use crate::formats::testing::{bundle_of, T0};

#[test]
fn golden_export_of_a_fixed_state() {
    let out = export(&bundle_of(&sample_state()));
    assert_golden("native/damascus.marginalia.json", &out);
}

#[test]
fn export_is_deterministic_sorted_and_exact() {
    let state = sample_state();
    let a = export(&bundle_of(&state));
    assert_eq!(a, export(&bundle_of(&state)), "same state, same bytes");
    let v: Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v["format"], "marginalia");
    assert_eq!(v["version"], 1);
    assert_eq!(v["offsets"], "codepoint");
    assert_eq!(
        v["document"]["sha256"],
        "46cd13eee9e24a36a4fc567bcf178c121fd90de106398890f754669aa5e3f443"
    );
    let text: Vec<char> = v["document"]["text"].as_str().unwrap().chars().collect();
    let anns = v["annotations"].as_array().unwrap();
    let mut last = (0, 0);
    for a in anns {
        let (s, e) = (
            a["start"].as_u64().unwrap() as usize,
            a["end"].as_u64().unwrap() as usize,
        );
        assert!((s, e) >= last, "sorted by (start, end)");
        last = (s, e);
        let slice: String = text[s..e].iter().collect();
        assert_eq!(
            a["text"],
            slice.as_str(),
            "text == document.text[start:end]"
        );
    }
    // Field order of an entity, as documented.
    let first = a.find("\"id\": \"e1\"").unwrap();
    let tail = &a[first..];
    let order: Vec<usize> = [
        "\"id\"",
        "\"kind\"",
        "\"label\"",
        "\"start\"",
        "\"end\"",
        "\"text\"",
        "\"note\"",
        "\"created\"",
        "\"updated\"",
    ]
    .iter()
    .map(|k| tail.find(k).unwrap())
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "fields in the documented order"
    );
}

#[test]
fn round_trip_keeps_everything() {
    let state = sample_state();
    let bundle = bundle_of(&state);
    let back = import(&export(&bundle)).unwrap();
    assert_eq!(back.problems, vec![]);
    assert_eq!(back.total, bundle.annotations.len());
    assert_eq!(back.bundle, bundle);
}

#[test]
fn offsets_survive_hard_text() {
    // Emoji, a ZWJ family, combining marks, CRLF and Arabic: offsets are code points.
    let text = "“😀” 👨‍👩‍👧 family\r\n\r\nre\u{301}sume\u{301} in دمشق\r\nnext";
    let doc = Rc::new(Document::new("hard-text", "Hard text", text));
    let mut s = State::new(doc.clone());
    for (needle, label) in [
        ("👨‍👩‍👧", "PERSON"),
        ("re\u{301}sume\u{301}", "EVENT"),
        ("دمشق", "GPE"),
        ("😀", "ORG"),
    ] {
        s.apply(
            Action::Create {
                span: find(&doc, needle),
                body: Body::Entity {
                    label: label.into(),
                },
                note: String::new(),
            },
            T0,
        )
        .unwrap();
    }
    let out = export(&Bundle::from_state(&s, ""));
    assert_golden("native/hard-text.marginalia.json", &out);
    let v: Value = serde_json::from_str(&out).unwrap();
    let spans: Vec<(u64, u64, &str)> = v["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["start"].as_u64().unwrap(),
                a["end"].as_u64().unwrap(),
                a["text"].as_str().unwrap(),
            )
        })
        .collect();
    // Python: text.index("😀") == 1, the family starts at 4 and is 5 code points long, …
    assert_eq!(
        spans,
        vec![
            (1, 2, "😀"),
            (4, 9, "👨‍👩‍👧"),
            (20, 28, "re\u{301}sume\u{301}"),
            (32, 36, "دمشق"),
        ]
    );
    let back = import(&out).unwrap();
    assert_eq!(back.bundle.document.text(), text, "CRLF kept exactly");
    assert_eq!(
        back.bundle.annotations,
        s.annotations()
            .iter()
            .map(|a| (**a).clone())
            .collect::<Vec<_>>()
    );
}

/// A change to a file's JSON, for a table of bad inputs.
type Edit = Box<dyn FnOnce(&mut Value)>;

/// The sample file as JSON, changed by `edit`, then imported.
fn import_edited(edit: impl FnOnce(&mut Value)) -> Result<Imported, FileError> {
    let mut v: Value = serde_json::from_str(&export(&bundle_of(&sample_state()))).unwrap();
    edit(&mut v);
    import(&v.to_string())
}

#[test]
fn whole_file_errors_are_named() {
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|v| *v = json!([1, 2])),
            "This is JSON, but not a Marginalia file: it is a list where an object was expected.",
        ),
        (
            Box::new(|v| *v = json!({"hello": "world"})),
            "it has no \"format\": \"marginalia\"",
        ),
        (
            Box::new(|v| v["format"] = json!("brat")),
            "its \"format\" is \"brat\"",
        ),
        (
            Box::new(|v| v["version"] = json!(2)),
            "This file is Marginalia format version 2; this Marginalia reads version 1.",
        ),
        (
            Box::new(|v| v["offsets"] = json!("utf16")),
            "counts offsets in \"utf16\"",
        ),
        (
            Box::new(|v| v["document"]["text"] = json!("changed")),
            "document.sha256 does not match the document's text",
        ),
        (
            Box::new(|v| {
                v["document"]["text"] = json!("a\u{0}b");
                v["document"]["sha256"] = json!(sha256_hex("a\u{0}b"));
            }),
            "The document text contains a NUL character (U+0000) at character 1",
        ),
        (
            Box::new(|v| v["labels"]["entity"] = json!(["ORG", "ORG"])),
            "The file's labels are not valid: entity labels: “ORG” appears twice.",
        ),
        (
            Box::new(|v| v["annotations"] = json!({})),
            "\"annotations\" must be a list, not an object.",
        ),
        (
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("document");
            }),
            "The file has no \"document\" object.",
        ),
    ];
    for (edit, expected) in cases {
        let err = import_edited(edit).unwrap_err().to_string();
        assert!(
            err.contains(expected),
            "{err:?} should contain {expected:?}"
        );
    }
    let err = import("{\"format\": \"marginalia\",")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("This file is not JSON: EOF while parsing"),
        "{err}"
    );
    assert!(err.contains("(line 1, column 24)"), "{err}");
    assert_eq!(
        import_bytes(b"\x89PNG\r\n\x1a\n\0\0").unwrap_err(),
        FileError::NotText
    );
}

#[test]
fn each_bad_annotation_is_named_and_the_rest_kept() {
    // Annotation indices in the sample: 0 HTS(e1), 1 Rebel forces(e2), 2 claim(c5) …
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|v| v["annotations"][0]["start"] = json!(-3)),
            "offsets -3..52 are negative",
        ),
        (
            Box::new(|v| v["annotations"][0]["end"] = json!(99_999)),
            "run past the end of the text (3486 characters)",
        ),
        (
            Box::new(|v| {
                v["annotations"][0]["start"] = json!(52);
                v["annotations"][0]["end"] = json!(32);
            }),
            "offsets 52..32 are reversed",
        ),
        (
            Box::new(|v| v["annotations"][0]["start"] = json!(1.5)),
            "its start 1.5 is not a whole number",
        ),
        (
            Box::new(|v| v["annotations"][0]["text"] = json!("Hayat Tahrir al-Shan")),
            "its text “Hayat Tahrir al-Shan” is not the document's text at 32..52",
        ),
        (
            Box::new(|v| v["annotations"][0]["kind"] = json!("sentiment")),
            "its kind “sentiment” is not one of entity, quote, claim",
        ),
        (
            Box::new(|v| v["annotations"][0]["label"] = json!("WEAPON")),
            "its label “WEAPON” is not in labels.entity",
        ),
        (
            Box::new(|v| v["annotations"][0]["created"] = json!("yesterday")),
            "its \"created\" time “yesterday” is not RFC 3339",
        ),
        (
            Box::new(|v| v["annotations"][0]["id"] = json!("e2")),
            "the id e2 is already used by annotation",
        ),
        (
            Box::new(|v| v["annotations"][0] = json!("not an object")),
            "is a string, not an object",
        ),
    ];
    for (edit, expected) in cases {
        let got = import_edited(edit).unwrap();
        assert_eq!(got.total, 5);
        assert_eq!(got.problems.len(), 1, "{:?}", got.problems);
        let message = got.problems[0].to_string();
        assert!(
            message.contains(expected),
            "{message:?} should contain {expected:?}"
        );
        assert_eq!(got.bundle.annotations.len(), 4, "the valid rest is kept");
    }
}

#[test]
fn a_link_to_a_missing_or_invalid_annotation_is_a_problem_too() {
    // The quote's speaker is e2 (Rebel forces). Break e2: the quote becomes invalid as well.
    let got = import_edited(|v| {
        let anns = v["annotations"].as_array_mut().unwrap();
        let e2 = anns.iter_mut().find(|a| a["id"] == "e2").unwrap();
        e2["text"] = json!("Rebel farces");
    })
    .unwrap();
    let messages: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("(q3): its speaker e2 is itself invalid")),
        "{messages:?}"
    );
    assert_eq!(got.bundle.annotations.len(), 3);

    let got = import_edited(|v| {
        let anns = v["annotations"].as_array_mut().unwrap();
        let q = anns.iter_mut().find(|a| a["kind"] == "quote").unwrap();
        q["speaker"] = json!({"ref": "e404"});
    })
    .unwrap();
    assert!(got.problems[0]
        .to_string()
        .contains("its speaker refers to e404, which is not in the file"));
}

#[test]
fn html_in_labels_and_notes_is_kept_as_text() {
    let got = import_edited(|v| {
        v["annotations"][0]["note"] = json!("<img src=x onerror=alert(1)>");
    })
    .unwrap();
    assert_eq!(
        got.bundle
            .annotations
            .iter()
            .find(|a| a.id == "e1")
            .unwrap()
            .note,
        "<img src=x onerror=alert(1)>"
    );
}

// ---- round trip as a property over random states ----

fn arb_state() -> impl Strategy<Value = State> {
    crate::formats::testing::arb_state("p", crate::formats::testing::PROPERTY_TEXT, 80, 15)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// import(export(s)) == s, for any state the reducer can make and any status.
    #[test]
    fn import_of_export_is_identity(state in arb_state(), status in 0..crate::model::Status::ALL.len()) {
        let bundle = Bundle {
            status: crate::model::Status::ALL[status],
            ..Bundle::from_state(&state, "someone")
        };
        let back = import(&export(&bundle)).unwrap();
        prop_assert_eq!(&back.problems, &vec![]);
        prop_assert_eq!(&back.bundle, &bundle);
        // And the state rebuilt from it equals the original.
        let restored = State::restore(
            Rc::new(back.bundle.document.clone()),
            back.bundle.labels.clone(),
            back.bundle.annotations.clone(),
            1,
        )
        .unwrap();
        prop_assert_eq!(restored.annotations(), state.annotations());
    }
}

// ---- the document's status ----

#[test]
fn a_status_other_than_new_is_written_and_read_back() {
    let plain = export(&bundle_of(&sample_state()));
    assert!(
        !plain.contains("\"status\""),
        "a new document's file is as before"
    );
    for status in crate::model::Status::ALL {
        let bundle = Bundle {
            status: *status,
            ..bundle_of(&sample_state())
        };
        let out = export(&bundle);
        let v: Value = serde_json::from_str(&out).unwrap();
        if *status == crate::model::Status::New {
            assert_eq!(out, plain);
        } else {
            assert_eq!(v["status"], status.key());
            // Between the annotator and the annotations.
            let at = |k: &str| out.find(&format!("\n  \"{k}\"")).unwrap();
            assert!(at("annotator") < at("status") && at("status") < at("annotations"));
        }
        assert_eq!(import(&out).unwrap().bundle, bundle);
    }
    // Written out as "new", it reads as new too.
    let got = import_edited(|v| v["status"] = json!("new")).unwrap();
    assert_eq!(got.bundle.status, crate::model::Status::New);
}

#[test]
fn an_unknown_status_is_named_with_the_allowed_ones() {
    let err = import_edited(|v| v["status"] = json!("finished"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "The file's \"status\" is “finished”; it must be one of \"new\", \"in-progress\", \
         \"done\", \"reviewed\", \"rejected\", \"ignored\"."
    );
    let err = import_edited(|v| v["status"] = json!(3))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("\"status\" must be a string"), "{err}");
    assert!(err.ends_with("not a number."), "{err}");
}

#[test]
fn every_part_of_the_open_schema_round_trips_and_is_golden() {
    let bundle = crate::formats::testing::open_schema_bundle();
    // The model holds it as it is.
    let state = State::restore(
        Rc::new(bundle.document.clone()),
        bundle.labels.clone(),
        bundle.annotations.clone(),
        1,
    )
    .unwrap();
    state.check_invariants().unwrap();
    let out = export(&bundle);
    assert_golden("open-schema/open-schema.marginalia.json", &out);
    let back = import(&out).unwrap();
    assert_eq!(back.problems, vec![]);
    assert_eq!(back.bundle, bundle);
    // Fields are written only when there is something in them.
    let v: Value = serde_json::from_str(&out).unwrap();
    let citibank = &v["annotations"][0];
    assert_eq!(citibank["text"], "Citibank");
    for key in [
        "fragments",
        "attributes",
        "relations",
        "normalizations",
        "typed_notes",
        "event",
    ] {
        assert!(citibank.get(key).is_none(), "{key}");
    }
}

#[test]
fn open_schema_parts_are_checked_field_by_field() {
    let bundle = crate::formats::testing::open_schema_bundle();
    let good: Value = serde_json::from_str(&export(&bundle)).unwrap();
    let at = |needle: &str| {
        good["annotations"]
            .as_array()
            .unwrap()
            .iter()
            .position(|a| a["text"] == needle)
            .unwrap()
    };
    let (banks, vitamins, moved) = (at("banks"), at("Vitamins A, D"), at("moved"));
    let cases: Vec<(usize, &str, Value, &str)> = vec![
        (
            banks,
            "relations",
            json!([{"type": "Origin", "target": "e99"}]),
            "relates to e99, which is not in the file",
        ),
        (
            banks,
            "relations",
            json!([{"type": "has space", "target": "e7"}]),
            "contains a space",
        ),
        (
            banks,
            "relations",
            json!({"type": "Origin"}),
            "must be an array",
        ),
        (
            banks,
            "attributes",
            json!({"Negation": 3}),
            "must be true or a string",
        ),
        (
            banks,
            "attributes",
            json!({"Negation": false}),
            "must be true or a string",
        ),
        (
            vitamins,
            "fragments",
            json!([{"start": 0, "end": 3}]),
            "two or more",
        ),
        (
            vitamins,
            "fragments",
            json!([{"start": 108, "end": 116, "text": "nope"}, {"start": 120, "end": 121}]),
            "fragment text",
        ),
        (
            moved,
            "event",
            json!({"type": "X", "args": [{"role": "R", "target": "e2"}]}),
            "relates to itself",
        ),
        (moved, "event", json!("Transfer"), "must be an object"),
        (
            banks,
            "normalizations",
            json!([{"resource": "Wikidata"}]),
            "has no \"id\"",
        ),
        (
            banks,
            "typed_notes",
            json!([{"type": "Lemma"}]),
            "has no \"text\"",
        ),
    ];
    for (index, key, value, expected) in cases {
        let mut v = good.clone();
        v["annotations"][index][key] = value;
        let got = import(&v.to_string()).unwrap();
        let messages: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
        assert!(
            messages.iter().any(|m| m.contains(expected)),
            "{key}: {messages:?} should say “{expected}”"
        );
    }
}
