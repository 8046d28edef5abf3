//! The project file: every document of a project in one native file,
//! `schema/marginalia-project-v1.schema.json`.
//!
//! ```json
//! {"format": "marginalia-project", "version": 1,
//!  "documents": [{"format": "marginalia", "version": 1, "offsets": "codepoint",
//!                 "document": {…}, "labels": {…}, "annotator": "…", "status": "done",
//!                 "annotations": […]}, …]}
//! ```
//!
//! Each document is the object its own native file holds, exactly as [`native::export`]
//! writes it (its labels, annotator, status and annotations its own), so that a document
//! taken out of the list is a native file, and one written into it reads back the same.
//! Export is deterministic: documents in the order given, two-space indentation, a final
//! newline.
//!
//! Reading ([`import`], which `formats::corpus::import(Format::Native, …)` calls) gives every
//! document, each read and checked as its own file would be: a document that cannot be read
//! is refused by its number ("document 3") and the others kept, and its annotations that
//! cannot be kept are its problems, as in every corpus. A document whose id an earlier one has
//! is renamed (`a1-3`), with a note saying so. A file of no document, or of more than a project
//! holds ([`MAX_DOCUMENTS`](super::corpus::MAX_DOCUMENTS)), is refused whole.

use serde::Serialize;
use serde_json::Value;

use super::corpus::{at_most, Corpus, Gather};
use super::{checked, decode_text, json_type, native, not_json, shape, Bundle, FileError};

/// The `"format"` of a project file, as `"marginalia"` is a document file's.
pub const FORMAT: &str = "marginalia-project";
pub const VERSION: u64 = 1;

#[derive(Serialize)]
struct ProjectOut<'a> {
    format: &'static str,
    version: u64,
    documents: Vec<native::FileOut<'a>>,
}

/// The bundles as a project file, in the order given.
pub fn export(bundles: &[Bundle]) -> String {
    let project = ProjectOut {
        format: FORMAT,
        version: VERSION,
        documents: bundles.iter().map(native::file_out).collect(),
    };
    let mut out =
        serde_json::to_string_pretty(&project).expect("serialising plain data cannot fail");
    out.push('\n');
    out
}

/// Reads a native file: a project file gives every document it holds, a document file its one
/// document.
pub fn import(bytes: &[u8]) -> Result<Corpus, FileError> {
    let text = decode_text(bytes)?;
    let root: Value = serde_json::from_str(text).map_err(|e| not_json(&e))?;
    if !is_project(&root) {
        return checked(native::import_value(&root)?).map(Corpus::single);
    }
    match root.get("version") {
        Some(Value::Number(n)) if n.as_u64() == Some(VERSION) => {}
        Some(Value::Number(n)) => {
            return Err(shape(format!(
                "This is a Marginalia project file of version {n}; this Marginalia reads \
                 version 1. Open it with the Marginalia that wrote it, or update."
            )))
        }
        _ => return Err(shape("The project file has no \"version\" number.")),
    }
    let documents = match root.get("documents") {
        Some(Value::Array(d)) => d,
        Some(other) => {
            return Err(shape(format!(
                "The project file's \"documents\" must be a list, not {}.",
                json_type(other)
            )))
        }
        None => return Err(shape("The project file has no \"documents\" list.")),
    };
    if documents.is_empty() {
        return Err(shape(
            "The project file holds no document: its \"documents\" list is empty.",
        ));
    }
    at_most(
        documents.len(),
        "document",
        "Export the project in parts of at most 10,000 documents.",
    )?;
    let mut gather = Gather::new(String::new(), documents.len());
    gather.note_renames = true;
    for (n, d) in documents.iter().enumerate() {
        let part = native::import_value(d)
            .and_then(checked)
            .map_err(|e| e.to_string());
        gather.add("document", &(n + 1).to_string(), part);
    }
    gather.finish("document")
}

/// Whether a parsed file says it is a project file.
fn is_project(root: &Value) -> bool {
    root.get("format").and_then(Value::as_str) == Some(FORMAT)
}

/// Whether file bytes are (the start of) a project file, without reading them whole: for
/// choosing between reading one document and reading a corpus.
pub fn looks_like(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    head.contains(&format!("\"format\": \"{FORMAT}\""))
        || head.contains(&format!("\"format\":\"{FORMAT}\""))
}

#[cfg(test)]
#[path = "project_tests.rs"]
mod tests;
