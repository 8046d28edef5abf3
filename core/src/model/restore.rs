//! Restoring a document's stored annotations when some of them may be damaged.
//!
//! Storage holds one record per annotation; a browser, an older version or a bug can leave one
//! that no longer fits (a duplicate id, a link to an annotation that is gone, a span that is
//! not allowed). [`State::restore`] refuses the whole set if any one breaks an invariant; here
//! each bad record is left out with a sentence saying why, and the rest is restored. What is
//! restored always keeps every invariant of [`State`].
//!
//! Linear in the number of records (two passes and hash sets), whatever they hold.

use std::collections::HashSet;
use std::rc::Rc;

use super::annotation::{Annotation, Kind, Party};
use super::document::Document;
use super::labels::Labels;
use super::state::State;

/// The restored state and one sentence per record left out.
pub struct Restored {
    pub state: State,
    pub skipped: Vec<String>,
}

/// Restores what can be restored of `records`. Fails only when the document's own record is
/// unusable (its label sets are invalid), since then no annotation can be checked.
pub fn restore_lenient(
    doc: Rc<Document>,
    labels: Labels,
    records: Vec<Annotation>,
    next_seq: u64,
) -> Result<Restored, String> {
    labels
        .validate()
        .map_err(|e| format!("its stored labels are damaged ({e})"))?;
    let check = State::new(doc.clone());
    let mut skipped = Vec::new();
    let mut ids: HashSet<String> = HashSet::new();
    let mut keys: HashSet<(Kind, Option<String>, usize, usize)> = HashSet::new();
    let mut candidates = Vec::with_capacity(records.len());
    for a in records {
        if ids.contains(&a.id) {
            skipped.push(format!("{}: the id appears twice", a.id));
            continue;
        }
        if let Err(e) = check.check_kind_span(a.kind(), a.span) {
            skipped.push(format!("{}: {e}", a.id));
            continue;
        }
        let key = (
            a.kind(),
            a.body.label().map(str::to_string),
            a.span.start,
            a.span.end,
        );
        if !keys.insert(key) {
            skipped.push(format!(
                "{}: repeats the kind, label and span of another annotation",
                a.id
            ));
            continue;
        }
        ids.insert(a.id.clone());
        candidates.push(a);
    }
    // Links may only point at entities that are kept.
    let entities: HashSet<&str> = candidates
        .iter()
        .filter(|a| a.kind() == Kind::Entity)
        .map(|a| a.id.as_str())
        .collect();
    let dangling: HashSet<usize> = candidates
        .iter()
        .enumerate()
        .filter(|(_, a)| {
            matches!(a.body.party(), Some(Party::Ref(r)) if !entities.contains(r.as_str()))
        })
        .map(|(i, _)| i)
        .collect();
    let mut kept = Vec::with_capacity(candidates.len() - dangling.len());
    for (i, a) in candidates.into_iter().enumerate() {
        if dangling.contains(&i) {
            if let Some(Party::Ref(r)) = a.body.party() {
                skipped.push(format!(
                    "{}: it links to {r}, which is not a stored entity",
                    a.id
                ));
            }
        } else {
            kept.push(a);
        }
    }
    let state = State::restore(doc, labels, kept, next_seq)?;
    Ok(Restored { state, skipped })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::markup::ann;
    use crate::model::{Body, Span};

    fn doc() -> Rc<Document> {
        Rc::new(Document::new(
            "d",
            "D",
            "Assad said “we stay”.\n\nLatakia fell.",
        ))
    }

    fn entity(id: &str, span: Span) -> Annotation {
        ann(
            id,
            span,
            Body::Entity {
                label: "PERSON".into(),
            },
        )
    }

    fn quote_by(id: &str, span: Span, speaker: &str) -> Annotation {
        ann(
            id,
            span,
            Body::Quote {
                speaker: Some(Party::Ref(speaker.into())),
                cue: None,
                direct: true,
            },
        )
    }

    #[test]
    fn bad_records_are_left_out_with_a_reason_and_the_rest_restored() {
        let records = vec![
            entity("e1", Span::new(0, 5)),
            quote_by("q2", Span::new(11, 20), "e1"),
            // A link to an entity that is not stored.
            quote_by("q3", Span::new(10, 21), "e9"),
            // The same id again.
            entity("e1", Span::new(23, 30)),
            // An entity across the paragraph break.
            entity("e4", Span::new(0, 30)),
            // Outside the text.
            entity("e5", Span::new(30, 99)),
            // The same kind, label and span as e1.
            entity("e6", Span::new(0, 5)),
        ];
        let r = restore_lenient(doc(), Labels::default(), records, 1).unwrap();
        let kept: Vec<&str> = r
            .state
            .annotations()
            .iter()
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(kept, ["e1", "q2"]);
        assert_eq!(r.skipped.len(), 5, "{:?}", r.skipped);
        assert!(r.skipped[0].starts_with("e1: the id appears twice"));
        assert!(r
            .skipped
            .iter()
            .any(|s| s.starts_with("e4: An entity cannot cross")));
        assert!(r.skipped.iter().any(|s| s.starts_with("e5: The range")));
        assert!(r.skipped.iter().any(|s| s.starts_with("e6: repeats")));
        assert_eq!(
            r.skipped.last().unwrap(),
            "q3: it links to e9, which is not a stored entity"
        );
        r.state.check_invariants().unwrap();
    }

    #[test]
    fn a_link_to_a_skipped_entity_is_skipped_too() {
        let records = vec![
            entity("e1", Span::new(0, 30)),
            quote_by("q2", Span::new(11, 20), "e1"),
        ];
        let r = restore_lenient(doc(), Labels::default(), records, 1).unwrap();
        assert!(r.state.is_empty());
        assert_eq!(r.skipped.len(), 2);
    }

    #[test]
    fn an_empty_label_set_refuses_the_document() {
        let labels = Labels {
            entity: Vec::new(),
            ..Labels::default()
        };
        let err = restore_lenient(doc(), labels, Vec::new(), 1).err().unwrap();
        assert!(err.contains("the entity label set is empty"), "{err}");
    }
}
