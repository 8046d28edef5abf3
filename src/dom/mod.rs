//! The only glue to the browser: where the app is mounted, and (as features land) selection ↔
//! offsets, storage, downloads and files. Everything here converts browser values into plain
//! model values at once; UTF-16 offsets never leave this module.

/// The element the app is mounted into: `#app` if the page has one, else `<body>`.
pub fn mount_point() -> Option<web_sys::Element> {
    let document = web_sys::window()?.document()?;
    document
        .get_element_by_id("app")
        .or_else(|| document.body().map(Into::into))
}
