//! The details panel of the selected annotation: kind, type, speaker or claimant (from the
//! entity list, a free name, or "pick in text"), cue, direct/indirect, check-worthiness, note,
//! fragments, relations and attributes (`ui::schema_fields`), boundaries, delete. Every
//! control dispatches one `Action`.

use crate::model::sort;
use std::rc::Rc;

use yew::prelude::*;

use super::store::{Msg, StoreHandle};
use crate::dom::{target_checked, target_value};
use crate::model::state::shorten;
use crate::model::words::{nudge, Nudge};
use crate::model::{Action, Annotation, Body, Kind, Party};

/// How many entities the speaker and claimant lists offer.
const NEARBY_ENTITIES: usize = 40;
/// How many of the quotes and claims that name an entity its details list.
const LINKS_LISTED: usize = 30;

#[derive(Properties, PartialEq)]
pub struct DetailsProps {
    pub store: StoreHandle,
    pub annotation: Rc<Annotation>,
}

#[function_component(Details)]
pub fn details(props: &DetailsProps) -> Html {
    let store = props.store.clone();
    let a = props.annotation.clone();
    let id = a.id.clone();
    // A newly selected annotation's panel is drawn one frame after the text shows the change:
    // building its form first would hold that frame back (about 8 ms with 10,000 annotations).
    let drawn_for = use_state(|| None::<String>);
    {
        let drawn_for = drawn_for.clone();
        use_effect_with(id.clone(), move |id| {
            let id = id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                crate::dom::after_paint().await;
                drawn_for.set(Some(id));
            });
        });
    }
    // "Tag every occurrence" counts the other places that hold an entity's text before it
    // applies: a scan of the whole text (milliseconds for 1 MB), made after the frame that
    // shows a change, so that it never holds that frame back; (id, revision, ignore case, n).
    let counted = use_state(|| None::<(String, u64, bool, usize)>);
    {
        let (counted, store) = (counted.clone(), store.clone());
        let entity = a.kind() == Kind::Entity;
        let key = (id.clone(), store.revision, store.ui.ignore_case);
        use_effect_with(key, move |(id, revision, ignore_case)| {
            if entity {
                let (id, revision, ignore_case) = (id.clone(), *revision, *ignore_case);
                wasm_bindgen_futures::spawn_local(async move {
                    crate::dom::after_paint().await;
                    let opts = crate::model::Match {
                        match_case: !ignore_case,
                    };
                    let n = store.state().occurrences(&id, opts).map_or(0, |v| v.len());
                    counted.set(Some((id, revision, ignore_case, n)));
                });
            }
        });
    }
    // Once drawn, the details are brought into view (a row clicked far down the list).
    let section_ref = use_node_ref();
    {
        let section_ref = section_ref.clone();
        use_effect_with((*drawn_for).clone(), move |drawn| {
            if drawn.is_some() {
                if let Some(el) = section_ref.cast::<web_sys::Element>() {
                    crate::dom::reveal_in_panel(&el);
                }
            }
        });
    }
    if drawn_for.as_deref() != Some(id.as_str()) {
        return html! {
            <section class={classes!("details", format!("k-{}", a.kind().as_str()))}
                aria-labelledby="details-title" aria-busy="true">
                <header class="details-head">
                    <h2 id="details-title">{ format!("{} ", a.kind().title()) }<span class="details-id">{ a.id.clone() }</span></h2>
                </header>
            </section>
        };
    }
    let state = store.state();
    let doc = state.document().clone();
    let labels = state.labels().clone();
    let text = doc.slice(a.span).to_string();
    // A discontinuous annotation's text as it reads: its fragments, the gaps elided.
    let shown = match a.extra().fragments.len() {
        0 | 1 => text.clone(),
        _ => a
            .fragments()
            .iter()
            .map(|f| doc.slice(*f))
            .collect::<Vec<_>>()
            .join(" … "),
    };
    // Entities that can be a speaker or claimant: the nearest ones (and the linked one), in
    // text order; "Pick in text" reaches any other. A long document can hold thousands.
    let mut near = state.entities_near(a.span, NEARBY_ENTITIES);
    if let Some(linked) = a
        .body
        .party()
        .and_then(Party::as_ref_id)
        .and_then(|r| state.get(r))
    {
        if !near.iter().any(|e| e.id == linked.id) {
            near.push(linked.clone());
            sort::sort_by(&mut near, |x, y| x.sort_key().cmp(&y.sort_key()));
        }
    }
    // Each with its key, which the list's options carry instead of the id (see Keyed).
    let entities: Vec<(u32, String, String)> = near
        .iter()
        .filter_map(|e| Some((state.key(&e.id)?, e)))
        .map(|(key, e)| {
            (
                key,
                e.id.clone(),
                format!(
                    "{} ({})",
                    shorten(doc.slice(e.span), 40),
                    e.body.label().unwrap_or("")
                ),
            )
        })
        .collect();
    let party_text = a.body.party().map(|p| match p {
        Party::Ref(r) => state
            .get(r)
            .map(|e| shorten(doc.slice(e.span), 60))
            .unwrap_or_else(|| r.clone()),
        Party::Name(n) => n.clone(),
    });
    // The quotes and claims that name this entity: its links, listed at this end too.
    // The first LINKS_LISTED of them, and how many in all (a file may link thousands).
    let linked = state.linked_to(&id);
    let linked_count = linked.len();
    let named_by: Vec<(String, &'static str, String)> = linked
        .iter()
        .take(LINKS_LISTED)
        .map(|q| {
            (
                q.id.clone(),
                crate::model::links::role_of(&q.body),
                shorten(doc.slice(q.span), 60),
            )
        })
        .collect();
    // "Tag every occurrence": the count made after the last frame (None while it is made).
    let ignore_case = store.ui.ignore_case;
    let others = (a.kind() == Kind::Entity).then(|| {
        counted
            .as_ref()
            .filter(|(cid, revision, ic, _)| {
                *cid == id && *revision == store.revision && *ic == ignore_case
            })
            .map(|c| c.3)
    });
    drop(state);
    let pending = store.ui.pending.clone();
    let picking = store.ui.picking.as_deref() == Some(id.as_str());

    let dispatch = {
        let store = store.clone();
        move |action: Action| store.dispatch(Msg::Do(action))
    };

    let on_kind = {
        let (dispatch, id) = (dispatch.clone(), id.clone());
        Callback::from(move |e: Event| {
            if let Some(kind) = Kind::parse(&target_value(&e)) {
                dispatch(Action::SetKind {
                    id: id.clone(),
                    kind,
                    label: None,
                });
            }
        })
    };
    let kind_field = html! {
        <label class="field">
            <span>{ "Kind" }</span>
            <select onchange={on_kind} aria-label="Kind">
                { for Kind::ALL.iter().map(|k| html! {
                    <option value={k.as_str()} selected={*k == a.kind()}>{ k.title() }</option>
                }) }
            </select>
        </label>
    };

    let body_fields = match &a.body {
        Body::Entity { label } => {
            let on_label = {
                let (dispatch, id) = (dispatch.clone(), id.clone());
                Callback::from(move |e: Event| {
                    dispatch(Action::SetLabel {
                        id: id.clone(),
                        label: target_value(&e),
                    })
                })
            };
            html! {
                <label class="field">
                    <span>{ "Type" }</span>
                    <select onchange={on_label} aria-label="Type">
                        { for labels.entity.iter().enumerate().map(|(i, l)| html! {
                            <option value={l.clone()} selected={l == label}>
                                { if i < 9 { format!("{l} ({})", i + 1) } else { l.clone() } }
                            </option>
                        }) }
                    </select>
                </label>
            }
        }
        Body::Quote { cue, direct, .. } => {
            let on_direct = {
                let (dispatch, id) = (dispatch.clone(), id.clone());
                Callback::from(move |e: Event| {
                    dispatch(Action::SetDirect {
                        id: id.clone(),
                        direct: target_checked(&e),
                    })
                })
            };
            let set_cue = {
                let (dispatch, id, pending) = (dispatch.clone(), id.clone(), pending.clone());
                Callback::from(move |_: MouseEvent| {
                    if let Some(p) = &pending {
                        dispatch(Action::SetCue {
                            id: id.clone(),
                            cue: Some(p.span),
                        });
                        // The selection is used up: its menu closes (see Msg::Do).
                        crate::dom::selection::clear_selection();
                    }
                })
            };
            let clear_cue = {
                let (dispatch, id) = (dispatch.clone(), id.clone());
                Callback::from(move |_: MouseEvent| {
                    dispatch(Action::SetCue {
                        id: id.clone(),
                        cue: None,
                    })
                })
            };
            html! {
                <>
                    { party_field(&store, &a, "Speaker", &entities, party_text.clone(), picking) }
                    <div class="field">
                        <span id="cue-label">{ "Cue" }</span>
                        <p class="cue-text" aria-labelledby="cue-label">
                            { cue.map(|c| super::notices::quoted(&shorten(doc.slice(c), 40))).unwrap_or_else(|| "none".into()) }
                        </p>
                        <div class="row">
                            <button type="button" onclick={set_cue} disabled={pending.is_none()}
                                aria-keyshortcuts="u"
                                title="Select the cue words (such as “said”) in the text first (U)">
                                { "Use selection as cue" }
                            </button>
                            if cue.is_some() {
                                <button type="button" onclick={clear_cue}>{ "Clear cue" }</button>
                            }
                        </div>
                    </div>
                    <label class="field check">
                        <input type="checkbox" checked={*direct} onchange={on_direct} />
                        <span>{ "Direct quote (verbatim, in quotation marks)" }</span>
                    </label>
                </>
            }
        }
        Body::Claim {
            checkworthiness, ..
        } => {
            let on_cw = {
                let (dispatch, id) = (dispatch.clone(), id.clone());
                Callback::from(move |e: Event| {
                    let v = target_value(&e);
                    dispatch(Action::SetCheckworthiness {
                        id: id.clone(),
                        value: (!v.is_empty()).then_some(v),
                    })
                })
            };
            html! {
                <>
                    { party_field(&store, &a, "Claimant", &entities, party_text.clone(), picking) }
                    <label class="field">
                        <span>{ "Check-worthiness" }</span>
                        <select onchange={on_cw} aria-label="Check-worthiness">
                            <option value="" selected={checkworthiness.is_none()}>{ "not rated" }</option>
                            { for labels.checkworthiness.iter().map(|v| html! {
                                <option value={v.clone()} selected={checkworthiness.as_deref() == Some(v.as_str())}>
                                    { match crate::model::labels::describe(v) {
                                        Some(d) => format!("{v}: {d}"),
                                        None => v.clone(),
                                    } }
                                </option>
                            }) }
                        </select>
                    </label>
                </>
            }
        }
    };

    let on_note = {
        let (dispatch, id, old) = (dispatch.clone(), id.clone(), a.note.clone());
        Callback::from(move |e: Event| {
            let v = target_value(&e);
            if v != old {
                dispatch(Action::SetNote {
                    id: id.clone(),
                    note: v,
                })
            }
        })
    };
    let nudge_btn = |how: Nudge, label: &'static str, text: &'static str, keys: &'static str| {
        let (dispatch, id, doc, span) = (dispatch.clone(), id.clone(), doc.clone(), a.span);
        let to = nudge(&doc, span, how);
        let onclick = Callback::from(move |_: MouseEvent| {
            dispatch(Action::SetSpan {
                id: id.clone(),
                span: to,
            })
        });
        html! {
            <button type="button" aria-label={label} title={format!("{label} ({keys})")}
                aria-keyshortcuts={keys.replace(" + ", "+")} disabled={to == span} {onclick}>{ text }</button>
        }
    };
    let on_delete = {
        let (dispatch, id) = (dispatch.clone(), id.clone());
        Callback::from(move |_: MouseEvent| dispatch(Action::Delete { id: id.clone() }))
    };
    let close = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Msg::Select(None)))
    };

    html! {
        <section ref={section_ref} class={classes!("details", format!("k-{}", a.kind().as_str()))} aria-labelledby="details-title">
            <header class="details-head">
                <h2 id="details-title">{ format!("{} ", a.kind().title()) }<span class="details-id">{ a.id.clone() }</span></h2>
                <button type="button" class="icon-btn" aria-label="Close details" title="Close (Esc)" onclick={close}>{ "×" }</button>
            </header>
            <blockquote class="details-text">{ shorten(&shown, 280) }</blockquote>
            <p class="details-span">{ format!("characters {}–{} ({} long)", a.span.start, a.span.end, a.span.len()) }</p>
            { kind_field }
            { body_fields }
            if let Some(counted) = others {
                <div class="field tag-all">
                    <span id="tag-all-label">{ "Every occurrence" }</span>
                    <div class="row">
                        <button type="button" aria-describedby="tag-all-label" aria-keyshortcuts="a"
                            disabled={counted.is_none_or(|n| n == 0)} onclick={
                                let (dispatch, id) = (dispatch.clone(), id.clone());
                                Callback::from(move |_: MouseEvent| dispatch(Action::TagAll {
                                    id: id.clone(),
                                    match_case: !ignore_case,
                                }))
                            }>
                            { match counted {
                                None => "Counting occurrences…".to_string(),
                                Some(0) => "No other occurrence".to_string(),
                                Some(n) => format!("Tag {n} more {}", super::notices::quoted(&shorten(&text, 30))),
                            } }
                        </button>
                        <label class="check">
                            <input type="checkbox" checked={ignore_case} onchange={
                                let store = store.clone();
                                Callback::from(move |e: Event| store.dispatch(Msg::IgnoreCase(target_checked(&e))))
                            } />
                            <span>{ "Ignore case" }</span>
                        </label>
                    </div>
                </div>
            }
            if !named_by.is_empty() {
                <div class="field links-in">
                    <span id="links-in-label">{ "Linked from" }</span>
                    <ul aria-labelledby="links-in-label">
                        { for named_by.iter().map(|(qid, role, text)| {
                            let go = {
                                let (store, qid) = (store.clone(), qid.clone());
                                Callback::from(move |_: MouseEvent| {
                                    store.dispatch(Msg::Select(Some(qid.clone())));
                                    store.dispatch(Msg::Flash(qid.clone()));
                                })
                            };
                            html! {
                                <li>
                                    <span class="muted">{ format!("{role} of ") }</span>
                                    <button type="button" class="link" onclick={go}>{ super::notices::quoted(text) }</button>
                                </li>
                            }
                        }) }
                    </ul>
                    if linked_count > named_by.len() {
                        <p class="muted">{ format!("and {} more", linked_count - named_by.len()) }</p>
                    }
                </div>
            }
            <super::schema_fields::SchemaFields store={store.clone()} annotation={a.clone()} />
            <div class="field">
                <span>{ "Boundaries" }</span>
                <div class="row nudges">
                    { nudge_btn(Nudge::GrowStart, "Extend start by a word", "◂ start", "Alt + Shift + ArrowLeft") }
                    { nudge_btn(Nudge::ShrinkStart, "Shrink start by a word", "start ▸", "Alt + Shift + ArrowRight") }
                    { nudge_btn(Nudge::ShrinkEnd, "Shrink end by a word", "◂ end", "Shift + ArrowLeft") }
                    { nudge_btn(Nudge::GrowEnd, "Extend end by a word", "end ▸", "Shift + ArrowRight") }
                </div>
            </div>
            <label class="field">
                <span>{ "Note" }</span>
                <textarea key={a.id.clone()} rows="3" onchange={on_note} value={a.note.clone()}
                    placeholder="Saved when you leave the field" aria-label="Note" />
            </label>
            <div class="row">
                <button type="button" class="danger" onclick={on_delete} aria-keyshortcuts="Delete">{ "Delete" }</button>
            </div>
            <p class="details-meta">
                { local_times(&a) }
            </p>
        </section>
    }
}

/// Speaker or claimant: an entity from the list, a free name, or picked in the text.
fn party_field(
    store: &StoreHandle,
    a: &Annotation,
    title: &'static str,
    entities: &[(u32, String, String)],
    current: Option<String>,
    picking: bool,
) -> Html {
    let id = a.id.clone();
    let party = a.body.party().cloned();
    let selected_ref = party
        .as_ref()
        .and_then(|p| p.as_ref_id().map(str::to_string));
    let free_name = match &party {
        Some(Party::Name(n)) => n.clone(),
        _ => String::new(),
    };
    let on_select = {
        let (store, id) = (store.clone(), id.clone());
        Callback::from(move |e: Event| {
            // The option names the entity by key.
            let key = target_value(&e).parse().ok();
            let entity = key.and_then(|k| store.state().by_key(k).map(|a| a.id.clone()));
            let party = entity.map(Party::Ref);
            store.dispatch(Msg::Do(Action::SetParty {
                id: id.clone(),
                party,
            }))
        })
    };
    let on_name = {
        let (store, id, old) = (store.clone(), id.clone(), free_name.clone());
        Callback::from(move |e: Event| {
            let v = target_value(&e);
            if v != old {
                store.dispatch(Msg::Do(Action::SetParty {
                    id: id.clone(),
                    party: Some(Party::Name(v)),
                }))
            }
        })
    };
    let on_pick = {
        let (store, id) = (store.clone(), id.clone());
        Callback::from(move |_: MouseEvent| {
            if picking {
                store.dispatch(Msg::CancelPick)
            } else {
                store.dispatch(Msg::StartPick(id.clone()))
            }
        })
    };
    let jump = selected_ref.clone().map(|r| {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            store.dispatch(Msg::Select(Some(r.clone())));
            store.dispatch(Msg::Flash(r.clone()));
        })
    });
    let lower = title.to_ascii_lowercase();
    html! {
        <div class="field party">
            <span id={format!("{lower}-label")}>{ title }</span>
            <p class="party-now">
                { match (&current, &jump) {
                    (Some(c), Some(j)) => html! { <button type="button" class="link" onclick={j.clone()}
                        title={format!("Go to the {lower}")}>{ c.clone() }</button> },
                    (Some(c), None) => html! { <span>{ c.clone() }</span> },
                    _ => html! { <span class="muted">{ "none" }</span> },
                } }
            </p>
            <select onchange={on_select} aria-label={format!("{title} from the entities")}>
                <option value="" selected={selected_ref.is_none()}>{ "— no entity (nearest listed) —" }</option>
                { for entities.iter().filter(|(_, eid, _)| *eid != id).map(|(key, eid, label)| html! {
                    <option value={key.to_string()} selected={selected_ref.as_deref() == Some(eid.as_str())}>{ label.clone() }</option>
                }) }
            </select>
            <input type="text" value={free_name} onchange={on_name}
                aria-label={format!("{title} by name, when not in the text")}
                placeholder="or a name not in the text" />
            <button type="button" class={classes!(picking.then_some("active"))} onclick={on_pick}
                aria-pressed={picking.to_string()} aria-keyshortcuts="l"
                title="Click an entity in the text, or select words to tag and link them (L)">
                { if picking { "Cancel picking" } else { "Pick in text" } }
            </button>
        </div>
    }
}

/// When the annotation was made and changed, in the person's local time (files keep UTC).
fn local_times(a: &Annotation) -> Html {
    let offset = crate::dom::local_offset_minutes();
    let created = a.created.to_local(offset);
    let updated = a.updated.to_local(offset);
    html! {
        <>
            { "Created " }<time datetime={a.created.to_rfc3339()}>{ created }</time>
            if a.updated != a.created {
                { " · updated " }<time datetime={a.updated.to_rfc3339()}>{ updated }</time>
            }
        </>
    }
}
