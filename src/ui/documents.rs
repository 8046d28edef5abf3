//! The Documents panel: the project's documents with title, annotation count and status, in
//! the order and under the filter the person chose (`model::catalog`), with how far the work
//! is ("37 of 120 done"), the open document's status to set, and Export project: every
//! document in one file of the chosen format.
//!
//! The list is a listbox drawn a window at a time: rows have one height, so only those in view
//! (and a few around) are in the DOM, placed by their index; 10,000 documents cost what 20 do.
//! The keyboard moves an active row (↑ ↓, Page Up/Down, Home, End; Enter opens it), announced
//! with `aria-activedescendant`, `aria-posinset` and `aria-setsize`.

use web_sys::{Element, KeyboardEvent};
use yew::prelude::*;

use super::session::{self, SessionCtx};
use super::store::{Msg, StoreHandle};
use crate::dom;
use crate::formats::Format;
use crate::model::catalog::{arrange, progress, Order, View};
use crate::model::Status;

/// A row's height in CSS pixels (`.doc-row` in the stylesheet has the same).
const ROW_PX: f64 = 30.0;
/// Rows drawn beyond those in view, on each side.
const OVERSCAN: usize = 6;

#[derive(Properties, PartialEq)]
pub struct DocumentsProps {
    pub store: StoreHandle,
}

#[function_component(Documents)]
pub fn documents(props: &DocumentsProps) -> Html {
    let store = props.store.clone();
    let session = use_context::<SessionCtx>()
        .expect("the app provides the session")
        .0;
    let list_ref = use_node_ref();
    let scroll = use_state(|| (0.0_f64, 8.0 * ROW_PX));
    // The row the keyboard is on (a document id); the open document when none.
    let active = use_state(|| None::<String>);

    let docs = store.ui.documents.clone();
    let view = store.ui.doc_view.clone();
    let shown = use_memo((docs.clone(), view.clone()), |(docs, view)| {
        arrange(docs, view, dom::to_lowercase)
    });
    let state = store.state();
    let current = state.document().id.clone();
    let live_count = state.len();
    drop(state);
    let (done, all) = progress(&docs);
    let active_id = (*active).clone().unwrap_or_else(|| current.clone());
    let active_at = shown.iter().position(|&i| docs[i].id == active_id);

    // The active row is kept in view when the keyboard moves it.
    let reveal = {
        let list_ref = list_ref.clone();
        move |at: usize| {
            if let Some(list) = list_ref.cast::<Element>() {
                let top = at as f64 * ROW_PX;
                let height = f64::from(list.client_height());
                let scroll_top = f64::from(list.scroll_top());
                if top < scroll_top {
                    list.set_scroll_top(top as i32);
                } else if top + ROW_PX > scroll_top + height {
                    list.set_scroll_top((top + ROW_PX - height) as i32);
                }
            }
        }
    };
    let open = {
        let (store, session, current) = (store.clone(), session.clone(), current.clone());
        move |id: String| {
            if id != current {
                session::switch(store.clone(), session.clone(), id);
            }
        }
    };

    let on_scroll = {
        let scroll = scroll.clone();
        Callback::from(move |e: Event| {
            let list: Element = e.target_unchecked_into();
            scroll.set((
                f64::from(list.scroll_top()),
                f64::from(list.client_height()),
            ));
        })
    };
    let on_key = {
        let (shown, docs, active, open) =
            (shown.clone(), docs.clone(), active.clone(), open.clone());
        let reveal = reveal.clone();
        let page = ((scroll.1 / ROW_PX) as usize).max(1);
        Callback::from(move |e: KeyboardEvent| {
            let last = shown.len().saturating_sub(1);
            let at = active_at;
            let to = match e.key().as_str() {
                "ArrowDown" => at.map_or(0, |a| (a + 1).min(last)),
                "ArrowUp" => at.map_or(0, |a| a.saturating_sub(1)),
                "PageDown" => at.map_or(0, |a| (a + page).min(last)),
                "PageUp" => at.map_or(0, |a| a.saturating_sub(page)),
                "Home" => 0,
                "End" => last,
                "Enter" | " " => {
                    e.prevent_default();
                    if let Some(a) = at {
                        open(docs[shown[a]].id.clone());
                    }
                    return;
                }
                _ => return,
            };
            e.prevent_default();
            if let Some(&i) = shown.get(to) {
                active.set(Some(docs[i].id.clone()));
                reveal(to);
            }
        })
    };
    let on_focus = {
        Callback::from(move |_: FocusEvent| {
            if let Some(a) = active_at {
                reveal(a);
            }
        })
    };
    let set_view = {
        let store = store.clone();
        move |change: Box<dyn Fn(&mut View)>| {
            let mut view = store.ui.doc_view.clone();
            change(&mut view);
            store.dispatch(Msg::DocView(view));
        }
    };
    let on_query = {
        let set_view = set_view.clone();
        Callback::from(move |e: InputEvent| {
            let q = dom::target_value(&e);
            set_view(Box::new(move |v| v.query = q.clone()));
        })
    };
    let on_filter = {
        let set_view = set_view.clone();
        Callback::from(move |e: Event| {
            let status = Status::parse(&dom::target_value(&e));
            set_view(Box::new(move |v| v.status = status));
        })
    };
    let on_order = {
        let set_view = set_view.clone();
        Callback::from(move |e: Event| {
            let order = Order::parse(&dom::target_value(&e)).unwrap_or_default();
            set_view(Box::new(move |v| v.order = order));
        })
    };
    let on_status = {
        let (store, session) = (store.clone(), session.clone());
        Callback::from(move |e: Event| {
            if let Some(status) = Status::parse(&dom::target_value(&e)) {
                session::set_status(&store, &session, status);
            }
        })
    };
    let export_as = use_state(|| Format::Spacy);
    let on_export_as = {
        let export_as = export_as.clone();
        Callback::from(move |e: Event| {
            if let Some(f) = Format::parse(&dom::target_value(&e)) {
                export_as.set(f);
            }
        })
    };
    // With a filter on, the export may take only the documents shown.
    let only_shown = use_state(|| false);
    let filtering = shown.len() != docs.len();
    let on_only = {
        let only_shown = only_shown.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            only_shown.set(input.checked());
        })
    };
    let on_export = {
        let (store, session, export_as) = (store.clone(), session.clone(), export_as.clone());
        let (shown, docs, only) = (shown.clone(), docs.clone(), filtering && *only_shown);
        Callback::from(move |_: MouseEvent| {
            let ids = only.then(|| shown.iter().map(|&i| docs[i].id.clone()).collect());
            session::export_project(store.clone(), session.clone(), *export_as, ids)
        })
    };
    let current_status = docs
        .iter()
        .find(|d| d.id == current)
        .map_or(Status::New, |d| d.status);
    // The select shows the open document's status whenever that changes (another document,
    // the first edit): its value is set, as `selected` on an option no longer rules a select
    // the person has used.
    // Another order or filter starts the list from its top.
    {
        let (list_ref, scroll) = (list_ref.clone(), scroll.clone());
        use_effect_with(view.clone(), move |_| {
            if let Some(list) = list_ref.cast::<Element>() {
                if list.scroll_top() != 0 {
                    list.set_scroll_top(0);
                    scroll.set((0.0, f64::from(list.client_height())));
                }
            }
        });
    }
    let status_ref = use_node_ref();
    {
        let status_ref = status_ref.clone();
        use_effect_with((current.clone(), current_status), move |(_, status)| {
            if let Some(select) = status_ref.cast::<web_sys::HtmlSelectElement>() {
                select.set_value(status.key());
            }
        });
    }

    // The window of rows to draw.
    let (top, height) = *scroll;
    let first = ((top / ROW_PX) as usize).saturating_sub(OVERSCAN);
    let count = (height / ROW_PX).ceil() as usize + 2 * OVERSCAN;
    let window = first..(first + count).min(shown.len());
    let rows = window.map(|at| {
        let d = &docs[shown[at]];
        let is_current = d.id == current;
        let n = if is_current {
            Some(live_count)
        } else {
            d.annotations
        };
        let onclick = {
            let (open, id, active) = (open.clone(), d.id.clone(), active.clone());
            Callback::from(move |_: MouseEvent| {
                active.set(Some(id.clone()));
                open(id.clone());
            })
        };
        let class = classes!(
            "doc-row",
            is_current.then_some("current"),
            (Some(at) == active_at).then_some("active"),
            format!("status-{}", d.status.key()),
        );
        html! {
            <div role="option" id={format!("doc-option-{at}")} {class} {onclick}
                aria-selected={is_current.to_string()}
                aria-posinset={(at + 1).to_string()} aria-setsize={shown.len().to_string()}
                data-at={at.to_string()} title={d.title.clone()}>
                <span class="doc-row-title">{ d.title.clone() }</span>
                <span class="doc-row-count" aria-label={n.map(|n| format!("{n} annotation{}", if n == 1 { "" } else { "s" }))}>
                    { n.map(|n| n.to_string()).unwrap_or_default() }
                </span>
                <span class="doc-row-status">{ d.status.title() }</span>
            </div>
        }
    });
    let filtered = filtering;
    // Rows are placed by their index and the list is as tall as all of them: set through the
    // CSSOM after each render (the page's Content-Security-Policy refuses style attributes).
    {
        let (list_ref, total) = (list_ref.clone(), shown.len());
        use_effect(move || {
            if let Some(space) = list_ref
                .cast::<Element>()
                .and_then(|l| l.first_element_child())
            {
                dom::set_style(&space, "height", &dom::px(total as f64 * ROW_PX));
                let rows = space.children();
                for k in 0..rows.length() {
                    if let Some(row) = rows.item(k) {
                        let at: f64 = row
                            .get_attribute("data-at")
                            .and_then(|a| a.parse().ok())
                            .unwrap_or(0.0);
                        dom::set_style(&row, "top", &dom::px(at * ROW_PX));
                    }
                }
            }
        });
    }

    html! {
        <section class="documents" aria-labelledby="documents-heading">
            <h2 id="documents-heading">{ "Documents" }</h2>
            <p class="doc-progress">
                { format!("{done} of {all} done") }
                if filtered {
                    <span class="muted">{ format!(" · {} shown", shown.len()) }</span>
                }
            </p>
            <div class="doc-controls">
                <input type="search" class="doc-filter" aria-label="Filter documents by title"
                    placeholder="Filter by title" value={view.query.clone()} oninput={on_query} />
                <select aria-label="Show documents of status" onchange={on_filter}>
                    <option value="" selected={view.status.is_none()}>{ "All statuses" }</option>
                    { for Status::ALL.iter().map(|s| html! {
                        <option value={s.key()} selected={view.status == Some(*s)}>{ s.title() }</option>
                    }) }
                </select>
                <select aria-label="Order documents by" onchange={on_order}>
                    { for Order::ALL.iter().map(|o| html! {
                        <option value={o.key()} selected={view.order == *o}>{ o.title() }</option>
                    }) }
                </select>
            </div>
            <div class="doc-list" role="listbox" aria-label="Documents" tabindex="0" ref={list_ref}
                aria-activedescendant={active_at.map(|a| format!("doc-option-{a}"))}
                onscroll={on_scroll} onkeydown={on_key} onfocus={on_focus}>
                <div class="doc-list-space">
                    { for rows }
                </div>
                if shown.is_empty() {
                    <p class="muted doc-none">{ "No document matches." }</p>
                }
            </div>
            <label class="inline doc-status">
                <span>{ "Status of this document" }</span>
                <select onchange={on_status} ref={status_ref}>
                    { for Status::ALL.iter().map(|s| html! {
                        <option value={s.key()} selected={current_status == *s}>{ s.title() }</option>
                    }) }
                </select>
            </label>
            <div class="doc-export">
                <select aria-label="Export project as" onchange={on_export_as}>
                    { for Format::ALL.iter().map(|f| html! {
                        <option value={f.key()} selected={*export_as == *f}>{ f.title() }</option>
                    }) }
                </select>
                <button type="button" onclick={on_export}
                    title="Download the project's documents as one file of this format">
                    { "Export project" }
                </button>
            </div>
            if filtering {
                <label class="doc-only">
                    <input type="checkbox" checked={*only_shown} onchange={on_only} />
                    { format!(" Export only the {} shown", shown.len()) }
                </label>
            }
        </section>
    }
}
