//! Reducer tests: table-driven cases written in the span markup, and property tests of the
//! invariants over random action sequences.
//!
//! Over 600 lines: one file of tests for the one reducer, its cases as tables, then the property
//! tests.

use std::rc::Rc;

use proptest::prelude::*;

use super::*;
use crate::model::markup::{self, ann, body_for};
use crate::model::occurrences::Match;
use crate::model::state::Journal;

const NOW: Timestamp = Timestamp(1_733_635_800_000);

/// A state over the markup's plain text, with its spans created in order.
fn state_of(marked: &str) -> State {
    let (text, spans) = markup::parse(marked);
    let mut s = State::new(Rc::new(Document::new("t", "t", text)));
    for m in spans {
        let body = body_for(&m.tag, s.document().slice(m.span));
        s.apply(
            Action::Create {
                span: m.span,
                body,
                note: String::new(),
            },
            NOW,
        )
        .unwrap_or_else(|e| panic!("creating {m:?}: {e}"));
    }
    s
}

/// The span of the first occurrence of `needle` in the state's text.
fn find(s: &State, needle: &str) -> Span {
    let text = s.document().text();
    let byte = text.find(needle).expect("needle in text");
    let start = text[..byte].chars().count();
    Span::new(start, start + needle.chars().count())
}

fn id_at(s: &State, needle: &str, kind: Kind) -> String {
    let span = find(s, needle);
    s.annotations()
        .iter()
        .find(|a| a.span == span && a.kind() == kind)
        .map(|a| a.id.clone())
        .expect("annotation at needle")
}

fn entity(label: &str) -> Body {
    Body::Entity {
        label: label.into(),
    }
}

#[test]
fn creating_tags_spans() {
    let cases: &[(&str, &str, &str, &str)] = &[
        // (before, text to tag, tag, after)
        (
            "led by the Hayat Tahrir al-Sham (HTS)",
            "Hayat Tahrir al-Sham",
            "org",
            "led by the [ORG:Hayat Tahrir al-Sham] (HTS)",
        ),
        (
            "[quote:“After 50 years under the Baath Party regime”] they said",
            "Baath Party",
            "org",
            "[quote:“After 50 years under the [ORG:Baath Party] regime”] they said",
        ),
        (
            "[ORG:Baath Party]",
            "Baath Party",
            "norp",
            "[ORG:[NORP:Baath Party]]",
        ),
        (
            "President [PERSON:Bashar al-Assad] fled",
            "President Bashar al-Assad fled",
            "claim",
            "[claim:President [PERSON:Bashar al-Assad] fled]",
        ),
        (
            "crowds 😀 in دمشق",
            "دمشق",
            "gpe",
            "crowds 😀 in [GPE:دمشق]",
        ),
    ];
    for (before, needle, tag, after) in cases {
        let mut s = state_of(before);
        let span = find(&s, needle);
        let body = body_for(tag, needle);
        s.apply(
            Action::Create {
                span,
                body,
                note: String::new(),
            },
            NOW,
        )
        .unwrap();
        assert_eq!(markup::render(&s), *after, "tagging {needle:?} as {tag}");
        s.check_invariants().unwrap();
    }
}

#[test]
fn refusals_name_the_problem_and_change_nothing() {
    let base = "The [ORG:Baath Party] said “[quote:free]”";
    let cases: Vec<(Action, &str)> = vec![
        (
            Action::Create {
                span: Span::new(4, 15),
                body: entity("ORG"),
                note: String::new(),
            },
            "“Baath Party” is already tagged ORG.",
        ),
        (
            Action::Create {
                span: Span::new(22, 26),
                body: Body::new_quote("free"),
                note: String::new(),
            },
            "“free” is already a quote.",
        ),
        (
            Action::Create {
                span: Span::new(3, 3),
                body: entity("ORG"),
                note: String::new(),
            },
            "Select some text first.",
        ),
        (
            Action::Create {
                span: Span::new(20, 99),
                body: entity("ORG"),
                note: String::new(),
            },
            "The range 20..99 lies outside the document, which has 27 characters.",
        ),
        (
            Action::Create {
                span: Span::new(3, 4),
                body: entity("ORG"),
                note: String::new(),
            },
            "The selection holds only spaces or line breaks.",
        ),
        (
            Action::Create {
                span: Span::new(0, 3),
                body: entity("WEAPON"),
                note: String::new(),
            },
            "“WEAPON” is not one of the entity types of this project.",
        ),
        (
            Action::Delete { id: "e404".into() },
            "There is no annotation e404.",
        ),
        (
            Action::SetLabel {
                id: "q2".into(),
                label: "ORG".into(),
            },
            "Annotation q2 is not an entity.",
        ),
        (
            Action::SetParty {
                id: "q2".into(),
                party: Some(Party::Ref("q2".into())),
            },
            "An annotation cannot be its own speaker or claimant.",
        ),
        (
            Action::SetParty {
                id: "e1".into(),
                party: Some(Party::Name("x".into())),
            },
            "Annotation e1 is not a quote or a claim.",
        ),
        (
            Action::SetCheckworthiness {
                id: "q2".into(),
                value: Some("CFS".into()),
            },
            "Annotation q2 is not a claim.",
        ),
        (
            Action::SetLabels {
                labels: Labels {
                    entity: vec!["PERSON".into()],
                    ..Labels::default()
                },
            },
            "“ORG” is still used by 1 annotation; retag it first.",
        ),
        (Action::Redo, "Nothing to redo."),
    ];
    for (action, message) in cases {
        let mut s = state_of(base);
        let before = s.clone();
        let err = s.apply(action.clone(), NOW).unwrap_err();
        assert_eq!(err.to_string(), message, "{action:?}");
        assert_eq!(s, before, "{action:?} changed the state");
    }
    let mut empty = state_of("x");
    assert_eq!(
        empty.apply(Action::Undo, NOW).unwrap_err().to_string(),
        "Nothing to undo."
    );
}

#[test]
fn ids_are_stable_and_never_reused() {
    let mut s = state_of("[ORG:a] [quote:b] [claim:c]");
    let ids: Vec<&str> = s.annotations().iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["e1", "q2", "c3"]);
    s.apply(Action::Delete { id: "c3".into() }, NOW).unwrap();
    let out = s
        .apply(
            Action::Create {
                span: Span::new(4, 5),
                body: Body::new_claim(),
                note: String::new(),
            },
            NOW,
        )
        .unwrap();
    assert_eq!(out.created.as_deref(), Some("c4"));
}

#[test]
fn deleting_a_speaker_unlinks_it_and_undo_restores_the_link() {
    let mut s = state_of("[PERSON:Jalali] said “[quote:we will reach out]”");
    let person = id_at(&s, "Jalali", Kind::Entity);
    let quote = id_at(&s, "we will reach out", Kind::Quote);
    s.apply(
        Action::SetParty {
            id: quote.clone(),
            party: Some(Party::Ref(person.clone())),
        },
        Timestamp(NOW.0 + 1),
    )
    .unwrap();
    assert_eq!(s.linked_to(&person).len(), 1);
    let linked = s.clone();

    let out = s
        .apply(Action::Delete { id: person.clone() }, Timestamp(NOW.0 + 2))
        .unwrap();
    assert_eq!(out.summary, "Delete PERSON");
    assert!(s.get(&person).is_none());
    assert_eq!(
        s.get(&quote).unwrap().body.party(),
        None,
        "the speaker is unlinked"
    );
    assert_eq!(s.get(&quote).unwrap().updated, Timestamp(NOW.0 + 2));
    s.check_invariants().unwrap();

    s.apply(Action::Undo, Timestamp(NOW.0 + 3)).unwrap();
    assert_eq!(s, linked, "undo restores the entity and the link exactly");
    s.apply(Action::Redo, Timestamp(NOW.0 + 4)).unwrap();
    assert_eq!(s.get(&quote).unwrap().body.party(), None);
}

#[test]
fn relations_of_any_type_follow_their_ends_and_undo() {
    use crate::model::annotation::Value;
    let mut s = state_of("[ORG:NF-kappa B] holds [PERSON:c-Rel] and [ORG:Rel A]");
    let complex = id_at(&s, "NF-kappa B", Kind::Entity);
    let part = id_at(&s, "c-Rel", Kind::Entity);
    let relate = |s: &mut State, from: &str, to: &str, kind: &str| {
        s.apply(
            Action::AddRelation {
                from: from.into(),
                to: to.into(),
                kind: kind.into(),
            },
            NOW,
        )
    };
    let out = relate(&mut s, &part, &complex, "Part-of").unwrap();
    assert_eq!(out.summary, "Relate PERSON Part-of");
    let r = &s.get(&part).unwrap().extra().relations[0];
    assert_eq!(
        (r.kind.as_str(), r.target.as_str()),
        ("Part-of", complex.as_str())
    );
    assert_eq!(s.pointing_at(&complex).len(), 1);
    assert!(
        s.linked_to(&complex).is_empty(),
        "not a speaker or claimant"
    );
    // Refused: itself, the same relation twice, a blank type, a missing end.
    for (from, to, kind) in [
        (&part, &part, "Part-of"),
        (&part, &complex, "Part-of"),
        (&part, &complex, "  "),
        (&part, &"e99".to_string(), "Part-of"),
    ] {
        let before = s.clone();
        assert!(
            relate(&mut s, from, to, kind).is_err(),
            "{from} {to} {kind}"
        );
        assert_eq!(s, before);
    }
    s.apply(
        Action::SetAttribute {
            id: part.clone(),
            name: "Negation".into(),
            value: Some(Value::Flag),
        },
        NOW,
    )
    .unwrap();
    assert_eq!(
        s.get(&part).unwrap().extra().attributes,
        [("Negation".to_string(), Value::Flag)]
    );
    // What the page offers as the person types: the types and names in use, once each.
    let rel_a = id_at(&s, "Rel A", Kind::Entity);
    relate(&mut s, &rel_a, &complex, "Part-of").unwrap();
    relate(&mut s, &rel_a, &part, "Binds").unwrap();
    assert_eq!(s.relation_kinds(), ["Binds", "Part-of"]);
    assert_eq!(s.attribute_names(), ["Negation"]);
    s.apply(Action::Undo, NOW).unwrap();
    s.apply(Action::Undo, NOW).unwrap();
    assert_eq!(s.relation_kinds(), ["Part-of"]);
    // A file's types this schema lacks, as the import dialog lists them.
    let mut labels = s.labels().clone();
    labels.entity.push("Protein".into());
    let mut theirs: crate::model::Annotation = (**s.get(&part).unwrap()).clone();
    theirs.extra_mut().relations[0].kind = "Binds".into();
    theirs
        .extra_mut()
        .attributes
        .push(("Speculation".into(), Value::Flag));
    assert_eq!(
        s.types_new_to(&labels, &[theirs.clone(), theirs]),
        [
            "entity type Protein",
            "relation type Binds",
            "attribute Speculation"
        ]
    );
    assert!(s.types_new_to(s.labels(), &[]).is_empty());
    s.check_invariants().unwrap();
    let related = s.clone();
    // Deleting the target drops the relation; undo brings both back.
    s.apply(
        Action::Delete {
            id: complex.clone(),
        },
        NOW,
    )
    .unwrap();
    assert!(s.get(&part).unwrap().extra().relations.is_empty());
    s.check_invariants().unwrap();
    s.apply(Action::Undo, NOW).unwrap();
    assert_eq!(s, related);
    s.apply(
        Action::RemoveRelation {
            from: part.clone(),
            index: 0,
        },
        NOW,
    )
    .unwrap();
    s.apply(
        Action::SetAttribute {
            id: part.clone(),
            name: "Negation".into(),
            value: None,
        },
        NOW,
    )
    .unwrap();
    assert_eq!(s.get(&part).unwrap().extra, None, "nothing left: no box");
    s.check_invariants().unwrap();
}

#[test]
fn a_fragment_makes_an_annotation_discontinuous() {
    let mut s = state_of("[ORG:vitamins] A, D and E");
    let v = id_at(&s, "vitamins", Kind::Entity);
    let d = find(&s, "D");
    s.apply(
        Action::AddFragment {
            id: v.clone(),
            span: d,
        },
        NOW,
    )
    .unwrap();
    let a = s.get(&v).unwrap();
    assert_eq!(a.span, Span::new(0, d.end));
    assert_eq!(a.fragments(), [Span::new(0, 8), d]);
    s.check_invariants().unwrap();
    // A fragment touching another joins it; resizing keeps the fragments within the span.
    s.apply(
        Action::SetSpan {
            id: v.clone(),
            span: Span::new(0, d.end + 4),
        },
        NOW,
    )
    .unwrap();
    assert_eq!(
        s.get(&v).unwrap().fragments(),
        [Span::new(0, 8), Span::new(d.start, d.end + 4)]
    );
    s.apply(
        Action::SetSpan {
            id: v.clone(),
            span: Span::new(0, 5),
        },
        NOW,
    )
    .unwrap();
    assert_eq!(s.get(&v).unwrap().extra, None, "one stretch again");
    s.check_invariants().unwrap();
}

#[test]
fn turning_a_speaker_into_a_quote_unlinks_it() {
    let mut s = state_of("[PERSON:Jalali] said “[quote:we will reach out]”");
    let person = id_at(&s, "Jalali", Kind::Entity);
    let quote = id_at(&s, "we will reach out", Kind::Quote);
    s.apply(
        Action::SetParty {
            id: quote.clone(),
            party: Some(Party::Ref(person.clone())),
        },
        NOW,
    )
    .unwrap();
    s.apply(
        Action::SetKind {
            id: person.clone(),
            kind: Kind::Claim,
            label: None,
        },
        NOW,
    )
    .unwrap();
    assert_eq!(s.get(&quote).unwrap().body.party(), None);
    assert_eq!(s.get(&person).unwrap().kind(), Kind::Claim);
    s.check_invariants().unwrap();
}

#[test]
fn a_link_must_point_at_an_entity() {
    let mut s = state_of("[quote:“a”] and [claim:b]");
    let err = s
        .apply(
            Action::SetParty {
                id: "q1".into(),
                party: Some(Party::Ref("c2".into())),
            },
            NOW,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Only an entity can be a speaker or claimant, and c2 is a claim."
    );
    // A free-text speaker is trimmed; a blank one clears the speaker.
    s.apply(
        Action::SetParty {
            id: "q1".into(),
            party: Some(Party::Name("  a spokesman ".into())),
        },
        NOW,
    )
    .unwrap();
    assert_eq!(
        s.get("q1").unwrap().body.party(),
        Some(&Party::Name("a spokesman".into()))
    );
    s.apply(
        Action::SetParty {
            id: "q1".into(),
            party: Some(Party::Name("   ".into())),
        },
        NOW,
    )
    .unwrap();
    assert_eq!(s.get("q1").unwrap().body.party(), None);
}

#[test]
fn quotes_know_whether_they_are_direct() {
    let s = state_of("they said “[quote:“free”]” and [quote:that it was over]");
    let direct: Vec<bool> = s
        .annotations()
        .iter()
        .map(|a| matches!(a.body, Body::Quote { direct: true, .. }))
        .collect();
    assert_eq!(direct, [true, false]);
}

#[test]
fn untagged_words_become_the_speaker_in_one_step() {
    let mut s = state_of("[quote:“We stay”], said Omar Haddad and [person:Maria]");
    let omar = find(&s, "Omar Haddad");
    let before = s.clone();
    let out = s
        .apply(
            Action::TagParty {
                id: "q1".into(),
                span: omar,
                label: "PERSON".into(),
            },
            NOW,
        )
        .unwrap();
    let new = out.created.expect("the words are tagged");
    assert_eq!(s.get(&new).unwrap().span, omar);
    assert_eq!(s.get(&new).unwrap().body.label(), Some("PERSON"));
    assert_eq!(
        s.get("q1").unwrap().body.party(),
        Some(&Party::Ref(new.clone())),
        "and linked"
    );
    assert_eq!(out.summary, "Tag and set speaker");
    // One step to undo: both the entity and the link go.
    s.apply(Action::Undo, NOW).unwrap();
    assert_eq!(markup::render(&s), markup::render(&before));
    assert_eq!(s.get("q1").unwrap().body.party(), None);
    s.apply(Action::Redo, NOW).unwrap();
    assert_eq!(s.get("q1").unwrap().body.party(), Some(&Party::Ref(new)));

    // Words that are an entity already are linked, not tagged twice.
    let maria = find(&s, "Maria");
    let n = s.len();
    let out = s
        .apply(
            Action::TagParty {
                id: "q1".into(),
                span: maria,
                label: "ORG".into(),
            },
            NOW,
        )
        .unwrap();
    assert_eq!(out.created, None);
    assert_eq!(s.len(), n);
    let linked = s
        .get("q1")
        .unwrap()
        .body
        .party()
        .and_then(Party::as_ref_id)
        .unwrap()
        .to_string();
    assert_eq!(s.get(&linked).unwrap().span, maria);
    assert_eq!(
        s.get(&linked).unwrap().body.label(),
        Some("PERSON"),
        "its type kept"
    );

    // An entity is no quote; an unknown type is refused, and nothing changes.
    let e = s.clone();
    assert!(s
        .apply(
            Action::TagParty {
                id: linked,
                span: omar,
                label: "PERSON".into()
            },
            NOW
        )
        .is_err());
    let words = find(&s, "said");
    assert_eq!(
        s.apply(
            Action::TagParty {
                id: "q1".into(),
                span: words,
                label: "NOPE".into()
            },
            NOW
        ),
        Err(ModelError::UnknownLabel("NOPE".into()))
    );
    assert_eq!(markup::render(&s), markup::render(&e));
}

#[test]
fn editing_fields_stamps_updated_and_undoes() {
    let mut s = state_of("“[quote:free]” they stated");
    let cue = find(&s, "stated");
    let later = Timestamp(NOW.0 + 60_000);
    let steps = vec![
        Action::SetCue {
            id: "q1".into(),
            cue: Some(cue),
        },
        Action::SetDirect {
            id: "q1".into(),
            direct: false,
        },
        Action::SetNote {
            id: "q1".into(),
            note: "<b>not HTML</b>".into(),
        },
        Action::SetSpan {
            id: "q1".into(),
            span: Span::new(0, 6),
        },
        Action::SetKind {
            id: "q1".into(),
            kind: Kind::Entity,
            label: Some("EVENT".into()),
        },
        Action::SetLabel {
            id: "q1".into(),
            label: "DATE".into(),
        },
    ];
    let mut history = vec![s.clone()];
    for a in steps {
        s.apply(a.clone(), later)
            .unwrap_or_else(|e| panic!("{a:?}: {e}"));
        assert_eq!(s.get("q1").unwrap().updated, later);
        assert_eq!(s.get("q1").unwrap().created, NOW);
        s.check_invariants().unwrap();
        history.push(s.clone());
    }
    assert_eq!(markup::render(&s), "[DATE:“free”] they stated");
    assert_eq!(s.undo_label(), Some("Retag EVENT as DATE"));
    for expected in history.iter().rev().skip(1) {
        s.apply(Action::Undo, later).unwrap();
        assert_eq!(&s, expected);
    }
    for expected in history.iter().skip(1) {
        s.apply(Action::Redo, later).unwrap();
        assert_eq!(&s, expected);
    }
}

#[test]
fn entities_stay_in_one_paragraph_quotes_and_claims_may_cross() {
    let mut s = state_of("they said “one\n\ntwo” here");
    let span = find(&s, "“one\n\ntwo”");
    let err = s
        .apply(
            Action::Create {
                span,
                body: entity("ORG"),
                note: String::new(),
            },
            NOW,
        )
        .unwrap_err();
    assert_eq!(err, ModelError::EntityCrossesParagraph);
    for body in [Body::new_quote("“"), Body::new_claim()] {
        s.apply(
            Action::Create {
                span,
                body,
                note: String::new(),
            },
            NOW,
        )
        .unwrap();
    }
    // Nor can a quote across paragraphs become an entity.
    let err = s
        .apply(
            Action::SetKind {
                id: "q1".into(),
                kind: Kind::Entity,
                label: None,
            },
            NOW,
        )
        .unwrap_err();
    assert_eq!(err, ModelError::EntityCrossesParagraph);
    s.check_invariants().unwrap();
}

#[test]
fn entities_near_a_span_come_from_the_nearest_paragraphs() {
    let s = state_of(
        "[ORG:a] x\n\n[PERSON:b] y\n\n[claim:far] [GPE:c]\n\n[NORP:d] z\n\n[DATE:e] [EVENT:f]",
    );
    let claim = s
        .annotations()
        .iter()
        .find(|a| a.kind() == Kind::Claim)
        .unwrap()
        .span;
    let names = |v: Vec<Rc<Annotation>>| -> Vec<String> {
        v.iter()
            .map(|a| s.document().slice(a.span).to_string())
            .collect()
    };
    assert_eq!(
        names(s.entities_near(claim, 1)),
        ["c"],
        "its own paragraph first"
    );
    assert_eq!(
        names(s.entities_near(claim, 3)),
        ["b", "c", "d"],
        "then outwards, in text order"
    );
    assert_eq!(
        names(s.entities_near(claim, 99)),
        ["a", "b", "c", "d", "e", "f"]
    );
    assert_eq!(names(s.entities_near(claim, 0)), Vec::<String>::new());
}

#[test]
fn a_new_action_clears_redo() {
    let mut s = state_of("[ORG:a] b");
    s.apply(Action::Undo, NOW).unwrap();
    assert_eq!(s.redo_label(), Some("Add ORG"));
    s.apply(
        Action::Create {
            span: Span::new(2, 3),
            body: entity("ORG"),
            note: String::new(),
        },
        NOW,
    )
    .unwrap();
    assert_eq!(s.redo_label(), None);
}

#[test]
fn block_lists_change_only_where_touched() {
    let mut s = state_of("[ORG:one] a\n\n[ORG:two] b\n\nthree c");
    let before: Vec<_> = (0..3).map(|p| s.block_annotations(p)).collect();
    s.apply(
        Action::Create {
            span: Span::new(14, 19),
            body: entity("GPE"),
            note: String::new(),
        },
        NOW,
    )
    .unwrap();
    let after: Vec<_> = (0..3).map(|p| s.block_annotations(p)).collect();
    assert!(Rc::ptr_eq(&before[0], &after[0]), "paragraph 0 untouched");
    assert!(Rc::ptr_eq(&before[1], &after[1]), "paragraph 1 untouched");
    assert!(!Rc::ptr_eq(&before[2], &after[2]), "paragraph 2 changed");
    assert_eq!(after[2].len(), 1);
    // A span across a paragraph break is listed in both paragraphs.
    s.apply(
        Action::Create {
            span: Span::new(4, 9),
            body: Body::new_claim(),
            note: String::new(),
        },
        NOW,
    )
    .unwrap();
    assert_eq!(s.block_annotations(0).len(), 2);
    assert_eq!(s.block_annotations(1).len(), 2);
    s.check_invariants().unwrap();
}

/// One change in a long paragraph of many blocks copies the lists of the blocks it touches.
#[test]
fn one_change_in_a_long_paragraph_touches_its_blocks_only() {
    let text = "alpha beta gamma delta\nepsilon zeta eta theta\niota kappa lambda mu";
    let doc = Rc::new(Document::with_block_max("t", "t", text, 12));
    let mut s = State::new(doc.clone());
    assert_eq!(doc.paragraphs().len(), 1);
    let n = doc.blocks().len();
    assert!(n >= 6, "{n} blocks");
    let before: Vec<_> = (0..n).map(|b| s.block_annotations(b)).collect();
    // "zeta eta" may lie in one block or two.
    let start = text.find("zeta").unwrap();
    let span = Span::new(start, start + "zeta eta".len());
    s.apply(
        Action::Create {
            span,
            body: entity("ORG"),
            note: String::new(),
        },
        NOW,
    )
    .unwrap();
    let touched = doc.blocks_overlapping(span);
    for (b, list) in before.iter().enumerate() {
        let same = Rc::ptr_eq(list, &s.block_annotations(b));
        assert_eq!(same, !touched.contains(&b), "block {b}");
    }
    // An entity may cross blocks (not paragraphs): it is found once.
    let whole = Span::new(0, text.len());
    assert_eq!(s.overlapping(whole).len(), 1);
    assert_eq!(s.entities_near(whole, 5).len(), 1);
    s.check_invariants().unwrap();
}

#[test]
fn what_to_write_is_what_differs_from_the_state_last_written() {
    let mut s = state_of("[PERSON:Jalali] said “[quote:we will reach out]”");
    let mut written = s.clone();
    let mut take = |s: &State| {
        let j = s.changes_since(&written);
        written = s.clone();
        j
    };
    s.apply(
        Action::SetParty {
            id: "q2".into(),
            party: Some(Party::Ref("e1".into())),
        },
        NOW,
    )
    .unwrap();
    s.apply(Action::Delete { id: "e1".into() }, NOW).unwrap();
    let j = take(&s);
    assert_eq!(j.ids.into_iter().collect::<Vec<_>>(), ["e1", "q2"]);
    assert!(!j.labels);
    assert_eq!(
        take(&s),
        Journal::default(),
        "once written, nothing differs"
    );
    s.apply(Action::Undo, NOW).unwrap();
    assert_eq!(take(&s).ids.len(), 2, "undo is written too");
    s.apply(
        Action::SetLabels {
            labels: Labels {
                entity: vec!["PERSON".into(), "ORG".into()],
                ..Labels::default()
            },
        },
        NOW,
    )
    .unwrap();
    assert!(take(&s).labels);
    // Changed and changed back before a write: the same annotations, nothing to write.
    let n = s.annotations().len();
    s.apply(Action::Delete { id: "q2".into() }, NOW).unwrap();
    s.apply(Action::Undo, NOW).unwrap();
    assert_eq!(s.annotations().len(), n);
    assert_eq!(take(&s), Journal::default());
    // Another document differs in every annotation.
    let other = state_of("[ORG:UN] met.");
    let j = other.changes_since(&s);
    assert_eq!(j.ids.into_iter().collect::<Vec<_>>(), ["e1", "q2"]);
}

#[test]
fn label_sets_can_change_when_unused() {
    let mut s = state_of("[ORG:a] b");
    let labels = Labels {
        entity: vec!["ORG".into(), "WEAPON".into()],
        checkworthiness: vec!["YES".into(), "NO".into()],
    };
    s.apply(
        Action::SetLabels {
            labels: labels.clone(),
        },
        NOW,
    )
    .unwrap();
    assert_eq!(s.labels(), &labels);
    s.apply(Action::Undo, NOW).unwrap();
    assert_eq!(s.labels(), &Labels::default());
}

#[test]
fn import_replaces_or_merges() {
    let mut s = state_of("[ORG:Baath] said “[quote:free]” in Damascus");
    let incoming = vec![
        ann("e1", Span::new(0, 5), entity("ORG")),
        ann("x", Span::new(21, 29), entity("GPE")),
        ann(
            "q9",
            Span::new(12, 16),
            Body::Quote {
                speaker: Some(Party::Ref("e1".into())),
                cue: Some(Span::new(6, 10)),
                direct: true,
            },
        ),
    ];
    let mut merged = s.clone();
    let out = merged
        .apply(
            Action::Import {
                annotations: incoming.clone(),
                labels: Labels::default(),
                replace: false,
            },
            NOW,
        )
        .unwrap();
    // e1 duplicates the existing ORG and is folded into it; q9 duplicates the quote's span
    // and kind, so it is skipped too; x is new.
    assert_eq!(out.summary, "Merge 1 annotation");
    assert_eq!(
        markup::render(&merged),
        "[ORG:Baath] said “[quote:free]” in [GPE:Damascus]"
    );
    merged.check_invariants().unwrap();

    s.apply(
        Action::Import {
            annotations: incoming,
            labels: Labels::default(),
            replace: true,
        },
        NOW,
    )
    .unwrap();
    assert_eq!(
        markup::render(&s),
        "[ORG:Baath] said “[quote:free]” in [GPE:Damascus]"
    );
    assert_eq!(
        s.get("q9").unwrap().body.party(),
        Some(&Party::Ref("e1".into()))
    );
    assert!(s.next_seq() >= 10, "new ids stay clear of imported ones");
    s.check_invariants().unwrap();
}

#[test]
fn merge_renames_clashing_ids_and_links_follow() {
    let mut s = state_of("[ORG:Baath] said “free” in Damascus");
    let incoming = vec![
        ann("e1", Span::new(21, 29), entity("GPE")),
        ann(
            "q2",
            Span::new(12, 16),
            Body::Quote {
                speaker: Some(Party::Ref("e1".into())),
                cue: None,
                direct: true,
            },
        ),
    ];
    s.apply(
        Action::Import {
            annotations: incoming,
            labels: Labels::default(),
            replace: false,
        },
        NOW,
    )
    .unwrap();
    let gpe = id_at(&s, "Damascus", Kind::Entity);
    assert_ne!(gpe, "e1");
    assert_eq!(s.get("q2").unwrap().body.party(), Some(&Party::Ref(gpe)));
    s.check_invariants().unwrap();
}

#[test]
fn bad_imports_change_nothing() {
    let base = state_of("[ORG:Baath] said");
    let cases: Vec<(Vec<Annotation>, &str)> = vec![
        (
            vec![
                ann("a", Span::new(0, 5), entity("ORG")),
                ann("a", Span::new(6, 10), entity("ORG")),
            ],
            "Nothing imported: the id a appears twice",
        ),
        (
            vec![ann("a", Span::new(0, 50), entity("ORG"))],
            "Nothing imported: a: The range 0..50 lies outside the document, which has 10 characters.",
        ),
        (
            vec![ann(
                "q",
                Span::new(6, 10),
                Body::Quote {
                    speaker: Some(Party::Ref("zz".into())),
                    cue: None,
                    direct: false,
                },
            )],
            "Nothing imported: q links to zz, which is not an entity",
        ),
        (
            vec![ann("a", Span::new(6, 10), entity("WEAPON"))],
            "Nothing imported: a: unknown entity type “WEAPON”",
        ),
    ];
    for (incoming, message) in cases {
        let mut s = base.clone();
        let err = s
            .apply(
                Action::Import {
                    annotations: incoming,
                    labels: Labels::default(),
                    replace: true,
                },
                NOW,
            )
            .unwrap_err();
        assert_eq!(err.to_string(), message);
        assert_eq!(s, base);
    }
}

#[test]
fn restore_checks_what_it_loads() {
    let doc = Rc::new(Document::new("t", "t", "Baath said"));
    let good = State::restore(
        doc.clone(),
        Labels::default(),
        vec![ann("e7", Span::new(0, 5), entity("ORG"))],
        1,
    )
    .unwrap();
    assert_eq!(good.next_seq(), 8);
    let bad = State::restore(
        doc,
        Labels::default(),
        vec![ann("e7", Span::new(0, 50), entity("ORG"))],
        1,
    );
    assert!(bad.is_err());
}

// ---- properties over random action sequences ----

const TEXT: &str =
    "The “Baath Party” ruled 😀 for 50 years.\n\nدمشق is free, they said.\r\n\r\nEnd e\u{301}. The";

fn arb_label() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("ORG".to_string()),
        Just("PERSON".to_string()),
        Just("GPE".to_string()),
        Just("NOPE".to_string()),
    ]
}

fn arb_span() -> impl Strategy<Value = Span> {
    (0usize..75, 0usize..20).prop_map(|(s, l)| Span::new(s, s + l))
}

/// Ids the state is likely to have, plus some it cannot.
fn arb_id() -> impl Strategy<Value = String> {
    (prop_oneof![Just('e'), Just('q'), Just('c')], 1u64..12).prop_map(|(k, n)| format!("{k}{n}"))
}

fn arb_party() -> impl Strategy<Value = Option<Party>> {
    prop_oneof![
        Just(None),
        arb_id().prop_map(|id| Some(Party::Ref(id))),
        "[a-z ]{0,6}".prop_map(|n| Some(Party::Name(n))),
    ]
}

fn arb_body() -> impl Strategy<Value = Body> {
    prop_oneof![
        arb_label().prop_map(|label| Body::Entity { label }),
        (arb_party(), proptest::option::of(arb_span()), any::<bool>()).prop_map(
            |(speaker, cue, direct)| Body::Quote {
                speaker,
                cue,
                direct
            }
        ),
        (
            arb_party(),
            proptest::option::of(prop_oneof![Just("CFS".to_string()), Just("XX".to_string())])
        )
            .prop_map(|(claimant, checkworthiness)| Body::Claim {
                claimant,
                checkworthiness
            }),
    ]
}

fn arb_action() -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => (arb_span(), arb_body()).prop_map(|(span, body)| Action::Create { span, body, note: String::new() }),
        2 => arb_id().prop_map(|id| Action::Delete { id }),
        1 => (arb_id(), arb_span()).prop_map(|(id, span)| Action::SetSpan { id, span }),
        1 => (arb_id(), prop_oneof![Just(Kind::Entity), Just(Kind::Quote), Just(Kind::Claim)], proptest::option::of(arb_label()))
            .prop_map(|(id, kind, label)| Action::SetKind { id, kind, label }),
        1 => (arb_id(), arb_label()).prop_map(|(id, label)| Action::SetLabel { id, label }),
        2 => (arb_id(), arb_party()).prop_map(|(id, party)| Action::SetParty { id, party }),
        1 => (arb_id(), proptest::option::of(arb_span())).prop_map(|(id, cue)| Action::SetCue { id, cue }),
        1 => (arb_id(), arb_span(), arb_label()).prop_map(|(id, span, label)| Action::TagParty { id, span, label }),
        1 => (arb_id(), "[a-z<>]{0,5}").prop_map(|(id, note)| Action::SetNote { id, note }),
        1 => (arb_id(), any::<bool>()).prop_map(|(id, match_case)| Action::TagAll { id, match_case }),
        2 => (arb_id(), arb_id(), prop_oneof![Just("Part-of"), Just("Family"), Just(" ")])
            .prop_map(|(from, to, kind)| Action::AddRelation { from, to, kind: kind.into() }),
        1 => (arb_id(), 0usize..2).prop_map(|(from, index)| Action::RemoveRelation { from, index }),
        1 => (arb_id(), prop_oneof![Just("Negation"), Just("Mention")], proptest::option::of(prop_oneof![
                Just(crate::model::annotation::Value::Flag),
                Just(crate::model::annotation::Value::Text("Name".into()))
            ]))
            .prop_map(|(id, name, value)| Action::SetAttribute { id, name: name.into(), value }),
        1 => (arb_id(), arb_span()).prop_map(|(id, span)| Action::AddFragment { id, span }),
        2 => Just(Action::Undo),
        1 => Just(Action::Redo),
    ]
}

/// The same kind of text with single line breaks, cut into blocks of at most 9 code points.
const LINES: &str =
    "The “Baath Party” ruled\n😀 for 50 years.\n\nدمشق is free,\r\nthey said.\r\n\r\nEnd e\u{301}.";

/// A fresh state over TEXT (one block a paragraph), or over LINES in small blocks.
fn fresh_over(blocks: bool) -> State {
    State::new(Rc::new(if blocks {
        Document::with_block_max("p", "p", LINES, 9)
    } else {
        Document::new("p", "p", TEXT)
    }))
}

fn fresh() -> State {
    fresh_over(false)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Every action either fails and changes nothing, or keeps every invariant.
    #[test]
    fn invariants_hold_after_any_sequence(
        actions in proptest::collection::vec(arb_action(), 0..40),
        blocks in any::<bool>(),
    ) {
        let mut s = fresh_over(blocks);
        for (t, a) in actions.into_iter().enumerate() {
            let before = s.clone();
            match s.apply(a.clone(), Timestamp(t as i64)) {
                Ok(_) => {
                    if let Err(e) = s.check_invariants() {
                        return Err(TestCaseError::fail(format!("after {a:?}: {e}")));
                    }
                }
                Err(_) => prop_assert_eq!(&s, &before, "a refused {:?} changed the state", a),
            }
        }
    }

    /// Undoing every applied action restores each earlier state exactly, in reverse order;
    /// redoing them all restores the final one.
    #[test]
    fn undo_restores_every_earlier_state(actions in proptest::collection::vec(arb_action(), 0..40)) {
        let mut s = fresh();
        let mut states = vec![s.clone()];
        for (t, a) in actions.into_iter().enumerate() {
            if matches!(a, Action::Undo | Action::Redo) {
                continue;
            }
            if s.apply(a, Timestamp(t as i64)).is_ok() {
                states.push(s.clone());
            }
        }
        let last = s.clone();
        for expected in states.iter().rev().skip(1) {
            s.apply(Action::Undo, Timestamp(0)).unwrap();
            prop_assert_eq!(&s, expected);
            s.check_invariants().unwrap();
        }
        prop_assert!(s.apply(Action::Undo, Timestamp(0)).is_err());
        for _ in 1..states.len() {
            s.apply(Action::Redo, Timestamp(0)).unwrap();
        }
        prop_assert_eq!(&s, &last);
    }

    /// The block-indexed queries agree with a walk over every annotation: `overlapping`
    /// lists each annotation overlapping the range once, in order; `entities_near` returns
    /// distinct entities, in order, as many as asked for while there are. Over one block a
    /// paragraph, and over many blocks a paragraph that annotations reach across.
    #[test]
    fn queries_agree_with_a_full_walk(
        actions in proptest::collection::vec(arb_action(), 0..40),
        span in arb_span(),
        limit in 0usize..6,
        blocks in any::<bool>(),
    ) {
        let mut s = fresh_over(blocks);
        for (t, a) in actions.into_iter().enumerate() {
            let _ = s.apply(a, Timestamp(t as i64));
        }
        let span = Span::new(span.start.min(s.document().len()), span.end.min(s.document().len()));
        prop_assume!(!span.is_empty(), "callers ask about non-empty ranges");
        let ids = |v: Vec<Rc<Annotation>>| v.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
        let walk: Vec<Rc<Annotation>> = s
            .annotations()
            .iter()
            .filter(|a| a.span.overlaps(&span))
            .cloned()
            .collect();
        prop_assert_eq!(ids(s.overlapping(span)), ids(walk));
        let near = ids(s.entities_near(span, limit));
        let entities = s.annotations().iter().filter(|a| a.kind() == Kind::Entity).count();
        prop_assert_eq!(near.len(), limit.min(entities));
        let mut distinct = near.clone();
        distinct.dedup();
        prop_assert_eq!(&distinct, &near, "in order and distinct");
    }
}

/// Keys name annotations for the page: one per id, kept through delete and undo, never shared,
/// and any id a file brings has one.
#[test]
fn keys_stay_with_their_ids() {
    let mut s = state_of("[ORG:Baath] and [PERSON:Assad]");
    let ids: Vec<String> = s.annotations().iter().map(|a| a.id.clone()).collect();
    let keys: Vec<u32> = ids.iter().map(|id| s.key(id).unwrap()).collect();
    assert_ne!(keys[0], keys[1]);
    for (id, key) in ids.iter().zip(&keys) {
        assert_eq!(&s.by_key(*key).unwrap().id, id);
    }
    s.apply(Action::Delete { id: ids[0].clone() }, NOW).unwrap();
    assert_eq!(
        s.key(&ids[0]),
        None,
        "a deleted annotation has no key to draw"
    );
    assert!(s.by_key(keys[0]).is_none());
    s.apply(Action::Undo, NOW).unwrap();
    assert_eq!(
        s.key(&ids[0]),
        Some(keys[0]),
        "undo brings it back under its key"
    );
    let blocks = s.block_annotations(0);
    let listed: Vec<(u32, &str)> = blocks.iter().map(|k| (k.key, k.id.as_str())).collect();
    assert_eq!(
        listed,
        vec![(keys[0], ids[0].as_str()), (keys[1], ids[1].as_str())]
    );
    // Ids from a file, with any characters.
    let doc = s.document().clone();
    let odd = ["org one", "q \"]\\ ü"];
    let anns = s
        .annotations()
        .iter()
        .zip(odd)
        .map(|(a, id)| Annotation {
            id: id.to_string(),
            ..(**a).clone()
        })
        .collect();
    let r = State::restore(doc, s.labels().clone(), anns, 1).unwrap();
    for id in odd {
        let key = r.key(id).expect("a key");
        assert_eq!(r.by_key(key).unwrap().id, id);
    }
    r.check_invariants().unwrap();
}

// ---- tag every occurrence ----

/// The first annotation of a state, in text order: the one to tag everywhere.
fn first_id(s: &State) -> String {
    s.annotations()[0].id.clone()
}

#[test]
fn tag_all_tags_every_other_whole_word_occurrence() {
    let cases: &[(&str, bool, &str, &str)] = &[
        // (before, match case, after, summary); the first annotation is the source.
        (
            "[GPE:Damascus] fell. In Damascus, damascus and Damascene; DAMASCUS.",
            true,
            "[GPE:Damascus] fell. In [GPE:Damascus], damascus and Damascene; DAMASCUS.",
            "Tag 1 more “Damascus” GPE",
        ),
        (
            "[GPE:Damascus] fell. In Damascus, damascus and Damascene; DAMASCUS.",
            false,
            "[GPE:Damascus] fell. In [GPE:Damascus], [GPE:damascus] and Damascene; [GPE:DAMASCUS].",
            "Tag 3 more “Damascus” GPE",
        ),
        // Occurrences tagged with the same type are skipped; another type is no duplicate.
        (
            "[GPE:Damascus], [GPE:Damascus], Damascus, [ORG:Damascus]",
            true,
            "[GPE:Damascus], [GPE:Damascus], [GPE:Damascus], [ORG:[GPE:Damascus]]",
            "Tag 2 more “Damascus” GPE",
        ),
        (
            "Bashar [PERSON:al-Assad] and President Bashar al-Assad, Assad’s al-Assad’s",
            true,
            "Bashar [PERSON:al-Assad] and President Bashar [PERSON:al-Assad], Assad’s al-Assad’s",
            "Tag 1 more “al-Assad” PERSON",
        ),
        // Overlapping occurrences are taken from the left, clear of the source.
        (
            "[EVENT:New York New York] New York New York New York",
            true,
            "[EVENT:New York New York] [EVENT:New York New York] New York",
            "Tag 1 more “New York New York” EVENT",
        ),
        (
            "la la [EVENT:la la] la",
            true,
            "[EVENT:la la] [EVENT:la la] la",
            "Tag 1 more “la la” EVENT",
        ),
        // Adjacent occurrences are each a word; run together, they are none.
        (
            "[GPE:Damascus] Damascus,Damascus DamascusDamascus",
            true,
            "[GPE:Damascus] [GPE:Damascus],[GPE:Damascus] DamascusDamascus",
            "Tag 2 more “Damascus” GPE",
        ),
        (
            "[GPE:İstanbul] İSTANBUL istanbul",
            false,
            "[GPE:İstanbul] [GPE:İSTANBUL] istanbul",
            "Tag 1 more “İstanbul” GPE",
        ),
        (
            "[LOC:Straße] STRAẞE STRASSE straße",
            false,
            "[LOC:Straße] [LOC:STRAẞE] STRASSE [LOC:straße]",
            "Tag 2 more “Straße” LOC",
        ),
        (
            "[EVENT:😀] crowds 😀😀 👨‍👩‍👧",
            true,
            "[EVENT:😀] crowds [EVENT:😀][EVENT:😀] 👨‍👩‍👧",
            "Tag 2 more “😀” EVENT",
        ),
        (
            "[PERSON:Rene\u{301}] Rene\u{301}e René Rene\u{301}",
            true,
            "[PERSON:Rene\u{301}] Rene\u{301}e René [PERSON:Rene\u{301}]",
            "Tag 1 more “Rene\u{301}” PERSON",
        ),
        (
            "[GPE:دمشق] في دمشق ودمشق",
            true,
            "[GPE:دمشق] في [GPE:دمشق] ودمشق",
            "Tag 1 more “دمشق” GPE",
        ),
        // Quotes and claims too; they may cross a paragraph break, as the source does.
        (
            "[quote:“free”] and “free”, “free”.",
            true,
            "[quote:“free”] and [quote:“free”], [quote:“free”].",
            "Tag 2 more ““free”” quotes",
        ),
        (
            "[claim:over\n\nnow]; over\n\nnow",
            true,
            "[claim:over\n\nnow]; [claim:over\n\nnow]",
            "Tag 1 more “over\n\nnow” claim",
        ),
    ];
    for (before, match_case, after, summary) in cases {
        let mut s = state_of(before);
        let id = first_id(&s);
        let old: Vec<String> = s.annotations().iter().map(|a| a.id.clone()).collect();
        let expected = s
            .occurrences(
                &id,
                Match {
                    match_case: *match_case,
                },
            )
            .unwrap();
        let out = s
            .apply(
                Action::TagAll {
                    id,
                    match_case: *match_case,
                },
                NOW,
            )
            .unwrap_or_else(|e| panic!("{before:?}: {e}"));
        assert_eq!(markup::render(&s), *after, "{before:?} {match_case}");
        assert_eq!(out.summary, *summary, "{before:?}");
        assert_eq!(out.created, None);
        let made: Vec<Span> = s
            .annotations()
            .iter()
            .filter(|a| !old.contains(&a.id))
            .map(|a| a.span)
            .collect();
        assert_eq!(made, expected, "occurrences lists what is tagged");
        s.check_invariants().unwrap();
    }
}

#[test]
fn tag_all_refuses_when_there_is_nothing_to_tag() {
    let cases: &[(&str, bool, &str)] = &[
        (
            "[GPE:Damascus] and Syria",
            true,
            "No other occurrence of “Damascus” to tag.",
        ),
        (
            "[GPE:Damascus] and damascus",
            true,
            "No other occurrence of “Damascus” to tag.",
        ),
        (
            "[GPE:Damascus] and [GPE:DAMASCUS]",
            false,
            "No other occurrence of “Damascus” to tag.",
        ),
        (
            "[GPE:Syria] Syrian Syria’s",
            false,
            "No other occurrence of “Syria” to tag.",
        ),
        // An occurrence tagged already keeps those overlapping it, before and after, untagged.
        (
            "[EVENT:la la] x la [EVENT:la la] la",
            true,
            "No other occurrence of “la la” to tag.",
        ),
        // So does the source, even where it is no whole word itself.
        ("b[GPE:a a] a", true, "No other occurrence of “a a” to tag."),
    ];
    for (before, match_case, message) in cases {
        let mut s = state_of(before);
        let id = first_id(&s);
        let was = s.clone();
        let err = s
            .apply(
                Action::TagAll {
                    id,
                    match_case: *match_case,
                },
                NOW,
            )
            .unwrap_err();
        assert_eq!(err.to_string(), *message, "{before:?}");
        assert_eq!(s, was);
        assert_eq!(s.undo_label(), was.undo_label());
    }
    let mut s = state_of("[GPE:Damascus] Damascus");
    let err = s
        .apply(
            Action::TagAll {
                id: "e404".into(),
                match_case: true,
            },
            NOW,
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "There is no annotation e404.");
    assert_eq!(
        s.occurrences("e404", Match::default()),
        Err(ModelError::NoSuchAnnotation("e404".into()))
    );
}

#[test]
fn tag_all_is_one_step_to_undo_and_redo_with_the_same_ids() {
    let mut s = state_of("[GPE:Damascus] and [PERSON:Assad]. Damascus, DAMASCUS, damascus.");
    let before = s.clone();
    let mut written = s.clone();
    let later = Timestamp(NOW.0 + 5);
    let out = s
        .apply(
            Action::TagAll {
                id: "e1".into(),
                match_case: false,
            },
            later,
        )
        .unwrap();
    assert_eq!(out.summary, "Tag 3 more “Damascus” GPE");
    let after = s.clone();
    let new: Vec<&Rc<Annotation>> = s
        .annotations()
        .iter()
        .filter(|a| a.created == later)
        .collect();
    let ids: Vec<&str> = new.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["e3", "e4", "e5"]);
    for a in &new {
        assert_eq!(a.body, entity("GPE"));
        assert_eq!((a.note.as_str(), a.updated), ("", later));
    }
    let mut journal = |s: &mut State| {
        let ids = s
            .changes_since(&written)
            .ids
            .into_iter()
            .collect::<Vec<_>>();
        written = s.clone();
        ids
    };
    assert_eq!(journal(&mut s), ["e3", "e4", "e5"], "save writes each");
    assert_eq!(s.undo_label(), Some("Tag 3 more “Damascus” GPE"));

    let undone = s.apply(Action::Undo, NOW).unwrap();
    assert_eq!(undone.summary, "Undo Tag 3 more “Damascus” GPE");
    assert_eq!(s, before, "one undo removes them all");
    assert_eq!(journal(&mut s), ["e3", "e4", "e5"], "save deletes each");
    s.check_invariants().unwrap();

    s.apply(Action::Redo, NOW).unwrap();
    assert_eq!(s, after, "redo brings them back, with the same ids");
    assert_eq!(journal(&mut s), ["e3", "e4", "e5"]);
    s.check_invariants().unwrap();
    assert_eq!(s.next_seq(), 6, "the ids after them are fresh");
}

#[test]
fn tagged_quotes_and_claims_get_their_kind_only() {
    let mut s = state_of("[PERSON:Jalali] said “[quote:free]” in [claim:free] and free");
    let (quote, claim) = ("q2".to_string(), "c3".to_string());
    assert_eq!(s.get(&claim).unwrap().kind(), Kind::Claim);
    let stated = find(&s, "said");
    for action in [
        Action::SetParty {
            id: quote.clone(),
            party: Some(Party::Ref("e1".into())),
        },
        Action::SetCue {
            id: quote.clone(),
            cue: Some(stated),
        },
        Action::SetNote {
            id: quote.clone(),
            note: "checked".into(),
        },
        Action::SetParty {
            id: claim.clone(),
            party: Some(Party::Name("a spokesman".into())),
        },
        Action::SetCheckworthiness {
            id: claim.clone(),
            value: Some("CFS".into()),
        },
    ] {
        s.apply(action, NOW).unwrap();
    }
    for (id, body) in [(quote, Body::new_quote("free")), (claim, Body::new_claim())] {
        let kind = body.kind();
        let later = Timestamp(NOW.0 + 1);
        let out = s
            .apply(
                Action::TagAll {
                    id,
                    match_case: true,
                },
                later,
            )
            .unwrap();
        let made: Vec<Rc<Annotation>> = s
            .annotations()
            .iter()
            .filter(|a| a.created == later && a.kind() == kind)
            .cloned()
            .collect();
        // The two other "free": another kind there is no duplicate.
        assert_eq!(made.len(), 2, "{}", out.summary);
        for a in made {
            assert_eq!(a.body, body);
            assert_eq!(a.note, "");
        }
        s.check_invariants().unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Over texts of repeated words, some tagged already: the occurrences of an annotation are
    /// exactly the whole-word positions of its text (found by trying every position) that are
    /// not tagged with its kind and label and overlap neither it, nor a tagged one, nor one
    /// taken before; each slices to its text (folded, ignoring case). Tagging them all adds
    /// exactly those, keeps every invariant and journals each new id; one undo restores the
    /// state before, and redo the state after, ids and all. With nothing to tag it is refused
    /// and changes nothing.
    #[test]
    fn tag_all_tags_what_occurrences_lists(
        (pairs, len) in prop_oneof![
            3 => (
                crate::model::occurrences::tests::arb_text(),
                prop_oneof![3 => Just(0usize), 1 => 1usize..3],
            ),
            // Occurrences that overlap: "la la" in "la la la".
            1 => (
                proptest::collection::vec((
                    proptest::sample::select(vec!["la", "la", "la", "LA"]),
                    proptest::sample::select(vec![" ", " ", " ", " ", ", ", ""]),
                ), 3..12),
                1usize..3,
            ),
        ],
        from in 0usize..30,
        kind in 0usize..4,
        tagged in proptest::collection::vec((any::<proptest::sample::Index>(), 0usize..3), 0..6),
        match_case in any::<bool>(),
        small_blocks in any::<bool>(),
    ) {
        use crate::model::occurrences::{fold, tests::{every_position, text_and_needle}};
        let (text, needle, span) = text_and_needle(&pairs, from, len);
        let doc = Rc::new(if small_blocks {
            Document::with_block_max("t", "t", text.as_str(), 16)
        } else {
            Document::new("t", "t", text.as_str())
        });
        let mut s = State::new(doc.clone());
        let label = |gpe: bool| if gpe { "GPE" } else { "ORG" };
        let body = match kind {
            0 | 1 => entity(label(kind == 0)),
            2 => Body::new_quote(&needle),
            _ => Body::new_claim(),
        };
        let created = s.apply(Action::Create { span, body: body.clone(), note: String::new() }, NOW);
        prop_assume!(created.is_ok(), "the model takes the source");
        let id = created.unwrap().created.unwrap();
        let how = Match { match_case };
        let found = every_position(&doc, &needle, how);
        // Tag some occurrences already: as the source is, with another type, or some words.
        for (at, how) in tagged {
            let (span, body) = match how {
                0 if !found.is_empty() => (*at.get(&found), body.clone()),
                1 if !found.is_empty() => (*at.get(&found), entity(label(kind != 0))),
                _ => (text_and_needle(&pairs, at.index(30), at.index(2)).2, entity("GPE")),
            };
            let _ = s.apply(Action::Create { span, body, note: String::new() }, NOW);
        }
        let (kind, label) = (body.kind(), body.label());
        let same = |a: &Annotation| a.kind() == kind && a.body.label() == label;
        let is_tagged = |m: &Span| s.annotations().iter().any(|a| a.span == *m && same(a));
        let mut expected: Vec<Span> = Vec::new();
        for m in &found {
            let blocked = is_tagged(m)
                || m.overlaps(&span)
                || expected.iter().any(|e| e.overlaps(m))
                || found.iter().any(|t| t != m && t.overlaps(m) && is_tagged(t))
                || (kind == Kind::Entity && doc.paragraphs_overlapping(*m).len() > 1);
            if !blocked {
                expected.push(*m);
            }
        }
        let got = s.occurrences(&id, how).unwrap();
        prop_assert_eq!(&got, &expected);
        let folded = |t: &str| t.chars().map(fold).collect::<String>();
        for m in &got {
            let t = doc.slice(*m);
            prop_assert_eq!(if match_case { t.to_string() } else { folded(t) },
                if match_case { needle.clone() } else { folded(&needle) });
        }

        let before = s.clone();
        let later = Timestamp(NOW.0 + 1);
        match s.apply(Action::TagAll { id, match_case }, later) {
            Err(e) => {
                prop_assert!(got.is_empty(), "refused {:?}: {}", got, e);
                prop_assert!(matches!(e, ModelError::NoOtherOccurrence(_)));
                prop_assert_eq!(&s, &before);
            }
            Ok(_) => {
                prop_assert!(!got.is_empty());
                s.check_invariants().map_err(TestCaseError::fail)?;
                let new: Vec<&Rc<Annotation>> = s.annotations().iter().filter(|a| before.get(&a.id).is_none()).collect();
                prop_assert_eq!(new.iter().map(|a| a.span).collect::<Vec<_>>(), got);
                prop_assert!(new.iter().all(|a| same(a) && a.created == later && a.note.is_empty()));
                prop_assert_eq!(s.len(), before.len() + new.len());
                let ids: Vec<String> = new.iter().map(|a| a.id.clone()).collect();
                let id_set: std::collections::BTreeSet<String> = ids.iter().cloned().collect();
                prop_assert_eq!(&s.changes_since(&before).ids, &id_set);
                let after = s.clone();
                s.apply(Action::Undo, NOW).unwrap();
                prop_assert_eq!(&s, &before);
                s.check_invariants().map_err(TestCaseError::fail)?;
                prop_assert_eq!(&s.changes_since(&after).ids, &id_set);
                prop_assert!(s.changes_since(&before).ids.is_empty(), "undo gives back the very annotations");
                s.apply(Action::Redo, NOW).unwrap();
                prop_assert_eq!(&s, &after);
                prop_assert!(ids.iter().all(|id| s.get(id).is_some()));
            }
        }
    }
}
