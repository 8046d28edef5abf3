//! The message line: errors in a `role="alert"` element (announced at once), other news in a
//! `role="status"` one (announced politely). Both always exist, so that screen readers watch
//! them from the start.

use yew::prelude::*;

use super::store::{Msg, StoreHandle, Tone};

#[derive(Properties, PartialEq)]
pub struct MessagesProps {
    pub store: StoreHandle,
}

#[function_component(Messages)]
pub fn messages(props: &MessagesProps) -> Html {
    let store = props.store.clone();
    let message = store.ui.message.clone();
    let (error, info) = match &message {
        Some(m) if m.tone == Tone::Error => (Some(m.clone()), None),
        Some(m) => (None, Some(m.clone())),
        None => (None, None),
    };
    let dismiss = Callback::from(move |_: MouseEvent| store.dispatch(Msg::Dismiss));
    html! {
        <div class="messages">
            <div class={classes!("alert", error.is_some().then_some("on"))} role="alert">
                if let Some(m) = &error {
                    <span key={m.serial.to_string()}>{ m.text.clone() }</span>
                    <button type="button" class="icon-btn" aria-label="Dismiss message" onclick={dismiss.clone()}>{ "×" }</button>
                }
            </div>
            <div class={classes!("status", info.is_some().then_some("on"))} role="status">
                if let Some(m) = &info {
                    <span key={m.serial.to_string()}>{ m.text.clone() }</span>
                }
            </div>
        </div>
    }
}
