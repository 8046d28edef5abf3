//! The session: durable storage, other tabs, files in and out. These are the side effects
//! around the store (house style: outside the reducer); each flow ends by dispatching plain
//! messages, and every failure ends in a message that names it, never in silence.
//!
//! - On start: storage is opened, the last open document and its annotations are restored.
//! - After every action: what the model's journal names is written at once (only that), and
//!   the other tabs are told. A save over another tab's newer save is refused and the person
//!   is asked.
//! - Import, export, open text, switching documents.
//!
//! Split by concern: [`persist`] (saves, conflicts, the workspace pointer) with [`queue`]
//! (where saving stands, as one state machine), [`tabs`] (other tabs' saves), [`documents`]
//! (start and restore, reading, switching, new documents), [`files`] (import, export, the
//! worker), [`corpus`] (the documents of a file of many, stored one by one), [`project`] (the
//! whole project out as one file). This module holds
//! what they share: the [`Session`] and its context.

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
    check_document_text, decode_text, megabytes, sha256_hex, Bundle, FileError, Format,
    MAX_FILE_BYTES,
};
use crate::model::state::shorten;
use crate::model::{sort, Action, Document, State, Status};

mod corpus;
mod documents;
mod files;
mod layers;
mod persist;
mod project;
mod queue;
mod tabs;

// What the three share among themselves (each reads `super::*`).
use documents::*;
use files::*;
use persist::*;
use queue::{Next, Queue, Written};

pub use corpus::{already_held, store_corpus, OnMatch};
pub use documents::{next_document, set_status};
pub use documents::{open_text, start, switch};
pub use files::{apply_import, export, import_file, import_files, offer};
pub use layers::{add_layer, remove_layer};
pub use persist::{resolve_conflict, save, set_annotator};
pub use project::export_project;

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
    /// Where saving stands (one state machine: [`queue::Queue`]).
    queue: Queue,
    /// The state storage holds for the open document (restored or last written): a save
    /// writes what differs from it (`State::changes_since`).
    written: Option<Rc<State>>,
    channel: Option<Channel>,
    /// The open document's SHA-256, computed once (a 1 MB text takes milliseconds).
    sha256: Option<(Rc<Document>, String)>,
    /// Where the workspace should point once that document is first written.
    pending_workspace: Option<Workspace>,
    /// Writes what is pending when the page is hidden or left.
    flush: Option<crate::dom::HideListeners>,
    /// The open document's status, and the one its stored record holds.
    status: Status,
    status_written: Status,
    /// The open document's place in the order documents came into the project, and the
    /// next document's.
    added: u64,
    next_added: u64,
}

impl Session {
    /// A place for a document new to the project, after every other.
    fn take_added(&mut self) -> u64 {
        self.next_added += 1;
        self.next_added - 1
    }

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

/// Whether a save is being written now (the page waits for it before reloading).
pub fn writing(session: &SessionRef) -> bool {
    matches!(session.borrow().queue, Queue::Writing { .. })
}

impl Session {
    pub fn new() -> SessionRef {
        Rc::new(RefCell::new(Session {
            db: None,
            tab: tab_id(),
            serial: 0,
            stored: HashSet::new(),
            records: Vec::new(),
            queue: Queue::Opening,
            written: None,
            channel: None,
            sha256: None,
            pending_workspace: None,
            flush: None,
            status: Status::New,
            status_written: Status::New,
            added: 0,
            next_added: 1,
        }))
    }
}

fn say(store: &StoreHandle, text: impl Into<String>, tone: Tone) {
    store.dispatch(Msg::Say(text.into(), tone));
}

/// The documents list: the shipped article first (stored or not), then the stored documents in
/// the order they came into the project.
fn entries(records: &[DocRecord]) -> Vec<DocEntry> {
    let default = Document::default_article();
    let stored_default = records.iter().find(|r| r.id == default.id);
    let mut out = vec![stored_default.map_or_else(
        || DocEntry {
            id: default.id.clone(),
            title: default.title.clone(),
            status: Status::New,
            annotations: Some(0),
        },
        entry_of,
    )];
    let mut others: Vec<&DocRecord> = records.iter().filter(|r| r.id != default.id).collect();
    sort::sort_by(&mut others, |a, b| (a.added, &a.id).cmp(&(b.added, &b.id)));
    out.extend(others.into_iter().map(entry_of));
    out
}

fn entry_of(r: &DocRecord) -> DocEntry {
    DocEntry {
        id: r.id.clone(),
        title: r.title.clone(),
        status: r.status,
        annotations: r.annotations,
    }
}

/// Changes one document's entry in the list (its status, its count). The reducer changes the
/// list as it is then (a handle held across an await may show an older one).
fn update_entry(store: &StoreHandle, id: &str, status: Status, annotations: usize) {
    store.dispatch(Msg::DocumentChanged {
        id: id.to_string(),
        status,
        annotations,
    });
}

/// The session as components receive it (a context; equal when it is the same session).
#[derive(Clone)]
pub struct SessionCtx(pub SessionRef);

impl PartialEq for SessionCtx {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}
