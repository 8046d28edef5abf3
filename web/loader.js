// Starts the WebAssembly app. Trunk is told not to inject its inline loader (Trunk.toml:
// inject_scripts = false) so that the Content-Security-Policy can forbid inline scripts.
import init from './marginalia-app.js';

// An internal error (a Rust panic, or any trap of the WebAssembly instance) stops the app's
// code for good: the notice is drawn here, by JavaScript alone, and the page behind it is made
// inert so that nothing reaches the stopped instance. The panic hook (src/dom/crash.rs) hands
// over the panic's message; a trap without one shows the error it threw.
const SAID = 'Marginalia hit an internal error; your work up to the last save is kept — reload to continue';
let crashed = null;
function showCrash(detail) {
  if (crashed) {
    if (detail && !crashed.textContent) crashed.textContent = detail;
    return;
  }
  const app = document.getElementById('app');
  if (app) app.inert = true;
  const backdrop = document.createElement('div');
  backdrop.className = 'backdrop crash-backdrop';
  const box = document.createElement('div');
  box.className = 'dialog crash';
  box.setAttribute('role', 'alertdialog');
  box.setAttribute('aria-modal', 'true');
  box.setAttribute('aria-labelledby', 'crash-title');
  box.setAttribute('aria-describedby', 'crash-said');
  const title = document.createElement('h2');
  title.id = 'crash-title';
  title.textContent = 'Internal error';
  const said = document.createElement('p');
  said.id = 'crash-said';
  said.textContent = `${SAID}.`;
  const label = document.createElement('p');
  label.className = 'muted';
  label.textContent = 'For a bug report, the error was:';
  crashed = document.createElement('pre');
  crashed.className = 'crash-detail';
  crashed.tabIndex = 0;
  crashed.setAttribute('aria-label', 'The error, for a bug report');
  crashed.textContent = detail || '';
  const buttons = document.createElement('p');
  buttons.className = 'crash-buttons';
  const reload = document.createElement('button');
  reload.type = 'button';
  reload.textContent = 'Reload';
  reload.addEventListener('click', () => location.reload());
  const copy = document.createElement('button');
  copy.type = 'button';
  copy.textContent = 'Copy the error';
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(crashed.textContent);
      copy.textContent = 'Copied';
    } catch {
      // Without clipboard access: select it, for Ctrl+C.
      getSelection()?.selectAllChildren(crashed);
    }
  });
  buttons.append(reload, copy);
  box.append(title, said, label, crashed, buttons);
  backdrop.append(box);
  document.body.append(backdrop);
  reload.focus();
}
globalThis.__marginaliaCrash = (message) => showCrash(String(message));
const trapped = (err) => err instanceof WebAssembly.RuntimeError;
addEventListener('error', (e) => {
  if (trapped(e.error)) showCrash(String(e.error?.stack ?? e.error));
});
addEventListener('unhandledrejection', (e) => {
  if (trapped(e.reason)) showCrash(String(e.reason?.stack ?? e.reason));
});

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
