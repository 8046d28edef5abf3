// Starts the formats worker (src/bin/worker.rs). wasm-bindgen's no-modules glue defines the
// global `wasm_bindgen`; trunk builds it from the worker link in index.html.
importScripts('./marginalia-worker.js');
wasm_bindgen({ module_or_path: './marginalia-worker_bg.wasm' });
