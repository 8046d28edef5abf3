//! A conversion under way in the formats worker: what it is, a progress bar, and Cancel.
//!
//! Shown in a region fixed to the bottom of the viewport, where it stays in view whatever the
//! person scrolls to, and announced politely (`role="status"`). Cancel stops the worker
//! (`dom::worker::cancel`): the conversion ends as cancelled and nothing changes. The bar is
//! indeterminate for a conversion, which runs as one step in the worker and cannot say how far
//! it is; work done on the page in steps (storing the documents of a corpus) shows its count
//! ("37 of 120"), and Cancel stops it before its next step.

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
    let stop = busy.stop.clone();
    let cancel = Callback::from(move |_: MouseEvent| match &stop {
        Some(stop) => stop.set(true),
        None => crate::dom::worker::cancel(),
    });
    let what = match busy.progress {
        Some((done, of)) => format!("{} ({done} of {of})…", busy.what),
        None => format!("{}…", busy.what),
    };
    html! {
        <div class="busy" role="status">
            <span class="busy-what">{ what }</span>
            if let Some((done, of)) = busy.progress {
                <progress aria-label={busy.what.clone()} value={done.to_string()} max={of.to_string()}></progress>
            } else {
                <progress aria-label={busy.what.clone()}></progress>
            }
            <button type="button" onclick={cancel}>{ "Cancel" }</button>
        </div>
    }
}
