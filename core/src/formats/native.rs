//! The native format, version 1: one JSON object per document (see `docs/format.md` and
//! `schema/marginalia-v1.schema.json`).
//!
//! Export is deterministic: the same bundle gives the same bytes (fields in a fixed order,
//! annotations sorted by start, end, id; two-space indentation; a final newline).
//!
//! Import never trusts the file: every field is checked, and every annotation on its own.
//! A file whose document or labels are wrong is refused with one message; a file where only
//! some annotations are wrong yields the valid ones and one [`Problem`] per invalid one, so
//! the person can choose to import the rest. An annotation that links to an invalid one is
//! invalid too.
//!
//! Why one file of ~750 lines: the native format's writer, reader and the checks on every field
//! must agree field by field, and the stored-record reader shares them; its tests are in
//! `native_tests.rs`.

use crate::model::sort;
use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;

use super::{
    check_document_text, decode_text, json_type, not_json, sha256_hex, short, short_json, Bundle,
    FileError,
};
use crate::model::blanks::Blanks;
use crate::model::labels::{validate_label, LabelIndex};
use crate::model::{Annotation, Body, Document, Kind, Labels, Party, Span, Status, Timestamp};

pub const FORMAT: &str = "marginalia";
pub const VERSION: u64 = 1;

// ---- export ----

/// A document's file as it is written (also each document of a project file).
#[derive(Serialize)]
pub(crate) struct FileOut<'a> {
    format: &'static str,
    version: u64,
    offsets: &'static str,
    document: DocumentOut<'a>,
    labels: &'a Labels,
    annotator: &'a str,
    /// Where the document stands; left out when it is new, so that files of documents nobody
    /// has set a status for are as they always were.
    #[serde(skip_serializing_if = "is_new")]
    status: Status,
    annotations: Vec<AnnotationOut<'a>>,
}

fn is_new(status: &Status) -> bool {
    *status == Status::New
}

#[derive(Serialize)]
struct DocumentOut<'a> {
    id: &'a str,
    title: &'a str,
    text: &'a str,
    sha256: String,
}

/// A speaker or claimant as files write it: `{"ref": id}` or `{"name": …}`.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum PartyOut<'a> {
    Ref {
        #[serde(rename = "ref")]
        id: &'a str,
    },
    Name {
        name: &'a str,
    },
}

#[derive(Serialize)]
struct CueOut<'a> {
    start: usize,
    end: usize,
    text: &'a str,
}

#[derive(Serialize)]
struct AnnotationOut<'a> {
    id: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    start: usize,
    end: usize,
    text: &'a str,
    #[serde(flatten)]
    extra: ExtraOut<'a>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    open: Option<super::native_extra::ExtraOut<'a>>,
    note: &'a str,
    created: String,
    updated: String,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ExtraOut<'a> {
    Entity {},
    Quote {
        speaker: Option<PartyOut<'a>>,
        cue: Option<CueOut<'a>>,
        direct: bool,
    },
    Claim {
        claimant: Option<PartyOut<'a>>,
        checkworthiness: Option<&'a str>,
    },
}

fn party_out(p: &Option<Party>) -> Option<PartyOut<'_>> {
    p.as_ref().map(|p| match p {
        Party::Ref(id) => PartyOut::Ref { id },
        Party::Name(name) => PartyOut::Name { name },
    })
}

/// The bundle as a native file.
pub fn export(bundle: &Bundle) -> String {
    let mut out = serde_json::to_string_pretty(&file_out(bundle))
        .expect("serialising plain data cannot fail");
    out.push('\n');
    out
}

/// The bundle as the object its native file holds.
pub(crate) fn file_out(bundle: &Bundle) -> FileOut<'_> {
    let doc = &bundle.document;
    let mut anns: Vec<&Annotation> = bundle.annotations.iter().collect();
    sort::sort_by(&mut anns, |a, b| a.sort_key().cmp(&b.sort_key()));
    FileOut {
        format: FORMAT,
        version: VERSION,
        offsets: "codepoint",
        document: DocumentOut {
            id: &doc.id,
            title: &doc.title,
            text: doc.text(),
            sha256: sha256_hex(doc.text()),
        },
        labels: &bundle.labels,
        annotator: &bundle.annotator,
        status: bundle.status,
        annotations: anns.into_iter().map(|a| annotation_out(doc, a)).collect(),
    }
}

fn annotation_out<'a>(doc: &'a Document, a: &'a Annotation) -> AnnotationOut<'a> {
    AnnotationOut {
        id: &a.id,
        kind: a.kind().as_str(),
        label: a.body.label(),
        start: a.span.start,
        end: a.span.end,
        text: doc.slice(a.span),
        extra: match &a.body {
            Body::Entity { .. } => ExtraOut::Entity {},
            Body::Quote {
                speaker,
                cue,
                direct,
            } => ExtraOut::Quote {
                speaker: party_out(speaker),
                cue: cue.map(|c| CueOut {
                    start: c.start,
                    end: c.end,
                    text: doc.slice(c),
                }),
                direct: *direct,
            },
            Body::Claim {
                claimant,
                checkworthiness,
            } => ExtraOut::Claim {
                claimant: party_out(claimant),
                checkworthiness: checkworthiness.as_deref(),
            },
        },
        open: a
            .extra
            .as_deref()
            .map(|extra| super::native_extra::ExtraOut { doc, extra }),
        note: &a.note,
        created: a.created.to_rfc3339(),
        updated: a.updated.to_rfc3339(),
    }
}

/// One annotation as its native JSON object (compact), as storage keeps it.
pub fn annotation_json(doc: &Document, a: &Annotation) -> String {
    serde_json::to_string(&annotation_out(doc, a)).expect("serialising plain data cannot fail")
}

/// Reads one annotation from its native JSON object, checked against the document and labels.
/// This indexes the labels for each call: to read many records, use a [`StoredReader`].
pub fn read_annotation_json(
    json: &str,
    doc: &Document,
    labels: &Labels,
) -> Result<Annotation, String> {
    StoredReader::new(doc, labels).read(json)
}

/// Reads the stored records of one document, each as [`read_annotation_json`] does, with the
/// labels indexed and the text's blanks found once: linear in the records, where calling
/// `read_annotation_json` per record costs the label set each time.
pub struct StoredReader<'a> {
    context: Context<'a>,
}

impl<'a> StoredReader<'a> {
    pub fn new(doc: &'a Document, labels: &'a Labels) -> Self {
        StoredReader {
            context: Context::new(doc, labels),
        }
    }

    /// One record, checked against the document and labels.
    pub fn read(&self, json: &str) -> Result<Annotation, String> {
        let value: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
        read_annotation(&value, &self.context)
    }
}

/// What every annotation of a file is checked against, indexed once per file.
struct Context<'a> {
    doc: &'a Document,
    labels: LabelIndex<'a>,
    blanks: Blanks<'a>,
}

impl<'a> Context<'a> {
    fn new(doc: &'a Document, labels: &'a Labels) -> Self {
        Context {
            doc,
            labels: labels.index(),
            blanks: Blanks::new(doc),
        }
    }
}

// ---- import ----

/// One invalid annotation in a file: its position in the `annotations` array, its id if it has
/// one, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub index: usize,
    pub id: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.id {
            Some(id) => write!(f, "annotation {} ({id}): {}", self.index + 1, self.message),
            None => write!(f, "annotation {}: {}", self.index + 1, self.message),
        }
    }
}

/// What a file gave: the bundle with its valid annotations, and the invalid ones.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    pub bundle: Bundle,
    pub problems: Vec<Problem>,
    /// How many annotations the file listed.
    pub total: usize,
    /// What the person should know about how the file was read, though nothing was refused
    /// (labels the file names only by a number, say).
    pub notes: Vec<String>,
}

use super::shape;

/// Reads a native file from its bytes.
pub fn import_bytes(bytes: &[u8]) -> Result<Imported, FileError> {
    import(decode_text(bytes)?)
}

/// Reads a native file.
pub fn import(text: &str) -> Result<Imported, FileError> {
    let value: Value = serde_json::from_str(text).map_err(|e| not_json(&e))?;
    import_value(&value)
}

/// Reads a native file already parsed (also each document of a project file).
pub(crate) fn import_value(value: &Value) -> Result<Imported, FileError> {
    let Value::Object(root) = value else {
        return Err(shape(format!(
            "This is JSON, but not a Marginalia file: it is {} where an object was expected.",
            json_type(value)
        )));
    };
    match root.get("format") {
        Some(Value::String(f)) if f == FORMAT => {}
        Some(Value::String(f)) if f == super::project::FORMAT => {
            return Err(shape(
                "This is a Marginalia project file, which holds many documents: it is read with                  every document it holds (Import on the page, marginalia convert --from native),                  not as one document.",
            ))
        }
        Some(other) => {
            return Err(shape(format!(
            "This is JSON, but not a Marginalia file: its \"format\" is {}, not \"marginalia\".",
            short_json(other)
        )))
        }
        None => {
            return Err(shape(
                "This is JSON, but not a Marginalia file: it has no \"format\": \"marginalia\".",
            ))
        }
    }
    match root.get("version") {
        Some(Value::Number(n)) if n.as_u64() == Some(VERSION) => {}
        Some(Value::Number(n)) => {
            return Err(shape(format!(
                "This file is Marginalia format version {n}; this Marginalia reads version 1. \
                 Open it with the Marginalia that wrote it and export again, or update."
            )))
        }
        _ => return Err(shape("The file has no \"version\" number.")),
    }
    match root.get("offsets") {
        Some(Value::String(o)) if o == "codepoint" => {}
        Some(other) => {
            return Err(shape(format!(
                "The file counts offsets in {}; Marginalia files count Unicode code points (\"codepoint\").",
                short_json(other)
            )))
        }
        None => return Err(shape("The file does not say how it counts offsets (\"offsets\": \"codepoint\").")),
    }

    let doc = root
        .get("document")
        .and_then(Value::as_object)
        .ok_or_else(|| shape("The file has no \"document\" object."))?;
    let doc_str = |key: &str| -> Result<String, FileError> {
        match doc.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(shape(format!(
                "document.{key} must be a string, not {}.",
                json_type(other)
            ))),
            None => Err(shape(format!("The document has no \"{key}\"."))),
        }
    };
    let id = doc_str("id")?;
    if id.trim().is_empty() {
        return Err(shape("document.id is empty."));
    }
    if id.chars().count() > 200 || id.chars().any(char::is_control) {
        return Err(shape(
            "document.id must be at most 200 characters, without control characters.",
        ));
    }
    let title = doc_str("title")?;
    let text = doc_str("text")?;
    check_document_text(&text).map_err(shape)?;
    let sha = doc_str("sha256")?;
    let actual = sha256_hex(&text);
    if !sha.eq_ignore_ascii_case(&actual) {
        return Err(shape(format!(
            "document.sha256 does not match the document's text (the file says {}, the text's is {}): the text was changed after export.",
            short(&sha, 16),
            short(&actual, 16)
        )));
    }
    let document = Document::new(id, title, text);

    let labels = match root.get("labels") {
        Some(Value::Object(l)) => {
            let list = |key: &str| -> Result<Vec<String>, FileError> {
                match l.get(key) {
                    Some(Value::Array(items)) => items
                        .iter()
                        .map(|v| {
                            v.as_str()
                                .map(str::to_string)
                                .ok_or_else(|| shape(format!("labels.{key} must list strings.")))
                        })
                        .collect(),
                    _ => Err(shape(format!("labels.{key} must be a list of labels."))),
                }
            };
            Labels {
                entity: list("entity")?,
                checkworthiness: list("checkworthiness")?,
            }
        }
        _ => return Err(shape("The file has no \"labels\" object.")),
    };
    labels
        .validate()
        .map_err(|e| shape(format!("The file's labels are not valid: {e}.")))?;

    let annotator = match root.get("annotator") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(shape(format!(
                "\"annotator\" must be a string, not {}.",
                json_type(other)
            )))
        }
    };

    let status = read_status(root.get("status"))?;

    let items = match root.get("annotations") {
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(shape(format!(
                "\"annotations\" must be a list, not {}.",
                json_type(other)
            )))
        }
        None => return Err(shape("The file has no \"annotations\" list.")),
    };

    let (annotations, problems) = read_annotations(items, &document, &labels);
    Ok(Imported {
        bundle: Bundle {
            document,
            labels,
            annotator,
            annotations,
            status,
        },
        problems,
        total: items.len(),
        notes: Vec::new(),
    })
}

/// The file's `"status"`: absent (or null) is a new document; otherwise one of the keys.
fn read_status(v: Option<&Value>) -> Result<Status, FileError> {
    let allowed = || {
        Status::ALL
            .iter()
            .map(|s| format!("\"{}\"", s.key()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match v {
        None | Some(Value::Null) => Ok(Status::New),
        Some(Value::String(s)) => Status::parse(s).ok_or_else(|| {
            shape(format!(
                "The file's \"status\" is “{}”; it must be one of {}.",
                short(s, 40),
                allowed()
            ))
        }),
        Some(other) => Err(shape(format!(
            "\"status\" must be a string (one of {}), not {}.",
            allowed(),
            json_type(other)
        ))),
    }
}

/// Reads every annotation, keeping the valid ones; then drops (as problems) those linking to
/// an annotation that is missing, invalid or not an entity, until none is left.
fn read_annotations(
    items: &[Value],
    doc: &Document,
    labels: &Labels,
) -> (Vec<Annotation>, Vec<Problem>) {
    let context = Context::new(doc, labels);
    let mut problems = Vec::new();
    let mut read: Vec<(usize, Annotation)> = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut keys: HashMap<(Kind, Option<String>, Span), usize> = HashMap::new();
    // Every id the file names, valid or not, to tell "invalid" from "missing" in links.
    let named: HashSet<&str> = items
        .iter()
        .filter_map(|item| item.get("id").and_then(Value::as_str))
        .collect();
    for (index, item) in items.iter().enumerate() {
        let id_hint = item.get("id").and_then(Value::as_str).map(str::to_string);
        let problem = |message: String| Problem {
            index,
            id: id_hint.clone(),
            message,
        };
        match read_annotation(item, &context) {
            Err(message) => problems.push(problem(message)),
            Ok(a) => {
                if let Some(first) = ids.get(&a.id) {
                    problems.push(problem(format!(
                        "the id {} is already used by annotation {}",
                        a.id,
                        first + 1
                    )));
                    continue;
                }
                let key = (a.kind(), a.body.label().map(str::to_string), a.span);
                if let Some(first) = keys.get(&key) {
                    problems.push(problem(format!(
                        "repeats the kind, label and span of annotation {}",
                        first + 1
                    )));
                    continue;
                }
                ids.insert(a.id.clone(), index);
                keys.insert(key, index);
                read.push((index, a));
            }
        }
    }
    // Links must end at a valid entity; dropping one annotation can break another's link.
    loop {
        let entities: HashSet<&str> = read
            .iter()
            .filter(|(_, a)| a.kind() == Kind::Entity)
            .map(|(_, a)| a.id.as_str())
            .collect();
        let all: HashMap<&str, Kind> = read
            .iter()
            .map(|(_, a)| (a.id.as_str(), a.kind()))
            .collect();
        let mut broken: HashMap<usize, String> = read
            .iter()
            .enumerate()
            .filter_map(|(k, (_, a))| {
                if let Some(t) = a.extra().targets().find(|t| !all.contains_key(t)) {
                    let why = if named.contains(t) {
                        format!("it relates to {t}, which is itself invalid")
                    } else {
                        format!("it relates to {t}, which is not in the file")
                    };
                    return Some((k, why));
                }
                let target = a.body.party()?.as_ref_id()?;
                if entities.contains(target) {
                    return None;
                }
                let role = if a.kind() == Kind::Quote {
                    "speaker"
                } else {
                    "claimant"
                };
                let why = match all.get(target) {
                    Some(kind) => {
                        format!("its {role} {target} is a {}, not an entity", kind.as_str())
                    }
                    None if named.contains(target) => {
                        format!("its {role} {target} is itself invalid")
                    }
                    None => format!("its {role} refers to {target}, which is not in the file"),
                };
                Some((k, why))
            })
            .collect();
        if broken.is_empty() {
            break;
        }
        // One pass over what is left (removing one by one would shift the rest each time).
        let mut k = 0;
        read.retain(|(index, a)| {
            let why = broken.remove(&k);
            k += 1;
            match why {
                Some(message) => {
                    problems.push(Problem {
                        index: *index,
                        id: Some(a.id.clone()),
                        message,
                    });
                    false
                }
                None => true,
            }
        });
    }
    sort::sort_by_key(&mut problems, |p| p.index);
    let mut annotations: Vec<Annotation> = read.into_iter().map(|(_, a)| a).collect();
    sort::sort_by(&mut annotations, |a, b| a.sort_key().cmp(&b.sort_key()));
    (annotations, problems)
}

fn read_annotation(item: &Value, context: &Context) -> Result<Annotation, String> {
    let (doc, labels) = (context.doc, &context.labels);
    let Value::Object(o) = item else {
        return Err(format!("is {}, not an object", json_type(item)));
    };
    let string = |key: &str| -> Result<Option<String>, String> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!(
                "\"{key}\" must be a string, not {}",
                json_type(other)
            )),
        }
    };
    let id = string("id")?.ok_or("it has no \"id\"")?;
    if id.trim().is_empty() || id.chars().count() > 100 || id.chars().any(char::is_control) {
        return Err("its id must be 1–100 characters, without control characters".into());
    }
    let kind_name = string("kind")?.ok_or("it has no \"kind\"")?;
    let kind = Kind::parse(&kind_name).ok_or_else(|| {
        format!(
            "its kind “{}” is not one of entity, quote, claim",
            short(&kind_name, 40)
        )
    })?;
    let span = read_span(o.get("start"), o.get("end"), doc, "")?;
    if context.blanks.only_blank(span) {
        return Err("its span covers only spaces".into());
    }
    if kind == Kind::Entity && doc.paragraphs_overlapping(span).len() > 1 {
        return Err("it is an entity across a paragraph break".into());
    }
    let expected = doc.slice(span);
    match string("text")? {
        Some(t) if t == expected => {}
        Some(t) => {
            return Err(format!(
                "its text “{}” is not the document's text at {}..{} (“{}”)",
                short(&t, 40),
                span.start,
                span.end,
                context.blanks.short(span, 40)
            ))
        }
        None => return Err("it has no \"text\"".into()),
    }
    let body = match kind {
        Kind::Entity => {
            let label = string("label")?.ok_or("the entity has no \"label\"")?;
            validate_label(&label)?;
            if !labels.has_entity(&label) {
                return Err(format!(
                    "its label “{}” is not in labels.entity",
                    short(&label, 40)
                ));
            }
            Body::Entity { label }
        }
        Kind::Quote => {
            let cue = match o.get("cue") {
                None | Some(Value::Null) => None,
                Some(Value::Object(c)) => {
                    let cue = read_span(c.get("start"), c.get("end"), doc, "cue ")?;
                    if let Some(Value::String(t)) = c.get("text") {
                        if t != doc.slice(cue) {
                            return Err(format!(
                                "its cue text “{}” is not the document's text at {}..{}",
                                short(t, 40),
                                cue.start,
                                cue.end
                            ));
                        }
                    }
                    Some(cue)
                }
                Some(other) => {
                    return Err(format!(
                        "its cue must be an object, not {}",
                        json_type(other)
                    ))
                }
            };
            let direct = match o.get("direct") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(other) => {
                    return Err(format!(
                        "\"direct\" must be true or false, not {}",
                        json_type(other)
                    ))
                }
            };
            Body::Quote {
                speaker: read_party(o.get("speaker"), "speaker")?,
                cue,
                direct,
            }
        }
        Kind::Claim => {
            let checkworthiness = string("checkworthiness")?;
            if let Some(v) = &checkworthiness {
                if !labels.has_checkworthiness(v) {
                    return Err(format!(
                        "its check-worthiness “{}” is not in labels.checkworthiness",
                        short(v, 40)
                    ));
                }
            }
            Body::Claim {
                claimant: read_party(o.get("claimant"), "claimant")?,
                checkworthiness,
            }
        }
    };
    if let Some(Party::Ref(r)) = body.party() {
        if *r == id {
            return Err("it names itself as its speaker or claimant".into());
        }
    }
    let note = string("note")?.unwrap_or_default();
    let time = |key: &str| -> Result<Timestamp, String> {
        match string(key)? {
            None => Ok(Timestamp::default()),
            Some(t) => Timestamp::parse_rfc3339(&t)
                .ok_or_else(|| format!("its \"{key}\" time “{}” is not RFC 3339", short(&t, 40))),
        }
    };
    let created = time("created")?;
    let updated = time("updated")?;
    let extra = super::native_extra::read(o, span, doc)?;
    if extra.as_ref().is_some_and(|e| e.targets().any(|t| t == id)) {
        return Err("it relates to itself".into());
    }
    Ok(Annotation {
        id,
        span,
        body,
        note,
        created,
        updated,
        extra,
    })
}

pub(crate) fn read_span(
    start: Option<&Value>,
    end: Option<&Value>,
    doc: &Document,
    what: &str,
) -> Result<Span, String> {
    let num = |v: Option<&Value>, key: &str| -> Result<i64, String> {
        match v {
            Some(Value::Number(n)) => n
                .as_i64()
                .ok_or_else(|| format!("its {what}{key} {n} is not a whole number")),
            Some(other) => Err(format!(
                "its {what}{key} must be a number, not {}",
                json_type(other)
            )),
            None => Err(format!("it has no {what}{key}")),
        }
    };
    let (s, e) = (num(start, "start")?, num(end, "end")?);
    super::checked_span(s, e, doc.len(), what)
}

fn read_party(v: Option<&Value>, role: &str) -> Result<Option<Party>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(p)) => match (p.get("ref"), p.get("name")) {
            (Some(Value::String(r)), None) => Ok(Some(Party::Ref(r.clone()))),
            (None, Some(Value::String(n))) if !n.trim().is_empty() => {
                Ok(Some(Party::Name(n.trim().to_string())))
            }
            _ => Err(format!(
                "its {role} must be {{\"ref\": id}} or {{\"name\": text}}"
            )),
        },
        Some(other) => Err(format!(
            "its {role} must be an object or null, not {}",
            json_type(other)
        )),
    }
}

#[cfg(test)]
#[path = "native_tests.rs"]
mod tests;
