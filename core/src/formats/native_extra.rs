//! The open schema's parts of a native annotation object: written only when an annotation has
//! them, so that files of annotations without them are as they always were.
//!
//! ```json
//! "fragments": [{"start": 251, "end": 259, "text": "vitamins"}, {"start": 263, "end": 264, "text": "D"}],
//! "attributes": {"Individual": true, "Mention": "Name"},
//! "relations": [{"type": "Family", "target": "e5", "roles": ["Arg1", "Arg2"], "attributes": {}, "note": ""}],
//! "normalizations": [{"resource": "Wikipedia", "id": "64488", "label": "Carlos Salinas de Gortari"}],
//! "typed_notes": [{"type": "Lemma", "text": " Halonen"}],
//! "event": {"type": "Transfer-money", "args": [{"role": "Giver-Arg", "target": "e1"}], "attributes": {"Confidence": "High"}, "note": ""}
//! ```
//!
//! A discontinuous annotation's `start`/`end` cover all its fragments (a reader that knows no
//! fragments gets the whole stretch); `fragments` lists them. An attribute is `true` (a flag
//! that is set) or a string. `roles` is left out when it is brat's `Arg1`/`Arg2`.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value as Json};

use super::{json_type, short};
use crate::model::annotation::{Attributes, Event, Extra, Norm, Relation, TypedNote, Value};
use crate::model::labels::validate_label;
use crate::model::{Document, Span};

/// The default names of a relation's two ends.
pub const ARG1: &str = "Arg1";
pub const ARG2: &str = "Arg2";

pub(crate) struct ExtraOut<'a> {
    pub doc: &'a Document,
    pub extra: &'a Extra,
}

struct AttrsOut<'a>(&'a Attributes);

impl Serialize for AttrsOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            match value {
                Value::Flag => m.serialize_entry(name, &true)?,
                Value::Text(t) => m.serialize_entry(name, t)?,
            }
        }
        m.end()
    }
}

#[derive(serde::Serialize)]
struct FragmentOut<'a> {
    start: usize,
    end: usize,
    text: &'a str,
}

#[derive(serde::Serialize)]
struct RelationOut<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    target: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    roles: Option<[&'a str; 2]>,
    #[serde(skip_serializing_if = "is_empty_attrs")]
    attributes: AttrsOut<'a>,
    #[serde(skip_serializing_if = "str::is_empty")]
    note: &'a str,
}

fn is_empty_attrs(a: &AttrsOut) -> bool {
    a.0.is_empty()
}

#[derive(serde::Serialize)]
struct NormOut<'a> {
    resource: &'a str,
    id: &'a str,
    label: &'a str,
}

#[derive(serde::Serialize)]
struct NoteOut<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    text: &'a str,
}

#[derive(serde::Serialize)]
struct ArgOut<'a> {
    role: &'a str,
    target: &'a str,
}

#[derive(serde::Serialize)]
struct EventOut<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    args: Vec<ArgOut<'a>>,
    #[serde(skip_serializing_if = "is_empty_attrs")]
    attributes: AttrsOut<'a>,
    #[serde(skip_serializing_if = "str::is_empty")]
    note: &'a str,
}

impl Serialize for ExtraOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.extra;
        let mut m = s.serialize_map(None)?;
        if !e.fragments.is_empty() {
            let f: Vec<FragmentOut> = e
                .fragments
                .iter()
                .map(|f| FragmentOut {
                    start: f.start,
                    end: f.end,
                    text: self.doc.slice(*f),
                })
                .collect();
            m.serialize_entry("fragments", &f)?;
        }
        if !e.attributes.is_empty() {
            m.serialize_entry("attributes", &AttrsOut(&e.attributes))?;
        }
        if !e.relations.is_empty() {
            let r: Vec<RelationOut> = e
                .relations
                .iter()
                .map(|r| RelationOut {
                    kind: &r.kind,
                    target: &r.target,
                    roles: r
                        .roles
                        .as_ref()
                        .filter(|(a, b)| (a.as_str(), b.as_str()) != (ARG1, ARG2))
                        .map(|(a, b)| [a.as_str(), b.as_str()]),
                    attributes: AttrsOut(&r.attributes),
                    note: &r.note,
                })
                .collect();
            m.serialize_entry("relations", &r)?;
        }
        if !e.norms.is_empty() {
            let n: Vec<NormOut> = e
                .norms
                .iter()
                .map(|n| NormOut {
                    resource: &n.resource,
                    id: &n.entry,
                    label: &n.label,
                })
                .collect();
            m.serialize_entry("normalizations", &n)?;
        }
        if !e.notes.is_empty() {
            let n: Vec<NoteOut> = e
                .notes
                .iter()
                .map(|n| NoteOut {
                    kind: &n.kind,
                    text: &n.text,
                })
                .collect();
            m.serialize_entry("typed_notes", &n)?;
        }
        if let Some(ev) = &e.event {
            m.serialize_entry(
                "event",
                &EventOut {
                    kind: &ev.kind,
                    args: ev
                        .args
                        .iter()
                        .map(|(role, target)| ArgOut { role, target })
                        .collect(),
                    attributes: AttrsOut(&ev.attributes),
                    note: &ev.note,
                },
            )?;
        }
        m.end()
    }
}

// ---- reading ----

fn string<'a>(o: &'a Map<String, Json>, key: &str, what: &str) -> Result<&'a str, String> {
    match o.get(key) {
        Some(Json::String(s)) => Ok(s),
        Some(other) => Err(format!(
            "{what} \"{key}\" must be a string, not {}",
            json_type(other)
        )),
        None => Err(format!("{what} has no \"{key}\"")),
    }
}

fn optional_string(o: &Map<String, Json>, key: &str, what: &str) -> Result<String, String> {
    match o.get(key) {
        None | Some(Json::Null) => Ok(String::new()),
        _ => string(o, key, what).map(str::to_string),
    }
}

fn objects<'a>(v: &'a Json, what: &str) -> Result<Vec<&'a Map<String, Json>>, String> {
    let Json::Array(items) = v else {
        return Err(format!("its {what} must be an array, not {}", json_type(v)));
    };
    items
        .iter()
        .map(|i| match i {
            Json::Object(o) => Ok(o),
            other => Err(format!(
                "each of its {what} must be an object, not {}",
                json_type(other)
            )),
        })
        .collect()
}

/// Types, roles and attribute names follow the rule of labels (1–40 characters, no space or
/// control character), so that every format can write them as one word.
fn name_ok(name: &str, what: &str) -> Result<(), String> {
    validate_label(name).map_err(|why| format!("{what}: {why}"))
}

fn read_attributes(v: Option<&Json>, what: &str) -> Result<Attributes, String> {
    let o = match v {
        None | Some(Json::Null) => return Ok(Vec::new()),
        Some(Json::Object(o)) => o,
        Some(other) => {
            return Err(format!(
                "{what} attributes must be an object, not {}",
                json_type(other)
            ))
        }
    };
    let mut out = Vec::with_capacity(o.len());
    for (name, value) in o {
        name_ok(name, "an attribute name")?;
        out.push((
            name.clone(),
            match value {
                Json::Bool(true) => Value::Flag,
                Json::String(s) => Value::Text(s.clone()),
                other => {
                    return Err(format!(
                        "the attribute “{}” must be true or a string, not {}",
                        short(name, 40),
                        json_type(other)
                    ))
                }
            },
        ));
    }
    crate::model::sort::sort_by(&mut out, |a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Reads the open schema's parts of annotation object `o` whose span is `span`: `None` when
/// it has none. Targets are not checked here (the caller knows the other annotations).
pub(crate) fn read(
    o: &Map<String, Json>,
    span: Span,
    doc: &Document,
) -> Result<Option<Box<Extra>>, String> {
    let mut e = Extra::default();
    if let Some(v) = o.get("fragments").filter(|v| !v.is_null()) {
        for f in objects(v, "fragments")? {
            let s = super::native::read_span(f.get("start"), f.get("end"), doc, "fragment ")?;
            if let Some(Json::String(t)) = f.get("text") {
                if t != doc.slice(s) {
                    return Err(format!(
                        "its fragment text “{}” is not the document's text at {}..{}",
                        short(t, 40),
                        s.start,
                        s.end
                    ));
                }
            }
            e.fragments.push(s);
        }
        if !crate::model::annotation::fragments_fit(span, &e.fragments) {
            return Err(
                "its fragments must be two or more, in order, apart, and run from its start to its end"
                    .into(),
            );
        }
    }
    e.attributes = read_attributes(o.get("attributes"), "its")?;
    if let Some(v) = o.get("relations").filter(|v| !v.is_null()) {
        for r in objects(v, "relations")? {
            let kind = string(r, "type", "a relation")?;
            name_ok(kind, "a relation type")?;
            let roles = match r.get("roles") {
                None | Some(Json::Null) => None,
                Some(Json::Array(a)) => match &a[..] {
                    [Json::String(x), Json::String(y)] => Some((x.clone(), y.clone())),
                    _ => return Err("a relation's \"roles\" must be two strings".into()),
                },
                Some(other) => {
                    return Err(format!(
                        "a relation's \"roles\" must be an array, not {}",
                        json_type(other)
                    ))
                }
            };
            e.relations.push(Relation {
                kind: kind.to_string(),
                target: string(r, "target", "a relation")?.to_string(),
                roles,
                attributes: read_attributes(r.get("attributes"), "a relation's")?,
                note: optional_string(r, "note", "a relation")?,
            });
        }
    }
    if let Some(v) = o.get("normalizations").filter(|v| !v.is_null()) {
        for n in objects(v, "normalizations")? {
            e.norms.push(Norm {
                resource: string(n, "resource", "a normalization")?.to_string(),
                entry: string(n, "id", "a normalization")?.to_string(),
                label: optional_string(n, "label", "a normalization")?,
            });
        }
    }
    if let Some(v) = o.get("typed_notes").filter(|v| !v.is_null()) {
        for n in objects(v, "typed_notes")? {
            let kind = string(n, "type", "a typed note")?;
            name_ok(kind, "a note type")?;
            e.notes.push(TypedNote {
                kind: kind.to_string(),
                text: string(n, "text", "a typed note")?.to_string(),
            });
        }
    }
    if let Some(Json::Object(ev)) = o.get("event") {
        let kind = string(ev, "type", "its event")?;
        name_ok(kind, "an event type")?;
        let mut args = Vec::new();
        if let Some(v) = ev.get("args") {
            for a in objects(v, "event arguments")? {
                let role = string(a, "role", "an event argument")?;
                name_ok(role, "an event role")?;
                args.push((
                    role.to_string(),
                    string(a, "target", "an event argument")?.to_string(),
                ));
            }
        }
        e.event = Some(Event {
            kind: kind.to_string(),
            args,
            attributes: read_attributes(ev.get("attributes"), "its event's")?,
            note: optional_string(ev, "note", "its event")?,
        });
    } else if let Some(other) = o.get("event").filter(|v| !v.is_null()) {
        return Err(format!(
            "its \"event\" must be an object, not {}",
            json_type(other)
        ));
    }
    Ok((!e.is_empty()).then(|| Box::new(e)))
}
