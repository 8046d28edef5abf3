//! The whole project out as one file: every document, read back from storage a hundred a
//! transaction (the open one as it is on screen), with the bar counting and Cancel stopping
//! between reads; then the formats worker reads the stored values as they came (the page
//! parses none of them) and writes the format's corpus file (`formats::corpus::export`, the same
//! as `marginalia convert --to FORMAT` given the documents' native files), named as the command
//! line names it (`Format::corpus_file_name`).
//!
//! A document that cannot be read is not silently left out: the export stops and says which.

use std::cell::Cell;

use super::*;
use crate::dom::worker::ToExport;

/// Downloads the project's documents as one file of `format`: all of them, or only those the
/// Documents panel shows (`only`: their ids, in its order).
pub fn export_project(
    store: StoreHandle,
    session: SessionRef,
    format: Format,
    only: Option<Vec<String>>,
) {
    let ids: Vec<String> =
        only.unwrap_or_else(|| store.ui.documents.iter().map(|d| d.id.clone()).collect());
    if ids.is_empty() {
        return say(
            &store,
            "No document is shown, so there is nothing to export.",
            Tone::Info,
        );
    }
    let db = session.borrow().db.clone();
    let name = format.corpus_file_name();
    let stop = Rc::new(Cell::new(false));
    let of = ids.len();
    store.dispatch(Msg::StartSteps(format!("Preparing {name}"), stop.clone()));
    let busy = store.ui.busy.as_ref().map_or(0, |b| b.serial);
    spawn_local(async move {
        let open = store.state();
        let annotator = store.ui.annotator.clone();
        let open_status = session.borrow().status;
        let mut documents = Vec::with_capacity(of);
        let mut failed = None;
        // Read a chunk of documents a transaction, every request at once.
        'chunks: for (k, chunk) in ids.chunks(READ_CHUNK).enumerate() {
            if stop.get() {
                break;
            }
            store.dispatch(Msg::Progress(busy, k * READ_CHUNK, of));
            let stored = match &db {
                Some(db) => db.load_many_raw(chunk).await,
                None => Ok(vec![None; chunk.len()]),
            };
            let stored = match stored {
                Ok(s) => s,
                Err(why) => {
                    failed = Some(why);
                    break;
                }
            };
            for (id, stored) in chunk.iter().zip(stored) {
                let document = if *id == open.document().id {
                    Ok(ToExport::Native(native::export(&Bundle {
                        status: open_status,
                        ..Bundle::from_state(&open, &annotator)
                    })))
                } else {
                    to_export(id, stored, &annotator)
                };
                match document {
                    Ok(d) => documents.push(d),
                    Err(why) => {
                        failed = Some(why);
                        break 'chunks;
                    }
                }
            }
        }
        drop(open);
        if let Some(why) = failed {
            store.dispatch(Msg::EndBusy(busy));
            return say(
                &store,
                format!("{name} could not be made: {why}"),
                Tone::Error,
            );
        }
        if stop.get() {
            store.dispatch(Msg::EndBusy(busy));
            return say(&store, format!("{name}: cancelled."), Tone::Info);
        }
        store.dispatch(Msg::Progress(busy, of, of));
        let result = crate::dom::worker::export_corpus(format.key(), &annotator, documents).await;
        store.dispatch(Msg::EndBusy(busy));
        finish_export(&store, &name, format, result);
    });
}

/// Documents read from storage in one transaction.
const READ_CHUNK: usize = 100;

/// A document as storage holds it, for the worker to read. The shipped article, not stored
/// before its first change, is itself.
fn to_export(
    id: &str,
    stored: Option<crate::dom::storage::StoredRaw>,
    annotator: &str,
) -> Result<ToExport, String> {
    if let Some(raw) = stored {
        return Ok(ToExport::Stored(raw));
    }
    let default = Document::default_article();
    if id == default.id {
        let state = State::new(Rc::new(default));
        return Ok(ToExport::Native(native::export(&Bundle::from_state(
            &state, annotator,
        ))));
    }
    Err(format!(
        "the document {id} is not in this browser's storage"
    ))
}
