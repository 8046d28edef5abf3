//! A file of many documents into the project: once the person has confirmed what it holds
//! (`Dialog::ImportCorpus`), each document is stored on its own, as a new document of the
//! project, with the bar counting ("37 of 120") and Cancel stopping before the next one; the
//! first opens, and the summary (`formats::corpus::Corpus::summary`, the same the command line
//! prints) stays on screen to read and copy.
//!
//! A document whose text the project holds already (the same SHA-256) is handled as the person
//! chose once for all of them ([`OnMatch`]): kept beside it as a document of its own (nothing
//! in the project changes), or its annotations replace or merge into those of the document held
//! (`Action::Import`, the rules of a one-document import: on the open document it is one step
//! to undo). The summary says how many there were and what was done.

use std::cell::Cell;
use std::collections::HashMap;

use super::*;
use crate::dom::worker::{PreparedCorpus, PreparedDocument};
use crate::model::{Annotation, Labels};

/// What to do with a document of the file whose text the project holds already.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OnMatch {
    /// Store it beside the one held, as a document of its own.
    #[default]
    KeepBoth,
    /// Its annotations (and labels, and status) replace those of the one held.
    Replace,
    /// Its annotations join those of the one held (the same annotation twice is kept once).
    Merge,
}

impl OnMatch {
    pub const ALL: &'static [OnMatch] = &[OnMatch::KeepBoth, OnMatch::Replace, OnMatch::Merge];

    pub fn key(self) -> &'static str {
        match self {
            OnMatch::KeepBoth => "keep-both",
            OnMatch::Replace => "replace",
            OnMatch::Merge => "merge",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            OnMatch::KeepBoth => "Keep both: add the file's as new documents",
            OnMatch::Replace => "Replace: the file's annotations replace theirs",
            OnMatch::Merge => "Merge: add the file's annotations to theirs",
        }
    }
}

/// The documents the project holds, by their text's hash (the first of each text).
fn held_by_text(session: &SessionRef) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for r in &session.borrow().records {
        out.entry(r.sha256.clone()).or_insert_with(|| r.id.clone());
    }
    out
}

/// The text hashes of the documents the project holds.
fn held_texts(session: &SessionRef) -> HashSet<String> {
    held_by_text(session).into_keys().collect()
}

/// How many of a corpus's documents have the text of a document the project holds.
pub fn already_held(session: &SessionRef, corpus: &PreparedCorpus) -> usize {
    let known = held_texts(session);
    corpus
        .documents
        .iter()
        .filter(|d| known.contains(&d.record.sha256))
        .count()
}

/// Stores every document of a confirmed corpus import, then opens the first.
pub fn store_corpus(
    store: StoreHandle,
    session: SessionRef,
    file: String,
    corpus: Rc<PreparedCorpus>,
    on_match: OnMatch,
) {
    store.dispatch(Msg::Ask(None));
    let Some(db) = session.borrow().db.clone() else {
        return say(
            &store,
            format!(
                "{file}: the browser's storage is not available, so a file of {} documents \
                 cannot be kept; nothing was imported.",
                corpus.documents.len()
            ),
            Tone::Error,
        );
    };
    let stop = Rc::new(Cell::new(false));
    let of = corpus.documents.len();
    store.dispatch(Msg::StartSteps(
        format!("Storing the documents of {file}"),
        stop.clone(),
    ));
    let busy = store.ui.busy.as_ref().map_or(0, |b| b.serial);
    spawn_local(async move {
        let known = held_by_text(&session);
        let open_id = store.state().document().id.clone();
        let (mut entries, mut first, mut already) = (Vec::new(), None, 0);
        let mut applied = 0;
        let mut failed = None;
        let (mut pending, mut pending_annotations) = (Vec::new(), 0);
        let mut painted = 0;
        for (n, imported) in corpus.documents.iter().enumerate() {
            if stop.get() {
                break;
            }
            // A hundred steps of the bar at most: a render per document would cost more than
            // the writes for ten thousand small ones.
            if n % of.div_ceil(100).max(1) == 0 {
                store.dispatch(Msg::Progress(busy, n, of));
                // The bar is painted now and then, not only at a batch's write: its first step
                // showed ~300 ms late, waiting for the first batch. (A frame for every step
                // would add a hundred frames to the import.)
                let at = crate::dom::now().millis();
                if n == 0 || at - painted >= 100 {
                    crate::dom::after_paint().await;
                    painted = at;
                }
            }
            let held = known.get(&imported.record.sha256);
            if let (Some(held), true) = (held, on_match != OnMatch::KeepBoth) {
                already += 1;
                // In the file's order: what waits to be stored is stored first.
                if let Err(why) = flush(&session, &db, &mut pending, &mut entries).await {
                    failed = Some(why);
                    break;
                }
                match apply_to_held(&store, &session, &db, held, imported, on_match).await {
                    Ok(()) => {
                        applied += 1;
                        first.get_or_insert_with(|| held.clone());
                    }
                    Err(why) => {
                        failed = Some(why);
                        break;
                    }
                }
                continue;
            }
            if held.is_some() {
                already += 1;
            }
            match prepare(&session, imported) {
                Ok(doc) => {
                    first.get_or_insert_with(|| doc.0.id.clone());
                    pending_annotations += imported.record.annotations;
                    pending.push(doc);
                }
                Err(why) => {
                    failed = Some(why);
                    break;
                }
            }
            // A transaction a batch: one a document cost ~18 ms each.
            if pending.len() >= BATCH_DOCUMENTS || pending_annotations >= BATCH_ANNOTATIONS {
                pending_annotations = 0;
                if let Err(why) = flush(&session, &db, &mut pending, &mut entries).await {
                    failed = Some(why);
                    break;
                }
            }
        }
        if failed.is_none() {
            if let Err(why) = flush(&session, &db, &mut pending, &mut entries).await {
                failed = Some(why);
            }
        }
        if entries.is_empty() && applied == 0 {
            first = None;
        }
        store.dispatch(Msg::EndBusy(busy));
        let stored = entries.len() + applied;
        store.dispatch(Msg::DocumentsAdded(entries));
        let mut summary = corpus.summary.clone();
        if already > 0 {
            let done = match on_match {
                OnMatch::KeepBoth => "each is kept as a document of its own beside it",
                OnMatch::Replace => "their annotations replaced those of the documents held",
                OnMatch::Merge => "their annotations were merged into those of the documents held",
            };
            summary.push_str(&format!(
                "\n{already} of the documents have the text of a document the project held \
                 already; {done}."
            ));
        }
        if let Some(why) = &failed {
            summary = format!(
                "Stopped after {stored} of {of} documents: {why} The {stored} stored are in \
                 the project.\n{summary}"
            );
        } else if stop.get() {
            summary = format!(
                "Cancelled after {stored} of {of} documents; the {stored} stored are in the \
                 project.\n{summary}"
            );
        }
        // The first opens, unless it is open already (merged or replaced through the store,
        // with its undo step, and saved as every change is: reading it back would drop both).
        if let Some(id) = first.filter(|id| *id != open_id) {
            match load(&store, &session, &db, &id).await {
                Ok(()) => point_workspace(&store, &session, id),
                Err(why) => say(&store, why, Tone::Error),
            }
        }
        store.dispatch(Msg::Ask(Some(Dialog::ImportSummary { file, summary })));
    });
}

/// Replaces or merges a document of the file into the document held with the same text.
async fn apply_to_held(
    store: &StoreHandle,
    session: &SessionRef,
    db: &Db,
    held: &str,
    imported: &PreparedDocument,
    on_match: OnMatch,
) -> Result<(), String> {
    let file = &imported.record;
    let annotations = annotations_of(imported)?;
    let replace = on_match == OnMatch::Replace;
    let import = |labels: &Labels| Action::Import {
        annotations: annotations.clone(),
        labels: if replace {
            file.labels.clone()
        } else {
            labels.merged_with(&file.labels)
        },
        replace,
    };
    // The open document: through the store, one step to undo, saved as every change is.
    if store.state().document().id == held {
        let labels = store.state().labels().clone();
        store.dispatch(Msg::Do(import(&labels)));
        if replace {
            set_status(store, session, file.status);
        }
        return Ok(());
    }
    let (rec, text, anns) = db
        .load(held)
        .await?
        .ok_or_else(|| format!("the document {held} is no longer in this browser's storage"))?;
    let (mut state, _) = restore_stored(&rec, text, &anns)?;
    let action = import(state.labels());
    state.apply(action, crate::dom::now()).map_err(|e| {
        format!(
            "“{}” could not take the file's annotations: {e}.",
            rec.title
        )
    })?;
    let status = if replace { file.status } else { rec.status };
    let next = DocRecord {
        labels: state.labels().clone(),
        next_seq: state.next_seq(),
        serial: rec.serial + 1,
        writer: session.borrow().tab.clone(),
        saved_at: crate::dom::now().millis(),
        status,
        annotations: Some(state.len()),
        ..rec.clone()
    };
    db.create(
        &next,
        state.document(),
        state.annotations(),
        Some(rec.serial),
        None,
    )
    .await
    .map_err(|e| e.to_string())?;
    if let Some(r) = session
        .borrow_mut()
        .records
        .iter_mut()
        .find(|r| r.id == held)
    {
        *r = next;
    }
    update_entry(store, held, status, state.len());
    Ok(())
}

/// Documents stored in one transaction, at most; and annotations.
const BATCH_DOCUMENTS: usize = 100;
const BATCH_ANNOTATIONS: usize = 5_000;

/// The annotations of a document of the file, read from its pack as a stored document's are.
fn annotations_of(imported: &PreparedDocument) -> Result<Vec<Annotation>, String> {
    let file = &imported.record;
    let lines: Vec<String> = imported
        .pack
        .as_string()
        .map(|p| {
            crate::dom::storage::unpack(&p)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let rec = DocRecord {
        id: file.id.clone(),
        title: file.title.clone(),
        sha256: file.sha256.clone(),
        labels: file.labels.clone(),
        next_seq: file.next_seq,
        serial: 0,
        writer: String::new(),
        saved_at: 0,
        status: file.status,
        annotations: Some(file.annotations),
        added: 0,
    };
    let text = imported.text.as_string().unwrap_or_default();
    let (state, skipped) = restore_stored(&rec, text, &lines)?;
    if let Some(why) = skipped.first() {
        return Err(format!("“{}” could not be read: {why}.", file.title));
    }
    Ok(state.annotations().iter().map(|a| (**a).clone()).collect())
}

/// A document of a corpus ready to store as a new document: its record, text and pack. Its id
/// is reserved at once, so that the next document of the batch cannot take it too.
type Prepared = crate::dom::storage::NewDocument;

/// The record of a document the worker prepared, with a fresh id (nothing is checked or
/// serialised here: the worker did it).
fn prepare(session: &SessionRef, imported: &PreparedDocument) -> Result<Prepared, String> {
    let file = &imported.record;
    if let Some(why) = &file.refusal {
        return Err(why.clone());
    }
    let mut s = session.borrow_mut();
    let id = crate::formats::fresh_document_id(&file.id, |id| s.stored.contains(id));
    let rec = DocRecord {
        id,
        title: file.title.clone(),
        sha256: file.sha256.clone(),
        labels: file.labels.clone(),
        next_seq: file.next_seq,
        serial: 1,
        writer: s.tab.clone(),
        saved_at: crate::dom::now().millis(),
        status: file.status,
        annotations: Some(file.annotations),
        added: s.take_added(),
    };
    s.stored.insert(rec.id.clone());
    Ok((rec, imported.text.clone(), imported.pack.clone()))
}

/// Stores the prepared documents in one transaction and adds their entries; on failure their
/// ids are free again (nothing of the batch is stored: the transaction is rolled back).
async fn flush(
    session: &SessionRef,
    db: &Db,
    pending: &mut Vec<Prepared>,
    entries: &mut Vec<DocEntry>,
) -> Result<(), String> {
    if pending.is_empty() {
        return Ok(());
    }
    let batch = std::mem::take(pending);
    let result = db.create_many(&batch).await;
    let mut s = session.borrow_mut();
    match result {
        Ok(()) => {
            for (rec, _, _) in batch {
                entries.push(entry_of(&rec));
                s.records.push(rec);
            }
            Ok(())
        }
        Err(e) => {
            for (rec, _, _) in &batch {
                s.stored.remove(&rec.id);
            }
            Err(e.to_string())
        }
    }
}
