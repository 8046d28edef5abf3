//! What the page does when Marginalia hits an internal error (a Rust panic).
//!
//! The release build aborts on panic (`panic = "abort"`): the WebAssembly instance traps and
//! can run no more code, so nothing it would draw could be trusted. The hook installed here
//! only hands the panic's message to the page's loader (`web/loader.js`,
//! `globalThis.__marginaliaCrash`), which draws a plain notice with JavaScript alone — “your
//! work up to the last save is kept — reload to continue” — with the message to copy into a
//! bug report, and makes the rest of the page inert. The loader also draws the notice for a
//! trap without a panic (a `WebAssembly.RuntimeError`). Every change is written to storage as
//! it is made, so the last save is the last change but the one that failed.
//!
//! `?crash-test` in the page's address makes the first tag fail on purpose, so that a person
//! (and the end-to-end test) can see the notice; `?crash-test=worker` makes the formats worker
//! fail the first conversion instead (`dom::worker` then stops it and starts another).

use wasm_bindgen::{JsCast, JsValue};

/// Hands a panic's `message` to the loader, which draws the notice; the console gets it too.
/// The app's panic hook (set through Yew, which would otherwise set its own: `ui::start`).
pub fn report(message: &str) {
    gloo::console::error!(format!("Marginalia: {message}"));
    let crash = js_sys::Reflect::get(&js_sys::global(), &"__marginaliaCrash".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(crash) = crash {
        let _ = crash.call1(&JsValue::NULL, &JsValue::from_str(message));
    }
}

/// Panics when the page was opened with `?crash-test`, naming `what` was being done.
pub fn test_point(what: &str) {
    if requested("tagging") {
        panic!("crash test: the page was opened with ?crash-test, which fails {what} on purpose");
    }
}

/// Whether the page was opened with `?crash-test=PLACE` (`?crash-test` alone: tagging).
pub fn requested(place: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        .and_then(|p| p.get("crash-test"))
        .is_some_and(|v| v == place || (v.is_empty() && place == "tagging"))
}
