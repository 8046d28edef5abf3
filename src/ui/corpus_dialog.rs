//! A file of many documents: what it holds, before anything is stored (import them all, or
//! not; for those whose text the project holds already, keep both, replace or merge, chosen
//! once for all), and, once stored, what the import gave — the summary, to read and to copy.

use std::rc::Rc;

use web_sys::Element;
use yew::prelude::*;

use super::session::{self, OnMatch, SessionCtx};
use super::store::{Msg, StoreHandle, Tone};
use crate::dom::worker::PreparedCorpus;

#[derive(Properties, PartialEq)]
pub struct CorpusAskProps {
    pub store: StoreHandle,
    pub file: String,
    pub corpus: Rc<PreparedCorpus>,
}

/// Focuses `target` once, when the dialog opens.
#[hook]
fn use_focus_first(target: NodeRef) {
    use_effect_with((), move |_| {
        if let Some(b) = target.cast::<Element>() {
            crate::dom::focus(&b);
        }
    });
}

#[function_component(CorpusAsk)]
pub fn corpus_ask(props: &CorpusAskProps) -> Html {
    let session = use_context::<SessionCtx>().expect("session").0;
    let first_ref = use_node_ref();
    use_focus_first(first_ref.clone());
    let n = props.corpus.documents.len();
    // Counted once per file, not on every render (the worker hashed each text).
    let held = *use_memo(props.corpus.clone(), |corpus| {
        session::already_held(&session, corpus)
    });
    let on_match = use_state(OnMatch::default);
    let go = {
        let (store, session, file, corpus, on_match) = (
            props.store.clone(),
            session.clone(),
            props.file.clone(),
            props.corpus.clone(),
            on_match.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let how = if held > 0 {
                *on_match
            } else {
                OnMatch::KeepBoth
            };
            session::store_corpus(
                store.clone(),
                session.clone(),
                file.clone(),
                corpus.clone(),
                how,
            )
        })
    };
    let cancel = {
        let store = props.store.clone();
        Callback::from(move |_: MouseEvent| {
            store.dispatch(Msg::Ask(None));
            store.dispatch(Msg::Say("Nothing was imported.".into(), Tone::Info));
        })
    };
    let what = if n == 1 { "document" } else { "documents" };
    html! {
        <div class="backdrop">
            <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="corpus-title" aria-describedby="corpus-summary">
                <div class="dialog-head"><h2 id="corpus-title">{ format!("Import {n} {what} from {}?", props.file) }</h2></div>
                <p>{ "Each becomes a document of this project. What the file holds:" }</p>
                <pre id="corpus-summary" class="summary">{ props.corpus.summary.clone() }</pre>
                if held > 0 {
                    <fieldset class="on-match">
                        <legend>{ format!(
                            "{held} of them have the text of a document this project holds already. For all of them:"
                        ) }</legend>
                        { for OnMatch::ALL.iter().map(|how| {
                            let (set, how) = (on_match.clone(), *how);
                            let onchange = Callback::from(move |_: Event| set.set(how));
                            html! {
                                <label class="choice">
                                    <input type="radio" name="on-match" value={how.key()}
                                        checked={*on_match == how} {onchange} />
                                    { how.title() }
                                </label>
                            }
                        }) }
                    </fieldset>
                }
                <div class="row">
                    <button type="button" class="primary" ref={first_ref} onclick={go}>{ format!("Import {n} {what}") }</button>
                    <button type="button" onclick={cancel}>{ "Cancel" }</button>
                </div>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct CorpusSummaryProps {
    pub store: StoreHandle,
    pub file: String,
    pub summary: String,
}

#[function_component(CorpusSummary)]
pub fn corpus_summary(props: &CorpusSummaryProps) -> Html {
    let close_ref = use_node_ref();
    use_focus_first(close_ref.clone());
    let close = {
        let store = props.store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Msg::Ask(None)))
    };
    let copy = {
        let (store, summary) = (props.store.clone(), props.summary.clone());
        Callback::from(move |_: MouseEvent| {
            let (store, summary) = (store.clone(), summary.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let said = match crate::dom::copy_text(&summary).await {
                    Ok(()) => ("The summary is copied.".to_string(), Tone::Info),
                    Err(why) => (format!("The summary could not be copied: {why}. Select it and copy it instead."), Tone::Error),
                };
                store.dispatch(Msg::Say(said.0, said.1));
            });
        })
    };
    html! {
        <div class="backdrop">
            <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="corpus-done-title" aria-describedby="corpus-done-summary">
                <div class="dialog-head"><h2 id="corpus-done-title">{ format!("Imported from {}", props.file) }</h2></div>
                <pre id="corpus-done-summary" class="summary" tabindex="0">{ props.summary.clone() }</pre>
                <div class="row">
                    <button type="button" class="primary" ref={close_ref} onclick={close}>{ "Close" }</button>
                    <button type="button" onclick={copy}>{ "Copy summary" }</button>
                </div>
            </div>
        </div>
    }
}
