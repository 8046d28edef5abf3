//! The list of keyboard shortcuts, opened with `?`.

use web_sys::Element;
use yew::prelude::*;

use super::shortcuts::SHORTCUTS;
use super::store::{Msg, StoreHandle};

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub store: StoreHandle,
}

#[function_component(Help)]
pub fn help(props: &HelpProps) -> Html {
    let store = props.store.clone();
    let close_ref = use_node_ref();
    {
        let close_ref = close_ref.clone();
        use_effect_with((), move |_| {
            if let Some(b) = close_ref.cast::<Element>() {
                crate::dom::focus(&b);
            }
        });
    }
    let hint = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Msg::ShowHint(true)))
    };
    let close = Callback::from(move |_: MouseEvent| store.dispatch(Msg::ShowHelp(false)));
    html! {
        <div class="backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title">
                <div class="dialog-head">
                    <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                    <button type="button" class="icon-btn" ref={close_ref} aria-label="Close shortcuts"
                        title="Close (Esc)" onclick={close}>{ "×" }</button>
                </div>
                <table class="shortcuts">
                    <tbody>
                        { for SHORTCUTS.iter().map(|(keys, what)| html! {
                            <tr><th scope="row"><kbd>{ *keys }</kbd></th><td>{ *what }</td></tr>
                        }) }
                    </tbody>
                </table>
                <p class="dialog-foot">
                    <button type="button" onclick={hint}>{ "Show the first steps again" }</button>
                </p>
            </div>
        </div>
    }
}
