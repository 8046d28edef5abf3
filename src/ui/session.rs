//! The session: durable storage, other tabs, files in and out. These are the side effects
//! around the store (house style: outside the reducer); each flow ends by dispatching plain
//! messages, and every failure ends in a message that names it, never in silence.
//!
//! - On start: storage is opened, the last open document and its annotations are restored.
//! - After every action: what the model's journal names is written at once (only that), and
//!   the other tabs are told. A save over another tab's newer save is refused and the person
//!   is asked.
//! - Import, export, open text, switching documents.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;

use super::store::{Dialog, DocEntry, LatestStore, Msg, SaveStatus, StoreHandle, Tone};
use crate::dom;
use crate::dom::files::{download, Picked};
use crate::dom::storage::{Db, DocRecord, SaveError, Workspace};
use crate::dom::tabs::{tab_id, Channel, Saved};
use crate::formats::native::{self, Imported};
use crate::formats::{
    check_document_text, decode_text, megabytes, safe_file_stem, sha256_hex, Bundle, FileError,
    Format, MAX_FILE_BYTES,
};
use crate::model::restore::restore_lenient;
use crate::model::state::shorten;
use crate::model::{sort, Action, Document, State};

/// What the session keeps between events.
pub struct Session {
    db: Option<Db>,
    pub tab: String,
    /// The serial of the open document this tab last read or wrote.
    serial: u64,
    /// Documents that storage holds (their text is stored).
    stored: HashSet<String>,
    /// Stored records, by document id (for finding a document by its text's hash).
    records: Vec<DocRecord>,
    /// Storage is open and the saved work restored: saving may begin.
    ready: bool,
    /// A save failed or was refused: the next save writes the whole document.
    dirty: bool,
    /// Another tab saved this document: nothing is written until the person chooses.
    blocked: bool,
    /// A save is being written; another one waits for it (`again`).
    saving: bool,
    again: bool,
    channel: Option<Channel>,
    /// The open document's SHA-256, computed once (a 1 MB text takes milliseconds).
    sha256: Option<(Rc<Document>, String)>,
    /// Where the workspace should point once that document is first written.
    pending_workspace: Option<Workspace>,
    /// Storage did not open (or not in time): this tab works without it.
    gave_up: bool,
    /// Writes what is pending when the page is hidden or left.
    flush: Option<crate::dom::HideListeners>,
}

impl Session {
    fn sha256_of(&mut self, doc: &Rc<Document>) -> String {
        match &self.sha256 {
            Some((d, sha)) if Rc::ptr_eq(d, doc) => sha.clone(),
            _ => {
                let sha = sha256_hex(doc.text());
                self.sha256 = Some((doc.clone(), sha.clone()));
                sha
            }
        }
    }
}

pub type SessionRef = Rc<RefCell<Session>>;

impl Session {
    pub fn new() -> SessionRef {
        Rc::new(RefCell::new(Session {
            db: None,
            tab: tab_id(),
            serial: 0,
            stored: HashSet::new(),
            records: Vec::new(),
            ready: false,
            dirty: false,
            blocked: false,
            saving: false,
            again: false,
            channel: None,
            sha256: None,
            pending_workspace: None,
            gave_up: false,
            flush: None,
        }))
    }
}

fn say(store: &StoreHandle, text: impl Into<String>, tone: Tone) {
    store.dispatch(Msg::Say(text.into(), tone));
}

fn entries(records: &[DocRecord]) -> Vec<DocEntry> {
    let default = Document::default_article();
    let mut out = vec![DocEntry {
        id: default.id.clone(),
        title: default.title.clone(),
    }];
    for r in records {
        if r.id != default.id {
            out.push(DocEntry {
                id: r.id.clone(),
                title: r.title.clone(),
            });
        }
    }
    out
}

/// Opens storage and restores the last open document. Called once, when the app mounts.
///
/// `latest` is the store handle of the App's latest render: the listeners that live as long
/// as the page read it, rather than a handle captured here (a handle keeps every state it has
/// read alive).
pub fn start(store: StoreHandle, session: SessionRef, latest: LatestStore) {
    crate::dom::storage::request_persistence();
    // Hear other tabs' saves of the document open here.
    {
        let (latest, session2) = (latest.clone(), session.clone());
        let channel = Channel::open(move |saved: Saved| {
            let (me, open) = {
                let s = session2.borrow();
                (s.tab.clone(), s.serial)
            };
            let store = latest.borrow().clone();
            let doc = store.state().document().id.clone();
            if saved.tab != me && saved.doc == doc && saved.serial > open {
                store.dispatch(Msg::Ask(Some(Dialog::Conflict {
                    while_saving: false,
                })));
            }
        });
        session.borrow_mut().channel = channel;
    }
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
            if s.db.is_none() && !s.ready {
                s.gave_up = true;
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
            Ok(db) if !session.borrow().gave_up => restore(&store, &session, db).await,
            Ok(_) => {}
            Err(why) => {
                session.borrow_mut().gave_up = true;
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
const STORAGE_PATIENCE_MS: u32 = 5_000;

/// Reads what storage holds and reopens the document the workspace points at; if that one is
/// not there (or cannot be read), the document saved last; the shipped article if none.
async fn restore(store: &StoreHandle, session: &SessionRef, db: Db) {
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
    {
        let mut s = session.borrow_mut();
        s.ready = true;
    }
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
async fn load(store: &StoreHandle, session: &SessionRef, db: &Db, id: &str) -> Result<(), String> {
    let note = read(store, session, db, id).await?;
    if let Some(note) = note {
        say(store, note, Tone::Error);
    }
    Ok(())
}

/// Reads a stored document into the store. A document not stored (the shipped article before
/// its first change) is opened fresh. Annotations whose stored records are damaged are left
/// out; the sentence returned says which and why.
async fn read(
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
            s.dirty = false;
            s.blocked = false;
            drop(s);
            // Already open and untouched (the page starts on it): nothing to replace.
            let fresh = {
                let state = store.state();
                state.document().id == default.id && state.revision() == 0
            };
            if !fresh {
                store.dispatch(Msg::Load(Box::new(State::new(Rc::new(default)))));
            }
            return Ok(None);
        }
        return Err(format!(
            "The document {id} is not in this browser's storage."
        ));
    };
    let doc = Rc::new(Document::new(rec.id.clone(), rec.title.clone(), text));
    let mut annotations = Vec::with_capacity(anns.len());
    let mut skipped = Vec::new();
    let reader = native::StoredReader::new(&doc, &rec.labels);
    for (k, json) in anns.iter().enumerate() {
        match reader.read(json) {
            Ok(a) => annotations.push(a),
            Err(why) => skipped.push(format!("stored annotation {}: {why}", k + 1)),
        }
    }
    let restored = restore_lenient(doc, rec.labels.clone(), annotations, rec.next_seq)
        .map_err(|e| format!("The stored document {id} cannot be opened: {e}."))?;
    skipped.extend(restored.skipped);
    {
        let mut s = session.borrow_mut();
        s.serial = rec.serial;
        s.dirty = false;
        s.blocked = false;
        s.stored.insert(rec.id.clone());
    }
    store.dispatch(Msg::Load(Box::new(restored.state)));
    Ok((!skipped.is_empty()).then(|| {
        format!(
            "{} stored annotation(s) of this document were damaged and left out: {}.",
            skipped.len(),
            shorten(&skipped.join("; "), 600)
        )
    }))
}

fn record(state: &State, session: &mut Session) -> DocRecord {
    let doc = state.document();
    DocRecord {
        id: doc.id.clone(),
        title: doc.title.clone(),
        sha256: session.sha256_of(doc),
        labels: state.labels().clone(),
        next_seq: state.next_seq(),
        serial: session.serial,
        writer: session.tab.clone(),
        saved_at: crate::dom::now().millis(),
    }
}

/// Writes what changed since the last save. Called after every action.
pub fn save(store: StoreHandle, session: SessionRef) {
    let (db, full, known) = {
        let mut s = session.borrow_mut();
        if !s.ready || s.blocked {
            return;
        }
        if s.saving {
            // One write at a time; the journal keeps what changed meanwhile.
            s.again = true;
            return;
        }
        let Some(db) = s.db.clone() else {
            return;
        };
        let doc_id = store.state().document().id.clone();
        (db, s.dirty || !s.stored.contains(&doc_id), s.serial)
    };
    let journal = store.take_journal();
    let state = store.state();
    let doc = state.document().clone();
    let rec = record(&state, &mut session.borrow_mut());
    // A whole document's annotations are serialised in batches by the writer (see Db::create).
    let all: Vec<Rc<crate::model::Annotation>> = if full {
        state.annotations().to_vec()
    } else {
        Vec::new()
    };
    let writes: Vec<(String, Option<String>)> = journal
        .ids
        .iter()
        .map(|id| {
            (
                id.clone(),
                state.get(id).map(|a| native::annotation_json(&doc, a)),
            )
        })
        .collect();
    drop(state);
    if !full && writes.is_empty() && !journal.labels {
        return;
    }
    // The workspace may point at this document only once it is written: with it.
    let workspace = if full {
        session
            .borrow()
            .pending_workspace
            .clone()
            .filter(|w| w.current.as_deref() == Some(rec.id.as_str()))
    } else {
        None
    };
    session.borrow_mut().saving = true;
    spawn_local(async move {
        if full {
            // A whole document is written once the page has painted what it shows, or at
            // once where no frame comes (a hidden tab paints none).
            crate::dom::after_paint().await;
        }
        let result = if full {
            let mut rec = rec.clone();
            rec.serial = known + 1;
            db.create(&rec, &doc, &all, Some(known), workspace.as_ref())
                .await
                .map(|_| rec.serial)
        } else {
            db.save(&rec, known, &writes).await
        };
        match result {
            Ok(serial) => {
                let mut s = session.borrow_mut();
                s.serial = serial;
                s.dirty = false;
                s.saving = false;
                if workspace.is_some() && s.pending_workspace == workspace {
                    s.pending_workspace = None;
                }
                if s.stored.insert(rec.id.clone()) {
                    s.records.push(rec.clone());
                }
                if let Some(c) = &s.channel {
                    c.announce(&Saved {
                        tab: s.tab.clone(),
                        doc: rec.id.clone(),
                        serial,
                    });
                }
                let again = std::mem::take(&mut s.again);
                drop(s);
                store.dispatch(Msg::Save(SaveStatus::Saved(crate::dom::now())));
                if again {
                    save(store, session);
                }
            }
            Err(SaveError::Conflict { .. }) => {
                let mut s = session.borrow_mut();
                s.dirty = true;
                s.blocked = true;
                s.saving = false;
                s.again = false;
                drop(s);
                store.dispatch(Msg::Save(SaveStatus::Conflict));
                store.dispatch(Msg::Ask(Some(Dialog::Conflict { while_saving: true })));
            }
            Err(e @ SaveError::Failed(_)) => {
                let mut s = session.borrow_mut();
                s.dirty = true;
                s.saving = false;
                s.again = false;
                drop(s);
                store.dispatch(Msg::Save(SaveStatus::Failed(e.to_string())));
            }
        }
    });
}

/// Resolves a conflict: reload the stored document, or overwrite it with this tab's work.
pub fn resolve_conflict(store: StoreHandle, session: SessionRef, reload: bool) {
    store.dispatch(Msg::Ask(None));
    let Some(db) = session.borrow().db.clone() else {
        return;
    };
    let id = store.state().document().id.clone();
    spawn_local(async move {
        if reload {
            match load(&store, &session, &db, &id).await {
                Ok(()) => {
                    let mut s = session.borrow_mut();
                    s.dirty = false;
                    s.blocked = false;
                    drop(s);
                    store.dispatch(Msg::Save(SaveStatus::Saved(crate::dom::now())));
                    say(&store, "Reloaded the saved version.", Tone::Info);
                }
                Err(why) => say(&store, why, Tone::Error),
            }
        } else {
            // Take over: this tab's version becomes the stored one.
            let stored = db.load(&id).await.ok().flatten().map(|(r, _, _)| r.serial);
            {
                let mut s = session.borrow_mut();
                s.dirty = true;
                s.blocked = false;
                s.serial = stored.unwrap_or(s.serial);
            }
            save(store.clone(), session.clone());
            say(
                &store,
                "Kept this tab's version; it is saved over the other.",
                Tone::Info,
            );
        }
    });
}

/// Points the workspace at document `current` (and keeps the annotator's name): at once when
/// that document is stored (or is the shipped article, which opens without being stored),
/// otherwise with the document's first write, so the pointer never names a document storage
/// does not hold.
fn point_workspace(store: &StoreHandle, session: &SessionRef, current: String) {
    let ws = Workspace {
        current: Some(current.clone()),
        annotator: store.ui.annotator.clone(),
    };
    let db = {
        let mut s = session.borrow_mut();
        let written = s.stored.contains(&current) || current == Document::default_article().id;
        if !written {
            s.pending_workspace = Some(ws);
            return;
        }
        s.pending_workspace = None;
        s.db.clone()
    };
    let Some(db) = db else {
        return;
    };
    let store = store.clone();
    spawn_local(async move {
        if let Err(why) = db.save_workspace(&ws).await {
            store.dispatch(Msg::Save(SaveStatus::Failed(format!(
                "The browser did not save which document is open: {why}."
            ))));
        }
    });
}

pub fn set_annotator(store: &StoreHandle, session: &SessionRef, name: String) {
    store.dispatch(Msg::Annotator(name));
    let current = store.state().document().id.clone();
    point_workspace(store, session, current);
}

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
        match result {
            Ok(bytes) => finish_download(&store, &name, format, &bytes),
            Err(why) if why == crate::dom::worker::CANCELLED => {
                say(&store, format!("{name}: cancelled."), Tone::Info)
            }
            Err(why) => say(
                &store,
                format!("{name} could not be made: {why}"),
                Tone::Error,
            ),
        }
    });
}

/// Shows that a conversion is under way (with its Cancel button); returns its serial.
fn start_busy(store: &StoreHandle, what: String) -> u64 {
    store.dispatch(Msg::StartBusy(what));
    store.ui.busy.as_ref().map_or(0, |b| b.serial)
}

fn finish_download(store: &StoreHandle, name: &str, format: Format, bytes: &[u8]) {
    match download(name, format.mime(), bytes) {
        Ok(()) => say(store, format!("Exported {name}"), Tone::Info),
        Err(why) => say(store, format!("The download failed: {why}"), Tone::Error),
    }
}

/// Switches to another opened document.
pub fn switch(store: StoreHandle, session: SessionRef, id: String) {
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

/// Native files up to this size are read on the page's thread (a 1 MB file of 10,000
/// annotations takes about 0.1 s there); larger ones in the formats worker.
const NATIVE_HERE_BYTES: usize = 1_000_000;

/// Reads file bytes in whatever format they are, and offers them (see [`offer`]). Small native
/// files are read here; the others are converted to native text by the formats worker first.
fn open_bytes(store: StoreHandle, session: SessionRef, name: String, bytes: Vec<u8>) {
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
    if format == Format::Native && bytes.len() <= NATIVE_HERE_BYTES {
        return opened(store, session, name, native::import_bytes(&bytes));
    }
    let busy = start_busy(
        &store,
        format!("Reading {name} ({})", megabytes(bytes.len() as u64)),
    );
    spawn_local(async move {
        let result = crate::dom::worker::import(format.key(), &name, &bytes).await;
        store.dispatch(Msg::EndBusy(busy));
        match result {
            Err(why) if why == crate::dom::worker::CANCELLED => say(
                &store,
                format!("{name}: import cancelled; nothing was changed."),
                Tone::Info,
            ),
            Err(why) => say(&store, format!("{name}: {why}"), Tone::Error),
            Ok(converted) => {
                let result = native::import(&converted.native).map(|mut imported| {
                    imported.problems = converted.problems;
                    imported.total = converted.total;
                    imported
                });
                opened(store, session, name, result);
            }
        }
    });
}

fn opened(
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
            offer(store, session, name, imported);
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

fn importable() -> String {
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
pub fn offer(store: StoreHandle, session: SessionRef, file: String, imported: Imported) {
    let sha = sha256_hex(imported.bundle.document.text());
    if sha == sha256_hex(store.state().document().text()) {
        if store.state().is_empty() {
            // Nothing here to replace or merge with: no question to ask.
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

/// An id for a new document that no opened document has.
fn fresh_doc_id(session: &Session, wanted: &str) -> String {
    let base = safe_file_stem(wanted);
    let default = Document::default_article().id;
    let taken = |id: &str| id == default || session.stored.contains(id);
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !taken(id))
        .expect("some suffix is free")
}

/// Opens a bundle as a new document and stores it.
pub fn open_bundle(store: StoreHandle, session: SessionRef, bundle: Bundle) {
    let id = fresh_doc_id(&session.borrow(), &bundle.document.id);
    let doc = Rc::new(Document::new(
        id.clone(),
        bundle.document.title.clone(),
        bundle.document.text(),
    ));
    let n = bundle.annotations.len();
    let state = match State::restore(doc, bundle.labels, bundle.annotations, 1) {
        Ok(s) => s,
        Err(e) => return say(&store, format!("Nothing was opened: {e}"), Tone::Error),
    };
    let title = state.document().title.clone();
    session.borrow_mut().serial = 0;
    session.borrow_mut().dirty = true;
    store.dispatch(Msg::Load(Box::new(state)));
    let mut docs = store.ui.documents.clone();
    docs.push(DocEntry {
        id: id.clone(),
        title: title.clone(),
    });
    store.dispatch(Msg::Documents(docs));
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
    };
    store.dispatch(Msg::Ask(None));
    open_bundle(store, session, bundle);
}

/// The session as components receive it (a context; equal when it is the same session).
#[derive(Clone)]
pub struct SessionCtx(pub SessionRef);

impl PartialEq for SessionCtx {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}
