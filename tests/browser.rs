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

/// Mounts the app on `doc` into `root`, and lets it render.
async fn mount(root: &web_sys::Element, doc: &std::rc::Rc<Document>) {
    yew::Renderer::<App>::with_root_and_props(
        root.clone(),
        marginalia::ui::AppProps {
            document: Some(doc.clone()),
        },
    )
    .render();
    settle().await;
}

/// Lets Yew's scheduler render.
async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(20)).await;
}

/// The article's drawn blocks (`article > p`), as elements.
fn drawn_blocks(root: &web_sys::Element) -> Vec<web_sys::Element> {
    let ps = root.query_selector_all("article > p").unwrap();
    (0..ps.length())
        .map(|i| ps.item(i).unwrap().dyn_into::<web_sys::Element>().unwrap())
        .collect()
}

#[wasm_bindgen_test]
async fn app_mounts_and_renders_every_paragraph_of_the_article() {
    let root = fresh_root();
    yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;

    let doc = Document::default_article();
    let articles = root.query_selector_all("article").unwrap();
    assert_eq!(articles.length(), 1, "one <article>");
    // Its paragraphs are short: one block each.
    let blocks = drawn_blocks(&root);
    assert_eq!(doc.blocks(), doc.paragraphs());
    assert_eq!(blocks.len(), doc.paragraphs().len());
    for (i, span) in doc.paragraphs().iter().enumerate() {
        assert_eq!(
            blocks[i].text_content().unwrap(),
            doc.slice(*span),
            "paragraph {i}"
        );
        assert_eq!(blocks[i].get_attribute("data-p").unwrap(), i.to_string());
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
    mount(&root, &doc).await;

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

/// A paragraph longer than a block is drawn as several blocks: each holds exactly its text,
/// all but the last continue the paragraph (class `more`), and a selection made across a block
/// boundary maps back to exactly its code points.
#[wasm_bindgen_test]
async fn a_long_paragraph_is_drawn_in_blocks_and_selections_cross_them_exactly() {
    use marginalia::dom::selection as sel;
    use marginalia::model::Span;
    let root = fresh_root();
    let lines: Vec<String> = (0..400)
        .map(|i| format!("Line {i} of a transcript 😀, said Ghaith."))
        .collect();
    let text = format!("A title\n\n{}", lines.join("\n"));
    let doc = std::rc::Rc::new(Document::new("lines", "Lines", text.as_str()));
    assert_eq!(doc.paragraphs().len(), 2);
    assert!(doc.blocks().len() > 5, "{} blocks", doc.blocks().len());
    mount(&root, &doc).await;

    let blocks = drawn_blocks(&root);
    assert_eq!(blocks.len(), doc.blocks().len());
    for (b, el) in blocks.iter().enumerate() {
        let span = doc.blocks()[b];
        assert_eq!(el.text_content().unwrap(), doc.slice(span), "block {b}");
        assert_eq!(el.get_attribute("data-b").unwrap(), b.to_string());
        let p = doc.block_paragraph(b);
        assert_eq!(el.get_attribute("data-p").unwrap(), p.to_string());
        assert_eq!(
            el.class_list().contains("more"),
            !doc.ends_paragraph(b),
            "block {b}"
        );
    }
    let article = root.query_selector("article").unwrap().unwrap();
    // From the middle of block 2 to the middle of block 3, emoji and all.
    let (two, three) = (doc.blocks()[2], doc.blocks()[3]);
    let span = Span::new(two.start + 7, three.start + 9);
    sel::select_span(&article, &doc, span).expect("both ends are drawn");
    assert_eq!(sel::selected_span(&article, doc.len()), Some(span));
    assert_eq!(sel::selection_blocks(&article), Some((2, 3)));
    sel::clear_selection();
}
