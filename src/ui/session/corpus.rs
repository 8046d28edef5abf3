//! A file of many documents into the project: once the person has confirmed what it holds
//! (`Dialog::ImportCorpus`), each document is stored on its own, as a new document of the
//! project, with the bar counting ("37 of 120") and Cancel stopping before the next one; the
//! first opens, and the summary (`formats::corpus::Corpus::summary`, the same the command line
//! prints) stays on screen to read and copy.
//!
//! Nothing already in the project changes: a document whose text the project holds already is
//! stored beside it as a document of its own (the choice to merge or replace such documents is
//! left to a later step), and the summary says how many there were.

use std::cell::Cell;

use super::*;
use crate::formats::corpus::Corpus;

/// The text hashes of the documents the project holds.
fn held_texts(session: &SessionRef) -> HashSet<String> {
    session
        .borrow()
        .records
        .iter()
        .map(|r| r.sha256.clone())
        .collect()
}

/// How many of a corpus's documents have the text of a document the project holds.
pub fn already_held(session: &SessionRef, corpus: &Corpus) -> usize {
    let known = held_texts(session);
    corpus
        .documents
        .iter()
        .filter(|d| known.contains(&sha256_hex(d.bundle.document.text())))
        .count()
}

/// Stores every document of a confirmed corpus import, then opens the first.
pub fn store_corpus(store: StoreHandle, session: SessionRef, file: String, corpus: Rc<Corpus>) {
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
        let known = held_texts(&session);
        let (mut entries, mut first, mut already) = (Vec::new(), None, 0);
        let mut failed = None;
        for (n, imported) in corpus.documents.iter().enumerate() {
            if stop.get() {
                break;
            }
            // A hundred steps of the bar at most: a render per document would cost more than
            // the writes for ten thousand small ones.
            if n % of.div_ceil(100).max(1) == 0 {
                store.dispatch(Msg::Progress(busy, n, of));
            }
            match store_one(&session, &db, imported).await {
                Ok((entry, sha)) => {
                    if known.contains(&sha) {
                        already += 1;
                    }
                    first.get_or_insert_with(|| entry.id.clone());
                    entries.push(entry);
                }
                Err(why) => {
                    failed = Some(why);
                    break;
                }
            }
        }
        store.dispatch(Msg::EndBusy(busy));
        let stored = entries.len();
        let mut docs = (*store.ui.documents).clone();
        docs.extend(entries);
        store.dispatch(Msg::Documents(docs));
        let mut summary = corpus.summary();
        if already > 0 {
            summary.push_str(&format!(
                "\n{already} of the documents have the text of a document the project held \
                 already; each is kept as a document of its own beside it."
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
        if let Some(id) = first {
            match load(&store, &session, &db, &id).await {
                Ok(()) => point_workspace(&store, &session, id),
                Err(why) => say(&store, why, Tone::Error),
            }
        }
        store.dispatch(Msg::Ask(Some(Dialog::ImportSummary { file, summary })));
    });
}

/// Stores one document of a corpus as a new document; gives its entry in the documents list
/// and its text's hash.
async fn store_one(
    session: &SessionRef,
    db: &Db,
    imported: &Imported,
) -> Result<(DocEntry, String), String> {
    let bundle = &imported.bundle;
    let doc = new_document(session, bundle);
    let id = doc.id.clone();
    let state = State::restore(
        doc.clone(),
        bundle.labels.clone(),
        bundle.annotations.clone(),
        1,
    )
    .map_err(|e| format!("“{}” could not be opened: {e}.", doc.title))?;
    let sha = sha256_hex(doc.text());
    let (tab, added) = {
        let mut s = session.borrow_mut();
        (s.tab.clone(), s.take_added())
    };
    let rec = DocRecord {
        id: id.clone(),
        title: doc.title.clone(),
        sha256: sha.clone(),
        labels: state.labels().clone(),
        next_seq: state.next_seq(),
        serial: 1,
        writer: tab,
        saved_at: crate::dom::now().millis(),
        status: bundle.status,
        annotations: Some(state.len()),
        added,
    };
    db.create(&rec, &doc, state.annotations(), None, None)
        .await
        .map_err(|e| e.to_string())?;
    let mut s = session.borrow_mut();
    s.stored.insert(id.clone());
    let entry = entry_of(&rec);
    s.records.push(rec);
    Ok((entry, sha))
}
