//! Files in and out: downloads made from bytes in memory (no request leaves the page), and
//! reading a file a person chose or dropped.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Offers `bytes` as a download named `name`.
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)
        .map_err(|e| format!("{e:?}"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    let document = super::document().ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.set_rel("noopener");
    document
        .body()
        .ok_or("no body")?
        .append_child(&a)
        .map_err(|e| format!("{e:?}"))?;
    a.click();
    a.remove();
    // Revoke after the click has been handled.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000);
    }
    Ok(())
}

/// A file a person chose or dropped: its name, size and bytes.
pub struct Picked {
    pub name: String,
    pub size: u64,
    file: web_sys::File,
}

impl Picked {
    pub fn new(file: web_sys::File) -> Self {
        Picked {
            name: file.name(),
            size: file.size() as u64,
            file,
        }
    }

    /// Reads the whole file. Callers check `size` first, so a huge file is never read.
    pub async fn bytes(&self) -> Result<Vec<u8>, String> {
        let buf = JsFuture::from(self.file.array_buffer())
            .await
            .map_err(|e| format!("the file could not be read ({e:?})"))?;
        Ok(js_sys::Uint8Array::new(&buf).to_vec())
    }
}

/// The first file of a file list (from an `<input type=file>` or a drop).
pub fn first_file(list: Option<web_sys::FileList>) -> Option<Picked> {
    list.and_then(|l| l.get(0)).map(Picked::new)
}

/// Every file of a file list (several picked or dropped together).
pub fn all_files(list: Option<web_sys::FileList>) -> Vec<Picked> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i))
        .map(Picked::new)
        .collect()
}

/// Fetches a file from this site (the Content-Security-Policy allows no other origin).
pub async fn fetch_same_origin(path: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    // The loader may have started this fetch already (web/loader.js).
    let early = js_sys::Reflect::get(&window, &"__marginaliaOpen".into())
        .ok()
        .filter(|v| {
            js_sys::Reflect::get(v, &"path".into())
                .ok()
                .and_then(|p| p.as_string())
                .as_deref()
                == Some(path)
        })
        .and_then(|v| js_sys::Reflect::get(&v, &"response".into()).ok())
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
    let promise = early.unwrap_or_else(|| window.fetch_with_str(path));
    let response: web_sys::Response = JsFuture::from(promise)
        .await
        .map_err(|e| format!("could not be fetched ({e:?})"))?
        .unchecked_into();
    if !response.ok() {
        return Err(format!(
            "the site answered {} {}",
            response.status(),
            response.status_text()
        ));
    }
    let buf = JsFuture::from(response.array_buffer().map_err(|e| format!("{e:?}"))?)
        .await
        .map_err(|e| format!("could not be read ({e:?})"))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}
