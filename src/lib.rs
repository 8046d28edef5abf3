//! Marginalia: annotate news articles with entities, quotes and claims, in the browser.
//!
//! Data flows one way:
//! DOM selection → offsets (code points) → `Action` → reducer → `State` → view (Yew) → DOM.
//!
//! - [`model`]: pure core (document, offsets, annotations, reducer), from `marginalia-core`.
//! - [`formats`]: pure import/export formats, from `marginalia-core`, shared with the
//!   command-line tool (`cli/`).
//! - [`dom`]: the only glue to the browser (selection ↔ offsets, storage, downloads).
//! - [`ui`]: Yew function components that render state and dispatch actions.

pub mod dom;
pub mod ui;

/// The pure core lives in its own crate (`core/`, `marginalia-core`); these are its modules.
pub use marginalia_core::{formats, model};
