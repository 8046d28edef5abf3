//! DOM selection ↔ document offsets.
//!
//! The article's DOM follows one contract (written by `ui::block`):
//! - each block (see `model::document`) is `<p class="para" data-b=BLOCK data-p=PARAGRAPH
//!   data-o=START data-e=END>`; on long documents only the blocks near the view are drawn;
//! - each run of text is `<span class="seg" data-o=START data-e=END>` holding exactly one text
//!   node, whose text is the document's text from START to END (code points);
//! - decorations (chips, brackets) are elements without text.
//!
//! A DOM boundary point (node, offset) is UTF-16 within a text node, or a child index within an
//! element; both become a code-point offset here, and nowhere else.

use wasm_bindgen::JsCast;
use web_sys::{Element, Node, Range, Selection};

use crate::model::offsets::{cp_to_utf16, utf16_to_cp};
use crate::model::{Document, Span};

const SEG: &str = "seg";

fn attr_usize(el: &Element, name: &str) -> Option<usize> {
    el.get_attribute(name)?.parse().ok()
}

/// The segment element a text node belongs to.
fn segment_of(node: &Node) -> Option<Element> {
    let parent = node.parent_element()?;
    parent.class_list().contains(SEG).then_some(parent)
}

/// The node that follows `node`'s whole subtree in document order, staying inside `root`.
fn next_after_subtree(node: &Node, root: &Node) -> Option<Node> {
    let mut n = node.clone();
    loop {
        if n.is_same_node(Some(root)) {
            return None;
        }
        if let Some(s) = n.next_sibling() {
            return Some(s);
        }
        n = n.parent_node()?;
    }
}

/// The first segment at or after `node` in document order (inside `root`).
fn first_segment_from(node: Node, root: &Node) -> Option<Element> {
    let mut current = Some(node);
    while let Some(n) = current {
        if let Some(el) = n.dyn_ref::<Element>() {
            if el.class_list().contains(SEG) {
                return Some(el.clone());
            }
            if let Ok(Some(found)) = el.query_selector(".seg") {
                return Some(found);
            }
        } else if let Some(seg) = segment_of(&n) {
            return Some(seg);
        }
        current = next_after_subtree(&n, root);
    }
    None
}

/// The code-point offset of a DOM boundary point, clamped to the article: points before it map
/// to 0, points after it to the end of the text.
pub fn point_to_cp(article: &Element, doc_len: usize, node: &Node, offset: u32) -> usize {
    let root: &Node = article.as_ref();
    if !root.contains(Some(node)) {
        // DOCUMENT_POSITION_FOLLOWING (4): the node comes after the article.
        let after_article = root.compare_document_position(node) & 4 != 0;
        return if after_article { doc_len } else { 0 };
    }
    if node.node_type() == Node::TEXT_NODE {
        if let Some(seg) = segment_of(node) {
            let start = attr_usize(&seg, "data-o").unwrap_or(0);
            let text = node.text_content().unwrap_or_default();
            // Inside a surrogate pair (not reachable by a person's selection), round down.
            let mut unit = offset as usize;
            let cp = loop {
                match utf16_to_cp(&text, unit) {
                    Some(cp) => break cp,
                    None if unit == 0 => break 0,
                    None => unit -= 1,
                }
            };
            return start + cp;
        }
        // A stray text node: count it as the point after it.
        return next_after_subtree(node, root)
            .and_then(|n| first_segment_from(n, root))
            .and_then(|s| attr_usize(&s, "data-o"))
            .unwrap_or(doc_len);
    }
    let children = node.child_nodes();
    let from = if offset < children.length() {
        children.item(offset)
    } else {
        next_after_subtree(node, root)
    };
    from.and_then(|n| first_segment_from(n, root))
        .and_then(|s| attr_usize(&s, "data-o"))
        .unwrap_or(doc_len)
}

/// The code-point span of a DOM range, clamped to the article; `None` when empty.
pub fn range_to_span(article: &Element, doc_len: usize, range: &Range) -> Option<Span> {
    let start = point_to_cp(
        article,
        doc_len,
        &range.start_container().ok()?,
        range.start_offset().ok()?,
    );
    let end = point_to_cp(
        article,
        doc_len,
        &range.end_container().ok()?,
        range.end_offset().ok()?,
    );
    (start < end).then_some(Span::new(start, end))
}

pub fn selection() -> Option<Selection> {
    web_sys::window()?.get_selection().ok().flatten()
}

/// The current selection as a span of the article, if it has one that is not collapsed.
pub fn selected_span(article: &Element, doc_len: usize) -> Option<Span> {
    let sel = selection()?;
    if sel.range_count() == 0 || sel.is_collapsed() {
        return None;
    }
    range_to_span(article, doc_len, &sel.get_range_at(0).ok()?)
}

/// Whether the selection's focus (or caret) lies inside the article.
pub fn selection_in(article: &Element) -> bool {
    selection()
        .and_then(|s| s.focus_node())
        .is_some_and(|n| article.contains(Some(&n)))
}

/// The caret position (the selection's focus) in code points, when it is in the article.
pub fn caret_cp(article: &Element, doc_len: usize) -> Option<usize> {
    let sel = selection()?;
    let node = sel.focus_node()?;
    if !article.contains(Some(&node)) {
        return None;
    }
    Some(point_to_cp(article, doc_len, &node, sel.focus_offset()))
}

/// The DOM boundary point (text node, UTF-16 offset) of code point `cp`, when its block is
/// drawn. A position between blocks maps to the start of the next block (or the end of the
/// last one); where one block ends and the next begins (a long line cut in two), to the end of
/// the first, or with `forward` to the start of the second (where a selection starting there
/// belongs). Costs the segments of one block.
pub fn cp_to_point(
    article: &Element,
    doc: &Document,
    cp: usize,
    forward: bool,
) -> Option<(Node, u32)> {
    let blocks = doc.blocks();
    if blocks.is_empty() {
        return None;
    }
    let i = if forward {
        blocks.partition_point(|b| b.end <= cp)
    } else {
        blocks.partition_point(|b| b.end < cp)
    }
    .min(blocks.len() - 1);
    let cp = cp.clamp(blocks[i].start, blocks[i].end);
    let p = article
        .query_selector(&format!("p[data-b=\"{i}\"]"))
        .ok()??;
    let segs = p.query_selector_all(".seg").ok()?;
    for k in 0..segs.length() {
        let seg: Element = segs.item(k)?.dyn_into().ok()?;
        let (start, end) = (attr_usize(&seg, "data-o")?, attr_usize(&seg, "data-e")?);
        if start <= cp && cp <= end {
            let text_node = seg.first_child()?;
            let text = text_node.text_content().unwrap_or_default();
            return Some((text_node, cp_to_utf16(&text, cp - start) as u32));
        }
    }
    None
}

/// Selects `span` in the page, as if the person had dragged over it.
pub fn select_span(article: &Element, doc: &Document, span: Span) -> Option<()> {
    select_points(article, doc, span.start, span.end)
}

/// Selects from code point `anchor` to code point `focus` (either way round).
pub fn select_points(article: &Element, doc: &Document, anchor: usize, focus: usize) -> Option<()> {
    let (a, ao) = cp_to_point(article, doc, anchor, anchor <= focus)?;
    let (b, bo) = cp_to_point(article, doc, focus, focus <= anchor)?;
    selection()?.set_base_and_extent(&a, ao, &b, bo).ok()
}

/// Whether the selection has been lost from the article's text: it is not in a drawn block
/// any more (a redraw that moves a block's nodes puts it on the article itself).
pub fn selection_lost(article: &Element) -> bool {
    let Some(sel) = selection() else { return true };
    let in_block = |node: Option<Node>| {
        node.filter(|n| article.contains(Some(n)))
            .and_then(|n| match n.dyn_ref::<Element>() {
                Some(el) => Some(el.clone()),
                None => n.parent_element(),
            })
            .and_then(|el| el.closest("p.para").ok().flatten())
            .is_some()
    };
    !(in_block(sel.anchor_node()) && in_block(sel.focus_node()))
}

/// The selection's anchor and focus (or the caret, twice) in code points, when both are in
/// the article.
pub fn selection_cps(article: &Element, doc_len: usize) -> Option<(usize, usize)> {
    let sel = selection()?;
    let (a, f) = (sel.anchor_node()?, sel.focus_node()?);
    if !article.contains(Some(&a)) || !article.contains(Some(&f)) {
        return None;
    }
    Some((
        point_to_cp(article, doc_len, &a, sel.anchor_offset()),
        point_to_cp(article, doc_len, &f, sel.focus_offset()),
    ))
}

/// Puts a collapsed caret at `cp`.
pub fn place_caret(article: &Element, doc: &Document, cp: usize) -> Option<()> {
    let (n, o) = cp_to_point(article, doc, cp, true)?;
    selection()?.collapse_with_offset(Some(&n), o).ok()
}

/// The blocks holding the anchor and the focus of the selection (or the caret), when both
/// are in drawn blocks of the article.
pub fn selection_blocks(article: &Element) -> Option<(usize, usize)> {
    let sel = selection()?;
    let block = |node: Option<Node>| -> Option<usize> {
        let node = node?;
        if !article.contains(Some(&node)) {
            return None;
        }
        let el = match node.dyn_ref::<Element>() {
            Some(el) => el.clone(),
            None => node.parent_element()?,
        };
        attr_usize(&el.closest("p.para").ok()??, "data-b")
    };
    Some((block(sel.anchor_node())?, block(sel.focus_node())?))
}

/// Moves or extends the selection like a text editor would: `alter` is "move" or "extend",
/// `direction` "forward"/"backward", `granularity` "character", "word", "line" or
/// "lineboundary" (Selection.modify: non-standard, but in every engine people use). Never out
/// of the article: when the focus would leave it (past the first or last drawn block), it
/// stays where it was.
pub fn modify_selection_in(article: &Element, alter: &str, direction: &str, granularity: &str) {
    let Some(s) = selection() else { return };
    let before = s.focus_node().map(|n| (n, s.focus_offset()));
    let anchor = s.anchor_node().map(|n| (n, s.anchor_offset()));
    let _ = s.modify(alter, direction, granularity);
    let inside = s.focus_node().is_some_and(|n| article.contains(Some(&n)));
    if let (false, Some((node, offset))) = (inside, before) {
        match (alter, anchor) {
            ("extend", Some((a, ao))) => {
                let _ = s.set_base_and_extent(&a, ao, &node, offset);
            }
            _ => {
                let _ = s.collapse_with_offset(Some(&node), offset);
            }
        }
    }
}

/// Scrolls the page so that the selection's focus (the caret keyboard selection moves) is in
/// view, as a text editor keeps its caret in view.
pub fn scroll_focus_into_view() {
    let Some(sel) = selection() else { return };
    let Some(node) = sel.focus_node() else {
        return;
    };
    let Some(range) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_range().ok())
    else {
        return;
    };
    if range.set_start(&node, sel.focus_offset()).is_err() {
        return;
    }
    let r = range.get_bounding_client_rect();
    let (_, vh, _, _) = crate::dom::viewport();
    let margin = vh / 6.0;
    let dy = if r.bottom() > vh - margin {
        r.bottom() - (vh - margin)
    } else if r.top() < margin && (r.top() != 0.0 || r.bottom() != 0.0) {
        r.top() - margin
    } else {
        0.0
    };
    if dy != 0.0 {
        if let Some(w) = web_sys::window() {
            w.scroll_by_with_x_and_y(0.0, dy);
        }
    }
}

pub fn clear_selection() {
    if let Some(s) = selection() {
        let _ = s.remove_all_ranges();
    }
}

/// Viewport rectangles of the current selection: its first and last line boxes.
pub fn selection_rects() -> Option<(web_sys::DomRect, web_sys::DomRect)> {
    let sel = selection()?;
    if sel.range_count() == 0 {
        return None;
    }
    let range = sel.get_range_at(0).ok()?;
    let rects = range.get_client_rects()?;
    let n = rects.length();
    if n == 0 {
        let r = range.get_bounding_client_rect();
        return Some((r.clone(), r));
    }
    // Skip zero-width rects Chromium reports at line ends.
    let usable: Vec<web_sys::DomRect> = (0..n)
        .filter_map(|i| rects.item(i))
        .filter(|r| r.width() > 0.5)
        .collect();
    let first = usable.first().cloned().or_else(|| rects.item(0))?;
    let last = usable.last().cloned().or_else(|| rects.item(n - 1))?;
    Some((first, last))
}
