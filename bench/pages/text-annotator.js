// @recogito/text-annotator 4.x with its default renderer (SPANS: absolutely positioned spans in
// a layer over the text, drawn for the annotations in view), loaded through its own API:
// createTextAnnotator(el) + setAnnotations(), annotations in its native model (converted from
// the W3C collection here, so no W3C adapter serialises on each event).
import { B, loadCollection, selectors, setText, utf16Offsets, wordInView } from './common.js';

const { text, items } = await loadCollection();
const el = document.getElementById('doc');
setText(el, text);
const u16 = utf16Offsets(text);

const toNative = (w) => {
  const { quote, start, end } = selectors(w);
  const bodies = [].concat(w.body ?? []).map((b, i) => ({
    id: `${w.id}#b${i}`,
    annotation: w.id,
    purpose: b.purpose,
    value: b.value,
  }));
  return {
    id: w.id,
    bodies,
    target: {
      annotation: w.id,
      created: w.created ? new Date(w.created) : undefined,
      selector: [{ quote, start: u16(start), end: u16(end) }],
    },
  };
};

const anno = RecogitoJS.createTextAnnotator(el);
const layer = el.querySelector('.r6o-span-highlight-layer');
const painted = (id) => layer.querySelector(`[data-annotation="${CSS.escape(id)}"]`) !== null;
const layerWatch = { node: layer, options: { childList: true } };

// All painted: the first frame after setAnnotations() in which the layer holds highlights (or,
// with none in view, the frame after the first redraw).
const annotations = items.map(toNative);
B.arm('load', () => layer.childElementCount > 0, 0, layerWatch);
const offRedraw = anno.renderer.on('onRedraw', () => B.armed.load.finish());
anno.setAnnotations(annotations);
B.loaded = await B.armed.load.promise;
offRedraw();
B.loadInfo = { annotations: anno.getAnnotations().length, expected: items.length };

let serial = 0;
let selectEventAt = null;
let selectHandler = null;
window.__peer = {
  name: 'text-annotator',
  // (2) add through the API: performance.now() before addAnnotation() -> frame with its span.
  add(k) {
    const w = wordInView(el, k);
    if (!w) throw new Error('no word in view');
    const id = `bench-add-${++serial}`;
    const a = {
      id,
      bodies: [{ id: `${id}#b0`, annotation: id, purpose: 'tagging', value: 'CLAIM' }],
      target: { annotation: id, created: new Date(), selector: [{ quote: text.slice(w.start, w.end), ...w }] },
    };
    B.arm('add', () => painted(id), performance.now(), layerWatch);
    anno.addAnnotation(a);
  },
  // An annotation painted near the middle of the view.
  pick(k) {
    const spans = [...layer.children].filter((s) => {
      const r = s.getBoundingClientRect();
      return r.top > innerHeight * 0.05 && r.bottom < innerHeight * 0.95;
    });
    const ids = [...new Set(spans.map((s) => s.dataset.annotation))].filter((id) => !id.startsWith('bench-'));
    return ids.length ? ids[k % ids.length] : null;
  },
  // Scrolls an annotation to the middle of the view (when none is in view), as a person would.
  reveal(k) {
    const all = anno.getAnnotations().filter((a) => !a.id.startsWith('bench-'));
    if (!all.length) return false;
    const a = all[k % all.length];
    const r = a.target.selector[0].range.getBoundingClientRect();
    scrollBy({ top: r.top - innerHeight / 2, behavior: 'instant' });
    return true;
  },
  // (4) delete through the API, then its undo (annotator.undo()).
  remove(id) {
    B.arm('delete', () => !painted(id), performance.now(), layerWatch);
    anno.removeAnnotation(id);
  },
  undo(id) {
    if (!anno.canUndo()) throw new Error('nothing to undo');
    B.arm('undo', () => painted(id), performance.now(), layerWatch);
    anno.undo();
  },
  // Edit through the API: a new tag on an annotation in view -> the frame after its redraw.
  edit(id) {
    const a = anno.getAnnotationById(id);
    const value = a.bodies[0]?.value === 'ORG' ? 'GPE' : 'ORG';
    const bodies = [{ id: `${id}#b0`, annotation: id, purpose: 'tagging', value }];
    B.arm('edit', () => true, performance.now(), layerWatch);
    anno.updateAnnotation({ ...a, bodies });
  },
  // (3) pointer-up -> the selection event, and the frame that paints the new selection.
  armSelect() {
    let wanted = null;
    selectEventAt = null;
    if (selectHandler) anno.off('selectionChanged', selectHandler);
    B.arm('select', () => wanted !== null && painted(wanted), 'pointerup', layerWatch);
    const handler = (selected) => {
      if (!selected?.length) return;
      wanted = selected[0].id;
      selectEventAt = performance.now();
      anno.off('selectionChanged', handler);
      selectHandler = null;
      if (painted(wanted)) B.armed.select.finish();
    };
    selectHandler = handler;
    anno.on('selectionChanged', handler);
  },
  // When the selectionChanged event of the last drag reached the page, after its pointer-up.
  selectEvent: () => (selectEventAt === null ? null : selectEventAt - B.events.pointerup.t),
  reset() {
    anno.cancelSelected();
    document.getSelection().removeAllRanges();
  },
  count: () => anno.getAnnotations().length,
};
