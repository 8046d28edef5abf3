//! The article: its blocks (paragraphs, and bounded pieces of long ones: `model::document`),
//! and the pointer and keyboard handling that turns a selection in them into a pending span
//! (snapped to words) or a click on a highlight into a selected annotation.
//!
//! Keyboard selection: with the article focused, the arrow keys move a caret (Ctrl: by word),
//! Shift extends the selection, Home/End go to the line's edges; Enter on a highlight selects
//! its annotation. Then `e`, `q` or `c` tag the selection (see `ui::shortcuts`). The page
//! scrolls to keep the caret in view, so that the window of drawn blocks follows it.

use crate::model::sort;
use std::cell::Cell;
use std::rc::Rc;

use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

use super::block::Block;
use super::store::{use_latest, Anchor, Msg, Pending, StoreHandle};
use super::viewport::use_window;
use crate::dom::{self, selection as sel};
use crate::model::words::{snap_to_words, trim};
use crate::model::Span;

#[derive(Properties, PartialEq)]
pub struct ArticleProps {
    pub store: StoreHandle,
}

/// The anchor of the current DOM selection in page coordinates.
pub fn selection_anchor() -> Anchor {
    let (_, _, sx, sy) = dom::viewport();
    match sel::selection_rects() {
        Some((first, last)) => Anchor {
            first: (first.left() + sx, first.top() + sy),
            last: (last.left() + sx, last.right() + sx, last.bottom() + sy),
        },
        None => Anchor::default(),
    }
}

#[function_component(Article)]
pub fn article(props: &ArticleProps) -> Html {
    let store = props.store.clone();
    let article_ref = use_node_ref();
    let caret_ref = use_node_ref();
    // Whether the pointer is down (a drag is under way), and whether the last input was a key.
    let pointer_down = use_memo((), |_| Cell::new(false));
    let by_keyboard = use_memo((), |_| Cell::new(false));
    // A Ctrl/⌘-drag that added a fragment ends in a click too, which must not deselect.
    let swallow_click = use_memo((), |_| Cell::new(false));

    let state = store.state();
    let doc = state.document().clone();
    let labels = Rc::new(state.labels().entity.clone());
    let labels = use_memo(labels, |l| l.clone());
    let selected = store.ui.selected.clone();
    let selected_span = selected
        .as_deref()
        .and_then(|id| state.get(id))
        .map(|a| a.span);
    let flash = store.ui.flash.clone();
    let flash_span = flash
        .as_ref()
        .and_then(|(id, _)| state.get(id))
        .map(|a| a.span);
    let flash_key = flash.as_ref().and_then(|(id, _)| state.key(id));
    let touches =
        |span: Option<Span>, i: usize| span.is_some_and(|s| doc.blocks_overlapping(s).contains(&i));

    let (window, window_handle) = use_window(doc.clone(), state.len(), article_ref.clone());
    let flash_block = flash_span.map(|s| doc.blocks_overlapping(s).start);
    let blocks: Vec<Html> = window
        .blocks
        .clone()
        .map(|i| {
            html! {
                <Block key={i} index={i} doc={doc.clone()}
                    annotations={state.block_annotations(i)}
                    labels={(*labels).clone()}
                    selected={touches(selected_span, i).then(|| selected.clone()).flatten()}
                    flash={touches(flash_span, i).then(|| flash.clone()).flatten()} />
            }
        })
        .collect();
    drop(state);

    // What a highlight's key stands for, for tests and the console (`article.annotationOf`).
    {
        let (store, article_ref) = (store.clone(), article_ref.clone());
        use_effect_with((), move |_| {
            let exposed = article_ref.cast::<Element>().map(|el| {
                dom::expose_annotations(&el, move |key| {
                    let state = store.state();
                    let a = state.by_key(key)?;
                    Some(dom::Described {
                        id: a.id.clone(),
                        kind: a.kind().as_str(),
                        label: a.body.label().map(str::to_string),
                    })
                })
            });
            move || drop(exposed)
        });
    }

    // The selection, while the article has focus and the last input was a key: a pending span.
    {
        let latest = use_latest(&store);
        let article_ref = article_ref.clone();
        let caret_ref = caret_ref.clone();
        let pointer_down = pointer_down.clone();
        let by_keyboard = by_keyboard.clone();
        use_effect_with((), move |_| {
            let listener = dom::document().map(|d| {
                EventListener::new(&d, "selectionchange", move |_| {
                    let Some(article) = article_ref.cast::<Element>() else {
                        return;
                    };
                    draw_caret(&article, caret_ref.cast::<Element>().as_ref());
                    if pointer_down.get() || !by_keyboard.get() {
                        return;
                    }
                    let store = latest.borrow().clone();
                    let doc = store.state().document().clone();
                    let span = sel::selected_span(&article, doc.len()).and_then(|s| trim(&doc, s));
                    let current = store.ui.pending.as_ref().map(|p| p.span);
                    if span != current {
                        store.dispatch(Msg::SetPending(span.map(|span| Pending {
                            span,
                            anchor: selection_anchor(),
                            exact: false,
                        })));
                    }
                })
            });
            move || drop(listener)
        });
    }

    // A jump (from the overview, a speaker link): bring the annotation into view, drawing its
    // block first when the document is drawn in a window.
    {
        let pending = use_mut_ref(|| None::<u32>);
        let flash_key = flash_key.map(|k| (k, flash.as_ref().map_or(0, |f| f.1)));
        {
            let (pending, handle) = (pending.clone(), window_handle.clone());
            use_effect_with(flash_key, move |flash| {
                if let Some((key, _)) = flash {
                    if !dom::scroll_to_annotation(*key) {
                        if let Some(p) = flash_block {
                            *pending.borrow_mut() = Some(*key);
                            handle.reveal(p);
                        }
                    }
                }
            });
        }
        use_effect_with(window.blocks.clone(), move |_| {
            if let Some(key) = pending.borrow_mut().take() {
                dom::scroll_to_annotation(key);
            }
        });
    }

    // Selecting an annotation (a new one included) ends the text selection that made it, or
    // the caret a click left: after the frame that shows the change (removing a selection
    // makes the browser lay out the page, which would hold that frame back by several
    // milliseconds). Not if the person has meanwhile pressed the mouse or made another
    // selection, or moved on from the annotation (Esc leaves a caret to keep), however late
    // the frame comes.
    {
        let (article_ref, pointer_down, store) =
            (article_ref.clone(), pointer_down.clone(), store.clone());
        use_effect_with(selected.clone(), move |selected| {
            let made = selected
                .as_ref()
                .and_then(|id| store.state().get(id).map(|a| (id.clone(), a.span)));
            if let Some((id, span)) = made {
                wasm_bindgen_futures::spawn_local(async move {
                    dom::after_paint().await;
                    if pointer_down.get() || store.ui.selected.as_deref() != Some(id.as_str()) {
                        return;
                    }
                    let doc = store.state().document().clone();
                    let other = article_ref
                        .cast::<Element>()
                        .and_then(|a| sel::selected_span(&a, doc.len()))
                        .is_some_and(|s| trim(&doc, s) != Some(span));
                    if !other {
                        sel::clear_selection();
                    }
                });
            }
        });
    }

    let onmousedown = {
        let swallow_click = swallow_click.clone();
        let pointer_down = pointer_down.clone();
        let by_keyboard = by_keyboard.clone();
        let store = store.clone();
        Callback::from(move |e: MouseEvent| {
            if e.button() != 0 {
                return;
            }
            pointer_down.set(true);
            by_keyboard.set(false);
            swallow_click.set(false);
            if store.ui.pending.is_some() {
                store.dispatch(Msg::SetPending(None));
            }
        })
    };

    let onmouseup = {
        let store = store.clone();
        let article_ref = article_ref.clone();
        let pointer_down = pointer_down.clone();
        let swallow_click = swallow_click.clone();
        Callback::from(move |e: MouseEvent| {
            pointer_down.set(false);
            let Some(article) = article_ref.cast::<Element>() else {
                return;
            };
            let doc = store.state().document().clone();
            let Some(raw) = sel::selected_span(&article, doc.len()) else {
                return;
            };
            // Alt keeps the exact characters; otherwise snap outward to whole words.
            let span = if e.alt_key() {
                Some(raw)
            } else {
                snap_to_words(&doc, raw)
            };
            let Some(span) = span else {
                return;
            };
            // Ctrl/⌘-drag with an annotation selected: the words become a fragment of it.
            if let Some(id) = store
                .ui
                .selected
                .clone()
                .filter(|_| e.ctrl_key() || e.meta_key())
            {
                sel::clear_selection();
                swallow_click.set(true);
                store.dispatch(Msg::Do(crate::model::Action::AddFragment { id, span }));
                return;
            }
            if span != raw {
                sel::select_span(&article, &doc, span);
            }
            store.dispatch(Msg::SetPending(Some(Pending {
                span,
                anchor: selection_anchor(),
                exact: e.alt_key(),
            })));
        })
    };

    let onclick = {
        let store = store.clone();
        let article_ref = article_ref.clone();
        Callback::from(move |e: MouseEvent| {
            if swallow_click.replace(false) {
                return;
            }
            // A drag ends in a click too: then the selection, not the highlight, counts.
            if sel::selection().is_some_and(|s| !s.is_collapsed()) {
                return;
            }
            let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
            let seg = target.and_then(|t| t.closest(".seg[data-a]").ok().flatten());
            match seg {
                Some(seg) => {
                    let at = seg
                        .get_attribute("data-o")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    // The segment names its annotations by key: the state knows their ids.
                    let state = store.state();
                    let ids = seg
                        .get_attribute("data-a")
                        .unwrap_or_default()
                        .split(' ')
                        .filter_map(|k| state.by_key(k.parse().ok()?))
                        .map(|a| a.id.clone())
                        .collect();
                    drop(state);
                    store.dispatch(Msg::ClickHighlight { at, ids });
                }
                None if store.ui.picking.is_some() => {
                    // Untagged words: offer to tag the word clicked and link it.
                    let doc = store.state().document().clone();
                    let word = article_ref.cast::<Element>().and_then(|article| {
                        let cp = sel::caret_cp(&article, doc.len())?;
                        let span = snap_to_words(&doc, Span::new(cp, (cp + 1).min(doc.len())))?;
                        sel::select_span(&article, &doc, span);
                        Some(span)
                    });
                    match word {
                        Some(span) => store.dispatch(Msg::SetPending(Some(Pending {
                            span,
                            anchor: selection_anchor(),
                            exact: false,
                        }))),
                        None => store.dispatch(Msg::Say(
                            "There is no word there. Click an entity or a word, or press Esc \
                             to stop picking."
                                .into(),
                            super::store::Tone::Error,
                        )),
                    }
                }
                None if store.ui.selected.is_some() => store.dispatch(Msg::Select(None)),
                None => {}
            }
        })
    };

    let onkeydown = {
        let store = store.clone();
        let article_ref = article_ref.clone();
        let by_keyboard = by_keyboard.clone();
        let window_handle = window_handle.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(article) = article_ref.cast::<Element>() else {
                return;
            };
            if e.target()
                .and_then(|t| t.dyn_into::<HtmlElement>().ok())
                .as_ref()
                != article.dyn_ref::<HtmlElement>()
            {
                return;
            }
            let key = e.key();
            let doc = store.state().document().clone();
            let granularity = match key.as_str() {
                "ArrowLeft" | "ArrowRight" if e.ctrl_key() || e.meta_key() => "word",
                "ArrowLeft" | "ArrowRight" => "character",
                "ArrowUp" | "ArrowDown" if e.ctrl_key() || e.meta_key() => "paragraph",
                "ArrowUp" | "ArrowDown" if e.alt_key() => "sentence",
                "ArrowUp" | "ArrowDown" => "line",
                "Home" | "End" => "lineboundary",
                "Enter" => {
                    // Enter on a highlight selects its annotation (cycling like clicks).
                    if let Some(cp) = sel::caret_cp(&article, doc.len()) {
                        let state = store.state();
                        let mut here: Vec<_> = state
                            .overlapping(Span::new(cp, cp + 1))
                            .into_iter()
                            .filter(|a| a.span.contains(cp))
                            .collect();
                        sort::sort_by_key(&mut here, |a| {
                            (a.span.start, std::cmp::Reverse(a.span.end))
                        });
                        let ids: Vec<String> = here.iter().map(|a| a.id.clone()).collect();
                        drop(state);
                        if !ids.is_empty() && store.ui.pending.is_none() {
                            e.prevent_default();
                            store.dispatch(Msg::ClickHighlight { at: cp, ids });
                        }
                    }
                    return;
                }
                _ => return,
            };
            // With an annotation selected, Shift+arrows move its boundaries (ui::shortcuts).
            if e.shift_key()
                && !(e.ctrl_key() || e.meta_key())
                && store.ui.selected.is_some()
                && sel::selection().is_none_or(|s| s.is_collapsed())
                && matches!(key.as_str(), "ArrowLeft" | "ArrowRight")
            {
                return;
            }
            e.prevent_default();
            by_keyboard.set(true);
            if !sel::selection_in(&article) {
                // No caret yet: start at the beginning of the first paragraph.
                sel::place_caret(
                    &article,
                    &doc,
                    doc.paragraphs().first().map_or(0, |p| p.start),
                );
                return;
            }
            let forward = matches!(key.as_str(), "ArrowRight" | "ArrowDown" | "End");
            if granularity == "paragraph" {
                // To a paragraph's start (the browser's own paragraph step keeps the column).
                if let Some((anchor, focus)) = sel::selection_cps(&article, doc.len()) {
                    let to = doc.paragraph_step(focus, forward);
                    if e.shift_key() {
                        sel::select_points(&article, &doc, anchor, to);
                    } else {
                        sel::place_caret(&article, &doc, to);
                    }
                }
                sel::scroll_focus_into_view();
                window_handle.follow();
                return;
            }
            let alter = if e.shift_key() { "extend" } else { "move" };
            sel::modify_selection_in(
                &article,
                alter,
                if forward { "forward" } else { "backward" },
                granularity,
            );
            // Keep the caret in view, and the blocks beside it drawn for the next key.
            sel::scroll_focus_into_view();
            window_handle.follow();
        })
    };

    let onfocus = {
        let article_ref = article_ref.clone();
        let caret_ref = caret_ref.clone();
        let store = store.clone();
        let pointer_down = pointer_down.clone();
        Callback::from(move |_: FocusEvent| {
            if let Some(article) = article_ref.cast::<Element>() {
                // Reached by keyboard with no caret yet (the skip link, Tab): one at the start
                // of the text, so that the first arrow already moves.
                if !sel::selection_in(&article) && !pointer_down.get() {
                    let doc = store.state().document().clone();
                    let start = doc.paragraphs().first().map_or(0, |p| p.start);
                    sel::place_caret(&article, &doc, start);
                }
                draw_caret(&article, caret_ref.cast::<Element>().as_ref());
            }
        })
    };
    let onblur = {
        let caret_ref = caret_ref.clone();
        Callback::from(move |_: FocusEvent| {
            if let Some(c) = caret_ref.cast::<Element>() {
                let _ = c.class_list().remove_1("on");
            }
        })
    };

    let picking =
        store.ui.picking.is_some() || store.ui.relating.as_ref().is_some_and(|r| r.to.is_none());
    let class = classes!("doc", picking.then_some("picking"));
    html! {
        <>
            <article id="article" {class} ref={article_ref} lang="en" tabindex="0"
                aria-label={ format!("Article: {}. Arrow keys move a caret, Shift+arrows select, then E, Q or C tags.", doc.title) }
                {onmousedown} {onmouseup} {onclick} {onkeydown} {onfocus} {onblur}>
                if window.virtual_mode {
                    <div class="spacer-above" aria-hidden="true"></div>
                }
                { for blocks }
                if window.virtual_mode {
                    <div class="spacer-below" aria-hidden="true"></div>
                }
            </article>
            <div class="kb-caret" ref={caret_ref} aria-hidden="true"></div>
        </>
    }
}

/// Shows the keyboard caret where a collapsed selection sits in the focused article.
fn draw_caret(article: &Element, caret: Option<&Element>) {
    let Some(caret) = caret else { return };
    let focused = dom::document()
        .and_then(|d| d.active_element())
        .is_some_and(|a| a.is_same_node(Some(article)));
    let range = sel::selection()
        .filter(|s| s.is_collapsed() && s.range_count() > 0)
        .filter(|_| sel::selection_in(article))
        .and_then(|s| s.get_range_at(0).ok());
    let rect = range.and_then(|r| {
        let rects = r.get_client_rects()?;
        rects.item(0)
    });
    match (focused, rect) {
        (true, Some(r)) => {
            let (_, _, sx, sy) = dom::viewport();
            dom::place(caret, r.left() + sx, r.top() + sy);
            dom::set_style(caret, "height", &dom::px(r.height()));
            let _ = caret.class_list().add_1("on");
        }
        _ => {
            let _ = caret.class_list().remove_1("on");
        }
    }
}
