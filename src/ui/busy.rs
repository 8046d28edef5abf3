//! A conversion under way in the formats worker: what it is, a progress bar, and Cancel.
//!
//! Shown in a region fixed to the bottom of the viewport, where it stays in view whatever the
//! person scrolls to, and announced politely (`role="status"`). Cancel stops the worker
//! (`dom::worker::cancel`): the conversion ends as cancelled and nothing changes. The bar is
//! indeterminate: a conversion runs as one step in the worker, which cannot say how far it is.

use yew::prelude::*;

use super::store::StoreHandle;

#[derive(Properties, PartialEq)]
pub struct BusyProps {
    pub store: StoreHandle,
}

#[function_component(BusyBar)]
pub fn busy_bar(props: &BusyProps) -> Html {
    let Some(busy) = props.store.ui.busy.clone() else {
        return html! {};
    };
    let cancel = Callback::from(|_: MouseEvent| crate::dom::worker::cancel());
    html! {
        <div class="busy" role="status">
            <span class="busy-what">{ format!("{}…", busy.what) }</span>
            <progress aria-label={busy.what.clone()}></progress>
            <button type="button" onclick={cancel}>{ "Cancel" }</button>
        </div>
    }
}
