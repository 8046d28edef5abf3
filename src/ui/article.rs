use std::rc::Rc;

use yew::prelude::*;

use super::Paragraph;
use crate::model::Document;

#[derive(Properties, PartialEq)]
pub struct ArticleProps {
    pub document: Rc<Document>,
}

/// The document's paragraphs, each a `<p>` inside one `<article>`.
#[function_component(Article)]
pub fn article(props: &ArticleProps) -> Html {
    let doc = &props.document;
    html! {
        <article class="doc" lang="en" aria-label={ doc.title.clone() }>
            { for doc.paragraphs().iter().enumerate().map(|(i, span)| html! {
                <Paragraph key={i} index={i} text={ AttrValue::from(doc.slice(*span).to_string()) } />
            }) }
        </article>
    }
}
