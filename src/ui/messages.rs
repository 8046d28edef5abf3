//! The messages, in a region fixed to the viewport (where the eyes are, wherever the person
//! has scrolled): errors in a `role="alert"` element (announced at once) that stays until
//! dismissed or replaced; other news in a `role="status"` one (announced politely), kept for
//! screen readers only, and shown to sighted people as a toast for a few seconds, with Undo
//! when it follows a change ("Tagged “Damascus” GPE · Undo"). The alert and the status always
//! exist, so that screen readers watch them from the start.

use gloo::timers::callback::Timeout;
use yew::prelude::*;

use super::store::{Msg, StoreHandle, Tone};
use crate::model::Action;

/// How long a toast stays.
const TOAST_MS: u32 = 6_000;

#[derive(Properties, PartialEq)]
pub struct MessagesProps {
    pub store: StoreHandle,
}

#[function_component(Messages)]
pub fn messages(props: &MessagesProps) -> Html {
    let store = props.store.clone();
    let message = store.ui.message.clone();
    let toast = store.ui.toast.clone();
    // A toast ends by itself; a newer one starts its own time.
    {
        let store = store.clone();
        use_effect_with(toast.as_ref().map(|t| t.serial), move |serial| {
            let timer =
                serial.map(|s| Timeout::new(TOAST_MS, move || store.dispatch(Msg::EndToast(s))));
            move || drop(timer)
        });
    }
    let (error, info) = match &message {
        Some(m) if m.tone == Tone::Error => (Some(m.clone()), None),
        Some(m) => (None, Some(m.clone())),
        None => (None, None),
    };
    let dismiss = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Msg::Dismiss))
    };
    let undo = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Msg::Do(Action::Undo)))
    };
    html! {
        <section class="messages" aria-label="Messages">
            <div class={classes!("alert", error.is_some().then_some("on"))} role="alert">
                if let Some(m) = &error {
                    <span key={m.serial.to_string()}>{ m.text.clone() }</span>
                    <button type="button" class="icon-btn" aria-label="Dismiss message" onclick={dismiss.clone()}>{ "×" }</button>
                }
            </div>
            <div class="status visually-hidden" role="status">
                if let Some(m) = &info {
                    <span key={m.serial.to_string()}>{ m.text.clone() }</span>
                }
            </div>
            if let Some(t) = toast.filter(|_| error.is_none()) {
                <div class="toast" key={t.serial.to_string()}>
                    <span class="toast-text">{ t.text.clone() }</span>
                    if t.undo {
                        <button type="button" class="toast-undo" onclick={undo}
                            aria-label={format!("Undo: {}", t.text)} aria-keyshortcuts="Control+Z">{ "Undo" }</button>
                    }
                    <button type="button" class="icon-btn" aria-label="Dismiss" onclick={dismiss}>{ "×" }</button>
                </div>
            }
        </section>
    }
}
