// Starts the WebAssembly app. Trunk is told not to inject its inline loader (Trunk.toml:
// inject_scripts = false) so that the Content-Security-Policy can forbid inline scripts.
import init from './marginalia-app.js';

// A link that opens a file (`?open=/path/on/this/site`): start fetching it now, while the
// WebAssembly compiles; the app takes the response from here (src/dom/files.rs), and checks
// the path again itself.
const open = new URLSearchParams(location.search).get('open');
if (open && open.startsWith('/') && !open.startsWith('//')) {
  globalThis.__marginaliaOpen = { path: open, response: fetch(open) };
}

try {
  await init({ module_or_path: new URL('./marginalia-app_bg.wasm', import.meta.url) });
} catch (err) {
  const app = document.getElementById('app');
  if (app) {
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    p.textContent = `Marginalia could not start: ${err}`;
    app.replaceChildren(p);
  }
  throw err;
}
