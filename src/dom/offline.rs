//! Offline and installable: registers the service worker (web/sw.js, which keeps the app's
//! files in a cache named after the build), tells when a new version of the app is installed
//! and waiting, lets it take over and reloads the page, and tells whether the browser is
//! online. The only glue to `navigator.serviceWorker` and `navigator.onLine`.

use std::cell::Cell;
use std::rc::Rc;

use gloo::events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState};

/// The service worker's script, beside index.html (its folder is the worker's scope).
const SCRIPT: &str = "sw.js";

/// `navigator.serviceWorker`, where the browser has one (not in an insecure context, nor
/// where a privacy setting withholds it).
fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    let value = js_sys::Reflect::get(&navigator, &"serviceWorker".into()).ok()?;
    (!value.is_undefined() && !value.is_null()).then(|| value.unchecked_into())
}

/// What lives as long as the registration is watched: dropped, it stops calling back.
pub struct Watch {
    _listeners: Rc<std::cell::RefCell<Vec<EventListener>>>,
    _load: Option<EventListener>,
    alive: Rc<Cell<bool>>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.alive.set(false);
    }
}

/// Registers the service worker once the page has loaded (so that storing the app's files
/// does not compete with starting it), and calls `ready` when a new version is installed and
/// waits to take over: at once if one was already waiting, else when one finishes
/// installing. The browser looks for a new version on every visit; the page also asks
/// whenever it becomes visible again, for a tab left open for days.
pub fn register(ready: impl Fn() + 'static) -> Option<Watch> {
    let sw = container()?;
    let window = web_sys::window()?;
    let alive = Rc::new(Cell::new(true));
    let listeners = Rc::new(std::cell::RefCell::new(Vec::new()));
    let ready: Rc<dyn Fn()> = Rc::new(ready);
    let start = {
        let (alive, listeners) = (alive.clone(), listeners.clone());
        move || {
            let (alive, listeners, ready, sw) =
                (alive.clone(), listeners.clone(), ready.clone(), sw.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let reg = match JsFuture::from(sw.register(SCRIPT)).await {
                    Ok(reg) => reg.unchecked_into::<ServiceWorkerRegistration>(),
                    Err(e) => {
                        gloo::console::warn!("Marginalia: no offline copy:", e);
                        return;
                    }
                };
                if !alive.get() {
                    return;
                }
                watch(&reg, &sw, &listeners, &ready);
            });
        }
    };
    let complete = window
        .document()
        .is_some_and(|d| d.ready_state() == "complete");
    let load = if complete {
        start();
        None
    } else {
        Some(EventListener::once(&window, "load", move |_| start()))
    };
    Some(Watch {
        _listeners: listeners,
        _load: load,
        alive,
    })
}

/// Whether this page runs under a worker already (then a newly installed one is an update,
/// not the first copy).
fn controlled(sw: &ServiceWorkerContainer) -> bool {
    sw.controller().is_some()
}

fn watch(
    reg: &ServiceWorkerRegistration,
    sw: &ServiceWorkerContainer,
    listeners: &Rc<std::cell::RefCell<Vec<EventListener>>>,
    ready: &Rc<dyn Fn()>,
) {
    if reg.waiting().is_some() && controlled(sw) {
        ready();
    }
    let found = {
        let (reg2, sw, listeners2, ready) = (
            reg.clone(),
            sw.clone(),
            Rc::downgrade(listeners),
            ready.clone(),
        );
        EventListener::new(reg, "updatefound", move |_| {
            let Some(installing) = reg2.installing() else {
                return;
            };
            let (sw, ready, worker) = (sw.clone(), ready.clone(), installing.clone());
            let changed = EventListener::new(&installing, "statechange", move |_| {
                if worker.state() == ServiceWorkerState::Installed && controlled(&sw) {
                    ready();
                }
            });
            // Weakly held: the list must not keep itself alive once the watch is dropped.
            if let Some(l) = listeners2.upgrade() {
                l.borrow_mut().push(changed);
            }
        })
    };
    let mut l = listeners.borrow_mut();
    l.push(found);
    if let Some(d) = super::document() {
        let reg = reg.clone();
        l.push(EventListener::new(&d, "visibilitychange", move |_| {
            if !super::is_hidden() {
                // Fails offline: nothing to do then.
                if let Ok(p) = reg.update() {
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = JsFuture::from(p).await;
                    });
                }
            }
        }));
    }
}

/// Lets the waiting new version take over, then reloads the page under it (at once when
/// there is none, or when it has not taken over within a few seconds).
pub fn take_over_and_reload() {
    let reload = || {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    };
    let Some(sw) = container() else {
        return reload();
    };
    wasm_bindgen_futures::spawn_local(async move {
        let waiting = match JsFuture::from(sw.get_registration()).await {
            Ok(reg) if !reg.is_undefined() => {
                reg.unchecked_into::<ServiceWorkerRegistration>().waiting()
            }
            _ => None,
        };
        let Some(waiting) = waiting else {
            return reload();
        };
        let done = Rc::new(Cell::new(false));
        let once = {
            let done = done.clone();
            move || {
                if !done.replace(true) {
                    reload();
                }
            }
        };
        let on_change = once.clone();
        EventListener::once(&sw, "controllerchange", move |_| on_change()).forget();
        gloo::timers::callback::Timeout::new(4_000, once).forget();
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"type".into(), &JsValue::from_str("take-over"));
        let _ = waiting.post_message(&message);
    });
}

/// Whether the browser says it is online (`navigator.onLine`).
pub fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Calls `f(online)` whenever the browser goes online or offline; stops when dropped.
pub fn on_connectivity(f: impl Fn(bool) + 'static) -> Option<[EventListener; 2]> {
    let w = web_sys::window()?;
    let f = Rc::new(f);
    let g = f.clone();
    Some([
        EventListener::new(&w, "online", move |_| g(true)),
        EventListener::new(&w, "offline", move |_| f(false)),
    ])
}
