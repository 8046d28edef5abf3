//! One block of the article (see `model::document`: a paragraph, or a bounded piece of a long
//! one), painted from its annotations as segments (see `model::segments`).
//!
//! DOM contract (read by `dom::selection`): `<p class="para" data-b data-p data-o data-e>`
//! (`data-b` the block's index, `data-p` its paragraph's) holding
//! `<span class="seg" data-o data-e data-a>` elements (`data-a` the keys of the annotations
//! covering it, never their ids: see `Piece`), each with exactly one text node, and
//! decorations without text (`aria-hidden`, not selectable). The block's text content is
//! therefore exactly the document's text of the block. A block that is not the last of its
//! paragraph has the class `more`: no margin after it, so the blocks of one paragraph read as
//! one (a block cut inside an overlong line starts on a new line). It re-renders only when its
//! own props change: its annotation list is an `Rc` the reducer replaces only for blocks a
//! change touches.
//!
//! A crowded block (hundreds of annotations) is drawn in runs: its pieces (segments, chips,
//! brackets) are described as plain data, grouped by where they start in the text, and each
//! group is a memoised `Run` that re-renders only when its own pieces change. Adding, editing or
//! selecting one annotation then rebuilds and diffs the virtual DOM of the runs it touches,
//! not of the whole block.

use std::rc::Rc;

use yew::prelude::*;

use crate::model::document::Document;
use crate::model::segments::segments;
use crate::model::state::BlockAnnotations;
use crate::model::{Body, Kind, Span};

/// How many entity colours the stylesheet defines (Okabe–Ito).
pub const PALETTE: usize = 8;

#[derive(Properties, PartialEq)]
pub struct BlockProps {
    /// The block's index in `Document::blocks`.
    pub index: usize,
    pub doc: Rc<Document>,
    pub annotations: BlockAnnotations,
    /// Entity labels in order: a label's position picks its colour.
    pub labels: Rc<Vec<String>>,
    /// The selected annotation, when it touches this block.
    #[prop_or_default]
    pub selected: Option<String>,
    /// An annotation to flash, when it touches this block (id, serial).
    #[prop_or_default]
    pub flash: Option<(String, u64)>,
}

/// The colour class of an entity label: its position in the label set.
pub fn colour_of(labels: &[String], label: &str) -> usize {
    labels
        .iter()
        .position(|l| l == label)
        .unwrap_or(PALETTE - 1)
        % PALETTE
}

/// One thing drawn in a block, as data: what a `Run` renders, compared to skip renders.
/// Annotations are named by their keys (`model::state::Keyed`), never by their ids: an id
/// from a file may hold spaces, quotes or brackets, and a key is a number the page can put
/// in a space-separated attribute and a selector as it is.
#[derive(Clone, PartialEq, Debug)]
pub enum Piece {
    /// The opening bracket of a quote.
    Open { key: u32, sel: bool },
    /// A stretch of text covered by the same annotations (`model::segments`).
    Seg {
        span: Span,
        class: String,
        /// The keys of the annotations covering it, space-separated (`data-a`).
        keys: Option<String>,
        /// The keys of the quotes whose cue it is (`data-cue`).
        cues: Option<String>,
    },
    /// The label chips of the entities that end here, innermost first: drawn above the end
    /// of the text, so that they take no room in the line (a tag never moves the text).
    Chips(Vec<Chip>),
    /// The closing bracket of a quote.
    Close { key: u32, sel: bool },
}

/// The label chip of one entity.
#[derive(Clone, PartialEq, Debug)]
pub struct Chip {
    pub key: u32,
    pub label: String,
    pub colour: usize,
    pub sel: bool,
}

/// The pieces of a block, in order, each with the text offset of the segment it belongs to.
pub fn pieces(
    para: Span,
    anns: &BlockAnnotations,
    labels: &[String],
    selected: Option<&str>,
    flash: Option<&str>,
) -> Vec<(usize, Piece)> {
    // Ranges to cut by: every annotation (each fragment of a discontinuous one, which is
    // painted as its fragments with the gap between them left plain), then the cue of every
    // quote (cues are shown too). `owner` maps a range to its annotation.
    let mut ranges: Vec<Span> = Vec::with_capacity(anns.len());
    let mut owner: Vec<usize> = Vec::with_capacity(anns.len());
    for (i, a) in anns.iter().enumerate() {
        if a.extra().fragments.len() > 1 {
            for f in a.fragments() {
                ranges.push(f);
                owner.push(i);
            }
        } else {
            ranges.push(a.span);
            owner.push(i);
        }
    }
    let n = ranges.len();
    let mut cue_of: Vec<usize> = Vec::new();
    for (i, a) in anns.iter().enumerate() {
        if let Body::Quote { cue: Some(c), .. } = &a.body {
            ranges.push(*c);
            cue_of.push(i);
        }
    }
    let is_sel = |id: &str| selected == Some(id);
    let mut out: Vec<(usize, Piece)> = Vec::new();
    for seg in segments(para, &ranges) {
        let at = seg.span.start;
        let covering: Vec<usize> = seg
            .covering
            .iter()
            .filter(|&&i| i < n)
            .map(|&i| owner[i])
            .collect();
        // Where the covering piece of annotation `i` starts and ends: its fragment's bounds.
        let piece_of = |i: usize| {
            let a = &anns[i];
            a.extra()
                .fragments
                .iter()
                .copied()
                .find(|f| f.start <= at && seg.span.end <= f.end)
                .unwrap_or(a.span)
        };
        let cues: Vec<usize> = seg
            .covering
            .iter()
            .filter(|&&i| i >= n)
            .map(|&i| cue_of[i - n])
            .collect();

        // Opening brackets of quotes that start here.
        for &i in &covering {
            let a = &anns[i];
            if a.kind() == Kind::Quote && a.span.start == at {
                let (key, sel) = (a.key, is_sel(&a.id));
                out.push((at, Piece::Open { key, sel }));
            }
        }

        // Classes once each ("claim", not "claim claim" where two claims cover the text).
        let mut class = String::from("seg");
        let mut add = |c: &str| {
            if !class.split(' ').any(|x| x == c) {
                class.push(' ');
                class.push_str(c);
            }
        };
        let mut entities = 0;
        let mut tint = None;
        let mut keys: Vec<String> = Vec::with_capacity(covering.len());
        for &i in &covering {
            let a = &anns[i];
            keys.push(a.key.to_string());
            match &a.body {
                Body::Entity { label } => {
                    entities += 1;
                    // The innermost entity (the last: outer ones come first) sets the tint.
                    tint = Some(label);
                    let piece = piece_of(i);
                    if piece.start == at {
                        add("ent-start");
                    }
                    if piece.end == seg.span.end {
                        add("ent-end");
                    }
                }
                Body::Quote { .. } => add("quote"),
                Body::Claim { .. } => add("claim"),
            }
            if is_sel(&a.id) {
                add("sel");
            }
            if Some(a.id.as_str()) == flash {
                add("flash");
            }
        }
        if let Some(label) = tint {
            add(&format!("ent-{}", colour_of(labels, label)));
        }
        if entities > 0 {
            add("ent");
        }
        if entities > 1 {
            add("ent-nested");
        }
        if !cues.is_empty() {
            add("cue");
            if cues.iter().any(|&i| is_sel(&anns[i].id)) {
                add("cue-sel");
            }
        }
        let keys = (!keys.is_empty()).then(|| keys.join(" "));
        let cues = (!cues.is_empty()).then(|| {
            cues.iter()
                .map(|&i| anns[i].key.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        });
        out.push((
            at,
            Piece::Seg {
                span: seg.span,
                class,
                keys,
                cues,
            },
        ));

        // Chips of entities and closing brackets of quotes that end here, innermost first.
        let mut chips: Vec<Chip> = Vec::new();
        for &i in covering.iter().rev() {
            let a = &anns[i];
            if a.span.end != seg.span.end {
                continue;
            }
            let (key, sel) = (a.key, is_sel(&a.id));
            match &a.body {
                Body::Entity { label } => chips.push(Chip {
                    key,
                    label: label.clone(),
                    colour: colour_of(labels, label),
                    sel,
                }),
                Body::Quote { .. } => out.push((at, Piece::Close { key, sel })),
                Body::Claim { .. } => {}
            }
        }
        if !chips.is_empty() {
            out.push((at, Piece::Chips(chips)));
        }
    }
    out
}

/// Up to this many pieces a block is one run; more are split into runs of about this many.
const RUN: usize = 64;

/// Splits a block's pieces into runs by where their segment starts: every `grain`
/// characters from the block's start. The grain is a power of two chosen from the density,
/// so it rarely changes, and a change to one annotation changes only the runs its text is in.
pub fn runs(para: Span, pieces: Vec<(usize, Piece)>) -> Vec<(usize, Vec<Piece>)> {
    let grain = if pieces.len() <= RUN {
        usize::MAX
    } else {
        (para.len() * RUN / pieces.len()).max(1).next_power_of_two()
    };
    let mut out: Vec<(usize, Vec<Piece>)> = Vec::new();
    for (at, piece) in pieces {
        let r = (at - para.start) / grain;
        match out.last_mut() {
            Some((last, group)) if *last == r => group.push(piece),
            _ => out.push((r, vec![piece])),
        }
    }
    out
}

/// In test builds (feature `test-hooks`, which the e2e layer builds with), counts a block's
/// renders into `data-renders`, so that tests can see that a change re-renders only the blocks
/// it touches. Shipped builds carry no counter (`None`: the attribute is left out).
#[cfg(feature = "test-hooks")]
#[hook]
fn use_render_count() -> Option<AttrValue> {
    let renders = use_mut_ref(|| 0u64);
    *renders.borrow_mut() += 1;
    let n = *renders.borrow();
    Some(n.to_string().into())
}

#[cfg(not(feature = "test-hooks"))]
#[hook]
fn use_render_count() -> Option<AttrValue> {
    None
}

#[function_component(Block)]
pub fn block(props: &BlockProps) -> Html {
    let renders = use_render_count();
    let doc = &props.doc;
    let para = doc.blocks()[props.index];
    let more = !doc.ends_paragraph(props.index);
    let all = pieces(
        para,
        &props.annotations,
        &props.labels,
        props.selected.as_deref(),
        props.flash.as_ref().map(|(id, _)| id.as_str()),
    );
    // Chips after the first at one place are moved left of it (see Piece::Chips).
    let p_ref = use_node_ref();
    {
        let p_ref = p_ref.clone();
        use_effect(move || {
            if let Some(p) = p_ref.cast::<web_sys::Element>() {
                crate::dom::shift_chips(&p);
            }
        });
    }
    let runs = runs(para, all).into_iter().map(|(r, pieces)| {
        html! { <Run key={r} doc={props.doc.clone()} pieces={Rc::new(pieces)} /> }
    });
    html! {
        <p ref={p_ref} class={classes!("para", more.then_some("more"))}
            data-b={props.index.to_string()}
            data-p={doc.block_paragraph(props.index).to_string()}
            data-o={para.start.to_string()}
            data-e={para.end.to_string()}
            data-renders={renders}>
            { for runs }
        </p>
    }
}

#[derive(Properties)]
struct RunProps {
    doc: Rc<Document>,
    pieces: Rc<Vec<Piece>>,
}

impl PartialEq for RunProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.doc, &other.doc) && self.pieces == other.pieces
    }
}

/// A run of a block's pieces; renders again only when they change.
#[function_component(Run)]
fn run(props: &RunProps) -> Html {
    let sel = |sel: bool| sel.then_some("sel");
    let nodes = props.pieces.iter().map(|piece| match piece {
        Piece::Open { key, sel: s } => html! {
            <span key={format!("o{key}")} class={classes!("qmark", "qopen", sel(*s))}
                aria-hidden="true"></span>
        },
        Piece::Seg {
            span,
            class,
            keys,
            cues,
        } => html! {
            <span key={span.start} class={class.clone()}
                data-o={span.start.to_string()}
                data-e={span.end.to_string()}
                data-a={keys.clone()}
                data-cue={cues.clone()}>
                { props.doc.slice(*span).to_string() }
            </span>
        },
        // Empty inlines (no box of their own in the line, no break opportunity) whose labels
        // are drawn above the text, each to the left of the ones before it: `data-shift` says
        // by how much (their characters, and their number), which the block applies as a style
        // once drawn (the page's CSP allows no style attribute).
        Piece::Chips(chips) => {
            let mut before = 0;
            let labels: Html = chips
                .iter()
                .enumerate()
                .map(|(n, c)| {
                    let shift = (n > 0).then(|| format!("{before},{n}"));
                    before += c.label.chars().count();
                    html! {
                        <span class={classes!("chip", format!("ent-{}", c.colour), sel(c.sel))}
                            data-shift={shift} data-label={c.label.clone()} data-for={c.key.to_string()}></span>
                    }
                })
                .collect();
            html! {
                <span key={format!("c{}", chips[0].key)} class="chips" aria-hidden="true">{ labels }</span>
            }
        }
        Piece::Close { key, sel: s } => html! {
            <span key={format!("x{key}")} class={classes!("qmark", "qclose", sel(*s))}
                aria-hidden="true"></span>
        },
    });
    html! { <>{ for nodes }</> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::synth;
    use crate::model::{Action, Timestamp};

    const NOW: Timestamp = Timestamp(1_733_635_800_000);

    /// The 1× article with 10,000 annotations, and its most crowded block.
    fn crowded() -> (crate::model::State, usize) {
        let doc = Rc::new(synth::repeated_article(1));
        let s = synth::state(doc, 10_000, 7);
        let busiest = (0..s.document().blocks().len())
            .max_by_key(|&i| s.block_annotations(i).len())
            .unwrap();
        (s, busiest)
    }

    fn runs_of(
        s: &crate::model::State,
        i: usize,
        selected: Option<&str>,
    ) -> Vec<(usize, Vec<Piece>)> {
        let para = s.document().blocks()[i];
        let labels = s.labels().entity.clone();
        runs(
            para,
            pieces(para, &s.block_annotations(i), &labels, selected, None),
        )
    }

    #[test]
    fn segments_tile_the_paragraph_and_runs_keep_their_order() {
        let (s, i) = crowded();
        let para = s.document().blocks()[i];
        let runs = runs_of(&s, i, None);
        assert!(
            runs.len() > 4,
            "a crowded paragraph is drawn in several runs"
        );
        assert!(
            runs.windows(2).all(|w| w[0].0 < w[1].0),
            "runs in text order"
        );
        let spans: Vec<Span> = runs
            .iter()
            .flat_map(|(_, p)| p.iter())
            .filter_map(|p| match p {
                Piece::Seg { span, .. } => Some(*span),
                _ => None,
            })
            .collect();
        assert_eq!(spans.first().unwrap().start, para.start);
        assert_eq!(spans.last().unwrap().end, para.end);
        assert!(
            spans.windows(2).all(|w| w[0].end == w[1].start),
            "no gap, no overlap"
        );
        let chips: usize = runs
            .iter()
            .flat_map(|(_, p)| p.iter())
            .map(|p| match p {
                Piece::Chips(c) => c.len(),
                _ => 0,
            })
            .sum();
        let entities_ending_here = s
            .block_annotations(i)
            .iter()
            .filter(|a| a.kind() == Kind::Entity && para.contains(a.span.end - 1))
            .count();
        assert_eq!(
            chips, entities_ending_here,
            "one chip per entity, after its end"
        );
    }

    #[test]
    fn a_quiet_paragraph_is_one_run() {
        let doc = Rc::new(synth::repeated_article(1));
        let s = synth::state(doc, 10, 7);
        for i in 0..s.document().blocks().len() {
            assert!(runs_of(&s, i, None).len() <= 1, "paragraph {i}");
        }
    }

    /// The point of runs: one change re-renders a few of them, not the paragraph.
    #[test]
    fn adding_or_selecting_one_annotation_changes_few_runs() {
        let (mut s, i) = crowded();
        let before = runs_of(&s, i, None);
        let para = s.document().blocks()[i];
        let word = Span::new(para.start + 40, para.start + 46);
        let out = s
            .apply(
                Action::Create {
                    span: word,
                    body: Body::Entity {
                        label: "ORG".into(),
                    },
                    note: String::new(),
                },
                NOW,
            )
            .unwrap();
        let changed = |a: &[(usize, Vec<Piece>)], b: &[(usize, Vec<Piece>)]| {
            b.iter().filter(|r| !a.contains(r)).count()
        };
        let after = runs_of(&s, i, None);
        assert_eq!(after.len(), before.len());
        assert!(
            changed(&before, &after) <= 2,
            "{} of {} runs changed",
            changed(&before, &after),
            after.len()
        );
        let id = out.created.expect("an id");
        let selected = runs_of(&s, i, Some(&id));
        assert!(
            changed(&after, &selected) <= 2,
            "selecting it changes only its runs"
        );
    }

    /// A discontinuous annotation is painted as its fragments: the gap is plain text, each
    /// fragment a box of its own, and one chip after the last.
    #[test]
    fn a_discontinuous_entity_paints_its_fragments_and_leaves_the_gap() {
        let doc = Rc::new(Document::new("t", "t", "vitamins B and D were given."));
        let mut s = crate::model::State::new(doc);
        let body = Body::Entity {
            label: "ORG".into(),
        };
        let note = String::new();
        let out = s
            .apply(
                Action::Create {
                    span: Span::new(0, 10),
                    body,
                    note,
                },
                NOW,
            )
            .unwrap();
        let id = out.created.unwrap();
        s.apply(
            Action::AddFragment {
                id,
                span: Span::new(15, 16),
            },
            NOW,
        )
        .unwrap();
        let labels = s.labels().entity.clone();
        let ps = pieces(
            Span::new(0, 28),
            &s.block_annotations(0),
            &labels,
            None,
            None,
        );
        let segs: Vec<(Span, bool, String)> = ps
            .iter()
            .filter_map(|(_, p)| match p {
                Piece::Seg {
                    span, keys, class, ..
                } => Some((*span, keys.is_some(), class.clone())),
                _ => None,
            })
            .collect();
        let covered: Vec<Span> = segs.iter().filter(|s| s.1).map(|s| s.0).collect();
        assert_eq!(covered, vec![Span::new(0, 10), Span::new(15, 16)]);
        for (span, _, class) in segs.iter().filter(|s| s.1) {
            let has = |c: &str| class.split(' ').any(|x| x == c);
            assert!(has("ent-start") && has("ent-end"), "{span:?}: {class}");
        }
        let chips: Vec<usize> = ps
            .iter()
            .filter_map(|(at, p)| matches!(p, Piece::Chips(_)).then_some(*at))
            .collect();
        assert_eq!(chips, vec![15], "one chip, after the last fragment");
    }

    #[test]
    fn the_innermost_entity_tints_a_nested_segment() {
        let doc = Rc::new(Document::new("t", "t", "Baath Party regime ended."));
        let mut s = crate::model::State::new(doc);
        for (span, label) in [(Span::new(0, 18), "GPE"), (Span::new(0, 11), "ORG")] {
            let body = Body::Entity {
                label: label.into(),
            };
            let note = String::new();
            s.apply(Action::Create { span, body, note }, NOW).unwrap();
        }
        let labels = s.labels().entity.clone();
        let ps = pieces(
            Span::new(0, 25),
            &s.block_annotations(0),
            &labels,
            None,
            None,
        );
        let class_of = |start: usize| {
            ps.iter()
                .find_map(|(_, p)| match p {
                    Piece::Seg { span, class, .. } if span.start == start => Some(class.clone()),
                    _ => None,
                })
                .unwrap()
        };
        let (org, gpe) = (colour_of(&labels, "ORG"), colour_of(&labels, "GPE"));
        assert_ne!(org, gpe);
        let nested = class_of(0);
        assert!(
            nested.split(' ').any(|c| c == format!("ent-{org}")),
            "{nested}"
        );
        assert!(
            !nested.split(' ').any(|c| c == format!("ent-{gpe}")),
            "{nested}"
        );
        assert!(nested.split(' ').any(|c| c == "ent-nested"));
        let mut classes: Vec<&str> = nested.split(' ').collect();
        let all = classes.len();
        crate::model::sort::sort_dedup(&mut classes);
        assert_eq!(classes.len(), all, "each class once: {nested}");
        let outer = class_of(11);
        assert!(
            outer.split(' ').any(|c| c == format!("ent-{gpe}")),
            "{outer}"
        );
    }
}
