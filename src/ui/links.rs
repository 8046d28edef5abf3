//! The links of the selected annotation, drawn over the text (`model::links`): from a quote to
//! its speaker, from a claim to its claimant, from a quote to its cue, and into an entity from
//! every quote and claim that names it. The page's geometry is read after the text is drawn
//! (`dom::line_boxes`) and painted as an SVG overlay that takes no pointer events and no room.
//!
//! Routes keep off the text, as brat's arcs do: two ends on one line are joined by an arc in
//! the space above the line (the article's leading keeps room there); ends on different lines
//! by a path that rises into the space above each end and runs down the right margin beside
//! the column, one lane per link, so several links stay apart. The other end is outlined, and
//! each link is labelled with its role. Screen readers get the same links as text, listed at
//! both ends in the details panel.

use gloo::events::EventListener;
use yew::prelude::*;

use super::store::StoreHandle;
use crate::dom;
use crate::model::links::{links_of, End};

#[derive(Properties, PartialEq)]
pub struct LinksProps {
    pub store: StoreHandle,
}

/// A link as drawn: its path, the boxes of its far end, and where its label goes.
#[derive(Clone, Debug, PartialEq)]
struct Drawn {
    path: String,
    boxes: Vec<(f64, f64, f64, f64)>,
    label: (f64, f64),
    role: String,
    /// A relation of the open schema (its role is its type, any name), not a party or cue.
    relation: bool,
    /// "arc" (one line) or "lane" (down the margin).
    route: &'static str,
}

/// The most links drawn at once.
const MAX_DRAWN: usize = 40;

/// How far above a line box the routes run: into the leading, above the type chips that sit
/// just over the text (ui::block), below the line before; and the arc's rise.
const RISE: f64 = 10.5;
const ARC: f64 = 16.0;
/// How much higher each further arc over the same line rises.
const ARC_STEP: f64 = 11.0;
/// The margin lanes: the first one this far right of the column, the next ones further.
const LANE: f64 = 14.0;
const LANE_STEP: f64 = 10.0;

#[function_component(Links)]
pub fn links(props: &LinksProps) -> Html {
    let store = &props.store;
    // What to draw, as selectors of the two ends (keys, never ids, reach the DOM).
    let ends: Vec<(String, String, String, bool)> = {
        let state = store.state();
        let selector = |end: &End| match end {
            End::Annotation(id) => state
                .key(id)
                .map(|k| format!("article.doc [data-a~=\"{k}\"]")),
            End::Cue { quote, .. } => state
                .key(quote)
                .map(|k| format!("article.doc [data-cue~=\"{k}\"]")),
        };
        match store.ui.selected.as_deref() {
            // At most MAX_DRAWN: an entity a file links from thousands of quotes must not make
            // the page measure thousands of spans (the details list counts them all).
            Some(id) => links_of(&state, id)
                .into_iter()
                .take(MAX_DRAWN)
                .filter_map(|l| Some((selector(&l.from)?, selector(&l.to)?, l.role, l.relation)))
                .collect(),
            None => Vec::new(),
        }
    };
    let drawn = use_state(Vec::<Drawn>::new);
    // What is drawn now, for skipping a redraw when nothing moved (a state handle captured by
    // a listener would compare with the value of its render).
    let last = use_mut_ref(Vec::<Drawn>::new);
    {
        let drawn = drawn.clone();
        let deps = (ends.clone(), store.revision, store.generation);
        use_effect_with(deps, move |(ends, _, _)| {
            let any = !ends.is_empty();
            let ends = ends.clone();
            let remeasure = move || {
                let next = measure(&ends);
                if *last.borrow() != next {
                    *last.borrow_mut() = next.clone();
                    drawn.set(next);
                }
            };
            remeasure();
            // Blocks drawn as the person scrolls, and a new width, move the ends.
            let listeners = any.then(web_sys::window).flatten().map(|w| {
                let m = std::rc::Rc::new(remeasure);
                let (m1, m2) = (m.clone(), m);
                (
                    EventListener::new(&w, "scroll", move |_| m1()),
                    EventListener::new(&w, "resize", move |_| m2()),
                )
            });
            move || drop(listeners)
        });
    }
    if drawn.is_empty() {
        return html! {};
    }
    html! {
        <svg class="links" aria-hidden="true" focusable="false">
            <defs>
                <marker id="link-arrow" viewBox="0 0 8 8" refX="7" refY="4"
                    markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0,0 L8,4 L0,8 z" class="link-head" />
                </marker>
            </defs>
            { for drawn.iter().map(|d| html! {
                <g class={classes!("link", if d.relation { "relation".to_string() } else { format!("role-{}", d.role) }, d.route)}
                    data-role={d.role.clone()}>
                    { for d.boxes.iter().map(|&(l, t, r, b)| html! {
                        <rect class="link-end" x={fmt(l - 2.0)} y={fmt(t - 1.0)}
                            width={fmt(r - l + 4.0)} height={fmt(b - t + 2.0)} rx="4" />
                    }) }
                    <path class="link-path" d={d.path.clone()} marker-end="url(#link-arrow)" />
                    <text class="link-label" x={fmt(d.label.0)} y={fmt(d.label.1)}>{ d.role.clone() }</text>
                </g>
            }) }
        </svg>
    }
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

/// Reads where both ends of every link are drawn and routes a path between them. A link whose
/// end is not drawn (outside the window of a long text) is left out until it is.
fn measure(ends: &[(String, String, String, bool)]) -> Vec<Drawn> {
    let column_right = dom::line_boxes("article.doc")
        .first()
        .map_or(0.0, |&(_, _, r, _)| r);
    let mut out = Vec::new();
    let mut lane = 0.0;
    // Arcs already drawn over each line (by its rounded top): each next one rises higher, so
    // that several relations on one line stay apart and their labels readable.
    let mut arcs: Vec<i64> = Vec::new();
    for (from, to, role, relation) in ends {
        let (a, b) = (dom::line_boxes(from), dom::line_boxes(to));
        let (Some(&fa), Some(&fb)) = (a.first(), b.first()) else {
            continue;
        };
        let mid = |r: (f64, f64, f64, f64)| ((r.0 + r.2) / 2.0, r.1);
        let ((ax, ay), (bx, by)) = (mid(fa), mid(fb));
        let same_line = (ay - by).abs() < 4.0;
        let (path, label) = if same_line {
            // One line: an arc through the leading above it, above the arcs there already.
            let line = ay.min(by).round() as i64;
            let stacked = arcs.iter().filter(|l| **l == line).count() as f64;
            arcs.push(line);
            let top = ay.min(by) - ARC - stacked * ARC_STEP;
            (
                format!(
                    "M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
                    ax,
                    ay,
                    ax,
                    top,
                    bx,
                    top,
                    bx,
                    by - 1.0
                ),
                ((ax + bx) / 2.0, top + 2.0),
            )
        } else {
            let x = column_right + LANE + lane * LANE_STEP;
            lane += 1.0;
            (
                format!(
                    "M{:.1},{:.1} V{:.1} H{:.1} V{:.1} H{:.1} V{:.1}",
                    ax,
                    ay,
                    ay - RISE,
                    x,
                    by - RISE,
                    bx,
                    by - 1.0
                ),
                (x + 4.0, (ay + by) / 2.0),
            )
        };
        out.push(Drawn {
            path,
            boxes: b,
            label,
            role: role.clone(),
            relation: *relation,
            route: if same_line { "arc" } else { "lane" },
        });
    }
    out
}
