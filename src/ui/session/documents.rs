//! Documents: opening storage and restoring the last open document when the page starts
//! (`start`, `restore`), reading a stored one into the store (`load`, `read`), switching
//! (`switch`), and opening new ones from a bundle or a text (`open_bundle`, `open_text`).

use super::*;

/// Opens storage and restores the last open document. Called once, when the app mounts.
///
/// `latest` is the store handle of the App's latest render: the listeners that live as long
/// as the page read it, rather than a handle captured here (a handle keeps every state it has
/// read alive).
pub fn start(store: StoreHandle, session: SessionRef, latest: LatestStore) {
    crate::dom::storage::request_persistence();
    super::tabs::listen(&session, &latest);
    // When the page is hidden or left, write what is not written yet.
    {
        let flush = {
            let (latest, session) = (latest.clone(), session.clone());
            move || save(latest.borrow().clone(), session.clone())
        };
        session.borrow_mut().flush = crate::dom::on_hide(flush);
    }
    // Storage that does not answer must not hold the page: after a while the person may work
    // in this tab alone (nothing is written then; the status says so).
    {
        let (latest, session) = (latest.clone(), session.clone());
        gloo::timers::callback::Timeout::new(STORAGE_PATIENCE_MS, move || {
            let mut s = session.borrow_mut();
            if s.db.is_none() && s.queue.give_up() {
                drop(s);
                latest
                    .borrow()
                    .dispatch(Msg::Save(SaveStatus::Failed(format!(
                        "storage did not answer within {} seconds, so this tab keeps your work \
                         only in memory (export it to keep it)",
                        STORAGE_PATIENCE_MS / 1000
                    ))));
            }
        })
        .forget();
    }
    let open = crate::dom::open_param();
    spawn_local(async move {
        match Db::open().await {
            Ok(db) if !session.borrow().queue.gave_up() => restore(&store, &session, db).await,
            Ok(_) => {}
            Err(why) => {
                session.borrow_mut().queue.give_up();
                store.dispatch(Msg::Save(SaveStatus::Failed(why.clone())));
                store.dispatch(Msg::Documents(entries(&[])));
            }
        }
        // A link that opens a file (`?open=`) opens it once the saved work is back, so that
        // what it brings is offered against what this browser holds. (The loader started
        // fetching it while the page was starting.)
        if let Some(path) = open {
            let store = latest.borrow().clone();
            match crate::dom::files::fetch_same_origin(&path).await {
                Ok(bytes) => {
                    let name = path.rsplit('/').next().unwrap_or(&path).to_string();
                    open_bytes(store, session, name, bytes);
                }
                Err(why) => say(&store, format!("{path}: {why}"), Tone::Error),
            }
        }
    });
}

/// How long storage may take to open before the page lets the person work without it.
pub(super) const STORAGE_PATIENCE_MS: u32 = 5_000;

/// Reads what storage holds and reopens the document the workspace points at; if that one is
/// not there (or cannot be read), the document saved last; the shipped article if none.
pub(super) async fn restore(store: &StoreHandle, session: &SessionRef, db: Db) {
    session.borrow_mut().db = Some(db.clone());
    let workspace = db.workspace().await.unwrap_or_default();
    let (mut records, damaged) = db.documents().await.unwrap_or_default();
    // Records whose labels cannot be used are not offered (each document is checked alone).
    let mut unusable: Vec<String> = Vec::new();
    records.retain(|r| match r.labels.validate() {
        Ok(()) => true,
        Err(e) => {
            unusable.push(format!("{} ({e})", r.id));
            false
        }
    });
    {
        let mut s = session.borrow_mut();
        s.stored = records.iter().map(|r| r.id.clone()).collect();
        s.records = records.clone();
        s.next_added = records.iter().map(|r| r.added).max().unwrap_or(0) + 1;
    }
    store.dispatch(Msg::Documents(entries(&records)));
    store.dispatch(Msg::Annotator(workspace.annotator.clone()));
    let default = Document::default_article().id;
    let wanted = workspace.current.clone().unwrap_or(default.clone());
    // The others to fall back on: the one saved last first.
    let mut others: Vec<&DocRecord> = records.iter().filter(|r| r.id != wanted).collect();
    sort::sort_by_key(&mut others, |r| std::cmp::Reverse(r.saved_at));
    let candidates: Vec<String> = std::iter::once(wanted.clone())
        .chain(others.iter().map(|r| r.id.clone()))
        .chain(std::iter::once(default.clone()))
        .collect();
    let mut problems: Vec<String> = Vec::new();
    let mut opened = None;
    for id in candidates {
        match read(store, session, &db, &id).await {
            Ok(note) => {
                problems.extend(note);
                opened = Some(id);
                break;
            }
            Err(why) => problems.push(why),
        }
    }
    session.borrow_mut().queue.ready();
    if !matches!(store.ui.save, SaveStatus::Failed(_)) {
        store.dispatch(Msg::Save(SaveStatus::Ready));
    }
    if let Some(id) = &opened {
        if *id != wanted {
            let title = store.state().document().title.clone();
            problems.push(format!(
                "Opened “{title}”, the document saved last, instead."
            ));
            point_workspace(store, session, id.clone());
        }
    }
    if damaged > 0 {
        problems.push(format!(
            "{damaged} stored document record(s) could not be read and were skipped."
        ));
    }
    if !unusable.is_empty() {
        problems.push(format!(
            "Stored documents left out, their records being damaged: {}.",
            unusable.join("; ")
        ));
    }
    if !problems.is_empty() {
        say(store, problems.join(" "), Tone::Error);
    }
}

/// Reads a stored document into the store and says what could not be read (see [`read`]).
pub(super) async fn load(
    store: &StoreHandle,
    session: &SessionRef,
    db: &Db,
    id: &str,
) -> Result<(), String> {
    let note = read(store, session, db, id).await?;
    if let Some(note) = note {
        say(store, note, Tone::Error);
    }
    Ok(())
}

/// Reads a stored document into the store. A document not stored (the shipped article before
/// its first change) is opened fresh. Annotations whose stored records are damaged are left
/// out; the sentence returned says which and why.
pub(super) async fn read(
    store: &StoreHandle,
    session: &SessionRef,
    db: &Db,
    id: &str,
) -> Result<Option<String>, String> {
    let stored = db.load(id).await?;
    let Some((rec, text, anns)) = stored else {
        let default = Document::default_article();
        if id == default.id {
            let mut s = session.borrow_mut();
            s.serial = 0;
            s.queue.loaded();
            (s.status, s.status_written) = (Status::New, Status::New);
            s.added = 0;
            drop(s);
            // Already open and untouched (the page starts on it): nothing to replace.
            let fresh = {
                let state = store.state();
                state.document().id == default.id && state.revision() == 0
            };
            if !fresh {
                store.dispatch(Msg::Load(Rc::new(State::new(Rc::new(default)))));
            }
            super::layers::read_layers(store, session, id);
            return Ok(None);
        }
        return Err(format!(
            "The document {id} is not in this browser's storage."
        ));
    };
    let (state, skipped) = restore_stored(&rec, text, &anns)?;
    {
        let mut s = session.borrow_mut();
        s.serial = rec.serial;
        s.queue.loaded();
        (s.status, s.status_written) = (rec.status, rec.status);
        s.added = rec.added;
        s.stored.insert(rec.id.clone());
    }
    let state = Rc::new(state);
    session.borrow_mut().written = Some(state.clone());
    store.dispatch(Msg::Load(state));
    super::layers::read_layers(store, session, id);
    Ok((!skipped.is_empty()).then(|| {
        format!(
            "{} stored annotation(s) of this document were damaged and left out: {}.",
            skipped.len(),
            shorten(&skipped.join("; "), 600)
        )
    }))
}

/// Sets the open document's status (the Documents panel's choice); it is saved at once, with
/// the document's record.
pub fn set_status(store: &StoreHandle, session: &SessionRef, status: Status) {
    session.borrow_mut().status = status;
    let state = store.state();
    update_entry(store, &state.document().id, status, state.len());
    drop(state);
    save(store.clone(), session.clone());
}

/// Opens the document after (`step` 1) or before (`step` -1) the open one in the Documents
/// panel's order and filter; says so when there is none.
pub fn next_document(store: &StoreHandle, session: &SessionRef, step: isize) {
    use crate::model::catalog::{arrange, neighbour};
    let docs = store.ui.documents.clone();
    let shown = arrange(&docs, &store.ui.doc_view, dom::to_lowercase);
    let current = store.state().document().id.clone();
    match neighbour(&docs, &shown, &current, step) {
        Some(next) => switch(store.clone(), session.clone(), next.id.clone()),
        None => say(
            store,
            if step > 0 {
                "This is the last document in the list."
            } else {
                "This is the first document in the list."
            },
            Tone::Info,
        ),
    }
}

pub(super) use crate::dom::storage::restore as restore_stored;

/// Switches to another opened document.
pub fn switch(store: StoreHandle, session: SessionRef, id: String) {
    // The list shows the count of the document left as it is now.
    {
        let state = store.state();
        let status = session.borrow().status;
        update_entry(&store, &state.document().id, status, state.len());
    }
    let Some(db) = session.borrow().db.clone() else {
        say(
            &store,
            "Storage is not available, so other documents cannot be opened.",
            Tone::Error,
        );
        return;
    };
    spawn_local(async move {
        match load(&store, &session, &db, &id).await {
            Ok(()) => {
                point_workspace(&store, &session, id);
                let title = store.state().document().title.clone();
                say(&store, format!("Opened “{title}”."), Tone::Info);
            }
            Err(why) => say(&store, why, Tone::Error),
        }
    });
}

/// Opens a bundle as a new document and stores it.
/// A file's document as a new document of the project: under its own id, or the next free
/// one when storage holds that id already.
pub(super) fn new_document(session: &SessionRef, bundle: &Bundle) -> Rc<Document> {
    let id = crate::formats::fresh_document_id(&bundle.document.id, |id| {
        session.borrow().stored.contains(id)
    });
    Rc::new(Document::new(
        id,
        bundle.document.title.clone(),
        bundle.document.text(),
    ))
}

pub fn open_bundle(store: StoreHandle, session: SessionRef, bundle: Bundle) {
    let doc = new_document(&session, &bundle);
    let id = doc.id.clone();
    let n = bundle.annotations.len();
    let state = match State::restore(doc, bundle.labels, bundle.annotations, 1) {
        Ok(s) => s,
        Err(e) => return say(&store, format!("Nothing was opened: {e}"), Tone::Error),
    };
    let title = state.document().title.clone();
    // A new document: storage lacks it, so its first write stores it whole.
    {
        let mut s = session.borrow_mut();
        s.serial = 0;
        (s.status, s.status_written) = (bundle.status, Status::New);
        s.added = s.take_added();
    }
    let count = state.len();
    store.dispatch(Msg::Load(Rc::new(state)));
    store.dispatch(Msg::DocumentsAdded(vec![DocEntry {
        id: id.clone(),
        title: title.clone(),
        status: bundle.status,
        annotations: Some(count),
    }]));
    point_workspace(&store, &session, id);
    save(store.clone(), session.clone());
    say(
        &store,
        format!(
            "Opened “{title}” as a new document with {n} annotation{}.",
            if n == 1 { "" } else { "s" }
        ),
        Tone::Info,
    );
}

/// Opens text (from a .txt file or pasted) as a new document.
pub fn open_text(store: StoreHandle, session: SessionRef, name: &str, title: &str, bytes: &[u8]) {
    let text = match decode_text(bytes) {
        Ok(t) => t,
        Err(e) => return say(&store, e.to_string(), Tone::Error),
    };
    if text.trim().is_empty() {
        return say(
            &store,
            "The text is empty: there is nothing to annotate.",
            Tone::Error,
        );
    }
    if let Err(why) = check_document_text(text) {
        return say(&store, why, Tone::Error);
    }
    let stem = name
        .rsplit_once('.')
        .map_or(name, |(stem, _)| stem)
        .to_string();
    let title = if title.trim().is_empty() {
        text.lines()
            .find(|l| !l.trim().is_empty())
            .map(|l| crate::model::state::shorten(l, 80))
            .unwrap_or_else(|| stem.clone())
    } else {
        title.trim().to_string()
    };
    let id_from = if stem.trim().is_empty() {
        &title
    } else {
        &stem
    };
    let bundle = Bundle {
        document: Document::new(dom::to_lowercase(id_from), title, text),
        labels: store.state().labels().clone(),
        annotator: store.ui.annotator.clone(),
        annotations: Vec::new(),
        status: Default::default(),
    };
    store.dispatch(Msg::Ask(None));
    open_bundle(store, session, bundle);
}
