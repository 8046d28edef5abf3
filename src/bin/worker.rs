//! The formats worker: every format but the native one runs here, in a Web Worker the page
//! starts the first time it needs one. The converters stay off the main thread (a 1 MB spaCy
//! export takes a while), and out of the app's own WebAssembly, which then loads faster.
//!
//! Protocol (structured-clone messages, see `dom::worker`):
//! - `{id, op: "export", format: KEY, native: TEXT}` → `{id, ok: true, bytes: Uint8Array}`
//! - `{id, op: "export-corpus", format: KEY, annotator: TEXT, documents: [{native: TEXT} or
//!   {record: JSON, text: TEXT, anns: [TEXT]}]}` → `{id, ok: true, bytes}`: the documents (a
//!   native file, or a stored document's values as `Db::load_many_raw` read them) as one corpus
//!   file of the format (`formats::corpus::export`)
//! - `{id, op: "import", format: KEY, name: TEXT, bytes: Uint8Array}` → a file of one
//!   document: `{id, ok: true, document: {native: TEXT, total, problems: [{index, id,
//!   message}], notes: [TEXT]}}`; a corpus (several documents, or parts of the file that gave
//!   none): `{id, ok: true, corpus: {summary: TEXT, documents: [{record: JSON, text: TEXT,
//!   pack: TEXT or null}]}}`, each document prepared for storage here rather than on the
//!   page's thread: opened once as the page would open it (its refusal in the record if it
//!   cannot be), hashed, and its annotations written as the pack storage keeps
//!   (`dom::worker::PreparedRecord`, `dom::storage::pack`)
//! - `{id, op: "import-files", format: "native", names: [TEXT], files: [Uint8Array]}` (files
//!   picked together: brat pairs, plain texts, any others) → the same reply
//! - on failure: `{id, ok: false, error: TEXT}` (the sentence to show).
//! - a request with `crashTest: true` (the page's `?crash-test=worker`) panics on purpose.
//! - on a panic, before the trap: `{panic: TEXT}`; the page then terminates this worker.
//! - once started: `{ready: true}`; the page holds its requests until then (a message posted
//!   to a worker before its handler is set is lost).
//!
//! On native targets this binary does nothing (it exists for the browser).

#[cfg(target_arch = "wasm32")]
mod worker {
    use js_sys::{Array, Object, Reflect, Uint8Array};
    use std::rc::Rc;

    use marginalia::dom::storage;
    use marginalia::dom::worker::PreparedRecord;
    use marginalia::formats::{corpus, native, sha256_hex, Bundle, Format};
    use marginalia::model::Document;
    use marginalia::model::State;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    fn get(obj: &JsValue, key: &str) -> JsValue {
        Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    fn set(obj: &Object, key: &str, value: &JsValue) {
        let _ = Reflect::set(obj, &JsValue::from_str(key), value);
    }

    /// Puts what a file (or several) gave into the reply: its one document as native text with
    /// its problems and notes; or, for a corpus, its summary and every document prepared.
    fn answer(reply: &Object, corpus: corpus::Corpus) {
        if corpus.documents.len() == 1 && corpus.refused.is_empty() {
            let imported = &corpus.documents[0];
            let d = Object::new();
            set(&d, "native", &native::export(&imported.bundle).into());
            set(&d, "total", &(imported.total as f64).into());
            let problems = Array::new();
            for p in &imported.problems {
                let o = Object::new();
                set(&o, "index", &(p.index as f64).into());
                set(&o, "id", &p.id.clone().map_or(JsValue::NULL, JsValue::from));
                set(&o, "message", &p.message.clone().into());
                problems.push(&o);
            }
            set(&d, "problems", &problems);
            let notes: Array = imported
                .notes
                .iter()
                .map(|n| JsValue::from(n.as_str()))
                .collect();
            set(&d, "notes", &notes);
            set(reply, "document", &d);
            return;
        }
        let out = Object::new();
        set(&out, "summary", &corpus.summary().into());
        let documents = Array::new();
        for imported in corpus.documents {
            documents.push(&prepared(imported.bundle));
        }
        set(&out, "documents", &documents);
        set(reply, "corpus", &out);
    }

    /// A document of a corpus as the page stores it: its record, text and pack.
    fn prepared(bundle: Bundle) -> Object {
        let text = bundle.document.text().to_string();
        let mut record = PreparedRecord {
            id: bundle.document.id.clone(),
            title: bundle.document.title.clone(),
            sha256: sha256_hex(&text),
            labels: bundle.labels.clone(),
            next_seq: 1,
            annotations: 0,
            status: bundle.status,
            refusal: None,
        };
        let mut pack = JsValue::NULL;
        let title = bundle.document.title.clone();
        match State::restore(
            Rc::new(bundle.document),
            bundle.labels,
            bundle.annotations,
            1,
        ) {
            Ok(state) => {
                record.labels = state.labels().clone();
                record.next_seq = state.next_seq();
                record.annotations = state.len();
                if !state.is_empty() {
                    pack = storage::pack(state.document(), state.annotations()).into();
                }
            }
            Err(e) => record.refusal = Some(format!("“{title}” could not be opened: {e}.")),
        }
        let d = Object::new();
        let json = serde_json::to_string(&record).expect("serialising plain data cannot fail");
        set(&d, "record", &json.into());
        set(&d, "text", &text.into());
        set(&d, "pack", &pack);
        d
    }

    /// Handles one request; `Err` is the sentence to show.
    fn handle(msg: &JsValue, reply: &Object) -> Result<(), String> {
        let op = get(msg, "op").as_string().unwrap_or_default();
        let key = get(msg, "format").as_string().unwrap_or_default();
        let format = Format::parse(&key).ok_or_else(|| format!("unknown format {key}"))?;
        if get(msg, "crashTest").as_bool() == Some(true) {
            panic!("crash test: the page was opened with ?crash-test=worker, which fails the first conversion on purpose");
        }
        match op.as_str() {
            "export" => {
                let text = get(msg, "native").as_string().unwrap_or_default();
                let imported = native::import(&text).map_err(|e| e.to_string())?;
                let bytes = format.export(&imported.bundle);
                set(reply, "bytes", &Uint8Array::from(bytes.as_slice()).into());
                Ok(())
            }
            "export-corpus" => {
                let annotator = get(msg, "annotator").as_string().unwrap_or_default();
                let mut bundles = Vec::new();
                for (n, d) in Array::from(&get(msg, "documents")).iter().enumerate() {
                    if let Some(text) = get(&d, "native").as_string() {
                        let imported = native::import(&text)
                            .map_err(|e| format!("document {}: {e}", n + 1))?;
                        bundles.push(imported.bundle);
                        continue;
                    }
                    let raw = (
                        get(&d, "record").as_string().unwrap_or_default(),
                        get(&d, "text"),
                        Array::from(&get(&d, "anns")),
                    );
                    let (rec, text, anns) = storage::read_stored(raw)?;
                    bundles.push(storage::stored_bundle(&rec, text, &anns, &annotator)?);
                }
                let bytes = corpus::export(format, &bundles)?;
                set(reply, "bytes", &Uint8Array::from(bytes.as_slice()).into());
                Ok(())
            }
            "import" => {
                let name = get(msg, "name").as_string().unwrap_or_default();
                let bytes: Uint8Array = get(msg, "bytes").dyn_into().map_err(|_| "no bytes")?;
                let bytes = bytes.to_vec();
                // A W3C file without its text is anchored onto the open document.
                let open = get(msg, "openText").as_string().map(|text| {
                    Document::new(
                        get(msg, "openId").as_string().unwrap_or_default(),
                        get(msg, "openTitle").as_string().unwrap_or_default(),
                        text,
                    )
                });
                let corpus = corpus::import_onto(format, &bytes, &name, open.as_ref())
                    .map_err(|e| e.to_string())?;
                answer(reply, corpus);
                Ok(())
            }
            "import-files" => {
                let names = Array::from(&get(msg, "names"));
                let contents = Array::from(&get(msg, "files"));
                let files: Vec<(String, Vec<u8>)> = names
                    .iter()
                    .zip(contents.iter())
                    .map(|(n, b)| {
                        let bytes = b.dyn_into::<Uint8Array>().map(|b| b.to_vec());
                        (n.as_string().unwrap_or_default(), bytes.unwrap_or_default())
                    })
                    .collect();
                let corpus = corpus::import_files(&files).map_err(|e| e.to_string())?;
                answer(reply, corpus);
                Ok(())
            }
            other => Err(format!("unknown operation {other}")),
        }
    }

    /// Listens for requests (called from `main`, which wasm-bindgen runs at start).
    pub fn start() {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        // A panic aborts (the release profile): say what it was before the trap, so that the
        // page can tell the person and start a new worker (dom::worker).
        let said = scope.clone();
        std::panic::set_hook(Box::new(move |info| {
            let msg = Object::new();
            set(&msg, "panic", &info.to_string().into());
            let _ = said.post_message(&msg);
        }));
        let reply_to = scope.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let msg = e.data();
            let reply = Object::new();
            set(&reply, "id", &get(&msg, "id"));
            match handle(&msg, &reply) {
                Ok(()) => set(&reply, "ok", &true.into()),
                Err(why) => {
                    set(&reply, "ok", &false.into());
                    set(&reply, "error", &why.into());
                }
            }
            let _ = reply_to.post_message(&reply);
        });
        scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        // Messages sent before this point were lost: tell the page to send them now.
        let ready = Object::new();
        set(&ready, "ready", &true.into());
        let _ = scope.post_message(&ready);
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    worker::start();
}
