//! Marginalia: annotate news articles with entities, quotes and claims, in the browser.
//!
//! Data flows one way:
//! DOM selection → offsets (code points) → `Action` → reducer → `State` → view (Yew) → DOM.
//!
//! - [`model`]: pure core (document, offsets, annotations, reducer). No web crates.
//! - [`formats`]: pure import/export formats, shared with the command-line tool.
//! - [`dom`]: the only glue to the browser (selection ↔ offsets, storage, downloads).
//! - [`ui`]: Yew function components that render state and dispatch actions.

pub mod dom;
pub mod formats;
pub mod model;
pub mod ui;
