// @recogito/recogito-js 1.8 in mode 'pre' (character offsets are the text's own), its editor
// popup enabled (the default), loaded through its own API: new Recogito({ content, mode }) +
// setAnnotations() with the W3C annotations (offsets in UTF-16 units, as it counts them).
// It wraps every annotation in <span class="r6o-annotation"> inside the text, 100 per frame.
import { B, loadCollection, newW3C, selectors, setText, utf16Offsets, wordInView } from './common.js';

const { text, items } = await loadCollection();
const el = document.getElementById('doc');
setText(el, text);
const u16 = utf16Offsets(text);

const byId = new Map();
const annotations = items.map((w) => {
  const { start, end } = selectors(w);
  const sel = [].concat(w.target.selector).map((s) =>
    s.type === 'TextPositionSelector' ? { ...s, start: u16(start), end: u16(end) } : s,
  );
  const a = { ...w, target: { ...w.target, selector: sel } };
  byId.set(a.id, a);
  return a;
});

const r = new Recogito.Recogito({ content: el, mode: 'pre' });
const spanOf = (id) => el.querySelector(`.r6o-annotation[data-id="${CSS.escape(id)}"]`);
const elWatch = { node: el, options: { subtree: true, childList: true, attributes: true } };

// All painted: setAnnotations() resolves once the last batch is wrapped; then its frame.
await r.setAnnotations(annotations);
B.loaded = await B.afterPaint();
B.loadInfo = {
  annotations: new Set([...el.querySelectorAll('.r6o-annotation')].map((s) => s.dataset.id)).size,
  expected: items.length,
};

let serial = 0;
window.__peer = {
  name: 'recogito-js',
  // (2) add through the API: performance.now() before addAnnotation() -> frame with its span.
  add(k) {
    const w = wordInView(el, k);
    if (!w) throw new Error('no word in view');
    const id = `bench-add-${++serial}`;
    const a = newW3C(id, text, w.start, w.end);
    byId.set(id, a);
    B.arm('add', () => spanOf(id) !== null, performance.now(), elWatch);
    r.addAnnotation(a);
  },
  pick(k) {
    const ids = [];
    for (const span of el.querySelectorAll('.r6o-annotation')) {
      const id = span.dataset.id;
      if (id.startsWith('bench-') || ids.includes(id)) continue;
      const r = span.getBoundingClientRect();
      if (r.top > innerHeight * 0.05 && r.bottom < innerHeight * 0.95) ids.push(id);
    }
    return ids.length ? ids[k % ids.length] : null;
  },
  // Scrolls an annotation to the middle of the view (when none is in view), as a person would.
  reveal(k) {
    const spans = [...el.querySelectorAll('.r6o-annotation')].filter((s) => !s.dataset.id.startsWith('bench-'));
    if (!spans.length) return false;
    spans[k % spans.length].scrollIntoView({ block: 'center', behavior: 'instant' });
    return true;
  },
  // (4) delete through the API; "undo" = adding it back (recogito-js has no undo).
  remove(id) {
    B.arm('delete', () => spanOf(id) === null, performance.now(), elWatch);
    r.removeAnnotation(byId.get(id));
  },
  undo(id) {
    B.arm('undo', () => spanOf(id) !== null, performance.now(), elWatch);
    r.addAnnotation(byId.get(id));
  },
  // Edit through the API: addAnnotation() with the same id and a new tag re-wraps it.
  edit(id) {
    const a = byId.get(id);
    const value = [].concat(a.body ?? [])[0]?.value === 'ORG' ? 'GPE' : 'ORG';
    const body = [{ type: 'TextualBody', purpose: 'tagging', value, format: 'text/plain' }];
    const next = { ...a, body };
    byId.set(id, next);
    B.arm('edit', () => true, performance.now(), elWatch);
    r.addAnnotation(next);
  },
  // (3) pointer-up -> its editor popup painted.
  armSelect() {
    B.arm('select', () => document.querySelector('.r6o-editor') !== null, 'pointerup');
  },
  // Closes the editor. (Not by Escape: recogito-js 1.8.4's Escape handler throws
  // "Cannot read properties of undefined (reading 'underlying')" after closing it.)
  reset() {
    r.selectAnnotation();
  },
  count: () => r.getAnnotations().length,
};
