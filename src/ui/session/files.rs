//! Files in and out: export (the native file here, every other format in the formats
//! worker), import (detecting the format, reading small native files here and the rest in the
//! worker with its bar and Cancel), and the decision an import asks for (`offer`,
//! `apply_import`): never a change before the person has answered.

use super::*;

/// Downloads the open document in `format`. Other formats than the native one are converted
/// in the formats worker, off the main thread.
pub fn export(store: &StoreHandle, format: Format) {
    let bundle = Bundle::from_state(&store.state(), &store.ui.annotator);
    let name = format.file_name(&bundle.document.id);
    let native_text = native::export(&bundle);
    if format == Format::Native {
        return finish_download(store, &name, format, native_text.as_bytes());
    }
    let store = store.clone();
    let busy = start_busy(&store, format!("Preparing {name}"));
    spawn_local(async move {
        let result = crate::dom::worker::export(format.key(), native_text).await;
        store.dispatch(Msg::EndBusy(busy));
        finish_export(&store, &name, format, result);
    });
}

/// Ends an export the worker made: the download, or what stopped it.
pub(super) fn finish_export(
    store: &StoreHandle,
    name: &str,
    format: Format,
    result: Result<Vec<u8>, String>,
) {
    match result {
        Ok(bytes) => finish_download(store, name, format, &bytes),
        Err(why) if why == crate::dom::worker::CANCELLED => {
            say(store, format!("{name}: cancelled."), Tone::Info)
        }
        Err(why) => say(
            store,
            format!("{name} could not be made: {why}"),
            Tone::Error,
        ),
    }
}

/// Shows that a conversion is under way (with its Cancel button); returns its serial.
pub(super) fn start_busy(store: &StoreHandle, what: String) -> u64 {
    store.dispatch(Msg::StartBusy(what));
    store.ui.busy.as_ref().map_or(0, |b| b.serial)
}

pub(super) fn finish_download(store: &StoreHandle, name: &str, format: Format, bytes: &[u8]) {
    match download(name, format.mime(), bytes) {
        Ok(()) => say(store, format!("Exported {name}"), Tone::Info),
        Err(why) => say(store, format!("The download failed: {why}"), Tone::Error),
    }
}

/// Native files up to this size are read on the page's thread (a 1 MB file of 10,000
/// annotations takes about 0.1 s there); larger ones in the formats worker.
pub(super) const NATIVE_HERE_BYTES: usize = 1_000_000;

/// Reads file bytes in whatever format they are, and offers them (see [`offer`]). Small native
/// files are read here; the others are converted to native text by the formats worker first.
pub(super) fn open_bytes(store: StoreHandle, session: SessionRef, name: String, bytes: Vec<u8>) {
    let Some(format) = Format::detect(&name, &bytes).filter(|f| f.can_import()) else {
        return say(
            &store,
            format!(
                "{name}: Marginalia cannot tell what kind of file this is. It imports {}.",
                importable()
            ),
            Tone::Error,
        );
    };
    // A small native file is read here at once; a large one (or one made to be slow) is read
    // in the worker like every other format, with its bar and Cancel, and what it sends back
    // is a checked file, linear to read again here.
    // (A project file holds many documents: the worker reads those, as it reads corpora.)
    if format == Format::Native
        && bytes.len() <= NATIVE_HERE_BYTES
        && !crate::formats::project::looks_like(&bytes)
    {
        return opened(store, session, name, native::import_bytes(&bytes));
    }
    let busy = start_busy(
        &store,
        format!("Reading {name} ({})", megabytes(bytes.len() as u64)),
    );
    // A W3C file may come without its text: it is then anchored onto the open document.
    let open = (format == Format::W3c).then(|| store.state().document().clone());
    spawn_local(async move {
        let open_parts = open
            .as_ref()
            .map(|d| (d.id.as_str(), d.title.as_str(), d.text()));
        let result = crate::dom::worker::import(format.key(), &name, &bytes, open_parts).await;
        store.dispatch(Msg::EndBusy(busy));
        read_by_worker(store, session, name, result);
    });
}

/// Ends an import in the worker: cancelled, failed (said), or what it read.
fn read_by_worker(
    store: StoreHandle,
    session: SessionRef,
    name: String,
    result: Result<crate::dom::worker::ConvertedFile, String>,
) {
    match result {
        Err(why) if why == crate::dom::worker::CANCELLED => say(
            &store,
            format!("{name}: import cancelled; nothing was changed."),
            Tone::Info,
        ),
        Err(why) => say(&store, format!("{name}: {why}"), Tone::Error),
        Ok(file) => opened_file(store, session, name, file),
    }
}

/// What the worker read from a file (or several picked together): one document goes the way
/// of every import (`opened`); several are a corpus, shown before anything is stored.
fn opened_file(
    store: StoreHandle,
    session: SessionRef,
    name: String,
    file: crate::dom::worker::ConvertedFile,
) {
    use crate::dom::worker::ConvertedFile;
    match file {
        ConvertedFile::One(converted) => {
            let result = native::import(&converted.native).map(|mut imported| {
                imported.problems = converted.problems;
                imported.total = converted.total;
                imported.notes = converted.notes;
                imported
            });
            if let Ok(imported) = &result {
                for note in &imported.notes {
                    say(&store, format!("{name}: {note}"), Tone::Info);
                }
            }
            opened(store, session, name, result)
        }
        // A corpus: what it holds is shown, and nothing is stored until the person has
        // answered (`corpus::store_corpus`). The worker, done, is let go with its memory.
        ConvertedFile::Corpus(corpus) => {
            crate::dom::worker::release();
            store.dispatch(Msg::Ask(Some(Dialog::ImportCorpus {
                file: name,
                corpus: Rc::new(corpus),
            })));
        }
    }
}

/// Reads files picked (or dropped) together: a brat `.txt` with its `.ann`, plain texts, any
/// other files; one file goes the way of [`import_file`].
pub fn import_files(store: StoreHandle, session: SessionRef, mut picked: Vec<Picked>) {
    // A .txt (or a lone .ann) is no format of its own: it is read as files picked together are.
    let plain = |p: &Picked| {
        let lower = p.name.to_lowercase();
        lower.ends_with(".txt") || lower.ends_with(".ann")
    };
    if picked.len() == 1 && !plain(&picked[0]) {
        if let Some(one) = picked.pop() {
            import_file(store, session, one);
        }
        return;
    }
    let total: u64 = picked.iter().map(|p| p.size).sum();
    let name = match picked.as_slice() {
        [one] => one.name.clone(),
        many => format!("{} files", many.len()),
    };
    if total > MAX_FILE_BYTES {
        let e = FileError::TooLarge {
            bytes: total,
            limit: MAX_FILE_BYTES,
        };
        return say(&store, format!("{name}: {e}"), Tone::Error);
    }
    spawn_local(async move {
        let mut files = Vec::with_capacity(picked.len());
        for p in &picked {
            match p.bytes().await {
                Ok(bytes) => files.push((p.name.clone(), bytes)),
                Err(why) => return say(&store, format!("{}: {why}", p.name), Tone::Error),
            }
        }
        let busy = start_busy(&store, format!("Reading {name} ({})", megabytes(total)));
        let result = crate::dom::worker::import_files(&files).await;
        store.dispatch(Msg::EndBusy(busy));
        read_by_worker(store, session, name, result);
    });
}

pub(super) fn opened(
    store: StoreHandle,
    session: SessionRef,
    name: String,
    result: Result<Imported, FileError>,
) {
    match result {
        Err(e) => say(&store, format!("{name}: {e}"), Tone::Error),
        Ok(imported) if !imported.problems.is_empty() => {
            store.dispatch(Msg::Ask(Some(Dialog::ImportProblems {
                file: name,
                imported: Rc::new(imported),
            })));
        }
        Ok(imported) => {
            store.dispatch(Msg::Ask(None));
            offer(store, session, name, imported, false);
        }
    }
}

/// Reads a file chosen with Import or dropped on the page. Nothing changes until the person
/// has answered the questions it raises.
pub fn import_file(store: StoreHandle, session: SessionRef, picked: Picked) {
    if picked.size > MAX_FILE_BYTES {
        say(
            &store,
            format!(
                "{}: {}",
                picked.name,
                FileError::TooLarge {
                    bytes: picked.size,
                    limit: MAX_FILE_BYTES
                }
            ),
            Tone::Error,
        );
        return;
    }
    spawn_local(async move {
        match picked.bytes().await {
            Ok(bytes) => open_bytes(store, session, picked.name.clone(), bytes),
            Err(why) => say(&store, format!("{}: {why}", picked.name), Tone::Error),
        }
    });
}

pub(super) fn importable() -> String {
    let names: Vec<&str> = Format::ALL
        .iter()
        .filter(|f| f.can_import())
        .map(|f| f.title())
        .collect();
    names.join(", ")
}

/// The valid annotations of a file: for the open document, ask replace or merge; for a text
/// this browser holds, open that document and ask there; for a new text, open it as a new
/// document. Spans are never re-offset onto a different text.
/// `types_confirmed`: the person has seen the types new to the schema listed already (in the
/// problems dialog) and confirmed.
pub fn offer(
    store: StoreHandle,
    session: SessionRef,
    file: String,
    imported: Imported,
    types_confirmed: bool,
) {
    let sha = sha256_hex(imported.bundle.document.text());
    if sha == sha256_hex(store.state().document().text()) {
        let bundle = &imported.bundle;
        let new_types = store
            .state()
            .types_new_to(&bundle.labels, &bundle.annotations);
        // Another annotator's work (the person has named themselves, the file someone else):
        // asked, to be added as a layer rather than taken as the person's own.
        let theirs = !bundle.annotator.trim().is_empty()
            && !store.ui.annotator.trim().is_empty()
            && bundle.annotator.trim() != store.ui.annotator.trim();
        if store.state().is_empty() && (new_types.is_empty() || types_confirmed) && !theirs {
            // Nothing here to replace or merge with, nothing new to the schema: no question.
            return apply_import(&store, &imported, true);
        }
        store.dispatch(Msg::Ask(Some(Dialog::ImportConfirm {
            file,
            imported: Rc::new(imported),
        })));
        return;
    }
    let known = session
        .borrow()
        .records
        .iter()
        .find(|r| r.sha256 == sha)
        .map(|r| r.id.clone());
    let db = session.borrow().db.clone();
    match (known, db) {
        (Some(id), Some(db)) => spawn_local(async move {
            match load(&store, &session, &db, &id).await {
                Ok(()) => {
                    point_workspace(&store, &session, id);
                    store.dispatch(Msg::Ask(Some(Dialog::ImportConfirm {
                        file,
                        imported: Rc::new(imported),
                    })));
                }
                Err(why) => say(&store, why, Tone::Error),
            }
        }),
        _ => open_bundle(store, session, imported.bundle),
    }
}

/// Applies a confirmed import (replace or merge) to the open document.
pub fn apply_import(store: &StoreHandle, imported: &Imported, replace: bool) {
    store.dispatch(Msg::Ask(None));
    let bundle = &imported.bundle;
    if sha256_hex(bundle.document.text()) != sha256_hex(store.state().document().text()) {
        return say(
            store,
            "The file is for another text; nothing was imported.",
            Tone::Error,
        );
    }
    let labels = if replace {
        bundle.labels.clone()
    } else {
        store.state().labels().merged_with(&bundle.labels)
    };
    store.dispatch(Msg::Do(Action::Import {
        annotations: bundle.annotations.clone(),
        labels,
        replace,
    }));
}
