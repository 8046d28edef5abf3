//! The page's side of the formats worker (`src/bin/worker.rs`): started on first use, one
//! request at a time per call, answered by id. Every format but the native one is converted
//! there.
//!
//! A worker that crashes (its WebAssembly traps: a panic, which it reports first, or running
//! out of memory) is terminated, every waiting request is answered with what happened, and the
//! next request starts a new one. [`cancel`] does the same on purpose, for the Cancel button of
//! a long conversion, and starts the new worker at once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use serde::{Deserialize, Serialize};

use crate::formats::native::Problem;
use crate::model::{Labels, Status};

struct Inner {
    worker: web_sys::Worker,
    /// Whether the worker has said it is ready; until then requests wait in `queue`.
    ready: bool,
    queue: Vec<(Object, Option<JsValue>)>,
    pending: HashMap<u32, Function>,
    next: u32,
    /// What the worker said when it panicked, for the error that follows.
    panic: Option<String>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static WORKER: RefCell<Option<Rc<RefCell<Inner>>>> = const { RefCell::new(None) };
    /// Stopped workers, kept until the next start: a worker is stopped from inside its own
    /// error handler, whose closure must outlive the call that stops it.
    static RETIRED: RefCell<Vec<Rc<RefCell<Inner>>>> = const { RefCell::new(Vec::new()) };
    static CRASH_TESTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn start() -> Result<Rc<RefCell<Inner>>, String> {
    if let Some(w) = WORKER.with(|w| w.borrow().clone()) {
        return Ok(w);
    }
    RETIRED.with(|r| r.borrow_mut().clear());
    let worker = web_sys::Worker::new("./worker-loader.js")
        .map_err(|e| format!("the formats worker could not start ({e:?})"))?;
    let inner = Rc::new(RefCell::new(Inner {
        worker: worker.clone(),
        ready: false,
        queue: Vec::new(),
        pending: HashMap::new(),
        next: 1,
        panic: None,
        _on_message: Closure::new(|_| {}),
        _on_error: Closure::new(|_| {}),
    }));
    let weak = Rc::downgrade(&inner);
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let data = e.data();
            let Some(inner) = weak.upgrade() else { return };
            if get(&data, "ready").as_bool() == Some(true) {
                // Started: send what waited.
                let (worker, queue) = {
                    let mut i = inner.borrow_mut();
                    i.ready = true;
                    (i.worker.clone(), std::mem::take(&mut i.queue))
                };
                for (msg, transfer) in queue {
                    let _ = post(&worker, &msg, transfer.as_ref());
                }
                return;
            }
            if let Some(panic) = get(&data, "panic").as_string() {
                // The worker is about to trap: its next event is an error.
                inner.borrow_mut().panic = Some(panic);
                return;
            }
            let id = get(&data, "id").as_f64().unwrap_or(0.0) as u32;
            let resolve = inner.borrow_mut().pending.remove(&id);
            if let Some(resolve) = resolve {
                let _ = resolve.call1(&JsValue::NULL, &data);
            }
        });
    let weak = Rc::downgrade(&inner);
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        // The worker failed to load or crashed: it can do no more.
        let Some(inner) = weak.upgrade() else { return };
        let panic = inner.borrow_mut().panic.take();
        let what = panic
            .or_else(|| get(&e, "message").as_string())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "it could not start".into());
        stop(&inner, &format!("the formats worker stopped ({what})"));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    {
        let mut i = inner.borrow_mut();
        i._on_message = on_message;
        i._on_error = on_error;
    }
    WORKER.with(|w| *w.borrow_mut() = Some(inner.clone()));
    Ok(inner)
}

/// Terminates the worker and answers every waiting request with `why`; the next request
/// starts a new worker.
fn stop(inner: &Rc<RefCell<Inner>>, why: &str) {
    let (worker, pending) = {
        let mut i = inner.borrow_mut();
        i.queue.clear();
        (
            i.worker.clone(),
            i.pending.drain().map(|(_, f)| f).collect::<Vec<_>>(),
        )
    };
    worker.set_onmessage(None);
    worker.set_onerror(None);
    worker.terminate();
    WORKER.with(|w| {
        let mut w = w.borrow_mut();
        if w.as_ref().is_some_and(|c| Rc::ptr_eq(c, inner)) {
            *w = None;
        }
    });
    RETIRED.with(|r| r.borrow_mut().push(inner.clone()));
    for resolve in pending {
        let reply = Object::new();
        set(&reply, "ok", &false.into());
        set(&reply, "error", &why.into());
        let _ = resolve.call1(&JsValue::NULL, &reply);
    }
}

/// The error a cancelled request ends with.
pub const CANCELLED: &str = "cancelled";

/// Stops whatever the worker is doing (its requests end with [`CANCELLED`]) and starts a new
/// worker for what comes next.
pub fn cancel() {
    if let Some(inner) = WORKER.with(|w| w.borrow().clone()) {
        stop(&inner, CANCELLED);
    }
    let _ = start();
}

fn post(worker: &web_sys::Worker, msg: &Object, transfer: Option<&JsValue>) -> Result<(), String> {
    match transfer {
        Some(buf) => worker.post_message_with_transfer(msg, &js_sys::Array::of1(buf)),
        None => worker.post_message(msg),
    }
    .map_err(|e| format!("the formats worker did not take the request ({e:?})"))
}

/// Sends one request and waits for its answer; `Err` is a sentence to show.
async fn request(msg: Object, transfer: Option<&JsValue>) -> Result<JsValue, String> {
    let inner = start()?;
    let id = {
        let mut i = inner.borrow_mut();
        let id = i.next;
        i.next += 1;
        id
    };
    set(&msg, "id", &(id as f64).into());
    // `?crash-test=worker`: the first request makes the worker panic (dom::crash).
    if super::crash::requested("worker") && !CRASH_TESTED.with(|c| c.replace(true)) {
        set(&msg, "crashTest", &true.into());
    }
    let promise = Promise::new(&mut |resolve, _reject| {
        inner.borrow_mut().pending.insert(id, resolve);
    });
    let (worker, ready) = {
        let i = inner.borrow();
        (i.worker.clone(), i.ready)
    };
    if ready {
        post(&worker, &msg, transfer)?;
    } else {
        inner.borrow_mut().queue.push((msg, transfer.cloned()));
    }
    let reply = JsFuture::from(promise)
        .await
        .map_err(|e| format!("{e:?}"))?;
    if get(&reply, "ok").as_bool() == Some(true) {
        Ok(reply)
    } else {
        Err(get(&reply, "error")
            .as_string()
            .unwrap_or_else(|| "the conversion failed".into()))
    }
}

/// Converts a native file's text to `format` (a `Format::key`).
pub async fn export(format: &str, native: String) -> Result<Vec<u8>, String> {
    let msg = Object::new();
    set(&msg, "op", &"export".into());
    set(&msg, "format", &format.into());
    set(&msg, "native", &native.into());
    let reply = request(msg, None).await?;
    let bytes: Uint8Array = get(&reply, "bytes")
        .dyn_into()
        .map_err(|_| "the worker sent no file")?;
    Ok(bytes.to_vec())
}

/// A document of a project to export: its native text (the open one, as it is on screen), or
/// its values as storage gave them (`Db::load_many_raw`), which the worker reads.
pub enum ToExport {
    Native(String),
    Stored(super::storage::StoredRaw),
}

/// Writes many documents as one corpus file of the format (`KEY`); `annotator` is who stored
/// documents were annotated by.
pub async fn export_corpus(
    format: &str,
    annotator: &str,
    documents: Vec<ToExport>,
) -> Result<Vec<u8>, String> {
    let msg = Object::new();
    set(&msg, "op", &"export-corpus".into());
    set(&msg, "format", &format.into());
    set(&msg, "annotator", &annotator.into());
    let list = js_sys::Array::new();
    for d in documents {
        let o = Object::new();
        match d {
            ToExport::Native(text) => set(&o, "native", &text.into()),
            ToExport::Stored((record, text, anns)) => {
                set(&o, "record", &record.into());
                set(&o, "text", &text);
                set(&o, "anns", &anns);
            }
        }
        list.push(&o);
    }
    set(&msg, "documents", &list);
    let reply = request(msg, None).await?;
    let bytes: Uint8Array = get(&reply, "bytes")
        .dyn_into()
        .map_err(|_| "the worker sent no file")?;
    Ok(bytes.to_vec())
}

/// The one document a foreign file gave: its native text, how many annotations it listed, its
/// problems and notes.
pub struct Converted {
    pub native: String,
    pub total: usize,
    pub problems: Vec<Problem>,
    pub notes: Vec<String>,
}

/// What a document of a corpus will be stored as, prepared by the worker (`src/bin/worker.rs`)
/// as the page would: checked by opening it (`State::restore`), hashed once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreparedRecord {
    /// The id and title the file gave (the id stored is made fresh from it).
    pub id: String,
    pub title: String,
    pub sha256: String,
    pub labels: Labels,
    pub next_seq: u64,
    pub annotations: usize,
    pub status: Status,
    /// Why it cannot be opened, if it cannot: the import stops there, saying so.
    #[serde(default)]
    pub refusal: Option<String>,
}

/// A document of a corpus ready to store: its record, and its text and annotations' pack
/// (`dom::storage`; null without annotations) as the worker's JS strings, which go to storage
/// as they came, never copied into this heap.
#[derive(Debug)]
pub struct PreparedDocument {
    pub record: PreparedRecord,
    pub text: JsValue,
    pub pack: JsValue,
}

/// A file of many documents as the worker read and prepared it, with its summary
/// (`formats::corpus::Corpus::summary`).
#[derive(Debug)]
pub struct PreparedCorpus {
    pub documents: Vec<PreparedDocument>,
    pub summary: String,
}

/// One reading of a file equals only itself (comparing a thousand documents' strings on every
/// render would cost more than rendering).
impl PartialEq for PreparedCorpus {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// What a foreign file gave: its one document, or a corpus (a file of several documents, or
/// one with parts refused).
pub enum ConvertedFile {
    One(Converted),
    Corpus(PreparedCorpus),
}

fn strings(v: &JsValue) -> Vec<String> {
    js_sys::Array::from(v)
        .iter()
        .filter_map(|s| s.as_string())
        .collect()
}

/// Reads a foreign file (`format` a `Format::key`): its one document as native text, or its
/// documents prepared for storage. `open` is the open document (id, title, text), onto which
/// a file that comes without its text (W3C from Recogito, text-annotator) is anchored.
pub async fn import(
    format: &str,
    name: &str,
    bytes: &[u8],
    open: Option<(&str, &str, &str)>,
) -> Result<ConvertedFile, String> {
    let msg = Object::new();
    set(&msg, "op", &"import".into());
    set(&msg, "format", &format.into());
    set(&msg, "name", &name.into());
    if let Some((id, title, text)) = open {
        set(&msg, "openId", &id.into());
        set(&msg, "openTitle", &title.into());
        set(&msg, "openText", &text.into());
    }
    let array = Uint8Array::from(bytes);
    set(&msg, "bytes", &array);
    let reply = request(msg, Some(&array.buffer().into())).await?;
    converted(&reply)
}

/// Reads files picked together (`formats::corpus::import_files`), as [`import`] reads one.
pub async fn import_files(files: &[(String, Vec<u8>)]) -> Result<ConvertedFile, String> {
    let msg = Object::new();
    set(&msg, "op", &"import-files".into());
    set(&msg, "format", &"native".into());
    let names = js_sys::Array::new();
    let contents = js_sys::Array::new();
    for (name, bytes) in files {
        names.push(&name.into());
        contents.push(&Uint8Array::from(bytes.as_slice()));
    }
    set(&msg, "names", &names);
    set(&msg, "files", &contents);
    let reply = request(msg, None).await?;
    converted(&reply)
}

/// The document or corpus of an import's reply.
fn converted(reply: &JsValue) -> Result<ConvertedFile, String> {
    let corpus = get(reply, "corpus");
    if corpus.is_object() {
        let documents = js_sys::Array::from(&get(&corpus, "documents"))
            .iter()
            .map(|d| {
                let record = get(&d, "record").as_string().unwrap_or_default();
                Ok(PreparedDocument {
                    record: serde_json::from_str(&record)
                        .map_err(|e| format!("the formats worker sent a damaged record ({e})"))?,
                    text: get(&d, "text"),
                    pack: get(&d, "pack"),
                })
            })
            .collect::<Result<_, String>>()?;
        let summary = get(&corpus, "summary").as_string().unwrap_or_default();
        return Ok(ConvertedFile::Corpus(PreparedCorpus { documents, summary }));
    }
    let d = get(reply, "document");
    if !d.is_object() {
        return Err("the formats worker sent no document".into());
    }
    Ok(ConvertedFile::One(Converted {
        native: get(&d, "native").as_string().unwrap_or_default(),
        total: get(&d, "total").as_f64().unwrap_or(0.0) as usize,
        problems: js_sys::Array::from(&get(&d, "problems"))
            .iter()
            .map(|p| Problem {
                index: get(&p, "index").as_f64().unwrap_or(0.0) as usize,
                id: get(&p, "id").as_string(),
                message: get(&p, "message").as_string().unwrap_or_default(),
            })
            .collect(),
        notes: strings(&get(&d, "notes")),
    }))
}

/// Terminates the worker if it has nothing to do, to hand back its memory (WebAssembly memory
/// never shrinks: reading a corpus of 10 MB grew it by ~140 MB); the next request starts a
/// new one.
pub fn release() {
    if let Some(inner) = WORKER.with(|w| w.borrow().clone()) {
        let idle = {
            let i = inner.borrow();
            i.pending.is_empty() && i.queue.is_empty()
        };
        if idle {
            stop(&inner, CANCELLED);
        }
    }
}
