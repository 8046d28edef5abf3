//! Browser unit tests, run by `wasm-bindgen-test-runner` in headless Chromium
//! (`make test-browser`). They mount the real app into a fresh element.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use marginalia::model::Document;
use marginalia::ui::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element in the page to mount into.
fn fresh_root() -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

/// Lets Yew's scheduler render.
async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(20)).await;
}

#[wasm_bindgen_test]
async fn app_mounts_and_renders_every_paragraph_of_the_article() {
    let root = fresh_root();
    yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;

    let doc = Document::default_article();
    let articles = root.query_selector_all("article").unwrap();
    assert_eq!(articles.length(), 1, "one <article>");
    let paragraphs = root.query_selector_all("article > p").unwrap();
    assert_eq!(paragraphs.length() as usize, doc.paragraphs().len());
    for (i, span) in doc.paragraphs().iter().enumerate() {
        let p = paragraphs
            .item(i as u32)
            .unwrap()
            .dyn_into::<web_sys::Element>()
            .unwrap();
        assert_eq!(p.text_content().unwrap(), doc.slice(*span), "paragraph {i}");
    }
    let title = root.query_selector("header h1").unwrap().unwrap();
    assert_eq!(
        title.text_content().unwrap(),
        "Syrian rebels enter Damascus"
    );
    assert!(root
        .query_selector("header")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap()
        .contains("damascus-2024-12-08"));
}

#[wasm_bindgen_test]
async fn document_text_is_rendered_as_text_never_as_html() {
    let root = fresh_root();
    let hostile = "<img src=x onerror=\"window.__pwned=1\"> & <b>bold</b>\n\nsecond “😀”";
    let doc = std::rc::Rc::new(Document::new("hostile", "<i>title</i>", hostile));
    yew::Renderer::<App>::with_root_and_props(
        root.clone(),
        marginalia::ui::AppProps {
            document: Some(doc.clone()),
        },
    )
    .render();
    settle().await;

    assert!(root.query_selector("article img").unwrap().is_none());
    assert!(root.query_selector("article b").unwrap().is_none());
    assert!(root.query_selector("h1 i").unwrap().is_none());
    let paragraphs = root.query_selector_all("article > p").unwrap();
    assert_eq!(paragraphs.length(), 2);
    assert_eq!(
        paragraphs.item(0).unwrap().text_content().unwrap(),
        "<img src=x onerror=\"window.__pwned=1\"> & <b>bold</b>"
    );
    assert_eq!(
        paragraphs.item(1).unwrap().text_content().unwrap(),
        "second “😀”"
    );
}

#[wasm_bindgen_test]
fn lowercasing_for_search_uses_unicode_case_mapping() {
    use marginalia::dom::to_lowercase;
    assert_eq!(to_lowercase("DaMaScUs"), "damascus");
    assert_eq!(to_lowercase("ZÜRICH Ελλάδα"), "zürich ελλάδα");
    assert_eq!(to_lowercase("دمشق 👨‍👩‍👧"), "دمشق 👨‍👩‍👧");
    // Lowercasing may change the length: "İ" becomes "i" and a combining dot.
    assert_eq!(to_lowercase("İ"), "i\u{307}");
}
