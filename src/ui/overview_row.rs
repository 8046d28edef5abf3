//! One row of the overview. A component of its own, with plain props and a stable callback, so
//! that a change elsewhere does not redraw it: the overview's cost per change stays small.

use std::rc::Rc;

use yew::prelude::*;

use super::block::colour_of;
use crate::model::{Annotation, Kind};

#[derive(Properties, PartialEq)]
pub struct OverviewRowProps {
    pub annotation: Rc<Annotation>,
    /// The annotation's text, shortened.
    pub text: AttrValue,
    pub labels: Rc<Vec<String>>,
    pub selected: bool,
    /// The speaker or claimant: its entity id (when it is one) and name.
    pub party: Option<(Option<AttrValue>, AttrValue)>,
    /// Its relations of any type: (type, target id, target's text).
    pub relations: Vec<(AttrValue, AttrValue, AttrValue)>,
    /// Selects (and jumps to) an annotation by id.
    pub on_go: Callback<String>,
}

#[function_component(OverviewRow)]
pub fn overview_row(props: &OverviewRowProps) -> Html {
    let a = &props.annotation;
    let go = |id: String| {
        let on_go = props.on_go.clone();
        Callback::from(move |_: MouseEvent| on_go.emit(id.clone()))
    };
    html! {
        <li class={classes!("row-item", props.selected.then_some("sel"))}>
            <button type="button" class="item" onclick={go(a.id.clone())}
                aria-current={props.selected.then_some("true")}>
                if let Some(l) = a.body.label() {
                    <span class={classes!("tchip", format!("ent-{}", colour_of(&props.labels, l)))}>{ l }</span>
                }
                <span class="item-text">{ props.text.clone() }</span>
            </button>
            if let Some((r, name)) = &props.party {
                <p class="item-party">
                    <span class="muted">{ if a.kind() == Kind::Quote { "said by " } else { "claimed by " } }</span>
                    { match r {
                        Some(r) => html! {
                            <button type="button" class="link" onclick={go(r.to_string())}
                                title="Go to this entity">{ name.clone() }</button>
                        },
                        None => html! { <span>{ name.clone() }</span> },
                    } }
                </p>
            }
            { for props.relations.iter().map(|(kind, to, name)| html! {
                <p class="item-party item-relation">
                    <span class="muted">{ format!("{kind} → ") }</span>
                    <button type="button" class="link" onclick={go(to.to_string())}
                        title="Go to the related annotation">{ name.clone() }</button>
                </p>
            }) }
        </li>
    }
}
