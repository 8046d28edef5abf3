//! The annotation state of one document, and the one reducer that changes it.
//!
//! Every change is an [`Action`] applied by [`State::apply`], which either fails with a
//! [`ModelError`] and leaves the state exactly as it was, or records a [`Change`] (the
//! annotations before and after, by id) that undo and redo replay in reverse or again. History
//! is unlimited.
//!
//! Invariants, checked after every action by the property tests ([`State::check_invariants`]):
//! - every span lies inside the text, is non-empty and covers some non-space text;
//! - ids are unique;
//! - every speaker or claimant link points at an existing entity annotation;
//! - no two annotations share kind, label and span;
//! - entity labels and check-worthiness values belong to the label sets;
//! - the sorted list and the per-block lists agree with the annotations;
//! - every annotation has a key, and no two ids share one;
//! - undo after any sequence restores the exact earlier state.
//!
//! Indexes are kept incrementally: `sorted` by (start, end, id), and one list per block (see
//! `model::document`: a paragraph cut into pieces of bounded size) of the annotations
//! overlapping it, each behind an `Rc` so that a view can tell in O(1) which blocks a change
//! touched (the others keep the same `Rc`). Blocks are bounded, so one change in a megabyte
//! paragraph copies the short lists of the one or two blocks it touches, not a list of every
//! annotation in the paragraph.
//!
//! A state is a value: the page keeps each version it showed, and an action changes a copy
//! (`Clone`), never a version someone holds. So a copy is cheap: what it holds is shared —
//! annotations, the per-block lists and the history behind `Rc`s, ids as `Rc<str>` — and a
//! copy duplicates pointers, not text. What a store must write after a change is the
//! difference between the state it last wrote and this one ([`State::changes_since`]).
//!
//! Why one file of ~1,600 lines: the reducer and the indexes it keeps are one unit of invariants.
//! Every index field is private and changed only here, so no other module can leave them out of
//! step; what needs no private field lives apart (`links`, `occurrences`, `restore`, `sort`), and
//! the tests are in `state_tests.rs`.

use crate::model::sort;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use super::annotation::{Annotation, Body, Kind, Party, Relation, Value};
use super::blanks::Blanks;
use super::document::Document;
use super::labels::{validate_label, Labels};
use super::occurrences::{self, Match};
use super::offsets::Span;
use super::time::Timestamp;

/// The annotations overlapping one block, in (start, end, id) order, with their keys.
pub type BlockAnnotations = Rc<Vec<Keyed>>;

/// An annotation id as the state's indexes hold it: shared, so that a copy of the state copies
/// pointers, not strings.
type Id = Rc<str>;

/// An annotation with its key: a small number the state gives each id it meets, for the page
/// to name the annotation by (in `data-a` and the like) instead of its id, which a file may
/// fill with any characters. A key stays with its id for the life of the state, deleted and
/// undone or not, so that what is drawn from it stays the same.
#[derive(Clone, Debug, PartialEq)]
pub struct Keyed {
    pub key: u32,
    pub annotation: Rc<Annotation>,
}

impl std::ops::Deref for Keyed {
    type Target = Annotation;
    fn deref(&self) -> &Annotation {
        &self.annotation
    }
}

/// A change a person (or an import) asks for. Struct variants name what they carry.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Tags `span` with a new annotation.
    Create {
        span: Span,
        body: Body,
        note: String,
    },
    Delete {
        id: String,
    },
    SetSpan {
        id: String,
        span: Span,
    },
    /// Turns an annotation into another kind; `label` is the entity type when it becomes one.
    SetKind {
        id: String,
        kind: Kind,
        label: Option<String>,
    },
    SetLabel {
        id: String,
        label: String,
    },
    /// The speaker of a quote, or the claimant of a claim.
    SetParty {
        id: String,
        party: Option<Party>,
    },
    SetCue {
        id: String,
        cue: Option<Span>,
    },
    /// Makes the words at `span` the speaker of quote `id` (or the claimant of claim `id`),
    /// in one step: the entity already there with exactly that span, else a new entity of
    /// type `label`, which is then linked.
    TagParty {
        id: String,
        span: Span,
        label: String,
    },
    SetDirect {
        id: String,
        direct: bool,
    },
    SetCheckworthiness {
        id: String,
        value: Option<String>,
    },
    SetNote {
        id: String,
        note: String,
    },
    SetLabels {
        labels: Labels,
    },
    /// Relates annotation `from` to annotation `to` by a relation of type `kind` (any name).
    AddRelation {
        from: String,
        to: String,
        kind: String,
    },
    /// Removes the relation at `index` in annotation `from`'s list.
    RemoveRelation {
        from: String,
        index: usize,
    },
    /// Sets attribute `name` of annotation `id` (any name), or clears it with `None`.
    SetAttribute {
        id: String,
        name: String,
        value: Option<Value>,
    },
    /// Adds `span` to annotation `id` as a fragment of its own, making it discontinuous (or
    /// joins it to a fragment it overlaps or touches).
    AddFragment {
        id: String,
        span: Span,
    },
    /// Brings in annotations from a file, replacing all current ones or merging with them.
    /// They must already be valid for this document (the format's importer checks them).
    Import {
        annotations: Vec<Annotation>,
        labels: Labels,
        replace: bool,
    },
    /// Tags every other occurrence of annotation `id`'s text ([`State::occurrences`]) with
    /// its kind and entity type, as one step: each new annotation has only those (no note; a
    /// quote no speaker or cue, direct as its text reads; a claim no claimant or rating).
    /// Refused with [`ModelError::NoOtherOccurrence`] when there is none.
    TagAll {
        id: String,
        match_case: bool,
    },
    Undo,
    Redo,
}

/// Why an action was refused. Each reads as a sentence a person can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelError {
    EmptySpan,
    EntityCrossesParagraph,
    OutOfRange {
        span: Span,
        len: usize,
    },
    OnlySpace,
    Duplicate {
        kind: Kind,
        label: Option<String>,
        text: String,
    },
    NoSuchAnnotation(String),
    WrongKind {
        id: String,
        expected: &'static str,
    },
    UnknownLabel(String),
    UnknownCheckworthiness(String),
    BadParty(String),
    BadLabels(String),
    LabelInUse {
        label: String,
        count: usize,
    },
    BadImport(String),
    /// Tag every occurrence found none: the text, shortened.
    NoOtherOccurrence(String),
    /// A relation, attribute or fragment refused: why.
    BadSchema(String),
    NothingToUndo,
    NothingToRedo,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::EmptySpan => f.write_str("Select some text first."),
            ModelError::EntityCrossesParagraph => f.write_str(
                "An entity cannot cross a paragraph break; tag it as a quote or a claim instead.",
            ),
            ModelError::OutOfRange { span, len } => write!(
                f,
                "The range {span} lies outside the document, which has {len} characters."
            ),
            ModelError::OnlySpace => f.write_str("The selection holds only spaces or line breaks."),
            ModelError::Duplicate { kind, label, text } => match label {
                Some(l) => write!(f, "“{text}” is already tagged {l}."),
                None => write!(f, "“{text}” is already a {}.", kind.as_str()),
            },
            ModelError::NoSuchAnnotation(id) => write!(f, "There is no annotation {id}."),
            ModelError::WrongKind { id, expected } => {
                write!(f, "Annotation {id} is not {expected}.")
            }
            ModelError::UnknownLabel(l) => {
                write!(f, "“{l}” is not one of the entity types of this project.")
            }
            ModelError::UnknownCheckworthiness(l) => {
                write!(
                    f,
                    "“{l}” is not on the check-worthiness scale of this project."
                )
            }
            ModelError::BadParty(why) => f.write_str(why),
            ModelError::BadLabels(why) => write!(f, "Labels not changed: {why}."),
            ModelError::LabelInUse { label, count } => write!(
                f,
                "“{label}” is still used by {count} annotation{}; retag {} first.",
                if *count == 1 { "" } else { "s" },
                if *count == 1 { "it" } else { "them" }
            ),
            ModelError::BadImport(why) => write!(f, "Nothing imported: {why}"),
            ModelError::NoOtherOccurrence(text) => {
                write!(f, "No other occurrence of “{text}” to tag.")
            }
            ModelError::BadSchema(why) => f.write_str(why),
            ModelError::NothingToUndo => f.write_str("Nothing to undo."),
            ModelError::NothingToRedo => f.write_str("Nothing to redo."),
        }
    }
}

impl std::error::Error for ModelError {}

/// One annotation before and after a change; `None` where it did not or no longer exists.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub before: Option<Rc<Annotation>>,
    pub after: Option<Rc<Annotation>>,
}

/// What one action did, as undo and redo replay it.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// A short description: "Add ORG", "Delete quote".
    pub label: String,
    pub edits: Vec<Edit>,
    pub labels: Option<(Labels, Labels)>,
    pub seq: (u64, u64),
}

/// What the caller learns from a successful action.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    /// The id of a created annotation.
    pub created: Option<String>,
    /// A description of what was done or undone ("Add ORG", "Undo Add ORG").
    pub summary: String,
}

/// The annotations of one document, their indexes and their history. A value: see the module
/// documentation for why a copy is cheap.
#[derive(Clone, Debug)]
pub struct State {
    doc: Rc<Document>,
    labels: Labels,
    by_id: HashMap<Id, Rc<Annotation>>,
    sorted: Vec<Rc<Annotation>>,
    by_block: Vec<BlockAnnotations>,
    /// Every id met, by its key (its position here), and the key of each.
    ids_by_key: Vec<Id>,
    keys: HashMap<Id, u32>,
    /// For each entity id, the quotes and claims that link to it.
    linked_from: HashMap<Id, Rc<Vec<Id>>>,
    /// How many annotations of each kind (entity, quote, claim).
    counts: [usize; 3],
    undo: Vec<Rc<Change>>,
    redo: Vec<Rc<Change>>,
    next_seq: u64,
    revision: u64,
}

/// What a store must write to hold a state, given the one it last wrote: the ids of
/// annotations added, changed or removed, and whether the labels changed (see
/// [`State::changes_since`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Journal {
    pub ids: std::collections::BTreeSet<String>,
    pub labels: bool,
}

/// Two states are equal when a person could not tell them apart: same document, labels,
/// annotations and id counter. History and revision are not compared.
impl PartialEq for State {
    fn eq(&self, other: &Self) -> bool {
        self.doc == other.doc
            && self.labels == other.labels
            && self.sorted == other.sorted
            && self.next_seq == other.next_seq
    }
}

impl State {
    pub fn new(doc: Rc<Document>) -> Self {
        let blocks = doc.blocks().len();
        State {
            doc,
            labels: Labels::default(),
            by_id: HashMap::new(),
            ids_by_key: Vec::new(),
            keys: HashMap::new(),
            sorted: Vec::new(),
            by_block: (0..blocks).map(|_| Rc::default()).collect(),
            linked_from: HashMap::new(),
            counts: [0; 3],
            undo: Vec::new(),
            redo: Vec::new(),
            next_seq: 1,
            revision: 0,
        }
    }

    pub fn document(&self) -> &Rc<Document> {
        &self.doc
    }
    pub fn labels(&self) -> &Labels {
        &self.labels
    }
    /// Every annotation, in (start, end, id) order.
    pub fn annotations(&self) -> &[Rc<Annotation>] {
        &self.sorted
    }
    pub fn get(&self, id: &str) -> Option<&Rc<Annotation>> {
        self.by_id.get(id)
    }
    pub fn len(&self) -> usize {
        self.sorted.len()
    }
    /// How many annotations of a kind there are.
    pub fn count(&self, kind: Kind) -> usize {
        self.counts[kind as usize]
    }
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }
    /// The key of annotation `id` (see [`Keyed`]).
    pub fn key(&self, id: &str) -> Option<u32> {
        self.keys
            .get(id)
            .copied()
            .filter(|_| self.by_id.contains_key(id))
    }
    /// The annotation with key `key`, if it exists.
    pub fn by_key(&self, key: u32) -> Option<&Rc<Annotation>> {
        self.by_id.get(self.ids_by_key.get(key as usize)?)
    }
    /// The annotations overlapping block `i`, in (start, end, id) order.
    pub fn block_annotations(&self, i: usize) -> BlockAnnotations {
        self.by_block.get(i).cloned().unwrap_or_default()
    }
    /// Counts every applied action, undo and redo included; the view and autosave watch it.
    pub fn revision(&self) -> u64 {
        self.revision
    }
    /// The description of what undo would undo.
    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|c| c.label.as_str())
    }
    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|c| c.label.as_str())
    }
    /// What differs from `earlier` (the state a store last wrote): the ids to write (or
    /// delete, if gone here) and whether the labels changed. Versions of one state share the
    /// annotations they did not change, so this merges the two sorted lists comparing
    /// pointers, O(n + m) with no text compared; an annotation changed and changed back (by
    /// undo) is the same one again and is not written. Another document differs in every
    /// annotation.
    pub fn changes_since(&self, earlier: &State) -> Journal {
        let mut ids = std::collections::BTreeSet::new();
        let labels = self.labels != earlier.labels;
        if !Rc::ptr_eq(&self.doc, &earlier.doc) {
            ids.extend(self.sorted.iter().map(|a| a.id.clone()));
            ids.extend(earlier.sorted.iter().map(|a| a.id.clone()));
            return Journal { ids, labels };
        }
        let (mut old, mut new) = (
            earlier.sorted.iter().peekable(),
            self.sorted.iter().peekable(),
        );
        loop {
            match (old.peek(), new.peek()) {
                (None, None) => break,
                (Some(a), Some(b)) if Rc::ptr_eq(a, b) => {
                    old.next();
                    new.next();
                }
                (Some(a), Some(b)) => match a.sort_key().cmp(&b.sort_key()) {
                    std::cmp::Ordering::Less => {
                        ids.insert(a.id.clone());
                        old.next();
                    }
                    std::cmp::Ordering::Greater => {
                        ids.insert(b.id.clone());
                        new.next();
                    }
                    std::cmp::Ordering::Equal => {
                        ids.insert(b.id.clone());
                        old.next();
                        new.next();
                    }
                },
                (Some(a), None) => {
                    ids.insert(a.id.clone());
                    old.next();
                }
                (None, Some(b)) => {
                    ids.insert(b.id.clone());
                    new.next();
                }
            }
        }
        Journal { ids, labels }
    }

    /// The id counter, persisted with the annotations so ids are never reused.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Annotations overlapping a range, in order. Costs the lists of the blocks the range
    /// touches (and of the two beside it, for annotations reaching over the line breaks or
    /// blank lines at its ends), each annotation taken once: from the first of those blocks it
    /// overlaps.
    pub fn overlapping(&self, span: Span) -> Vec<Rc<Annotation>> {
        let blocks = self.doc.blocks();
        let touched = self.doc.blocks_overlapping(span);
        let lo = touched.start.saturating_sub(1);
        let hi = (touched.end + 1).min(blocks.len());
        let mut out: Vec<Rc<Annotation>> = Vec::new();
        for b in lo..hi {
            for a in self.by_block[b].iter() {
                let first_here = b == lo || a.span.start >= blocks[b - 1].end;
                if first_here && a.span.overlaps(&span) {
                    out.push(a.annotation.clone());
                }
            }
        }
        sort::sort_by(&mut out, |a, b| a.sort_key().cmp(&b.sort_key()));
        out
    }

    /// Up to `limit` entities nearest to `span` by block (those in its blocks first, then
    /// outwards, before and after alike), in text order: the likely speakers of a quote.
    /// Costs what it returns, not the size of the document.
    pub fn entities_near(&self, span: Span, limit: usize) -> Vec<Rc<Annotation>> {
        let blocks = self.doc.blocks();
        let n = blocks.len();
        if n == 0 || limit == 0 {
            return Vec::new();
        }
        let here = self.doc.blocks_overlapping(span);
        let (mut lo, mut hi) = if here.is_empty() {
            let b = here.start.min(n - 1);
            (b, b + 1)
        } else {
            (here.start, here.end)
        };
        let mut out: Vec<Rc<Annotation>> = Vec::new();
        // An entity may reach over several blocks of its paragraph: it is taken from the first
        // block of the walk it overlaps, so once (the walk covers blocks lo..hi, contiguous).
        let take = |b: usize, new: &dyn Fn(&Annotation) -> bool, out: &mut Vec<Rc<Annotation>>| {
            out.extend(
                self.by_block[b]
                    .iter()
                    .filter(|a| a.kind() == Kind::Entity && new(a))
                    .map(|a| a.annotation.clone()),
            );
        };
        for b in lo..hi {
            let first = lo;
            take(
                b,
                &|a| b == first || a.span.start >= blocks[b - 1].end,
                &mut out,
            );
        }
        while out.len() < limit && (lo > 0 || hi < n) {
            if lo > 0 {
                let seen = blocks[lo].start;
                lo -= 1;
                take(lo, &|a| a.span.end <= seen, &mut out);
            }
            if hi < n && out.len() < limit {
                let seen = blocks[hi - 1].end;
                take(hi, &|a| a.span.start >= seen, &mut out);
                hi += 1;
            }
        }
        // Keep the nearest: by distance from the span, then in text order.
        let dist = |a: &Annotation| {
            if a.span.end <= span.start {
                span.start - a.span.end
            } else {
                a.span.start.saturating_sub(span.end)
            }
        };
        sort::sort_by_key(&mut out, |a| dist(a));
        out.truncate(limit);
        sort::sort_by(&mut out, |a, b| a.sort_key().cmp(&b.sort_key()));
        out
    }

    /// What a file's `labels` and `annotations` bring that this document's schema lacks: entity
    /// types and check-worthiness values its labels do not have, relation types and attribute
    /// names none of its annotations uses; each once, in the file's order. The import dialog
    /// lists them, and adds them with the one confirmation that imports the file.
    pub fn types_new_to(&self, labels: &Labels, annotations: &[Annotation]) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut add = |what: &str, name: &str| {
            if seen.insert((what.to_string(), name.to_string())) {
                out.push(format!("{what} {name}"));
            }
        };
        for l in &labels.entity {
            if !self.labels.entity.contains(l) {
                add("entity type", l);
            }
        }
        for v in &labels.checkworthiness {
            if !self.labels.checkworthiness.contains(v) {
                add("check-worthiness value", v);
            }
        }
        let (kinds, names) = (self.relation_kinds(), self.attribute_names());
        for a in annotations {
            let extra = a.extra();
            for r in &extra.relations {
                if kinds.binary_search(&r.kind).is_err() {
                    add("relation type", &r.kind);
                }
            }
            for (n, _) in &extra.attributes {
                if names.binary_search(n).is_err() {
                    add("attribute", n);
                }
            }
        }
        out
    }

    /// The relation types the project's annotations use, each once, in name order: what the
    /// page offers when a person types a new relation's type.
    pub fn relation_kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self
            .sorted
            .iter()
            .filter_map(|a| a.extra.as_deref())
            .flat_map(|e| e.relations.iter().map(|r| r.kind.clone()))
            .collect();
        sort::sort_dedup(&mut kinds);
        kinds
    }

    /// The attribute names the project's annotations use, each once, in name order.
    pub fn attribute_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .sorted
            .iter()
            .filter_map(|a| a.extra.as_deref())
            .flat_map(|e| e.attributes.iter().map(|(n, _)| n.clone()))
            .collect();
        sort::sort_dedup(&mut names);
        names
    }

    /// Quotes and claims that name `id` as their speaker or claimant, in order.
    pub fn linked_to(&self, id: &str) -> Vec<Rc<Annotation>> {
        let mut out = self.pointing_at(id);
        out.retain(|a| a.body.party().and_then(Party::as_ref_id) == Some(id));
        out
    }

    /// Every annotation that links to `id` in any way (speaker, claimant, relation, event
    /// argument), each once, in order.
    pub fn pointing_at(&self, id: &str) -> Vec<Rc<Annotation>> {
        let mut out: Vec<Rc<Annotation>> = self
            .linked_from
            .get(id)
            .into_iter()
            .flat_map(|from| from.iter())
            .filter_map(|from| self.by_id.get(from).cloned())
            .collect();
        sort::sort_by(&mut out, |a, b| a.sort_key().cmp(&b.sort_key()));
        out
    }

    /// Where annotation `id`'s text stands again, for [`Action::TagAll`] to tag: in order,
    /// every other range of the same text as whole words ([`occurrences::whole_words`]: exact,
    /// or ignoring case by simple case folding), that is not tagged with the same kind and
    /// label already (the duplicate rule), that the model would accept (an entity stays in
    /// one paragraph), and that overlaps neither the annotation, nor an occurrence tagged
    /// already, nor one listed before it (overlapping occurrences, as "a a" twice in "a a a",
    /// are taken from the left, as find-and-replace does). Costs one pass over the text and
    /// O(log n) an occurrence.
    pub fn occurrences(&self, id: &str, opts: Match) -> Result<Vec<Span>, ModelError> {
        let a = self.require(id)?;
        Ok(self.candidates(
            self.doc.slice(a.span),
            a.kind(),
            a.body.label(),
            opts,
            Some(a.span),
        ))
    }

    /// Where `text` stands as whole words and could be tagged `kind` (and `label`, for an
    /// entity) by a new annotation: as [`State::occurrences`], for a text no annotation holds
    /// yet (the command line's `tag-all --text`).
    pub fn occurrences_of(
        &self,
        text: &str,
        kind: Kind,
        label: Option<&str>,
        opts: Match,
    ) -> Vec<Span> {
        self.candidates(text, kind, label, opts, None)
    }

    fn candidates(
        &self,
        text: &str,
        kind: Kind,
        label: Option<&str>,
        opts: Match,
        held: Option<Span>,
    ) -> Vec<Span> {
        // Each occurrence is the text's code points (or their folds, which are whitespace
        // where they are), so the model refuses one only where it refuses the text itself
        // (blank), or where it would cross a paragraph break as an entity.
        if text.trim().is_empty() {
            return Vec::new();
        }
        let found = occurrences::whole_words(&self.doc, text, opts);
        let tagged: Vec<usize> = (0..found.len())
            .filter(|&i| self.tagged_at(found[i], kind, label))
            .collect();
        let mut out = Vec::new();
        // The end of the last occurrence tagged or taken, and the next tagged one.
        let (mut clear_from, mut next) = (0, 0);
        for (i, &span) in found.iter().enumerate() {
            while next < tagged.len() && tagged[next] <= i {
                next += 1;
            }
            if tagged[..next].last() == Some(&i) {
                clear_from = clear_from.max(span.end);
                continue;
            }
            let blocked = span.start < clear_from
                || held.is_some_and(|h| h.overlaps(&span))
                || tagged.get(next).is_some_and(|&t| found[t].overlaps(&span));
            let crosses = kind == Kind::Entity && self.doc.paragraphs_overlapping(span).len() > 1;
            if !blocked && !crosses {
                out.push(span);
                clear_from = span.end;
            }
        }
        out
    }

    /// Whether an annotation of `kind` and `label` tags exactly `span`: O(log n).
    fn tagged_at(&self, span: Span, kind: Kind, label: Option<&str>) -> bool {
        let at = self
            .sorted
            .partition_point(|a| (a.span.start, a.span.end) < (span.start, span.end));
        self.sorted[at..]
            .iter()
            .take_while(|a| a.span == span)
            .any(|a| a.kind() == kind && a.body.label() == label)
    }

    /// Applies one action at time `now`. On error nothing changes.
    pub fn apply(&mut self, action: Action, now: Timestamp) -> Result<Outcome, ModelError> {
        match action {
            Action::Undo => {
                let change = self.undo.pop().ok_or(ModelError::NothingToUndo)?;
                self.replay(&change, true);
                let summary = format!("Undo {}", change.label);
                self.redo.push(change);
                self.revision += 1;
                Ok(Outcome {
                    created: None,
                    summary,
                })
            }
            Action::Redo => {
                let change = self.redo.pop().ok_or(ModelError::NothingToRedo)?;
                self.replay(&change, false);
                let summary = format!("Redo {}", change.label);
                self.undo.push(change);
                self.revision += 1;
                Ok(Outcome {
                    created: None,
                    summary,
                })
            }
            action => {
                let (change, created) = self.plan(action, now)?;
                self.replay(&change, false);
                let summary = change.label.clone();
                self.undo.push(Rc::new(change));
                self.redo.clear();
                self.revision += 1;
                Ok(Outcome { created, summary })
            }
        }
    }

    /// Works out the change an action makes, without making it.
    fn plan(&self, action: Action, now: Timestamp) -> Result<(Change, Option<String>), ModelError> {
        let seq = self.next_seq;
        let mut change = Change {
            label: String::new(),
            edits: Vec::new(),
            labels: None,
            seq: (seq, seq),
        };
        let mut created = None;
        match action {
            Action::Create { span, body, note } => {
                let body = self.check_new(span, body)?;
                change.label = format!("Add {}", describe_body(&body));
                created = Some(self.push_new(&mut change, span, body, note, now));
            }
            Action::Delete { id } => {
                let old = self.require(&id)?.clone();
                change.label = format!("Delete {}", describe_body(&old.body));
                // Unlink what links to it (speakers, claimants, relations, event arguments);
                // undo restores the links.
                for linked in self.pointing_at(&id) {
                    let mut a = (*linked).clone();
                    a.unlink(&id);
                    a.updated = now;
                    change.edits.push(Edit {
                        before: Some(linked),
                        after: Some(Rc::new(a)),
                    });
                }
                change.edits.push(Edit {
                    before: Some(old),
                    after: None,
                });
            }
            Action::SetSpan { id, span } => {
                let old = self.require(&id)?;
                self.check_span(span)?;
                self.check_unique(Some(&id), span, &old.body)?;
                change.label = format!("Resize {}", describe_body(&old.body));
                self.edit(&mut change, old, now, |a| {
                    a.span = span;
                    fit_fragments(a);
                });
            }
            Action::SetKind { id, kind, label } => {
                let old = self.require(&id)?;
                let text = self.doc.slice(old.span).to_string();
                let party = old.body.party().cloned();
                let body = match kind {
                    Kind::Entity => Body::Entity {
                        label: label
                            .or_else(|| old.body.label().map(str::to_string))
                            .unwrap_or_else(|| self.labels.entity[0].clone()),
                    },
                    Kind::Quote => match &old.body {
                        Body::Quote { .. } => old.body.clone(),
                        _ => {
                            let mut b = Body::new_quote(&text);
                            set_party(&mut b, party);
                            b
                        }
                    },
                    Kind::Claim => match &old.body {
                        Body::Claim { .. } => old.body.clone(),
                        _ => {
                            let mut b = Body::new_claim();
                            set_party(&mut b, party);
                            b
                        }
                    },
                };
                let body = self.check_body(body, Some(&id))?;
                self.check_unique(Some(&id), old.span, &body)?;
                change.label = format!("Make {} a {}", describe_body(&old.body), kind.as_str());
                // An entity that stops being one can no longer be a speaker or claimant.
                if old.kind() == Kind::Entity && kind != Kind::Entity {
                    for linked in self.linked_to(&id) {
                        let mut a = (*linked).clone();
                        set_party(&mut a.body, None);
                        a.updated = now;
                        change.edits.push(Edit {
                            before: Some(linked),
                            after: Some(Rc::new(a)),
                        });
                    }
                }
                self.edit(&mut change, old, now, |a| a.body = body);
            }
            Action::SetLabel { id, label } => {
                let old = self.require(&id)?;
                if old.kind() != Kind::Entity {
                    return Err(ModelError::WrongKind {
                        id,
                        expected: "an entity",
                    });
                }
                let body = self.check_body(Body::Entity { label }, Some(&id))?;
                self.check_unique(Some(&id), old.span, &body)?;
                change.label = format!(
                    "Retag {} as {}",
                    describe_body(&old.body),
                    describe_body(&body)
                );
                self.edit(&mut change, old, now, |a| a.body = body);
            }
            Action::SetParty { id, party } => {
                let old = self.require(&id)?;
                if old.kind() == Kind::Entity {
                    return Err(ModelError::WrongKind {
                        id,
                        expected: "a quote or a claim",
                    });
                }
                let mut body = old.body.clone();
                set_party(&mut body, party);
                let body = self.check_body(body, Some(&id))?;
                change.label = match (old.kind(), body.party().is_some()) {
                    (Kind::Quote, true) => "Set speaker".into(),
                    (Kind::Quote, false) => "Clear speaker".into(),
                    (_, true) => "Set claimant".into(),
                    (_, false) => "Clear claimant".into(),
                };
                self.edit(&mut change, old, now, |a| a.body = body);
            }
            Action::TagParty { id, span, label } => {
                let old = self.require(&id)?.clone();
                if old.kind() == Kind::Entity {
                    return Err(ModelError::WrongKind {
                        id,
                        expected: "a quote or a claim",
                    });
                }
                let existing = self
                    .overlapping(span)
                    .into_iter()
                    .find(|a| a.span == span && a.kind() == Kind::Entity);
                let party = match existing {
                    Some(e) => e.id.clone(),
                    None => {
                        let body = self.check_new(span, Body::Entity { label })?;
                        let eid = self.push_new(&mut change, span, body, String::new(), now);
                        created = Some(eid.clone());
                        eid
                    }
                };
                if party == id {
                    return Err(ModelError::BadParty(
                        "An annotation cannot be its own speaker or claimant.".into(),
                    ));
                }
                let mut body = old.body.clone();
                set_party(&mut body, Some(Party::Ref(party)));
                change.label = match (old.kind(), created.is_some()) {
                    (Kind::Quote, true) => "Tag and set speaker".into(),
                    (Kind::Quote, false) => "Set speaker".into(),
                    (_, true) => "Tag and set claimant".into(),
                    (_, false) => "Set claimant".into(),
                };
                self.edit(&mut change, &old, now, |a| a.body = body);
            }
            Action::SetCue { id, cue } => {
                let old = self.require(&id)?;
                let Body::Quote {
                    speaker, direct, ..
                } = &old.body
                else {
                    return Err(ModelError::WrongKind {
                        id,
                        expected: "a quote",
                    });
                };
                let body = self.check_body(
                    Body::Quote {
                        speaker: speaker.clone(),
                        cue,
                        direct: *direct,
                    },
                    Some(&id),
                )?;
                change.label = if cue.is_some() {
                    "Set cue"
                } else {
                    "Clear cue"
                }
                .into();
                self.edit(&mut change, old, now, |a| a.body = body);
            }
            Action::SetDirect { id, direct } => {
                let old = self.require(&id)?;
                let Body::Quote { speaker, cue, .. } = &old.body else {
                    return Err(ModelError::WrongKind {
                        id,
                        expected: "a quote",
                    });
                };
                let body = Body::Quote {
                    speaker: speaker.clone(),
                    cue: *cue,
                    direct,
                };
                change.label = format!("Mark quote {}", if direct { "direct" } else { "indirect" });
                self.edit(&mut change, old, now, |a| a.body = body);
            }
            Action::SetCheckworthiness { id, value } => {
                let old = self.require(&id)?;
                let Body::Claim { claimant, .. } = &old.body else {
                    return Err(ModelError::WrongKind {
                        id,
                        expected: "a claim",
                    });
                };
                let body = self.check_body(
                    Body::Claim {
                        claimant: claimant.clone(),
                        checkworthiness: value.clone(),
                    },
                    Some(&id),
                )?;
                change.label = match value {
                    Some(v) => format!("Rate claim {v}"),
                    None => "Clear claim rating".into(),
                };
                self.edit(&mut change, old, now, |a| a.body = body);
            }
            Action::SetNote { id, note } => {
                let old = self.require(&id)?;
                change.label = "Edit note".into();
                self.edit(&mut change, old, now, |a| a.note = note);
            }
            Action::AddRelation { from, to, kind } => {
                let old = self.require(&from)?;
                self.require(&to)?;
                let kind = kind.trim().to_string();
                let bad = |why: &str| Err(ModelError::BadSchema(why.into()));
                if from == to {
                    return bad("An annotation cannot be related to itself.");
                }
                if let Err(why) = validate_label(&kind) {
                    return Err(ModelError::BadSchema(format!(
                        "Not a relation type: {why}."
                    )));
                }
                if old
                    .extra()
                    .relations
                    .iter()
                    .any(|r| r.target == to && r.kind == kind)
                {
                    return bad("These two annotations already have that relation.");
                }
                change.label = format!("Relate {} {kind}", describe_body(&old.body));
                self.edit(&mut change, old, now, |a| {
                    a.extra_mut().relations.push(Relation {
                        kind,
                        target: to,
                        roles: None,
                        attributes: Vec::new(),
                        note: String::new(),
                    })
                });
            }
            Action::RemoveRelation { from, index } => {
                let old = self.require(&from)?;
                let Some(r) = old.extra().relations.get(index) else {
                    return Err(ModelError::BadSchema(format!(
                        "Annotation {from} has no relation {}.",
                        index + 1
                    )));
                };
                change.label = format!("Remove relation {}", r.kind);
                self.edit(&mut change, old, now, |a| {
                    a.extra_mut().relations.remove(index);
                    a.tidy_extra();
                });
            }
            Action::SetAttribute { id, name, value } => {
                let old = self.require(&id)?;
                let name = name.trim().to_string();
                if let Err(why) = validate_label(&name) {
                    return Err(ModelError::BadSchema(format!(
                        "Not an attribute name: {why}."
                    )));
                }
                change.label = format!("Set {name}");
                self.edit(&mut change, old, now, |a| {
                    let attrs = &mut a.extra_mut().attributes;
                    let at = attrs.partition_point(|(n, _)| *n < name);
                    let here = attrs.get(at).is_some_and(|(n, _)| *n == name);
                    match (value, here) {
                        (Some(v), true) => attrs[at].1 = v,
                        (Some(v), false) => attrs.insert(at, (name, v)),
                        (None, true) => {
                            attrs.remove(at);
                        }
                        (None, false) => {}
                    }
                    a.tidy_extra();
                });
            }
            Action::AddFragment { id, span } => {
                let old = self.require(&id)?;
                self.check_span(span)?;
                let mut pieces = old.fragments();
                pieces.push(span);
                sort::sort_by(&mut pieces, Ord::cmp);
                let mut joined: Vec<Span> = Vec::new();
                for p in pieces {
                    match joined.last_mut() {
                        Some(last) if p.start <= last.end => last.end = last.end.max(p.end),
                        _ => joined.push(p),
                    }
                }
                let whole = Span::new(joined[0].start, joined[joined.len() - 1].end);
                if old.kind() == Kind::Entity && self.doc.paragraphs_overlapping(whole).len() > 1 {
                    return Err(ModelError::EntityCrossesParagraph);
                }
                self.check_unique(Some(&id), whole, &old.body)?;
                change.label = format!("Add a fragment to {}", describe_body(&old.body));
                self.edit(&mut change, old, now, |a| {
                    a.span = whole;
                    a.extra_mut().fragments = if joined.len() > 1 { joined } else { Vec::new() };
                    a.tidy_extra();
                });
            }
            Action::SetLabels { labels } => {
                labels.validate().map_err(ModelError::BadLabels)?;
                for a in &self.sorted {
                    let missing = match &a.body {
                        Body::Entity { label } if !labels.entity.contains(label) => Some(label),
                        Body::Claim {
                            checkworthiness: Some(v),
                            ..
                        } if !labels.checkworthiness.contains(v) => Some(v),
                        _ => None,
                    };
                    if let Some(label) = missing {
                        let count = self
                            .sorted
                            .iter()
                            .filter(|b| {
                                b.body.label() == Some(label)
                                    || matches!(&b.body, Body::Claim { checkworthiness: Some(v), .. } if v == label)
                            })
                            .count();
                        return Err(ModelError::LabelInUse {
                            label: label.clone(),
                            count,
                        });
                    }
                }
                change.label = "Change labels".into();
                change.labels = Some((self.labels.clone(), labels));
            }
            Action::Import {
                annotations,
                labels,
                replace,
            } => {
                let (edits, next) = self.plan_import(annotations, &labels, replace, seq)?;
                change.seq.1 = next;
                let n = edits.iter().filter(|e| e.after.is_some()).count();
                change.label = format!(
                    "{} {n} annotation{}",
                    if replace { "Import" } else { "Merge" },
                    if n == 1 { "" } else { "s" }
                );
                change.edits = edits;
                if labels != self.labels {
                    change.labels = Some((self.labels.clone(), labels));
                }
            }
            Action::TagAll { id, match_case } => {
                let source = self.require(&id)?;
                let spans = self.occurrences(&id, Match { match_case })?;
                let text = shorten(self.doc.slice(source.span), 60);
                if spans.is_empty() {
                    return Err(ModelError::NoOtherOccurrence(text));
                }
                let (kind, label) = (source.kind(), source.body.label().unwrap_or_default());
                for &span in &spans {
                    // Only a quote reads its text (whether it is direct).
                    let text = if kind == Kind::Quote {
                        self.doc.slice(span)
                    } else {
                        ""
                    };
                    let body = Body::for_kind(kind, label, text);
                    self.push_new(&mut change, span, body, String::new(), now);
                }
                let n = spans.len();
                let what = match kind {
                    Kind::Entity => label.to_string(),
                    _ if n == 1 => kind.as_str().to_string(),
                    _ => format!("{}s", kind.as_str()),
                };
                change.label = format!("Tag {n} more “{text}” {what}");
            }
            Action::Undo | Action::Redo => unreachable!("handled by apply"),
        }
        Ok((change, created))
    }

    /// Checks and plans an import. The incoming annotations must be valid on their own. When
    /// merging, an incoming annotation with the kind, label and span of an existing one is
    /// skipped (links to it follow to the existing one), and incoming ids that clash with
    /// existing ones are renamed (links follow).
    fn plan_import(
        &self,
        incoming: Vec<Annotation>,
        labels: &Labels,
        replace: bool,
        seq: u64,
    ) -> Result<(Vec<Edit>, u64), ModelError> {
        use std::collections::HashSet;
        // Everything here is linear or n·log n in the file: sets for labels, ids and links, and
        // the blank index for spans (a file chooses how many, and how long).
        let bad = |why: String| ModelError::BadImport(why);
        labels.validate().map_err(bad)?;
        let index = labels.index();
        let blanks = Blanks::new(&self.doc);
        if !replace {
            // Merging must not orphan an annotation already here.
            if !self.labels.entity.iter().all(|l| index.has_entity(l))
                || !self
                    .labels
                    .checkworthiness
                    .iter()
                    .all(|l| index.has_checkworthiness(l))
            {
                return Err(bad(
                    "the file's label sets lack labels this document uses; merge needs them all"
                        .into(),
                ));
            }
        }
        let mut ids = HashSet::new();
        let mut keys = HashSet::new();
        for a in &incoming {
            if !ids.insert(a.id.as_str()) {
                return Err(bad(format!("the id {} appears twice", a.id)));
            }
            self.check_kind_span_with(a.kind(), a.span, &blanks)
                .map_err(|e| bad(format!("{}: {e}", a.id)))?;
            if !keys.insert(unique_key(a)) {
                return Err(bad(format!(
                    "{} repeats the kind, label and span of another annotation",
                    a.id
                )));
            }
        }
        // Where each incoming id ends up: renamed, or folded into an existing duplicate.
        let mut target: HashMap<String, String> = HashMap::new();
        let mut skipped = HashSet::new();
        let mut next = seq;
        if !replace {
            let existing: HashMap<_, _> = self
                .sorted
                .iter()
                .map(|a| (unique_key(a), a.id.clone()))
                .collect();
            let mut taken: HashSet<String> = self.by_id.keys().map(|k| k.to_string()).collect();
            taken.extend(incoming.iter().map(|a| a.id.clone()));
            for a in &incoming {
                if let Some(id) = existing.get(&unique_key(a)) {
                    target.insert(a.id.clone(), id.clone());
                    skipped.insert(a.id.clone());
                } else if self.by_id.contains_key(a.id.as_str()) {
                    let id = loop {
                        let id = format!("{}{next}", a.kind().id_prefix());
                        next += 1;
                        if !taken.contains(&id) {
                            break id;
                        }
                    };
                    taken.insert(id.clone());
                    target.insert(a.id.clone(), id);
                }
            }
        }
        let mut accepted = Vec::new();
        for mut a in incoming {
            // Keep the counter ahead of ids of our own form, so new ids never clash later.
            if let Some(n) = parse_seq(&a.id) {
                next = next.max(n + 1);
            }
            if skipped.contains(&a.id) {
                continue;
            }
            if let Some(id) = target.get(&a.id) {
                a.id = id.clone();
            }
            if let Some(Party::Ref(r)) = party_mut(&mut a.body) {
                if let Some(id) = target.get(r.as_str()) {
                    *r = id.clone();
                }
            }
            if let Some(extra) = &mut a.extra {
                extra.rename_targets(|t| target.get(t).cloned());
            }
            accepted.push(a);
        }
        let accepted_entities: HashSet<&str> = accepted
            .iter()
            .filter(|b| b.kind() == Kind::Entity)
            .map(|b| b.id.as_str())
            .collect();
        let accepted_ids: HashSet<&str> = accepted.iter().map(|b| b.id.as_str()).collect();
        let is_entity = |id: &str| {
            accepted_entities.contains(id)
                || (!replace && self.by_id.get(id).is_some_and(|b| b.kind() == Kind::Entity))
        };
        for a in &accepted {
            match &a.body {
                Body::Entity { label } if !index.has_entity(label) => {
                    return Err(bad(format!("{}: unknown entity type “{label}”", a.id)));
                }
                Body::Claim {
                    checkworthiness: Some(v),
                    ..
                } if !index.has_checkworthiness(v) => {
                    return Err(bad(format!("{}: unknown check-worthiness “{v}”", a.id)));
                }
                Body::Quote { cue: Some(c), .. } => {
                    self.check_span_with(*c, &blanks)
                        .map_err(|e| bad(format!("the cue of {}: {e}", a.id)))?;
                }
                _ => {}
            }
            if let Some(Party::Ref(r)) = a.body.party() {
                if !is_entity(r) {
                    return Err(bad(format!(
                        "{} links to {r}, which is not an entity",
                        a.id
                    )));
                }
            }
            for t in a.extra().targets() {
                let here = accepted_ids.contains(t) || (!replace && self.by_id.contains_key(t));
                if !here {
                    return Err(bad(format!("{} relates to {t}, which is not here", a.id)));
                }
            }
            check_fragments(a).map_err(bad)?;
        }
        // Removed from the last, added in order: each edit then touches the end of the sorted
        // lists, and replaying (or undoing) a large import moves no element twice.
        let mut edits: Vec<Edit> = Vec::new();
        if replace {
            edits.extend(self.sorted.iter().rev().map(|a| Edit {
                before: Some(a.clone()),
                after: None,
            }));
        }
        sort::sort_by(&mut accepted, |a, b| a.sort_key().cmp(&b.sort_key()));
        edits.extend(accepted.into_iter().map(|a| Edit {
            before: None,
            after: Some(Rc::new(a)),
        }));
        Ok((edits, next))
    }

    /// Records an edit of one annotation, stamping it updated at `now`.
    fn edit(
        &self,
        change: &mut Change,
        old: &Rc<Annotation>,
        now: Timestamp,
        f: impl FnOnce(&mut Annotation),
    ) {
        let mut a = (**old).clone();
        f(&mut a);
        a.updated = now;
        change.edits.push(Edit {
            before: Some(old.clone()),
            after: Some(Rc::new(a)),
        });
    }

    /// Applies a change forwards, or backwards for undo. A change that only adds annotations
    /// (tag every occurrence, a merge) is added, and undone, in one pass over the sorted list
    /// rather than one insertion or removal each, which would cost the list's length each.
    fn replay(&mut self, change: &Change, backwards: bool) {
        let only_adds = change.edits.len() > 1 && change.edits.iter().all(|e| e.before.is_none());
        if only_adds {
            let added = change.edits.iter().filter_map(|e| e.after.clone());
            if backwards {
                self.remove_all(added.collect());
            } else {
                self.insert_all(added.collect());
            }
        } else if backwards {
            for e in change.edits.iter().rev() {
                self.swap(e.after.as_ref(), e.before.as_ref());
            }
        } else {
            for e in &change.edits {
                self.swap(e.before.as_ref(), e.after.as_ref());
            }
        }
        if let Some((before, after)) = &change.labels {
            self.labels = if backwards { before } else { after }.clone();
        }
        self.next_seq = if backwards {
            change.seq.0
        } else {
            change.seq.1
        };
    }

    fn swap(&mut self, out: Option<&Rc<Annotation>>, into: Option<&Rc<Annotation>>) {
        if let Some(a) = out {
            self.remove(a);
        }
        if let Some(a) = into {
            self.insert(a.clone());
        }
    }

    fn insert(&mut self, a: Rc<Annotation>) {
        let at = self.sorted.partition_point(|b| b.sort_key() < a.sort_key());
        self.sorted.insert(at, a.clone());
        self.index(a);
    }

    /// Inserts annotations that are not here yet, merging them into the sorted list in one
    /// pass: O(n + m log m).
    fn insert_all(&mut self, mut added: Vec<Rc<Annotation>>) {
        sort::sort_by(&mut added, |a, b| a.sort_key().cmp(&b.sort_key()));
        for a in &added {
            self.index(a.clone());
        }
        let old = std::mem::take(&mut self.sorted);
        let mut merged = Vec::with_capacity(old.len() + added.len());
        let mut old = old.into_iter().peekable();
        for a in added {
            while let Some(b) = old.next_if(|b| b.sort_key() < a.sort_key()) {
                merged.push(b);
            }
            merged.push(a);
        }
        merged.extend(old);
        self.sorted = merged;
    }

    /// Everything but the sorted list: keys, blocks, links, counts and ids.
    fn index(&mut self, a: Rc<Annotation>) {
        let (key, id) = match self.keys.get_key_value(a.id.as_str()) {
            Some((id, &k)) => (k, id.clone()),
            None => {
                let k = self.ids_by_key.len() as u32;
                let id: Id = a.id.as_str().into();
                self.ids_by_key.push(id.clone());
                self.keys.insert(id.clone(), k);
                (k, id)
            }
        };
        for b in self.doc.blocks_overlapping(a.span) {
            let list = Rc::make_mut(&mut self.by_block[b]);
            let at = list.partition_point(|b| b.sort_key() < a.sort_key());
            let annotation = a.clone();
            list.insert(at, Keyed { key, annotation });
        }
        for target in targets_of(&a) {
            // Copied on write: a list another state shares is copied, this one only.
            Rc::make_mut(self.linked_from.entry(target.into()).or_default()).push(id.clone());
        }
        self.counts[a.kind() as usize] += 1;
        self.by_id.insert(id, a);
    }

    fn remove(&mut self, a: &Annotation) {
        if let Ok(at) = self
            .sorted
            .binary_search_by(|b| b.sort_key().cmp(&a.sort_key()))
        {
            self.sorted.remove(at);
        }
        self.unindex(a);
    }

    /// Removes annotations that are here, in one pass over the sorted list: O(n + m).
    fn remove_all(&mut self, removed: Vec<Rc<Annotation>>) {
        let ids: std::collections::HashSet<&str> = removed.iter().map(|a| a.id.as_str()).collect();
        self.sorted.retain(|a| !ids.contains(a.id.as_str()));
        for a in &removed {
            self.unindex(a);
        }
    }

    /// The reverse of [`State::index`].
    fn unindex(&mut self, a: &Annotation) {
        for b in self.doc.blocks_overlapping(a.span) {
            let list = Rc::make_mut(&mut self.by_block[b]);
            if let Ok(at) = list.binary_search_by(|b| b.sort_key().cmp(&a.sort_key())) {
                list.remove(at);
            }
        }
        for target in targets_of(a) {
            if let Some(from) = self.linked_from.get_mut(target) {
                Rc::make_mut(from).retain(|id| **id != *a.id);
                if from.is_empty() {
                    self.linked_from.remove(target);
                }
            }
        }
        if self.by_id.remove(a.id.as_str()).is_some() {
            self.counts[a.kind() as usize] -= 1;
        }
    }

    fn require(&self, id: &str) -> Result<&Rc<Annotation>, ModelError> {
        self.by_id
            .get(id)
            .ok_or_else(|| ModelError::NoSuchAnnotation(id.to_string()))
    }

    /// A span must be non-empty, inside the text, and cover more than spaces.
    pub fn check_span(&self, span: Span) -> Result<(), ModelError> {
        self.check_span_with(span, &Blanks::new(&self.doc))
    }

    /// [`State::check_span`] with the document's blank index, for many spans at once.
    fn check_span_with(&self, span: Span, blanks: &Blanks) -> Result<(), ModelError> {
        if span.end > self.doc.len() {
            return Err(ModelError::OutOfRange {
                span,
                len: self.doc.len(),
            });
        }
        if span.is_empty() {
            return Err(ModelError::EmptySpan);
        }
        if blanks.only_blank(span) {
            return Err(ModelError::OnlySpace);
        }
        Ok(())
    }

    /// Checks labels and links of a body; a blank free-text name becomes no party.
    fn check_body(&self, mut body: Body, own_id: Option<&str>) -> Result<Body, ModelError> {
        match &mut body {
            Body::Entity { label } => {
                validate_label(label).map_err(ModelError::BadLabels)?;
                if !self.labels.entity.contains(label) {
                    return Err(ModelError::UnknownLabel(label.clone()));
                }
            }
            Body::Claim {
                checkworthiness: Some(v),
                ..
            } if !self.labels.checkworthiness.contains(v) => {
                return Err(ModelError::UnknownCheckworthiness(v.clone()));
            }
            Body::Quote { cue: Some(c), .. } => self.check_span(*c)?,
            _ => {}
        }
        if let Some(party) = party_mut(&mut body) {
            match party {
                Party::Ref(r) => {
                    if Some(r.as_str()) == own_id {
                        return Err(ModelError::BadParty(
                            "An annotation cannot be its own speaker or claimant.".into(),
                        ));
                    }
                    match self.by_id.get(r.as_str()) {
                        None => return Err(ModelError::NoSuchAnnotation(r.clone())),
                        Some(a) if a.kind() != Kind::Entity => {
                            return Err(ModelError::BadParty(format!(
                                "Only an entity can be a speaker or claimant, and {r} is a {}.",
                                a.kind().as_str()
                            )))
                        }
                        Some(_) => {}
                    }
                }
                Party::Name(n) => {
                    let trimmed = n.trim();
                    if trimmed.is_empty() {
                        set_party(&mut body, None);
                    } else if trimmed.len() != n.len() {
                        *n = trimmed.to_string();
                    }
                }
            }
        }
        Ok(body)
    }

    /// Whether `kind` may tag `span`: entities stay inside one paragraph; quotes and claims
    /// may cross paragraph breaks.
    pub fn check_kind_span(&self, kind: Kind, span: Span) -> Result<(), ModelError> {
        self.check_kind_span_with(kind, span, &Blanks::new(&self.doc))
    }

    fn check_kind_span_with(
        &self,
        kind: Kind,
        span: Span,
        blanks: &Blanks,
    ) -> Result<(), ModelError> {
        self.check_span_with(span, blanks)?;
        if kind == Kind::Entity && self.doc.paragraphs_overlapping(span).len() > 1 {
            return Err(ModelError::EntityCrossesParagraph);
        }
        Ok(())
    }

    /// Refuses a second annotation of the same kind and label on the same span, and an entity
    /// across paragraphs.
    fn check_unique(
        &self,
        own_id: Option<&str>,
        span: Span,
        body: &Body,
    ) -> Result<(), ModelError> {
        self.check_kind_span(body.kind(), span)?;
        let clash = self.overlapping(span).into_iter().any(|a| {
            Some(a.id.as_str()) != own_id
                && a.span == span
                && a.kind() == body.kind()
                && a.body.label() == body.label()
        });
        if clash {
            return Err(ModelError::Duplicate {
                kind: body.kind(),
                label: body.label().map(str::to_string),
                text: shorten(self.doc.slice(span), 60),
            });
        }
        Ok(())
    }

    /// The next unused id of our form ("e12"), and the counter after it.
    /// The checks a new annotation passes: its span, its body, and no twin of it there.
    fn check_new(&self, span: Span, body: Body) -> Result<Body, ModelError> {
        self.check_span(span)?;
        let body = self.check_body(body, None)?;
        self.check_unique(None, span, &body)?;
        Ok(body)
    }

    /// Adds a new annotation to `change` under the next free id (from `change.seq.1`, which it
    /// moves on); returns the id. The caller has checked it.
    fn push_new(
        &self,
        change: &mut Change,
        span: Span,
        body: Body,
        note: String,
        now: Timestamp,
    ) -> String {
        let (id, next) = self.fresh_id(body.kind(), change.seq.1);
        change.seq.1 = next;
        change.edits.push(Edit {
            before: None,
            after: Some(Rc::new(Annotation {
                id: id.clone(),
                span,
                body,
                note,
                created: now,
                updated: now,
                extra: None,
            })),
        });
        id
    }

    fn fresh_id(&self, kind: Kind, seq: u64) -> (String, u64) {
        let mut n = seq;
        loop {
            let id = format!("{}{n}", kind.id_prefix());
            n += 1;
            if !self.by_id.contains_key(id.as_str()) {
                return (id, n);
            }
        }
    }

    /// Checks every invariant; the error says which one failed. For tests and imports.
    pub fn check_invariants(&self) -> Result<(), String> {
        let len = self.doc.len();
        if self.by_id.len() != self.sorted.len() {
            return Err("ids are not unique, or the index lost one".into());
        }
        for w in self.sorted.windows(2) {
            if w[0].sort_key() >= w[1].sort_key() {
                return Err(format!("not sorted at {} / {}", w[0].id, w[1].id));
            }
        }
        let mut keys = std::collections::HashSet::new();
        let (labels, blanks) = (self.labels.index(), Blanks::new(&self.doc));
        for a in &self.sorted {
            if a.span.is_empty() || a.span.end > len {
                return Err(format!("{} has the bad span {}", a.id, a.span));
            }
            if blanks.only_blank(a.span) {
                return Err(format!("{} covers only spaces", a.id));
            }
            if a.kind() == Kind::Entity && self.doc.paragraphs_overlapping(a.span).len() > 1 {
                return Err(format!("the entity {} crosses a paragraph break", a.id));
            }
            if !self
                .by_id
                .get(a.id.as_str())
                .is_some_and(|b| Rc::ptr_eq(a, b))
            {
                return Err(format!("{} is missing from the id index", a.id));
            }
            if !keys.insert(unique_key(a)) {
                return Err(format!("{} duplicates another annotation", a.id));
            }
            match &a.body {
                Body::Entity { label } if !labels.has_entity(label) => {
                    return Err(format!("{} has the unknown label {label}", a.id));
                }
                Body::Claim {
                    checkworthiness: Some(v),
                    ..
                } if !labels.has_checkworthiness(v) => {
                    return Err(format!("{} has the unknown rating {v}", a.id));
                }
                Body::Quote { cue: Some(c), .. } if c.is_empty() || c.end > len => {
                    return Err(format!("{} has the bad cue {c}", a.id));
                }
                _ => {}
            }
            if let Some(Party::Ref(r)) = a.body.party() {
                match self.by_id.get(r.as_str()) {
                    Some(b) if b.kind() == Kind::Entity => {}
                    _ => return Err(format!("{} links to {r}, which is not an entity", a.id)),
                }
            }
            if let Some(t) = a.extra().targets().find(|t| !self.by_id.contains_key(*t)) {
                return Err(format!("{} relates to {t}, which is not here", a.id));
            }
            check_fragments(a)?;
        }
        for kind in Kind::ALL {
            let n = self.sorted.iter().filter(|a| a.kind() == kind).count();
            if self.counts[kind as usize] != n {
                return Err(format!("the count of {} is stale", kind.as_str()));
            }
        }
        let links: usize = self.sorted.iter().map(|a| targets_of(a).len()).sum();
        if self.linked_from.values().map(|v| v.len()).sum::<usize>() != links {
            return Err("the link index is stale".into());
        }
        for (target, from) in &self.linked_from {
            for f in from.iter() {
                let points = self
                    .by_id
                    .get(f)
                    .is_some_and(|a| targets_of(a).contains(&&**target));
                if !points {
                    return Err(format!("the link index says {f} links to {target}"));
                }
            }
        }
        for (k, id) in self.ids_by_key.iter().enumerate() {
            if self.keys.get(id) != Some(&(k as u32)) {
                return Err(format!("the key of {id} is stale"));
            }
        }
        if self.keys.len() != self.ids_by_key.len() {
            return Err("two ids share a key".into());
        }
        // Each block lists exactly the annotations overlapping it, with their keys, in order:
        // O(n log b).
        let mut expected: Vec<Vec<&Rc<Annotation>>> = vec![Vec::new(); self.by_block.len()];
        for a in &self.sorted {
            for b in self.doc.blocks_overlapping(a.span) {
                expected[b].push(a);
            }
        }
        for (b, (list, expected)) in self.by_block.iter().zip(expected).enumerate() {
            if list.len() != expected.len()
                || list.iter().zip(expected).any(|(a, b)| {
                    !Rc::ptr_eq(&a.annotation, b) || self.keys.get(b.id.as_str()) != Some(&a.key)
                })
            {
                return Err(format!("the list of block {b} is stale"));
            }
        }
        Ok(())
    }
}

fn set_party(body: &mut Body, party: Option<Party>) {
    match body {
        Body::Quote { speaker, .. } => *speaker = party,
        Body::Claim { claimant, .. } => *claimant = party,
        Body::Entity { .. } => {}
    }
}

fn party_mut(body: &mut Body) -> Option<&mut Party> {
    match body {
        Body::Quote { speaker, .. } => speaker.as_mut(),
        Body::Claim { claimant, .. } => claimant.as_mut(),
        Body::Entity { .. } => None,
    }
}

/// The ids an annotation links to, each once.
fn targets_of(a: &Annotation) -> Vec<&str> {
    let mut out: Vec<&str> = a.targets().collect();
    if out.len() > 1 {
        sort::sort_dedup(&mut out);
    }
    out
}

/// After a resize, a discontinuous annotation's first fragment starts and its last ends with
/// its span, fragments outside it go, and when one is left it is one stretch again.
fn fit_fragments(a: &mut Annotation) {
    let span = a.span;
    let Some(extra) = a.extra.as_mut().filter(|e| !e.fragments.is_empty()) else {
        return;
    };
    let f = &mut extra.fragments;
    f.retain(|s| s.start < span.end && s.end > span.start);
    if let Some(first) = f.first_mut() {
        first.start = span.start;
    }
    if let Some(last) = f.last_mut() {
        last.end = span.end;
    }
    if f.len() < 2 {
        f.clear();
    }
    a.tidy_extra();
}

/// A discontinuous annotation's fragments: two or more, in order, apart, from the start of
/// its span to its end.
fn check_fragments(a: &Annotation) -> Result<(), String> {
    let f = &a.extra().fragments;
    if f.is_empty() {
        return Ok(());
    }
    if !super::annotation::fragments_fit(a.span, f) {
        return Err(format!(
            "{} has fragments that are not apart and in order within its span",
            a.id
        ));
    }
    Ok(())
}

fn unique_key(a: &Annotation) -> (Kind, Option<String>, Span) {
    (a.kind(), a.body.label().map(str::to_string), a.span)
}

/// Ids numbered from here on are kept as they are but are not taken as of our own form: the
/// counter that follows them must not run out ("e18446744073709551615" then + 1 overflowed).
pub const MAX_SEQ: u64 = 1 << 53;

/// The number in an id of our own form ("e12" → 12), below [`MAX_SEQ`].
fn parse_seq(id: &str) -> Option<u64> {
    let rest = id.strip_prefix(['e', 'q', 'c'])?;
    (!rest.starts_with('0') || rest == "0")
        .then(|| rest.parse().ok())
        .flatten()
        .filter(|&n| n < MAX_SEQ)
}

/// "ORG", "quote", "claim": how an undo label names an annotation.
fn describe_body(body: &Body) -> String {
    match body {
        Body::Entity { label } => label.clone(),
        other => other.kind().as_str().to_string(),
    }
}

/// The first `max` characters of `s`, with "…" when cut.
pub fn shorten(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

impl State {
    /// Restores saved annotations and labels without recording history (for loading from
    /// storage). Fails, changing nothing, unless the result keeps every invariant.
    pub fn restore(
        doc: Rc<Document>,
        labels: Labels,
        annotations: Vec<Annotation>,
        next_seq: u64,
    ) -> Result<State, String> {
        let mut state = State::new(doc);
        state.labels = labels;
        let mut ids = std::collections::HashSet::with_capacity(annotations.len());
        if let Some(a) = annotations.iter().find(|a| !ids.insert(a.id.as_str())) {
            return Err(format!("the id {} appears twice", a.id));
        }
        drop(ids);
        // In order, each insertion appends: storage hands records back in any order.
        let mut annotations = annotations;
        sort::sort_by(&mut annotations, |a, b| a.sort_key().cmp(&b.sort_key()));
        for a in annotations {
            state.insert(Rc::new(a));
        }
        let max_seq = state
            .sorted
            .iter()
            .filter_map(|a| parse_seq(&a.id))
            .max()
            .unwrap_or(0);
        state.next_seq = next_seq.max(max_seq + 1);
        state.check_invariants()?;
        Ok(state)
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
