//! Keyboard shortcuts for the whole page, one listener on the window. Letters are shortcuts
//! only when focus is not in a text field. The list a person sees (`?`) is [`SHORTCUTS`].

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};
use yew::prelude::*;

use super::session::{self, SessionRef};
use super::store::{use_latest, Menu, Msg, Pending, StoreHandle, Tone};
use crate::dom::{self, selection as sel};
use crate::model::words::{nudge, trim, Nudge};
use crate::model::{Action, Kind};

/// (keys, what they do), as the help dialog lists them.
pub const SHORTCUTS: &[(&str, &str)] = &[
    (
        "Drag, double-click",
        "Select words (snapped to whole words; hold Alt for exact characters)",
    ),
    (
        "Tab, Enter (Skip to the text), then ← → ↑ ↓",
        "Move a caret in the text (Ctrl + ← →: by word; Ctrl + ↑ ↓: by paragraph; Alt + ↑ ↓: by sentence)",
    ),
    (
        "Shift + ← → ↑ ↓",
        "Select text with the keyboard (Ctrl + Shift: by word or paragraph; Alt + Shift: by sentence)",
    ),
    ("E", "Tag the selection as an entity (then pick a type)"),
    (
        "1 – 9",
        "Pick an entity type (also retags a selected entity)",
    ),
    (
        "Enter",
        "Take the entity type used last (marked ↵); on a highlight, select it",
    ),
    ("Q", "Tag the selection as a quote"),
    ("C", "Tag the selection as a claim"),
    (
        "L",
        "With a quote or claim selected: link its speaker or claimant. Enter takes the entity suggested (the nearest before it); or put the caret on an entity and press Enter, or click one, or select words (mouse or Shift + arrows) and pick their type (1 – 9, Enter): they are tagged and linked in one step",
    ),
    (
        "U",
        "With a quote selected: use the words selected in the text as its cue (such as “said”)",
    ),
    (
        "R",
        "With an annotation selected: relate it to another. Click the other, or put the caret on it and press Enter; then type the relation's type in the details panel and press Enter",
    ),
    (
        "F, Ctrl + drag",
        "With an annotation selected: add the words selected in the text to it as a fragment of its own (a discontinuous annotation)",
    ),
    (
        "A",
        "With an entity selected: tag every other occurrence of its text as whole words (A says how many; A again tags them, one step to undo)",
    ),
    ("Tab from the text", "Reach the details of the selected annotation: speaker, cue, type, note"),
    (
        "Click a highlight",
        "Select it; click again to cycle through overlapping ones",
    ),
    (
        "Shift + → / Shift + ←",
        "Grow / shrink the selected annotation's end by a word",
    ),
    ("Alt + Shift + ← / →", "Grow / shrink its start by a word"),
    ("Delete", "Delete the selected annotation"),
    ("N / P", "Open the next / previous document in the Documents list (in its order and filter)"),
    ("Ctrl + Z", "Undo"),
    ("Ctrl + Shift + Z, Ctrl + Y", "Redo"),
    ("Esc", "Close the menu, stop picking, or deselect"),
    ("?", "Show this list"),
];

/// Listens for shortcuts while the component using it is mounted.
#[hook]
pub fn use_shortcuts(store: StoreHandle, session: SessionRef) {
    let latest = use_latest(&store);
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|w| {
            EventListener::new_with_options(
                &w,
                "keydown",
                EventListenerOptions::enable_prevent_default(),
                move |e| {
                    if let Some(e) = e.dyn_ref::<KeyboardEvent>() {
                        let store = latest.borrow().clone();
                        if handle(&store, &session, e) {
                            e.prevent_default();
                        }
                    }
                },
            )
        });
        move || drop(listener)
    });
}

fn article() -> Option<Element> {
    dom::query("article.doc")
}

/// Handles one key; true when it was a shortcut.
fn handle(store: &StoreHandle, session: &SessionRef, e: &KeyboardEvent) -> bool {
    let key = e.key();
    let ui = &store.ui;
    let ctrl = e.ctrl_key() || e.meta_key();

    if key == "Escape" {
        if let Some(dialog) = &ui.dialog {
            // A conflict must be answered; other questions are cancelled by Esc.
            if matches!(dialog, super::store::Dialog::Conflict { .. }) {
                return false;
            }
            store.dispatch(Msg::Ask(None));
        } else if ui.help_open {
            store.dispatch(Msg::ShowHelp(false));
        } else if ui.labels_open {
            store.dispatch(Msg::ShowLabels(false));
        } else if ui.relating.is_some() {
            store.dispatch(Msg::CancelRelate);
            store.dispatch(Msg::Say("No relation made.".into(), Tone::Info));
        } else if ui.picking.is_some() {
            store.dispatch(Msg::CancelPick);
            store.dispatch(Msg::Say("Stopped picking.".into(), Tone::Info));
        } else if ui.menu != Menu::Closed || ui.pending.is_some() {
            store.dispatch(Msg::OpenMenu(Menu::Closed));
            sel::clear_selection();
        } else if let Some(id) = ui.selected.clone() {
            // Back to the text: a caret after the annotation, for the keyboard to go on.
            let end = store.state().get(&id).map(|a| a.span.end);
            store.dispatch(Msg::Select(None));
            if let (Some(end), Some(article)) = (end, article()) {
                let doc = store.state().document().clone();
                dom::focus(&article);
                sel::place_caret(&article, &doc, end);
            }
        } else if ui.message.is_some() {
            store.dispatch(Msg::Dismiss);
        } else {
            return false;
        }
        return true;
    }
    if dom::typing_in_field() || ui.help_open || ui.labels_open || ui.dialog.is_some() {
        return false;
    }
    if ctrl && !e.alt_key() {
        return match key.to_ascii_lowercase().as_str() {
            "z" if e.shift_key() => undo_redo(store, Action::Redo),
            "z" => undo_redo(store, Action::Undo),
            "y" => undo_redo(store, Action::Redo),
            _ => false,
        };
    }
    if ctrl {
        return false;
    }
    // Enter and Space on a focused button belong to the button.
    let on_button = dom::document()
        .and_then(|d| d.active_element())
        .is_some_and(|a| matches!(a.tag_name().as_str(), "BUTTON" | "A" | "SUMMARY"));

    let state = store.state();
    let labels = state.labels().entity.clone();
    drop(state);
    let digit = key
        .parse::<usize>()
        .ok()
        .filter(|d| (1..=9).contains(d) && !e.alt_key());

    // The selection may have moved since `selectionchange` last reported it (that event comes
    // later than the keys that moved it): read it now.
    sync_keyboard_selection(store);
    let ui = &store.ui;
    if let Some(pending) = ui.pending.as_ref() {
        let tag = |kind: Kind, label: Option<String>| {
            store.dispatch(Msg::Tag { kind, label });
            true
        };
        let entity_ok = store
            .state()
            .check_kind_span(Kind::Entity, pending.span)
            .is_ok();
        return match (key.as_str(), digit) {
            (_, Some(d)) if entity_ok => match labels.get(d - 1) {
                Some(l) => tag(Kind::Entity, Some(l.clone())),
                None => false,
            },
            ("e" | "E", _) if entity_ok => {
                store.dispatch(Msg::OpenMenu(Menu::Types));
                true
            }
            // With a quote selected, its cue: the selected words (such as "said").
            ("u" | "U", _) if selected_quote(store).is_some() => {
                let id = selected_quote(store).unwrap_or_default();
                let cue = Some(pending.span);
                store.dispatch(Msg::Do(Action::SetCue { id, cue }));
                sel::clear_selection();
                true
            }
            // With an annotation selected, the selected words become a fragment of it: a
            // discontinuous annotation (Ctrl/⌘-drag does the same by mouse: ui::article).
            ("f" | "F", _) if ui.selected.is_some() => {
                let id = ui.selected.clone().unwrap_or_default();
                store.dispatch(Msg::Do(Action::AddFragment {
                    id,
                    span: pending.span,
                }));
                sel::clear_selection();
                store.dispatch(Msg::OpenMenu(Menu::Closed));
                true
            }
            ("q" | "Q", _) if ui.picking.is_none() => tag(Kind::Quote, None),
            ("c" | "C", _) if ui.picking.is_none() => tag(Kind::Claim, None),
            ("Enter", _) if ui.menu == Menu::Types && !on_button => {
                let label = super::tag_menu::default_label(&labels, ui.last_label.as_deref());
                tag(Kind::Entity, label)
            }
            ("?", _) => {
                store.dispatch(Msg::ShowHelp(true));
                true
            }
            _ => false,
        };
    }

    if let Some(id) = ui.selected.clone() {
        let Some(ann) = store.state().get(&id).cloned() else {
            return false;
        };
        match (key.as_str(), digit) {
            ("Delete" | "Backspace", _) => {
                store.dispatch(Msg::Do(Action::Delete { id }));
                return true;
            }
            // Every other occurrence of an entity's text: the count first, then a second A.
            ("a" | "A", _) if ann.kind() == Kind::Entity => {
                store.dispatch(Msg::ArmTagAll(id));
                return true;
            }
            // A relation of any type: its target is picked in the text next (click, or the
            // caret and Enter), then its type is typed in the details panel.
            ("r" | "R", _) => {
                store.dispatch(Msg::StartRelate(id));
                if let Some(article) = article() {
                    let doc = store.state().document().clone();
                    dom::focus(&article);
                    sel::place_caret(&article, &doc, ann.span.end);
                }
                return true;
            }
            // Link a quote's speaker or a claim's claimant: pick it in the text.
            ("l" | "L", _) if ann.kind() != Kind::Entity => {
                store.dispatch(Msg::StartPick(id));
                if let Some(article) = article() {
                    // Back to the text, a caret after the annotation, to select the party.
                    let doc = store.state().document().clone();
                    dom::focus(&article);
                    sel::place_caret(&article, &doc, ann.span.end);
                }
                return true;
            }
            (_, Some(d)) if ann.kind() == Kind::Entity => {
                if let Some(label) = labels.get(d - 1) {
                    store.dispatch(Msg::Do(Action::SetLabel {
                        id,
                        label: label.clone(),
                    }));
                    return true;
                }
                return false;
            }
            ("ArrowLeft" | "ArrowRight", _) if e.shift_key() => {
                let how = match (key.as_str(), e.alt_key()) {
                    ("ArrowRight", false) => Nudge::GrowEnd,
                    ("ArrowLeft", false) => Nudge::ShrinkEnd,
                    ("ArrowLeft", true) => Nudge::GrowStart,
                    _ => Nudge::ShrinkStart,
                };
                let doc = store.state().document().clone();
                let span = nudge(&doc, ann.span, how);
                if span == ann.span {
                    store.dispatch(Msg::Say(
                        "That boundary cannot move further.".into(),
                        Tone::Error,
                    ));
                } else {
                    store.dispatch(Msg::Do(Action::SetSpan { id, span }));
                }
                return true;
            }
            _ => {}
        }
    }
    // Picking a speaker or claimant: Enter takes the one suggested (unless the caret's
    // highlight took the key: ui::article).
    if key == "Enter" && ui.picking.is_some() && ui.suggested.is_some() && !e.default_prevented() {
        store.dispatch(Msg::AcceptSuggestion);
        return true;
    }
    if key == "?" {
        store.dispatch(Msg::ShowHelp(true));
        return true;
    }
    // The next or previous document.
    if matches!(key.as_str(), "n" | "N" | "p" | "P") && !e.alt_key() {
        let step = if key.eq_ignore_ascii_case("n") { 1 } else { -1 };
        session::next_document(store, session, step);
        return true;
    }
    false
}

/// The selected annotation's id when it is a quote.
fn selected_quote(store: &StoreHandle) -> Option<String> {
    let id = store.ui.selected.as_deref()?;
    (store.state().get(id)?.kind() == Kind::Quote).then(|| id.to_string())
}

/// Makes the pending span match a keyboard selection in the focused article.
fn sync_keyboard_selection(store: &StoreHandle) {
    let Some(article) = article() else { return };
    let focused = dom::document()
        .and_then(|d| d.active_element())
        .is_some_and(|a| a.is_same_node(Some(&article)));
    if !focused || store.ui.pending.as_ref().is_some_and(|p| p.exact) {
        return;
    }
    let doc = store.state().document().clone();
    let Some(span) = sel::selected_span(&article, doc.len()).and_then(|s| trim(&doc, s)) else {
        return;
    };
    if store.ui.pending.as_ref().map(|p| p.span) != Some(span) {
        store.dispatch(Msg::SetPending(Some(Pending {
            span,
            anchor: super::article::selection_anchor(),
            exact: false,
        })));
    }
}

fn undo_redo(store: &StoreHandle, action: Action) -> bool {
    store.dispatch(Msg::Do(action));
    true
}
