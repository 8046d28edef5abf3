//! One paragraph, painted from its annotations as segments (see `model::segments`).
//!
//! DOM contract (read by `dom::selection`): `<p class="para" data-p data-o data-e>` holding
//! `<span class="seg" data-o data-e data-a>` elements, each with exactly one text node, and
//! decorations without text (`aria-hidden`, not selectable). The paragraph's text content is
//! therefore exactly the document's text. It re-renders only when its own props change: its
//! annotation list is an `Rc` the reducer replaces only for paragraphs a change touches.

use std::rc::Rc;

use yew::prelude::*;

use crate::model::document::Document;
use crate::model::segments::segments;
use crate::model::state::ParagraphAnnotations;
use crate::model::{Body, Kind, Span};

/// How many entity colours the stylesheet defines (Okabe–Ito).
pub const PALETTE: usize = 8;

#[derive(Properties, PartialEq)]
pub struct ParagraphProps {
    pub index: usize,
    pub doc: Rc<Document>,
    pub annotations: ParagraphAnnotations,
    /// Entity labels in order: a label's position picks its colour.
    pub labels: Rc<Vec<String>>,
    /// The selected annotation, when it touches this paragraph.
    #[prop_or_default]
    pub selected: Option<String>,
    /// An annotation to flash, when it touches this paragraph (id, serial).
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

#[function_component(Paragraph)]
pub fn paragraph(props: &ParagraphProps) -> Html {
    // Counts this paragraph's renders into `data-renders`, so that tests (and a curious person
    // in the inspector) can see that a change re-renders only the paragraphs it touches.
    let renders = use_mut_ref(|| 0u64);
    *renders.borrow_mut() += 1;
    let doc = &props.doc;
    let para = doc.paragraphs()[props.index];
    let anns = &props.annotations;

    // Ranges to cut by: every annotation, then the cue of every quote (cues are shown too).
    let mut ranges: Vec<Span> = anns.iter().map(|a| a.span).collect();
    let mut cue_of: Vec<usize> = Vec::new();
    for (i, a) in anns.iter().enumerate() {
        if let Body::Quote { cue: Some(c), .. } = &a.body {
            ranges.push(*c);
            cue_of.push(i);
        }
    }
    let n = anns.len();
    let selected = props.selected.as_deref();
    let flash = props.flash.as_ref().map(|(id, _)| id.as_str());

    let mut nodes: Vec<Html> = Vec::new();
    for seg in segments(para, &ranges) {
        let covering: Vec<usize> = seg.covering.iter().copied().filter(|&i| i < n).collect();
        let cues: Vec<usize> = seg
            .covering
            .iter()
            .filter(|&&i| i >= n)
            .map(|&i| cue_of[i - n])
            .collect();

        // Opening brackets of quotes that start here.
        for &i in &covering {
            let a = &anns[i];
            if a.kind() == Kind::Quote && a.span.start == seg.span.start {
                nodes.push(html! {
                    <span key={format!("o{}", a.id)}
                        class={classes!("qmark", "qopen", (selected == Some(a.id.as_str())).then_some("sel"))}
                        aria-hidden="true"></span>
                });
            }
        }

        let mut class = classes!("seg");
        let mut entities = 0;
        let mut ids: Vec<&str> = Vec::with_capacity(covering.len());
        for &i in &covering {
            let a = &anns[i];
            ids.push(&a.id);
            match &a.body {
                Body::Entity { label } => {
                    entities += 1;
                    // The innermost entity (last) sets the tint.
                    class.push(format!("ent-{}", colour_of(&props.labels, label)));
                    if a.span.start == seg.span.start {
                        class.push("ent-start");
                    }
                    if a.span.end == seg.span.end {
                        class.push("ent-end");
                    }
                }
                Body::Quote { .. } => class.push("quote"),
                Body::Claim { .. } => class.push("claim"),
            }
            if Some(a.id.as_str()) == selected {
                class.push("sel");
            }
            if Some(a.id.as_str()) == flash {
                class.push("flash");
            }
        }
        if entities > 0 {
            class.push("ent");
        }
        if entities > 1 {
            class.push("ent-nested");
        }
        if !cues.is_empty() {
            class.push("cue");
            if cues.iter().any(|&i| Some(anns[i].id.as_str()) == selected) {
                class.push("cue-sel");
            }
        }
        let data_a = (!ids.is_empty()).then(|| ids.join(" "));
        let data_cue = (!cues.is_empty()).then(|| {
            cues.iter()
                .map(|&i| anns[i].id.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        });
        nodes.push(html! {
            <span key={seg.span.start} {class}
                data-o={seg.span.start.to_string()}
                data-e={seg.span.end.to_string()}
                data-a={data_a}
                data-cue={data_cue}>
                { doc.slice(seg.span).to_string() }
            </span>
        });

        // Chips of entities and closing brackets of quotes that end here, innermost first.
        for &i in covering.iter().rev() {
            let a = &anns[i];
            if a.span.end != seg.span.end {
                continue;
            }
            match &a.body {
                Body::Entity { label } => nodes.push(html! {
                    <span key={format!("c{}", a.id)}
                        class={classes!("chip", format!("ent-{}", colour_of(&props.labels, label)),
                            (selected == Some(a.id.as_str())).then_some("sel"))}
                        data-label={label.clone()} data-for={a.id.clone()} aria-hidden="true"></span>
                }),
                Body::Quote { .. } => nodes.push(html! {
                    <span key={format!("x{}", a.id)}
                        class={classes!("qmark", "qclose", (selected == Some(a.id.as_str())).then_some("sel"))}
                        aria-hidden="true"></span>
                }),
                Body::Claim { .. } => {}
            }
        }
    }

    html! {
        <p class="para"
            data-p={props.index.to_string()}
            data-o={para.start.to_string()}
            data-e={para.end.to_string()}
            data-renders={renders.borrow().to_string()}>
            { for nodes }
        </p>
    }
}
