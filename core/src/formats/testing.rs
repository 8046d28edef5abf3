//! Shared helpers for format tests: a fixed sample state over the article, random states for
//! the round-trip properties, golden files.

use std::rc::Rc;

use proptest::prelude::*;

use super::Bundle;
use crate::model::{
    Action, Annotation, Body, Document, Kind, Labels, Party, Span, State, Timestamp,
};

pub const T0: Timestamp = Timestamp(1_733_635_800_000);

/// The span of the first `needle` in `doc`, in code points.
pub fn find(doc: &Document, needle: &str) -> Span {
    let byte = doc.text().find(needle).expect("needle");
    let start = doc.text()[..byte].chars().count();
    Span::new(start, start + needle.chars().count())
}

/// A fixed state over the article: an entity, a quote with a linked speaker and a cue, a
/// claim with a named claimant, a nested entity, a note with HTML in it.
pub fn sample_state() -> State {
    let doc = Rc::new(Document::default_article());
    let mut s = State::new(doc.clone());
    let mut create = |span: Span, body: Body, note: &str| {
        s.apply(
            Action::Create {
                span,
                body,
                note: note.into(),
            },
            T0,
        )
        .unwrap()
        .created
        .unwrap()
    };
    let hts = create(
        find(&doc, "Hayat Tahrir al-Sham"),
        Body::Entity {
            label: "ORG".into(),
        },
        "",
    );
    let rebels = create(
        find(&doc, "Rebel forces"),
        Body::Entity {
            label: "ORG".into(),
        },
        "",
    );
    let quote_text = "“After 50 years of oppression under the Baath Party regime and 13 years of crimes, tyranny and (forced) displacement… we announce today, 12/8/2024, the end of this dark period and the beginning of a new era for Syria,”";
    let quote = create(
        find(&doc, quote_text),
        Body::Quote {
            speaker: Some(Party::Ref(rebels.clone())),
            cue: Some(find(&doc, "stated")),
            direct: true,
        },
        "",
    );
    create(
        find(&doc, "Baath Party"),
        Body::Entity {
            label: "NORP".into(),
        },
        "<b>not bold</b> & “quoted”",
    );
    create(
        find(
            &doc,
            "President Bashar al-Assad is reported to have fled and is missing",
        ),
        Body::Claim {
            claimant: Some(Party::Name("unnamed officials".into())),
            checkworthiness: Some("CFS".into()),
        },
        "",
    );
    let _ = (hts, quote);
    s
}

/// The text of the round-trip properties: curly quotes, an emoji, Arabic, CRLF, a combining
/// mark and a ZWJ sequence.
pub const PROPERTY_TEXT: &str =
    "The “Baath Party” ruled 😀 for 50 years.\n\nدمشق is free, they said.\r\n\r\nEnd e\u{301} 👨‍👩‍👧.";

/// Any state the reducer can make over `text` (a document with id `id`): up to 25 creations of
/// every kind at random spans (starts below `max_start`, lengths below `max_len`), with
/// speakers and claimants linked to an entity or named (with markup in the name), cues,
/// direct and indirect quotes, check-worthiness and multi-line notes. What the reducer refuses
/// is skipped, as the page would.
pub fn arb_state(
    id: &'static str,
    text: &'static str,
    max_start: usize,
    max_len: usize,
) -> impl Strategy<Value = State> {
    proptest::collection::vec((0..max_start, 1..max_len, 0usize..6, 0usize..4), 0..25).prop_map(
        move |ops| {
            let doc = Rc::new(Document::new(id, "Property", text));
            let mut s = State::new(doc);
            for (t, (start, len, what, extra)) in ops.into_iter().enumerate() {
                let entity = s
                    .annotations()
                    .iter()
                    .rev()
                    .find(|a| a.kind() == Kind::Entity)
                    .map(|a| a.id.clone());
                let party = match (extra, entity) {
                    (1, Some(e)) => Some(Party::Ref(e)),
                    (2, _) => Some(Party::Name("a “source” <b>".into())),
                    _ => None,
                };
                let body = match what {
                    0 | 1 => Body::Entity {
                        label: ["ORG", "PERSON", "GPE"][extra % 3].into(),
                    },
                    2 | 3 => Body::Quote {
                        speaker: party,
                        cue: (extra == 3).then_some(Span::new(0, 3)),
                        direct: extra % 2 == 0,
                    },
                    _ => Body::Claim {
                        claimant: party,
                        checkworthiness: (extra > 1).then(|| "UFS".into()),
                    },
                };
                let note = if extra == 0 { "n\nline" } else { "" };
                let _ = s.apply(
                    Action::Create {
                        span: Span::new(start, start + len),
                        body,
                        note: note.into(),
                    },
                    Timestamp(T0.0 + t as i64 * 1000),
                );
            }
            s
        },
    )
}

pub fn bundle_of(state: &State) -> Bundle {
    Bundle::from_state(state, "A. Researcher")
}

pub fn golden_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// Compares with a golden file; `UPDATE_GOLDEN=1 cargo test` rewrites it.
pub fn assert_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing golden file {}; run UPDATE_GOLDEN=1 cargo test",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{} differs from the export; if the change is intended, run UPDATE_GOLDEN=1 cargo test",
        path.display()
    );
}

/// A short document with every part of the open schema: a discontinuous entity, relations of
/// other types (one with custom role names, an attribute and a note), an event with role
/// arguments and its own attribute and note, flag and valued attributes, a normalisation and a
/// typed note; beside a quote and a claim of the journalism kinds.
pub fn open_schema_bundle() -> Bundle {
    use crate::model::annotation::{Event, Extra, Norm, Relation, TypedNote, Value};
    let text = "Citibank moved $100 million for Raul Salinas, brother of a former president, \
                to banks in Switzerland.\n\n“We saw it,” the auditors said. Vitamins A, D and E \
                are sold there, a report claims.";
    let doc = Document::new("open-schema", "Every part of the open schema", text);
    let span = |needle: &str| find(&doc, needle);
    let entity = |id: &str, needle: &str, label: &str, extra: Extra| Annotation {
        id: id.into(),
        span: span(needle),
        body: Body::Entity {
            label: label.into(),
        },
        note: String::new(),
        created: T0,
        updated: T0,
        extra: (!extra.is_empty()).then(|| Box::new(extra)),
    };
    let flag = |n: &str| (n.to_string(), Value::Flag);
    let text_attr = |n: &str, v: &str| (n.to_string(), Value::Text(v.into()));
    let relation = |kind: &str, target: &str| Relation {
        kind: kind.into(),
        target: target.into(),
        roles: None,
        attributes: Vec::new(),
        note: String::new(),
    };
    let (vit, d) = (span("Vitamins"), span("D"));
    let mut annotations = vec![
        entity("e1", "Citibank", "ORG", Extra::default()),
        entity(
            "e2",
            "moved",
            "Transfer-money",
            Extra {
                event: Some(Event {
                    kind: "Transfer-money".into(),
                    args: vec![
                        ("Giver-Arg".into(), "e1".into()),
                        ("Money-Arg".into(), "e3".into()),
                        ("Recipient-Arg".into(), "e6".into()),
                    ],
                    attributes: vec![text_attr("Confidence", "High")],
                    note: "one transfer or several?".into(),
                }),
                ..Extra::default()
            },
        ),
        entity("e3", "$100 million", "MONEY", Extra::default()),
        entity(
            "e4",
            "Raul Salinas",
            "PERSON",
            Extra {
                attributes: vec![flag("Individual"), text_attr("Mention", "Name")],
                relations: vec![Relation {
                    attributes: vec![flag("Negation")],
                    note: "brother, says the text".into(),
                    ..relation("Family", "e5")
                }],
                ..Extra::default()
            },
        ),
        entity(
            "e5",
            "former president",
            "PERSON",
            Extra {
                norms: vec![Norm {
                    resource: "Wikidata".into(),
                    entry: "Q123".into(),
                    label: "a former president".into(),
                }],
                notes: vec![TypedNote {
                    kind: "Lemma".into(),
                    text: " president".into(),
                }],
                ..Extra::default()
            },
        ),
        entity(
            "e6",
            "banks",
            "ORG",
            Extra {
                relations: vec![Relation {
                    roles: Some(("Located".into(), "Place".into())),
                    ..relation("Origin", "e7")
                }],
                ..Extra::default()
            },
        ),
        entity("e7", "Switzerland", "GPE", Extra::default()),
        Annotation {
            span: Span::new(vit.start, d.end),
            ..entity(
                "e8",
                "Vitamins",
                "PRODUCT",
                Extra {
                    fragments: vec![vit, d],
                    ..Extra::default()
                },
            )
        },
        Annotation {
            id: "q9".into(),
            span: span("“We saw it,”"),
            body: Body::Quote {
                speaker: Some(Party::Ref("e10".into())),
                cue: Some(span("said")),
                direct: true,
            },
            note: String::new(),
            created: T0,
            updated: T0,
            extra: Some(Box::new(Extra {
                attributes: vec![text_attr("Tone", "calm")],
                ..Extra::default()
            })),
        },
        entity("e10", "the auditors", "ORG", Extra::default()),
        Annotation {
            id: "c11".into(),
            span: span("Vitamins A, D and E are sold there"),
            body: Body::Claim {
                claimant: Some(Party::Name("a report".into())),
                checkworthiness: Some("CFS".into()),
            },
            note: String::new(),
            created: T0,
            updated: T0,
            extra: Some(Box::new(Extra {
                relations: vec![relation("About", "e8")],
                ..Extra::default()
            })),
        },
    ];
    crate::model::sort::sort_by(&mut annotations, |a, b| a.sort_key().cmp(&b.sort_key()));
    let mut labels = Labels::default();
    for l in ["Transfer-money", "MONEY", "PRODUCT"] {
        if !labels.entity.iter().any(|e| e == l) {
            labels.entity.push(l.into());
        }
    }
    Bundle {
        document: doc,
        labels,
        annotator: "A. Researcher".into(),
        annotations,
        status: Default::default(),
    }
}
