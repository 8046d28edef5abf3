//! The open schema's parts in the details panel of the selected annotation: its fragments (a
//! discontinuous annotation), its relations of any type both ways (with the form that asks a
//! new relation's type once its target is picked), and its attributes, each edited by mouse
//! and keyboard. Every control dispatches one `Action` (or the relating steps of the store).

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::notices::quoted;
use super::store::{Msg, StoreHandle};
use crate::dom::{target_checked, target_value};
use crate::model::annotation::Value;
use crate::model::state::shorten;
use crate::model::{Action, Annotation};

#[derive(Properties, PartialEq)]
pub struct SchemaProps {
    pub store: StoreHandle,
    pub annotation: std::rc::Rc<Annotation>,
}

/// Fragments, relations and attributes of one annotation.
#[function_component(SchemaFields)]
pub fn schema_fields(props: &SchemaProps) -> Html {
    let store = &props.store;
    let a = &props.annotation;
    html! {
        <>
            { fragments(store, a) }
            { relations(store, a) }
            <Attributes store={store.clone()} annotation={a.clone()} />
        </>
    }
}

/// The fragments of a discontinuous annotation, and the way to add one.
fn fragments(store: &StoreHandle, a: &Annotation) -> Html {
    let doc = store.state().document().clone();
    let pieces = a.fragments();
    let pending = store.ui.pending.clone();
    let add = {
        let (store, id) = (store.clone(), a.id.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(p) = &store.ui.pending {
                store.dispatch(Msg::Do(Action::AddFragment {
                    id: id.clone(),
                    span: p.span,
                }));
                crate::dom::selection::clear_selection();
                store.dispatch(Msg::OpenMenu(super::store::Menu::Closed));
            }
        })
    };
    html! {
        <div class="field fragments">
            <span id="fragments-label">{ "Fragments" }</span>
            if pieces.len() > 1 {
                <ol aria-labelledby="fragments-label">
                    { for pieces.iter().map(|f| html! {
                        <li>{ quoted(&shorten(doc.slice(*f), 50)) }
                            <span class="muted">{ format!(" {}–{}", f.start, f.end) }</span></li>
                    }) }
                </ol>
            }
            <div class="row">
                <button type="button" onclick={add} disabled={pending.is_none()}
                    aria-keyshortcuts="f"
                    title="Select more words in the text first, then add them to this annotation (F, or Ctrl-drag)">
                    { "Add selection as fragment" }
                </button>
            </div>
        </div>
    }
}

/// Relations of any type, out of and into the annotation; and the way to make one.
fn relations(store: &StoreHandle, a: &Annotation) -> Html {
    let state = store.state();
    let doc = state.document().clone();
    let text_of = |id: &str| {
        state
            .get(id)
            .map(|t| shorten(doc.slice(t.span), 50))
            .unwrap_or_else(|| id.to_string())
    };
    let out: Vec<(usize, String, String, String)> = a
        .extra()
        .relations
        .iter()
        .enumerate()
        .map(|(i, r)| (i, r.kind.clone(), r.target.clone(), text_of(&r.target)))
        .collect();
    let incoming: Vec<(String, String, String)> = state
        .pointing_at(&a.id)
        .iter()
        .flat_map(|from| {
            from.extra()
                .relations
                .iter()
                .filter(|r| r.target == a.id)
                .map(|r| {
                    (
                        r.kind.clone(),
                        from.id.clone(),
                        shorten(doc.slice(from.span), 50),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let kinds = state.relation_kinds();
    drop(state);
    let relating = store.ui.relating.clone().filter(|r| r.from == a.id);
    let go = |to: &str| {
        let (store, to) = (store.clone(), to.to_string());
        Callback::from(move |_: MouseEvent| {
            store.dispatch(Msg::Select(Some(to.clone())));
            store.dispatch(Msg::Flash(to.clone()));
        })
    };
    let start = {
        let (store, id) = (store.clone(), a.id.clone());
        let active = relating.is_some();
        Callback::from(move |_: MouseEvent| {
            if active {
                store.dispatch(Msg::CancelRelate)
            } else {
                store.dispatch(Msg::StartRelate(id.clone()))
            }
        })
    };
    html! {
        <div class="field relations">
            <span id="relations-label">{ "Relations" }</span>
            if out.is_empty() && incoming.is_empty() {
                <p class="muted">{ "none" }</p>
            } else {
                <ul aria-labelledby="relations-label">
                    { for out.iter().map(|(i, kind, to, text)| {
                        let remove = {
                            let (store, from, index) = (store.clone(), a.id.clone(), *i);
                            Callback::from(move |_: MouseEvent| {
                                store.dispatch(Msg::Do(Action::RemoveRelation { from: from.clone(), index }))
                            })
                        };
                        html! {
                            <li class="relation out">
                                <span class="rel-kind">{ kind.clone() }</span>{ " → " }
                                <button type="button" class="link" onclick={go(to)}
                                    title="Go to the target">{ quoted(text) }</button>
                                <button type="button" class="icon-btn" onclick={remove}
                                    aria-label={format!("Remove relation {kind} to {}", quoted(text))}
                                    title="Remove this relation">{ "×" }</button>
                            </li>
                        }
                    }) }
                    { for incoming.iter().map(|(kind, from, text)| html! {
                        <li class="relation in">
                            <span class="rel-kind">{ kind.clone() }</span>{ " ← " }
                            <button type="button" class="link" onclick={go(from)}
                                title="Go to the source">{ quoted(text) }</button>
                        </li>
                    }) }
                </ul>
            }
            if let Some(to) = relating.as_ref().and_then(|r| r.to.clone()) {
                <NewRelation store={store.clone()} target={to.clone()} kinds={kinds} />
            } else {
                <div class="row">
                    <button type="button" class={classes!(relating.is_some().then_some("active"))}
                        onclick={start} aria-pressed={relating.is_some().to_string()}
                        aria-keyshortcuts="r"
                        title="Then click the other annotation, or put the caret on it and press Enter (R)">
                        { if relating.is_some() { "Cancel relation" } else { "Add relation…" } }
                    </button>
                </div>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct NewRelationProps {
    store: StoreHandle,
    target: String,
    kinds: Vec<String>,
}

/// The type of the relation whose target was just picked: focused as it appears, Enter makes
/// it, the types the project uses are offered as the person types.
#[function_component(NewRelation)]
fn new_relation(props: &NewRelationProps) -> Html {
    let input = use_node_ref();
    {
        let input = input.clone();
        use_effect_with(props.target.clone(), move |_| {
            if let Some(el) = input.cast::<HtmlInputElement>() {
                let _ = el.focus();
            }
        });
    }
    let target_text = {
        let state = props.store.state();
        state
            .get(&props.target)
            .map(|t| shorten(state.document().slice(t.span), 40))
            .unwrap_or_default()
    };
    let submit = {
        let (store, input) = (props.store.clone(), input.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(el) = input.cast::<HtmlInputElement>() {
                let kind = el.value();
                if kind.trim().is_empty() {
                    store.dispatch(Msg::Say(
                        "Type the relation's type first (such as Part-of).".into(),
                        super::store::Tone::Error,
                    ));
                } else {
                    store.dispatch(Msg::Relate(kind));
                }
            }
        })
    };
    let cancel = {
        let store = props.store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Msg::CancelRelate))
    };
    html! {
        <form class="new-relation" onsubmit={submit}>
            <label class="field">
                <span>{ format!("Type of the relation to {}", quoted(&target_text)) }</span>
                <input ref={input} type="text" list="relation-types" aria-label="Relation type"
                    placeholder="such as Part-of" autocomplete="off" />
            </label>
            <datalist id="relation-types">
                { for props.kinds.iter().map(|k| html! { <option value={k.clone()} /> }) }
            </datalist>
            <div class="row">
                <button type="submit">{ "Relate" }</button>
                <button type="button" onclick={cancel}>{ "Cancel" }</button>
            </div>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct AttributesProps {
    store: StoreHandle,
    annotation: std::rc::Rc<Annotation>,
}

/// The annotation's attributes: a flag as a checkbox, a value as a text field (emptied, it
/// goes), each removable; and a form to add one (no value: a flag).
#[function_component(Attributes)]
fn attributes(props: &AttributesProps) -> Html {
    let store = &props.store;
    let a = &props.annotation;
    let name_ref = use_node_ref();
    let value_ref = use_node_ref();
    let names = store.state().attribute_names();
    let set = |name: &str| {
        let (store, id, name) = (store.clone(), a.id.clone(), name.to_string());
        move |value: Option<Value>| {
            store.dispatch(Msg::Do(Action::SetAttribute {
                id: id.clone(),
                name: name.clone(),
                value,
            }))
        }
    };
    let add = {
        let (store, id) = (store.clone(), a.id.clone());
        let (name_ref, value_ref) = (name_ref.clone(), value_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(n), Some(v)) = (
                name_ref.cast::<HtmlInputElement>(),
                value_ref.cast::<HtmlInputElement>(),
            ) else {
                return;
            };
            let name = n.value();
            if name.trim().is_empty() {
                store.dispatch(Msg::Say(
                    "Give the attribute a name first (such as Negated).".into(),
                    super::store::Tone::Error,
                ));
                return;
            }
            let value = match v.value().trim() {
                "" => Value::Flag,
                t => Value::Text(t.to_string()),
            };
            store.dispatch(Msg::Do(Action::SetAttribute {
                id: id.clone(),
                name,
                value: Some(value),
            }));
        })
    };
    // Once the attribute is there, the form is cleared for the next one (a refused name
    // stays to be corrected, with the reason in the toast).
    {
        let (name_ref, value_ref) = (name_ref.clone(), value_ref.clone());
        let focused = |r: &NodeRef| {
            let el = r.cast::<web_sys::Element>();
            crate::dom::document()
                .and_then(|d| d.active_element())
                .is_some_and(|f| el.is_some_and(|el| el.is_same_node(Some(&f))))
        };
        let was_here = focused(&name_ref) || focused(&value_ref);
        use_effect_with(a.extra().attributes.clone(), move |_| {
            if let (Some(n), Some(v)) = (
                name_ref.cast::<HtmlInputElement>(),
                value_ref.cast::<HtmlInputElement>(),
            ) {
                n.set_value("");
                v.set_value("");
                if was_here {
                    let _ = n.focus();
                }
            }
        });
    }
    html! {
        <div class="field attributes">
            <span id="attributes-label">{ "Attributes" }</span>
            if !a.extra().attributes.is_empty() {
                <ul aria-labelledby="attributes-label">
                    { for a.extra().attributes.iter().map(|(name, value)| {
                        let set = set(name);
                        let remove = {
                            let set = set.clone();
                            Callback::from(move |_: MouseEvent| set(None))
                        };
                        let control = match value {
                            Value::Flag => {
                                let set = set.clone();
                                html! {
                                    <label class="check">
                                        <input type="checkbox" checked=true
                                            onchange={Callback::from(move |e: Event| {
                                                set((target_checked(&e)).then_some(Value::Flag))
                                            })} />
                                        <span>{ name.clone() }</span>
                                    </label>
                                }
                            }
                            Value::Text(t) => {
                                let (set, old) = (set.clone(), t.clone());
                                html! {
                                    <label class="attr-text">
                                        <span>{ name.clone() }</span>
                                        <input type="text" value={t.clone()}
                                            aria-label={format!("Attribute {name}")}
                                            onchange={Callback::from(move |e: Event| {
                                                let v = target_value(&e);
                                                if v != old {
                                                    set((!v.trim().is_empty()).then(|| Value::Text(v.trim().to_string())))
                                                }
                                            })} />
                                    </label>
                                }
                            }
                        };
                        html! {
                            <li class="attribute">
                                { control }
                                <button type="button" class="icon-btn" onclick={remove}
                                    aria-label={format!("Remove attribute {name}")}
                                    title="Remove this attribute">{ "×" }</button>
                            </li>
                        }
                    }) }
                </ul>
            }
            <form class="row new-attribute" onsubmit={add}>
                <input ref={name_ref} type="text" list="attribute-names" aria-label="New attribute name"
                    placeholder="name" autocomplete="off" />
                <input ref={value_ref} type="text" aria-label="New attribute value (empty for a yes/no flag)"
                    placeholder="value (empty: a flag)" autocomplete="off" />
                <button type="submit">{ "Add attribute" }</button>
            </form>
            <datalist id="attribute-names">
                { for names.iter().map(|n| html! { <option value={n.clone()} /> }) }
            </datalist>
        </div>
    }
}
