//! The app's store: the model's `State` plus what only the page needs (the pending selection,
//! the open menu, the selected annotation, messages), changed by one reducer.
//!
//! Model changes go through `State::apply`; this reducer adds the clock and turns outcomes and
//! refusals into messages. The reducer owns its state by value: each version of the store holds
//! its own `Rc<State>`, and an action changes a copy (`Rc::make_mut`), so an old store is an
//! old state, nothing changes under a component that holds one, no borrow can outlive a
//! dispatch, and two stores compare by pointer. A copy is cheap (the state's parts are shared
//! `Rc`s: `model::state`), and what storage must write is the difference between the state it
//! last wrote and this one (`State::changes_since`).
//!
//! While the saved work is being read back (`SaveStatus::Loading`) annotations cannot be
//! changed: a change made then would be lost or clash with what storage holds.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use yew::prelude::*;

use super::notices::{notice_of, quoted};
use crate::dom::worker::PreparedCorpus;
use crate::formats::native::Imported;
use crate::model::{Action, Body, Document, Kind, Party, Span, State, Timestamp};

/// Where a pending selection sits on the page (page coordinates), for placing the tag menu.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Anchor {
    /// The first line box of the selection: left, top.
    pub first: (f64, f64),
    /// The last line box: left, right, bottom.
    pub last: (f64, f64, f64),
}

/// Text selected in the article and waiting for a tag.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub span: Span,
    pub anchor: Anchor,
    /// Made with Alt held: the exact characters, not snapped or trimmed.
    pub exact: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Menu {
    #[default]
    Closed,
    /// "Entity", "Quote", "Claim".
    Kinds,
    /// One button per entity type.
    Types,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub text: String,
    pub tone: Tone,
    /// Changes with every message, so that a repeated message is announced again.
    pub serial: u64,
}

/// What the page shows sighted people for a moment after a change or a piece of news, where
/// the eyes are (a region fixed to the viewport): "Tagged “Damascus” GPE · Undo". Screen readers
/// hear the same news from the status region; errors stay in the alert until dismissed.
#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    pub text: String,
    /// It follows a change the Undo button takes back.
    pub undo: bool,
    pub serial: u64,
}

/// Where the work stands in durable storage.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum SaveStatus {
    /// Storage is being opened and the saved work read.
    #[default]
    Loading,
    /// The saved work is back and nothing has changed since.
    Ready,
    Saved(Timestamp),
    /// The browser refused to store; the work is only in this tab.
    Failed(String),
    /// Another tab saved this document; nothing is written until the person chooses.
    Conflict,
}

/// A document of the project, as the Documents panel lists it.
pub use crate::model::catalog::Entry as DocEntry;

/// A question the page asks before it changes anything.
#[derive(Clone, Debug, PartialEq)]
pub enum Dialog {
    /// Some annotations in an imported file are invalid: import the rest?
    ImportProblems {
        file: String,
        imported: Rc<Imported>,
    },
    /// A file for the open document: replace or merge?
    ImportConfirm {
        file: String,
        imported: Rc<Imported>,
    },
    /// Another tab saved this document: reload it, or keep this tab's work?
    Conflict { while_saving: bool },
    /// Open a text file or pasted text as a new document.
    OpenText,
    /// A file of many documents: what it holds; store them all?
    ImportCorpus {
        file: String,
        corpus: Rc<PreparedCorpus>,
    },
    /// A corpus import ended: what it gave, to read and copy.
    ImportSummary { file: String, summary: String },
}

/// A conversion under way in the formats worker, which the person can cancel.
#[derive(Clone, Debug, PartialEq)]
pub struct Busy {
    /// What is being done, as the page says it ("Importing notes.jsonl (10.2 MB)").
    pub what: String,
    /// Tells one conversion from the next, so that only its own end clears it.
    pub serial: u64,
    /// How far it is, when it can tell (documents stored, of how many).
    pub progress: Option<(usize, usize)>,
    /// Set by Cancel, for work done on the page (storing a corpus) that checks it between
    /// steps; work in the worker is cancelled by stopping the worker.
    pub stop: Option<Rc<Cell<bool>>>,
}

/// A relation on its way: its source, and its target once picked.
#[derive(Clone, Debug, PartialEq)]
pub struct Relating {
    pub from: String,
    pub to: Option<String>,
}

/// What the page shows besides the model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ui {
    pub pending: Option<Pending>,
    pub menu: Menu,
    pub selected: Option<String>,
    /// A quote or claim waiting for "pick in text": the next click on an entity links it.
    pub picking: Option<String>,
    /// The entity Enter links while picking (`model::links::likely_party`).
    pub suggested: Option<String>,
    /// A relation being made: from this annotation, to the one picked next (click or caret
    /// and Enter), then of the type the person gives in the details panel.
    pub relating: Option<Relating>,
    /// "Tag every occurrence" matches case (the person's choice, kept for the session).
    pub ignore_case: bool,
    /// A first A on this entity said how many occurrences a second A tags.
    pub tag_all_armed: Option<String>,
    /// An annotation to flash after a jump, with a serial to restart the animation.
    pub flash: Option<(String, u64)>,
    pub message: Option<Message>,
    /// The entity type used last; the type menu offers it first.
    pub last_label: Option<String>,
    pub help_open: bool,
    pub labels_open: bool,
    pub dialog: Option<Dialog>,
    pub save: SaveStatus,
    /// The project's documents (shared: a state of the page does not copy the list).
    pub documents: Rc<Vec<DocEntry>>,
    /// How the Documents panel orders and filters them (the next/previous shortcuts follow it).
    pub doc_view: crate::model::catalog::View,
    /// Who annotates (exported with the annotations).
    pub annotator: String,
    /// The last highlight click: (segment start, how many times in a row), for cycling.
    pub cycle: Option<(usize, usize)>,
    pub busy: Option<Busy>,
    pub toast: Option<Toast>,
    /// The getting-started hint is shown (an empty project, until the first annotation, or
    /// when asked for from the Shortcuts sheet).
    pub hint: bool,
    /// The other annotators' layers of the open document (review), and whether the Review
    /// panel is open.
    pub layers: Rc<Vec<LayerView>>,
    pub review_open: bool,
    serial: u64,
}

/// Another annotator's work on the open document, read-only beside the person's own: the
/// native file it came from (what storage keeps) and its annotations.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerView {
    pub annotator: String,
    pub annotations: Rc<Vec<crate::model::Annotation>>,
    pub native: Rc<String>,
}

pub enum Msg {
    /// A change to the annotations.
    Do(Action),
    /// Tags the pending selection.
    Tag {
        kind: Kind,
        label: Option<String>,
    },
    Select(Option<String>),
    /// A click on a highlight covering `ids` (outermost first) at segment `at`: selects the
    /// innermost, and the next one out on each further click.
    ClickHighlight {
        at: usize,
        ids: Vec<String>,
    },
    SetPending(Option<Pending>),
    OpenMenu(Menu),
    StartPick(String),
    /// Starts a relation from this annotation: its target is picked next.
    StartRelate(String),
    /// Makes the relation picked, of this type.
    Relate(String),
    CancelRelate,
    /// Links the entity suggested while picking (Enter).
    AcceptSuggestion,
    /// Whether "tag every occurrence" ignores case.
    IgnoreCase(bool),
    /// A (with an entity selected): say how many occurrences there are; a second A tags them.
    ArmTagAll(String),
    CancelPick,
    Flash(String),
    EndFlash,
    Say(String, Tone),
    Dismiss,
    /// The toast of that serial has been shown long enough.
    EndToast(u64),
    /// Shows or retires the getting-started hint.
    ShowHint(bool),
    ShowHelp(bool),
    ShowLabels(bool),
    ShowReview(bool),
    /// The layers of the document of that id (read from storage, or one added or removed):
    /// shown if it is still the open one.
    Layers(String, Rc<Vec<LayerView>>),
    /// Replaces the open document and its annotations (opening, switching, restoring).
    Load(Rc<State>),
    Documents(Vec<DocEntry>),
    /// Documents new to the project, at the end of the list.
    DocumentsAdded(Vec<DocEntry>),
    /// A document's status or annotation count changed.
    DocumentChanged {
        id: String,
        status: crate::model::Status,
        annotations: usize,
    },
    /// The Documents panel's order and filter.
    DocView(crate::model::catalog::View),
    Annotator(String),
    Save(SaveStatus),
    Ask(Option<Dialog>),
    /// A conversion starts in the worker (`what` it does); see [`Busy`].
    StartBusy(String),
    /// Work done on the page in steps starts (storing a corpus), with what Cancel sets.
    StartSteps(String, Rc<Cell<bool>>),
    /// The work of that serial has done this many steps of so many.
    Progress(u64, usize, usize),
    /// The conversion of that serial ended (done, failed or cancelled).
    EndBusy(u64),
}

#[derive(Clone)]
pub struct Store {
    state: Rc<State>,
    pub revision: u64,
    /// Changes whenever another document (or a restored copy) is loaded.
    pub generation: u64,
    pub ui: Ui,
}

impl PartialEq for Store {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.state, &other.state)
            && self.revision == other.revision
            && self.generation == other.generation
            && self.ui == other.ui
    }
}

impl Store {
    pub fn new(doc: Rc<Document>) -> Self {
        Store {
            state: Rc::new(State::new(doc)),
            revision: 0,
            generation: 0,
            ui: Ui::default(),
        }
    }

    /// The model state of this version of the store (later actions make new versions).
    pub fn state(&self) -> Rc<State> {
        self.state.clone()
    }

    fn say(&mut self, text: impl Into<String>, tone: Tone) {
        let text = text.into();
        self.ui.serial += 1;
        self.ui.toast = (tone == Tone::Info).then(|| Toast {
            text: text.clone(),
            undo: false,
            serial: self.ui.serial,
        });
        self.ui.message = Some(Message {
            text,
            tone,
            serial: self.ui.serial,
        });
    }

    /// Applies a model action with the browser's clock; returns the id it created.
    fn apply(&mut self, action: Action) -> Option<String> {
        if self.ui.save == SaveStatus::Loading {
            self.say(
                "Your saved work is still being opened; try again in a moment.",
                Tone::Error,
            );
            return None;
        }
        let now = crate::dom::now();
        let what = notice_of(&self.state, &action);
        let undoable = !matches!(action, Action::Undo | Action::Redo);
        // The action changes a copy (the version before stays as it was); a refused action
        // changes nothing (`State::apply`), and its copy is dropped.
        let mut state = self.state.clone();
        let result = Rc::make_mut(&mut state).apply(action, now);
        if result.is_ok() {
            self.state = state.clone();
            self.revision = state.revision();
        }
        match result {
            Ok(outcome) => {
                let undo = undoable;
                let text = what.unwrap_or_else(|| outcome.summary.clone());
                self.say(outcome.summary, Tone::Info);
                if let Some(t) = &mut self.ui.toast {
                    t.text = text;
                    t.undo = undo;
                }
                // The first annotation retires the getting-started hint.
                if !state.is_empty() {
                    self.ui.hint = false;
                }
                // An undo may have removed what was selected or being linked.
                if let Some(id) = &self.ui.selected {
                    if state.get(id).is_none() {
                        self.ui.selected = None;
                    }
                }
                if let Some(id) = &self.ui.picking {
                    if state.get(id).is_none() {
                        self.ui.picking = None;
                    }
                }
                outcome.created
            }
            Err(e) => {
                self.say(e.to_string(), Tone::Error);
                None
            }
        }
    }
}

impl Reducible for Store {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut next = (*self).clone();
        match msg {
            Msg::Do(action) => {
                next.ui.tag_all_armed = None;
                // Setting the cue from the selection uses the selection up: its menu closes.
                let consumes = match &action {
                    Action::SetCue { cue: Some(c), .. } => {
                        next.ui.pending.as_ref().is_some_and(|p| p.span == *c)
                    }
                    _ => false,
                };
                let before = next.revision;
                next.apply(action);
                if consumes && next.revision != before {
                    next.ui.pending = None;
                    next.ui.menu = Menu::Closed;
                }
            }
            Msg::Tag { kind, label } => {
                // A page opened with `?crash-test` fails here on purpose (dom::crash).
                crate::dom::crash::test_point("tagging");
                let Some(pending) = next.ui.pending.take() else {
                    next.say("Select some text first.", Tone::Error);
                    return Rc::new(next);
                };
                let label = label
                    .or_else(|| next.ui.last_label.clone())
                    .unwrap_or_else(|| next.state().labels().entity[0].clone());
                // "Pick in text" on words: tag them as an entity and link them, in one step.
                if let (Some(target), Kind::Entity) = (next.ui.picking.clone(), kind) {
                    next.ui.menu = Menu::Closed;
                    let before = next.revision;
                    next.apply(Action::TagParty {
                        id: target.clone(),
                        span: pending.span,
                        label: label.clone(),
                    });
                    if next.revision != before {
                        next.ui.picking = None;
                        next.ui.last_label = Some(label);
                        next.ui.selected = Some(target);
                    } else {
                        next.ui.pending = Some(pending);
                        next.ui.menu = Menu::Types;
                    }
                    return Rc::new(next);
                }
                let text = next.state().document().slice(pending.span).to_string();
                let body = Body::for_kind(kind, &label, &text);
                let created = next.apply(Action::Create {
                    span: pending.span,
                    body,
                    note: String::new(),
                });
                next.ui.menu = Menu::Closed;
                if created.is_some() {
                    if kind == Kind::Entity {
                        next.ui.last_label = Some(label);
                    }
                    next.ui.selected = created;
                } else {
                    // Refused: keep the selection so the person can choose another tag.
                    next.ui.pending = Some(pending);
                    next.ui.menu = Menu::Kinds;
                }
            }
            Msg::Select(id) => {
                next.ui.tag_all_armed = None;
                if next.ui.relating.as_ref().map(|r| &r.from) != id.as_ref() {
                    next.ui.relating = None;
                }
                next.ui.selected = id;
                next.ui.cycle = None;
            }
            Msg::ClickHighlight { at, ids } => {
                if ids.is_empty() {
                    return self;
                }
                if let Some(relating) = next.ui.relating.clone() {
                    // Picking a relation's target: the innermost annotation under the click
                    // that is not its source; its type is asked for next (ui::details).
                    let target = ids.iter().rev().find(|id| **id != relating.from).cloned();
                    match target {
                        Some(to) => {
                            let state = next.state();
                            let text = state
                                .get(&to)
                                .map(|a| state.document().slice(a.span).to_string())
                                .unwrap_or_default();
                            drop(state);
                            next.ui.selected = Some(relating.from.clone());
                            next.ui.relating = Some(Relating {
                                from: relating.from,
                                to: Some(to),
                            });
                            next.say(
                                format!(
                                    "Target {}: type the relation's type in the details panel                                      and press Enter. Esc cancels.",
                                    quoted(&crate::model::state::shorten(&text, 40))
                                ),
                                Tone::Info,
                            );
                        }
                        None => next.say(
                            "An annotation cannot be related to itself. Pick another one, or \
                             press Esc to stop.",
                            Tone::Error,
                        ),
                    }
                    return Rc::new(next);
                }
                if let Some(target) = next.ui.picking.clone() {
                    // "Pick in text": the innermost entity under the click becomes the party.
                    let state = next.state();
                    let entity = ids
                        .iter()
                        .rev()
                        .find(|id| state.get(id).is_some_and(|a| a.kind() == Kind::Entity))
                        .cloned();
                    drop(state);
                    match entity {
                        Some(entity) => {
                            next.ui.picking = None;
                            next.apply(Action::SetParty {
                                id: target.clone(),
                                party: Some(Party::Ref(entity)),
                            });
                            next.ui.selected = Some(target);
                        }
                        None => next.say(
                            "That is not an entity. Click an entity, or press Esc to stop picking.",
                            Tone::Error,
                        ),
                    }
                    return Rc::new(next);
                }
                let round = match next.ui.cycle {
                    Some((last, n)) if last == at => n + 1,
                    _ => 0,
                };
                // Innermost (last) first, then outwards.
                let pick = ids[ids.len() - 1 - round % ids.len()].clone();
                next.ui.cycle = Some((at, round));
                next.ui.selected = Some(pick);
                next.ui.pending = None;
                next.ui.menu = Menu::Closed;
            }
            Msg::SetPending(pending) => {
                next.ui.menu = match (&pending, &next.ui.picking) {
                    (None, _) => Menu::Closed,
                    // Picking a speaker or claimant: it can only be an entity.
                    (Some(_), Some(_)) => Menu::Types,
                    (Some(_), None) => Menu::Kinds,
                };
                next.ui.pending = pending;
            }
            Msg::OpenMenu(menu) => {
                if next.ui.pending.is_some() || menu == Menu::Closed {
                    next.ui.menu = menu;
                }
                if menu == Menu::Closed {
                    next.ui.pending = None;
                }
            }
            Msg::StartPick(id) => {
                let state = next.state();
                let suggested = crate::model::links::likely_party(&state, &id);
                let offer = suggested.as_deref().and_then(|s| state.get(s)).map(|e| {
                    let role = state
                        .get(&id)
                        .map_or("party", |a| crate::model::links::role_of(&a.body));
                    format!(
                        "Enter links {} as the {role}; or click",
                        quoted(&crate::model::state::shorten(
                            state.document().slice(e.span),
                            40
                        ))
                    )
                });
                drop(state);
                next.ui.picking = Some(id);
                next.ui.suggested = suggested;
                next.ui.pending = None;
                next.ui.menu = Menu::Closed;
                next.say(
                    format!(
                        "{} an entity in the text to link it, or select words to tag and link \
                         them. Esc cancels.",
                        offer.unwrap_or_else(|| "Click".to_string())
                    ),
                    Tone::Info,
                );
            }
            Msg::AcceptSuggestion => {
                if let (Some(target), Some(entity)) =
                    (next.ui.picking.clone(), next.ui.suggested.clone())
                {
                    next.ui.picking = None;
                    next.ui.suggested = None;
                    next.apply(Action::SetParty {
                        id: target.clone(),
                        party: Some(Party::Ref(entity)),
                    });
                    next.ui.selected = Some(target);
                }
            }
            Msg::IgnoreCase(on) => next.ui.ignore_case = on,
            Msg::ArmTagAll(id) => {
                if next.ui.tag_all_armed.as_deref() == Some(id.as_str()) {
                    next.ui.tag_all_armed = None;
                    let match_case = !next.ui.ignore_case;
                    next.apply(Action::TagAll { id, match_case });
                } else {
                    let opts = crate::model::Match {
                        match_case: !next.ui.ignore_case,
                    };
                    let found = next.state().occurrences(&id, opts);
                    match found {
                        Ok(spans) if !spans.is_empty() => {
                            let n = spans.len();
                            next.ui.tag_all_armed = Some(id);
                            next.say(
                                format!(
                                    "{n} more occurrence{} found: press A again to tag {}, \
                                     Esc to leave {}.",
                                    if n == 1 { "" } else { "s" },
                                    if n == 1 { "it" } else { "them all" },
                                    if n == 1 { "it" } else { "them" },
                                ),
                                Tone::Info,
                            );
                        }
                        Ok(_) => {
                            let text = next
                                .state()
                                .get(&id)
                                .map(|a| next.state().document().slice(a.span).to_string())
                                .unwrap_or_default();
                            next.say(
                                crate::model::ModelError::NoOtherOccurrence(text).to_string(),
                                Tone::Error,
                            );
                        }
                        Err(e) => next.say(e.to_string(), Tone::Error),
                    }
                }
            }
            Msg::StartRelate(from) => {
                let text = {
                    let state = next.state();
                    state
                        .get(&from)
                        .map(|a| state.document().slice(a.span).to_string())
                };
                let Some(text) = text else {
                    return self;
                };
                next.ui.picking = None;
                next.ui.suggested = None;
                next.ui.pending = None;
                next.ui.menu = Menu::Closed;
                next.ui.selected = Some(from.clone());
                next.ui.relating = Some(Relating { from, to: None });
                next.say(
                    format!(
                        "Relate {} to: click another annotation, or put the caret on it and \
                         press Enter. Esc cancels.",
                        quoted(&crate::model::state::shorten(&text, 40))
                    ),
                    Tone::Info,
                );
            }
            Msg::Relate(kind) => {
                if let Some(Relating { from, to: Some(to) }) = next.ui.relating.clone() {
                    let before = next.revision;
                    next.apply(Action::AddRelation {
                        from: from.clone(),
                        to,
                        kind,
                    });
                    if next.revision != before {
                        next.ui.relating = None;
                        next.ui.selected = Some(from);
                    }
                }
            }
            Msg::CancelRelate => next.ui.relating = None,
            Msg::CancelPick => {
                next.ui.picking = None;
                next.ui.suggested = None;
            }
            Msg::Flash(id) => {
                next.ui.serial += 1;
                next.ui.flash = Some((id, next.ui.serial));
            }
            Msg::EndFlash => next.ui.flash = None,
            Msg::Say(text, tone) => next.say(text, tone),
            Msg::Dismiss => {
                next.ui.message = None;
                next.ui.toast = None;
            }
            Msg::EndToast(serial) => {
                if next.ui.toast.as_ref().is_some_and(|t| t.serial == serial) {
                    next.ui.toast = None;
                }
            }
            Msg::ShowHint(on) => {
                next.ui.hint = on;
                if on {
                    next.ui.help_open = false;
                }
            }
            Msg::ShowHelp(open) => next.ui.help_open = open,
            Msg::ShowLabels(open) => next.ui.labels_open = open,
            Msg::ShowReview(open) => next.ui.review_open = open,
            Msg::Layers(id, layers) => {
                if next.state().document().id == id {
                    next.ui.layers = layers;
                }
            }
            Msg::Load(state) => {
                next.revision = state.revision();
                next.state = state;
                next.generation += 1;
                let keep = Ui {
                    documents: std::mem::take(&mut next.ui.documents),
                    doc_view: std::mem::take(&mut next.ui.doc_view),
                    annotator: std::mem::take(&mut next.ui.annotator),
                    save: std::mem::take(&mut next.ui.save),
                    last_label: next.ui.last_label.take(),
                    message: next.ui.message.take(),
                    busy: next.ui.busy.take(),
                    toast: next.ui.toast.take(),
                    ignore_case: next.ui.ignore_case,
                    hint: next.ui.hint,
                    review_open: next.ui.review_open,
                    serial: next.ui.serial,
                    ..Ui::default()
                };
                next.ui = keep;
            }
            Msg::Documents(docs) => next.ui.documents = Rc::new(docs),
            Msg::DocumentsAdded(added) => {
                if !added.is_empty() {
                    let mut docs = (*next.ui.documents).clone();
                    docs.extend(added);
                    next.ui.documents = Rc::new(docs);
                }
            }
            Msg::DocumentChanged {
                id,
                status,
                annotations,
            } => {
                let docs = &next.ui.documents;
                if let Some(at) = docs.iter().position(|d| d.id == id) {
                    if docs[at].status != status || docs[at].annotations != Some(annotations) {
                        let mut docs = (**docs).clone();
                        docs[at].status = status;
                        docs[at].annotations = Some(annotations);
                        next.ui.documents = Rc::new(docs);
                    }
                }
            }
            Msg::DocView(view) => next.ui.doc_view = view,
            Msg::Annotator(name) => next.ui.annotator = name,
            Msg::Save(status) => next.ui.save = status,
            Msg::Ask(dialog) => next.ui.dialog = dialog,
            Msg::StartBusy(what) => {
                next.ui.serial += 1;
                next.ui.busy = Some(Busy {
                    what,
                    serial: next.ui.serial,
                    progress: None,
                    stop: None,
                });
            }
            Msg::StartSteps(what, stop) => {
                next.ui.serial += 1;
                next.ui.busy = Some(Busy {
                    what,
                    serial: next.ui.serial,
                    progress: None,
                    stop: Some(stop),
                });
            }
            Msg::Progress(serial, done, of) => {
                if let Some(b) = next.ui.busy.as_mut().filter(|b| b.serial == serial) {
                    b.progress = Some((done, of));
                }
            }
            Msg::EndBusy(serial) => {
                if next.ui.busy.as_ref().is_some_and(|b| b.serial == serial) {
                    next.ui.busy = None;
                }
            }
        }
        Rc::new(next)
    }
}

/// The store as the components share it (a context).
pub type StoreHandle = UseReducerHandle<Store>;

/// The store handle of a component's latest render, for listeners that outlive a render.
pub type LatestStore = Rc<RefCell<StoreHandle>>;

/// Keeps [`LatestStore`] up to date with every render. A handle captured once (at mount) keeps
/// every version of the store it reads alive (Yew keeps them for the handle's lifetime):
/// about 0.4 KB an action, without end. Listeners that live as long as a component read
/// through this instead.
#[hook]
pub fn use_latest(store: &StoreHandle) -> LatestStore {
    let latest = use_mut_ref(|| store.clone());
    *latest.borrow_mut() = store.clone();
    latest
}
