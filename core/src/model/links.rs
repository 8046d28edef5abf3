//! The links of an annotation, as the page draws and lists them: a quote's speaker, a claim's
//! claimant and a quote's cue going out, and the quotes and claims that name an entity coming
//! in; and the open schema's relations of any type, both ways. Each link is a typed edge
//! between two ends, so that all of them are drawn and listed the same way.

use super::annotation::{Body, Party};
use super::offsets::Span;
use super::state::State;

/// One end of a link: an annotation, or a span of text that is not one (a quote's cue).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    Annotation(String),
    /// The cue of the quote with this id.
    Cue {
        quote: String,
        span: Span,
    },
}

/// A link from one end to another, with the role the target plays ("speaker", "cue") or the
/// relation's type ("Part-of"); `relation` tells the two apart (a relation may be called
/// "speaker" too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub from: End,
    pub to: End,
    pub role: String,
    pub relation: bool,
}

/// Every link that touches annotation `id`: its own (party, cue), then those that name it, in
/// text order. Links to a party named only by a free name (not in the text) have no second
/// end and are not listed.
pub fn links_of(state: &State, id: &str) -> Vec<Link> {
    let Some(a) = state.get(id) else {
        return Vec::new();
    };
    let me = || End::Annotation(id.to_string());
    let mut out = Vec::new();
    if let Some(Party::Ref(to)) = a.body.party() {
        if state.get(to).is_some() {
            out.push(Link {
                from: me(),
                to: End::Annotation(to.clone()),
                role: role_of(&a.body).into(),
                relation: false,
            });
        }
    }
    if let Body::Quote { cue: Some(cue), .. } = &a.body {
        out.push(Link {
            from: me(),
            to: End::Cue {
                quote: id.to_string(),
                span: *cue,
            },
            role: "cue".into(),
            relation: false,
        });
    }
    for r in &a.extra().relations {
        if state.get(&r.target).is_some() {
            out.push(Link {
                from: me(),
                to: End::Annotation(r.target.clone()),
                role: r.kind.clone(),
                relation: true,
            });
        }
    }
    for from in state.linked_to(id) {
        out.push(Link {
            from: End::Annotation(from.id.clone()),
            to: me(),
            role: role_of(&from.body).into(),
            relation: false,
        });
    }
    for from in state.pointing_at(id) {
        for r in from.extra().relations.iter().filter(|r| r.target == id) {
            out.push(Link {
                from: End::Annotation(from.id.clone()),
                to: me(),
                role: r.kind.clone(),
                relation: true,
            });
        }
    }
    out
}

/// The entity most likely to be the speaker or claimant of annotation `id`, for the keyboard
/// to accept in one key: among the entities near it that lie outside it (a quote's own words
/// are not its speaker), the closest one before it in its paragraph, else the closest after it
/// there, else the closest anywhere near.
pub fn likely_party(state: &State, id: &str) -> Option<String> {
    let a = state.get(id)?;
    let doc = state.document();
    let para = doc
        .paragraphs()
        .iter()
        .find(|p| p.start <= a.span.start && a.span.start < p.end.max(p.start + 1))
        .copied();
    let near = state.entities_near(a.span, 40);
    let outside: Vec<_> = near
        .iter()
        .filter(|e| e.id != a.id && (e.span.end <= a.span.start || e.span.start >= a.span.end))
        .collect();
    let in_para = |e: &&&std::rc::Rc<super::Annotation>| {
        para.is_some_and(|p| p.start <= e.span.start && e.span.end <= p.end)
    };
    let before = outside
        .iter()
        .filter(in_para)
        .filter(|e| e.span.end <= a.span.start)
        .max_by_key(|e| e.span.end);
    let after = || {
        outside
            .iter()
            .filter(in_para)
            .filter(|e| e.span.start >= a.span.end)
            .min_by_key(|e| e.span.start)
    };
    let gap = |e: &super::Annotation| {
        if e.span.end <= a.span.start {
            a.span.start - e.span.end
        } else {
            e.span.start - a.span.end
        }
    };
    let anywhere = || outside.iter().min_by_key(|e| gap(e));
    before
        .or_else(after)
        .or_else(anywhere)
        .map(|e| e.id.clone())
}

/// What the party of a body is called.
pub fn role_of(body: &Body) -> &'static str {
    match body {
        Body::Quote { .. } => "speaker",
        Body::Claim { .. } => "claimant",
        Body::Entity { .. } => "link",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_likely_party_is_the_nearest_entity_before_in_the_paragraph() {
        use crate::model::markup::parse;
        let (text, spans) = parse(
            "[org:Rebel forces] say [claim:the city is free of [person:Assad]] \
             and [org:HTS] agrees.\n\n[gpe:Syria] is far.",
        );
        let doc = crate::model::Document::new("t", "t", text);
        let mut s = State::new(std::rc::Rc::new(doc));
        let mut ids = Vec::new();
        for m in &spans {
            let body = match m.tag.as_str() {
                "claim" => Body::for_kind(crate::model::Kind::Claim, "", ""),
                tag => Body::Entity {
                    label: tag.to_uppercase(),
                },
            };
            let out = s
                .apply(
                    crate::model::Action::Create {
                        span: m.span,
                        body,
                        note: String::new(),
                    },
                    crate::model::Timestamp(0),
                )
                .unwrap();
            ids.push(out.created.unwrap());
        }
        // Spans in the order of their `[`: Rebel forces, claim, Assad, HTS, Syria.
        let claim = &ids[1];
        assert_eq!(
            likely_party(&s, claim).as_deref(),
            Some(ids[0].as_str()),
            "before it, not inside it"
        );
        s.apply(
            crate::model::Action::Delete { id: ids[0].clone() },
            crate::model::Timestamp(0),
        )
        .unwrap();
        assert_eq!(
            likely_party(&s, claim).as_deref(),
            Some(ids[3].as_str()),
            "else after it in the paragraph"
        );
        s.apply(
            crate::model::Action::Delete { id: ids[3].clone() },
            crate::model::Timestamp(0),
        )
        .unwrap();
        assert_eq!(
            likely_party(&s, claim).as_deref(),
            Some(ids[4].as_str()),
            "else the nearest anywhere"
        );
    }

    use super::*;
    use crate::model::markup::parse;
    use crate::model::{Action, Timestamp};

    #[test]
    fn a_quote_links_to_its_speaker_and_cue_and_the_speaker_lists_it() {
        let (text, spans) = parse("[person:Assad] [x:said] [quote:“we will stay”].");
        let doc = crate::model::Document::new("t", "t", text);
        let mut s = State::new(std::rc::Rc::new(doc));
        let now = Timestamp(0);
        let mk = |s: &mut State, span, body| {
            s.apply(
                Action::Create {
                    span,
                    body,
                    note: String::new(),
                },
                now,
            )
            .unwrap()
            .created
            .unwrap()
        };
        let assad = mk(
            &mut s,
            spans[0].span,
            Body::Entity {
                label: "PERSON".into(),
            },
        );
        let quote = mk(
            &mut s,
            spans[2].span,
            Body::for_kind(crate::model::Kind::Quote, "", "“we will stay”"),
        );
        assert!(links_of(&s, &quote).is_empty(), "no link yet");
        s.apply(
            Action::SetParty {
                id: quote.clone(),
                party: Some(Party::Ref(assad.clone())),
            },
            now,
        )
        .unwrap();
        s.apply(
            Action::SetCue {
                id: quote.clone(),
                cue: Some(spans[1].span),
            },
            now,
        )
        .unwrap();
        let out = links_of(&s, &quote);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].to, End::Annotation(assad.clone()));
        assert_eq!(out[0].role, "speaker");
        assert_eq!(
            out[1].to,
            End::Cue {
                quote: quote.clone(),
                span: spans[1].span
            }
        );
        let back = links_of(&s, &assad);
        assert_eq!(
            back,
            vec![Link {
                from: End::Annotation(quote.clone()),
                to: End::Annotation(assad.clone()),
                role: "speaker".into(),
                relation: false,
            }],
            "listed at the other end too"
        );
        // A free name is no second end.
        s.apply(
            Action::SetParty {
                id: quote.clone(),
                party: Some(Party::Name("a spokesman".into())),
            },
            now,
        )
        .unwrap();
        assert!(links_of(&s, &assad).is_empty());
        assert_eq!(links_of(&s, &quote).len(), 1, "the cue remains");
    }

    #[test]
    fn relations_of_any_type_are_links_at_both_ends() {
        let doc = crate::model::Document::new("t", "t", "Acme bought Widgets Inc.");
        let mut s = State::new(std::rc::Rc::new(doc));
        let now = crate::model::Timestamp::parse_rfc3339("2024-12-08T10:00:00Z").unwrap();
        let mut mk = |start, end| {
            let body = Body::Entity {
                label: "ORG".into(),
            };
            let span = Span::new(start, end);
            let note = String::new();
            s.apply(crate::model::Action::Create { span, body, note }, now)
                .unwrap()
                .created
                .unwrap()
        };
        let (acme, widgets) = (mk(0, 4), mk(12, 24));
        s.apply(
            crate::model::Action::AddRelation {
                from: acme.clone(),
                to: widgets.clone(),
                kind: "Acquired".into(),
            },
            now,
        )
        .unwrap();
        let link = Link {
            from: End::Annotation(acme.clone()),
            to: End::Annotation(widgets.clone()),
            role: "Acquired".into(),
            relation: true,
        };
        assert_eq!(links_of(&s, &acme), vec![link.clone()]);
        assert_eq!(
            links_of(&s, &widgets),
            vec![link],
            "listed at the target too"
        );
    }
}
