//! W3C Web Annotation corpora: one `AnnotationCollection` about many documents, written and
//! read (`w3c::many`).
//!
//! **Written** ([`export`]): the collection's `schema:about` lists every document, each
//! described as a one-document export describes its own (IRI, identifier, name, text,
//! sha256), and its one page holds every document's annotations, document after document, each
//! targeting its own document as its `source` (links target the annotation they start from, as
//! always). The collection is `urn:marginalia-project:<h>/annotations`, `<h>` the first 16 hex
//! digits of the SHA-256 of the document IRIs one a line: a name no document's IRI can take.
//! Its `creator` is the annotator when every document has the same one (each annotation names
//! its own anyway).
//!
//! **Read** ([`import`]): a collection whose `schema:about` is a list is read document by
//! document, each with the annotations that target it (by `source`; a link by the annotation it
//! starts from), exactly as a collection of that one document would be read. An annotation that
//! targets none of the listed documents is refused by its number, and a document that cannot
//! be read is refused by its number; the others are kept. Any other file is one document, read
//! as before.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::{
    about_of, annotations_of, collection, container, creator_of, document_iri, import_value, stem,
    str_field, OneOrMany, CONTEXT,
};
use crate::formats::corpus::{at_most, Corpus, Gather};
use crate::formats::{checked, decode_text, not_json, sha256_hex, Bundle, FileError};

/// The bundles as one collection about every one of them.
pub fn export(bundles: &[Bundle]) -> String {
    let iris: Vec<String> = bundles
        .iter()
        .map(|b| document_iri(&b.document.id))
        .collect();
    let hash = sha256_hex(&iris.join("\n"));
    let creator = bundles
        .first()
        .and_then(creator_of)
        .filter(|c| bundles.iter().all(|b| b.annotator == c.name));
    collection(
        format!("urn:marginalia-project:{}/annotations", &hash[..16]),
        format!("Annotations of {} documents", bundles.len()),
        creator,
        bundles.iter().flat_map(annotations_of).collect(),
        OneOrMany::Many(bundles.iter().map(about_of).collect()),
    )
}

/// Every document of a W3C file: one, or each of those a collection's `schema:about` lists.
pub fn import(bytes: &[u8], file_name: &str) -> Result<Corpus, FileError> {
    let text = decode_text(bytes)?;
    let root: Value = serde_json::from_str(text).map_err(|e| not_json(&e))?;
    let Some(Value::Array(documents)) = root.get("schema:about") else {
        return checked(import_value(&root, text.len(), file_name, None)?).map(Corpus::single);
    };
    if documents.is_empty() {
        return Err(FileError::Shape(
            "The collection's \"schema:about\" lists no document: there is nothing to read.".into(),
        ));
    }
    at_most(
        documents.len(),
        "document",
        "Export the annotations in collections of at most 10,000 documents.",
    )?;
    let found = container(&root)?;
    if let Some(total) = found.total.filter(|&t| t > found.items.len() as u64) {
        return Err(FileError::Shape(format!(
            "The collection says it holds {total} annotations, but the file holds {}: its other pages are not in the file.",
            found.items.len()
        )));
    }
    let by_iri: HashMap<&str, usize> = documents
        .iter()
        .enumerate()
        .filter_map(|(k, d)| Some((str_field(d.as_object()?, "id")?, k)))
        .collect();
    // Spans first (their source names the document), then links (by the span they start from).
    let mut owner: Vec<Option<usize>> = found
        .items
        .iter()
        .map(|item| source_of(item).and_then(|iri| by_iri.get(iri).copied()))
        .collect();
    let span_iris: HashMap<&str, usize> = found
        .items
        .iter()
        .zip(&owner)
        .filter_map(|(item, k)| Some((str_field(item.as_object()?, "id")?, (*k)?)))
        .collect();
    for (item, k) in found.items.iter().zip(owner.iter_mut()) {
        if k.is_none() {
            *k = link_target(item).and_then(|iri| span_iris.get(iri).copied());
        }
    }
    let mut items: Vec<Vec<Value>> = vec![Vec::new(); documents.len()];
    let mut gather = Gather::new(stem(file_name), documents.len());
    for (n, (item, k)) in found.items.iter().zip(owner).enumerate() {
        match k {
            Some(k) => items[k].push((*item).clone()),
            None => gather.add(
                "annotation",
                &(n + 1).to_string(),
                Err("its target is in none of the documents the collection lists.".into()),
            ),
        }
    }
    let all = found.items.len().max(1);
    for (k, (about, items)) in documents.iter().zip(items).enumerate() {
        // Each document's share of the file bounds the work of placing its quotes.
        let share = text.len() * (items.len() + 1) / (all + documents.len());
        let creator = items
            .iter()
            .find_map(|i| i.get("creator"))
            .or_else(|| root.get("creator"))
            .cloned();
        let mut one = Map::new();
        one.insert("@context".into(), CONTEXT.into());
        one.insert("type".into(), "AnnotationCollection".into());
        if let Some(creator) = creator {
            one.insert("creator".into(), creator);
        }
        one.insert("total".into(), items.len().into());
        one.insert("schema:about".into(), about.clone());
        one.insert(
            "first".into(),
            json!({"type": "AnnotationPage", "items": items}),
        );
        let part = import_value(&Value::Object(one), share, file_name, None)
            .and_then(checked)
            .map_err(|e| e.to_string());
        gather.add("document", &(k + 1).to_string(), part);
    }
    gather.finish("document")
}

/// The document IRI a span annotation targets (its `source`), if it names one.
fn source_of(item: &Value) -> Option<&str> {
    let target = match item.get("target")? {
        Value::Array(list) if list.len() == 1 => &list[0],
        t => t,
    };
    match target.get("source")? {
        Value::String(s) => Some(s),
        Value::Object(s) => str_field(s, "id"),
        _ => None,
    }
}

/// The annotation IRI a link targets (a relation's first end: the annotation it goes from).
fn link_target(item: &Value) -> Option<&str> {
    let target = match item.get("target")? {
        Value::Array(list) if matches!(list.len(), 1 | 2) => &list[0],
        t => t,
    };
    match target {
        Value::String(iri) => Some(iri),
        Value::Object(t) => str_field(t, "id"),
        _ => None,
    }
}
