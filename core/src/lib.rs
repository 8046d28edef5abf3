//! Marginalia's pure core, a crate of its own so that the compiler keeps it pure: it depends
//! on no web crate (no yew, web-sys, js-sys, gloo or wasm-bindgen), so it builds and is tested
//! natively, and the command-line tool depends on it alone.
//!
//! - [`model`]: documents, offsets (Unicode code points, end exclusive), annotations, labels,
//!   and the reducer (`Action` → `State`), with its undo and what a store must write
//!   (`State::changes_since`).
//! - [`formats`]: every import and export format, each converting its own counting (doccano's
//!   UTF-16, brat's universal newlines) at its edge.
//!
//! The web app (the root package) re-exports both as `marginalia_core::model` and
//! `marginalia_core::formats`.

pub mod formats;
pub mod model;
