use std::rc::Rc;

use yew::prelude::*;

use super::Article;
use crate::model::Document;

#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    /// The document to open; the shipped article when `None`.
    #[prop_or_default]
    pub document: Option<Rc<Document>>,
}

/// The whole page: a header naming the document, and the article.
#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let document = use_memo(props.document.clone(), |doc| {
        doc.clone()
            .unwrap_or_else(|| Rc::new(Document::default_article()))
    });
    let document: Rc<Document> = (*document).clone();
    html! {
        <div class="app">
            <header class="doc-header">
                <p class="brand">{ "Marginalia" }</p>
                <h1 class="doc-title">{ document.title.clone() }</h1>
                <p class="doc-id">
                    <span class="visually-hidden">{ "Document id: " }</span>
                    <code>{ document.id.clone() }</code>
                </p>
            </header>
            <main>
                <Article document={document} />
            </main>
        </div>
    }
}
