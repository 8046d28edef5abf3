//! W3C Web Annotation (JSON-LD): an `AnnotationCollection` in the Web Annotation Data Model
//! (W3C Recommendation, 23 February 2017), read and written.
//!
//! # The shape of an export
//!
//! One collection, `@context` `http://www.w3.org/ns/anno.jsonld`, with one embedded
//! `AnnotationPage` (`first`, also named by `last`) holding every annotation. IRIs are URNs
//! made from Marginalia's ids, each id percent-encoded so that it holds only `A–Z a–z 0–9 - . _ ~`
//! and `%XX` (Python's `urllib.parse.quote(id, safe="")`):
//!
//! | IRI                                   | what                                    |
//! |---------------------------------------|-----------------------------------------|
//! | `urn:marginalia:<doc>`                | the document (the targets' `source`)    |
//! | `urn:marginalia:<doc>/annotations`    | the collection                          |
//! | `urn:marginalia:<doc>/annotations/1`  | its one page                            |
//! | `urn:marginalia:<doc>:<id>`           | the annotation of one span              |
//! | `urn:marginalia:<doc>:<id>/speaker`   | a link from a quote (`/claimant`, `/cue`) |
//!
//! **One `Annotation` per span.** Its `target` is a `SpecificResource` whose `source` is the
//! document and whose `selector` lists two alternatives: a `TextQuoteSelector` (`exact`, and a
//! `prefix`/`suffix` of up to 32 code points, shorter at the text's edges) and a
//! `TextPositionSelector` (`start`, `end`). Both count code points, as the model requires
//! (§4.2.4, Text Quote Selector: "The selection of the text MUST be in terms of unicode code
//! points (the "character number"), not in terms of code units"; §4.2.5 counts positions in
//! text "selected and normalized in the same way"), and are computed from the document text.
//! Its bodies are `TextualBody`s in `text/plain`:
//!
//! - an entity: `motivation: "tagging"`, one body `{purpose: "tagging", value: "ORG"}`;
//! - a quote or a claim: `motivation: "classifying"`, a body `{purpose: "tagging", value:
//!   "QUOTE"}` (or `"CLAIM"`), and a `{purpose: "classifying"}` body: `DIRECT` or `INDIRECT`
//!   for a quote, the check-worthiness (`CFS`…) for a claim when it has one. "classifying",
//!   because such an annotation classifies its span (a direct or indirect quotation, a claim of
//!   some check-worthiness); and because the motivation differs, an entity type that happens
//!   to be called `QUOTE` (tagging) never reads back as a quote (classifying);
//! - a note: a body `{purpose: "commenting"}`, plain text (HTML in a note stays text).
//!
//! `created`/`modified` are the annotation's times (RFC 3339, UTC, milliseconds) and `creator`
//! is `{type: "Person", name}` when the bundle's annotator is set.
//!
//! **Links are annotations of their own**, with `motivation: "linking"` (the model's vocabulary:
//! "the user intends to link to a resource related to the Target"). The `target` is the IRI of
//! the quote or claim; the bodies are the related resource and a tag naming the role
//! (`SPEAKER`, `CLAIMANT` or `CUE`), as the model's own mixed-body example (§3.2.6, "anno9":
//! an IRI body next to a tagging `TextualBody`) does:
//!
//! - a speaker or claimant that is an entity in the text: the entity annotation's IRI;
//! - one that is only a name: a `TextualBody` with `purpose: "identifying"` holding the name;
//! - a quote's cue: a `SpecificResource` body over the cue's span, with the same two selectors.
//!
//! **Relations** (of any type, [`crate::model::annotation::Relation`]) are `linking`
//! annotations too, one per relation, `urn:marginalia:<doc>:<id>/relation-<n>` (its place in
//! the annotation's list, from 1): the `target` lists the two annotations' IRIs, the one the
//! relation goes from first (as Recogito writes a relation), and the bodies are a tag naming
//! the relation's type and, when it has one, a `commenting` body with its note.
//!
//! Each link and relation follows the annotation it starts from in `items`; `total` counts
//! every item.
//!
//! **The document text travels in the collection**, as `schema:about` (schema.org's "the
//! subject matter of the content", a prefix the annotation context already declares, so the
//! file needs no context of its own): `{id: <document IRI>, type: "Text", format: "text/plain",
//! schema:identifier, schema:name, schema:text, schema:sha256}`. The model has no standard
//! property carrying a target's text; the collection MAY carry properties "from any appropriate
//! vocabulary" (§5.1). Import takes the text from there (or from a target `source` object
//! carrying `schema:text`) and refuses a file without it: annotations only point at a
//! document, and Marginalia cannot guess its text.
//!
//! # What the format loses
//!
//! The label sets: import starts from the default labels and appends every entity type and
//! check-worthiness the file uses, so unused custom labels and their order are lost. The
//! open-schema parts other than relations (fragments, attributes, events, normalisations,
//! typed notes) and a relation's role names and attributes are not written. All else (ids,
//! spans, kinds, labels, notes, links, cues, directness, check-worthiness, relations with
//! their types and notes, times, the annotator, the document's id, title and exact text)
//! survives a round trip.
//!
//! # Import
//!
//! Reads a collection (with its embedded pages), a page, one annotation or a list of them; a
//! collection about several documents (`schema:about` a list, as a corpus export writes it) is
//! read document by document by [`many`].
//! Each span is anchored by its selectors: with a `TextPositionSelector`, its offsets, and any
//! `TextQuoteSelector` must agree with the text there (exact, prefix and suffix); with only a
//! `TextQuoteSelector`, the span is found the way Hypothesis re-anchors: every exact match,
//! then the one whose prefix and suffix agree best with the text, refusing when none or
//! several equally good are found. Anything wrong refuses the whole file with one sentence
//! naming the first bad annotation (its place in the file and its IRI). A `linking`
//! annotation with two targets is a relation from the first to the second, typed by its tag
//! ([`UNTYPED_RELATION`] when it has none).
//!
//! # Onto an open document
//!
//! A file without its text (Recogito, text-annotator, Hypothesis-style tools write none) is
//! read onto the open document by [`import_onto`], the page's way in for such a file:
//!
//! - each quote is anchored by its `exact` text ([`Quotes::anchor`]): every exact occurrence,
//!   the one whose prefix and suffix agree best, and between equals the one nearest the
//!   `TextPositionSelector`'s start, which is only a hint (these tools count a page's DOM);
//!   then, when the quote does not occur as written, with whitespace normalised and then
//!   approximately ([`super::anchor`]: up to a quarter of its code points edited). A quote
//!   found so is told in the import's notes, with the span it was given;
//! - a position alone is taken as it is; a text selector refining another that Marginalia
//!   cannot resolve (`refinedBy` under a `FragmentSelector`) is placed in the whole text, and
//!   said so;
//! - the first tagging body is the label (whitespace made `_`), the others flag attributes;
//!   without a tag the label is [`UNTAGGED`]; comments, other texts and IRI bodies go into the
//!   note; a body Marginalia cannot read (a `Choice`) is told in the notes;
//! - an annotation that cannot be read or anchored, a link or relation whose ends were not
//!   imported, a repeated id or span: each is one line of the import's problems, naming the
//!   annotation by its place and id, and the others come in.
//!
//! Why one file of ~2,350 lines: the Web Annotation export and import share the IRI scheme, the
//! selectors and the quote anchoring, and must agree annotation by annotation; this documentation
//! is the format's specification, checked by the W3C suite. Its tests are in `w3c_tests.rs`.

use crate::model::sort;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use serde::Serialize;
use serde_json::{Map, Value};

use super::anchor;
use super::native::{Imported, Problem};
use super::{
    check_document_text, decode_text, json_type, not_json, safe_file_stem, sha256_hex, short,
    short_json, Bundle, FileError, Growing,
};
use crate::model::annotation::{Attributes, Relation, Value as AttrValue};
use crate::model::labels::validate_label;
use crate::model::{Annotation, Body, Document, Kind, Labels, Party, Span, State, Timestamp};

/// The Web Annotation JSON-LD context.
pub const CONTEXT: &str = "http://www.w3.org/ns/anno.jsonld";
/// Code points of context a `TextQuoteSelector` keeps on each side (as Hypothesis does).
pub const CONTEXT_CHARS: usize = 32;
const URN: &str = "urn:marginalia:";

/// Collections about many documents: a corpus written and read.
#[path = "w3c_corpus.rs"]
pub mod many;

// ---- IRIs ----

/// `s` percent-encoded (UTF-8) except for ASCII letters, digits and `-._~`: what Python's
/// `urllib.parse.quote(s, safe="")` gives.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The inverse of [`encode`]; `None` for a malformed escape or bytes that are not UTF-8.
pub fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

pub fn document_iri(doc_id: &str) -> String {
    format!("{URN}{}", encode(doc_id))
}

pub fn annotation_iri(doc_id: &str, id: &str) -> String {
    format!("{URN}{}:{}", encode(doc_id), encode(id))
}

// ---- export ----

#[derive(Serialize)]
struct CollectionOut<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    creator: Option<AgentOut<'a>>,
    total: usize,
    last: String,
    /// The document, or (in a corpus) the list of every document.
    #[serde(rename = "schema:about")]
    about: OneOrMany<DocumentOut<'a>>,
    first: PageOut<'a>,
}

#[derive(Serialize, Clone, Copy)]
struct AgentOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
}

#[derive(Serialize)]
struct DocumentOut<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    format: &'static str,
    #[serde(rename = "schema:identifier")]
    identifier: &'a str,
    #[serde(rename = "schema:name")]
    name: &'a str,
    #[serde(rename = "schema:sha256")]
    sha256: String,
    #[serde(rename = "schema:text")]
    text: &'a str,
}

#[derive(Serialize)]
struct PageOut<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "partOf")]
    part_of: String,
    #[serde(rename = "startIndex")]
    start_index: usize,
    items: Vec<AnnotationOut<'a>>,
}

#[derive(Serialize)]
struct AnnotationOut<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    motivation: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    creator: Option<AgentOut<'a>>,
    created: String,
    modified: String,
    body: OneOrMany<BodyOut<'a>>,
    target: TargetOut<'a>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> From<Vec<T>> for OneOrMany<T> {
    fn from(mut v: Vec<T>) -> Self {
        if v.len() == 1 {
            OneOrMany::One(v.remove(0))
        } else {
            OneOrMany::Many(v)
        }
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum BodyOut<'a> {
    Iri(String),
    Text(TextualBodyOut<'a>),
    Specific(SpecificOut<'a>),
}

#[derive(Serialize)]
struct TextualBodyOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    purpose: &'static str,
    value: &'a str,
    format: &'static str,
}

fn textual<'a>(purpose: &'static str, value: &'a str) -> BodyOut<'a> {
    BodyOut::Text(TextualBodyOut {
        kind: "TextualBody",
        purpose,
        value,
        format: "text/plain",
    })
}

#[derive(Serialize)]
#[serde(untagged)]
enum TargetOut<'a> {
    Iri(String),
    Specific(SpecificOut<'a>),
    /// A relation's two ends: the annotation it goes from, then the one it goes to.
    Pair([String; 2]),
}

#[derive(Serialize)]
struct SpecificOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    source: SourceOut,
    selector: [SelectorOut<'a>; 2],
}

#[derive(Serialize)]
struct SourceOut {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    format: &'static str,
}

#[derive(Serialize)]
#[serde(untagged)]
enum SelectorOut<'a> {
    Quote {
        #[serde(rename = "type")]
        kind: &'static str,
        exact: &'a str,
        prefix: &'a str,
        suffix: &'a str,
    },
    Position {
        #[serde(rename = "type")]
        kind: &'static str,
        start: usize,
        end: usize,
    },
}

/// The span as a `SpecificResource` of the document: quote and position selectors.
fn specific<'a>(doc: &'a Document, doc_iri: &str, span: Span) -> SpecificOut<'a> {
    let before = Span::new(span.start.saturating_sub(CONTEXT_CHARS), span.start);
    let after = Span::new(span.end, (span.end + CONTEXT_CHARS).min(doc.len()));
    SpecificOut {
        kind: "SpecificResource",
        source: SourceOut {
            id: doc_iri.to_string(),
            kind: "Text",
            format: "text/plain",
        },
        selector: [
            SelectorOut::Quote {
                kind: "TextQuoteSelector",
                exact: doc.slice(span),
                prefix: doc.slice(before),
                suffix: doc.slice(after),
            },
            SelectorOut::Position {
                kind: "TextPositionSelector",
                start: span.start,
                end: span.end,
            },
        ],
    }
}

/// The bundle as a W3C Web Annotation collection (JSON-LD), deterministic: annotations by
/// (start, end, id), each followed by its links; two-space indentation; a final newline.
pub fn export(bundle: &Bundle) -> String {
    let doc = &bundle.document;
    let label = if doc.title.trim().is_empty() {
        format!("Annotations of {}", doc.id)
    } else {
        format!("Annotations of “{}”", doc.title)
    };
    collection(
        format!("{}/annotations", document_iri(&doc.id)),
        label,
        creator_of(bundle),
        annotations_of(bundle),
        OneOrMany::One(about_of(bundle)),
    )
}

/// A collection of `items`, about the documents `about`, as the file's text.
fn collection<'a>(
    collection_iri: String,
    label: String,
    creator: Option<AgentOut<'a>>,
    items: Vec<AnnotationOut<'a>>,
    about: OneOrMany<DocumentOut<'a>>,
) -> String {
    let page_iri = format!("{collection_iri}/1");
    let collection = CollectionOut {
        context: CONTEXT,
        id: collection_iri.clone(),
        kind: "AnnotationCollection",
        label,
        creator,
        total: items.len(),
        last: page_iri.clone(),
        about,
        first: PageOut {
            id: page_iri,
            kind: "AnnotationPage",
            part_of: collection_iri,
            start_index: 0,
            items,
        },
    };
    let mut out =
        serde_json::to_string_pretty(&collection).expect("serialising plain data cannot fail");
    out.push('\n');
    out
}

/// The bundle's annotator as the agent that created its annotations, when it is set.
fn creator_of(bundle: &Bundle) -> Option<AgentOut<'_>> {
    (!bundle.annotator.trim().is_empty()).then_some(AgentOut {
        kind: "Person",
        name: &bundle.annotator,
    })
}

/// The document as the collection describes it (`schema:about`), its text included.
fn about_of(bundle: &Bundle) -> DocumentOut<'_> {
    let doc = &bundle.document;
    DocumentOut {
        id: document_iri(&doc.id),
        kind: "Text",
        format: "text/plain",
        identifier: &doc.id,
        name: &doc.title,
        sha256: sha256_hex(doc.text()),
        text: doc.text(),
    }
}

/// The bundle's annotations, by (start, end, id), each followed by its links.
fn annotations_of<'a>(bundle: &'a Bundle) -> Vec<AnnotationOut<'a>> {
    let doc = &bundle.document;
    let doc_iri = document_iri(&doc.id);
    let creator = creator_of(bundle);
    let mut anns: Vec<&Annotation> = bundle.annotations.iter().collect();
    sort::sort_by(&mut anns, |a, b| a.sort_key().cmp(&b.sort_key()));
    let mut items = Vec::new();
    for a in anns {
        let iri = annotation_iri(&doc.id, &a.id);
        let created = a.created.to_rfc3339();
        let modified = a.updated.to_rfc3339();
        let mut bodies = Vec::new();
        let motivation = match &a.body {
            Body::Entity { label } => {
                bodies.push(textual("tagging", label));
                "tagging"
            }
            Body::Quote { direct, .. } => {
                bodies.push(textual("tagging", "QUOTE"));
                let how = if *direct { "DIRECT" } else { "INDIRECT" };
                bodies.push(textual("classifying", how));
                "classifying"
            }
            Body::Claim {
                checkworthiness, ..
            } => {
                bodies.push(textual("tagging", "CLAIM"));
                if let Some(c) = checkworthiness {
                    bodies.push(textual("classifying", c));
                }
                "classifying"
            }
        };
        if !a.note.is_empty() {
            bodies.push(textual("commenting", &a.note));
        }
        items.push(AnnotationOut {
            id: iri.clone(),
            kind: "Annotation",
            motivation,
            creator,
            created: created.clone(),
            modified: modified.clone(),
            body: bodies.into(),
            target: TargetOut::Specific(specific(doc, &doc_iri, a.span)),
        });
        let link = |role: &'static str, related: BodyOut<'a>| AnnotationOut {
            id: format!("{iri}/{}", role.to_lowercase()),
            kind: "Annotation",
            motivation: "linking",
            creator,
            created: created.clone(),
            modified: modified.clone(),
            body: OneOrMany::Many(vec![related, textual("tagging", role)]),
            target: TargetOut::Iri(iri.clone()),
        };
        let party_role = if a.kind() == Kind::Quote {
            "SPEAKER"
        } else {
            "CLAIMANT"
        };
        let mut links: Vec<AnnotationOut> = Vec::new();
        match a.body.party() {
            Some(Party::Ref(id)) => {
                links.push(link(party_role, BodyOut::Iri(annotation_iri(&doc.id, id))))
            }
            Some(Party::Name(name)) => links.push(link(party_role, textual("identifying", name))),
            None => {}
        }
        if let Body::Quote { cue: Some(cue), .. } = &a.body {
            links.push(link(
                "CUE",
                BodyOut::Specific(specific(doc, &doc_iri, *cue)),
            ));
        }
        items.extend(links);
        // Relations of any type, each a linking annotation between the two annotations.
        for (k, r) in a.extra().relations.iter().enumerate() {
            let mut body = vec![textual("tagging", &r.kind)];
            if !r.note.is_empty() {
                body.push(textual("commenting", &r.note));
            }
            items.push(AnnotationOut {
                id: format!("{iri}/relation-{}", k + 1),
                kind: "Annotation",
                motivation: "linking",
                creator,
                created: created.clone(),
                modified: modified.clone(),
                body: body.into(),
                target: TargetOut::Pair([iri.clone(), annotation_iri(&doc.id, &r.target)]),
            });
        }
    }

    items
}

// ---- import ----

use super::shape;

/// Reads a W3C Web Annotation file from its bytes; `file_name` names the document when the
/// file does not.
pub fn import_bytes(bytes: &[u8], file_name: &str) -> Result<Imported, FileError> {
    import(decode_text(bytes)?, file_name)
}

/// Reads a W3C Web Annotation file: a collection, a page, an annotation or a list of them.
pub fn import(text: &str, file_name: &str) -> Result<Imported, FileError> {
    let root: Value = serde_json::from_str(text).map_err(|e| not_json(&e))?;
    import_value(&root, text.len(), file_name, None)
}

/// Reads a W3C Web Annotation file for the open document `open`: a file that carries its
/// text is read as [`import_bytes`] reads it (and is for the document with that text); one
/// without (Recogito, text-annotator, Hypothesis-style tools write none) is placed onto
/// `open` by its quotes, as the module's documentation says (“Onto an open document”).
pub fn import_bytes_onto(
    bytes: &[u8],
    file_name: &str,
    open: &Document,
) -> Result<Imported, FileError> {
    import_onto(decode_text(bytes)?, file_name, open)
}

/// [`import_bytes_onto`] of a file already decoded.
pub fn import_onto(text: &str, file_name: &str, open: &Document) -> Result<Imported, FileError> {
    let root: Value = serde_json::from_str(text).map_err(|e| not_json(&e))?;
    // The check every reader's result passes through `Format::import`.
    super::checked(import_value(&root, text.len(), file_name, Some(open))?)
}

/// Whether a parsed file carries its document's text (else it can only be read onto one).
fn carries_text(found: &Found<'_>) -> bool {
    found.about.is_some()
        || found
            .items
            .iter()
            .any(|item| source_with_text(item).is_some())
}

/// Reads a file already parsed; `file_bytes` is its size, which bounds the work of placing
/// quote-only annotations ([`Quotes`]). With `open`, a file without its text is read onto
/// that document.
fn import_value(
    root: &Value,
    file_bytes: usize,
    file_name: &str,
    open: Option<&Document>,
) -> Result<Imported, FileError> {
    let found = container(root)?;
    let onto = open.filter(|_| !carries_text(&found));
    let (document, doc_iri) = match onto {
        Some(doc) => (doc.clone(), None),
        None => read_document(&found, file_name)?,
    };
    let annotator = found.annotator.clone().unwrap_or_default();
    let mut sink = Sink {
        onto: onto.is_some(),
        problems: Vec::new(),
    };
    let mut notes = Vec::new();

    let mut spans: Vec<SpanItem> = Vec::new();
    let mut links: Vec<LinkItem> = Vec::new();
    let mut relations: Vec<RelItem> = Vec::new();
    let quotes = Quotes::new(&document, file_bytes);
    let ctx = Ctx {
        quotes: &quotes,
        doc_iri: doc_iri.as_deref(),
        onto: sink.onto,
    };
    for (index, item) in found.items.iter().enumerate() {
        let o = match item {
            Value::Object(o) => o,
            Value::String(s) => {
                let at = Where {
                    index,
                    iri: Some(s.clone()),
                };
                if sink.onto {
                    sink.bad(
                        &at,
                        "it is only an IRI, not an annotation written out in the file".into(),
                    )?;
                    continue;
                }
                return Err(shape(format!(
                    "Annotation {} is only an IRI (“{}”), not an annotation written out in the file; Marginalia reads embedded annotations.",
                    index + 1,
                    short(s, 60)
                )));
            }
            other => {
                let at = Where { index, iri: None };
                if sink.onto {
                    sink.bad(&at, format!("it is {}, not an object", json_type(other)))?;
                    continue;
                }
                return Err(shape(format!(
                    "Annotation {} is {}, not an object.",
                    index + 1,
                    json_type(other)
                )));
            }
        };
        let iri = str_field(o, "id").map(str::to_string);
        let at = Where { index, iri };
        let read = || -> Result<Option<Linking>, String> {
            if found.each_needs_context {
                check_context(o)?;
            }
            let types = types_of(o);
            if !types.iter().any(|t| t == "Annotation") {
                return Err(format!(
                    "its type is {}, not Annotation",
                    describe_types(&types)
                ));
            }
            let motivations = motivations_of(o)?;
            if motivations.iter().any(|m| m == "linking") {
                return read_link(o, &ctx).map(Some);
            }
            Ok(None)
        };
        match read() {
            Ok(Some(Linking::Link(link))) => {
                notes.extend(link.tell.iter().map(|t| format!("{}: {t}.", at.describe())));
                links.push(LinkItem { at, link });
            }
            Ok(Some(Linking::Relation(rel))) => relations.push(RelItem { at, rel }),
            Ok(None) => {
                let motivations = motivations_of(o).unwrap_or_default();
                match read_span_item(o, &motivations, &ctx) {
                    Ok(span) => {
                        notes.extend(span.tell.iter().map(|t| format!("{}: {t}.", at.describe())));
                        spans.push(SpanItem { at, span });
                    }
                    Err(why) => sink.bad(&at, why)?,
                }
            }
            Err(why) => sink.bad(&at, why)?,
        }
    }
    if let Some(total) = found.total {
        if total > found.items.len() as u64 {
            return Err(shape(format!(
                "The collection says it holds {total} annotations, but the file holds {}: its other pages are not in the file.",
                found.items.len()
            )));
        }
    }
    drop(quotes);
    let total = found.items.len() - links.len() - relations.len();
    let untagged = sink.onto
        && spans
            .iter()
            .any(|s| s.span.kind == Kind::Entity && s.span.label == UNTAGGED);
    let (annotations, labels) = build(spans, links, relations, &mut sink)?;
    // In the order of the file.
    sort::sort_by_key(&mut sink.problems, |p| p.index);
    if sink.onto {
        notes.insert(
            0,
            format!(
                "The file does not include its text: its annotations were placed onto the open document “{}” by their quotes.",
                short(&document.title, 60)
            ),
        );
        if untagged {
            notes.push(format!(
                "Annotations without a tag were given the label {UNTAGGED}."
            ));
        }
    }
    // The last guard: what we built keeps every rule of the model.
    State::restore(
        Rc::new(document.clone()),
        labels.clone(),
        annotations.clone(),
        0,
    )
    .map_err(|e| shape(format!("The annotations break a rule of Marginalia: {e}.")))?;
    Ok(Imported {
        bundle: Bundle {
            document,
            labels,
            annotator,
            annotations,
            status: Default::default(),
        },
        problems: sink.problems,
        total,
        notes,
    })
}

/// Where an annotation is in the file: its place in the item list and its IRI.
struct Where {
    index: usize,
    iri: Option<String>,
}

impl Where {
    fn describe(&self) -> String {
        match &self.iri {
            Some(iri) => format!("Annotation {} ({})", self.index + 1, short(iri, 80)),
            None => format!("Annotation {}", self.index + 1),
        }
    }
}

/// What the file's outer object gave: the annotations in order and what it says about them.
struct Found<'v> {
    items: Vec<&'v Value>,
    /// The node describing the annotated document (`schema:about`), if any.
    about: Option<&'v Value>,
    annotator: Option<String>,
    total: Option<u64>,
    /// A bare annotation or list: each item must name the context itself.
    each_needs_context: bool,
}

fn container(root: &Value) -> Result<Found<'_>, FileError> {
    const NOT: &str = "This is JSON, but not W3C Web Annotations";
    let o = match root {
        Value::Array(list) => {
            return Ok(Found {
                items: list.iter().collect(),
                about: None,
                annotator: None,
                total: None,
                each_needs_context: true,
            })
        }
        Value::Object(o) => o,
        other => {
            return Err(shape(format!(
                "{NOT}: it is {} where an object or a list was expected.",
                json_type(other)
            )))
        }
    };
    check_context(o).map_err(|e| shape(format!("{NOT}: {e}.")))?;
    let types = types_of(o);
    let has = |t: &str| types.iter().any(|x| x == t);
    if has("AnnotationCollection") {
        let total = o.get("total").and_then(Value::as_u64);
        let mut items = Vec::new();
        match o.get("first") {
            Some(Value::Object(p)) => collect_pages(p, &mut items)?,
            Some(Value::String(iri)) => {
                return Err(shape(format!(
                    "The collection only names its first page (“{}”) instead of including it; Marginalia reads pages written out in the file.",
                    short(iri, 60)
                )))
            }
            // An empty collection may have no page at all.
            None if total == Some(0) => {}
            _ => return Err(shape("The collection has no \"first\" page of annotations.")),
        }
        Ok(Found {
            items,
            about: o.get("schema:about"),
            annotator: agent_name(o.get("creator")),
            total,
            each_needs_context: false,
        })
    } else if has("AnnotationPage") {
        let mut items = Vec::new();
        collect_pages(o, &mut items)?;
        let part_of = o.get("partOf").and_then(Value::as_object);
        Ok(Found {
            items,
            about: o
                .get("schema:about")
                .or_else(|| part_of.and_then(|p| p.get("schema:about"))),
            annotator: agent_name(part_of.and_then(|p| p.get("creator"))),
            total: None,
            each_needs_context: false,
        })
    } else if has("Annotation") {
        Ok(Found {
            items: vec![root],
            about: None,
            annotator: None,
            total: None,
            each_needs_context: false,
        })
    } else {
        Err(shape(format!(
            "{NOT}: its type is {}, not Annotation, AnnotationPage or AnnotationCollection.",
            describe_types(&types)
        )))
    }
}

/// The items of a page and of the pages embedded after it (`next`).
fn collect_pages<'v>(
    page: &'v Map<String, Value>,
    out: &mut Vec<&'v Value>,
) -> Result<(), FileError> {
    let mut page = Some(page);
    while let Some(p) = page {
        match p.get("items") {
            Some(Value::Array(items)) => out.extend(items.iter()),
            Some(other) => {
                return Err(shape(format!(
                    "A page's \"items\" must be a list, not {}.",
                    json_type(other)
                )))
            }
            None => return Err(shape("A page of the file has no \"items\" list.")),
        }
        page = match p.get("next") {
            Some(Value::Object(next)) => Some(next),
            Some(Value::String(iri)) => {
                return Err(shape(format!(
                    "A page only names the next one (“{}”) instead of including it; Marginalia reads pages written out in the file.",
                    short(iri, 60)
                )))
            }
            _ => None,
        };
    }
    Ok(())
}

/// The object names the Web Annotation context, as a string or in a list.
fn check_context(o: &Map<String, Value>) -> Result<(), String> {
    let is_anno = |v: &Value| matches!(v.as_str(), Some(c) if c == CONTEXT || c == "https://www.w3.org/ns/anno.jsonld");
    match o.get("@context") {
        Some(Value::Array(list)) if list.iter().any(is_anno) => Ok(()),
        Some(v) if is_anno(v) => Ok(()),
        Some(v) => Err(format!(
            "its \"@context\" is {}, without {CONTEXT}",
            short_json(v)
        )),
        None => Err(format!("it has no \"@context\" naming {CONTEXT}")),
    }
}

fn str_field<'v>(o: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    o.get(key)
        .or_else(|| o.get(&format!("@{key}")))
        .and_then(Value::as_str)
}

fn types_of(o: &Map<String, Value>) -> Vec<String> {
    match o.get("type").or_else(|| o.get("@type")) {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn describe_types(types: &[String]) -> String {
    if types.is_empty() {
        "not given".into()
    } else {
        types
            .iter()
            .map(|t| format!("“{}”", short(t, 40)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn agent_name(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Object(a) => match a.get("name") {
            Some(Value::String(n)) if !n.trim().is_empty() => Some(n.trim().to_string()),
            Some(Value::Array(names)) => names
                .iter()
                .filter_map(Value::as_str)
                .find(|n| !n.trim().is_empty())
                .map(|n| n.trim().to_string()),
            _ => None,
        },
        Value::Array(list) => list.iter().find_map(|a| agent_name(Some(a))),
        _ => None,
    }
}

/// The document: its text from the collection's `schema:about` (or a target's `source`), its
/// id and title from there too, else from the file name.
fn read_document(
    found: &Found<'_>,
    file_name: &str,
) -> Result<(Document, Option<String>), FileError> {
    let node = found
        .about
        .or_else(|| found.items.iter().find_map(|item| source_with_text(item)));
    let Some(node) = node else {
        return Err(shape(
            "The file does not include the document's text (the collection's \"schema:about\" with \"schema:text\", as Marginalia writes it): W3C annotations only point at a document, and Marginalia cannot guess its text.",
        ));
    };
    let Value::Object(d) = node else {
        return Err(shape(format!(
            "\"schema:about\" must describe the document as an object, not {}.",
            json_type(node)
        )));
    };
    let text = match d.get("schema:text").or_else(|| d.get("value")) {
        Some(Value::String(t)) => t.clone(),
        Some(other) => {
            return Err(shape(format!(
                "The document's \"schema:text\" must be a string, not {}.",
                json_type(other)
            )))
        }
        None => {
            return Err(shape(
                "The file describes the document but does not include its text (\"schema:text\"); Marginalia cannot guess it.",
            ))
        }
    };
    check_document_text(&text).map_err(shape)?;
    if let Some(sha) = d.get("schema:sha256") {
        let sha = sha
            .as_str()
            .ok_or_else(|| shape("The document's \"schema:sha256\" must be a string."))?;
        let actual = sha256_hex(&text);
        if !sha.eq_ignore_ascii_case(&actual) {
            return Err(shape(format!(
                "The document's schema:sha256 does not match its text (the file says {}, the text's is {}): the text was changed after export.",
                short(sha, 16),
                short(&actual, 16)
            )));
        }
    }
    let iri = str_field(d, "id").map(str::to_string);
    let from_iri = iri
        .as_deref()
        .and_then(|i| i.strip_prefix(URN))
        .filter(|rest| !rest.contains([':', '/']))
        .and_then(decode);
    let id = match d.get("schema:identifier") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(shape(format!(
                "The document's \"schema:identifier\" must be a string, not {}.",
                json_type(other)
            )))
        }
        None => from_iri.unwrap_or_else(|| stem(file_name)),
    };
    if id.trim().is_empty() || id.chars().count() > 200 || id.chars().any(char::is_control) {
        return Err(shape(
            "The document's identifier must be 1–200 characters, without control characters.",
        ));
    }
    let title = match d.get("schema:name") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(shape(format!(
                "The document's \"schema:name\" must be a string, not {}.",
                json_type(other)
            )))
        }
        None => id.clone(),
    };
    Ok((Document::new(id, title, text), iri))
}

/// A target `source` object that carries the document's text, in an annotation.
fn source_with_text(item: &Value) -> Option<&Value> {
    let targets = match item.get("target")? {
        Value::Array(list) => list.iter().collect(),
        one => vec![one],
    };
    targets.into_iter().find_map(|t| {
        let source = t.get("source")?;
        source.get("schema:text").map(|_| source)
    })
}

/// The file name without its extension, made safe: the document id of last resort.
fn stem(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let lower = base.to_lowercase();
    let cut = [".w3c.jsonld", ".jsonld", ".json"]
        .iter()
        .find(|ext| lower.ends_with(*ext))
        .map_or(base.len(), |ext| base.len() - ext.len());
    safe_file_stem(&base[..cut])
}

fn motivations_of(o: &Map<String, Value>) -> Result<Vec<String>, String> {
    match o.get("motivation") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(m)) => Ok(vec![m.clone()]),
        Some(Value::Array(list)) => list
            .iter()
            .map(|m| {
                m.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| "its \"motivation\" must list strings".to_string())
            })
            .collect(),
        Some(other) => Err(format!(
            "its \"motivation\" must be a string, not {}",
            json_type(other)
        )),
    }
}

/// One body, by what it is.
enum BodyIn<'v> {
    /// A `TextualBody` (or a bare `bodyValue`).
    Text {
        purpose: Option<&'v str>,
        value: &'v str,
    },
    /// A resource named by its IRI.
    Iri(&'v str),
    /// A `SpecificResource`: a part of a source.
    Specific(&'v Map<String, Value>),
    /// A body Marginalia does not read, and why (a `Choice`, a malformed body).
    Unread(String),
}

/// The bodies, each read or said why not ([`BodyIn::Unread`]).
fn bodies_of(o: &Map<String, Value>) -> Vec<BodyIn<'_>> {
    let mut out = Vec::new();
    let list: Vec<&Value> = match o.get("body") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one) => vec![one],
    };
    for (k, b) in list.into_iter().enumerate() {
        let which = || format!("its body {}", k + 1);
        out.push(match b {
            Value::String(iri) => BodyIn::Iri(iri),
            Value::Object(m) => {
                let types = types_of(m);
                let purpose = match m.get("purpose") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(p)) => Some(p.as_str()),
                    Some(Value::Array(ps)) if ps.len() == 1 && ps[0].is_string() => ps[0].as_str(),
                    Some(other) => {
                        out.push(BodyIn::Unread(format!(
                            "{} has the purpose {}; Marginalia reads one purpose per body",
                            which(),
                            short_json(other)
                        )));
                        continue;
                    }
                };
                if types.iter().any(|t| t == "TextualBody") || m.contains_key("value") {
                    match m.get("value") {
                        Some(Value::String(v)) => BodyIn::Text { purpose, value: v },
                        _ => BodyIn::Unread(format!("{} is a TextualBody without a text \"value\"", which())),
                    }
                } else if m.contains_key("source") {
                    BodyIn::Specific(m)
                } else if types.iter().any(|t| t == "Choice") {
                    BodyIn::Unread(format!(
                        "{} is a Choice between bodies, which Marginalia does not read",
                        which()
                    ))
                } else if let Some(iri) = str_field(m, "id") {
                    BodyIn::Iri(iri)
                } else {
                    BodyIn::Unread(format!(
                        "{} is neither a TextualBody, nor a resource with an \"id\", nor a SpecificResource",
                        which()
                    ))
                }
            }
            other => BodyIn::Unread(format!("{} is {}, not an object or an IRI", which(), json_type(other))),
        });
    }
    match o.get("bodyValue") {
        None | Some(Value::Null) => {}
        Some(Value::String(v)) => out.push(BodyIn::Text {
            purpose: None,
            value: v,
        }),
        Some(other) => out.push(BodyIn::Unread(format!(
            "its \"bodyValue\" must be a string, not {}",
            json_type(other)
        ))),
    }
    out
}

/// A span annotation as read, before ids are given and links joined.
struct SpanIn {
    kind: Kind,
    /// The entity type, for an entity.
    label: String,
    span: Span,
    note: String,
    direct: bool,
    rating: Option<String>,
    created: Timestamp,
    updated: Timestamp,
    /// Further tags of a foreign annotation, as flags (in name order).
    attributes: Attributes,
    /// What the person should be told about how it was read.
    tell: Vec<String>,
}

struct SpanItem {
    at: Where,
    span: SpanIn,
}

enum Role {
    Party,
    Cue,
}

enum LinkBody {
    Ref(String),
    Name(String),
    Cue(Span),
}

/// A `linking` annotation as read: the role its tag names (if any), what it links from, to what.
struct LinkIn {
    tag: Option<String>,
    target: String,
    body: LinkBody,
    /// What the person should be told about how its cue was placed.
    tell: Vec<String>,
}

struct LinkItem {
    at: Where,
    link: LinkIn,
}

fn read_times(o: &Map<String, Value>) -> Result<(Timestamp, Timestamp), String> {
    let time = |key: &str| -> Result<Option<Timestamp>, String> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(t)) => Timestamp::parse_rfc3339(t)
                .map(Some)
                .ok_or_else(|| format!("its \"{key}\" time “{}” is not RFC 3339", short(t, 40))),
            Some(other) => Err(format!(
                "its \"{key}\" must be a time, not {}",
                json_type(other)
            )),
        }
    };
    let created = time("created")?.unwrap_or_default();
    let updated = time("modified")?.unwrap_or(created);
    Ok((created, updated))
}

/// The label a foreign annotation without a tag gets (a highlight, a comment).
pub const UNTAGGED: &str = "ANNOTATION";

/// A foreign tag as a label: each run of whitespace becomes `_`, control characters go, and
/// it is cut at 40 code points; `None` when nothing is left.
fn as_label(tag: &str) -> Option<String> {
    let words: Vec<&str> = tag.split_whitespace().collect();
    let label: String = words
        .join("_")
        .chars()
        .filter(|c| !c.is_control())
        .take(40)
        .collect();
    (!label.is_empty()).then_some(label)
}

fn read_span_item(
    o: &Map<String, Value>,
    motivations: &[String],
    ctx: &Ctx,
) -> Result<SpanIn, String> {
    let doc = ctx.quotes.doc;
    let target = match o.get("target") {
        Some(Value::Array(list)) if list.len() == 1 => &list[0],
        Some(Value::Array(list)) => {
            return Err(format!(
                "it has {} targets; Marginalia annotates one span at a time",
                list.len()
            ))
        }
        Some(t) => t,
        None => return Err("it has no \"target\"".into()),
    };
    let placed = match target {
        Value::Object(t)
            if t.contains_key("source") || (ctx.onto && t.contains_key("selector")) =>
        {
            place(t, ctx, "")?
        }
        Value::String(iri) => {
            return Err(format!(
                "its target is the whole resource “{}”, not a span of the text",
                short(iri, 60)
            ))
        }
        _ => {
            return Err(
                "its target is not a SpecificResource with a \"source\" and selectors".into(),
            )
        }
    };
    let span = placed.span;
    let mut tell = placed.tell;

    let mut tags = Vec::new();
    let mut classes = Vec::new();
    let mut notes = Vec::new();
    for (k, b) in bodies_of(o).into_iter().enumerate() {
        match b {
            BodyIn::Text {
                purpose: Some("tagging"),
                value,
            } => tags.push(value),
            BodyIn::Text {
                purpose: Some("classifying"),
                value,
            } => classes.push(value),
            BodyIn::Text {
                purpose: None | Some("commenting" | "describing"),
                value,
            } => notes.push(value.to_string()),
            // Onto an open document, what other tools write is kept in the note.
            BodyIn::Text { value, .. } if ctx.onto => notes.push(value.to_string()),
            BodyIn::Iri(iri) if ctx.onto => notes.push(iri.to_string()),
            BodyIn::Text {
                purpose: Some(p), ..
            } => {
                return Err(format!(
                    "its body {} has the purpose “{}”, which Marginalia does not read on a span",
                    k + 1,
                    short(p, 30)
                ))
            }
            BodyIn::Iri(iri) => {
                return Err(format!(
                    "its body {} is the resource “{}”; Marginalia reads text bodies on a span",
                    k + 1,
                    short(iri, 60)
                ))
            }
            BodyIn::Specific(_) => {
                let why = format!(
                    "its body {} is a SpecificResource; Marginalia reads text bodies on a span",
                    k + 1
                );
                if !ctx.onto {
                    return Err(why);
                }
                tell.push(format!("{why}, so it was left out"));
            }
            BodyIn::Unread(why) if ctx.onto => tell.push(format!("{why}, so it was left out")),
            BodyIn::Unread(why) => return Err(why),
        }
    }
    let mut attributes: Attributes = Vec::new();
    let tag = if ctx.onto {
        // A foreign annotation: its first tag is its label, the others flags; none, UNTAGGED.
        let mut labels = tags.iter().filter_map(|t| as_label(t));
        let first = labels.next().unwrap_or_else(|| UNTAGGED.to_string());
        for other in labels {
            if !attributes.iter().any(|(n, _)| *n == other) {
                attributes.push((other, AttrValue::Flag));
            }
        }
        first
    } else {
        match tags.as_slice() {
            [] => {
                return Err(
                    "it has no tagging body naming what the span is (an entity type such as ORG, or QUOTE or CLAIM)"
                        .into(),
                )
            }
            [one] => one.trim().to_string(),
            many => {
                return Err(format!(
                    "it has {} tagging bodies ({}); Marginalia gives each span one",
                    many.len(),
                    many.iter()
                        .map(|t| format!("“{}”", short(t, 20)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        }
    };
    let tag = tag.as_str();
    // Marginalia writes entities as "tagging": their type is whatever the tag says, even
    // "QUOTE". Anything else tagged QUOTE or CLAIM is a quote or a claim.
    let tagging = motivations.iter().any(|m| m == "tagging");
    let kind = match tag {
        "QUOTE" if !tagging => Kind::Quote,
        "CLAIM" if !tagging => Kind::Claim,
        _ => Kind::Entity,
    };
    if kind == Kind::Entity {
        validate_label(tag).map_err(|e| format!("its entity type is not a valid label: {e}"))?;
    }
    if doc.slice(span).trim().is_empty() {
        return Err(format!("its span {span} covers only spaces"));
    }
    if kind == Kind::Entity && doc.paragraphs_overlapping(span).len() > 1 {
        return Err(format!("it is an entity across a paragraph break ({span})"));
    }
    let mut direct = false;
    let mut rating = None;
    match (kind, classes.as_slice()) {
        (_, []) => {}
        (Kind::Entity, many) if ctx.onto => {
            for c in many.iter().filter_map(|c| as_label(c)) {
                if !attributes.iter().any(|(n, _)| *n == c) {
                    attributes.push((c, AttrValue::Flag));
                }
            }
        }
        (Kind::Entity, [c, ..]) => {
            return Err(format!(
                "it is an entity with a classifying body (“{}”), which Marginalia does not read",
                short(c, 30)
            ))
        }
        (Kind::Quote, [c]) => {
            direct = match c.trim().to_ascii_uppercase().as_str() {
                "DIRECT" => true,
                "INDIRECT" => false,
                _ => {
                    return Err(format!(
                        "it classifies the quote as “{}”, not DIRECT or INDIRECT",
                        short(c, 30)
                    ))
                }
            }
        }
        (Kind::Claim, [c]) => {
            let c = c.trim();
            validate_label(c)
                .map_err(|e| format!("its check-worthiness is not a valid label: {e}"))?;
            rating = Some(c.to_string());
        }
        (_, many) => {
            return Err(format!(
                "it has {} classifying bodies; a {} has one",
                many.len(),
                kind.as_str()
            ))
        }
    }
    sort::sort_by(&mut attributes, |a, b| a.0.cmp(&b.0));
    let (created, updated) = read_times(o)?;
    Ok(SpanIn {
        kind,
        label: tag.to_string(),
        span,
        note: notes.join("\n\n"),
        direct,
        rating,
        created,
        updated,
        attributes,
        tell,
    })
}

/// What a `linking` annotation is: a link of Marginalia's own (one target: a quote or claim
/// given its speaker, claimant or cue), or a relation between two annotations.
enum Linking {
    Link(LinkIn),
    Relation(RelIn),
}

/// A relation as read: from one annotation to another (their IRIs), its type and note.
struct RelIn {
    kind: String,
    from: String,
    to: String,
    note: String,
}

struct RelItem {
    at: Where,
    rel: RelIn,
}

/// The kind of a relation whose `linking` annotation has no tag.
pub const UNTYPED_RELATION: &str = "linking";

fn read_link(o: &Map<String, Value>, ctx: &Ctx) -> Result<Linking, String> {
    let target = match o.get("target") {
        Some(Value::Array(list)) if list.len() == 2 => {
            return read_relation(o, list, ctx).map(Linking::Relation)
        }
        Some(Value::Array(list)) if list.len() == 1 => &list[0],
        Some(Value::Array(list)) => {
            return Err(format!(
                "it is a link with {} targets; Marginalia links from one quote or claim, or relates two annotations",
                list.len()
            ))
        }
        Some(t) => t,
        None => return Err("it has no \"target\"".into()),
    };
    let target = match target {
        Value::String(iri) => iri.clone(),
        Value::Object(t) if !t.contains_key("source") && str_field(t, "id").is_some() => {
            str_field(t, "id").unwrap_or_default().to_string()
        }
        _ => return Err("it is a link whose target is not the IRI of a quote or a claim".into()),
    };
    let mut tag = None;
    let mut related = Vec::new();
    let mut tell = Vec::new();
    for (k, b) in bodies_of(o).into_iter().enumerate() {
        match b {
            BodyIn::Text {
                purpose: Some("tagging"),
                value,
            } => {
                let t = value.trim().to_ascii_uppercase();
                if !matches!(t.as_str(), "SPEAKER" | "CLAIMANT" | "CUE") {
                    return Err(format!(
                        "it is a link tagged “{}”, not SPEAKER, CLAIMANT or CUE",
                        short(value, 30)
                    ));
                }
                if tag.replace(t).is_some() {
                    return Err("it is a link with two role tags".into());
                }
            }
            BodyIn::Text {
                purpose: Some("identifying"),
                value,
            } => {
                if value.trim().is_empty() {
                    return Err("it links to an empty name".into());
                }
                related.push(LinkBody::Name(value.trim().to_string()));
            }
            BodyIn::Text { purpose, .. } => {
                return Err(format!(
                    "its body {} is a text with the purpose “{}”; a link holds a role tag and what it links to",
                    k + 1,
                    purpose.unwrap_or("none")
                ))
            }
            BodyIn::Iri(iri) => related.push(LinkBody::Ref(iri.to_string())),
            BodyIn::Specific(s) => {
                let placed = place(s, ctx, "cue ")?;
                tell.extend(placed.tell);
                related.push(LinkBody::Cue(placed.span));
            }
            BodyIn::Unread(why) => return Err(why),
        }
    }
    let body = match related.len() {
        1 => related.remove(0),
        0 => return Err("it is a link to nothing: it has no body naming a speaker, claimant or cue".into()),
        n => {
            return Err(format!(
                "it is a link to {n} things; Marginalia links a quote or claim to one speaker, claimant or cue per annotation"
            ))
        }
    };
    Ok(Linking::Link(LinkIn {
        tag,
        target,
        body,
        tell,
    }))
}

/// A `linking` annotation with two targets: a relation from the first to the second, typed by
/// its tagging body ([`UNTYPED_RELATION`] when it has none), its comments its note.
fn read_relation(o: &Map<String, Value>, ends: &[Value], ctx: &Ctx) -> Result<RelIn, String> {
    let iri_of = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(t) if !t.contains_key("source") => str_field(t, "id").map(str::to_string),
        _ => None,
    };
    let (Some(from), Some(to)) = (iri_of(&ends[0]), iri_of(&ends[1])) else {
        return Err(
            "it is a link with two targets that are not both annotations named by their IRI".into(),
        );
    };
    let mut kind = None;
    let mut notes = Vec::new();
    for (k, b) in bodies_of(o).into_iter().enumerate() {
        match b {
            BodyIn::Text {
                purpose: Some("tagging"),
                value,
            } => {
                let label = if ctx.onto {
                    as_label(value).unwrap_or_default()
                } else {
                    value.trim().to_string()
                };
                validate_label(&label)
                    .map_err(|e| format!("its relation type is not a valid label: {e}"))?;
                if kind.replace(label).is_some() {
                    return Err(
                        "it is a relation with two tagging bodies; Marginalia gives a relation one type"
                            .into(),
                    );
                }
            }
            BodyIn::Text {
                purpose: None | Some("commenting" | "describing"),
                value,
            } => notes.push(value.to_string()),
            BodyIn::Text { value, .. } if ctx.onto => notes.push(value.to_string()),
            BodyIn::Iri(iri) if ctx.onto => notes.push(iri.to_string()),
            BodyIn::Unread(why) => return Err(why),
            _ => {
                return Err(format!(
                "its body {} is neither a tag nor a comment; a relation holds its type and a note",
                k + 1
            ))
            }
        }
    }
    Ok(RelIn {
        kind: kind.unwrap_or_else(|| UNTYPED_RELATION.to_string()),
        from,
        to,
        note: notes.join("\n\n"),
    })
}

/// What reading one file needs to place its spans: the document's quote finder, the
/// document's IRI when the file names it, and whether the file is read onto an open document
/// (its text not in the file: [`import_onto`]).
struct Ctx<'a, 'd> {
    quotes: &'a Quotes<'d>,
    doc_iri: Option<&'a str>,
    onto: bool,
}

/// A span placed by its selectors, and what the person should be told about how.
struct Placed {
    span: Span,
    tell: Vec<String>,
}

fn is_text_selector(types: &[String]) -> bool {
    types
        .iter()
        .any(|t| t == "TextQuoteSelector" || t == "TextPositionSelector")
}

/// Places a `SpecificResource` in the document by its selectors. A file with its text must
/// agree with it exactly; onto an open document, the quote is the authority, the position
/// only a hint, and a text selector refining another (`refinedBy`) is placed in the whole text.
fn place(t: &Map<String, Value>, ctx: &Ctx, what: &str) -> Result<Placed, String> {
    let doc = ctx.quotes.doc;
    let source = match t.get("source") {
        Some(Value::String(s)) => s.as_str(),
        Some(Value::Object(s)) => str_field(s, "id").unwrap_or_default(),
        _ => "",
    };
    if let Some(iri) = ctx.doc_iri {
        if source != iri {
            return Err(format!(
                "its {what}target is in “{}”, not in the document of this file (“{}”)",
                short(source, 60),
                short(iri, 60)
            ));
        }
    }
    let list: Vec<&Value> = match t.get("selector") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let mut quote: Option<&Map<String, Value>> = None;
    let mut position: Option<&Map<String, Value>> = None;
    let mut others = Vec::new();
    let mut tell = Vec::new();
    for s in list {
        let Value::Object(s) = s else { continue };
        let mut s: &Map<String, Value> = s;
        let mut types = types_of(s);
        if ctx.onto && !is_text_selector(&types) {
            // A text selector refining one Marginalia cannot resolve (a fragment of a page):
            // placed in the whole text, and said so.
            if let Some(Value::Object(r)) = s.get("refinedBy") {
                let inner = types_of(r);
                if is_text_selector(&inner) {
                    tell.push(format!(
                        "its {what}{} {}was not resolved: the {} refining it was placed in the whole text",
                        describe_types(&types),
                        str_field(s, "value")
                            .map(|v| format!("(“{}”) ", short(v, 40)))
                            .unwrap_or_default(),
                        describe_types(&inner)
                    ));
                    s = r;
                    types = inner;
                }
            }
        }
        let slot = if types.iter().any(|t| t == "TextQuoteSelector") {
            &mut quote
        } else if types.iter().any(|t| t == "TextPositionSelector") {
            &mut position
        } else {
            others.extend(types);
            continue;
        };
        if s.contains_key("refinedBy") {
            return Err(format!(
                "its {what}selector is refined by another; Marginalia reads plain text selectors"
            ));
        }
        if slot.replace(s).is_some() {
            return Err(format!(
                "its {what}target has two selectors of one type; Marginalia reads one of each"
            ));
        }
    }
    let text_of = |s: &Map<String, Value>, key: &str, required: bool| -> Result<String, String> {
        match s.get(key) {
            Some(Value::String(v)) => Ok(v.clone()),
            None if !required => Ok(String::new()),
            None => Err(format!("its {what}TextQuoteSelector has no \"{key}\"")),
            Some(other) => Err(format!(
                "its {what}TextQuoteSelector's \"{key}\" must be a string, not {}",
                json_type(other)
            )),
        }
    };
    let quote = match quote {
        Some(q) => Some((
            text_of(q, "exact", true)?,
            text_of(q, "prefix", false)?,
            text_of(q, "suffix", false)?,
        )),
        None => None,
    };
    if let Some((exact, _, _)) = &quote {
        if exact.is_empty() {
            return Err(format!("its {what}TextQuoteSelector's \"exact\" is empty"));
        }
    }
    let text = doc.text();
    let placed = |span| Placed {
        span,
        tell: tell.clone(),
    };
    match (position, quote) {
        (position, Some((exact, prefix, suffix))) if ctx.onto => {
            // The position counts what the other tool counted (often a page's DOM): a hint.
            let hint = position
                .and_then(|p| read_position(p, doc, what).ok())
                .map(|s| s.start);
            let q = anchor::Quote {
                exact: &exact,
                prefix: &prefix,
                suffix: &suffix,
                hint,
            };
            let found = ctx
                .quotes
                .anchor(&q, true)
                .map_err(|e| format!("its {what}{e}"))?;
            let mut out = placed(found.span);
            let here = short(doc.slice(found.span), 40);
            match found.how {
                anchor::How::Exact => {}
                anchor::How::Whitespace => out.tell.push(format!(
                    "its {what}quote “{}” differs from the text in whitespace only; it was anchored at {}: “{here}”",
                    short(&exact, 40),
                    found.span
                )),
                anchor::How::Approximate { errors } => out.tell.push(format!(
                    "its {what}quote “{}” is not in the text as written; it was re-anchored approximately ({errors} character{} differ) at {}: “{here}”",
                    short(&exact, 40),
                    if errors == 1 { "" } else { "s" },
                    found.span
                )),
            }
            Ok(out)
        }
        (Some(p), quote) => {
            let span = read_position(p, doc, what)?;
            if let Some((exact, prefix, suffix)) = quote {
                let here = doc.slice(span);
                let (bs, be) = (doc.cp_to_byte(span.start), doc.cp_to_byte(span.end));
                if here != exact {
                    return Err(format!(
                        "its {what}TextPositionSelector {span} selects “{}”, but its TextQuoteSelector says “{}”",
                        short(here, 40),
                        short(&exact, 40)
                    ));
                }
                if !text[..bs].ends_with(prefix.as_str()) {
                    return Err(format!(
                        "its {what}TextQuoteSelector's prefix “{}” is not the text before {span}",
                        short(&prefix, 40)
                    ));
                }
                if !text[be..].starts_with(suffix.as_str()) {
                    return Err(format!(
                        "its {what}TextQuoteSelector's suffix “{}” is not the text after {span}",
                        short(&suffix, 40)
                    ));
                }
            }
            Ok(placed(span))
        }
        (None, Some((exact, prefix, suffix))) => ctx
            .quotes
            .find(&exact, &prefix, &suffix)
            .map(placed)
            .map_err(|e| format!("its {what}{e}")),
        (None, None) if others.is_empty() => Err(format!(
            "its {what}target has no TextQuoteSelector or TextPositionSelector"
        )),
        (None, None) => Err(format!(
            "its {what}target has no TextQuoteSelector or TextPositionSelector, only {}",
            describe_types(&others)
        )),
    }
}

fn read_position(p: &Map<String, Value>, doc: &Document, what: &str) -> Result<Span, String> {
    let num = |key: &str| -> Result<i64, String> {
        match p.get(key) {
            Some(Value::Number(n)) => n.as_i64().ok_or_else(|| {
                format!("its {what}TextPositionSelector's {key} {n} is not a whole number")
            }),
            Some(other) => Err(format!(
                "its {what}TextPositionSelector's {key} must be a number, not {}",
                json_type(other)
            )),
            None => Err(format!("its {what}TextPositionSelector has no {key}")),
        }
    };
    let (s, e) = (num("start")?, num("end")?);
    super::checked_span(s, e, doc.len(), what)
}

/// Finds a quote in the text the way Hypothesis re-anchors one: every exact occurrence, then
/// the one whose surroundings agree best with the prefix and suffix (code points in common,
/// counted outwards from the quote). Refuses when there is none, or when several agree equally.
pub fn requote(doc: &Document, exact: &str, prefix: &str, suffix: &str) -> Result<Span, String> {
    Quotes::new(doc, doc.text().len()).find(exact, prefix, suffix)
}

/// Places the quote-only annotations of one file in its document's text, in time linear or
/// n·log n in the file, where searching the whole text for each quote costs the text's length
/// times the number of quotes:
/// - the first quotes are searched for in the text; once the searches have read the text
///   [`SEARCHES`] times, a suffix array of it is built once (`divsufsort`), and each later
///   quote's occurrences are a range of it found by binary search;
/// - comparing each occurrence's surroundings with the prefix and suffix (which a file may make
///   megabytes long, at a quote found at every character) draws on a budget of
///   [`WORK_PER_BYTE`] steps per byte of file and text: a file that spends it is refused,
///   naming the annotation, rather than worked on for minutes.
pub struct Quotes<'d> {
    doc: &'d Document,
    /// Text bytes read by searches so far.
    searched: std::cell::Cell<u64>,
    /// Comparison steps left.
    budget: std::cell::Cell<u64>,
    /// Byte offsets of the text's suffixes, in order, once built.
    suffixes: std::cell::OnceCell<Vec<i32>>,
    /// The approximate search ([`anchor::Fuzzy`]), built for the first quote not found as written.
    fuzzy: std::cell::OnceCell<anchor::Fuzzy>,
}

/// How many whole-text searches come before the suffix array is built.
pub const SEARCHES: u64 = 4;
/// Comparison steps allowed per byte of the file and of its text.
pub const WORK_PER_BYTE: u64 = 8;

impl<'d> Quotes<'d> {
    /// For a file of `file_bytes` whose document is `doc`.
    pub fn new(doc: &'d Document, file_bytes: usize) -> Self {
        let budget = WORK_PER_BYTE * (file_bytes as u64 + doc.text().len() as u64) + 1_000_000;
        Quotes {
            doc,
            searched: std::cell::Cell::new(0),
            budget: std::cell::Cell::new(budget),
            suffixes: std::cell::OnceCell::new(),
            fuzzy: std::cell::OnceCell::new(),
        }
    }

    /// Byte offsets where `exact` starts, overlapping ones too, in text order.
    fn occurrences(&self, exact: &str) -> Vec<usize> {
        let text = self.doc.text();
        if text.is_empty() {
            return Vec::new();
        }
        let built = self.suffixes.get().is_some();
        if !built && self.searched.get() < SEARCHES * text.len() as u64 {
            self.searched.set(self.searched.get() + text.len() as u64);
            let finder = memchr::memmem::Finder::new(exact.as_bytes());
            let mut found = Vec::new();
            let mut from = 0;
            while let Some(at) = finder.find(&text.as_bytes()[from..]) {
                let bs = from + at;
                found.push(bs);
                // Overlapping occurrences count too: look again one character further on.
                from = bs + text[bs..].chars().next().map_or(1, char::len_utf8);
            }
            return found;
        }
        let suffixes = self
            .suffixes
            .get_or_init(|| divsufsort::sort(text.as_bytes()).into_parts().1);
        let bytes = text.as_bytes();
        let needle = exact.as_bytes();
        let suffix = |i: i32| &bytes[i as usize..];
        // The suffixes starting with `exact` are those from the first not below it to the
        // first past it.
        let lo = suffixes.partition_point(|&i| suffix(i) < needle);
        let hi = lo + suffixes[lo..].partition_point(|&i| suffix(i).starts_with(needle));
        let mut found: Vec<usize> = suffixes[lo..hi].iter().map(|&i| i as usize).collect();
        sort::sort_dedup(&mut found);
        found
    }

    /// Takes `steps` from the budget; false when it is spent.
    fn spend(&self, steps: u64) -> bool {
        match self.budget.get().checked_sub(steps) {
            Some(left) => {
                self.budget.set(left);
                true
            }
            None => {
                self.budget.set(0);
                false
            }
        }
    }

    /// The span of `exact` chosen by its prefix and suffix (see [`requote`]).
    pub fn find(&self, exact: &str, prefix: &str, suffix: &str) -> Result<Span, String> {
        let q = anchor::Quote {
            exact,
            prefix,
            suffix,
            hint: None,
        };
        self.anchor(&q, false).map(|a| a.span)
    }

    /// Anchors a quote: its exact occurrences, the one whose prefix and suffix agree best, and
    /// between equally good ones the nearest to the position hint; when it does not occur as
    /// written and `approximate` says so, by [`anchor::Fuzzy`] (whitespace normalised, then
    /// approximately).
    pub fn anchor(&self, q: &anchor::Quote, approximate: bool) -> Result<anchor::Anchored, String> {
        let (exact, prefix, suffix) = (q.exact, q.prefix, q.suffix);
        if exact.is_empty() {
            return Err("quote is empty".into());
        }
        let doc = self.doc;
        let text = doc.text();
        let found = self.occurrences(exact);
        let count = found.len();
        let too_much = || {
            format!(
                "quote “{}” occurs {count} times, and comparing their surroundings with its prefix and suffix takes more work than Marginalia spends on one file; give the annotation a TextPositionSelector",
                short(exact, 40)
            )
        };
        if !self.spend(count as u64) {
            return Err(too_much());
        }
        let mut best: Vec<(usize, usize)> = Vec::new();
        let mut best_score = 0;
        for bs in found {
            let be = bs + exact.len();
            // Each comparison stops where the budget does: one occurrence may not overrun it.
            let left = self.budget.get() as usize;
            let agree_before = prefix
                .chars()
                .rev()
                .zip(text[..bs].chars().rev())
                .take(left)
                .take_while(|(a, b)| a == b)
                .count();
            let agree_after = suffix
                .chars()
                .zip(text[be..].chars())
                .take(left - agree_before)
                .take_while(|(a, b)| a == b)
                .count();
            if agree_before + agree_after >= left
                || !self.spend((agree_before + agree_after) as u64)
            {
                return Err(too_much());
            }
            let score = agree_before + agree_after;
            if best.is_empty() || score > best_score {
                best = vec![(bs, be)];
                best_score = score;
            } else if score == best_score {
                best.push((bs, be));
            }
        }
        let to_cp = |b: usize| doc.byte_to_cp(b).expect("a match starts on a character");
        let exactly = |(bs, be): (usize, usize)| anchor::Anchored {
            span: Span::new(to_cp(bs), to_cp(be)),
            how: anchor::How::Exact,
        };
        // Between equally good occurrences, the nearest to the hint, when one is nearest.
        if let (Some(h), [_, _, ..]) = (q.hint, best.as_slice()) {
            let far = |&(bs, _): &(usize, usize)| to_cp(bs).abs_diff(h);
            let nearest = best.iter().map(far).min().unwrap_or(0);
            let at: Vec<(usize, usize)> =
                best.iter().copied().filter(|b| far(b) == nearest).collect();
            if at.len() == 1 {
                best = at;
            }
        }
        match best.as_slice() {
            [] if approximate => self.fuzzy.get_or_init(|| anchor::Fuzzy::new(doc)).find(q),
            [] => Err(format!(
                "quote “{}” is not in the document's text",
                short(exact, 40)
            )),
            [one] => Ok(exactly(*one)),
            several => Err(format!(
                "quote “{}” occurs {count} times, and its prefix and suffix fit {} of them equally well (at {})",
                short(exact, 40),
                several.len(),
                several
                    .iter()
                    .take(3)
                    .map(|(bs, be)| Span::new(to_cp(*bs), to_cp(*be)).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
}

/// Where an annotation's trouble goes: a file with its text is refused at the first (one
/// sentence naming the annotation); one read onto an open document keeps the others and lists
/// each annotation left out, one line each.
struct Sink {
    onto: bool,
    problems: Vec<Problem>,
}

impl Sink {
    /// Reports `msg` about the annotation at `at`: `Ok` when it is only left out.
    fn bad(&mut self, at: &Where, msg: String) -> Result<(), FileError> {
        if self.onto {
            self.problems.push(Problem {
                index: at.index,
                id: at.iri.clone(),
                message: format!("{msg}; it was left out"),
            });
            Ok(())
        } else {
            Err(shape(format!("{}: {msg}.", at.describe())))
        }
    }
}

/// The items whose file IRI no earlier item (in `seen`, which they join) has; each other one
/// is refused by `sink` (left out, or the whole file refused).
fn unique_iris<T>(
    items: Vec<T>,
    at: impl Fn(&T) -> &Where,
    seen: &mut HashMap<String, usize>,
    sink: &mut Sink,
) -> Result<Vec<T>, FileError> {
    let mut kept = Vec::with_capacity(items.len());
    for item in items {
        let here = at(&item);
        if let Some(iri) = here.iri.as_deref() {
            if let Some(&first) = seen.get(iri) {
                sink.bad(
                    here,
                    format!("its id is already used by annotation {}", first + 1),
                )?;
                continue;
            }
            seen.insert(iri.to_string(), here.index);
        }
        kept.push(item);
    }
    Ok(kept)
}

/// Gives ids, joins links and relations, checks the model's rules, and builds the labels.
fn build(
    spans: Vec<SpanItem>,
    links: Vec<LinkItem>,
    relations: Vec<RelItem>,
    sink: &mut Sink,
) -> Result<(Vec<Annotation>, Labels), FileError> {
    // File IRIs, unique: a later annotation with an IRI already used is refused (left out).
    let mut seen: HashMap<String, usize> = HashMap::new();
    let kept_spans = unique_iris(spans, |s| &s.at, &mut seen, sink)?;
    let kept_links = unique_iris(links, |l| &l.at, &mut seen, sink)?;
    let kept_relations = unique_iris(relations, |r| &r.at, &mut seen, sink)?;
    drop(seen);

    // Duplicates of kind, label and span.
    let mut spans = Vec::with_capacity(kept_spans.len());
    {
        let mut keys: HashMap<(Kind, String, Span), usize> = HashMap::new();
        for s in kept_spans {
            let label = if s.span.kind == Kind::Entity {
                s.span.label.clone()
            } else {
                String::new()
            };
            if let Some(&first) = keys.get(&(s.span.kind, label.clone(), s.span.span)) {
                sink.bad(
                    &s.at,
                    format!(
                        "it repeats the kind, label and span of annotation {}",
                        first + 1
                    ),
                )?;
                continue;
            }
            keys.insert((s.span.kind, label, s.span.span), s.at.index);
            spans.push(s);
        }
    }
    let links = kept_links;
    let relations = kept_relations;

    let mut by_iri: HashMap<&str, usize> = HashMap::new();
    for (k, s) in spans.iter().enumerate() {
        if let Some(iri) = s.at.iri.as_deref() {
            by_iri.insert(iri, k);
        }
    }

    // Ids: Marginalia's own when the IRI carries one, else kind letter and sequence.
    let kept: Vec<Option<String>> = spans
        .iter()
        .map(|s| s.at.iri.as_deref().and_then(marginalia_id))
        .collect();
    let mut used: HashSet<String> = HashSet::new();
    let mut ids: Vec<Option<String>> = Vec::with_capacity(spans.len());
    for id in kept {
        ids.push(id.filter(|id| used.insert(id.clone())));
    }
    let mut seq = 1u64;
    let ids: Vec<String> = ids
        .into_iter()
        .zip(&spans)
        .map(|(id, s)| {
            id.unwrap_or_else(|| loop {
                let candidate = format!(
                    "{}{seq}",
                    s.span.kind.as_str().chars().next().unwrap_or('a')
                );
                seq += 1;
                if used.insert(candidate.clone()) {
                    break candidate;
                }
            })
        })
        .collect();

    // Links.
    let mut party: Vec<Option<(Party, usize)>> = vec![None; spans.len()];
    let mut cue: Vec<Option<(Span, usize)>> = vec![None; spans.len()];
    for l in &links {
        let Some(&from) = by_iri.get(l.link.target.as_str()) else {
            sink.bad(
                &l.at,
                format!(
                    "it links from “{}”, which is not an annotation of a span {}",
                    short(&l.link.target, 60),
                    if sink.onto {
                        "imported from this file"
                    } else {
                        "in this file"
                    }
                ),
            )?;
            continue;
        };
        let from_kind = spans[from].span.kind;
        let role = match (&l.link.body, l.link.tag.as_deref()) {
            (LinkBody::Cue(_), None | Some("CUE")) => Role::Cue,
            (LinkBody::Ref(_) | LinkBody::Name(_), None | Some("SPEAKER" | "CLAIMANT")) => {
                Role::Party
            }
            (_, Some(tag)) => {
                sink.bad(
                    &l.at,
                    format!(
                        "its {} tag does not fit what it links to",
                        tag.to_lowercase()
                    ),
                )?;
                continue;
            }
        };
        let fits = match (&role, from_kind, l.link.tag.as_deref()) {
            (_, Kind::Entity, _) => false,
            (Role::Cue, kind, _) => kind == Kind::Quote,
            (Role::Party, Kind::Quote, tag) => tag != Some("CLAIMANT"),
            (Role::Party, Kind::Claim, tag) => tag != Some("SPEAKER"),
        };
        if !fits {
            let what = match (&role, l.link.tag.as_deref()) {
                (Role::Cue, _) => "a cue".to_string(),
                (Role::Party, Some(tag)) => format!("a {}", tag.to_lowercase()),
                (Role::Party, None) => "a speaker or claimant".to_string(),
            };
            sink.bad(
                &l.at,
                format!(
                    "it gives {what} to {}, which is {} {}",
                    ids[from],
                    if from_kind == Kind::Entity { "an" } else { "a" },
                    from_kind.as_str()
                ),
            )?;
            continue;
        }
        let role_name = if from_kind == Kind::Quote {
            "speaker"
        } else {
            "claimant"
        };
        match (&l.link.body, role) {
            (LinkBody::Cue(span), _) => {
                if let Some((_, first)) = cue[from] {
                    sink.bad(
                        &l.at,
                        format!(
                            "it gives {} a second cue (annotation {} gives the first)",
                            ids[from],
                            first + 1
                        ),
                    )?;
                    continue;
                }
                cue[from] = Some((*span, l.at.index));
            }
            (body, _) => {
                let p = match body {
                    LinkBody::Name(n) => Party::Name(n.clone()),
                    LinkBody::Ref(iri) => match by_iri.get(iri.as_str()) {
                        Some(&to) if spans[to].span.kind == Kind::Entity => {
                            Party::Ref(ids[to].clone())
                        }
                        Some(&to) => {
                            sink.bad(
                                &l.at,
                                format!(
                                    "its {role_name} {} is a {}, not an entity",
                                    ids[to],
                                    spans[to].span.kind.as_str()
                                ),
                            )?;
                            continue;
                        }
                        None => {
                            sink.bad(
                                &l.at,
                                format!(
                                    "its {role_name} “{}” is not an annotation in this file",
                                    short(iri, 60)
                                ),
                            )?;
                            continue;
                        }
                    },
                    LinkBody::Cue(_) => unreachable!("handled above"),
                };
                if let Some((_, first)) = &party[from] {
                    sink.bad(
                        &l.at,
                        format!(
                            "it gives {} a second {role_name} (annotation {} gives the first)",
                            ids[from],
                            first + 1
                        ),
                    )?;
                    continue;
                }
                party[from] = Some((p, l.at.index));
            }
        }
    }

    // Relations, in the order of the file.
    let mut related: Vec<Vec<Relation>> = vec![Vec::new(); spans.len()];
    for r in &relations {
        let end = |iri: &str| by_iri.get(iri).copied();
        let missing = |iri: &str| {
            format!(
                "its relation “{}” links “{}”, which is not an annotation of a span {}",
                r.rel.kind,
                short(iri, 60),
                if sink.onto {
                    "imported from this file"
                } else {
                    "in this file"
                }
            )
        };
        let (from, to) = match (end(&r.rel.from), end(&r.rel.to)) {
            (Some(f), Some(t)) => (f, t),
            (None, _) => {
                let why = missing(&r.rel.from);
                sink.bad(&r.at, why)?;
                continue;
            }
            (_, None) => {
                let why = missing(&r.rel.to);
                sink.bad(&r.at, why)?;
                continue;
            }
        };
        if from == to {
            sink.bad(&r.at, format!("it relates {} to itself", ids[from]))?;
            continue;
        }
        let target = ids[to].clone();
        if related[from]
            .iter()
            .any(|x| x.kind == r.rel.kind && x.target == target)
        {
            sink.bad(
                &r.at,
                format!(
                    "it repeats the relation {} {} {}",
                    ids[from], r.rel.kind, target
                ),
            )?;
            continue;
        }
        related[from].push(Relation {
            kind: r.rel.kind.clone(),
            target,
            roles: None,
            attributes: Vec::new(),
            note: r.rel.note.clone(),
        });
    }

    // Labels: the defaults, then every other label the file uses, in order of first use.
    let defaults = Labels::default();
    let (mut entity_labels, mut ratings) = (
        Growing::new(defaults.entity),
        Growing::new(defaults.checkworthiness),
    );
    for s in &spans {
        match s.span.kind {
            Kind::Entity => entity_labels.add(&s.span.label),
            Kind::Claim => {
                if let Some(r) = &s.span.rating {
                    ratings.add(r);
                }
            }
            _ => {}
        }
    }
    let labels = Labels {
        entity: entity_labels.into_vec(),
        checkworthiness: ratings.into_vec(),
    };
    labels
        .validate()
        .map_err(|e| shape(format!("The file's labels are not valid: {e}.")))?;

    let mut annotations: Vec<Annotation> = spans
        .into_iter()
        .zip(ids)
        .zip(party.into_iter().zip(cue))
        .zip(related)
        .map(|(((s, id), (party, cue)), relations)| {
            let s = s.span;
            let party = party.map(|(p, _)| p);
            let body = match s.kind {
                Kind::Entity => Body::Entity { label: s.label },
                Kind::Quote => Body::Quote {
                    speaker: party,
                    cue: cue.map(|(c, _)| c),
                    direct: s.direct,
                },
                Kind::Claim => Body::Claim {
                    claimant: party,
                    checkworthiness: s.rating,
                },
            };
            let mut a = Annotation {
                id,
                span: s.span,
                body,
                note: s.note,
                created: s.created,
                updated: s.updated,
                extra: None,
            };
            let extra = a.extra_mut();
            extra.attributes = s.attributes;
            extra.relations = relations;
            a.tidy_extra();
            a
        })
        .collect();
    sort::sort_by(&mut annotations, |a, b| a.sort_key().cmp(&b.sort_key()));
    Ok((annotations, labels))
}

/// The Marginalia id in an IRI of ours (`urn:marginalia:<doc>:<id>`), when it is a valid id.
fn marginalia_id(iri: &str) -> Option<String> {
    let rest = iri.strip_prefix(URN)?;
    let (_, id) = rest.split_once(':')?;
    if id.contains([':', '/']) {
        return None;
    }
    let id = decode(id)?;
    let ok =
        !id.trim().is_empty() && id.chars().count() <= 100 && !id.chars().any(char::is_control);
    ok.then_some(id)
}

#[cfg(test)]
#[path = "w3c_tests.rs"]
mod tests;
