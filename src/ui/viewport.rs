//! Drawing only what is near the viewport: on long documents, only the blocks (see
//! `model::document`: paragraphs, and bounded pieces of long ones) within a screen or so of the
//! visible part get DOM; the rest of the article is two spacers whose heights are the estimated
//! (or, once drawn, measured) heights of the blocks they stand for. Opening a 1 MB document then
//! costs what one screen costs, and scrolling draws the blocks that come near, whatever the
//! shape of the text: blank-line paragraphs, a megabyte of single-newline lines, or one line.
//!
//! The estimates follow CodeMirror's height oracle (`@codemirror/view`, `heightmap.ts`): a
//! block is as many display lines as its lines need at the measured characters per line, each
//! of the measured line height, plus the paragraph's margin when it ends one. Drawn blocks are
//! measured, and what they show (line height, margin, characters per line) corrects the
//! estimates of the others.
//!
//! A selection is never cut by the window: while the page holds a selection that starts in the
//! article, the window keeps the block it starts in (and those between it and the view) drawn,
//! so that a drag or Shift+arrows over many screens keeps its exact start.
//!
//! What is in view stays in place while the window moves and estimates are corrected, as
//! CodeMirror keeps its scroll anchor: the block at the top of the view is noted before a change
//! and the page scrolled by however far that block moved after it. The browser's own scroll
//! anchoring is off for the article (`overflow-anchor: none`), so that the two never both
//! compensate.
//!
//! Short documents (up to [`VIRTUAL_FROM`] blocks) are drawn whole: then the article's text is
//! the whole document, as a reader and the browser's find expect; unless they open with more
//! than [`CROWDED_FROM`] annotations, whose segments and chips would make a DOM of hundreds of
//! thousands of elements (210 KB of text with 105,262 annotations: 369,216 elements, seconds of
//! layout for every change).

use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

use crate::dom::{self, selection as sel};
use crate::model::Document;

/// Documents with more blocks than this are drawn in a window.
pub const VIRTUAL_FROM: usize = 120;
/// Documents that open with more annotations than this are drawn in a window too.
pub const CROWDED_FROM: usize = 20_000;
/// When a long document opens, before its layout is known: blocks up to this many characters
/// (a few screens), and at most `FIRST_BLOCKS` of them.
const FIRST_CHARS: usize = 12_000;
const FIRST_BLOCKS: usize = 40;
/// How far beyond the visible part to draw, in viewport heights.
const MARGIN_SCREENS: f64 = 1.5;

/// Heights of the blocks in pixels: estimates until a block has been drawn, then measured;
/// and prefix sums to place them.
pub struct Heights {
    heights: Vec<f64>,
    measured: Vec<bool>,
    /// `tops[i]` is the top of block i; `tops[n]` the bottom of the last.
    tops: Vec<f64>,
    /// The lengths (code points) of every block's lines, flattened: block `b`'s are
    /// `lines[line_at[b]..line_at[b + 1]]`.
    lines: Vec<u32>,
    line_at: Vec<usize>,
    /// Whether each block ends its paragraph (and so has the paragraph's margin after it).
    ends: Vec<bool>,
    /// What the estimates assume, corrected by measuring drawn blocks.
    line_px: f64,
    margin_px: f64,
    chars_per_line: f64,
}

impl Heights {
    fn new(doc: &Document) -> Self {
        let n = doc.blocks().len();
        let mut lines = Vec::new();
        let mut line_at = Vec::with_capacity(n + 1);
        for b in doc.blocks() {
            line_at.push(lines.len());
            lines.extend(doc.slice(*b).split('\n').map(|l| l.chars().count() as u32));
        }
        line_at.push(lines.len());
        // A first guess for the article's measure (56ch of a 19 px serif, 1.85 line height,
        // 1.1em after a paragraph); corrected by measurement.
        let mut h = Heights {
            heights: vec![0.0; n],
            measured: vec![false; n],
            tops: Vec::new(),
            lines,
            line_at,
            ends: (0..n).map(|b| doc.ends_paragraph(b)).collect(),
            line_px: 35.0,
            margin_px: 21.0,
            chars_per_line: 62.0,
        };
        h.estimate();
        h
    }

    /// Display lines of block `b` at `cpl` characters per line: each line takes at least one.
    fn display_lines(&self, b: usize, cpl: f64) -> f64 {
        self.lines[self.line_at[b]..self.line_at[b + 1]]
            .iter()
            .map(|&len| (len as f64 / cpl).ceil().max(1.0))
            .sum()
    }

    fn estimate(&mut self) {
        for b in 0..self.heights.len() {
            if !self.measured[b] {
                let margin = if self.ends[b] { self.margin_px } else { 0.0 };
                self.heights[b] =
                    self.display_lines(b, self.chars_per_line) * self.line_px + margin;
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

    /// The blocks overlapping `top..bottom` (pixels from the start of the article).
    fn range(&self, top: f64, bottom: f64) -> Range<usize> {
        let n = self.heights.len();
        let first = self.tops[1..].partition_point(|&t| t <= top).min(n);
        let last = self.tops[..n].partition_point(|&t| t < bottom).max(first);
        first..last.min(n)
    }

    /// Records drawn heights and the line height and margin the page uses; returns whether
    /// anything changed noticeably.
    fn measure(&mut self, drawn: &[(usize, f64)], metrics: Option<Metrics>) -> bool {
        let mut changed = false;
        if let Some((line_px, margin_px)) = metrics {
            if (line_px - self.line_px).abs() > 0.1 || (margin_px - self.margin_px).abs() > 0.1 {
                (self.line_px, self.margin_px) = (line_px, margin_px);
                changed = true;
            }
        }
        for &(i, h) in drawn {
            if i < self.heights.len() && (self.heights[i] - h).abs() > 0.5 {
                self.heights[i] = h;
                changed = true;
            }
            if i < self.measured.len() {
                self.measured[i] = true;
            }
        }
        // Learn the characters per line from what was drawn: the measure at which the drawn
        // blocks' lines would take as many display lines as they do (they take fewer the more
        // a line holds, so a bisection finds it).
        let sample: Vec<(usize, f64)> = drawn
            .iter()
            .filter(|&&(i, _)| i < self.heights.len())
            .map(|&(i, h)| {
                let margin = if self.ends[i] { self.margin_px } else { 0.0 };
                (i, ((h - margin) / self.line_px).round())
            })
            .collect();
        let shown: f64 = sample.iter().map(|s| s.1).sum();
        let count = |cpl: f64| -> f64 {
            sample
                .iter()
                .map(|&(i, _)| self.display_lines(i, cpl))
                .sum()
        };
        let wrapped = sample
            .iter()
            .any(|&(i, lines)| lines > (self.line_at[i + 1] - self.line_at[i]) as f64);
        if wrapped && shown > 0.0 {
            let (mut lo, mut hi) = (4.0f64, 1000.0f64);
            for _ in 0..30 {
                let mid = (lo + hi) / 2.0;
                if count(mid) > shown {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let learned = hi;
            if (learned - self.chars_per_line).abs() / self.chars_per_line > 0.05 {
                self.chars_per_line = learned;
                changed = true;
            }
        }
        if changed {
            self.estimate();
        }
        changed
    }
}

/// What the article draws: a window of blocks and the spacers' heights.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    pub blocks: Range<usize>,
    pub above: f64,
    pub below: f64,
    pub virtual_mode: bool,
}

/// A handle to move the window, e.g. to bring a block into it before scrolling there.
#[derive(Clone)]
pub struct WindowHandle {
    set: UseStateSetter<Range<usize>>,
    anchor: Rc<RefCell<Anchor>>,
    heights: Rc<RefCell<Heights>>,
    article: NodeRef,
    n: usize,
    /// Moves the window to where the view and the selection are now (long documents only).
    follow: Option<Rc<dyn Fn()>>,
}

impl WindowHandle {
    /// Brings the window to the view and the selection at once, without waiting for a scroll:
    /// after the keyboard has moved the caret.
    pub fn follow(&self) {
        if let Some(f) = &self.follow {
            f();
        }
    }

    /// Draws block `p` (and its neighbours) and scrolls near it; the caller scrolls exactly
    /// once it is drawn.
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
        // The page scrolls to the estimate below; the caller then scrolls exactly.
        *self.anchor.borrow_mut() = Anchor::Skip;
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

/// What keeps the view in place across the next redraw (see the module's introduction).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Anchor {
    /// The block at the top of the view when the redraw is measured.
    Here,
    /// Block `.0`, which was at `.1` pixels from the top of the view before the change.
    At(usize, f64),
    /// Nothing: the page has been scrolled to where the change should show (a jump).
    Skip,
}

/// The first drawn block that reaches into the view, and its top (viewport pixels).
fn block_in_view(article: &Element) -> Option<(usize, f64)> {
    let ps = article.query_selector_all("p.para").ok()?;
    (0..ps.length())
        .filter_map(|k| ps.item(k)?.dyn_into::<Element>().ok())
        .find_map(|p| {
            let r = p.get_bounding_client_rect();
            let b = p.get_attribute("data-b")?.parse().ok()?;
            (r.bottom() > 0.0).then_some((b, r.top()))
        })
}

/// The top of drawn block `b` (viewport pixels).
fn top_of(article: &Element, b: usize) -> Option<f64> {
    let p = article
        .query_selector(&format!("p[data-b=\"{b}\"]"))
        .ok()??;
    Some(p.get_bounding_client_rect().top())
}

/// The blocks drawn when a long document opens.
fn first_window(doc: &Document) -> Range<usize> {
    let mut chars = 0;
    let end = doc
        .blocks()
        .iter()
        .take(FIRST_BLOCKS)
        .take_while(|b| {
            chars += b.len();
            chars - b.len() < FIRST_CHARS
        })
        .count();
    0..end
}

/// Keeps the window of drawn blocks following the scroll position.
#[hook]
pub fn use_window(
    doc: Rc<Document>,
    annotations: usize,
    article: NodeRef,
) -> (Window, WindowHandle) {
    let n = doc.blocks().len();
    // Decided when the document opens, so that it stays put while the person annotates.
    let crowded = *use_memo(doc.clone(), move |_| annotations > CROWDED_FROM);
    let virtual_mode = n > VIRTUAL_FROM || crowded;
    let heights = use_memo(doc.clone(), |doc| RefCell::new(Heights::new(doc)));
    let heights: Rc<RefCell<Heights>> = {
        // use_memo gives an Rc<RefCell<_>>; keep it as is.
        heights.clone()
    };
    let range = use_state(|| {
        if virtual_mode {
            first_window(&doc)
        } else {
            0..n
        }
    });
    // A different document: start again at its top.
    {
        let range = range.setter();
        use_effect_with((doc.clone(), virtual_mode), move |(doc, virtual_mode)| {
            let n = doc.blocks().len();
            range.set(if *virtual_mode {
                first_window(doc)
            } else {
                0..n
            });
        });
    }

    // The selection (anchor, focus) in code points when the window last moved, to put back if
    // redrawing moved the nodes it was in.
    let kept = use_mut_ref(|| None::<(usize, usize)>);
    let anchor = use_mut_ref(|| Anchor::Here);
    let update = {
        let (heights, article, setter, current) = (
            heights.clone(),
            article.clone(),
            range.setter(),
            range.clone(),
        );
        let (kept, len, anchor) = (kept.clone(), doc.len(), anchor.clone());
        move || {
            let Some(el) = article.cast::<Element>() else {
                return;
            };
            let (_, vh, _, _) = dom::viewport();
            let rect = el.get_bounding_client_rect();
            let top = -rect.top();
            let h = heights.borrow();
            let mut want = h.range(top - vh * MARGIN_SCREENS, top + vh * (1.0 + MARGIN_SCREENS));
            drop(h);
            // Keep the start of a selection that is being made here drawn, and the blocks on
            // either side of its focus (or of the caret), where the arrow keys go next: when
            // its focus is near the view. One left behind by scrolling away is let go (a
            // pending span is kept as offsets by then).
            if let Some((anchor, focus)) = sel::selection_blocks(&el) {
                if want.start <= focus + 1 && focus < want.end + 1 {
                    let lo = anchor.min(focus.saturating_sub(1));
                    let hi = (anchor.max(focus + 1) + 1).min(n);
                    want = want.start.min(lo)..want.end.max(hi);
                }
            }
            // Move only when the visible part nears the window's edge, to draw in batches.
            let cur = (*current).clone();
            let near_start = want.start < cur.start;
            let near_end = want.end > cur.end;
            if (near_start || near_end) && want != cur && !want.is_empty() {
                *kept.borrow_mut() = sel::selection_cps(&el, len);
                if let Some((b, top)) = block_in_view(&el) {
                    *anchor.borrow_mut() = Anchor::At(b, top);
                }
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

    // After drawing: put back a selection the redraw lost, measure what was drawn, and size
    // the spacers.
    {
        let (heights, article, doc) = (heights.clone(), article.clone(), doc.clone());
        let update = update.clone();
        let anchor = anchor.clone();
        use_effect_with(
            ((*range).clone(), virtual_mode),
            move |(r, virtual_mode)| {
                if *virtual_mode {
                    if let Some(el) = article.cast::<Element>() {
                        // Moving a block's nodes (the keyed diff may) ends a selection in them.
                        if let Some(was) = kept.borrow_mut().take() {
                            if sel::selection_lost(&el) {
                                sel::select_points(&el, &doc, was.0, was.1);
                            }
                        }
                        // Spacers first: measuring forces a layout, and a layout with the old
                        // spacers around the new paragraphs could be shorter than the scroll
                        // position, which the browser would then clamp (a jump).
                        let keep = match std::mem::replace(&mut *anchor.borrow_mut(), Anchor::Here)
                        {
                            Anchor::At(b, top) => Some((b, top)),
                            Anchor::Here => block_in_view(&el),
                            Anchor::Skip => None,
                        };
                        size_spacers(&el, &heights.borrow(), r.clone());
                        let (drawn, metrics) = measure_blocks(&el, r.clone());
                        let changed = heights.borrow_mut().measure(&drawn, metrics);
                        if changed {
                            size_spacers(&el, &heights.borrow(), r.clone());
                        }
                        // Keep what was in view where it was.
                        if let Some((b, before)) = keep {
                            if let (Some(after), Some(w)) = (top_of(&el, b), web_sys::window()) {
                                if (after - before).abs() > 0.5 {
                                    w.scroll_by_with_x_and_y(0.0, after - before);
                                }
                            }
                        }
                        if changed {
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
        blocks: r,
        virtual_mode,
    };
    drop(h);
    let handle = WindowHandle {
        set: range.setter(),
        anchor,
        heights,
        article,
        n,
        follow: virtual_mode.then(|| Rc::new(update) as Rc<dyn Fn()>),
    };
    (window, handle)
}

/// The line height and paragraph margin the page uses, in pixels.
type Metrics = (f64, f64);

/// The drawn blocks' heights, margins included, and the page's line height and paragraph
/// margin (from the computed style of a block that ends its paragraph).
fn measure_blocks(article: &Element, r: Range<usize>) -> (Vec<(usize, f64)>, Option<Metrics>) {
    let mut out = Vec::with_capacity(r.len());
    let Ok(ps) = article.query_selector_all("p.para") else {
        return (out, None);
    };
    let mut tops: Vec<(usize, f64)> = Vec::with_capacity(ps.length() as usize);
    let mut metrics = None;
    for k in 0..ps.length() {
        let Some(p) = ps.item(k).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let Some(i) = p
            .get_attribute("data-b")
            .and_then(|v| v.parse::<usize>().ok())
        else {
            continue;
        };
        if metrics.is_none() && !p.class_list().contains("more") {
            metrics = dom::line_height_and_margin(&p);
        }
        tops.push((i, p.get_bounding_client_rect().top()));
    }
    // A block's height is the distance to the next one's top (margins included).
    for w in tops.windows(2) {
        if w[1].0 == w[0].0 + 1 {
            out.push((w[0].0, w[1].1 - w[0].1));
        }
    }
    out.retain(|(i, _)| r.contains(i));
    (out, metrics)
}

fn size_spacers(article: &Element, h: &Heights, r: Range<usize>) {
    if let Ok(Some(top)) = article.query_selector(".spacer-above") {
        dom::set_style(&top, "height", &dom::px(h.tops[r.start]));
    }
    if let Ok(Some(bottom)) = article.query_selector(".spacer-below") {
        dom::set_style(&bottom, "height", &dom::px(h.total() - h.tops[r.end]));
    }
}
