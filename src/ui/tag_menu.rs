//! The tag menu beside a pending selection: "Entity", "Quote", "Claim", then one button per
//! entity type (the last used first, so Enter takes it). It is placed below the selection's
//! last line, or above its first line when there is no room below, so it never covers the
//! selected words, and it is kept inside the viewport near the edges.

use web_sys::Element;
use yew::prelude::*;

use super::store::{Menu, Msg, StoreHandle};
use crate::dom;
use crate::model::Kind;

#[derive(Properties, PartialEq)]
pub struct TagMenuProps {
    pub store: StoreHandle,
}

/// The entity types in menu order: the last used first, then the label set's order.
pub fn menu_labels(labels: &[String], last: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(labels.len());
    if let Some(last) = last.filter(|l| labels.iter().any(|x| x == l)) {
        out.push(last.to_string());
    }
    out.extend(labels.iter().filter(|l| Some(l.as_str()) != last).cloned());
    out
}

#[function_component(TagMenu)]
pub fn tag_menu(props: &TagMenuProps) -> Html {
    let store = props.store.clone();
    let menu_ref = use_node_ref();
    let ui = &store.ui;
    let pending = ui.pending.clone();
    let open = ui.menu != Menu::Closed && pending.is_some();

    // Place the menu after it is drawn, when its size is known.
    {
        let menu_ref = menu_ref.clone();
        let anchor = pending.as_ref().map(|p| p.anchor);
        use_effect_with((anchor, ui.menu), move |(anchor, _)| {
            if let (Some(a), Some(el)) = (anchor, menu_ref.cast::<Element>()) {
                let rect = el.get_bounding_client_rect();
                let (w, h) = (rect.width(), rect.height());
                let (vw, vh, sx, sy) = dom::viewport();
                const GAP: f64 = 8.0;
                let (last_left, _, last_bottom) = a.last;
                let (first_left, first_top) = a.first;
                let below = last_bottom + GAP;
                let above = first_top - GAP - h;
                let (left, top) = if below + h <= sy + vh - GAP {
                    (last_left, below)
                } else if above >= sy + GAP {
                    (first_left, above)
                } else {
                    // Taller than the screen: below, and the page scrolls to it.
                    (last_left, below)
                };
                // Not f64::clamp: its panic message alone links in 14 KB of float formatting.
                let left = left.min(sx + vw - w - GAP).max(sx + GAP);
                dom::place(&el, left, top);
                let _ = el.class_list().add_1("placed");
            }
        });
    }

    if !open {
        return html! {};
    }
    let pending = pending.unwrap();
    let state = store.state();
    let entity_ok = state.check_kind_span(Kind::Entity, pending.span);
    let set = state.labels().entity.clone();
    let labels = menu_labels(&set, ui.last_label.as_deref());
    drop(state);

    let tag = |kind: Kind, label: Option<String>| {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            store.dispatch(Msg::Tag {
                kind,
                label: label.clone(),
            })
        })
    };
    // Keep the text selection when the pointer presses a menu button.
    let keep_selection = Callback::from(|e: MouseEvent| e.prevent_default());

    let body = match ui.menu {
        Menu::Types => html! {
            <>
                <p class="menu-title" id="tag-menu-title">{ "Entity type" }</p>
                <div class="menu-types">
                    { for labels.iter().map(|l| {
                        // Digits follow the label set's order, whatever the menu's order.
                        let key = set.iter().position(|x| x == l)
                            .filter(|&i| i < 9)
                            .map(|i| (i + 1).to_string());
                        html! {
                            <button type="button" class="menu-btn type-btn"
                                aria-keyshortcuts={key.clone()}
                                title={crate::model::labels::describe(l).map(str::to_string)}
                                onclick={tag(Kind::Entity, Some(l.clone()))}>
                                { l.clone() }
                                if let Some(k) = key { <kbd aria-hidden="true">{ k }</kbd> }
                            </button>
                        }
                    }) }
                </div>
            </>
        },
        _ => {
            let open_types = {
                let store = store.clone();
                Callback::from(move |_: MouseEvent| store.dispatch(Msg::OpenMenu(Menu::Types)))
            };
            let entity_reason = entity_ok.as_ref().err().map(|e| e.to_string());
            html! {
                <>
                    <p class="menu-title" id="tag-menu-title">{ "Tag as" }</p>
                    <button type="button" class="menu-btn kind-btn k-entity" aria-keyshortcuts="e"
                        disabled={entity_ok.is_err()} title={entity_reason}
                        onclick={open_types}>
                        { "Entity" }<kbd aria-hidden="true">{ "E" }</kbd>
                    </button>
                    <button type="button" class="menu-btn kind-btn k-quote" aria-keyshortcuts="q"
                        onclick={tag(Kind::Quote, None)}>
                        { "Quote" }<kbd aria-hidden="true">{ "Q" }</kbd>
                    </button>
                    <button type="button" class="menu-btn kind-btn k-claim" aria-keyshortcuts="c"
                        onclick={tag(Kind::Claim, None)}>
                        { "Claim" }<kbd aria-hidden="true">{ "C" }</kbd>
                    </button>
                </>
            }
        }
    };
    let close = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Msg::OpenMenu(Menu::Closed)))
    };
    html! {
        <div class="tag-menu" ref={menu_ref} role="group" aria-labelledby="tag-menu-title"
            onmousedown={keep_selection}>
            { body }
            <button type="button" class="menu-close" aria-label="Cancel" aria-keyshortcuts="Escape"
                title="Cancel (Esc)" onclick={close}>{ "×" }</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::menu_labels;

    #[test]
    fn the_last_used_type_comes_first() {
        let labels: Vec<String> = ["PERSON", "ORG", "GPE"].map(String::from).to_vec();
        assert_eq!(menu_labels(&labels, None), ["PERSON", "ORG", "GPE"]);
        assert_eq!(menu_labels(&labels, Some("GPE")), ["GPE", "PERSON", "ORG"]);
        assert_eq!(
            menu_labels(&labels, Some("GONE")),
            ["PERSON", "ORG", "GPE"],
            "a label no longer in the set is not offered"
        );
    }
}
