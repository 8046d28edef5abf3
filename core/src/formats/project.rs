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

use serde::Serialize;

use super::{native, Bundle};

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
