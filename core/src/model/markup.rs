//! A tiny markup for documents with spans, for tests: `"The [org:Baath Party] said"`.
//!
//! `[tag:` opens a span and `]` closes the innermost open one; tags are an entity label in any
//! case (`org`, `PERSON`), `quote` or `claim`. Spans nest; `\[` and `\]` are literal brackets.
//! [`parse`] gives the plain text and the spans in code points; [`render`] writes a state back
//! in the same markup (labels upper case), so that reducer tests read as before/after text.

use super::annotation::{Annotation, Body, Kind};
use super::offsets::Span;
use super::state::State;
use super::time::Timestamp;

/// An annotation made by hand for a test, stamped at a fixed time.
pub fn ann(id: &str, span: Span, body: Body) -> Annotation {
    const NOW: Timestamp = Timestamp(1_733_635_800_000);
    Annotation {
        id: id.into(),
        span,
        body,
        note: String::new(),
        created: NOW,
        updated: NOW,
        extra: None,
    }
}

/// One marked span: its tag as written, lowercased, and its range in the plain text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marked {
    pub tag: String,
    pub span: Span,
}

/// Plain text and marked spans, in the order their `[` appear.
pub fn parse(marked: &str) -> (String, Vec<Marked>) {
    let mut text = String::new();
    let mut cp = 0usize;
    let mut open: Vec<(usize, String)> = Vec::new();
    let mut spans: Vec<(usize, Marked)> = Vec::new();
    let mut chars = marked.chars().peekable();
    let mut order = 0;
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some('[' | ']')) => {
                text.push(chars.next().unwrap());
                cp += 1;
            }
            '[' => {
                let mut tag = String::new();
                for t in chars.by_ref() {
                    if t == ':' {
                        break;
                    }
                    tag.push(t);
                }
                open.push((cp, tag.to_lowercase()));
            }
            ']' => {
                let (start, tag) = open.pop().expect("unbalanced ] in markup");
                spans.push((
                    order,
                    Marked {
                        tag,
                        span: Span::new(start, cp),
                    },
                ));
                order += 1;
            }
            c => {
                text.push(c);
                cp += 1;
            }
        }
    }
    assert!(open.is_empty(), "unclosed [ in markup");
    crate::model::sort::sort_by_key(&mut spans, |(_, m)| {
        (m.span.start, std::cmp::Reverse(m.span.end))
    });
    (text, spans.into_iter().map(|(_, m)| m).collect())
}

/// The body a tag stands for.
pub fn body_for(tag: &str, text: &str) -> Body {
    match tag {
        "quote" => Body::new_quote(text),
        "claim" => Body::new_claim(),
        label => Body::Entity {
            label: label.to_uppercase(),
        },
    }
}

/// The state's text with every annotation marked: `[ORG:…]`, `[quote:…]`, `[claim:…]`,
/// outermost first.
pub fn render(state: &State) -> String {
    let text = state.document().text();
    let mut opens: Vec<(usize, usize, String)> = Vec::new();
    for a in state.annotations() {
        let tag = match (&a.body, a.kind()) {
            (Body::Entity { label }, _) => label.clone(),
            (_, Kind::Quote) => "quote".into(),
            _ => "claim".into(),
        };
        opens.push((a.span.start, a.span.end, tag));
    }
    let mut out = String::new();
    let mut closing: Vec<usize> = Vec::new();
    let mut next = 0;
    for (i, c) in text.chars().chain(std::iter::once('\0')).enumerate() {
        while closing.last() == Some(&i) {
            closing.pop();
            out.push(']');
        }
        while next < opens.len() && opens[next].0 == i {
            out.push('[');
            out.push_str(&opens[next].2);
            out.push(':');
            closing.push(opens[next].1);
            crate::model::sort::sort_by(&mut closing, |a, b| b.cmp(a));
            next += 1;
        }
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_spans() {
        let (text, spans) = parse("[quote:“After [org:the Baath Party] rule”], [person:Assad]");
        assert_eq!(text, "“After the Baath Party rule”, Assad");
        assert_eq!(
            spans,
            vec![
                Marked {
                    tag: "quote".into(),
                    span: Span::new(0, 28)
                },
                Marked {
                    tag: "org".into(),
                    span: Span::new(7, 22)
                },
                Marked {
                    tag: "person".into(),
                    span: Span::new(30, 35)
                },
            ]
        );
    }

    #[test]
    fn escaped_brackets_are_text() {
        let (text, spans) = parse(r"a \[b\] [org:c]");
        assert_eq!(text, "a [b] c");
        assert_eq!(spans[0].span, Span::new(6, 7));
    }
}
