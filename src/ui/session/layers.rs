//! Other annotators' layers of the open document (review): added from an imported file of the
//! same text that names another annotator, kept in storage beside the document (never mixed
//! into the person's own annotations), read again whenever the document opens, removable.

use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;

use super::{say, SessionRef};
use crate::formats::native;
use crate::formats::Bundle;
use crate::ui::store::{LayerView, Msg, StoreHandle, Tone};

/// The layer a stored native text gives, if it still reads.
fn view_of(native_text: String) -> Option<LayerView> {
    let imported = native::import(&native_text).ok()?;
    Some(LayerView {
        annotator: imported.bundle.annotator.clone(),
        annotations: Rc::new(imported.bundle.annotations),
        native: Rc::new(native_text),
    })
}

/// Reads document `id`'s layers from storage into the store (after it has opened).
pub(super) fn read_layers(store: &StoreHandle, session: &SessionRef, id: &str) {
    let Some(db) = session.borrow().db.clone() else {
        return;
    };
    let (store, id) = (store.clone(), id.to_string());
    spawn_local(async move {
        match db.layers(&id).await {
            Ok(texts) => {
                let views: Vec<LayerView> = texts.into_iter().filter_map(view_of).collect();
                store.dispatch(Msg::Layers(id, Rc::new(views)));
            }
            Err(why) => say(
                &store,
                format!("The other annotators' layers could not be read: {why}"),
                Tone::Error,
            ),
        }
    });
}

/// Adds the imported file as its annotator's layer of the open document (replacing an earlier
/// layer of the same annotator), stores the layers, and opens the Review panel.
pub fn add_layer(store: &StoreHandle, session: &SessionRef, bundle: &Bundle) {
    let native_text = native::export(bundle);
    let annotator = bundle.annotator.clone();
    let view = LayerView {
        annotator: annotator.clone(),
        annotations: Rc::new(bundle.annotations.clone()),
        native: Rc::new(native_text),
    };
    let mut layers = without(store, &annotator);
    layers.push(view);
    store.dispatch(Msg::Ask(None));
    store.dispatch(Msg::ShowReview(true));
    store_layers(store, session, layers, format!("Added {annotator}'s layer"));
}

/// The open document's layers but `annotator`'s.
fn without(store: &StoreHandle, annotator: &str) -> Vec<LayerView> {
    store
        .ui
        .layers
        .iter()
        .filter(|l| l.annotator != annotator)
        .cloned()
        .collect()
}

/// Removes the layer of `annotator` from the open document.
pub fn remove_layer(store: &StoreHandle, session: &SessionRef, annotator: &str) {
    let layers = without(store, annotator);
    store_layers(
        store,
        session,
        layers,
        format!("Removed {annotator}'s layer"),
    );
}

/// Shows `layers` and stores them; says `done` once they are stored, or why they are not.
fn store_layers(store: &StoreHandle, session: &SessionRef, layers: Vec<LayerView>, done: String) {
    let id = store.state().document().id.clone();
    let texts: Vec<String> = layers.iter().map(|l| (*l.native).clone()).collect();
    store.dispatch(Msg::Layers(id.clone(), Rc::new(layers)));
    let Some(db) = session.borrow().db.clone() else {
        return say(
            store,
            format!("{done}, but this browser offers no storage: it lasts until the tab closes."),
            Tone::Error,
        );
    };
    let store = store.clone();
    spawn_local(async move {
        match db.save_layers(&id, &texts).await {
            Ok(()) => say(&store, format!("{done}."), Tone::Info),
            Err(why) => say(
                &store,
                format!("{done}, but it could not be stored: {why}"),
                Tone::Error,
            ),
        }
    });
}
