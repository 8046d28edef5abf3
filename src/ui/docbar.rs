//! The document bar: who annotates, where the work
//! stands in storage, and the file commands: Export JSON, Export (every format), Import,
//! Open text.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::session::{self, SessionCtx};
use super::store::{Dialog, Msg, SaveStatus, StoreHandle};
use crate::dom::files::all_files;
use crate::formats::Format;

#[derive(Properties, PartialEq)]
pub struct DocBarProps {
    pub store: StoreHandle,
}

#[function_component(DocBar)]
pub fn doc_bar(props: &DocBarProps) -> Html {
    let store = props.store.clone();
    let session = use_context::<SessionCtx>()
        .expect("the app provides the session")
        .0;
    let export_open = use_state(|| false);
    let export_ref = use_node_ref();

    // The open Export menu closes on Esc (focus back on its button) and on a press outside it.
    {
        let (export_open, export_ref) = (export_open.clone(), export_ref.clone());
        use_effect_with(*export_open, move |&open| {
            let listeners = open.then(crate::dom::document).flatten().map(|d| {
                let options = gloo::events::EventListenerOptions::run_in_capture_phase();
                let (open1, menu1) = (export_open.clone(), export_ref.clone());
                let key = gloo::events::EventListener::new_with_options(
                    &d,
                    "keydown",
                    options,
                    move |e| {
                        let esc = e
                            .dyn_ref::<web_sys::KeyboardEvent>()
                            .is_some_and(|k| k.key() == "Escape");
                        if esc {
                            // Esc here is the menu's, not the page's (ui::shortcuts).
                            e.stop_propagation();
                            open1.set(false);
                            if let Some(b) = menu1
                                .cast::<web_sys::Element>()
                                .and_then(|m| m.query_selector("button").ok().flatten())
                            {
                                crate::dom::focus(&b);
                            }
                        }
                    },
                );
                let (open2, menu2) = (export_open.clone(), export_ref.clone());
                let press = gloo::events::EventListener::new_with_options(
                    &d,
                    "mousedown",
                    options,
                    move |e| {
                        let inside = e
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
                            .zip(menu2.cast::<web_sys::Element>())
                            .is_some_and(|(t, m)| m.contains(Some(&t)));
                        if !inside {
                            open2.set(false);
                        }
                    },
                );
                (key, press)
            });
            move || drop(listeners)
        });
    }

    let on_annotator = {
        let (store, session) = (store.clone(), session.clone());
        Callback::from(move |e: Event| {
            let name = crate::dom::target_value(&e).trim().to_string();
            session::set_annotator(&store, &session, name);
        })
    };
    let export_json = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| session::export(&store, Format::Native))
    };
    let toggle_export = {
        let export_open = export_open.clone();
        Callback::from(move |_: MouseEvent| export_open.set(!*export_open))
    };
    let on_import = {
        let (store, session) = (store.clone(), session.clone());
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            // Several files picked together: brat .txt/.ann pairs, plain texts, corpora.
            let picked = all_files(input.files());
            if !picked.is_empty() {
                session::import_files(store.clone(), session.clone(), picked);
            }
            // Choosing the same file again must fire again.
            input.set_value("");
        })
    };
    let open_text = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Msg::Ask(Some(Dialog::OpenText))))
    };

    let status = match &store.ui.save {
        SaveStatus::Loading => html! { <span class="save muted">{ "Opening saved work…" }</span> },
        SaveStatus::Ready => html! {
            <span class="save ok" title="Every change is saved in this browser at once">
                { "Saved in this browser" }
            </span>
        },
        SaveStatus::Saved(t) => html! {
            <span class="save ok" title="Every change is saved in this browser at once">
                { format!("Saved {}", t.clock(crate::dom::local_offset_minutes())) }
            </span>
        },
        // Storage full (the quota): everything stays in memory, and the whole project can be
        // taken out at once.
        SaveStatus::Failed(why)
            if why.contains("QuotaExceededError")
                || crate::dom::to_lowercase(why).contains("quota") =>
        {
            let (store, session) = (store.clone(), session.clone());
            let export = Callback::from(move |_: MouseEvent| {
                session::export_project(store.clone(), session.clone(), Format::Native, None)
            });
            html! {
                <span class="save warn" role="alert">
                    { "Not saved: this browser's storage for Marginalia is full. Everything is kept in this tab, and what was saved before is untouched; export the project to keep your work. " }
                    <button type="button" onclick={export}>{ "Export project" }</button>
                </span>
            }
        }
        SaveStatus::Failed(why) => html! {
            <span class="save warn" role="alert">
                { format!("Not saved: {why} Your work is kept in this tab only; use Export JSON to keep a copy.") }
            </span>
        },
        SaveStatus::Conflict => html! {
            <span class="save warn">{ "Not saved: another tab saved this document." }</span>
        },
    };

    html! {
        <div class="docbar">
            <div class="row">
                <button type="button" onclick={export_json} title="Download the annotations as Marginalia JSON">
                    { "Export JSON" }
                </button>
                <div class="export-menu" ref={export_ref}>
                    <button type="button" aria-haspopup="true" aria-expanded={export_open.to_string()}
                        onclick={toggle_export}>{ "Export ▾" }</button>
                    if *export_open {
                        <ul class="export-list" role="menu" aria-label="Export formats">
                            { for Format::ALL.iter().map(|f| {
                                let (store, export_open, f) = (store.clone(), export_open.clone(), *f);
                                let onclick = Callback::from(move |_: MouseEvent| {
                                    export_open.set(false);
                                    session::export(&store, f);
                                });
                                html! {
                                    <li role="none">
                                        <button type="button" role="menuitem" {onclick}>{ f.title() }</button>
                                    </li>
                                }
                            }) }
                        </ul>
                    }
                </div>
                <label class="file-btn">
                    <span aria-hidden="true">{ "Import" }</span>
                    <input type="file" class="visually-hidden" aria-label="Import" onchange={on_import} multiple=true
                        accept=".json,.jsonl,.jsonld,.zip,.txt,.ann,.conll,.iob,.iob2,.bio,.bioes,.conll03,application/json" />
                </label>
                <button type="button" onclick={open_text}>{ "Open text" }</button>
            </div>
            <div class="row">
                <label class="inline">
                    <span>{ "Annotator" }</span>
                    <input type="text" class="annotator" value={store.ui.annotator.clone()}
                        onchange={on_annotator} placeholder="your name" aria-label="Annotator" />
                </label>
                { status }
            </div>
        </div>
    }
}
