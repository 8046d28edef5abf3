//! The whole project out as one file: every document, read back from storage one by one (the
//! open one as it is on screen), with the bar counting and Cancel stopping between documents;
//! then the formats worker writes the format's corpus file (`formats::corpus::export`, the same
//! as `marginalia convert --to FORMAT` given the documents' native files), named as the command
//! line names it (`Format::corpus_file_name`).
//!
//! A document that cannot be read is not silently left out: the export stops and says which.

use std::cell::Cell;

use super::*;

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
        let mut natives = Vec::with_capacity(of);
        let mut failed = None;
        // Read a chunk of documents a transaction, every request at once.
        'chunks: for (k, chunk) in ids.chunks(READ_CHUNK).enumerate() {
            if stop.get() {
                break;
            }
            store.dispatch(Msg::Progress(busy, k * READ_CHUNK, of));
            let stored = match &db {
                Some(db) => db.load_many(chunk).await,
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
                let bundle = if *id == open.document().id {
                    Ok(Bundle {
                        status: open_status,
                        ..Bundle::from_state(&open, &annotator)
                    })
                } else {
                    stored_bundle(id, stored, &annotator)
                };
                match bundle {
                    Ok(b) => natives.push(native::export(&b)),
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
        let result = crate::dom::worker::export_corpus(format.key(), natives).await;
        store.dispatch(Msg::EndBusy(busy));
        finish_export(&store, &name, format, result);
    });
}

/// Documents read from storage in one transaction.
const READ_CHUNK: usize = 100;

/// A document as storage holds it, as a bundle with its status. The shipped article, not
/// stored before its first change, is itself.
fn stored_bundle(
    id: &str,
    stored: Option<crate::dom::storage::Stored>,
    annotator: &str,
) -> Result<Bundle, String> {
    let Some((rec, text, anns)) = stored else {
        let default = Document::default_article();
        if id == default.id {
            let state = State::new(Rc::new(default));
            return Ok(Bundle::from_state(&state, annotator));
        }
        return Err(format!(
            "the document {id} is not in this browser's storage"
        ));
    };
    let (state, skipped) = restore_stored(&rec, text, &anns)?;
    if !skipped.is_empty() {
        return Err(format!(
            "“{}” has damaged stored annotations ({}); open it to see which",
            rec.title,
            skipped.len()
        ));
    }
    Ok(Bundle {
        status: rec.status,
        ..Bundle::from_state(&state, annotator)
    })
}
