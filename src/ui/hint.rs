//! The getting-started hint: the three steps of tagging (select → kind → type), shown in an
//! empty project until the first annotation retires it, and again when asked for from the
//! Shortcuts sheet. The keys it names are the shortcuts `ui::shortcuts` handles.

use yew::prelude::*;

use super::store::{Msg, StoreHandle};

#[derive(Properties, PartialEq)]
pub struct HintProps {
    pub store: StoreHandle,
}

#[function_component(Hint)]
pub fn hint(props: &HintProps) -> Html {
    let store = props.store.clone();
    let labels = store.state().labels().entity.clone();
    let examples: Vec<&str> = labels.iter().take(3).map(String::as_str).collect();
    let close = Callback::from(move |_: MouseEvent| store.dispatch(Msg::ShowHint(false)));
    html! {
        <section class="hint" aria-labelledby="hint-title">
            <h2 id="hint-title">{ "Start here" }</h2>
            <ol>
                <li><strong>{ "Select words" }</strong>{ " in the text: drag across them, or double-click a word." }</li>
                <li><strong>{ "Choose what they are" }</strong>{ ": " }
                    <kbd>{ "E" }</kbd>{ " entity, " }<kbd>{ "Q" }</kbd>{ " quote or " }
                    <kbd>{ "C" }</kbd>{ " claim (or click it in the menu)." }</li>
                <li><strong>{ "Pick the type" }</strong>{ format!(" of an entity: {} … (", examples.join(", ")) }
                    <kbd>{ "1" }</kbd>{ "–" }<kbd>{ "9" }</kbd>{ ")." }</li>
            </ol>
            <p class="hint-foot">{ "Your work is saved in this browser as you go. " }
                <kbd>{ "?" }</kbd>{ " lists every shortcut." }</p>
            <button type="button" onclick={close}>{ "Got it" }</button>
        </section>
    }
}
