//! Annotations: a span of the document tagged as an entity, a quote or a claim.
//!
//! An annotation has a stable id, a non-empty half-open code-point range inside the text, a
//! kind-specific body, an optional note, and created/updated times. Quotes and claims may link
//! to an entity annotation (the speaker, the claimant) by id; the reducer keeps every link
//! pointing at an existing entity.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::offsets::Span;
use super::time::Timestamp;

/// The three kinds of annotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Entity,
    Quote,
    Claim,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Entity, Kind::Quote, Kind::Claim];

    /// The lowercase name used in files and CSS classes: "entity", "quote", "claim".
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Entity => "entity",
            Kind::Quote => "quote",
            Kind::Claim => "claim",
        }
    }

    /// The name shown to people: "Entity", "Quote", "Claim".
    pub fn title(self) -> &'static str {
        match self {
            Kind::Entity => "Entity",
            Kind::Quote => "Quote",
            Kind::Claim => "Claim",
        }
    }

    /// The key that tags a selection with this kind.
    pub fn key(self) -> char {
        match self {
            Kind::Entity => 'e',
            Kind::Quote => 'q',
            Kind::Claim => 'c',
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The letter that starts ids of this kind ("e12").
    pub(crate) fn id_prefix(self) -> char {
        self.key()
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// Who said a quote or put forward a claim: an entity annotation in the text, or a name when
/// the person is not in the text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Party {
    Ref(String),
    Name(String),
}

impl Party {
    pub fn as_ref_id(&self) -> Option<&str> {
        match self {
            Party::Ref(id) => Some(id),
            Party::Name(_) => None,
        }
    }
}

/// What each kind carries besides its span.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Body {
    Entity {
        label: String,
    },
    Quote {
        speaker: Option<Party>,
        /// The span of the words that introduce the quote ("said", "stated").
        cue: Option<Span>,
        direct: bool,
    },
    Claim {
        claimant: Option<Party>,
        checkworthiness: Option<String>,
    },
}

impl Body {
    pub fn kind(&self) -> Kind {
        match self {
            Body::Entity { .. } => Kind::Entity,
            Body::Quote { .. } => Kind::Quote,
            Body::Claim { .. } => Kind::Claim,
        }
    }

    /// The entity type, for entities.
    pub fn label(&self) -> Option<&str> {
        match self {
            Body::Entity { label } => Some(label),
            _ => None,
        }
    }

    /// The linked speaker or claimant, if any.
    pub fn party(&self) -> Option<&Party> {
        match self {
            Body::Quote { speaker, .. } => speaker.as_ref(),
            Body::Claim { claimant, .. } => claimant.as_ref(),
            Body::Entity { .. } => None,
        }
    }

    /// The body of a fresh quote over `text`: direct when the text is enclosed in quotation
    /// marks, as a direct quotation is.
    pub fn new_quote(text: &str) -> Body {
        Body::Quote {
            speaker: None,
            cue: None,
            direct: looks_direct(text),
        }
    }

    /// The body a fresh annotation of `kind` gets over `text`; `label` for entities.
    pub fn for_kind(kind: Kind, label: &str, text: &str) -> Body {
        match kind {
            Kind::Entity => Body::Entity {
                label: label.to_string(),
            },
            Kind::Quote => Body::new_quote(text),
            Kind::Claim => Body::new_claim(),
        }
    }

    pub fn new_claim() -> Body {
        Body::Claim {
            claimant: None,
            checkworthiness: None,
        }
    }
}

/// Whether a span's text reads as a direct quotation: it opens with a quotation mark.
pub fn looks_direct(text: &str) -> bool {
    const OPENERS: &[char] = &['“', '"', '«', '„', '‘', '\'', '‚', '‹', '「', '『'];
    text.trim_start().starts_with(OPENERS)
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Annotation {
    pub id: String,
    pub span: Span,
    pub body: Body,
    pub note: String,
    pub created: Timestamp,
    pub updated: Timestamp,
}

impl Annotation {
    pub fn kind(&self) -> Kind {
        self.body.kind()
    }

    /// The order annotations are listed and exported in: by start, then end, then id in
    /// natural order (`a2` before `a10`).
    pub fn sort_key(&self) -> (usize, usize, NaturalId<'_>) {
        (self.span.start, self.span.end, NaturalId(&self.id))
    }
}

/// An id ordered as a person counts: runs of ASCII digits compare by their value, the rest by
/// code point; ids equal in that order (`a01`, `a1`) fall back to their bytes, so that the
/// order is total and agrees with string equality.
///
/// ```
/// use marginalia_core::model::annotation::NaturalId;
/// let mut ids = ["a10", "a2", "a1", "b", "a01"];
/// ids.sort_by(|x, y| NaturalId(x).cmp(&NaturalId(y)));
/// assert_eq!(ids, ["a01", "a1", "a2", "a10", "b"]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NaturalId<'a>(pub &'a str);

impl Ord for NaturalId<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        natural_cmp(self.0, other.0).then_with(|| self.0.cmp(other.0))
    }
}

impl PartialOrd for NaturalId<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            let run = |s: &[u8], from: usize| {
                let end = from + s[from..].iter().take_while(|c| c.is_ascii_digit()).count();
                let zeros = s[from..end].iter().take_while(|&&c| c == b'0').count();
                (from + zeros, end)
            };
            let ((x0, x1), (y0, y1)) = (run(a, i), run(b, j));
            // Without leading zeros, a longer run is a larger number; equal lengths compare
            // digit by digit.
            let by_value = (x1 - x0)
                .cmp(&(y1 - y0))
                .then_with(|| a[x0..x1].cmp(&b[y0..y1]));
            if by_value != Ordering::Equal {
                return by_value;
            }
            (i, j) = (x1, y1);
        } else {
            // Not digits: compare the characters these bytes begin (UTF-8 keeps code point
            // order byte by byte).
            if a[i] != b[j] {
                return a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
    }
    (a.len() - i).cmp(&(b.len() - j))
}
