//! Durable storage in IndexedDB: every change is written at once, keyed by document, and read
//! back on reload.
//!
//! Stores (database `marginalia`, version 1):
//! - `docs`: document id → a small JSON [`DocRecord`] (title, sha256, labels, annotator,
//!   id counter, and a `serial` bumped by every save, with the tab that wrote it);
//! - `texts`: document id → the document's text, written once;
//! - `anns`: `[document id, annotation id]` → one annotation as its native JSON object;
//! - `meta`: `"workspace"` → which document is open, the annotator's name.
//!
//! A save writes only the annotations a change touched (the model's journal), so its cost does
//! not grow with the document. Before writing, it checks in the same transaction that the
//! document's `serial` is still the one this tab last read or wrote: if another tab saved in
//! between, nothing is written and the caller hears [`SaveError::Conflict`].

use std::future::Future;

use serde::{Deserialize, Serialize};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbKeyRange, IdbRequest, IdbTransaction, IdbTransactionMode};

use std::rc::Rc;

use crate::formats::native;
use crate::model::{Annotation, Document, Labels};

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
}

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

fn js_error(e: JsValue) -> String {
    if let Some(s) = e.as_string() {
        return s;
    }
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    if let Some(ex) = e.dyn_ref::<web_sys::DomException>() {
        return format!("{}: {}", ex.name(), ex.message());
    }
    format!("{e:?}")
}

/// Resolves when an IndexedDB request succeeds (with its result) or fails.
fn request(req: &IdbRequest) -> impl Future<Output = Result<JsValue, String>> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let ok_req = req.clone();
        let on_ok = Closure::once_into_js(move |_: web_sys::Event| {
            let result = ok_req.result().unwrap_or(JsValue::UNDEFINED);
            let _ = resolve.call1(&JsValue::NULL, &result);
        });
        let err_req = req.clone();
        let on_err = Closure::once_into_js(move |e: web_sys::Event| {
            e.prevent_default();
            let why = err_req
                .error()
                .ok()
                .flatten()
                .map(|x| format!("{}: {}", x.name(), x.message()))
                .unwrap_or_else(|| "unknown error".into());
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&why));
        });
        req.set_onsuccess(Some(on_ok.unchecked_ref()));
        req.set_onerror(Some(on_err.unchecked_ref()));
    });
    async move { JsFuture::from(promise).await.map_err(js_error) }
}

/// Resolves when a transaction has committed (its writes are durable) or failed.
fn committed(tx: &IdbTransaction) -> impl Future<Output = Result<(), String>> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let on_ok = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let err_tx = tx.clone();
        let reject2 = reject.clone();
        let on_err = Closure::once_into_js(move |_: web_sys::Event| {
            let why = err_tx
                .error()
                .map(|x| format!("{}: {}", x.name(), x.message()))
                .unwrap_or_else(|| "the write was aborted".into());
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&why));
        });
        let on_abort = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject2.call1(&JsValue::NULL, &JsValue::from_str("the write was aborted"));
        });
        tx.set_oncomplete(Some(on_ok.unchecked_ref()));
        tx.set_onerror(Some(on_err.unchecked_ref()));
        tx.set_onabort(Some(on_abort.unchecked_ref()));
    });
    async move { JsFuture::from(promise).await.map(|_| ()).map_err(js_error) }
}

#[derive(Clone)]
pub struct Db {
    db: IdbDatabase,
}

impl Db {
    /// Opens (creating on first use) the database.
    pub async fn open() -> Result<Db, String> {
        let factory = web_sys::window()
            .ok_or("no window")?
            .indexed_db()
            .map_err(js_error)?
            .ok_or("this browser offers no IndexedDB")?;
        let req = factory
            .open_with_u32(DB_NAME, DB_VERSION)
            .map_err(js_error)?;
        let upgrade_req = req.clone();
        let on_upgrade = Closure::once_into_js(move |_: web_sys::Event| {
            if let Ok(result) = upgrade_req.result() {
                let db: IdbDatabase = result.unchecked_into();
                let names = db.object_store_names();
                for store in ["docs", "texts", "anns", "meta"] {
                    if !names.contains(store) {
                        let _ = db.create_object_store(store);
                    }
                }
            }
        });
        req.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
        let db: IdbDatabase = request(&req).await?.unchecked_into();
        Ok(Db { db })
    }

    fn tx(&self, stores: &[&str], write: bool) -> Result<IdbTransaction, String> {
        let names = js_sys::Array::new();
        for s in stores {
            names.push(&JsValue::from_str(s));
        }
        let mode = if write {
            IdbTransactionMode::Readwrite
        } else {
            IdbTransactionMode::Readonly
        };
        self.db
            .transaction_with_str_sequence_and_mode(&names, mode)
            .map_err(js_error)
    }

    async fn get_string(&self, store: &str, key: &JsValue) -> Result<Option<String>, String> {
        let tx = self.tx(&[store], false)?;
        let req = tx
            .object_store(store)
            .map_err(js_error)?
            .get(key)
            .map_err(js_error)?;
        Ok(request(&req).await?.as_string())
    }

    pub async fn workspace(&self) -> Result<Workspace, String> {
        Ok(self
            .get_string("meta", &"workspace".into())
            .await?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    pub async fn save_workspace(&self, ws: &Workspace) -> Result<(), String> {
        let tx = self.tx(&["meta"], true)?;
        let json = serde_json::to_string(ws).map_err(|e| e.to_string())?;
        tx.object_store("meta")
            .map_err(js_error)?
            .put_with_key(&json.into(), &"workspace".into())
            .map_err(js_error)?;
        committed(&tx).await
    }

    /// Every stored document's record.
    pub async fn documents(&self) -> Result<Vec<DocRecord>, String> {
        let tx = self.tx(&["docs"], false)?;
        let req = tx
            .object_store("docs")
            .map_err(js_error)?
            .get_all()
            .map_err(js_error)?;
        let all: js_sys::Array = request(&req).await?.unchecked_into();
        Ok(all
            .iter()
            .filter_map(|v| v.as_string())
            .filter_map(|s| serde_json::from_str(&s).ok())
            .collect())
    }

    /// A document's record, text and annotation JSON objects, if stored.
    pub async fn load(&self, id: &str) -> Result<Option<(DocRecord, String, Vec<String>)>, String> {
        let tx = self.tx(&["docs", "texts", "anns"], false)?;
        let key = JsValue::from_str(id);
        let rec = tx
            .object_store("docs")
            .map_err(js_error)?
            .get(&key)
            .map_err(js_error)?;
        let text = tx
            .object_store("texts")
            .map_err(js_error)?
            .get(&key)
            .map_err(js_error)?;
        let anns = tx
            .object_store("anns")
            .map_err(js_error)?
            .get_all_with_key(&doc_range(id)?.into())
            .map_err(js_error)?;
        let (rec, text, anns) = (
            request(&rec).await?,
            request(&text).await?,
            request(&anns).await?,
        );
        let Some(rec) = rec.as_string() else {
            return Ok(None);
        };
        let rec: DocRecord =
            serde_json::from_str(&rec).map_err(|e| format!("a stored record is damaged: {e}"))?;
        let text = text.as_string().ok_or("a stored text is missing")?;
        let anns: js_sys::Array = anns.unchecked_into();
        Ok(Some((
            rec,
            text,
            anns.iter().filter_map(|v| v.as_string()).collect(),
        )))
    }

    /// Stores a whole document, replacing whatever was stored under its id, unless another
    /// tab saved it since `known_serial` (when given).
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
    ) -> Result<(), SaveError> {
        let failed = |e: JsValue| SaveError::Failed(js_error(e));
        let tx = self
            .tx(&["docs", "texts", "anns"], true)
            .map_err(SaveError::Failed)?;
        let key = JsValue::from_str(&rec.id);
        let docs = tx.object_store("docs").map_err(failed)?;
        if let Some(known) = known_serial {
            self.check_serial(&tx, &docs, &key, rec, known).await?;
        }
        let store = tx.object_store("anns").map_err(failed)?;
        let cleared = store
            .delete(&doc_range(&rec.id).map_err(SaveError::Failed)?.into())
            .map_err(failed)?;
        tx.object_store("texts")
            .map_err(failed)?
            .put_with_key(&doc.text().into(), &key)
            .map_err(failed)?;
        let mut last = cleared;
        for batch in anns.chunks(CREATE_BATCH) {
            // Wait for the previous batch: its success event keeps the transaction open, and
            // the page handles input in between.
            request(&last).await.map_err(SaveError::Failed)?;
            for a in batch {
                let json = native::annotation_json(doc, a);
                last = store
                    .put_with_key(&json.into(), &ann_key(&rec.id, &a.id))
                    .map_err(failed)?;
            }
        }
        let json = serde_json::to_string(rec).map_err(|e| SaveError::Failed(e.to_string()))?;
        docs.put_with_key(&json.into(), &key).map_err(failed)?;
        committed(&tx).await.map_err(SaveError::Failed)
    }

    /// Inside a write transaction: refuses (and aborts) when another tab saved the document
    /// since `known`.
    async fn check_serial(
        &self,
        tx: &IdbTransaction,
        docs: &web_sys::IdbObjectStore,
        key: &JsValue,
        rec: &DocRecord,
        known: u64,
    ) -> Result<(), SaveError> {
        let req = docs.get(key).map_err(|e| SaveError::Failed(js_error(e)))?;
        let current = request(&req).await.map_err(SaveError::Failed)?;
        if let Some(stored) = current
            .as_string()
            .and_then(|s| serde_json::from_str::<DocRecord>(&s).ok())
        {
            if stored.serial != known && stored.writer != rec.writer {
                let _ = tx.abort();
                return Err(SaveError::Conflict {
                    by_serial: stored.serial,
                });
            }
        }
        Ok(())
    }

    /// Writes the annotations a change touched (`Some` puts, `None` deletes) and the record,
    /// unless another tab saved since `known_serial`. Returns the new serial.
    pub async fn save(
        &self,
        rec: &DocRecord,
        known_serial: u64,
        anns: &[(String, Option<String>)],
    ) -> Result<u64, SaveError> {
        let failed = SaveError::Failed;
        let tx = self.tx(&["docs", "anns"], true).map_err(failed)?;
        let key = JsValue::from_str(&rec.id);
        let docs = tx.object_store("docs").map_err(|e| failed(js_error(e)))?;
        self.check_serial(&tx, &docs, &key, rec, known_serial)
            .await?;
        let store = tx.object_store("anns").map_err(|e| failed(js_error(e)))?;
        for (id, json) in anns {
            let k = ann_key(&rec.id, id);
            let r = match json {
                Some(json) => store.put_with_key(&json.into(), &k),
                None => store.delete(&k),
            };
            r.map_err(|e| failed(js_error(e)))?;
        }
        let mut rec = rec.clone();
        rec.serial = known_serial.max(rec.serial) + 1;
        let json = serde_json::to_string(&rec).map_err(|e| failed(e.to_string()))?;
        docs.put_with_key(&json.into(), &key)
            .map_err(|e| failed(js_error(e)))?;
        committed(&tx).await.map_err(failed)?;
        Ok(rec.serial)
    }
}

fn ann_key(doc: &str, id: &str) -> JsValue {
    js_sys::Array::of2(&doc.into(), &id.into()).into()
}

/// Every `[doc, …]` key: from `[doc]` (shorter arrays sort first) up to `[doc, []]` (an array
/// sorts after every string).
fn doc_range(doc: &str) -> Result<IdbKeyRange, String> {
    let lower = js_sys::Array::of1(&doc.into());
    let upper = js_sys::Array::of2(&doc.into(), &js_sys::Array::new());
    IdbKeyRange::bound(&lower, &upper).map_err(js_error)
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
