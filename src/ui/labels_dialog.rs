//! Editing the label sets: entity types and the check-worthiness scale, as comma-separated
//! lists. The reducer refuses to drop a label still in use, and says which.

use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

use super::store::{Msg, StoreHandle};
use crate::model::{Action, Labels};

#[derive(Properties, PartialEq)]
pub struct LabelsDialogProps {
    pub store: StoreHandle,
}

#[function_component(LabelsDialog)]
pub fn labels_dialog(props: &LabelsDialogProps) -> Html {
    let store = props.store.clone();
    let labels = store.state().labels().clone();
    let entity_ref = use_node_ref();
    let cw_ref = use_node_ref();
    {
        let entity_ref = entity_ref.clone();
        use_effect_with((), move |_| {
            if let Some(i) = entity_ref.cast::<Element>() {
                crate::dom::focus(&i);
            }
        });
    }
    let value = |r: &NodeRef| {
        r.cast::<HtmlInputElement>()
            .map(|i| i.value())
            .unwrap_or_default()
    };
    let onsubmit = {
        let (store, entity_ref, cw_ref) = (store.clone(), entity_ref.clone(), cw_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let labels = Labels {
                entity: Labels::parse_list(&value(&entity_ref)),
                checkworthiness: Labels::parse_list(&value(&cw_ref)),
            };
            let before = store.state().labels().clone();
            store.dispatch(Msg::Do(Action::SetLabels {
                labels: labels.clone(),
            }));
            if store.state().labels() == &labels || before == labels {
                store.dispatch(Msg::ShowLabels(false));
            }
        })
    };
    let reset = {
        let (entity_ref, cw_ref) = (entity_ref.clone(), cw_ref.clone());
        Callback::from(move |_: MouseEvent| {
            let d = Labels::default();
            if let Some(i) = entity_ref.cast::<HtmlInputElement>() {
                i.set_value(&d.entity.join(", "));
            }
            if let Some(i) = cw_ref.cast::<HtmlInputElement>() {
                i.set_value(&d.checkworthiness.join(", "));
            }
        })
    };
    let close = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Msg::ShowLabels(false)))
    };
    html! {
        <div class="backdrop">
            <form class="dialog" role="dialog" aria-modal="true" aria-labelledby="labels-title" {onsubmit}>
                <div class="dialog-head">
                    <h2 id="labels-title">{ "Labels" }</h2>
                    <button type="button" class="icon-btn" aria-label="Close labels" title="Close (Esc)"
                        onclick={close}>{ "×" }</button>
                </div>
                <label class="field">
                    <span>{ "Entity types, in order (the first nine get the keys 1–9)" }</span>
                    <input type="text" ref={entity_ref} value={labels.entity.join(", ")} />
                </label>
                <label class="field">
                    <span>{ "Check-worthiness scale" }</span>
                    <input type="text" ref={cw_ref} value={labels.checkworthiness.join(", ")} />
                </label>
                <div class="row">
                    <button type="submit" class="primary">{ "Save labels" }</button>
                    <button type="button" onclick={reset}>{ "Defaults" }</button>
                </div>
            </form>
        </div>
    }
}
