//! Drawing only what is near the viewport: on long documents, only the paragraphs within a
//! screen or so of the visible part get DOM; the rest of the article is two spacers whose
//! heights are the estimated (or, once drawn, measured) heights of the paragraphs they stand
//! for. Opening a 1 MB document then costs what one screen costs, and scrolling draws the
//! paragraphs that come near.
//!
//! Short documents (up to [`VIRTUAL_FROM`] paragraphs) are drawn whole: then the article's text
//! is the whole document, as a reader and the browser's find expect.

use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

use crate::dom;
use crate::model::Document;

/// Documents with more paragraphs than this are drawn in a window.
pub const VIRTUAL_FROM: usize = 120;
/// Paragraphs drawn when a long document opens, before its layout is known.
const FIRST_WINDOW: usize = 40;
/// How far beyond the visible part to draw, in viewport heights.
const MARGIN_SCREENS: f64 = 1.5;

/// Heights of the paragraphs in pixels: estimates until a paragraph has been drawn, then
/// measured; and prefix sums to place them.
pub struct Heights {
    heights: Vec<f64>,
    measured: Vec<bool>,
    /// `tops[i]` is the top of paragraph i; `tops[n]` the bottom of the last.
    tops: Vec<f64>,
    chars: Vec<usize>,
    px_per_char: f64,
    min_height: f64,
}

impl Heights {
    fn new(doc: &Document) -> Self {
        let chars: Vec<usize> = doc.paragraphs().iter().map(|p| p.len()).collect();
        // A first guess for a 68-character measure and 32 px lines; corrected by measurement.
        let mut h = Heights {
            heights: vec![0.0; chars.len()],
            measured: vec![false; chars.len()],
            tops: Vec::new(),
            chars,
            px_per_char: 32.0 / 68.0,
            min_height: 53.0,
        };
        h.estimate();
        h
    }

    fn estimate(&mut self) {
        for i in 0..self.heights.len() {
            if !self.measured[i] {
                self.heights[i] =
                    (self.chars[i] as f64 * self.px_per_char).max(0.0) + self.min_height;
            }
        }
        self.sum();
    }

    fn sum(&mut self) {
        self.tops.clear();
        self.tops.reserve(self.heights.len() + 1);
        let mut y = 0.0;
        for h in &self.heights {
            self.tops.push(y);
            y += h;
        }
        self.tops.push(y);
    }

    fn total(&self) -> f64 {
        *self.tops.last().unwrap_or(&0.0)
    }

    /// The paragraphs overlapping `top..bottom` (pixels from the start of the article).
    fn range(&self, top: f64, bottom: f64) -> Range<usize> {
        let n = self.heights.len();
        let first = self.tops[1..].partition_point(|&t| t <= top).min(n);
        let last = self.tops[..n].partition_point(|&t| t < bottom).max(first);
        first..last.min(n)
    }

    /// Records drawn heights; returns whether anything changed noticeably.
    fn measure(&mut self, drawn: &[(usize, f64)]) -> bool {
        let mut changed = false;
        for &(i, h) in drawn {
            if i < self.heights.len() && (self.heights[i] - h).abs() > 0.5 {
                self.heights[i] = h;
                changed = true;
            }
            if i < self.measured.len() {
                self.measured[i] = true;
            }
        }
        // Learn the pixels per character from what was drawn, for the estimates.
        let (chars, px): (usize, f64) = drawn
            .iter()
            .filter(|(i, _)| self.chars.get(*i).is_some_and(|&c| c > 200))
            .map(|&(i, h)| (self.chars[i], h - self.min_height))
            .fold((0, 0.0), |(c, p), (ci, pi)| (c + ci, p + pi));
        if chars > 0 && px > 0.0 {
            let learned = px / chars as f64;
            if (learned - self.px_per_char).abs() / self.px_per_char > 0.05 {
                self.px_per_char = learned;
                changed = true;
            }
        }
        if changed {
            self.estimate();
        }
        changed
    }
}

/// What the article draws: a window of paragraphs and the spacers' heights.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    pub paragraphs: Range<usize>,
    pub above: f64,
    pub below: f64,
    pub virtual_mode: bool,
}

/// A handle to move the window, e.g. to bring a paragraph into it before scrolling there.
#[derive(Clone)]
pub struct WindowHandle {
    set: UseStateSetter<Range<usize>>,
    heights: Rc<RefCell<Heights>>,
    article: NodeRef,
    n: usize,
}

impl WindowHandle {
    /// Draws paragraph `p` (and its neighbours) and scrolls near it; the caller scrolls
    /// exactly once it is drawn.
    pub fn reveal(&self, p: usize) {
        let (top, viewport) = {
            let h = self.heights.borrow();
            (h.tops.get(p).copied().unwrap_or(0.0), dom::viewport().1)
        };
        let h = self.heights.borrow();
        let r = h.range(
            top - viewport * MARGIN_SCREENS,
            top + viewport * (1.0 + MARGIN_SCREENS),
        );
        drop(h);
        let r = r.start.min(p)..r.end.max(p + 1).min(self.n);
        self.set.set(r);
        if let Some(article) = self.article.cast::<Element>() {
            let (_, _, _, sy) = dom::viewport();
            let article_top = article.get_bounding_client_rect().top() + sy;
            if let Some(w) = web_sys::window() {
                w.scroll_to_with_x_and_y(0.0, article_top + top - viewport / 3.0);
            }
        }
    }
}

/// Keeps the window of drawn paragraphs following the scroll position.
#[hook]
pub fn use_window(doc: Rc<Document>, article: NodeRef) -> (Window, WindowHandle) {
    let n = doc.paragraphs().len();
    let virtual_mode = n > VIRTUAL_FROM;
    let heights = use_memo(doc.clone(), |doc| RefCell::new(Heights::new(doc)));
    let heights: Rc<RefCell<Heights>> = {
        // use_memo gives an Rc<RefCell<_>>; keep it as is.
        heights.clone()
    };
    let range = use_state(|| {
        if virtual_mode {
            0..FIRST_WINDOW.min(n)
        } else {
            0..n
        }
    });
    // A different document: start again at its top.
    {
        let range = range.setter();
        use_effect_with(doc.clone(), move |doc| {
            let n = doc.paragraphs().len();
            range.set(if n > VIRTUAL_FROM {
                0..FIRST_WINDOW.min(n)
            } else {
                0..n
            });
        });
    }

    let update = {
        let (heights, article, setter, current) = (
            heights.clone(),
            article.clone(),
            range.setter(),
            range.clone(),
        );
        move || {
            let Some(el) = article.cast::<Element>() else {
                return;
            };
            let (_, vh, _, _) = dom::viewport();
            let rect = el.get_bounding_client_rect();
            let top = -rect.top();
            let h = heights.borrow();
            let want = h.range(top - vh * MARGIN_SCREENS, top + vh * (1.0 + MARGIN_SCREENS));
            drop(h);
            // Move only when the visible part nears the window's edge, to draw in batches.
            let cur = (*current).clone();
            let near_start = want.start < cur.start;
            let near_end = want.end > cur.end;
            if (near_start || near_end) && want != cur && !want.is_empty() {
                setter.set(want);
            }
        }
    };

    // Follow scrolling and resizing (passive listeners; work is done once per frame).
    {
        let update = update.clone();
        use_effect_with(
            (virtual_mode, (*range).clone()),
            move |(virtual_mode, _)| {
                let listeners = (*virtual_mode).then(web_sys::window).flatten().map(|w| {
                    let pending = Rc::new(std::cell::Cell::new(false));
                    let schedule = {
                        let pending = pending.clone();
                        let update = update.clone();
                        move |_: &web_sys::Event| {
                            if pending.replace(true) {
                                return;
                            }
                            let pending = pending.clone();
                            let update = update.clone();
                            let cb = wasm_bindgen::closure::Closure::once_into_js(move || {
                                pending.set(false);
                                update();
                            });
                            if let Some(w) = web_sys::window() {
                                let _ = w.request_animation_frame(cb.unchecked_ref());
                            }
                        }
                    };
                    let opts = EventListenerOptions::run_in_capture_phase();
                    let s = schedule.clone();
                    (
                        EventListener::new_with_options(&w, "scroll", opts, move |e| s(e)),
                        EventListener::new(&w, "resize", move |e| schedule(e)),
                    )
                });
                move || drop(listeners)
            },
        );
    }

    // After drawing: measure what was drawn, and size the spacers.
    {
        let (heights, article) = (heights.clone(), article.clone());
        let update = update.clone();
        use_effect_with(
            ((*range).clone(), virtual_mode),
            move |(r, virtual_mode)| {
                if *virtual_mode {
                    if let Some(el) = article.cast::<Element>() {
                        // Spacers first: measuring forces a layout, and a layout with the old
                        // spacers around the new paragraphs could be shorter than the scroll
                        // position, which the browser would then clamp (a jump).
                        size_spacers(&el, &heights.borrow(), r.clone());
                        let drawn = measure_paragraphs(&el, r.clone());
                        let changed = heights.borrow_mut().measure(&drawn);
                        if changed {
                            size_spacers(&el, &heights.borrow(), r.clone());
                            update();
                        }
                    }
                }
            },
        );
    }

    let r = (*range).clone();
    let h = heights.borrow();
    let window = Window {
        above: if virtual_mode { h.tops[r.start] } else { 0.0 },
        below: if virtual_mode {
            h.total() - h.tops[r.end]
        } else {
            0.0
        },
        paragraphs: r,
        virtual_mode,
    };
    drop(h);
    let handle = WindowHandle {
        set: range.setter(),
        heights,
        article,
        n,
    };
    (window, handle)
}

/// The drawn paragraphs' heights, margins included.
fn measure_paragraphs(article: &Element, r: Range<usize>) -> Vec<(usize, f64)> {
    let mut out = Vec::with_capacity(r.len());
    let Ok(ps) = article.query_selector_all("p.para") else {
        return out;
    };
    let mut tops: Vec<(usize, f64)> = Vec::with_capacity(ps.length() as usize);
    for k in 0..ps.length() {
        let Some(p) = ps.item(k).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let Some(i) = p
            .get_attribute("data-p")
            .and_then(|v| v.parse::<usize>().ok())
        else {
            continue;
        };
        tops.push((i, p.get_bounding_client_rect().top()));
    }
    // A paragraph's height is the distance to the next one's top (margins included).
    for w in tops.windows(2) {
        if w[1].0 == w[0].0 + 1 {
            out.push((w[0].0, w[1].1 - w[0].1));
        }
    }
    out.retain(|(i, _)| r.contains(i));
    out
}

fn size_spacers(article: &Element, h: &Heights, r: Range<usize>) {
    if let Ok(Some(top)) = article.query_selector(".spacer-above") {
        dom::set_style(&top, "height", &dom::px(h.tops[r.start]));
    }
    if let Ok(Some(bottom)) = article.query_selector(".spacer-below") {
        dom::set_style(&bottom, "height", &dom::px(h.total() - h.tops[r.end]));
    }
}
