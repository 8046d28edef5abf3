//! The questions an import asks before changing anything: some annotations are invalid
//! (import the valid rest?), and replace or merge for the open document.

use std::rc::Rc;

use web_sys::Element;
use yew::prelude::*;

use super::session::{self, SessionCtx};
use super::store::{Dialog, Msg, StoreHandle};
use crate::formats::native::Imported;

#[derive(Properties, PartialEq)]
pub struct ImportDialogProps {
    pub store: StoreHandle,
    pub file: String,
    pub imported: Rc<Imported>,
    /// True: list the invalid annotations and offer the rest; false: replace or merge.
    pub problems: bool,
}

/// Shows at most this many problems; the count says how many more there are.
const SHOWN: usize = 12;

#[function_component(ImportDialog)]
pub fn import_dialog(props: &ImportDialogProps) -> Html {
    let store = props.store.clone();
    let session = use_context::<SessionCtx>().expect("session").0;
    let first_ref = use_node_ref();
    {
        let first_ref = first_ref.clone();
        use_effect_with(props.problems, move |_| {
            if let Some(b) = first_ref.cast::<Element>() {
                crate::dom::focus(&b);
            }
        });
    }
    let imported = props.imported.clone();
    let valid = imported.bundle.annotations.len();
    let cancel = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            store.dispatch(Msg::Ask(None));
            store.dispatch(Msg::Say(
                "Nothing was imported.".into(),
                super::store::Tone::Info,
            ));
        })
    };
    let plural = |n: usize| if n == 1 { "" } else { "s" };

    // What the file brings that this schema lacks: listed, and added by the one confirmation
    // that imports the file.
    let new_types = store
        .state()
        .types_new_to(&imported.bundle.labels, &imported.bundle.annotations);
    let listed = (!new_types.is_empty()).then(|| {
        let n = new_types.len();
        html! {
            <>
                <p id="import-new-types">{ format!(
                    "It brings {n} type{} this project does not have yet, which importing adds:",
                    plural(n)
                ) }</p>
                <ul class="problems" aria-labelledby="import-new-types">
                    { for new_types.iter().take(SHOWN).map(|t| html! { <li>{ t.clone() }</li> }) }
                </ul>
                if n > SHOWN {
                    <p class="muted">{ format!("…and {} more.", n - SHOWN) }</p>
                }
            </>
        }
    });
    let (title, body, actions) = if props.problems {
        let bad = imported.problems.len();
        let go_on = {
            let (store, session, imported, file) = (
                store.clone(),
                session.clone(),
                imported.clone(),
                props.file.clone(),
            );
            Callback::from(move |_: MouseEvent| {
                session::offer(
                    store.clone(),
                    session.clone(),
                    file.clone(),
                    (*imported).clone(),
                    true,
                )
            })
        };
        (
            format!(
                "{bad} of {} annotation{} in {} cannot be imported",
                imported.total,
                plural(imported.total),
                props.file
            ),
            html! {
                <>
                    <ul class="problems">
                        { for imported.problems.iter().take(SHOWN).map(|p| html! { <li>{ p.to_string() }</li> }) }
                    </ul>
                    if bad > SHOWN {
                        <p class="muted">{ format!("…and {} more.", bad - SHOWN) }</p>
                    }
                    <p>{ format!("Nothing has been imported. The other {valid} annotation{} are valid.", plural(valid)) }</p>
                    { listed.clone() }
                </>
            },
            html! {
                <>
                    <button type="button" class="primary" ref={first_ref.clone()} onclick={go_on} disabled={valid == 0}>
                        { format!("Import the {valid} valid one{}", plural(valid)) }
                    </button>
                    <button type="button" onclick={cancel}>{ "Cancel" }</button>
                </>
            },
        )
    } else {
        let have = store.state().len();
        let apply = |replace: bool| {
            let (store, imported) = (store.clone(), imported.clone());
            Callback::from(move |_: MouseEvent| session::apply_import(&store, &imported, replace))
        };
        // A file of another annotator: offered as their layer (review), first when the person
        // has named themselves otherwise.
        let theirs = imported.bundle.annotator.trim().to_string();
        let layer = (!theirs.is_empty() && theirs != store.ui.annotator.trim()).then(|| {
            let (store, session, imported) = (store.clone(), session.clone(), imported.clone());
            let add = Callback::from(move |_: MouseEvent| {
                session::add_layer(&store, &session, &imported.bundle)
            });
            html! {
                <button type="button" class="primary" ref={first_ref.clone()} onclick={add}>
                    { format!("Add as {theirs}'s layer") }
                </button>
            }
        });
        let primary = if layer.is_some() {
            None
        } else {
            Some("primary")
        };
        let first = if layer.is_some() {
            NodeRef::default()
        } else {
            first_ref.clone()
        };
        let body = if have == 0 {
            html! {
                <>
                    <p>{ format!(
                        "The file is for this document (same text) and holds {valid} annotation{}. It can be undone.",
                        plural(valid)
                    ) }</p>
                    { listed }
                </>
            }
        } else {
            html! {
                <>
                    <p>{ format!(
                        "The file is for this document (same text). It holds {valid} annotation{}; this document has {have}. \
                         Replace yours with the file's, or merge them (annotations already here are kept, exact duplicates skipped). \
                         Either can be undone.",
                        plural(valid)
                    ) }</p>
                    { listed }
                </>
            }
        };
        let actions = if have == 0 {
            html! {
                <>
                    { layer }
                    <button type="button" class={classes!(primary)} ref={first} onclick={apply(true)}>
                        { match new_types.len() {
                            0 => "Import as my own".to_string(),
                            n => format!("Import and add {n} type{}", plural(n)),
                        } }
                    </button>
                    <button type="button" onclick={cancel}>{ "Cancel" }</button>
                </>
            }
        } else {
            html! {
                <>
                    { layer }
                    <button type="button" class={classes!(primary)} ref={first} onclick={apply(false)}>
                        { format!("Merge ({valid} + {have})") }
                    </button>
                    <button type="button" onclick={apply(true)}>{ format!("Replace ({have} → {valid})") }</button>
                    <button type="button" onclick={cancel}>{ "Cancel" }</button>
                </>
            }
        };
        (
            format!(
                "Import {valid} annotation{} from {}?",
                plural(valid),
                props.file
            ),
            body,
            actions,
        )
    };
    html! {
        <div class="backdrop">
            <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="import-title">
                <div class="dialog-head"><h2 id="import-title">{ title }</h2></div>
                { body }
                <div class="row">{ actions }</div>
            </div>
        </div>
    }
}

/// Shows whichever question the store holds.
#[derive(Properties, PartialEq)]
pub struct AskProps {
    pub store: StoreHandle,
}

#[function_component(Ask)]
pub fn ask(props: &AskProps) -> Html {
    let store = props.store.clone();
    match store.ui.dialog.clone() {
        Some(Dialog::ImportProblems { file, imported }) => html! {
            <ImportDialog {store} {file} {imported} problems=true />
        },
        Some(Dialog::ImportConfirm { file, imported }) => html! {
            <ImportDialog {store} {file} {imported} problems=false />
        },
        Some(Dialog::Conflict { while_saving }) => html! {
            <super::ConflictDialog {store} {while_saving} />
        },
        Some(Dialog::OpenText) => html! { <super::OpenText {store} /> },
        Some(Dialog::ImportCorpus { file, corpus }) => html! {
            <super::CorpusAsk {store} {file} {corpus} />
        },
        Some(Dialog::ImportSummary { file, summary }) => html! {
            <super::CorpusSummary {store} {file} {summary} />
        },
        None => html! {},
    }
}
