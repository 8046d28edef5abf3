//! Durable storage in IndexedDB: every change is written at once, keyed by document, and read
//! back on reload.
//!
//! Stores (database `marginalia`, version 1):
//! - `docs`: document id → a small JSON [`DocRecord`] (title, sha256, labels, annotator,
//!   id counter, and a `serial` bumped by every save, with the tab that wrote it);
//! - `texts`: document id → the document's text, written once;
//! - `anns`: `[document id, annotation id]` → one annotation as its native JSON object; or
//!   `[document id, 0]` → a *pack*: all the annotations of a document stored with a corpus,
//!   their JSON objects one a line (a record an annotation cost ~0.11 ms each to write, 11 s
//!   for a corpus of 100,000; a record a document, 0.8 s). A value of `anns` is read as one
//!   annotation a line either way (compact JSON holds no raw line break), and the first save
//!   of a packed document unpacks it in its own transaction (see [`Db::save`]);
//! - `meta`: `"workspace"` → which document is open, the annotator's name.
//!
//! A save writes only the annotations a change touched (the model's journal), so its cost does
//! not grow with the document. Before writing, it checks in the same transaction that the
//! document's `serial` is still the one this tab last read or wrote: if another tab saved in
//! between, nothing is written and the caller hears [`SaveError::Conflict`].
//!
//! Requests and transactions are `indexed_db_futures` futures: each one's event callbacks live
//! as long as the future and are dropped with it. (Hand-wired `once_into_js` callbacks leaked
//! the one that never fired, with the request it captured: ~5 KB of JS heap per change.)

use std::rc::Rc;

use indexed_db_futures::database::Database;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use indexed_db_futures::KeyRange;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::formats::{native, Bundle};
use crate::model::restore::restore_lenient;
use crate::model::{Annotation, Document, Labels, State, Status};

const DB_NAME: &str = "marginalia";
/// Annotations written per step when a whole document is stored.
const CREATE_BATCH: usize = 500;
const DB_VERSION: u32 = 1;

/// What storage keeps about a document besides its text and annotations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocRecord {
    pub id: String,
    pub title: String,
    pub sha256: String,
    pub labels: Labels,
    pub next_seq: u64,
    /// Bumped by every save; a tab saves only over the serial it knows.
    pub serial: u64,
    /// The tab that wrote this serial.
    pub writer: String,
    /// When it was last saved (ms since the epoch).
    pub saved_at: i64,
    /// Where the document stands (records written before statuses existed: new).
    #[serde(default)]
    pub status: Status,
    /// How many annotations were stored with this record (older records: not known).
    #[serde(default)]
    pub annotations: Option<usize>,
    /// Its place in the order documents came into the project (older records: 0).
    #[serde(default)]
    pub added: u64,
}

/// A stored document as storage holds it: its record, its text, its annotations' JSON objects.
pub type Stored = (DocRecord, String, Vec<String>);

/// A stored document's values as the browser gives them: its record's JSON, its text, and its
/// values of `anns` (each one annotation's JSON object, or a pack's).
pub type StoredRaw = (String, JsValue, js_sys::Array);

/// A stored document's values read: the record parsed, the text and every annotation's JSON
/// object as strings.
pub fn read_stored((rec, text, values): StoredRaw) -> Result<Stored, String> {
    let rec: DocRecord =
        serde_json::from_str(&rec).map_err(|e| format!("a stored record is damaged: {e}"))?;
    let text = text.as_string().ok_or("a stored text is missing")?;
    let mut annotations = Vec::new();
    for value in values.iter() {
        if let Some(value) = value.as_string() {
            annotations.extend(unpack(&value).map(str::to_string));
        }
    }
    Ok((rec, text, annotations))
}

/// A stored document as a state: its record, text and annotation objects as storage holds
/// them. Annotations whose records are damaged are left out and named.
pub fn restore(
    rec: &DocRecord,
    text: String,
    anns: &[String],
) -> Result<(State, Vec<String>), String> {
    let id = &rec.id;
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
    let mut restored = restore_lenient(doc, rec.labels.clone(), annotations, rec.next_seq)
        .map_err(|e| format!("The stored document {id} cannot be opened: {e}."))?;
    skipped.append(&mut restored.skipped);
    Ok((restored.state, skipped))
}

/// A stored document as a bundle with its status, to export: refused, not silently shortened,
/// if any of its stored annotations cannot be read.
pub fn stored_bundle(
    rec: &DocRecord,
    text: String,
    anns: &[String],
    annotator: &str,
) -> Result<Bundle, String> {
    let (state, skipped) = restore(rec, text, anns)?;
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

/// A document of a corpus to store for the first time: its record, and its text and pack of
/// annotations ([`pack`]; null if none) as JS strings (the formats worker's, stored as they
/// came).
pub type NewDocument = (DocRecord, JsValue, JsValue);

/// Which document is open, and who annotates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    pub current: Option<String>,
    pub annotator: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SaveError {
    /// Another tab saved this document since this tab last read or wrote it.
    Conflict { by_serial: u64 },
    /// The browser refused to store (quota, private mode, storage turned off…).
    Failed(String),
}

impl std::fmt::Display for SaveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SaveError::Conflict { .. } => {
                f.write_str("This document was saved from another tab since you opened it here.")
            }
            SaveError::Failed(why) => write!(f, "The browser did not save your work: {why}."),
        }
    }
}

/// What IndexedDB said went wrong, as a sentence's tail. (Written out rather than the crate's
/// `Display`, which can print a float and so would link Rust's float formatting into the page.)
fn idb_error(e: indexed_db_futures::error::Error) -> String {
    use indexed_db_futures::error::{Error, JSError};
    match e {
        Error::DomException(ex) => js_text(ex.as_ref()),
        Error::Unknown(JSError::Error(js)) => js_text(&js),
        Error::Unknown(JSError::Unknown(js)) => js_text(&js),
        Error::Serialisation(_) => "a stored value is not what Marginalia wrote".into(),
        Error::MissingData(_) => "storage answered without the data asked for".into(),
    }
}

fn open_error(e: indexed_db_futures::error::OpenDbError) -> String {
    use indexed_db_futures::error::OpenDbError;
    match e {
        OpenDbError::Base(e) => idb_error(e),
        // indexed_db_futures 0.6 reports an exception thrown by `IDBFactory.open` (storage
        // turned off, a private window) as `VersionZero`, without the exception (factory.rs,
        // `fmt_open_raw`). Asking once more gives the browser's own words.
        OpenDbError::VersionZero => web_sys::window()
            .and_then(|w| w.indexed_db().ok().flatten())
            .and_then(|f| f.open_with_u32(DB_NAME, DB_VERSION).err())
            .map_or_else(|| "storage could not be opened".into(), |e| js_text(&e)),
        _ => "this browser offers no IndexedDB".into(),
    }
}

/// A JavaScript error as text: a DOMException's name and message, an Error's message.
fn js_text(e: &JsValue) -> String {
    if let Some(ex) = e.dyn_ref::<web_sys::DomException>() {
        return format!("{}: {}", ex.name(), ex.message());
    }
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| "an unknown error".into())
}

fn failed(e: indexed_db_futures::error::Error) -> SaveError {
    SaveError::Failed(idb_error(e))
}

/// The key of one annotation: `[document id, annotation id]`.
fn ann_key(doc: &str, id: &str) -> JsValue {
    js_sys::Array::of2(&doc.into(), &id.into()).into()
}

/// The key of a document's pack: `[document id, 0]` (no annotation id is a number, and a
/// number sorts before every string, inside [`doc_range`]).
fn pack_key(doc: &str) -> JsValue {
    js_sys::Array::of2(&doc.into(), &0.into()).into()
}

/// The annotations' JSON objects as one stored value, one a line (the formats worker packs a
/// corpus's documents with it).
pub fn pack(doc: &Document, anns: &[Rc<Annotation>]) -> String {
    let mut out = String::new();
    for (k, a) in anns.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        out.push_str(&native::annotation_json(doc, a));
    }
    out
}

/// The annotation JSON objects of a value of `anns` (one, or a pack's, one a line).
pub fn unpack(value: &str) -> impl Iterator<Item = &str> {
    value.split('\n').filter(|line| !line.is_empty())
}

/// The id an annotation's JSON object gives, if it can be read.
fn annotation_id(json: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    serde_json::from_str::<Id>(json).ok().map(|i| i.id)
}

/// Every `[doc, …]` key: from `[doc]` (shorter arrays sort first) up to `[doc, []]` (an array
/// sorts after every string).
fn doc_range(doc: &str) -> KeyRange<JsValue> {
    let lower = js_sys::Array::of1(&doc.into());
    let upper = js_sys::Array::of2(&doc.into(), &js_sys::Array::new());
    KeyRange::Bound(lower.into(), false, upper.into(), false)
}

const STORES: [&str; 4] = ["docs", "texts", "anns", "meta"];

#[derive(Clone)]
pub struct Db {
    db: Database,
}

impl Db {
    /// Opens (creating on first use) the database.
    pub async fn open() -> Result<Db, String> {
        let db = Database::open(DB_NAME)
            .with_version(DB_VERSION)
            .with_on_upgrade_needed(|_, db: Database| {
                let names: Vec<String> = db.object_store_names().collect();
                for store in STORES {
                    if !names.iter().any(|n| n == store) {
                        db.create_object_store(store).build()?;
                    }
                }
                Ok(())
            })
            .await
            .map_err(open_error)?;
        Ok(Db { db })
    }

    fn tx<const N: usize>(
        &self,
        stores: [&str; N],
        write: bool,
    ) -> Result<Transaction<'_>, String> {
        let mode = if write {
            TransactionMode::Readwrite
        } else {
            TransactionMode::Readonly
        };
        self.db
            .transaction(stores)
            .with_mode(mode)
            .build()
            .map_err(idb_error)
    }

    async fn get_string(&self, store: &str, key: &str) -> Result<Option<String>, String> {
        let tx = self.tx([store], false)?;
        let store = tx.object_store(store).map_err(idb_error)?;
        let value: Option<String> = store
            .get(key)
            .primitive()
            .map_err(idb_error)?
            .await
            .map_err(idb_error)?;
        Ok(value)
    }

    pub async fn workspace(&self) -> Result<Workspace, String> {
        Ok(self
            .get_string("meta", "workspace")
            .await?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    pub async fn save_workspace(&self, ws: &Workspace) -> Result<(), String> {
        let tx = self.tx(["meta"], true)?;
        put_workspace(&tx, ws).map_err(|e| match e {
            SaveError::Failed(why) => why,
            other => other.to_string(),
        })?;
        tx.commit().await.map_err(idb_error)
    }

    /// The other annotators' layers of document `id` (review): each a native file's text, as
    /// it was imported; kept under `layers/<id>` in the meta store, apart from the person's
    /// own annotations, which they never change.
    pub async fn layers(&self, id: &str) -> Result<Vec<String>, String> {
        Ok(self
            .get_string("meta", &format!("layers/{id}"))
            .await?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    /// Stores document `id`'s layers (all of them: see [`Db::layers`]).
    pub async fn save_layers(&self, id: &str, layers: &[String]) -> Result<(), String> {
        let json = serde_json::to_string(layers).map_err(|e| e.to_string())?;
        let tx = self.tx(["meta"], true)?;
        tx.object_store("meta")
            .map_err(idb_error)?
            .put(json)
            .with_key(format!("layers/{id}"))
            .primitive()
            .map_err(idb_error)?;
        tx.commit().await.map_err(idb_error)
    }

    /// Every stored document's record; records that cannot be read are counted, not returned.
    pub async fn documents(&self) -> Result<(Vec<DocRecord>, usize), String> {
        let tx = self.tx(["docs"], false)?;
        let all = tx
            .object_store("docs")
            .map_err(idb_error)?
            .get_all::<JsValue>()
            .primitive()
            .map_err(idb_error)?
            .await
            .map_err(idb_error)?;
        let mut records = Vec::new();
        let mut damaged = 0;
        for v in all {
            match v
                .ok()
                .and_then(|v| v.as_string())
                .and_then(|s| serde_json::from_str::<DocRecord>(&s).ok())
            {
                Some(r) => records.push(r),
                None => damaged += 1,
            }
        }
        Ok((records, damaged))
    }

    /// A document's record, text and annotation JSON objects, if stored.
    pub async fn load(&self, id: &str) -> Result<Option<Stored>, String> {
        let mut one = self.load_many(&[id.to_string()]).await?;
        Ok(one.pop().flatten())
    }

    /// Several documents' records, texts and annotation objects, read in one transaction with
    /// every request made at once (a transaction a document, one after the other, took ~5 ms
    /// each: seconds for a project of a thousand). In the order of `ids`; `None` where a
    /// document is not stored.
    pub async fn load_many(&self, ids: &[String]) -> Result<Vec<Option<Stored>>, String> {
        let raw = self.load_many_raw(ids).await?;
        raw.into_iter()
            .map(|r| r.map(read_stored).transpose())
            .collect()
    }

    /// As [`Db::load_many`], the values left as the browser gave them (for the formats
    /// worker, which reads them itself: a project's export).
    pub async fn load_many_raw(&self, ids: &[String]) -> Result<Vec<Option<StoredRaw>>, String> {
        let tx = self.tx(["docs", "texts", "anns"], false)?;
        let store = |name| tx.object_store(name).map_err(idb_error);
        let (docs, texts, anns) = (store("docs")?, store("texts")?, store("anns")?);
        let mut asked = Vec::with_capacity(ids.len());
        for id in ids {
            let rec = docs
                .get::<String, _, _>(id.as_str())
                .primitive()
                .map_err(idb_error)?;
            let text = texts
                .get::<JsValue, _, _>(id.as_str())
                .primitive()
                .map_err(idb_error)?;
            let list = anns
                .get_all::<JsValue>()
                .with_query::<JsValue, _>(doc_range(id))
                .primitive()
                .map_err(idb_error)?;
            asked.push((rec, text, list));
        }
        let mut out = Vec::with_capacity(ids.len());
        for (rec, text, list) in asked {
            let Some(rec) = rec.await.map_err(idb_error)? else {
                out.push(None);
                continue;
            };
            let text = text.await.map_err(idb_error)?.unwrap_or(JsValue::UNDEFINED);
            let values: js_sys::Array = list
                .await
                .map_err(idb_error)?
                .filter_map(|v| v.ok())
                .collect();
            out.push(Some((rec, text, values)));
        }
        Ok(out)
    }

    /// Stores several new documents in one transaction (a corpus's, a batch at a time): for
    /// each, its text, its annotations as one pack and its record. Nothing is stored under their ids yet
    /// (the caller gives fresh ids), so nothing is cleared first.
    pub async fn create_many(&self, batch: &[NewDocument]) -> Result<(), SaveError> {
        let tx = self
            .tx(["docs", "texts", "anns"], true)
            .map_err(SaveError::Failed)?;
        let (docs, texts, anns) = (
            tx.object_store("docs").map_err(failed)?,
            tx.object_store("texts").map_err(failed)?,
            tx.object_store("anns").map_err(failed)?,
        );
        for (rec, text, packed) in batch {
            drop(
                texts
                    .put(text)
                    .with_key(rec.id.as_str())
                    .primitive()
                    .map_err(failed)?,
            );
            if packed.is_string() {
                drop(
                    anns.put(packed)
                        .with_key(pack_key(&rec.id))
                        .primitive()
                        .map_err(failed)?,
                );
            }
            let json = serde_json::to_string(rec).map_err(|e| SaveError::Failed(e.to_string()))?;
            drop(
                docs.put(json)
                    .with_key(rec.id.as_str())
                    .primitive()
                    .map_err(failed)?,
            );
        }
        tx.commit().await.map_err(failed)
    }

    /// Stores a whole document, replacing whatever was stored under its id, unless another
    /// tab saved it since `known_serial` (when given); and, in the same transaction, the
    /// workspace when one is given, so that it never points at a document not yet written.
    ///
    /// The annotations are serialised and written in batches: the transaction stays open from
    /// one batch's completion to the next, and between batches the page keeps responding (an
    /// opened document of 10,000 annotations took the main thread for ~0.4 s in one go).
    pub async fn create(
        &self,
        rec: &DocRecord,
        doc: &Document,
        anns: &[Rc<Annotation>],
        known_serial: Option<u64>,
        workspace: Option<&Workspace>,
    ) -> Result<(), SaveError> {
        let tx = self
            .tx(["docs", "texts", "anns", "meta"], true)
            .map_err(SaveError::Failed)?;
        let docs = tx.object_store("docs").map_err(failed)?;
        if let Some(known) = known_serial {
            check_serial(&docs, rec, known).await?;
        }
        let store = tx.object_store("anns").map_err(failed)?;
        let cleared = store
            .delete::<JsValue, _>(doc_range(&rec.id))
            .primitive()
            .map_err(failed)?;
        tx.object_store("texts")
            .map_err(failed)?
            .put(doc.text())
            .with_key(rec.id.as_str())
            .primitive()
            .map_err(failed)?;
        // Wait for each batch's last write before the next: its success keeps the transaction
        // open, and the page handles input in between.
        cleared.await.map_err(failed)?;
        for batch in anns.chunks(CREATE_BATCH) {
            let mut last = None;
            for a in batch {
                let json = native::annotation_json(doc, a);
                last = Some(
                    store
                        .put(json)
                        .with_key(ann_key(&rec.id, &a.id))
                        .primitive()
                        .map_err(failed)?,
                );
            }
            if let Some(last) = last {
                last.await.map_err(failed)?;
            }
        }
        let json = serde_json::to_string(rec).map_err(|e| SaveError::Failed(e.to_string()))?;
        docs.put(json)
            .with_key(rec.id.as_str())
            .primitive()
            .map_err(failed)?;
        if let Some(ws) = workspace {
            put_workspace(&tx, ws)?;
        }
        tx.commit().await.map_err(failed)
    }

    /// Writes the annotations a change touched (`Some` puts, `None` deletes) and the record,
    /// unless another tab saved since `known_serial`. Returns the new serial. A packed
    /// document is unpacked first, in the same transaction: each of its annotations is put
    /// under its own key and the pack deleted, so that the change's puts and deletes reach them.
    pub async fn save(
        &self,
        rec: &DocRecord,
        known_serial: u64,
        anns: &[(String, Option<String>)],
    ) -> Result<u64, SaveError> {
        let tx = self.tx(["docs", "anns"], true).map_err(SaveError::Failed)?;
        let docs = tx.object_store("docs").map_err(failed)?;
        let store = tx.object_store("anns").map_err(failed)?;
        // Asked at once, beside the serial's check.
        let packed = store
            .get::<String, _, _>(pack_key(&rec.id))
            .primitive()
            .map_err(failed)?;
        check_serial(&docs, rec, known_serial).await?;
        if let Some(packed) = packed.await.map_err(failed)? {
            for (k, json) in unpack(&packed).enumerate() {
                // A line that cannot be read keeps a key of its own (the reader reports it).
                let id = annotation_id(json).unwrap_or_else(|| format!("\u{1}unreadable {k}"));
                drop(
                    store
                        .put(json)
                        .with_key(ann_key(&rec.id, &id))
                        .primitive()
                        .map_err(failed)?,
                );
            }
            drop(
                store
                    .delete(pack_key(&rec.id))
                    .primitive()
                    .map_err(failed)?,
            );
        }
        for (id, json) in anns {
            let k = ann_key(&rec.id, id);
            match json {
                Some(json) => drop(
                    store
                        .put(json.as_str())
                        .with_key(k)
                        .primitive()
                        .map_err(failed)?,
                ),
                None => drop(store.delete(k).primitive().map_err(failed)?),
            }
        }
        let mut rec = rec.clone();
        rec.serial = known_serial.max(rec.serial) + 1;
        let json = serde_json::to_string(&rec).map_err(|e| SaveError::Failed(e.to_string()))?;
        docs.put(json)
            .with_key(rec.id.as_str())
            .primitive()
            .map_err(failed)?;
        tx.commit().await.map_err(failed)?;
        Ok(rec.serial)
    }
}

fn put_workspace(tx: &Transaction<'_>, ws: &Workspace) -> Result<(), SaveError> {
    let json = serde_json::to_string(ws).map_err(|e| SaveError::Failed(e.to_string()))?;
    tx.object_store("meta")
        .map_err(failed)?
        .put(json)
        .with_key("workspace")
        .primitive()
        .map_err(failed)?;
    Ok(())
}

/// Inside a write transaction: refuses when another tab saved the document since `known`
/// (the caller's transaction is then dropped, which rolls it back).
async fn check_serial(
    docs: &ObjectStore<'_>,
    rec: &DocRecord,
    known: u64,
) -> Result<(), SaveError> {
    let current: Option<String> = docs
        .get(rec.id.as_str())
        .primitive()
        .map_err(failed)?
        .await
        .map_err(failed)?;
    if let Some(stored) = current.and_then(|s| serde_json::from_str::<DocRecord>(&s).ok()) {
        if stored.serial != known && stored.writer != rec.writer {
            return Err(SaveError::Conflict {
                by_serial: stored.serial,
            });
        }
    }
    Ok(())
}

/// Asks the browser to keep this site's storage under pressure (it may say no; nothing else
/// changes then).
pub fn request_persistence() {
    if let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) {
        if let Ok(p) = storage.persist() {
            wasm_bindgen_futures::spawn_local(async move {
                let _ = JsFuture::from(p).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::synth;

    #[test]
    fn a_pack_gives_back_each_annotation_json_with_its_id() {
        let doc = synth::repeated_article(2);
        let anns: Vec<Rc<Annotation>> = synth::annotations(&doc, 300, 7)
            .into_iter()
            .map(Rc::new)
            .collect();
        let packed = pack(&doc, &anns);
        let lines: Vec<&str> = unpack(&packed).collect();
        assert_eq!(lines.len(), anns.len());
        for (line, a) in lines.iter().zip(&anns) {
            assert_eq!(*line, native::annotation_json(&doc, a));
            assert_eq!(annotation_id(line).as_deref(), Some(a.id.as_str()));
        }
        // A record of one annotation is read the same way.
        let one = native::annotation_json(&doc, &anns[0]);
        assert_eq!(unpack(&one).collect::<Vec<_>>(), vec![one.as_str()]);
        assert_eq!(annotation_id("not json"), None);
    }
}
