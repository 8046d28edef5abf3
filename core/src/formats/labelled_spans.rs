//! The labelled-span formats' common ground (spaCy / Prodigy and doccano, both one JSON document
//! of (start, end, label) spans; not a JSONL parser): reading the one
//! document of a file, Marginalia's extras, and turning labelled spans and links into
//! annotations.
//!
//! These formats list spans as (start, end, label): entities under their label, quotes as
//! `QUOTE`, claims as `CLAIM`. Whatever else an annotation has (its id, note, times, a quote's
//! cue and direct flag, a claim's check-worthiness, a speaker or claimant named in free text)
//! travels in an object `_marginalia` that the tools keep but do not read:
//!
//! ```json
//! "_marginalia": {"version": 1, "annotator": "…", "status": "done", "labels": {"entity": […], "checkworthiness": […]},
//!   "annotations": [{"start": 32, "end": 52, "label": "ORG", "id": "e1", "kind": "entity",
//!                    "note": "", "created": "…", "updated": "…"}, …]}
//! ```
//!
//! An entry belongs to the span with its start, end and label, so spans edited in the other
//! tool simply lose their extras. Offsets in the extras count as the file's spans do. `status`
//! (where the document stands, left out when it is new) is what the file reads back with.
//!
//! One file is one document: Marginalia opens one at a time, so a file of several lines (a
//! whole doccano project, a Prodigy dataset) is refused with the number of documents, rather
//! than silently opening the first.
//!
//! Why one file of ~1,000 lines: the span logic spaCy/Prodigy and doccano share (reading and writing
//! spans, tokens and their extras) is one convention with one set of checks; the two formats' own
//! files hold only what differs.

use crate::model::sort;
use std::collections::{HashMap, HashSet, VecDeque};

use serde::Serialize;
use serde_json::{Map, Value};

use super::native::{Imported, PartyOut, Problem};
use super::{
    check_document_text, decode_text, json_type, line_not_json, not_json, safe_file_stem, short,
    Bundle, FileError, Growing,
};
use crate::model::annotation::Relation;
use crate::model::blanks::Blanks;
use crate::model::labels::validate_label;
use crate::model::{Annotation, Body, Document, Kind, Labels, Party, Span, Status, Timestamp};

/// How a format counts offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Units {
    /// Unicode code points, as Python's `str` indices (spaCy, Prodigy).
    CodePoints,
    /// UTF-16 code units, as JavaScript's string indices (doccano's annotation page).
    Utf16,
}

impl Units {
    pub fn offset(self, doc: &Document, cp: usize) -> usize {
        match self {
            Units::CodePoints => cp,
            Units::Utf16 => doc.cp_to_utf16(cp),
        }
    }

    fn len(self, doc: &Document) -> usize {
        self.offset(doc, doc.len())
    }

    fn name(self) -> &'static str {
        match self {
            Units::CodePoints => "characters",
            Units::Utf16 => "UTF-16 code units",
        }
    }

    /// The code point at file offset `at`, or why there is none.
    fn code_point(self, doc: &Document, at: i64, what: &str) -> Result<usize, String> {
        let len = self.len(doc);
        if at < 0 {
            return Err(format!("its {what} {at} is negative"));
        }
        if at as u64 > len as u64 {
            return Err(format!(
                "its {what} {at} is past the end of the text ({len} {})",
                self.name()
            ));
        }
        match self {
            Units::CodePoints => Ok(at as usize),
            Units::Utf16 => doc.utf16_to_cp(at as usize).ok_or_else(|| {
                format!(
                    "its {what} {at} falls inside a character written with two UTF-16 code units \
                     (doccano counts UTF-16 code units, as JavaScript does)"
                )
            }),
        }
    }
}

pub use super::shape;

/// The one JSON object of a one-document JSONL file. `what` names the format in messages
/// ("a Prodigy task"). A single object spread over several lines is accepted too.
pub fn read_object(bytes: &[u8], what: &str) -> Result<Map<String, Value>, FileError> {
    let text = decode_text(bytes)?;
    let value = match serde_json::from_str::<Value>(text) {
        Ok(v) => v,
        Err(whole) => {
            let lines: Vec<(usize, &str)> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .collect();
            match lines.as_slice() {
                [] => {
                    return Err(FileError::Syntax(
                        "The file is empty: it holds no JSON line.".into(),
                    ))
                }
                [(n, line)] => {
                    return Err(match serde_json::from_str::<Value>(line) {
                        Err(e) => line_not_json(n + 1, &e),
                        Ok(_) => not_json(&whole),
                    })
                }
                many => {
                    for (n, line) in many {
                        if let Err(e) = serde_json::from_str::<Value>(line) {
                            return Err(line_not_json(n + 1, &e));
                        }
                    }
                    return Err(shape(format!(
                        "This file holds {} documents, one per line; Marginalia opens one \
                         document at a time. Save each line as a file of its own (for example \
                         with `split -l 1`) and open them one by one.",
                        many.len()
                    )));
                }
            }
        }
    };
    match value {
        Value::Object(o) => Ok(o),
        other => Err(shape(format!(
            "This is JSON, but not {what}: it is {} where an object was expected.",
            json_type(&other)
        ))),
    }
}

/// The document of a file: its text, and its id and title from `meta` when the file has them,
/// else from the file name without `extension` (or its last extension).
pub fn document(
    root: &Map<String, Value>,
    file_name: &str,
    extension: &str,
) -> Result<Document, FileError> {
    let text = match root.get("text") {
        Some(Value::String(t)) => t.clone(),
        Some(other) => {
            return Err(shape(format!(
                "\"text\" must be a string, not {}.",
                json_type(other)
            )))
        }
        None => return Err(shape("The file has no \"text\": the document's text.")),
    };
    check_document_text(&text).map_err(shape)?;
    let meta = root.get("meta").and_then(Value::as_object);
    let meta_str = |key: &str| meta.and_then(|m| m.get(key)).and_then(Value::as_str);
    let id = meta_str("id")
        .filter(|id| {
            !id.trim().is_empty() && id.chars().count() <= 200 && !id.chars().any(char::is_control)
        })
        .map_or_else(|| file_stem(file_name, extension), str::to_string);
    let title = meta_str("title").map_or_else(|| id.clone(), str::to_string);
    Ok(Document::new(id, title, text))
}

/// A file name without the format's extension (or, failing that, its last one), made safe.
pub fn file_stem(file_name: &str, extension: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let cut = base.len().saturating_sub(extension.len());
    let stem = match (base.get(..cut), base.get(cut..)) {
        (Some(stem), Some(ext)) if !stem.is_empty() && ext.eq_ignore_ascii_case(extension) => stem,
        _ => base.rsplit_once('.').map_or(base, |(s, _)| s),
    };
    safe_file_stem(stem)
}

// ---- export: Marginalia's extras ----

#[derive(Serialize)]
pub struct MetaOut<'a> {
    pub id: &'a str,
    pub title: &'a str,
}

#[derive(Serialize)]
pub struct ExtrasOut<'a> {
    version: u64,
    annotator: &'a str,
    /// Where the document stands, when it is not new.
    #[serde(skip_serializing_if = "is_new")]
    status: Status,
    labels: &'a Labels,
    annotations: Vec<ExtraOut<'a>>,
    /// Where tokens were split to give a span a token boundary (spaCy only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub token_splits: Vec<usize>,
}

#[derive(Serialize)]
struct OffsetsOut {
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct ExtraOut<'a> {
    start: usize,
    end: usize,
    label: &'a str,
    id: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    direct: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cue: Option<OffsetsOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    speaker: Option<PartyOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    checkworthiness: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    claimant: Option<PartyOut<'a>>,
    note: &'a str,
    created: String,
    updated: String,
}

fn is_new(status: &Status) -> bool {
    *status == Status::New
}

/// The label a span of this annotation carries in the file.
pub fn span_label(a: &Annotation) -> &str {
    match &a.body {
        Body::Entity { label } => label,
        Body::Quote { .. } => "QUOTE",
        Body::Claim { .. } => "CLAIM",
    }
}

/// Every relation an annotation starts, as (target id, label): its speaker or claimant link
/// (`SPEAKER`, `CLAIMANT`), then the open schema's relations under their own types.
pub fn relations_of(a: &Annotation) -> impl Iterator<Item = (&str, &str)> {
    let party = a
        .body
        .party()
        .and_then(|p| p.as_ref_id())
        .map(|to| (to, link_label(a.kind())));
    let others = a
        .extra()
        .relations
        .iter()
        .map(|r| (r.target.as_str(), r.kind.as_str()));
    party.into_iter().chain(others)
}

/// The relation label of a quote's or claim's link to its entity.
pub fn link_label(kind: Kind) -> &'static str {
    if kind == Kind::Quote {
        "SPEAKER"
    } else {
        "CLAIMANT"
    }
}

/// The bundle's annotations in export order: by start, end, id.
pub fn sorted(annotations: &[Annotation]) -> Vec<&Annotation> {
    let mut anns: Vec<&Annotation> = annotations.iter().collect();
    sort::sort_by(&mut anns, |a, b| a.sort_key().cmp(&b.sort_key()));
    anns
}

/// The extras of a bundle. With `links`, a linked speaker or claimant is kept here by id (for
/// formats without relations); otherwise only a party named in free text is.
pub fn extras<'a>(bundle: &'a super::Bundle, units: Units, links: bool) -> ExtrasOut<'a> {
    let doc = &bundle.document;
    let at = |cp: usize| units.offset(doc, cp);
    let party = |p: &'a Option<Party>| -> Option<PartyOut<'a>> {
        match p.as_ref()? {
            Party::Ref(id) if links => Some(PartyOut::Ref { id }),
            Party::Ref(_) => None,
            Party::Name(name) => Some(PartyOut::Name { name }),
        }
    };
    let annotations = sorted(&bundle.annotations)
        .into_iter()
        .map(|a| {
            let mut out = ExtraOut {
                start: at(a.span.start),
                end: at(a.span.end),
                label: span_label(a),
                id: &a.id,
                kind: a.kind().as_str(),
                direct: None,
                cue: None,
                speaker: None,
                checkworthiness: None,
                claimant: None,
                note: &a.note,
                created: a.created.to_rfc3339(),
                updated: a.updated.to_rfc3339(),
            };
            match &a.body {
                Body::Entity { .. } => {}
                Body::Quote {
                    speaker,
                    cue,
                    direct,
                } => {
                    out.direct = Some(*direct);
                    out.cue = cue.map(|c| OffsetsOut {
                        start: at(c.start),
                        end: at(c.end),
                    });
                    out.speaker = party(speaker);
                }
                Body::Claim {
                    claimant,
                    checkworthiness,
                } => {
                    out.checkworthiness = checkworthiness.as_deref();
                    out.claimant = party(claimant);
                }
            }
            out
        })
        .collect();
    ExtrasOut {
        version: 1,
        annotator: &bundle.annotator,
        status: bundle.status,
        labels: &bundle.labels,
        annotations,
        token_splits: Vec::new(),
    }
}

// ---- import: spans and links to annotations ----

/// A span as a file lists it, its offsets counted in the file's units.
#[derive(Clone, Debug)]
pub struct FileSpan {
    pub start: i64,
    pub end: i64,
    pub label: String,
    /// The text the file says the span covers, if it says.
    pub text: Option<String>,
}

/// A relation between two spans of the file, by their positions in its span list.
#[derive(Clone, Debug)]
pub struct FileLink {
    pub head: usize,
    pub child: usize,
    pub label: String,
}

/// What the spans of a file give.
pub struct Built {
    pub labels: Labels,
    pub annotator: String,
    /// The status the extras give: `None` when the file has none.
    pub status: Option<Status>,
    pub annotations: Vec<Annotation>,
    pub problems: Vec<Problem>,
    /// How many relations the file gave twice (kept once).
    pub merged: usize,
}

impl Built {
    /// What was read, over `document`, of `total` spans in the file.
    pub fn into_imported(self, document: Document, total: usize) -> Imported {
        Imported {
            bundle: Bundle {
                document,
                labels: self.labels,
                annotator: self.annotator,
                annotations: self.annotations,
                status: self.status.unwrap_or_default(),
            },
            problems: self.problems,
            total,
            notes: (self.merged > 0)
                .then(|| {
                    format!(
                        "{} relation{} came twice in the file (the same type between the same \
                         spans) and {} kept once.",
                        self.merged,
                        if self.merged == 1 { "" } else { "s" },
                        if self.merged == 1 { "is" } else { "are" }
                    )
                })
                .into_iter()
                .collect(),
        }
    }
}

/// Reads one number of a span: an integer.
pub fn int(v: Option<&Value>, key: &str) -> Result<i64, String> {
    match v {
        Some(Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| format!("its {key} {n} is not a whole number")),
        Some(other) => Err(format!(
            "its {key} must be a number, not {}",
            json_type(other)
        )),
        None => Err(format!("it has no {key}")),
    }
}

/// Reads the label of a span.
pub fn label(v: Option<&Value>) -> Result<String, String> {
    match v {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!(
            "its label must be a string, not {}",
            json_type(other)
        )),
        None => Err("it has no label".into()),
    }
}

/// One entry of the extras, read but not yet checked.
struct Extra {
    start: i64,
    end: i64,
    label: String,
    fields: Map<String, Value>,
}

struct Extras {
    labels: Option<Labels>,
    annotator: String,
    /// The document's status: `None` without extras, `New` when they do not say.
    status: Option<Status>,
    entries: Vec<Extra>,
}

fn read_extras(v: Option<&Value>) -> Result<Extras, FileError> {
    let mut extras = Extras {
        labels: None,
        annotator: String::new(),
        status: None,
        entries: Vec::new(),
    };
    let o = match v {
        None | Some(Value::Null) => return Ok(extras),
        Some(Value::Object(o)) => o,
        Some(other) => {
            return Err(shape(format!(
                "\"_marginalia\" must be an object, not {}.",
                json_type(other)
            )))
        }
    };
    if let Some(l) = o.get("labels") {
        let labels: Labels = serde_json::from_value(l.clone()).map_err(|_| {
            shape(
                "_marginalia.labels must be {\"entity\": [labels], \"checkworthiness\": [labels]}.",
            )
        })?;
        labels
            .validate()
            .map_err(|e| shape(format!("The file's labels are not valid: {e}.")))?;
        extras.labels = Some(labels);
    }
    extras.status = Some(match o.get("status") {
        None | Some(Value::Null) => Status::New,
        Some(Value::String(s)) => Status::parse(s).ok_or_else(|| {
            shape(format!(
                "_marginalia.status “{}” is not one of {}.",
                short(s, 40),
                Status::ALL
                    .iter()
                    .map(|s| s.key())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?,
        Some(other) => {
            return Err(shape(format!(
                "_marginalia.status must be a string, not {}.",
                json_type(other)
            )))
        }
    });
    match o.get("annotator") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => extras.annotator = s.clone(),
        Some(other) => {
            return Err(shape(format!(
                "_marginalia.annotator must be a string, not {}.",
                json_type(other)
            )))
        }
    }
    match o.get("annotations") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let bad = |why: String| shape(format!("_marginalia.annotations[{i}] {why}."));
                let Value::Object(fields) = item else {
                    return Err(bad(format!("is {}, not an object", json_type(item))));
                };
                extras.entries.push(Extra {
                    start: int(fields.get("start"), "start").map_err(bad)?,
                    end: int(fields.get("end"), "end").map_err(bad)?,
                    label: label(fields.get("label")).map_err(bad)?,
                    fields: fields.clone(),
                });
            }
        }
        Some(other) => {
            return Err(shape(format!(
                "_marginalia.annotations must be a list, not {}.",
                json_type(other)
            )))
        }
    }
    Ok(extras)
}

/// A valid annotation in the making: its span's position in the file, and a link by id that
/// the extras gave (formats without relations).
struct Read {
    index: usize,
    annotation: Annotation,
    /// Whether the id came from the file (else it is made up after all are read).
    has_id: bool,
    extra_link: Option<String>,
}

/// Turns the spans and links of a file into annotations: every span is checked on its own,
/// and each invalid one becomes a [`Problem`] (its index is its position in the file's span
/// list). Links Marginalia cannot keep are left out, each with a problem on its head span.
pub fn build(
    doc: &Document,
    units: Units,
    spans: Vec<Result<FileSpan, String>>,
    links: &[FileLink],
    extras: Option<&Value>,
) -> Result<Built, FileError> {
    let extras = read_extras(extras)?;
    let labels = extras.labels.clone().unwrap_or_default();
    let (mut entity_labels, mut ratings) = (
        Growing::new(labels.entity),
        Growing::new(labels.checkworthiness),
    );
    // The unused entries of each (start, end, label), first in the file first: a span takes
    // the first, as scanning the list for it would, without scanning.
    let mut unused: HashMap<(i64, i64, String), VecDeque<usize>> = HashMap::new();
    for (k, e) in extras.entries.iter().enumerate() {
        unused
            .entry((e.start, e.end, e.label.clone()))
            .or_default()
            .push_back(k);
    }
    let blanks = Blanks::new(doc);
    let mut problems: Vec<Problem> = Vec::new();
    let mut read: Vec<Read> = Vec::new();
    let mut keys: HashMap<(Kind, Option<String>, Span), usize> = HashMap::new();
    let mut ids: HashSet<String> = HashSet::new();
    for (index, span) in spans.into_iter().enumerate() {
        let problem = |message: String, id: Option<String>| Problem { index, id, message };
        let span = match span {
            Ok(s) => s,
            Err(message) => {
                problems.push(problem(message, None));
                continue;
            }
        };
        let extra = unused
            .get_mut(&(span.start, span.end, span.label.clone()))
            .and_then(VecDeque::pop_front);
        let fields = extra.map(|k| &extras.entries[k].fields);
        let id_hint = fields
            .and_then(|f| f.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string);
        match read_span(doc, &blanks, units, &span, fields) {
            Err(message) => problems.push(problem(message, id_hint)),
            Ok((mut annotation, extra_link)) => {
                let key = (
                    annotation.kind(),
                    annotation.body.label().map(str::to_string),
                    annotation.span,
                );
                if let Some(first) = keys.get(&key) {
                    problems.push(problem(
                        format!(
                            "repeats the kind, label and span of annotation {}",
                            first + 1
                        ),
                        id_hint,
                    ));
                    continue;
                }
                let has_id = match id_hint {
                    Some(id) if !ids.contains(&id) => {
                        annotation.id = id;
                        true
                    }
                    Some(id) => {
                        problems.push(problem(format!("the id {id} is already used"), Some(id)));
                        continue;
                    }
                    None => false,
                };
                // Labels the file uses join the label sets.
                match &annotation.body {
                    Body::Entity { label } => entity_labels.add(label),
                    Body::Claim {
                        checkworthiness: Some(v),
                        ..
                    } => ratings.add(v),
                    _ => {}
                }
                if has_id {
                    ids.insert(annotation.id.clone());
                }
                keys.insert(key, index);
                read.push(Read {
                    index,
                    annotation,
                    has_id,
                    extra_link,
                });
            }
        }
    }
    // Ids for annotations the file gives none: the kind's letter and a number after those
    // the file uses ("e1", "q2", …).
    let mut seq = read
        .iter()
        .filter(|r| r.has_id)
        .filter_map(|r| id_seq(&r.annotation.id))
        .max()
        .unwrap_or(0);
    for r in read.iter_mut().filter(|r| !r.has_id) {
        loop {
            seq += 1;
            let id = format!(
                "{}{seq}",
                r.annotation.kind().as_str().chars().next().unwrap_or('a')
            );
            if !ids.contains(&id) {
                ids.insert(id.clone());
                r.annotation.id = id;
                break;
            }
        }
    }
    let merged = link(&mut read, links, &mut problems);
    sort::sort_by_key(&mut problems, |p| p.index);
    let mut annotations: Vec<Annotation> = read.into_iter().map(|r| r.annotation).collect();
    sort::sort_by(&mut annotations, |a, b| a.sort_key().cmp(&b.sort_key()));
    let labels = Labels {
        entity: entity_labels.into_vec(),
        checkworthiness: ratings.into_vec(),
    };
    labels
        .validate()
        .map_err(|e| shape(format!("The file's labels are not valid: {e}.")))?;
    Ok(Built {
        labels,
        annotator: extras.annotator,
        status: extras.status,
        annotations,
        problems,
        merged,
    })
}

/// The number in an id of Marginalia's own form ("e12" → 12).
fn id_seq(id: &str) -> Option<u64> {
    let rest = id.strip_prefix(['e', 'q', 'c'])?;
    (!rest.starts_with('0'))
        .then(|| rest.parse().ok())
        .flatten()
        .filter(|&n| n < crate::model::state::MAX_SEQ)
}

/// Sets links from relations (and from extras, for formats without relations). A link that
/// cannot be kept is left out, with a problem on the annotation it starts from; a relation
/// the file gives twice is kept once. Returns how many were given twice.
fn link(read: &mut [Read], links: &[FileLink], problems: &mut Vec<Problem>) -> usize {
    let mut merged = 0;
    let by_index: HashMap<usize, usize> =
        read.iter().enumerate().map(|(k, r)| (r.index, k)).collect();
    let by_id: HashMap<String, Kind> = read
        .iter()
        .map(|r| (r.annotation.id.clone(), r.annotation.kind()))
        .collect();
    let mut set: Vec<Option<String>> = vec![None; read.len()];
    let mut left_out = |index: usize, id: &str, message: String| {
        problems.push(Problem {
            index,
            id: Some(id.to_string()),
            message: format!("{message}; the link is left out"),
        });
    };
    // Relations of other types (or a party relation that cannot be the party) are relations
    // of the open schema, from the head to the child.
    let mut related: Vec<Vec<Relation>> = vec![Vec::new(); read.len()];
    for l in links {
        let Some(&h) = by_index.get(&l.head) else {
            continue; // the head span is invalid and already reported
        };
        let head = &read[h].annotation;
        let child = match by_index.get(&l.child) {
            None => {
                left_out(
                    l.head,
                    &head.id,
                    format!(
                        "its relation “{}” ends at annotation {}, which is itself invalid",
                        short(&l.label, 40),
                        l.child + 1
                    ),
                );
                continue;
            }
            Some(&c) => &read[c].annotation,
        };
        let party = match head.kind() {
            Kind::Quote => Some("SPEAKER"),
            Kind::Claim => Some("CLAIMANT"),
            Kind::Entity => None,
        };
        if party == Some(l.label.as_str()) && child.kind() == Kind::Entity && set[h].is_none() {
            set[h] = Some(child.id.clone());
            continue;
        }
        if let Err(why) = validate_label(&l.label) {
            left_out(
                l.head,
                &head.id,
                format!("its relation type cannot be a name in Marginalia: {why}"),
            );
            continue;
        }
        if child.id == head.id {
            left_out(l.head, &head.id, "it is related to itself".into());
            continue;
        }
        let same = |r: &Relation| r.kind == l.label && r.target == child.id;
        let same_party =
            set[h].as_deref() == Some(child.id.as_str()) && party == Some(l.label.as_str());
        if related[h].iter().any(same) || same_party {
            merged += 1;
            continue;
        }
        related[h].push(Relation {
            kind: l.label.clone(),
            target: child.id.clone(),
            roles: None,
            attributes: Vec::new(),
            note: String::new(),
        });
    }
    for (r, relations) in read.iter_mut().zip(related) {
        if !relations.is_empty() {
            r.annotation.extra_mut().relations = relations;
        }
    }
    for (h, r) in read.iter().enumerate() {
        let Some(target) = &r.extra_link else {
            continue;
        };
        if set[h].is_some() {
            continue;
        }
        let role = if r.annotation.kind() == Kind::Quote {
            "speaker"
        } else {
            "claimant"
        };
        match by_id.get(target) {
            Some(Kind::Entity) => {
                set[h] = Some(target.clone());
            }
            Some(kind) => left_out(
                r.index,
                &r.annotation.id,
                format!("its {role} {target} is a {}, not an entity", kind.as_str()),
            ),
            None => left_out(
                r.index,
                &r.annotation.id,
                format!("its {role} {target} is not an annotation of the file"),
            ),
        }
    }
    for (r, target) in read.iter_mut().zip(set) {
        if let Some(id) = target {
            match &mut r.annotation.body {
                Body::Quote { speaker, .. } => *speaker = Some(Party::Ref(id)),
                Body::Claim { claimant, .. } => *claimant = Some(Party::Ref(id)),
                Body::Entity { .. } => {}
            }
        }
    }
    merged
}

/// Checks one span and builds its annotation (with a placeholder id), using its extras.
/// Returns the annotation and, for formats without relations, the id its extras link to.
fn read_span(
    doc: &Document,
    blanks: &Blanks,
    units: Units,
    span: &FileSpan,
    fields: Option<&Map<String, Value>>,
) -> Result<(Annotation, Option<String>), String> {
    if span.end < span.start {
        return Err(format!(
            "its offsets {}..{} are reversed (end before start)",
            span.start, span.end
        ));
    }
    if span.end == span.start {
        return Err(format!("its span {}..{} is empty", span.start, span.end));
    }
    let start = units.code_point(doc, span.start, "start")?;
    let end = units.code_point(doc, span.end, "end")?;
    let cp = Span::new(start, end);
    if let Some(claimed) = &span.text {
        if claimed != doc.slice(cp) {
            return Err(format!(
                "its text “{}” is not the text at {}..{} (“{}”)",
                short(claimed, 40),
                span.start,
                span.end,
                blanks.short(cp, 40)
            ));
        }
    }
    if blanks.only_blank(cp) {
        return Err("its span covers only spaces".into());
    }
    let field = |key: &str| fields.and_then(|f| f.get(key)).filter(|v| !v.is_null());
    let string = |key: &str| -> Result<Option<String>, String> {
        match field(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!(
                "its Marginalia \"{key}\" must be a string, not {}",
                json_type(other)
            )),
        }
    };
    let kind = match string("kind")? {
        Some(k) => Kind::parse(&k).ok_or_else(|| {
            format!(
                "its Marginalia kind “{}” is not one of entity, quote, claim",
                short(&k, 40)
            )
        })?,
        None => match span.label.as_str() {
            "QUOTE" => Kind::Quote,
            "CLAIM" => Kind::Claim,
            _ => Kind::Entity,
        },
    };
    let party = |role: &str| -> Result<(Option<Party>, Option<String>), String> {
        match field(role) {
            None => Ok((None, None)),
            Some(Value::Object(p)) => match (p.get("ref"), p.get("name")) {
                (Some(Value::String(r)), None) => Ok((None, Some(r.clone()))),
                (None, Some(Value::String(n))) if !n.trim().is_empty() => {
                    Ok((Some(Party::Name(n.trim().to_string())), None))
                }
                _ => Err(format!(
                    "its Marginalia {role} must be {{\"ref\": id}} or {{\"name\": text}}"
                )),
            },
            Some(other) => Err(format!(
                "its Marginalia {role} must be an object, not {}",
                json_type(other)
            )),
        }
    };
    let mut extra_link = None;
    let body = match kind {
        Kind::Entity => {
            validate_label(&span.label)?;
            if doc.paragraphs_overlapping(cp).len() > 1 {
                return Err("it is an entity across a paragraph break".into());
            }
            Body::Entity {
                label: span.label.clone(),
            }
        }
        Kind::Quote => {
            let cue = match field("cue") {
                None => None,
                Some(Value::Object(c)) => {
                    let s =
                        units.code_point(doc, int(c.get("start"), "cue start")?, "cue start")?;
                    let e = units.code_point(doc, int(c.get("end"), "cue end")?, "cue end")?;
                    if e <= s {
                        return Err(format!("its cue {s}..{e} is empty or reversed"));
                    }
                    Some(Span::new(s, e))
                }
                Some(other) => {
                    return Err(format!(
                        "its Marginalia cue must be an object, not {}",
                        json_type(other)
                    ))
                }
            };
            let direct = match field("direct") {
                None => blanks.looks_direct(cp),
                Some(Value::Bool(b)) => *b,
                Some(other) => {
                    return Err(format!(
                        "its Marginalia \"direct\" must be true or false, not {}",
                        json_type(other)
                    ))
                }
            };
            let (speaker, link) = party("speaker")?;
            extra_link = link;
            Body::Quote {
                speaker,
                cue,
                direct,
            }
        }
        Kind::Claim => {
            let checkworthiness = string("checkworthiness")?;
            if let Some(v) = &checkworthiness {
                validate_label(v)?;
            }
            let (claimant, link) = party("claimant")?;
            extra_link = link;
            Body::Claim {
                claimant,
                checkworthiness,
            }
        }
    };
    let time = |key: &str| -> Result<Timestamp, String> {
        match string(key)? {
            None => Ok(Timestamp::default()),
            Some(t) => Timestamp::parse_rfc3339(&t).ok_or_else(|| {
                format!(
                    "its Marginalia \"{key}\" time “{}” is not RFC 3339",
                    short(&t, 40)
                )
            }),
        }
    };
    if let Some(id) = string("id")? {
        if id.trim().is_empty() || id.chars().count() > 100 || id.chars().any(char::is_control) {
            return Err(
                "its Marginalia id must be 1–100 characters, without control characters".into(),
            );
        }
    }
    Ok((
        Annotation {
            id: String::new(),
            span: cp,
            body,
            note: string("note")?.unwrap_or_default(),
            created: time("created")?,
            updated: time("updated")?,
            extra: None,
        },
        extra_link,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems() {
        let cases = [
            ("damascus.spacy.jsonl", ".spacy.jsonl", "damascus"),
            ("dir/sub/Damascus.SPACY.JSONL", ".spacy.jsonl", "Damascus"),
            ("C:\\data\\a.b.doccano.jsonl", ".doccano.jsonl", "a.b"),
            ("all.jsonl", ".doccano.jsonl", "all"),
            (
                "project 1 (final).jsonl",
                ".spacy.jsonl",
                "project-1--final",
            ),
            ("noextension", ".spacy.jsonl", "noextension"),
            (".spacy.jsonl", ".spacy.jsonl", "spacy"),
            ("İstanbul.jsonl", ".spacy.jsonl", "İstanbul"),
            ("ünï.spacy.jsonl", ".spacy.jsonl", "ünï"),
            ("", ".spacy.jsonl", "document"),
        ];
        for (name, ext, stem) in cases {
            assert_eq!(file_stem(name, ext), stem, "{name}");
        }
    }

    #[test]
    fn offsets_convert_or_say_why_not() {
        let doc = Document::new("d", "d", "a😀b");
        assert_eq!(Units::Utf16.offset(&doc, 2), 3);
        assert_eq!(Units::Utf16.code_point(&doc, 3, "end"), Ok(2));
        assert_eq!(
            Units::Utf16.code_point(&doc, 2, "end").unwrap_err(),
            "its end 2 falls inside a character written with two UTF-16 code units (doccano counts UTF-16 code units, as JavaScript does)"
        );
        assert_eq!(
            Units::Utf16.code_point(&doc, 5, "end").unwrap_err(),
            "its end 5 is past the end of the text (4 UTF-16 code units)"
        );
        assert_eq!(
            Units::CodePoints.code_point(&doc, 4, "start").unwrap_err(),
            "its start 4 is past the end of the text (3 characters)"
        );
        assert_eq!(
            Units::CodePoints.code_point(&doc, -1, "start").unwrap_err(),
            "its start -1 is negative"
        );
    }
}
