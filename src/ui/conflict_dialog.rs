//! Two tabs on one document: the tab that would overwrite the other's work is told, and
//! chooses.

use web_sys::Element;
use yew::prelude::*;

use super::session::{self, SessionCtx};
use super::store::StoreHandle;

#[derive(Properties, PartialEq)]
pub struct ConflictDialogProps {
    pub store: StoreHandle,
    /// Whether this tab just tried to save (else another tab's save was announced).
    pub while_saving: bool,
}

#[function_component(ConflictDialog)]
pub fn conflict_dialog(props: &ConflictDialogProps) -> Html {
    let session = use_context::<SessionCtx>().expect("session").0;
    let reload_ref = use_node_ref();
    {
        let reload_ref = reload_ref.clone();
        use_effect_with((), move |_| {
            if let Some(b) = reload_ref.cast::<Element>() {
                crate::dom::focus(&b);
            }
        });
    }
    let choose = |reload: bool| {
        let (store, session) = (props.store.clone(), session.clone());
        Callback::from(move |_: MouseEvent| {
            session::resolve_conflict(store.clone(), session.clone(), reload)
        })
    };
    let not_now = {
        let store = props.store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(super::store::Msg::Ask(None)))
    };
    let text = if props.while_saving {
        "This document was saved from another tab since you opened it here, so your last change was not saved. \
         Reload to get the other tab's version (changes made here since then are lost: use Export JSON first to keep them), \
         or keep this tab's version and save it over the other."
    } else {
        "This document was just changed in another tab. Reload to see those changes here. \
         If you go on editing here instead, Marginalia will ask before saving over them."
    };
    html! {
        <div class="backdrop">
            <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="conflict-title">
                <div class="dialog-head"><h2 id="conflict-title">{ "Open in another tab" }</h2></div>
                <p>{ text }</p>
                <div class="row">
                    <button type="button" class="primary" ref={reload_ref} onclick={choose(true)}>{ "Reload" }</button>
                    if props.while_saving {
                        <button type="button" onclick={choose(false)}>{ "Keep this tab's version" }</button>
                    } else {
                        <button type="button" onclick={not_now}>{ "Not now" }</button>
                    }
                </div>
            </div>
        </div>
    }
}
