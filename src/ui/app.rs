use std::rc::Rc;

use gloo::timers::callback::Timeout;
use yew::prelude::*;

use super::shortcuts::use_shortcuts;
use super::store::{Msg, Store};
use super::{Article, Details, Help, LabelsDialog, Legend, Messages, Overview, TagMenu, Toolbar};
use crate::model::Document;

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
    let document = props
        .document
        .clone()
        .unwrap_or_else(|| Rc::new(Document::default_article()));
    let store = use_reducer(move || Store::new(document));
    use_shortcuts(store.clone());

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
        <div class="app">
            <header class="doc-header">
                <p class="brand">{ "Marginalia" }</p>
                <h1 class="doc-title">{ doc.title.clone() }</h1>
                <p class="doc-id">
                    <span class="visually-hidden">{ "Document id: " }</span>
                    <code>{ doc.id.clone() }</code>
                </p>
            </header>
            <Toolbar store={store.clone()} />
            <Messages store={store.clone()} />
            <main>
                <Article store={store.clone()} />
                <TagMenu store={store.clone()} />
            </main>
            <aside class="side" aria-label="Annotations">
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
        </div>
    }
}
