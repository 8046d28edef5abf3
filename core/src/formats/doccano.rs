//! doccano JSONL, the two shapes doccano exports a sequence-labelling project in (see
//! doccano's `backend/data_export`): one line per document; Marginalia writes one document.
//!
//! Without relations (`doccano`), as doccano's "JSONL" export:
//!
//! ```json
//! {"text": "…", "label": [[32, 52, "ORG"], [226, 437, "QUOTE"], …], "meta": {…}, "_marginalia": {…}}
//! ```
//!
//! With relations (`doccano-rel`), as a project with "Use relation labeling" exports:
//!
//! ```json
//! {"text": "…", "entities": [{"id": 1, "label": "ORG", "start_offset": 32, "end_offset": 52}, …],
//!  "relations": [{"id": 1, "from_id": 3, "to_id": 2, "type": "SPEAKER"}], "meta": {…}, "_marginalia": {…}}
//! ```
//!
//! - Offsets count **UTF-16 code units**: doccano's annotation page measures text as
//!   JavaScript does (doccano issue #2290), so a span after an emoji starts one unit later
//!   than Python's `text[start:end]` would say. Marginalia converts at the edge, both ways.
//!   (A project set to "count grapheme clusters as one character" counts otherwise; such files
//!   are read as UTF-16 too.)
//! - Spans: entities under their label, quotes `QUOTE`, claims `CLAIM`. In `label` they are
//!   sorted by (start, end, label), as doccano sorts them; `entities` are numbered 1, 2, … in
//!   (start, end) order.
//! - Relations: a quote's speaker is `SPEAKER` from the quote to the entity, a claim's claimant
//!   `CLAIMANT`; relations of any other type are written and read under their own type (a
//!   `SPEAKER` or `CLAIMANT` relation that cannot be the quote's or claim's one is read as a
//!   relation of that type). The shape without relations keeps the speaker and claimant links
//!   in `_marginalia` by id.
//! - `meta` (document id and title) and `_marginalia` (see [`super::jsonl`]) are fields
//!   doccano keeps as the example's metadata and writes back on export.
//!
//! Import reads either shape, told apart by the line itself (`entities` or `label`); a line
//! with only `text` is a document without annotations.

use crate::model::sort;
use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::labelled_spans::{self as spans, FileLink, FileSpan, MetaOut, Units};
use super::native::Imported;
use super::{Bundle, FileError};

pub const EXTENSION: &str = ".doccano.jsonl";
pub const EXTENSION_REL: &str = ".doccano-rel.jsonl";

// ---- export ----

#[derive(Serialize)]
struct LineOut<'a> {
    text: &'a str,
    label: Vec<(usize, usize, &'a str)>,
    meta: MetaOut<'a>,
    _marginalia: spans::ExtrasOut<'a>,
}

#[derive(Serialize)]
struct RelLineOut<'a> {
    text: &'a str,
    entities: Vec<EntityOut<'a>>,
    relations: Vec<RelationOut<'a>>,
    meta: MetaOut<'a>,
    _marginalia: spans::ExtrasOut<'a>,
}

#[derive(Serialize)]
struct EntityOut<'a> {
    id: usize,
    label: &'a str,
    start_offset: usize,
    end_offset: usize,
}

#[derive(Serialize)]
struct RelationOut<'a> {
    id: usize,
    from_id: usize,
    to_id: usize,
    #[serde(rename = "type")]
    kind: &'a str,
}

fn line(value: &impl Serialize) -> String {
    let mut out = serde_json::to_string(value).expect("serialising plain data cannot fail");
    out.push('\n');
    out
}

fn meta(bundle: &Bundle) -> MetaOut<'_> {
    MetaOut {
        id: &bundle.document.id,
        title: &bundle.document.title,
    }
}

/// The document as doccano's sequence-labelling JSONL, one line.
pub fn export(bundle: &Bundle) -> String {
    let doc = &bundle.document;
    let at = |cp: usize| Units::Utf16.offset(doc, cp);
    let mut label: Vec<(usize, usize, &str)> = bundle
        .annotations
        .iter()
        .map(|a| (at(a.span.start), at(a.span.end), spans::span_label(a)))
        .collect();
    sort::sort_by(&mut label, Ord::cmp);
    line(&LineOut {
        text: doc.text(),
        label,
        meta: meta(bundle),
        _marginalia: spans::extras(bundle, Units::Utf16, true),
    })
}

/// The document as doccano's JSONL with relations, one line.
pub fn export_rel(bundle: &Bundle) -> String {
    let doc = &bundle.document;
    let at = |cp: usize| Units::Utf16.offset(doc, cp);
    let anns = spans::sorted(&bundle.annotations);
    let numbers: HashMap<&str, usize> = anns
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i + 1))
        .collect();
    let number = |id: &str| numbers.get(id).copied();
    let entities = anns
        .iter()
        .enumerate()
        .map(|(i, a)| EntityOut {
            id: i + 1,
            label: spans::span_label(a),
            start_offset: at(a.span.start),
            end_offset: at(a.span.end),
        })
        .collect();
    let relations = anns
        .iter()
        .enumerate()
        .flat_map(|(i, a)| {
            spans::relations_of(a).filter_map(move |(to, kind)| Some((i + 1, number(to)?, kind)))
        })
        .enumerate()
        .map(|(r, (from_id, to_id, kind))| RelationOut {
            id: r + 1,
            from_id,
            to_id,
            kind,
        })
        .collect();
    line(&RelLineOut {
        text: doc.text(),
        entities,
        relations,
        meta: meta(bundle),
        _marginalia: spans::extras(bundle, Units::Utf16, false),
    })
}

// ---- import ----

/// Reads a doccano JSONL file of one document, in either shape.
pub fn import(bytes: &[u8], file_name: &str) -> Result<Imported, FileError> {
    let root = spans::read_object(bytes, "a doccano JSONL line")?;
    let ext = if file_name.to_lowercase().ends_with(EXTENSION_REL) {
        EXTENSION_REL
    } else {
        EXTENSION
    };
    let document = spans::document(&root, file_name, ext)?;
    let (spans, links) = if root.contains_key("entities") {
        read_entities(&root)?
    } else if root.contains_key("label") {
        (read_labels(&root)?, Vec::new())
    } else if root.contains_key("annotations") {
        (read_numbered(&root)?, Vec::new())
    } else {
        (Vec::new(), Vec::new())
    };
    let total = spans.len();
    // Only the older export names labels by number; a label "1" elsewhere is a name.
    let older = !root.contains_key("entities") && !root.contains_key("label");
    let numbered = if older {
        numbered_labels(&spans)
    } else {
        Vec::new()
    };
    let built = spans::build(
        &document,
        Units::Utf16,
        spans,
        &links,
        root.get("_marginalia"),
    )?;
    let mut imported = built.into_imported(document, total);
    if !numbered.is_empty() {
        imported.notes.push(
            "The file names its labels only by doccano's numeric ids, not by their names \
             (doccano's older export): they are kept as labels named by those numbers."
                .to_string(),
        );
    }
    Ok(imported)
}

/// The older doccano export (before 1.6): `"annotations": [{"label": 2, "start_offset",
/// "end_offset", "user"}]`, whose labels are the ids of the project's labels, with no names in
/// the file. A label given by number is named by that number.
fn read_numbered(root: &Map<String, Value>) -> Result<Vec<Result<FileSpan, String>>, FileError> {
    Ok(list(root, "annotations")?
        .iter()
        .map(|item| match item {
            Value::Object(o) => match o.get("label") {
                Some(Value::Number(n)) if n.is_u64() => Ok(FileSpan {
                    start: spans::int(o.get("start_offset"), "start_offset")?,
                    end: spans::int(o.get("end_offset"), "end_offset")?,
                    label: n.to_string(),
                    text: None,
                }),
                _ => read_span(item),
            },
            other => read_span(other),
        })
        .collect())
}

/// The labels that are doccano's numeric ids (all digits), in order of first use.
fn numbered_labels(spans: &[Result<FileSpan, String>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for span in spans.iter().flatten() {
        let digits = !span.label.is_empty() && span.label.bytes().all(|b| b.is_ascii_digit());
        if digits && !out.contains(&span.label) {
            out.push(span.label.clone());
        }
    }
    out
}

fn list<'a>(root: &'a Map<String, Value>, key: &str) -> Result<&'a [Value], FileError> {
    match root.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(spans::shape(format!(
            "\"{key}\" must be a list, not {}.",
            super::json_type(other)
        ))),
    }
}

/// A span as `[start, end, label]` or `{"start_offset", "end_offset", "label"}`.
fn read_span(item: &Value) -> Result<FileSpan, String> {
    match item {
        Value::Array(parts) if parts.len() == 3 => Ok(FileSpan {
            start: spans::int(parts.first(), "start")?,
            end: spans::int(parts.get(1), "end")?,
            label: spans::label(parts.get(2))?,
            text: None,
        }),
        Value::Array(parts) => Err(format!(
            "has {} items, not the three of [start, end, label]",
            parts.len()
        )),
        Value::Object(o) => Ok(FileSpan {
            start: spans::int(o.get("start_offset"), "start_offset")?,
            end: spans::int(o.get("end_offset"), "end_offset")?,
            label: spans::label(o.get("label"))?,
            text: None,
        }),
        other => Err(format!(
            "is {}, not [start, end, label]",
            super::json_type(other)
        )),
    }
}

fn read_labels(root: &Map<String, Value>) -> Result<Vec<Result<FileSpan, String>>, FileError> {
    let items = list(root, "label")?;
    if !items.is_empty() && items.iter().all(Value::is_string) {
        return Err(spans::shape(
            "Its \"label\" lists categories, not spans: this is a doccano text-classification \
             export, which has no spans to open.",
        ));
    }
    Ok(items.iter().map(read_span).collect())
}

type SpansAndLinks = (Vec<Result<FileSpan, String>>, Vec<FileLink>);

fn read_entities(root: &Map<String, Value>) -> Result<SpansAndLinks, FileError> {
    let items = list(root, "entities")?;
    let spans: Vec<Result<FileSpan, String>> = items.iter().map(read_span).collect();
    // Each entity id and the entity's position: looked up per entity and per relation end.
    let mut ids: HashMap<i64, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(id) = item.get("id").and_then(Value::as_i64) {
            if let Some(first) = ids.get(&id) {
                return Err(spans::shape(format!(
                    "Entities {} and {} both have the id {id}.",
                    first + 1,
                    i + 1
                )));
            }
            ids.insert(id, i);
        }
    }
    let mut links = Vec::new();
    for (n, item) in list(root, "relations")?.iter().enumerate() {
        let bad = |why: String| spans::shape(format!("Relation {}: {why}.", n + 1));
        let Value::Object(o) = item else {
            return Err(bad(format!(
                "it is {}, not an object",
                super::json_type(item)
            )));
        };
        let end = |key: &str| -> Result<usize, FileError> {
            let id = spans::int(o.get(key), key).map_err(bad)?;
            ids.get(&id).copied().ok_or_else(|| {
                bad(format!(
                    "its {key} {id} is not the id of an entity in the file"
                ))
            })
        };
        let label = match o.get("type") {
            Some(Value::String(t)) => t.clone(),
            _ => return Err(bad("it has no \"type\"".into())),
        };
        links.push(FileLink {
            head: end("from_id")?,
            child: end("to_id")?,
            label,
        });
    }
    Ok((spans, links))
}

#[cfg(test)]
#[path = "doccano_tests.rs"]
mod tests;
