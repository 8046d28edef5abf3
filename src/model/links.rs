//! The links of an annotation, as the page draws and lists them: a quote's speaker, a claim's
//! claimant and a quote's cue going out, and the quotes and claims that name an entity coming
//! in. Each link is a typed edge between two ends, so that relations of any type (the schema
//! to come) are drawn and listed the same way.

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

/// A link from one end to another, with the role the target plays ("speaker", "cue").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub from: End,
    pub to: End,
    pub role: &'static str,
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
                role: role_of(&a.body),
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
            role: "cue",
        });
    }
    for from in state.linked_to(id) {
        out.push(Link {
            from: End::Annotation(from.id.clone()),
            to: me(),
            role: role_of(&from.body),
        });
    }
    out
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
                role: "speaker"
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
}
