//! The Review panel of the open document: the other annotators' layers (imported from their
//! files: see `session::layers`), each removable, and how far every pair of annotators agrees
//! on it (`model::agreement`, the figures of `marginalia agree`): span F1 exact and overlap,
//! Cohen's κ per pair, and over all of them Fleiss' κ and Krippendorff's α, each with the
//! number of units behind it. The person's own annotations are the layer named by the
//! Annotator field ("me" while it is empty).

use yew::prelude::*;

use super::session::{self, SessionCtx};
use super::store::{Msg, StoreHandle};
use crate::model::agreement::{self, Input, Layer, Measure};
use crate::model::Annotation;

/// The annotator name of the layer disagreements are settled into.
const GOLD: &str = "gold";

#[derive(Properties, PartialEq)]
pub struct ReviewProps {
    pub store: StoreHandle,
}

/// A figure as the table shows it: three decimals, or a dash where it is not defined.
fn figure(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{v:.3}"))
}

fn measure(m: &Measure) -> Html {
    html! { <>{ figure(m.value) }<span class="muted">{ format!(" ({})", m.units) }</span></> }
}

#[function_component(Review)]
pub fn review(props: &ReviewProps) -> Html {
    let store = &props.store;
    let session = use_context::<SessionCtx>().expect("session").0;
    // Computed once per change to the work, its layers or who the person is, not at every
    // render of the page (a selection, a key): agreement reads every annotation.
    // Closed, nothing is computed: every edit would otherwise copy every annotation.
    let key = (
        store.ui.review_open,
        store.revision,
        store.generation,
        std::rc::Rc::as_ptr(&store.ui.layers) as usize,
        store.ui.annotator.clone(),
    );
    let computed = {
        let store = store.clone();
        use_memo(key, move |_| compute(&store))
    };
    if !store.ui.review_open {
        return html! {};
    }
    let Computed {
        me,
        mine,
        report,
        agreed,
    } = &*computed;
    let state = store.state();
    let layers = store.ui.layers.clone();
    let doc = state.document().clone();
    let close = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Msg::ShowReview(false)))
    };
    // The figures as files, the same as `marginalia agree --json` / `--csv` write.
    let download = |report: agreement::Report, json: bool| {
        let (store, id) = (store.clone(), doc.id.clone());
        Callback::from(move |_: MouseEvent| {
            let (name, mime, text) = if json {
                (
                    format!("{id}.agreement.json"),
                    "application/json",
                    agreement::json(&report, None),
                )
            } else {
                (
                    format!("{id}.agreement.csv"),
                    "text/csv",
                    agreement::csv(&report),
                )
            };
            if let Err(why) = crate::dom::files::download(&name, mime, text.as_bytes()) {
                store.dispatch(Msg::Say(
                    format!("{name} could not be saved: {why}"),
                    super::store::Tone::Error,
                ));
            }
        })
    };
    // "Accept what all agree on": the gold layer starts with what every layer holds alike.
    let accept = {
        let (store, session, doc) = (store.clone(), session.clone(), doc.clone());
        let labels = state.labels().clone();
        let agreed = agreed.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(annotations) = &agreed {
                let bundle = crate::formats::Bundle {
                    document: (*doc).clone(),
                    labels: labels.clone(),
                    annotator: GOLD.to_string(),
                    annotations: annotations.clone(),
                    status: crate::model::Status::default(),
                };
                session::add_layer(&store, &session, &bundle);
                // Settled: the document's status says so.
                session::set_status(&store, &session, crate::model::Status::Reviewed);
            }
        })
    };
    let overall = report
        .as_ref()
        .and_then(|r| r.as_ref().ok())
        .and_then(|r| r.project.scopes.iter().find(|s| s.scope == "all").cloned());
    html! {
        <section class="review" aria-labelledby="review-title">
            <header class="details-head">
                <h2 id="review-title">{ "Review" }</h2>
                <button type="button" class="icon-btn" aria-label="Close review" title="Close" onclick={close}>{ "×" }</button>
            </header>
            <p class="muted">{ format!("Layers of this document: yours ({me}, {mine}) and other annotators' from their files (Import a file of this text that names another annotator).") }</p>
            <ul class="layers" aria-label="Layers">
                { for layers.iter().map(|l| {
                    let remove = {
                        let (store, session, name) = (store.clone(), session.clone(), l.annotator.clone());
                        Callback::from(move |_: MouseEvent| session::remove_layer(&store, &session, &name))
                    };
                    let save = {
                        let (store, text) = (store.clone(), l.native.clone());
                        let name = format!("{}.{}.marginalia.json", doc.id, l.annotator);
                        Callback::from(move |_: MouseEvent| {
                            if let Err(why) = crate::dom::files::download(&name, "application/json", text.as_bytes()) {
                                store.dispatch(Msg::Say(format!("{name} could not be saved: {why}"), super::store::Tone::Error));
                            }
                        })
                    };
                    html! {
                        <li class="layer">
                            <span>{ format!("{}: {} annotations", l.annotator, l.annotations.len()) }</span>
                            <button type="button" onclick={save}
                                aria-label={format!("Download {}'s layer", l.annotator)}>{ "Download" }</button>
                            <button type="button" onclick={remove}
                                aria-label={format!("Remove {}'s layer", l.annotator)}>{ "Remove" }</button>
                        </li>
                    }
                }) }
            </ul>
            { match (&report, &overall) {
                (None, _) => html! { <p>{ "No other annotator's layer yet: nothing to compare." }</p> },
                (Some(Err(why)), _) => html! { <p role="alert">{ why.clone() }</p> },
                (Some(Ok(_)), None) => html! { <p>{ "No figures: no annotation in any layer." }</p> },
                (Some(Ok(r)), Some(all)) => html! {
                    <>
                        <div class="table-scroll">
                        <table class="agreement pairs" aria-label="Agreement between each pair of annotators">
                            <thead>
                                <tr>
                                    <th scope="col">{ "Reference – other" }</th>
                                    <th scope="col" title="Exact span F1: same kind, type and boundaries (spans of each in brackets)">{ "Exact F1" }</th>
                                    <th scope="col" title="Overlap F1: same boundaries count 1, overlapping ½">{ "Overlap F1" }</th>
                                    <th scope="col" title="Cohen's κ over the word tokens' IOB tags (tokens in brackets)">{ "κ" }</th>
                                </tr>
                            </thead>
                            <tbody>
                                { for all.pairs.iter().map(|p| html! {
                                    <tr data-a={p.a.clone()} data-b={p.b.clone()}>
                                        <th scope="row">{ format!("{} – {}", p.a, p.b) }</th>
                                        <td class="f1-exact">{ figure(p.exact.f1) }<span class="muted">{ format!(" ({}, {})", p.exact.reference_spans, p.exact.other_spans) }</span></td>
                                        <td>{ figure(p.overlap.f1) }</td>
                                        <td>{ measure(&p.cohen_kappa) }</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                        </div>
                        <dl class="agreement-overall">
                            <dt>{ "Span F1, exact, every pair" }</dt>
                            <dd class="span-f1-exact">{ figure(r.span_f1_exact) }</dd>
                            <dt>{ "Fleiss' κ (tokens)" }</dt>
                            <dd>{ measure(&all.overall.fleiss_kappa) }</dd>
                            <dt>{ "Krippendorff's α, nominal (tokens)" }</dt>
                            <dd>{ measure(&all.overall.alpha_nominal) }</dd>
                        </dl>
                        <table class="agreement scopes" aria-label="Agreement by kind and entity type, over every pair">
                            <thead>
                                <tr>
                                    <th scope="col">{ "Kind or type" }</th>
                                    <th scope="col">{ "Exact F1" }</th>
                                    <th scope="col">{ "Overlap F1" }</th>
                                    <th scope="col">{ "α (tokens)" }</th>
                                </tr>
                            </thead>
                            <tbody>
                                { for r.project.scopes.iter().filter(|s| s.scope != "all").map(|s| html! {
                                    <tr data-scope={s.scope.clone()}>
                                        <th scope="row">{ s.scope.clone() }</th>
                                        <td>{ measure(&s.overall.exact_f1) }</td>
                                        <td>{ measure(&s.overall.overlap_f1) }</td>
                                        <td>{ measure(&s.overall.alpha_nominal) }</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                        <div class="row">
                            <button type="button" onclick={accept.clone()}
                                title="Start the gold layer with every annotation all layers hold alike">{ "Accept what all agree on" }</button>
                        </div>
                        <div class="row">
                            <button type="button" onclick={download(r.clone(), true)}>{ "Download figures (JSON)" }</button>
                            <button type="button" onclick={download(r.clone(), false)}>{ "Download figures (CSV)" }</button>
                        </div>
                        <p class="muted">{ "Figures as marginalia agree computes them; docs/review.md says what each counts. Units in brackets." }</p>
                    </>
                },
            } }
        </section>
    }
}

/// What the panel shows, computed from the store.
#[derive(PartialEq)]
struct Computed {
    /// The person's own layer's name.
    me: String,
    /// How many annotations it holds.
    mine: usize,
    /// The figures (none without another layer).
    report: Option<Result<agreement::Report, String>>,
    /// What every layer holds alike (the gold layer's start).
    agreed: Option<Vec<Annotation>>,
}

fn compute(store: &StoreHandle) -> Computed {
    if !store.ui.review_open {
        return Computed {
            me: String::new(),
            mine: 0,
            report: None,
            agreed: None,
        };
    }
    let state = store.state();
    let me = match store.ui.annotator.trim() {
        "" => "me".to_string(),
        name => name.to_string(),
    };
    let own: Vec<Annotation> = state.annotations().iter().map(|a| (**a).clone()).collect();
    let mut all = vec![Layer {
        annotator: &me,
        annotations: &own,
    }];
    // The gold layer is what the others are settled into, not one more annotator.
    let others = store
        .ui
        .layers
        .iter()
        .filter(|l| l.annotator != me && l.annotator != GOLD);
    all.extend(others.map(|l| Layer {
        annotator: &l.annotator,
        annotations: &l.annotations,
    }));
    let doc = state.document();
    let sha = crate::formats::sha256_hex(doc.text());
    let (report, agreed) = if all.len() >= 2 {
        let input = Input {
            document: doc,
            sha256: &sha,
            layers: all.clone(),
        };
        (
            Some(agreement::agree(&[input], &state.labels().checkworthiness)),
            Some(agreement::agreed(&all)),
        )
    } else {
        (None, None)
    };
    Computed {
        mine: own.len(),
        me,
        report,
        agreed,
    }
}
