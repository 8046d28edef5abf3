//! The overview: annotations grouped by kind with counts, in text order, filtered by kind and
//! type and searched by text. A row selects its annotation and scrolls to it; a quote's or
//! claim's row shows its speaker or claimant, which jumps to that entity.

use std::rc::Rc;

use yew::prelude::*;

use super::overview_row::OverviewRow;
use super::store::{Msg, StoreHandle};
use crate::dom;
use crate::model::state::shorten;
use crate::model::{Annotation, Kind, Party};

/// Rows drawn per group; the rest are counted, and the filter narrows them down.
const MAX_ROWS: usize = 60;

#[derive(Properties, PartialEq)]
pub struct OverviewProps {
    pub store: StoreHandle,
}

#[function_component(Overview)]
pub fn overview(props: &OverviewProps) -> Html {
    let store = props.store.clone();
    let kind_filter = use_state(|| None::<Kind>);
    let type_filter = use_state(String::new);
    let search = use_state(String::new);

    let state = store.state();
    let doc = state.document().clone();
    let labels = state.labels().entity.clone();
    let needle = dom::to_lowercase(&search);
    let matches = |a: &Annotation| {
        kind_filter.is_none_or(|k| a.kind() == k)
            && (type_filter.is_empty() || a.body.label() == Some(type_filter.as_str()))
            && (needle.is_empty() || dom::to_lowercase(doc.slice(a.span)).contains(&needle))
    };
    // Rows in text order, up to MAX_ROWS a kind. Without a filter the counts come from the
    // state and the walk stops once every group is full, so the cost of drawing the overview
    // does not grow with the document; a filter or search counts its matches.
    let filtered = kind_filter.is_some() || !type_filter.is_empty() || !needle.is_empty();
    let mut groups: Vec<(Kind, usize, Vec<Rc<Annotation>>)> = Kind::ALL
        .iter()
        .map(|k| (*k, if filtered { 0 } else { state.count(*k) }, Vec::new()))
        .collect();
    for a in state.annotations() {
        if !filtered && groups.iter().all(|g| g.2.len() >= MAX_ROWS.min(g.1)) {
            break;
        }
        if !matches(a) {
            continue;
        }
        let g = &mut groups[a.kind() as usize];
        if filtered {
            g.1 += 1;
        }
        if g.2.len() < MAX_ROWS {
            g.2.push(a.clone());
        }
    }
    // The names of the speakers and claimants the rows show.
    let name_of = |id: &str| {
        state
            .get(id)
            .map(|e| shorten(doc.slice(e.span), 40))
            .unwrap_or_else(|| id.to_string())
    };
    let names: std::collections::HashMap<String, String> = groups
        .iter()
        .flat_map(|g| g.2.iter())
        .flat_map(|a| {
            let party = a.body.party().and_then(Party::as_ref_id);
            party
                .into_iter()
                .chain(a.extra().relations.iter().map(|r| r.target.as_str()))
        })
        .map(|id| (id.to_string(), name_of(id)))
        .collect();
    let total = state.len();
    drop(state);

    // One callback for every row, made once, so rows can skip redrawing.
    let on_go = {
        let store = store.clone();
        use_callback((), move |id: String, _| {
            // Selecting and flashing it also scrolls it into view (see ui::article).
            store.dispatch(Msg::Select(Some(id.clone())));
            store.dispatch(Msg::Flash(id));
        })
    };
    let labels_rc = use_memo(labels.clone(), |l| Rc::new(l.clone()));
    let selected = store.ui.selected.clone();

    let on_kind = {
        let kind_filter = kind_filter.clone();
        Callback::from(move |e: Event| {
            let v = crate::dom::target_value(&e);
            kind_filter.set(Kind::parse(&v));
        })
    };
    let on_type = {
        let type_filter = type_filter.clone();
        Callback::from(move |e: Event| {
            let v = crate::dom::target_value(&e);
            type_filter.set(v);
        })
    };
    let on_search = {
        let search = search.clone();
        Callback::from(move |e: InputEvent| {
            let v = crate::dom::target_value(&e);
            search.set(v);
        })
    };

    html! {
        <section class="overview" aria-labelledby="overview-title">
            <h2 id="overview-title">{ format!("Annotations ({total})") }</h2>
            <div class="filters">
                <select aria-label="Filter by kind" onchange={on_kind}>
                    <option value="" selected={kind_filter.is_none()}>{ "All kinds" }</option>
                    { for Kind::ALL.iter().map(|k| html! {
                        <option value={k.as_str()} selected={*kind_filter == Some(*k)}>{ k.title() }</option>
                    }) }
                </select>
                <select aria-label="Filter by entity type" onchange={on_type}>
                    <option value="" selected={type_filter.is_empty()}>{ "All types" }</option>
                    { for labels.iter().map(|l| html! {
                        <option value={l.clone()} selected={*type_filter == *l}>{ l.clone() }</option>
                    }) }
                </select>
                <input type="search" aria-label="Search annotations by text" placeholder="Search text"
                    value={(*search).clone()} oninput={on_search} />
            </div>
            { for groups.into_iter().map(|(kind, count, rows)| {
                let hidden = count - rows.len();
                html! {
                    <div class={classes!("group", format!("k-{}", kind.as_str()))}>
                        <h3>{ format!("{} ", match kind { Kind::Entity => "Entities", Kind::Quote => "Quotes", Kind::Claim => "Claims" }) }<span class="count">{ count }</span></h3>
                        if rows.is_empty() {
                            <p class="muted empty">{ "none" }</p>
                        } else {
                            <ul>
                                { for rows.iter().map(|a| {
                                    let party = a.body.party().map(|p| match p {
                                        Party::Ref(r) => (
                                            Some(AttrValue::from(r.clone())),
                                            AttrValue::from(names.get(r).cloned().unwrap_or_else(|| r.clone())),
                                        ),
                                        Party::Name(n) => (None, AttrValue::from(n.clone())),
                                    });
                                    // Its relations of any type, each as type and target.
                                    let relations: Vec<(AttrValue, AttrValue, AttrValue)> = a
                                        .extra()
                                        .relations
                                        .iter()
                                        .map(|r| (
                                            AttrValue::from(r.kind.clone()),
                                            AttrValue::from(r.target.clone()),
                                            AttrValue::from(names.get(&r.target).cloned().unwrap_or_else(|| r.target.clone())),
                                        ))
                                        .collect();
                                    html! {
                                        <OverviewRow key={a.id.clone()} annotation={a.clone()} {relations}
                                            text={AttrValue::from(shorten(doc.slice(a.span), 90))}
                                            labels={(*labels_rc).clone()}
                                            selected={selected.as_deref() == Some(a.id.as_str())}
                                            {party} on_go={on_go.clone()} />
                                    }
                                }) }
                            </ul>
                            if hidden > 0 {
                                <p class="muted">{ format!("{hidden} more: narrow the filter or search to see them.") }</p>
                            }
                        }
                    </div>
                }
            }) }
        </section>
    }
}
