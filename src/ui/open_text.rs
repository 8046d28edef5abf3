//! "Open text": a .txt file or pasted text becomes a new document.

use web_sys::{Element, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::session::{self, SessionCtx};
use super::store::{Msg, StoreHandle, Tone};
use crate::dom::files::first_file;
use crate::formats::{FileError, MAX_FILE_BYTES};

#[derive(Properties, PartialEq)]
pub struct OpenTextProps {
    pub store: StoreHandle,
}

#[function_component(OpenText)]
pub fn open_text(props: &OpenTextProps) -> Html {
    let store = props.store.clone();
    let session = use_context::<SessionCtx>().expect("session").0;
    let paste_ref = use_node_ref();
    let title_ref = use_node_ref();
    {
        let paste_ref = paste_ref.clone();
        use_effect_with((), move |_| {
            if let Some(t) = paste_ref.cast::<Element>() {
                crate::dom::focus(&t);
            }
        });
    }
    let title = {
        let title_ref = title_ref.clone();
        move || {
            title_ref
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default()
        }
    };
    let on_file = {
        let (store, session, title) = (store.clone(), session.clone(), title.clone());
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(picked) = first_file(input.files()) else {
                return;
            };
            if picked.size > MAX_FILE_BYTES {
                let err = FileError::TooLarge {
                    bytes: picked.size,
                    limit: MAX_FILE_BYTES,
                };
                store.dispatch(Msg::Say(format!("{}: {err}", picked.name), Tone::Error));
                return;
            }
            let (store, session, title) = (store.clone(), session.clone(), title());
            wasm_bindgen_futures::spawn_local(async move {
                match picked.bytes().await {
                    Ok(bytes) => session::open_text(store, session, &picked.name, &title, &bytes),
                    Err(why) => {
                        store.dispatch(Msg::Say(format!("{}: {why}", picked.name), Tone::Error))
                    }
                }
            });
        })
    };
    let on_paste = {
        let (store, session, paste_ref) = (store.clone(), session.clone(), paste_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = paste_ref
                .cast::<HtmlTextAreaElement>()
                .map(|t| t.value())
                .unwrap_or_default();
            let t = title();
            let name = if t.trim().is_empty() {
                format!("pasted-{}", &crate::dom::now().to_rfc3339()[..10])
            } else {
                t.clone()
            };
            session::open_text(store.clone(), session.clone(), &name, &t, text.as_bytes());
        })
    };
    let cancel = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Msg::Ask(None)))
    };
    html! {
        <div class="backdrop">
            <form class="dialog" role="dialog" aria-modal="true" aria-labelledby="open-title" onsubmit={on_paste}>
                <div class="dialog-head">
                    <h2 id="open-title">{ "Open text" }</h2>
                    <button type="button" class="icon-btn" aria-label="Close" title="Close (Esc)" onclick={cancel.clone()}>{ "×" }</button>
                </div>
                <p class="muted">{ "The text becomes a new document with its own annotations; the documents you open are listed in the Documents panel." }</p>
                <label class="field">
                    <span>{ "Title (optional)" }</span>
                    <input type="text" ref={title_ref} placeholder="the first line, if left empty" />
                </label>
                <label class="field">
                    <span>{ "A .txt file" }</span>
                    <input type="file" accept=".txt,text/plain" onchange={on_file} aria-label="Text file" />
                </label>
                <label class="field">
                    <span>{ "…or paste the text" }</span>
                    <textarea ref={paste_ref} rows="8" aria-label="Text to open" />
                </label>
                <div class="row">
                    <button type="submit" class="primary">{ "Open pasted text" }</button>
                    <button type="button" onclick={cancel}>{ "Cancel" }</button>
                </div>
            </form>
        </div>
    }
}
