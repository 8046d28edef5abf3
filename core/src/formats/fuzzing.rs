//! What the fuzz targets (`fuzz/`) and the deterministic pass over their corpus
//! (`tests/fuzz_corpus.rs`) run: one pure function per target, taking any bytes. Each must
//! return, never panic, and, when the input is read, leave data that keeps every rule of the
//! model. [`run`] returns `Err` naming the broken rule; a panic is a bug as well.
//!
//! Checked on every successful import: the bundle restores into a [`State`] (which checks
//! every invariant, spans inside the text included), every problem has a message, the bundle imports into a fresh state as the page does (`Action::Import`), every
//! export runs, and the native export reads back to the same annotations without a problem.
//! A refusal must say why in a sentence.
//!
//! Inputs of the two targets that are not a single file:
//! - `brat`: a zip (it starts with `PK`), or a document's `.txt` and its `.ann` separated by
//!   one byte 0x1E (the record separator), read by [`super::brat::import_text`];
//! - `restore`: the document text, the labels as JSON, then stored records (native annotation
//!   objects), all separated by 0x1E, read as a page reads its storage: each record by
//!   [`super::native::StoredReader`] (one that fails is skipped), then, as the page does,
//!   [`crate::model::restore::restore_lenient`], which must always succeed.

use std::rc::Rc;

use super::native::{Imported, StoredReader};
use super::{check_document_text, Format};
use crate::model::restore::restore_lenient;
use crate::model::{Action, Document, Labels, State, Timestamp};

/// The separator of the parts of a `brat` or `restore` input.
pub const SEPARATOR: u8 = 0x1E;

/// The fuzz targets, by name: one per importer, and the restore of stored records.
pub const TARGETS: &[&str] = &[
    "native",
    "spacy",
    "doccano",
    "label-studio",
    "brat",
    "w3c",
    "conll",
    "restore",
];

/// Runs target `name` on `bytes`.
pub fn run(name: &str, bytes: &[u8]) -> Result<(), String> {
    match name {
        "native" => import_any(Format::Native, bytes),
        "spacy" => import_any(Format::Spacy, bytes),
        "doccano" => import_any(Format::DoccanoRel, bytes),
        "label-studio" => import_any(Format::LabelStudio, bytes),
        "w3c" => import_any(Format::W3c, bytes),
        "conll" => conll(bytes),
        "brat" => brat(bytes),
        "restore" => restore(bytes),
        other => Err(format!("there is no fuzz target {other}")),
    }
}

/// Imports `bytes` as a file of `format` and checks what it gives.
pub fn import_any(format: Format, bytes: &[u8]) -> Result<(), String> {
    let name = format.file_name("fuzz");
    checked(format.import(bytes, &name).map_err(|e| e.to_string()))
}

/// A CoNLL file: read as one document, and as a corpus, each of its documents checked.
fn conll(bytes: &[u8]) -> Result<(), String> {
    import_any(Format::Conll, bytes)?;
    match super::corpus::import(Format::Conll, bytes, "fuzz.conll") {
        Err(e) if e.to_string().trim().is_empty() => Err("a refusal without a reason".into()),
        Err(_) => Ok(()),
        Ok(corpus) => {
            if corpus.refused.iter().any(|r| r.message.trim().is_empty()) {
                return Err("a document refused without a reason".into());
            }
            corpus
                .documents
                .into_iter()
                .try_for_each(|d| checked(Ok(d)))
        }
    }
}

fn brat(bytes: &[u8]) -> Result<(), String> {
    if bytes.starts_with(b"PK") {
        return import_any(Format::Brat, bytes);
    }
    let (txt, ann) = match bytes.iter().position(|&b| b == SEPARATOR) {
        Some(at) => (&bytes[..at], &bytes[at + 1..]),
        None => (&b""[..], bytes),
    };
    let (Ok(txt), Ok(ann)) = (std::str::from_utf8(txt), std::str::from_utf8(ann)) else {
        return Ok(()); // the zip reader refuses what is not UTF-8 before this point
    };
    checked(super::brat::import_text("fuzz", txt, ann).map_err(|e| e.to_string()))
}

fn checked(result: Result<Imported, String>) -> Result<(), String> {
    let imported = match result {
        Ok(imported) => imported,
        Err(message) if message.trim().is_empty() => {
            return Err("a refusal without a reason".into())
        }
        Err(_) => return Ok(()),
    };
    let bundle = &imported.bundle;
    if imported
        .problems
        .iter()
        .any(|p| p.message.trim().is_empty())
    {
        return Err("a problem without a message".into());
    }
    let doc = Rc::new(bundle.document.clone());
    State::restore(
        doc.clone(),
        bundle.labels.clone(),
        bundle.annotations.clone(),
        1,
    )
    .map_err(|e| format!("the import breaks a rule of the model: {e}"))?;
    let mut state = State::new(doc);
    state
        .apply(
            Action::Import {
                annotations: bundle.annotations.clone(),
                labels: bundle.labels.clone(),
                replace: true,
            },
            Timestamp(0),
        )
        .map_err(|e| format!("the page would refuse the import: {e}"))?;
    state.check_invariants()?;
    for format in Format::ALL {
        let _ = format.export(bundle);
    }
    let again = super::native::import(&super::native::export(bundle))
        .map_err(|e| format!("the native export does not read back: {e}"))?;
    if !again.problems.is_empty() || again.bundle.annotations != bundle.annotations {
        return Err(format!(
            "the native export reads back differently ({} problems)",
            again.problems.len()
        ));
    }
    Ok(())
}

fn restore(bytes: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(bytes);
    let mut parts = text.split(SEPARATOR as char);
    let doc_text = parts.next().unwrap_or_default();
    if check_document_text(doc_text).is_err() {
        return Ok(()); // storage only holds texts that were checked when opened
    }
    let Ok(labels) = serde_json::from_str::<Labels>(parts.next().unwrap_or_default()) else {
        return Ok(());
    };
    if labels.validate().is_err() {
        return Ok(());
    }
    let doc = Document::new("fuzz", "fuzz", doc_text);
    let reader = StoredReader::new(&doc, &labels);
    let annotations: Vec<_> = parts.filter_map(|r| reader.read(r).ok()).collect();
    let next_seq = annotations.len() as u64;
    // As the page restores them (ui::session): each record that breaks a rule is left out, and
    // the rest must always restore.
    let restored = restore_lenient(Rc::new(doc.clone()), labels, annotations, next_seq)
        .map_err(|e| format!("the records did not restore: {e}"))?;
    restored.state.check_invariants()
}

/// A `restore` input made of a native file: its text, labels and annotations as records.
pub fn restore_input(native_file: &[u8]) -> Option<Vec<u8>> {
    let imported = super::native::import_bytes(native_file).ok()?;
    let b = &imported.bundle;
    let mut out = b.document.text().as_bytes().to_vec();
    out.push(SEPARATOR);
    out.extend(serde_json::to_vec(&b.labels).ok()?);
    for a in &b.annotations {
        out.push(SEPARATOR);
        out.extend(super::native::annotation_json(&b.document, a).into_bytes());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_hostile_file_at_a_moderate_size_is_read_or_refused_and_keeps_the_rules() {
        for case in super::super::hostile::CASES {
            if case.name == "zip-bomb" {
                continue; // 45 MB unpacked: its bench imports it
            }
            let bytes = case.bytes(60_000);
            let target = match case.format {
                Format::DoccanoRel | Format::Doccano => "doccano",
                f => f.key(),
            };
            run(target, &bytes).unwrap_or_else(|e| panic!("{}: {e}", case.key()));
        }
    }

    #[test]
    fn a_broken_rule_is_reported() {
        assert!(run("nothing", b"").is_err());
        // A restore input from a golden file restores.
        let golden = include_bytes!("../../tests/golden/native/damascus.marginalia.json");
        let input = restore_input(golden).expect("the golden file reads");
        assert!(run("restore", &input).is_ok());
    }
}
