//! Annotations: a span of the document tagged as an entity, a quote or a claim.
//!
//! An annotation has a stable id, a non-empty half-open code-point range inside the text, a
//! kind-specific body, an optional note, and created/updated times. Quotes and claims may link
//! to an entity annotation (the speaker, the claimant) by id; the reducer keeps every link
//! pointing at an existing entity.
//!
//! Beyond the journalism kinds, an annotation may carry the open schema's parts ([`Extra`],
//! behind a box: most carry none): fragments (a discontinuous span), attributes, typed and
//! directed relations to other annotations of any kind, normalisations (knowledge-base
//! entries), typed notes, and an event it triggers with role arguments. Relations and event
//! arguments are held by their source, as links are; the reducer keeps every one pointing at
//! an existing annotation, and deleting an annotation drops what points at it (undo brings it
//! back).

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
    /// The stretch of text it covers: for a discontinuous annotation, from its first
    /// fragment's start to its last fragment's end (the fragments are in [`Extra::fragments`]).
    pub span: Span,
    pub body: Body,
    pub note: String,
    pub created: Timestamp,
    pub updated: Timestamp,
    /// The parts of the open schema it carries, if any: behind a box, so that the common
    /// annotation, which has none, costs one pointer more.
    pub extra: Option<Box<Extra>>,
}

/// An attribute's value: a flag that is set, or a value (one of a set, or free text).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Flag,
    Text(String),
}

/// Attributes by name, in name order, each name once.
pub type Attributes = Vec<(String, Value)>;

/// A typed, directed relation to another annotation (`target`, by id), with its own
/// attributes and note. `roles` names the two ends as the file did (brat's `Arg1`/`Arg2`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Relation {
    pub kind: String,
    pub target: String,
    pub roles: Option<(String, String)>,
    pub attributes: Attributes,
    pub note: String,
}

/// A link from an annotation to an entry of a knowledge base: `Wikidata:Q3766`, with the
/// entry's label ("Damascus").
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Norm {
    pub resource: String,
    pub entry: String,
    pub label: String,
}

/// A note of a named type other than the annotator's note (brat's `#1 Lemma T1 …`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TypedNote {
    pub kind: String,
    pub text: String,
}

/// An event whose trigger is the annotation that holds it (brat's `E1 Type:T1 Role:T2 …`):
/// its type, its arguments by role (annotation ids, in the file's order), and its own
/// attributes and note.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Event {
    pub kind: String,
    pub args: Vec<(String, String)>,
    pub attributes: Attributes,
    pub note: String,
}

/// What an annotation of the open schema carries besides its kind's body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Extra {
    /// The fragments of a discontinuous annotation, two or more, in text order, neither
    /// overlapping nor touching; empty for one stretch of text (the common case).
    pub fragments: Vec<Span>,
    pub attributes: Attributes,
    pub relations: Vec<Relation>,
    pub norms: Vec<Norm>,
    pub notes: Vec<TypedNote>,
    pub event: Option<Event>,
}

impl Extra {
    pub fn is_empty(&self) -> bool {
        *self == Extra::default()
    }

    /// The ids of the annotations it points at: relation targets and event arguments.
    pub fn targets(&self) -> impl Iterator<Item = &str> {
        let rel = self.relations.iter().map(|r| r.target.as_str());
        let args = self
            .event
            .iter()
            .flat_map(|e| e.args.iter().map(|(_, t)| t.as_str()));
        rel.chain(args)
    }

    /// Renames the annotation ids it points at, by `f` (the same id where `f` gives none).
    pub fn rename_targets(&mut self, f: impl Fn(&str) -> Option<String>) {
        for r in &mut self.relations {
            if let Some(id) = f(&r.target) {
                r.target = id;
            }
        }
        if let Some(e) = &mut self.event {
            for (_, t) in &mut e.args {
                if let Some(id) = f(t) {
                    *t = id;
                }
            }
        }
    }

    /// Drops every relation to `id`, and every event argument that is `id`.
    pub fn unlink(&mut self, id: &str) {
        self.relations.retain(|r| r.target != id);
        if let Some(e) = &mut self.event {
            e.args.retain(|(_, t)| t != id);
        }
    }
}

/// Whether `fragments` can be the fragments of an annotation over `span`: two or more, none
/// empty, in order and apart (neither overlapping nor touching), from `span`'s start to its end.
pub fn fragments_fit(span: Span, fragments: &[Span]) -> bool {
    fragments.len() >= 2
        && fragments.iter().all(|f| !f.is_empty())
        && fragments.windows(2).all(|w| w[0].end < w[1].start)
        && fragments[0].start == span.start
        && fragments[fragments.len() - 1].end == span.end
}

static NO_EXTRA: std::sync::OnceLock<Extra> = std::sync::OnceLock::new();

impl Annotation {
    pub fn kind(&self) -> Kind {
        self.body.kind()
    }

    /// What it carries of the open schema (nothing, for most).
    pub fn extra(&self) -> &Extra {
        self.extra
            .as_deref()
            .unwrap_or_else(|| NO_EXTRA.get_or_init(Extra::default))
    }

    /// Its open-schema parts to change; set to `None` again when they end up empty.
    pub fn extra_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Default::default)
    }

    /// Drops the open-schema parts when nothing is left in them.
    pub fn tidy_extra(&mut self) {
        if self.extra.as_ref().is_some_and(|e| e.is_empty()) {
            self.extra = None;
        }
    }

    /// The stretches of text it covers: its fragments, or its one span.
    pub fn fragments(&self) -> Vec<Span> {
        match self.extra() {
            e if e.fragments.len() > 1 => e.fragments.clone(),
            _ => vec![self.span],
        }
    }

    /// Every annotation id it links to: its speaker or claimant, relation targets, event
    /// arguments (an id may come more than once).
    pub fn targets(&self) -> impl Iterator<Item = &str> {
        self.body
            .party()
            .and_then(Party::as_ref_id)
            .into_iter()
            .chain(self.extra().targets())
    }

    /// Removes every link from it to `id`: a speaker or claimant that is `id` becomes none,
    /// relations to it and event arguments that are it go.
    pub fn unlink(&mut self, id: &str) {
        if self.body.party().and_then(Party::as_ref_id) == Some(id) {
            match &mut self.body {
                Body::Quote { speaker, .. } => *speaker = None,
                Body::Claim { claimant, .. } => *claimant = None,
                Body::Entity { .. } => {}
            }
        }
        if let Some(e) = &mut self.extra {
            e.unlink(id);
        }
        self.tidy_extra();
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
