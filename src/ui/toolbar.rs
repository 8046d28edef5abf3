//! The toolbar: undo and redo (named by what they would undo), review, labels, shortcuts.

use yew::prelude::*;

use super::store::{Msg, StoreHandle};
use crate::model::Action;

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    pub store: StoreHandle,
}

#[function_component(Toolbar)]
pub fn toolbar(props: &ToolbarProps) -> Html {
    let store = props.store.clone();
    let state = store.state();
    let undo_label = state.undo_label().map(|l| format!("Undo {l} (Ctrl+Z)"));
    let redo_label = state
        .redo_label()
        .map(|l| format!("Redo {l} (Ctrl+Shift+Z)"));
    drop(state);
    let review_open = store.ui.review_open;
    let toggle_review = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Msg::ShowReview(!review_open)))
    };
    let send = |msg: fn() -> Msg| {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(msg()))
    };
    html! {
        <div class="toolbar" role="toolbar" aria-label="Editing">
            <button type="button" onclick={send(|| Msg::Do(Action::Undo))}
                disabled={undo_label.is_none()} title={undo_label.clone()}
                aria-keyshortcuts="Control+Z">{ "Undo" }</button>
            <button type="button" onclick={send(|| Msg::Do(Action::Redo))}
                disabled={redo_label.is_none()} title={redo_label.clone()}
                aria-keyshortcuts="Control+Shift+Z Control+Y">{ "Redo" }</button>
            <span class="spacer"></span>
            <button type="button" onclick={toggle_review}
                aria-pressed={review_open.to_string()}
                title="Other annotators' layers of this document, and how far you agree">{ "Review" }</button>
            <button type="button" onclick={send(|| Msg::ShowLabels(true))}>{ "Labels" }</button>
            <button type="button" onclick={send(|| Msg::ShowHelp(true))} aria-keyshortcuts="?"
                title="Keyboard shortcuts (?)">{ "Shortcuts" }</button>
        </div>
    }
}
