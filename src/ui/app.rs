//! The page's root component: it owns the one store (the reducer around the model) and the
//! session (the side effects: storage, files, other tabs), starts the restore, saves after every
//! change, and lays out the header, toolbar, text and side column.

use std::rc::Rc;

use gloo::timers::callback::Timeout;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::session::{self, Session, SessionCtx};
use super::shortcuts::use_shortcuts;
use super::store::{use_latest, Msg, Store};
use super::{
    Article, Ask, BusyBar, Details, DocBar, Documents, Help, Hint, LabelsDialog, Legend, Links,
    Messages, Overview, TagMenu, Toolbar,
};
use crate::model::Document;

/// What this browser remembers once a first annotation is made (see `dom::remember`).
const HINT_RETIRED: &str = "hint-retired";

#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    /// The document to open; the shipped article when `None`.
    #[prop_or_default]
    pub document: Option<Rc<Document>>,
}

/// The whole page: header, toolbar, the article with its tag menu, and the side panel with the
/// selected annotation's details, the overview and the legend.
#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    // Only the first render builds the store: the default article is not built on every one.
    let document = props.document.clone();
    let store = use_reducer(move || {
        Store::new(document.unwrap_or_else(|| Rc::new(Document::default_article())))
    });
    let session = use_memo((), |_| Session::new());
    let session: session::SessionRef = (*session).clone();
    use_shortcuts(store.clone(), session.clone());

    // The handle of this render, for what lives as long as the page: a handle captured once
    // would keep every state it ever read alive.
    let latest = use_latest(&store);
    // Storage: restore the saved work once, then write every change at once.
    {
        let (store, session, latest) = (store.clone(), session.clone(), latest.clone());
        use_effect_with((), move |_| session::start(store, session, latest));
    }
    {
        let (store2, session) = (store.clone(), session.clone());
        use_effect_with((store.generation, store.revision), move |_| {
            session::save(store2, session)
        });
    }
    // Mark the page with what it shows once it is drawn, for tests and benchmarks to wait on:
    // <html data-doc="<id>" data-annotations="<count>">.
    {
        let store2 = store.clone();
        use_effect_with((store.generation, store.revision), move |_| {
            if let Some(html) = crate::dom::document().and_then(|d| d.document_element()) {
                let state = store2.state();
                let _ = html.set_attribute("data-doc", &state.document().id);
                let _ = html.set_attribute("data-annotations", &state.len().to_string());
            }
        });
    }
    // A file dropped anywhere on the page is imported.
    {
        let (latest, session) = (latest.clone(), session.clone());
        use_effect_with((), move |_| {
            let listeners = web_sys::window().map(|w| {
                let over = gloo::events::EventListener::new_with_options(
                    &w,
                    "dragover",
                    gloo::events::EventListenerOptions::enable_prevent_default(),
                    |e| e.prevent_default(),
                );
                let drop = gloo::events::EventListener::new_with_options(
                    &w,
                    "drop",
                    gloo::events::EventListenerOptions::enable_prevent_default(),
                    move |e| {
                        e.prevent_default();
                        let files = e
                            .dyn_ref::<web_sys::DragEvent>()
                            .and_then(|d| d.data_transfer())
                            .and_then(|t| t.files());
                        let picked = crate::dom::files::all_files(files);
                        if !picked.is_empty() {
                            let store = latest.borrow().clone();
                            session::import_files(store, session.clone(), picked);
                        }
                    },
                );
                (over, drop)
            });
            move || drop(listeners)
        });
    }

    // The getting-started hint: shown in an empty project once the saved work is back, until
    // this browser has seen a first annotation (which retires it for good).
    {
        let store2 = store.clone();
        let loaded = !matches!(store.ui.save, super::store::SaveStatus::Loading);
        let empty = store.state().is_empty();
        use_effect_with((loaded, empty), move |&(loaded, empty)| {
            if !empty {
                crate::dom::remember(HINT_RETIRED);
            } else if loaded && !crate::dom::remembered(HINT_RETIRED) {
                store2.dispatch(Msg::ShowHint(true));
            }
        });
    }
    // A flash ends by itself.
    {
        let store = store.clone();
        use_effect_with(store.ui.flash.clone(), move |flash| {
            let timer = flash
                .is_some()
                .then(|| Timeout::new(1600, move || store.dispatch(Msg::EndFlash)));
            move || drop(timer)
        });
    }

    let state = store.state();
    let doc = state.document().clone();
    let labels = state.labels().entity.clone();
    let selected = store
        .ui
        .selected
        .as_deref()
        .and_then(|id| state.get(id))
        .cloned();
    drop(state);

    html! {
        <ContextProvider<SessionCtx> context={SessionCtx(session)}>
        <div class="app">
            <a class="skip-link" href="#article">{ "Skip to the text" }</a>
            <header class="doc-header">
                <p class="brand">{ "Marginalia" }</p>
                <h1 class="doc-title">{ doc.title.clone() }</h1>
                <p class="doc-id">
                    <span class="visually-hidden">{ "Document id: " }</span>
                    <code>{ doc.id.clone() }</code>
                </p>
            </header>
            <section class="tools" aria-label="Tools">
                <Toolbar store={store.clone()} />
                <DocBar store={store.clone()} />
            </section>
            <Messages store={store.clone()} />
            <super::offline::Offline store={store.clone()} />
            <BusyBar store={store.clone()} />
            <main>
                <Article key={store.generation} store={store.clone()} />
                <TagMenu store={store.clone()} />
                <Links store={store.clone()} />
            </main>
            <aside class="side" aria-label="Documents and annotations">
                <Documents store={store.clone()} />
                if store.ui.hint {
                    <Hint store={store.clone()} />
                }
                <super::review::Review store={store.clone()} />
                if let Some(a) = selected {
                    <Details store={store.clone()} annotation={a} />
                }
                <Overview store={store.clone()} />
                <Legend labels={labels} />
            </aside>
            if store.ui.help_open {
                <Help store={store.clone()} />
            }
            if store.ui.labels_open {
                <LabelsDialog store={store.clone()} />
            }
            <Ask store={store.clone()} />
        </div>
        </ContextProvider<SessionCtx>>
    }
}
