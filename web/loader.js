// Starts the WebAssembly app. Trunk is told not to inject its inline loader (Trunk.toml:
// inject_scripts = false) so that the Content-Security-Policy can forbid inline scripts.
import init from './marginalia-app.js';

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
