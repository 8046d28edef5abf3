// Shared by the peers' pages: fetches the W3C Web Annotation collection that
// `marginalia convert --to w3c` wrote (it carries the document's text as schema:text and the
// annotations with TextQuoteSelector + TextPositionSelector in code points), sets the text as
// paragraphs, and converts offsets to what the peers count (UTF-16 units of the DOM's text).
export const B = window.__bench;

export async function loadCollection() {
  const url = new URLSearchParams(location.search).get('data');
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const coll = await res.json();
  const about = coll['schema:about'];
  return {
    id: about['schema:identifier'],
    text: about['schema:text'],
    items: coll.first?.items ?? coll.items ?? [],
  };
}

/**
 * Sets `text` in `el` as <p class="para"> paragraphs (maximal runs of non-blank lines, as
 * Marginalia defines them). The blank lines between paragraphs stay as text nodes between
 * the <p>s (not rendered), so the element's text content is exactly the document's text and
 * character offsets into it are the document's offsets.
 */
export function setText(el, text) {
  const frag = document.createDocumentFragment();
  const sep = /\n(?:[^\S\n]*\n)+/g;
  let at = 0;
  const para = (s) => {
    if (!s) return;
    if (/^\s*$/.test(s)) frag.append(document.createTextNode(s));
    else {
      const p = document.createElement('p');
      p.className = 'para';
      p.textContent = s;
      frag.append(p);
    }
  };
  for (const m of text.matchAll(sep)) {
    para(text.slice(at, m.index));
    frag.append(document.createTextNode(m[0]));
    at = m.index + m[0].length;
  }
  para(text.slice(at));
  el.replaceChildren(frag);
  if (el.textContent.length !== text.length) throw new Error('the DOM text differs from the document');
}

/** Code point offset -> UTF-16 offset in `text` (identity when the text has no astral char). */
export function utf16Offsets(text) {
  if (!/[\uD800-\uDBFF]/.test(text)) return (cp) => cp;
  const map = [];
  let u = 0;
  for (const ch of text) {
    map.push(u);
    u += ch.length;
  }
  map.push(u);
  return (cp) => map[cp];
}

export function selectors(w3c) {
  const sel = [].concat(w3c.target?.selector ?? []);
  const quote = sel.find((s) => s.type === 'TextQuoteSelector');
  const pos = sel.find((s) => s.type === 'TextPositionSelector');
  return { quote: quote?.exact, start: pos?.start, end: pos?.end };
}

/** A W3C annotation over [start, end) (UTF-16 offsets into `text`), tagged as a claim. */
export function newW3C(id, text, start, end, value = 'CLAIM') {
  return {
    '@context': 'http://www.w3.org/ns/anno.jsonld',
    id,
    type: 'Annotation',
    motivation: 'tagging',
    body: [{ type: 'TextualBody', purpose: 'tagging', value, format: 'text/plain' }],
    target: {
      selector: [
        { type: 'TextQuoteSelector', exact: text.slice(start, end) },
        { type: 'TextPositionSelector', start, end },
      ],
    },
  };
}

/** The word at the middle of the view (for API adds): UTF-16 [start, end) in the text. */
export function wordInView(el, k = 0) {
  const rect = el.getBoundingClientRect();
  for (let dy = 0; dy < innerHeight * 0.4; dy += 23) {
    const y = innerHeight * (0.35 + 0.05 * (k % 6)) + dy;
    const x = rect.left + rect.width * 0.4;
    const r = document.caretRangeFromPoint(x, y);
    if (!r || r.startContainer.nodeType !== Node.TEXT_NODE || !el.contains(r.startContainer)) continue;
    const node = r.startContainer;
    const data = node.data;
    let s = r.startOffset;
    let e = s;
    const isW = (c) => /[\p{L}\p{N}]/u.test(c ?? '');
    while (s > 0 && isW(data[s - 1])) s--;
    while (e < data.length && isW(data[e])) e++;
    if (e - s < 3) continue;
    // Offset of the node in the element's text.
    const before = document.createRange();
    before.setStart(el, 0);
    before.setEnd(node, s);
    const base = before.toString().length;
    return { start: base, end: base + (e - s) };
  }
  return null;
}
