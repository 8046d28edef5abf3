//! The only glue to the browser: where the app is mounted, the clock, selection ↔ offsets,
//! scrolling and placing elements. Everything here turns browser values into plain model
//! values at once; UTF-16 offsets never leave this module.

pub mod crash;
pub mod files;
pub mod offline;
pub mod selection;
pub mod storage;
pub mod tabs;
pub mod worker;

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use crate::model::Timestamp;

/// The element the app is mounted into: `#app` if the page has one, else `<body>`.
pub fn mount_point() -> Option<Element> {
    let document = web_sys::window()?.document()?;
    document
        .get_element_by_id("app")
        .or_else(|| document.body().map(Into::into))
}

/// Now, from the browser's clock.
pub fn now() -> Timestamp {
    Timestamp(js_sys::Date::now() as i64)
}

/// Minutes to add to UTC for local time (the opposite sign of `getTimezoneOffset`).
pub fn local_offset_minutes() -> i64 {
    -(js_sys::Date::new_0().get_timezone_offset() as i64)
}

/// Whether this browser remembers `key` (a small fact about the person, such as having seen
/// the getting-started hint; in `localStorage`, which the work itself never is).
pub fn remembered(key: &str) -> bool {
    local_storage()
        .and_then(|s| s.get_item(&format!("marginalia.{key}")).ok().flatten())
        .is_some()
}

/// Remembers `key` in this browser (see [`remembered`]); a refusal is harmless.
pub fn remember(key: &str) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(&format!("marginalia.{key}"), "1");
    }
}

/// `localStorage`, unless the browser withholds it (some privacy settings throw on access).
fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

pub fn query(selector: &str) -> Option<Element> {
    document()?.query_selector(selector).ok().flatten()
}

/// Scrolls the first element of the annotation with key `key` (`model::state::Keyed`: the
/// page never puts an id in a selector) into the middle of the view; false when it is not
/// drawn.
pub fn scroll_to_annotation(key: u32) -> bool {
    match query(&format!("article [data-a~=\"{key}\"]")) {
        Some(el) => {
            let opts = web_sys::ScrollIntoViewOptions::new();
            opts.set_block(web_sys::ScrollLogicalPosition::Center);
            el.scroll_into_view_with_scroll_into_view_options(&opts);
            true
        }
        None => false,
    }
}

/// The line boxes of the elements `selector` matches, in page coordinates (left, top, right,
/// bottom), in document order; empty boxes left out.
pub fn line_boxes(selector: &str) -> Vec<(f64, f64, f64, f64)> {
    let (_, _, sx, sy) = viewport();
    let mut out = Vec::new();
    let Some(list) = document().and_then(|d| d.query_selector_all(selector).ok()) else {
        return out;
    };
    for i in 0..list.length() {
        let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let rects = el.get_client_rects();
        for j in 0..rects.length() {
            if let Some(r) = rects.item(j).filter(|r| r.width() > 0.0) {
                out.push((r.left() + sx, r.top() + sy, r.right() + sx, r.bottom() + sy));
            }
        }
    }
    out
}

/// Moves each chip that follows another at the same place (`data-shift="chars,n"`, see
/// `ui::block`) to the left of those before it: `chars` characters of chip text and `n` chips'
/// padding. A style set here, not a style attribute, which the page's CSP refuses.
pub fn shift_chips(block: &Element) {
    let Ok(list) = block.query_selector_all(".chip[data-shift]") else {
        return;
    };
    for i in 0..list.length() {
        let Some(el) = list.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()) else {
            continue;
        };
        let shift = el.get_attribute("data-shift").unwrap_or_default();
        let Some((chars, n)) = shift.split_once(',') else {
            continue;
        };
        let (Ok(chars), Ok(n)) = (chars.parse::<u32>(), n.parse::<u32>()) else {
            continue;
        };
        let _ = el.style().set_property("--before", &chars.to_string());
        let _ = el.style().set_property("--n", &n.to_string());
    }
}

/// Brings `el` (a part of the side panel) into view: the side panel scrolls to it where the
/// panel scrolls on its own (the wide layout); elsewhere the page scrolls to it only when the
/// person is working in the panel (a click on a highlight must not carry the text away).
pub fn reveal_in_panel(el: &Element) {
    let Some(panel) = el.closest("aside").ok().flatten() else {
        return;
    };
    if panel.scroll_height() > panel.client_height() + 1 {
        let top = el.get_bounding_client_rect().top() - panel.get_bounding_client_rect().top()
            + f64::from(panel.scroll_top());
        panel.set_scroll_top(top.max(0.0) as i32);
        return;
    }
    let in_panel = document()
        .and_then(|d| d.active_element())
        .is_some_and(|a| panel.contains(Some(&a)));
    let (_, vh, _, _) = viewport();
    let rect = el.get_bounding_client_rect();
    if in_panel && (rect.top() < 0.0 || rect.top() > vh) {
        let opts = web_sys::ScrollIntoViewOptions::new();
        opts.set_block(web_sys::ScrollLogicalPosition::Start);
        el.scroll_into_view_with_scroll_into_view_options(&opts);
    }
}

/// What the page tells about an annotation drawn under a key: its id, kind and entity type.
pub struct Described {
    pub id: String,
    pub kind: &'static str,
    pub label: Option<String>,
}

/// A function `el.annotationOf(key)` that returns `{ id, kind, label }` for a key the page
/// draws (or `null`): how a test, or a person in the console, learns which annotation a
/// highlight is, since ids are not written into the page. Removed when the guard is dropped.
pub struct Exposed {
    el: Element,
    _f: wasm_bindgen::closure::Closure<dyn Fn(u32) -> wasm_bindgen::JsValue>,
}

pub fn expose_annotations(
    el: &Element,
    describe: impl Fn(u32) -> Option<Described> + 'static,
) -> Exposed {
    use wasm_bindgen::JsValue;
    let f = wasm_bindgen::closure::Closure::<dyn Fn(u32) -> JsValue>::new(move |key| {
        let Some(d) = describe(key) else {
            return JsValue::NULL;
        };
        let o = js_sys::Object::new();
        let set = |k: &str, v: JsValue| js_sys::Reflect::set(&o, &k.into(), &v);
        let _ = set("id", d.id.into());
        let _ = set("kind", d.kind.into());
        let _ = set("label", d.label.map_or(JsValue::NULL, Into::into));
        o.into()
    });
    let _ = js_sys::Reflect::set(el, &"annotationOf".into(), f.as_ref());
    Exposed {
        el: el.clone(),
        _f: f,
    }
}

impl Drop for Exposed {
    fn drop(&mut self) {
        let _ = js_sys::Reflect::delete_property(&self.el, &"annotationOf".into());
    }
}

/// Lowercases text for case-insensitive matching with the browser's Unicode case mapping
/// (`String.prototype.toLowerCase`), ASCII text without a call into JavaScript. Rust's own
/// `str::to_lowercase` would put its Unicode case tables (8 KB gzip) into the page.
pub fn to_lowercase(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        js_sys::JsString::from(s).to_lower_case().into()
    }
}

/// Places an absolutely positioned element at page coordinates, through the CSSOM (allowed by
/// the Content-Security-Policy, unlike a `style` attribute).
pub fn place(el: &Element, left: f64, top: f64) {
    if let Some(el) = el.dyn_ref::<HtmlElement>() {
        let style = el.style();
        let _ = style.set_property("left", &px(left));
        let _ = style.set_property("top", &px(top));
    }
}

/// A length in whole pixels for CSS ("12px").
pub fn px(v: f64) -> String {
    format!("{}px", v.round() as i64)
}

/// Sets one CSS property of an element through the CSSOM.
pub fn set_style(el: &Element, property: &str, value: &str) {
    if let Some(el) = el.dyn_ref::<HtmlElement>() {
        let _ = el.style().set_property(property, value);
    }
}

/// The line height and the bottom margin of an element, in pixels, from its computed style.
pub fn line_height_and_margin(el: &Element) -> Option<(f64, f64)> {
    let style = web_sys::window()?.get_computed_style(el).ok()??;
    // Parsed by JavaScript: Rust's float parsing would add its tables to the page.
    let px = |name: &str| -> Option<f64> {
        let v = style.get_property_value(name).ok()?;
        let n = js_sys::Number::parse_float(v.strip_suffix("px")?);
        (!n.is_nan()).then_some(n)
    };
    Some((px("line-height")?, px("margin-bottom")?))
}

/// The viewport's size and the page's scroll offsets: (width, height, scroll_x, scroll_y).
pub fn viewport() -> (f64, f64, f64, f64) {
    let Some(w) = web_sys::window() else {
        return (1024.0, 768.0, 0.0, 0.0);
    };
    let num = |v: Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>| {
        v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0)
    };
    (
        num(w.inner_width()),
        num(w.inner_height()),
        w.scroll_x().unwrap_or(0.0),
        w.scroll_y().unwrap_or(0.0),
    )
}

pub fn focus(el: &Element) {
    if let Some(el) = el.dyn_ref::<HtmlElement>() {
        let _ = el.focus();
    }
}

/// Whether keyboard focus is in a text field, where letters are typing, not shortcuts.
pub fn typing_in_field() -> bool {
    let Some(active) = document().and_then(|d| d.active_element()) else {
        return false;
    };
    match active.tag_name().as_str() {
        "TEXTAREA" | "SELECT" => true,
        "INPUT" => !matches!(
            active.get_attribute("type").as_deref(),
            Some("checkbox" | "radio" | "button" | "file")
        ),
        _ => active
            .dyn_ref::<HtmlElement>()
            .is_some_and(|e| e.is_content_editable()),
    }
}

/// The value of the form control an event came from (input, select or textarea).
pub fn target_value(e: &web_sys::Event) -> String {
    let Some(t) = e.target() else {
        return String::new();
    };
    if let Some(i) = t.dyn_ref::<web_sys::HtmlInputElement>() {
        i.value()
    } else if let Some(s) = t.dyn_ref::<web_sys::HtmlSelectElement>() {
        s.value()
    } else if let Some(a) = t.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        a.value()
    } else {
        String::new()
    }
}

/// Whether the checkbox an event came from is checked.
pub fn target_checked(e: &web_sys::Event) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some_and(|i| i.checked())
}

/// The `open` parameter of the page's address (`?open=/data/file.json`), when it names a path
/// on this site: an absolute path, not another origin (`//host/…`) or a scheme.
pub fn open_param() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    let path = params.get("open")?;
    (path.starts_with('/') && !path.starts_with("//") && !path.contains('\\')).then_some(path)
}

/// How long [`after_paint`] waits at most: where frames do not come (a tab the browser does not
/// paint), what waits goes ahead after this.
const FRAME_PATIENCE_MS: i32 = 100;

/// Whether the page is hidden (a background tab, a minimised window).
pub fn is_hidden() -> bool {
    document().is_none_or(|d| d.hidden())
}

/// Resolves after the next frame has been painted (a `requestAnimationFrame`, then a task), so
/// that heavy work started then does not delay what the person is about to see; but never
/// waits for a frame that does not come: at once when the page is hidden, as soon as it
/// becomes hidden, and after [`FRAME_PATIENCE_MS`] in any case. (Browsers run no
/// `requestAnimationFrame` in hidden tabs: a save that waited for one was never written.)
///
/// The promise's own `resolve` is what the frame, the timer and the event call (the frame
/// through `setTimeout.bind`, so that it resolves in the task after the paint): no Rust
/// closure is handed out, and whatever did not fire is cancelled once one did.
pub async fn after_paint() {
    let Some(w) = web_sys::window() else { return };
    if is_hidden() {
        return;
    }
    let abort = web_sys::AbortController::new().ok();
    let mut frame = None;
    let mut timer = None;
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout = js_sys::Reflect::get(&w, &"setTimeout".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        if let Some(set_timeout) = set_timeout {
            let later = set_timeout.bind2(&w, &resolve, &0.into());
            frame = w.request_animation_frame(later.unchecked_ref()).ok();
        }
        timer = w
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, FRAME_PATIENCE_MS)
            .ok();
        if let (Some(d), Some(abort)) = (document(), &abort) {
            let opts = web_sys::AddEventListenerOptions::new();
            opts.set_once(true);
            opts.set_signal(&abort.signal());
            let _ = d.add_event_listener_with_callback_and_add_event_listener_options(
                "visibilitychange",
                &resolve,
                &opts,
            );
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    if let Some(f) = frame {
        let _ = w.cancel_animation_frame(f);
    }
    if let Some(t) = timer {
        w.clear_timeout_with_handle(t);
    }
    if let Some(abort) = abort {
        abort.abort();
    }
}

/// Listeners that call back when the page is hidden or left (`visibilitychange` to hidden,
/// `pagehide`); removed when dropped.
pub struct HideListeners {
    _visibility: gloo::events::EventListener,
    _pagehide: gloo::events::EventListener,
}

/// Calls `f` whenever the page is hidden or left.
pub fn on_hide(f: impl Fn() + 'static) -> Option<HideListeners> {
    let f = std::rc::Rc::new(f);
    let (d, w) = (document()?, web_sys::window()?);
    let g = f.clone();
    Some(HideListeners {
        _visibility: gloo::events::EventListener::new(&d, "visibilitychange", move |_| {
            if is_hidden() {
                g();
            }
        }),
        _pagehide: gloo::events::EventListener::new(&w, "pagehide", move |_| f()),
    })
}

/// Puts `text` on the clipboard; `Err` says why not (the browser refused, or has no
/// clipboard here).
pub async fn copy_text(text: &str) -> Result<(), String> {
    let clipboard = web_sys::window()
        .ok_or("no window")?
        .navigator()
        .clipboard();
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(|e| {
            e.dyn_ref::<web_sys::DomException>()
                .map_or_else(|| "the browser refused".to_string(), |ex| ex.message())
        })
}
