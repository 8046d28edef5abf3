//! The tag menu beside a pending selection: "Entity", "Quote", "Claim", then one button per
//! entity type, always in the label set's order (a button never moves under the pointer); the
//! type used last is marked, and Enter takes it. It is placed below the selection's
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

/// The type Enter takes: the one used last while it is in the set, else the first.
pub fn default_label(labels: &[String], last: Option<&str>) -> Option<String> {
    last.filter(|l| labels.iter().any(|x| x == l))
        .or(labels.first().map(String::as_str))
        .map(str::to_string)
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
                // Inside the text's column, so that it never covers the side panel (where the
                // person may be setting a cue), and inside the viewport.
                let right = dom::query("main")
                    .map(|m| m.get_bounding_client_rect().right() + sx)
                    .unwrap_or(sx + vw)
                    .min(sx + vw);
                // Not f64::clamp: its panic message alone links in 14 KB of float formatting.
                let left = left.min(right - w - GAP).max(sx + GAP);
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
    let default = default_label(&set, ui.last_label.as_deref());
    // Picking the speaker or claimant of this quote or claim: the words become an entity.
    let role = ui
        .picking
        .as_deref()
        .and_then(|id| state.get(id))
        .map(|a| crate::model::links::role_of(&a.body));
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
                <p class="menu-title" id="tag-menu-title">
                    { match role {
                        Some(r) => format!("Tag as the {r} and link: type"),
                        None => "Entity type".to_string(),
                    } }
                </p>
                <div class="menu-types">
                    { for set.iter().enumerate().map(|(i, l)| {
                        let key = (i < 9).then(|| (i + 1).to_string());
                        let is_default = default.as_deref() == Some(l.as_str());
                        let keys = match (&key, is_default) {
                            (Some(k), true) => Some(format!("{k} Enter")),
                            (Some(k), false) => Some(k.clone()),
                            (None, true) => Some("Enter".to_string()),
                            (None, false) => None,
                        };
                        let title = match (crate::model::labels::describe(l), is_default) {
                            (Some(d), true) => Some(format!("{d} (used last: Enter)")),
                            (Some(d), false) => Some(d.to_string()),
                            (None, true) => Some("Used last: Enter".to_string()),
                            (None, false) => None,
                        };
                        html! {
                            <button type="button"
                                class={classes!("menu-btn", "type-btn", is_default.then_some("last"))}
                                aria-keyshortcuts={keys} {title}
                                onclick={tag(Kind::Entity, Some(l.clone()))}>
                                { l.clone() }
                                if let Some(k) = key { <kbd aria-hidden="true">{ k }</kbd> }
                                if is_default { <span class="last-mark" aria-hidden="true">{ "↵" }</span> }
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
    use super::default_label;

    #[test]
    fn enter_takes_the_type_used_last_while_it_is_in_the_set() {
        let labels: Vec<String> = ["PERSON", "ORG", "GPE"].map(String::from).to_vec();
        assert_eq!(default_label(&labels, None).as_deref(), Some("PERSON"));
        assert_eq!(default_label(&labels, Some("GPE")).as_deref(), Some("GPE"));
        assert_eq!(
            default_label(&labels, Some("GONE")).as_deref(),
            Some("PERSON"),
            "a label no longer in the set is not offered"
        );
        assert_eq!(default_label(&[], None), None);
    }
}
