//! brat standoff, in a zip: `<id>.txt` (the document text, byte for byte), `<id>.ann` (the
//! annotations) and `annotation.conf` (the scheme, in brat's configuration language), where
//! `<id>` is `safe_file_stem(document id)`.
//!
//! ## Offsets
//! brat offsets count characters of the `.txt` *as brat reads it*: brat opens text files with
//! `codecs.open(…, 'rU', encoding='utf8')` (`open_textfile` in brat's
//! `server/src/annotation.py`), that is with universal newlines, so a `\r\n` is one character
//! (`\n`) and a lone `\r` becomes `\n`. Python 3's `open(path, encoding="utf-8")`, which brat
//! parsers on PyPI use (pybrat's `_parse_text`), reads the same way. The `.txt` keeps the text
//! exactly (CRLF stays CRLF), and the `.ann` counts code points of that universal-newline
//! view: after each `\r\n`, brat offsets are one less per pair than Marginalia's. For LF-only
//! texts the two are equal. [`View`] converts.
//!
//! ## Lines
//! - An entity: `T1\tORG 32 52\tHayat Tahrir al-Sham`.
//! - A span crossing a line break (brat's `.ann` is line-oriented, so a text-bound annotation
//!   cannot contain one; brat issue #786): split at the line breaks, which are dropped, into
//!   brat's discontinuous form `T2\tContent 10 20;21 30\tfirst line second line` (fragment
//!   texts joined by one space, brat's `DISCONT_SEP`). Reading joins the fragments back into
//!   one span, from the first start to the last end, when only whitespace separates them.
//! - A quote, following PolNeAR's attribution convention (its `.ann` files write
//!   `T4\tAttribution 6 24` over the cue's offsets, then
//!   `E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1`): a `Source` span (when the speaker is
//!   an entity of the text: over the entity's offsets), a `Cue` span (when it has a cue), the
//!   `Content` span (the quote), the `Attribution` trigger (over the cue; over the quote when
//!   there is no cue, since a brat event needs a trigger), and the event. A direct quote has
//!   the binary attribute `A1\tDirect E1` (absent: indirect). A speaker who is a name, not a
//!   span, is a note on the event: `#1\tAnnotatorNotes E1\tspeaker: <name>`.
//! - A claim: `T7\tClaim …`, `R1\tClaimant Arg1:T7 Arg2:T2` to the claimant entity,
//!   `A2\tCheckworthiness T7 CFS`; a claimant who is a name: `#2\tAnnotatorNotes T7\tclaimant:
//!   <name>`.
//! - A note: `#3\tAnnotatorNotes T1\t<note>` on the entity's, quote's `Content` or claim's
//!   span, line breaks and tabs replaced by spaces.
//!
//! ## Reading
//! Only a zip is read (a bare `.ann` lacks the text it points into). [`import`] reads a zip of
//! exactly one `.txt`/`.ann` pair with the same path but for the extension; a zip of several is
//! a corpus, each pair read on its own ([`import_pairs`], for `formats::corpus`); other entries,
//! `annotation.conf` included, are ignored. A line that is not brat syntax, a repeated id, or a
//! text-bound line whose text is not the `.txt` at its offsets refuses the file, naming the
//! line. Everything else brat writes is held (the open schema, `model::annotation::Extra`):
//! - a text-bound line of any type is an entity of that type; fragments separated by text are
//!   one discontinuous annotation;
//! - an event of another type than Attribution is held by its trigger's annotation, with its
//!   role arguments (an argument naming an event stands for its trigger's annotation);
//! - a relation of any type is held by its `Arg1` (or first argument), pointing at the other,
//!   with role names other than `Arg1`/`Arg2` kept; a `Claimant` from a claim to an entity is
//!   the claim's claimant, as before;
//! - attributes (`A`/`M`, binary or valued) on text-bound lines, relations and events;
//!   `N … Reference` normalisations; `AnnotatorNotes` on any of them, notes of other types
//!   (`#1 Lemma T1`) on text-bound lines.
//!
//! What the model cannot hold is skipped, one [`Problem`] each (the page lists them before
//! the person confirms), whose `index` is the `.ann` line (0-based) and `id` the brat id:
//! entities across paragraphs, a second event on one trigger, equivalences (`*`), notes of
//! other types on relations and events, a type or role that cannot be a name (a space, more
//! than 40 characters), an attribute set twice, and what points at something not imported.
//! Ids are made afresh: `e1`, `q2`, `c3`… in text order. Labels are the defaults plus every
//! entity type and check-worthiness value the file uses.
//!
//! Writing gives the same lines back, up to ids and order (`core/tests/brat_round_trip.rs`, on
//! the six pairs of the third-party corpus), and `annotation.conf` declares the relation and
//! event types, roles and attributes used ([`Declared`]).
//!
//! ## What brat does not carry
//! Ids, times, the annotator and the title (the document id, from the `.txt` name, stands in);
//! line breaks and tabs in notes and names (they become spaces); line breaks at the very start
//! or end of a span; which entity a speaker is when two entities share the speaker's span (the
//! first in the file is taken); a claim note beginning with `claimant: ` on a claim without
//! claimant (it reads back as the claimant). Entity labels named like the structure (`Source`,
//! `Cue`, `Content`, `Claim`, `Attribution`) read back as structure. brat renames, in its
//! configuration only, types outside `[A-Za-z0-9_-]` (`projectconfig.py`); such labels are
//! written as they are and brat shows them as unconfigured types.
//!
//! Why one file of ~1,900 lines: brat's standoff is one line grammar read and written in one place
//! (the universal-newline view, fragments, the PolNeAR event convention, `annotation.conf`), and
//! the export and the import must agree line by line; this documentation is the format's
//! specification. Its tests are in `brat_tests.rs`.

use crate::model::sort;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::native::{Imported, Problem};
use super::zip;
use super::{
    check_document_text, safe_file_stem, short, Bundle, FileError, Growing, MAX_FILE_BYTES,
};
use crate::model::annotation::{Attributes, Event, Extra, Norm, Relation, TypedNote, Value};
use crate::model::blanks::Blanks;
use crate::model::labels::validate_label;
use crate::model::{Annotation, Body, Document, Kind, Labels, Party, Span, Timestamp};

/// The name of the scheme file in the archive.
pub const CONF_FILE: &str = "annotation.conf";

const SOURCE: &str = "Source";
const CUE: &str = "Cue";
const CONTENT: &str = "Content";
const CLAIM: &str = "Claim";
const ATTRIBUTION: &str = "Attribution";
const CLAIMANT: &str = "Claimant";
const DIRECT: &str = "Direct";
const CHECKWORTHINESS: &str = "Checkworthiness";
const NOTES: &str = "AnnotatorNotes";
const REFERENCE: &str = "Reference";
use super::native_extra::{ARG1, ARG2};
const SPEAKER_NOTE: &str = "speaker: ";
const CLAIMANT_NOTE: &str = "claimant: ";

/// The `.txt` as brat reads it: universal newlines (`\r\n` is one character), and a leading
/// byte-order mark, when the file has one, as a character of its own.
#[derive(Clone, Debug)]
struct View {
    /// Marginalia offset of the `\r` of each `\r\n`.
    raw_cr: Vec<usize>,
    /// brat offset (without the mark) of the `\n` each `\r\n` becomes.
    collapsed: Vec<usize>,
    /// 1 when the file starts with a byte-order mark.
    bom: usize,
    /// Length in brat characters.
    len: usize,
}

impl View {
    fn new(text: &str, bom: bool) -> View {
        let mut raw_cr = Vec::new();
        let mut collapsed = Vec::new();
        let mut prev_cr = false;
        let mut cp = 0;
        for c in text.chars() {
            if c == '\n' && prev_cr {
                collapsed.push(cp - 1 - raw_cr.len());
                raw_cr.push(cp - 1);
            }
            prev_cr = c == '\r';
            cp += 1;
        }
        let bom = bom as usize;
        View {
            len: cp - raw_cr.len() + bom,
            raw_cr,
            collapsed,
            bom,
        }
    }

    /// The brat offset of a Marginalia offset (not inside a `\r\n`).
    fn to_brat(&self, raw: usize) -> usize {
        raw - self.raw_cr.partition_point(|&p| p + 1 < raw) + self.bom
    }

    /// The Marginalia offset of a brat offset (at most `len`); the mark maps to 0.
    fn to_raw(&self, brat: usize) -> usize {
        let b = brat.saturating_sub(self.bom);
        b + self.collapsed.partition_point(|&c| c < b)
    }

    /// The characters brat sees at `start..end` (brat offsets), one by one: what
    /// [`View::slice`] holds, without building it.
    fn chars<'a>(
        &self,
        doc: &'a Document,
        start: usize,
        end: usize,
    ) -> impl Iterator<Item = char> + 'a {
        let raw = doc.slice(Span::new(self.to_raw(start), self.to_raw(end)));
        let mark = (self.bom == 1 && start == 0 && end > 0).then_some('\u{feff}');
        let mut rest = raw.chars().peekable();
        let body = std::iter::from_fn(move || {
            let c = rest.next()?;
            if c != '\r' {
                return Some(c);
            }
            if rest.peek() == Some(&'\n') {
                rest.next();
            }
            Some('\n')
        });
        mark.into_iter().chain(body)
    }

    /// The text brat sees at `start..end` (brat offsets).
    fn slice<'a>(&self, doc: &'a Document, start: usize, end: usize) -> Cow<'a, str> {
        let raw = doc.slice(Span::new(self.to_raw(start), self.to_raw(end)));
        let mark = self.bom == 1 && start == 0 && end > 0;
        if !mark && !raw.contains('\r') {
            return Cow::Borrowed(raw);
        }
        let mut s = String::with_capacity(raw.len() + 3);
        if mark {
            s.push('\u{feff}');
        }
        s.push_str(&raw.replace("\r\n", "\n").replace('\r', "\n"));
        Cow::Owned(s)
    }
}

/// Characters that end a line for brat (Python's `str.splitlines`, which brat's Python 2
/// reader iterates `.ann` lines with) and for the universal-newline reading of the `.txt`.
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\u{b}'
            | '\u{c}'
            | '\u{1c}'
            | '\u{1d}'
            | '\u{1e}'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// A note or name on one line: line breaks and tabs become spaces.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if is_line_break(c) || c == '\t' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The pieces of `span` between line breaks (Marginalia offsets), dropping the breaks. A
/// whitespace-only piece between two others is dropped too: joining restores it.
fn fragments(doc: &Document, span: Span) -> Vec<Span> {
    let mut pieces = Vec::new();
    let mut start = None;
    let mut cp = span.start;
    for c in doc.slice(span).chars() {
        if is_line_break(c) {
            if let Some(s) = start.take() {
                pieces.push(Span::new(s, cp));
            }
        } else if start.is_none() {
            start = Some(cp);
        }
        cp += 1;
    }
    if let Some(s) = start {
        pieces.push(Span::new(s, cp));
    }
    let last = pieces.len().saturating_sub(1);
    pieces
        .into_iter()
        .enumerate()
        .filter(|(i, p)| *i == 0 || *i == last || !doc.slice(*p).trim().is_empty())
        .map(|(_, p)| p)
        .collect()
}

// ---- export ----

/// A text-bound annotation to write.
struct Tb {
    n: usize,
    ty: String,
    frags: Vec<Span>,
}

enum Item<'a> {
    Entity(&'a Annotation, Tb),
    Quote {
        ann: &'a Annotation,
        source: Option<Tb>,
        cue: Option<Tb>,
        content: Tb,
        trigger: Tb,
    },
    Claim(&'a Annotation, Tb),
}

/// The `.ann` of a bundle.
pub fn export_ann(bundle: &Bundle) -> String {
    let doc = &bundle.document;
    let view = View::new(doc.text(), false);
    let mut anns: Vec<&Annotation> = bundle.annotations.iter().collect();
    sort::sort_by(&mut anns, |a, b| a.sort_key().cmp(&b.sort_key()));
    let frags: HashMap<&str, Vec<Span>> = anns
        .iter()
        .map(|a| {
            let pieces = a.fragments().into_iter();
            (
                a.id.as_str(),
                pieces.flat_map(|p| fragments(doc, p)).collect(),
            )
        })
        .filter(|(_, f): &(&str, Vec<Span>)| !f.is_empty())
        .collect();
    let entity_span: HashMap<&str, Span> = anns
        .iter()
        .filter(|a| a.kind() == Kind::Entity && frags.contains_key(a.id.as_str()))
        .map(|a| (a.id.as_str(), a.span))
        .collect();

    // Number the text-bound annotations first: claims link to entities written later.
    let mut n = 0;
    let mut tb = |ty: &str, frags: Vec<Span>| {
        n += 1;
        Tb {
            n,
            ty: ty.to_string(),
            frags,
        }
    };
    let mut items = Vec::new();
    let mut entity_t: HashMap<&str, usize> = HashMap::new();
    for a in &anns {
        let Some(f) = frags.get(a.id.as_str()) else {
            continue; // only line breaks: nothing brat can mark
        };
        match &a.body {
            Body::Entity { label } => {
                let t = tb(label, f.clone());
                entity_t.insert(&a.id, t.n);
                items.push(Item::Entity(a, t));
            }
            Body::Quote { speaker, cue, .. } => {
                let source = match speaker {
                    Some(Party::Ref(id)) => entity_span
                        .get(id.as_str())
                        .map(|s| tb(SOURCE, fragments(doc, *s))),
                    _ => None,
                };
                let cue_frags = cue.map(|c| fragments(doc, c)).filter(|f| !f.is_empty());
                let cue = cue_frags.clone().map(|f| tb(CUE, f));
                let content = tb(CONTENT, f.clone());
                let trigger = tb(ATTRIBUTION, cue_frags.unwrap_or_else(|| f.clone()));
                items.push(Item::Quote {
                    ann: a,
                    source,
                    cue,
                    content,
                    trigger,
                });
            }
            Body::Claim { .. } => items.push(Item::Claim(a, tb(CLAIM, f.clone()))),
        }
    }

    // The T line standing for each annotation (a quote's Content), and the E line of each
    // annotation holding an event (numbered after the quotes' Attribution events).
    let mut t_of: HashMap<&str, usize> = HashMap::new();
    for item in &items {
        let (a, t) = match item {
            Item::Entity(a, t) | Item::Claim(a, t) => (a, t),
            Item::Quote { ann, content, .. } => (ann, content),
        };
        t_of.insert(&a.id, t.n);
    }
    let quotes = items
        .iter()
        .filter(|i| matches!(i, Item::Quote { .. }))
        .count();
    let e_of: HashMap<&str, usize> = items
        .iter()
        .map(|i| match i {
            Item::Entity(a, _) | Item::Claim(a, _) => *a,
            Item::Quote { ann, .. } => *ann,
        })
        .filter(|a| a.extra().event.is_some())
        .enumerate()
        .map(|(k, a)| (a.id.as_str(), quotes + k + 1))
        .collect();
    let brat_ref = |id: &str| match (e_of.get(id), t_of.get(id)) {
        (Some(e), _) => Some(format!("E{e}")),
        (None, Some(t)) => Some(format!("T{t}")),
        _ => None,
    };

    let mut out = String::new();
    let (mut e, mut r, mut attr, mut note) = (0, 0, 0, 0);
    let mut norm = 0;
    let t_line = |out: &mut String, t: &Tb| {
        let offsets: Vec<String> = t
            .frags
            .iter()
            .map(|f| format!("{} {}", view.to_brat(f.start), view.to_brat(f.end)))
            .collect();
        let texts: Vec<&str> = t.frags.iter().map(|f| doc.slice(*f)).collect();
        out.push_str(&format!(
            "T{}\t{} {}\t{}\n",
            t.n,
            t.ty,
            offsets.join(";"),
            texts.join(" ")
        ));
    };
    let mut note_line = |out: &mut String, kind: &str, target: &str, text: &str| {
        let text = one_line(text);
        if !text.trim().is_empty() {
            note += 1;
            out.push_str(&format!("#{note}\t{kind} {target}\t{text}\n"));
        }
    };
    let attr_lines = |out: &mut String, attr: &mut usize, target: &str, attrs: &Attributes| {
        for (name, value) in attrs {
            *attr += 1;
            match value {
                Value::Flag => out.push_str(&format!("A{attr}\t{name} {target}\n")),
                Value::Text(v) => {
                    out.push_str(&format!("A{attr}\t{name} {target} {}\n", one_word(v)))
                }
            }
        }
    };
    // The counters of R and A lines are shared with the journalism kinds' lines: passed in.
    let mut extra_lines = |out: &mut String,
                           note_line: &mut dyn FnMut(&mut String, &str, &str, &str),
                           (r, attr): (&mut usize, &mut usize),
                           a: &Annotation| {
        let extra = a.extra();
        let t = format!("T{}", t_of[a.id.as_str()]);
        attr_lines(out, attr, &t, &extra.attributes);
        for n in &extra.norms {
            norm += 1;
            out.push_str(&format!(
                "N{norm}\t{REFERENCE} {t} {}:{}\t{}\n",
                one_word(&n.resource),
                one_word(&n.entry),
                one_line(&n.label)
            ));
        }
        for n in &extra.notes {
            note_line(out, &one_word(&n.kind), &t, &n.text);
        }
        for rel in &extra.relations {
            let Some(target) = brat_ref(&rel.target) else {
                continue; // a target brat cannot mark (only line breaks)
            };
            let (r1, r2) = rel
                .roles
                .as_ref()
                .map_or((ARG1, ARG2), |(x, y)| (x.as_str(), y.as_str()));
            *r += 1;
            out.push_str(&format!(
                "R{r}\t{} {}:{t} {}:{target}\n",
                one_word(&rel.kind),
                one_word(r1),
                one_word(r2)
            ));
            attr_lines(out, attr, &format!("R{r}"), &rel.attributes);
            note_line(out, NOTES, &format!("R{r}"), &rel.note);
        }
        if let Some(ev) = &extra.event {
            let id = format!("E{}", e_of[a.id.as_str()]);
            out.push_str(&format!("{id}\t{}:{t}", one_word(&ev.kind)));
            for (role, target) in &ev.args {
                if let Some(target) = brat_ref(target) {
                    out.push_str(&format!(" {}:{target}", one_word(role)));
                }
            }
            out.push('\n');
            attr_lines(out, attr, &id, &ev.attributes);
            note_line(out, NOTES, &id, &ev.note);
        }
    };
    for item in &items {
        match item {
            Item::Entity(a, t) => {
                t_line(&mut out, t);
                note_line(&mut out, NOTES, &format!("T{}", t.n), &a.note);
                extra_lines(&mut out, &mut note_line, (&mut r, &mut attr), a);
            }
            Item::Quote {
                ann,
                source,
                cue,
                content,
                trigger,
            } => {
                for t in [source.as_ref(), cue.as_ref(), Some(content), Some(trigger)]
                    .into_iter()
                    .flatten()
                {
                    t_line(&mut out, t);
                }
                e += 1;
                out.push_str(&format!(
                    "E{e}\t{ATTRIBUTION}:T{} {CONTENT}:T{}",
                    trigger.n, content.n
                ));
                if let Some(c) = cue {
                    out.push_str(&format!(" {CUE}:T{}", c.n));
                }
                if let Some(s) = source {
                    out.push_str(&format!(" {SOURCE}:T{}", s.n));
                }
                out.push('\n');
                if let Body::Quote {
                    speaker, direct, ..
                } = &ann.body
                {
                    if *direct {
                        attr += 1;
                        out.push_str(&format!("A{attr}\t{DIRECT} E{e}\n"));
                    }
                    if let Some(Party::Name(name)) = speaker {
                        note_line(
                            &mut out,
                            NOTES,
                            &format!("E{e}"),
                            &format!("{SPEAKER_NOTE}{name}"),
                        );
                    }
                }
                note_line(&mut out, NOTES, &format!("T{}", content.n), &ann.note);
                extra_lines(&mut out, &mut note_line, (&mut r, &mut attr), ann);
            }
            Item::Claim(a, t) => {
                t_line(&mut out, t);
                if let Body::Claim {
                    claimant,
                    checkworthiness,
                } = &a.body
                {
                    match claimant {
                        Some(Party::Ref(id)) => {
                            if let Some(target) = entity_t.get(id.as_str()) {
                                r += 1;
                                out.push_str(&format!(
                                    "R{r}\t{CLAIMANT} Arg1:T{} Arg2:T{target}\n",
                                    t.n
                                ));
                            }
                        }
                        Some(Party::Name(name)) => {
                            note_line(
                                &mut out,
                                NOTES,
                                &format!("T{}", t.n),
                                &format!("{CLAIMANT_NOTE}{name}"),
                            );
                        }
                        None => {}
                    }
                    if let Some(value) = checkworthiness {
                        attr += 1;
                        out.push_str(&format!("A{attr}\t{CHECKWORTHINESS} T{} {value}\n", t.n));
                    }
                }
                note_line(&mut out, NOTES, &format!("T{}", t.n), &a.note);
                extra_lines(&mut out, &mut note_line, (&mut r, &mut attr), a);
            }
        }
    }
    out
}

/// A name or value as one brat token: whitespace becomes `_` (brat splits these fields at
/// spaces).
fn one_word(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join("_")
}

/// The open schema's types an export uses, for `annotation.conf`: relation types with their
/// role names, event types with theirs, attribute names with their values and what they apply
/// to (`<ENTITY>`, `<EVENT>`, `<RELATION>`), each in the order first met.
#[derive(Default)]
pub struct Declared {
    relations: Vec<(String, (String, String))>,
    events: Vec<(String, Vec<String>)>,
    attributes: Vec<(String, Vec<&'static str>, Vec<String>)>,
}

impl Declared {
    /// What the annotations of these bundles use.
    pub fn of<'a>(bundles: impl IntoIterator<Item = &'a Bundle>) -> Declared {
        let mut d = Declared::default();
        for b in bundles {
            for a in &b.annotations {
                let e = a.extra();
                d.attributes_of("<ENTITY>", &e.attributes);
                for r in &e.relations {
                    let roles = r
                        .roles
                        .clone()
                        .unwrap_or_else(|| (ARG1.to_string(), ARG2.to_string()));
                    if !d.relations.iter().any(|(k, _)| *k == r.kind) {
                        d.relations.push((one_word(&r.kind), roles));
                    }
                    d.attributes_of("<RELATION>", &r.attributes);
                }
                if let Some(ev) = &e.event {
                    let at = match d.events.iter().position(|(k, _)| *k == ev.kind) {
                        Some(at) => at,
                        None => {
                            d.events.push((one_word(&ev.kind), Vec::new()));
                            d.events.len() - 1
                        }
                    };
                    for (role, _) in &ev.args {
                        let roles = &mut d.events[at].1;
                        if !roles.contains(role) {
                            roles.push(one_word(role));
                        }
                    }
                    d.attributes_of("<EVENT>", &ev.attributes);
                }
            }
        }
        d
    }

    fn attributes_of(&mut self, on: &'static str, attrs: &Attributes) {
        for (name, value) in attrs {
            let at = match self.attributes.iter().position(|(n, _, _)| n == name) {
                Some(at) => at,
                None => {
                    self.attributes
                        .push((one_word(name), Vec::new(), Vec::new()));
                    self.attributes.len() - 1
                }
            };
            let (_, ons, values) = &mut self.attributes[at];
            if !ons.contains(&on) {
                ons.push(on);
            }
            if let Value::Text(v) = value {
                let v = one_word(v);
                if !values.contains(&v) {
                    values.push(v);
                }
            }
        }
    }
}

/// The `annotation.conf` declaring every type an export of these labels uses.
pub fn export_conf(labels: &Labels) -> String {
    export_conf_with(labels, &Declared::default())
}

/// The `annotation.conf` declaring every type an export of these labels and of the open
/// schema's parts in `declared` uses.
pub fn export_conf_with(labels: &Labels, declared: &Declared) -> String {
    let mut entities: Vec<&str> = Vec::new();
    for l in labels
        .entity
        .iter()
        .map(String::as_str)
        .chain([SOURCE, CUE, CONTENT, CLAIM])
    {
        if !entities.contains(&l) {
            entities.push(l);
        }
    }
    let claimants = if labels.entity.is_empty() {
        "<ENTITY>".to_string()
    } else {
        labels.entity.join("|")
    };
    let mut out = String::from(
        "# Marginalia's annotation scheme in brat's configuration language\n\
         # (https://brat.nlplab.org/configuration.html). Entity types are the project's labels.\n\
         # A quote is an Attribution event (PolNeAR's convention): its trigger covers the cue,\n\
         # or the quote when it has none; Content is the quote, Cue the words that introduce it,\n\
         # Source the speaker's span. A speaker or claimant who is not in the text is a note:\n\
         # \"AnnotatorNotes E1 speaker: <name>\", \"AnnotatorNotes T7 claimant: <name>\".\n\
         \n[entities]\n",
    );
    for l in &entities {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str(&format!(
        "\n[relations]\n{CLAIMANT}\tArg1:{CLAIM}, Arg2:{claimants}\n"
    ));
    for (kind, (r1, r2)) in &declared.relations {
        if kind != CLAIMANT {
            out.push_str(&format!(
                "{kind}\t{}:<ENTITY>, {}:<ENTITY>\n",
                one_word(r1),
                one_word(r2)
            ));
        }
    }
    out.push_str(&format!(
        "\n[events]\n{ATTRIBUTION}\t{CONTENT}:{CONTENT}, {CUE}?:{CUE}, {SOURCE}?:{SOURCE}\n"
    ));
    for (kind, roles) in &declared.events {
        let roles: Vec<String> = roles.iter().map(|r| format!("{r}*:<ENTITY>")).collect();
        out.push_str(&format!("{kind}\t{}\n", roles.join(", ")));
    }
    out.push_str(&format!("\n[attributes]\n{DIRECT}\tArg:{ATTRIBUTION}\n"));
    if !labels.checkworthiness.is_empty() {
        out.push_str(&format!(
            "{CHECKWORTHINESS}\tArg:{CLAIM}, Value:{}\n",
            labels.checkworthiness.join("|")
        ));
    }
    for (name, on, values) in &declared.attributes {
        if name == DIRECT || name == CHECKWORTHINESS {
            continue;
        }
        out.push_str(&format!("{name}\tArg:{}", on.join("|")));
        if !values.is_empty() {
            out.push_str(&format!(", Value:{}", values.join("|")));
        }
        out.push('\n');
    }
    out
}

/// The names of the three files in the archive of a document.
pub fn entry_names(document_id: &str) -> [String; 3] {
    let stem = safe_file_stem(document_id);
    [
        format!("{stem}.txt"),
        format!("{stem}.ann"),
        CONF_FILE.to_string(),
    ]
}

/// The bundle as a zip archive: `<id>.txt`, `<id>.ann`, `annotation.conf`. Deterministic.
pub fn export(bundle: &Bundle) -> Vec<u8> {
    let [txt, ann, conf] = entry_names(&bundle.document.id);
    let ann_text = export_ann(bundle);
    let conf_text = export_conf_with(&bundle.labels, &Declared::of([bundle]));
    zip::write(&[
        (&txt, bundle.document.text().as_bytes()),
        (&ann, ann_text.as_bytes()),
        (&conf, conf_text.as_bytes()),
    ])
}

// ---- import ----

fn syntax(msg: String) -> FileError {
    FileError::Syntax(msg)
}

use super::shape;

/// Reads a `.brat.zip`; `file_name` names the document if the archive's names cannot.
pub fn import(bytes: &[u8], file_name: &str) -> Result<Imported, FileError> {
    check_zip(bytes)?;
    let archive = zip::open(bytes, zip::Limits::default()).map_err(|e| syntax(e.0))?;
    let (txt, ann) = find_pair(&archive.entries)?;
    read_pair(&archive, txt, ann, file_name)
}

/// Refuses what is too large or not a zip before reading it.
fn check_zip(bytes: &[u8]) -> Result<(), FileError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(FileError::TooLarge {
            bytes: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    if !bytes.starts_with(b"PK") {
        return Err(shape(
            "This is not a zip archive. brat files are read as a zip holding the document's .txt and its .ann (a bare .ann lacks the text it points into).",
        ));
    }
    Ok(())
}

/// Reads one `.txt`/`.ann` pair of an archive, named by the `.txt` (or, when that name cannot
/// name a document, by `file_name`).
fn read_pair(
    archive: &zip::Archive<'_>,
    txt: &zip::Entry,
    ann: &zip::Entry,
    file_name: &str,
) -> Result<Imported, FileError> {
    let read = |entry: &zip::Entry| -> Result<String, FileError> {
        let data = archive.read(entry).map_err(|e| syntax(e.0))?;
        String::from_utf8(data).map_err(|_| {
            shape(format!(
                "The zip entry {} is not UTF-8 text; brat files are UTF-8.",
                entry.name
            ))
        })
    };
    let text = read(txt)?;
    let ann_text = read(ann)?;
    let stem = pair_stem(txt);
    let id = if stem.trim().is_empty()
        || stem.chars().count() > 200
        || stem.chars().any(char::is_control)
    {
        id_from_file_name(file_name)
    } else {
        stem.to_string()
    };
    import_text(&id, &text, &ann_text)
}

/// The name of a pair: its `.txt`'s, without folders and extension.
fn pair_stem(txt: &zip::Entry) -> &str {
    let base = txt.name.rsplit(['/', '\\']).next().unwrap_or(&txt.name);
    &base[..base.len() - 4]
}

/// Every pair of a zip, each read on its own, and the `.txt` and `.ann` files without a
/// partner (a corpus: `formats::corpus`).
pub(crate) struct Pairs {
    /// (the pair's name, what it gave), in the archive's order.
    pub pairs: Vec<(String, Result<Imported, FileError>)>,
    pub unpaired: Vec<String>,
}

/// Reads every `.txt`/`.ann` pair of a zip. Fails as [`import`] does when the bytes are not a
/// zip or it holds no pair at all.
pub(crate) fn import_pairs(bytes: &[u8], file_name: &str) -> Result<Pairs, FileError> {
    check_zip(bytes)?;
    let archive = zip::open(bytes, zip::Limits::default()).map_err(|e| syntax(e.0))?;
    let (pairs, unpaired) = all_pairs(&archive.entries);
    if pairs.is_empty() {
        find_pair(&archive.entries)?;
    }
    Ok(Pairs {
        pairs: pairs
            .into_iter()
            .map(|(t, a)| {
                let read = read_pair(&archive, t, a, file_name).and_then(super::checked);
                (pair_stem(t).to_string(), read)
            })
            .collect(),
        unpaired: unpaired.into_iter().map(|e| e.name.clone()).collect(),
    })
}

/// The document id a file name gives: without `.brat.zip`, `.zip`, made safe.
fn id_from_file_name(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let lower = base.to_lowercase();
    let stem = [".brat.zip", ".zip"]
        .iter()
        .find(|ext| lower.ends_with(*ext))
        .map_or(base, |ext| &base[..base.len() - ext.len()]);
    safe_file_stem(stem)
}

/// The `.txt`/`.ann` pairs of an archive (by name, in the archive's order), and the files of
/// either kind without a partner.
type Found<'a> = (Vec<(&'a zip::Entry, &'a zip::Entry)>, Vec<&'a zip::Entry>);

fn all_pairs(entries: &[zip::Entry]) -> Found<'_> {
    let wanted = |e: &&zip::Entry| {
        let base = e.name.rsplit('/').next().unwrap_or(&e.name);
        !e.is_dir() && !e.name.starts_with("__MACOSX/") && !base.starts_with("._")
    };
    let by_ext = |ext: &str| -> Vec<&zip::Entry> {
        entries
            .iter()
            .filter(wanted)
            .filter(|e| e.name.len() > 4 && e.name.to_lowercase().ends_with(ext))
            .collect()
    };
    let (txts, anns) = (by_ext(".txt"), by_ext(".ann"));
    let stem = |e: &zip::Entry| e.name[..e.name.len() - 4].to_string();
    let mut ann_by_stem: HashMap<String, &zip::Entry> = HashMap::new();
    for a in &anns {
        ann_by_stem.entry(stem(a)).or_insert(a);
    }
    let txt_stems: std::collections::HashSet<String> = txts.iter().map(|t| stem(t)).collect();
    let pairs: Vec<(&zip::Entry, &zip::Entry)> = txts
        .iter()
        .filter_map(|t| ann_by_stem.get(&stem(t)).map(|a| (*t, *a)))
        .collect();
    let unpaired = txts
        .iter()
        .filter(|t| !ann_by_stem.contains_key(&stem(t)))
        .chain(anns.iter().filter(|a| !txt_stems.contains(&stem(a))))
        .copied()
        .collect();
    (pairs, unpaired)
}

/// The one `.txt`/`.ann` pair of an archive.
fn find_pair(entries: &[zip::Entry]) -> Result<(&zip::Entry, &zip::Entry), FileError> {
    let (pairs, unpaired) = all_pairs(entries);
    let stem = |e: &zip::Entry| e.name[..e.name.len() - 4].to_string();
    match pairs.len() {
        1 => Ok(pairs[0]),
        0 => {
            let names: Vec<&str> = unpaired.iter().map(|e| e.name.as_str()).collect();
            Err(shape(if names.is_empty() {
                "The zip holds no brat document: it needs a .txt file and an .ann file of the same name.".into()
            } else {
                format!(
                    "The zip holds no brat document: {} has no partner; a .txt and an .ann of the same name are needed.",
                    names.join(", ")
                )
            }))
        }
        n => {
            let names: Vec<String> = pairs.iter().take(5).map(|(t, _)| stem(t)).collect();
            Err(shape(format!(
                "The zip holds {n} brat documents ({}{}); Marginalia opens one document at a time. Zip one .txt/.ann pair.",
                names.join(", "),
                if n > 5 { ", …" } else { "" }
            )))
        }
    }
}

/// One parsed `.ann` line.
#[derive(Clone, Debug)]
struct Line {
    /// 1-based line number.
    no: usize,
    id: String,
    ty: String,
    what: What,
}

#[derive(Clone, Debug)]
enum What {
    /// Fragments in brat offsets.
    Text(Vec<(usize, usize)>),
    Event {
        trigger: String,
        args: Vec<(String, String)>,
    },
    Relation(Vec<(String, String)>),
    Attribute {
        target: String,
        value: Option<String>,
    },
    Note {
        target: String,
        text: String,
    },
    /// A normalisation: `N1\tReference T5 Wikipedia:64488\tCarlos Salinas de Gortari`.
    Norm {
        target: String,
        resource: String,
        entry: String,
        label: String,
    },
    /// Equivalences: valid brat that Marginalia does not carry.
    Other,
}

/// The lines of a text file, as Python's universal newlines split them.
fn ann_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = text;
    let mut no = 0;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        no += 1;
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let line = &rest[..end];
        let skip = if rest[end..].starts_with("\r\n") {
            2
        } else {
            usize::from(end < rest.len())
        };
        rest = &rest[end + skip..];
        Some((no, line))
    })
}

fn parse_line(no: usize, line: &str, doc: &Document, view: &View) -> Result<Line, FileError> {
    let bad = |why: &str| {
        syntax(format!(
            "The .ann file is not brat standoff: line {no} (“{}”) {why}.",
            short(line, 40)
        ))
    };
    let (id, rest) = line
        .split_once('\t')
        .ok_or_else(|| bad("has no tab after its id"))?;
    let valid_id = {
        let body = id.strip_prefix('#').unwrap_or(id);
        let letters = body.chars().take_while(char::is_ascii_alphabetic).count();
        (letters > 0 || id.starts_with('#'))
            && body[letters..].starts_with(|c: char| c.is_ascii_digit())
    };
    if id != "*" && (!valid_id || id.contains(char::is_whitespace)) {
        return Err(bad("does not start with a brat id (T1, E1, R1, A1, #1…)"));
    }
    let data = rest.split('\t').next().unwrap_or("");
    let (ty, tail) = data.split_once(' ').unwrap_or((data, ""));
    let line_of = |ty: &str, what: What| {
        Ok(Line {
            no,
            id: id.to_string(),
            ty: ty.to_string(),
            what,
        })
    };
    match id.as_bytes()[0] {
        b'T' => {
            let mut frags = Vec::new();
            for part in tail.split(';') {
                let mut nums = part.split(' ').filter(|s| !s.is_empty());
                let (Some(s), Some(e), None) = (nums.next(), nums.next(), nums.next()) else {
                    return Err(bad("does not give its offsets as START END"));
                };
                let (Ok(s), Ok(e)) = (s.parse::<usize>(), e.parse::<usize>()) else {
                    return Err(bad("has offsets that are not whole numbers"));
                };
                frags.push((s, e));
            }
            if ty.is_empty() {
                return Err(bad("has no type"));
            }
            let Some((_, text)) = rest.split_once('\t') else {
                return Err(shape(format!(
                    "Line {no} ({id}) of the .ann file has no text after its offsets; brat writes the annotated text there."
                )));
            };
            check_text(no, id, &frags, text, doc, view)?;
            line_of(ty, What::Text(frags))
        }
        b'E' => {
            let mut parts = data.split_whitespace();
            let head = parts.next().unwrap_or("");
            let (ty, trigger) = head
                .split_once(':')
                .filter(|(t, g)| !t.is_empty() && !g.is_empty())
                .ok_or_else(|| bad("does not start with TYPE:TRIGGER"))?;
            let args = parts
                .map(|p| {
                    p.split_once(':')
                        .filter(|(r, a)| !r.is_empty() && !a.is_empty())
                        .map(|(r, a)| (r.to_string(), a.to_string()))
                        .ok_or_else(|| bad("has an argument that is not ROLE:ID"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            line_of(
                ty,
                What::Event {
                    trigger: trigger.to_string(),
                    args,
                },
            )
        }
        b'R' => {
            let args = tail
                .split_whitespace()
                .map(|p| {
                    p.split_once(':')
                        .filter(|(r, a)| !r.is_empty() && !a.is_empty())
                        .map(|(r, a)| (r.to_string(), a.to_string()))
                        .ok_or_else(|| bad("has an argument that is not ROLE:ID"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            if ty.is_empty() || args.len() != 2 {
                return Err(bad("is not TYPE Arg1:ID Arg2:ID"));
            }
            line_of(ty, What::Relation(args))
        }
        b'A' | b'M' => {
            let mut parts = tail.split_whitespace();
            let (Some(target), value, None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(bad("is not TYPE TARGET [VALUE]"));
            };
            line_of(
                ty,
                What::Attribute {
                    target: target.to_string(),
                    value: value.map(str::to_string),
                },
            )
        }
        b'#' => {
            let mut parts = data.split_whitespace();
            let (Some(ty), Some(target), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(bad("is not TYPE TARGET<TAB>TEXT"));
            };
            let text = rest.split_once('\t').map_or("", |(_, t)| t);
            line_of(
                ty,
                What::Note {
                    target: target.to_string(),
                    text: text.to_string(),
                },
            )
        }
        b'N' => {
            let mut parts = tail.split_whitespace();
            let (Some(target), Some(reference), None) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(bad("is not TYPE TARGET RESOURCE:ID"));
            };
            let (resource, entry) = reference
                .split_once(':')
                .filter(|(r, e)| !r.is_empty() && !e.is_empty())
                .ok_or_else(|| bad("does not name its entry as RESOURCE:ID"))?;
            let label = rest.split_once('\t').map_or("", |(_, t)| t);
            line_of(
                ty,
                What::Norm {
                    target: target.to_string(),
                    resource: resource.to_string(),
                    entry: entry.to_string(),
                    label: label.to_string(),
                },
            )
        }
        b'*' => line_of(ty, What::Other),
        _ => Err(bad(
            "has an id of a kind brat does not define (T, E, R, A, M, N, #, *)",
        )),
    }
}

/// brat's own check (`TextAnnotations._parse_textbound_annotation`): the text after the
/// offsets starts with the fragments' texts joined by one space, followed by nothing or by
/// whitespace; offsets lie within the text, start ≤ end, and fragments neither overlap nor
/// touch.
fn check_text(
    no: usize,
    id: &str,
    frags: &[(usize, usize)],
    text: &str,
    doc: &Document,
    view: &View,
) -> Result<(), FileError> {
    let at = |s: usize, e: usize| format!("line {no} ({id}), span {s}..{e}");
    // Whether a fragment overlaps or touches an earlier one (`e >= os && s < oe`): the largest
    // end among earlier fragments starting at or before `e`, from a Fenwick tree of prefix
    // maxima over the starts in order, where comparing with each earlier one is quadratic in
    // a line of many fragments.
    let mut starts: Vec<usize> = frags.iter().map(|f| f.0).collect();
    sort::sort_dedup(&mut starts);
    let mut ends_before = vec![0usize; starts.len() + 1]; // an end + 1; 0 for none
    for &(s, e) in frags {
        if s > e {
            return Err(shape(format!(
                "In the .ann file, {}: the offsets are reversed (end before start).",
                at(s, e)
            )));
        }
        if e > view.len {
            return Err(shape(format!(
                "In the .ann file, {}: the offsets run past the end of the text ({} characters as brat counts them).",
                at(s, e),
                view.len
            )));
        }
        let mut i = starts.partition_point(|&x| x <= e);
        let mut latest_end = 0;
        while i > 0 {
            latest_end = latest_end.max(ends_before[i]);
            i &= i - 1;
        }
        if latest_end > s + 1 {
            return Err(shape(format!(
                "In the .ann file, {}: the span overlaps or touches another span of the same line.",
                at(s, e)
            )));
        }
        let mut i = starts.partition_point(|&x| x < s) + 1;
        while i < ends_before.len() {
            ends_before[i] = ends_before[i].max(e + 1);
            i += i & i.wrapping_neg();
        }
    }
    // The text must start with the fragments' texts, joined by a space (or, for several, with
    // nothing between), then end or go on with whitespace: compared as it is read, so that a
    // line costs its own length, however long the spans it names.
    let follows = |separator: Option<char>| {
        let expected = frags.iter().enumerate().flat_map(|(k, &(s, e))| {
            separator
                .filter(|_| k > 0)
                .into_iter()
                .chain(view.chars(doc, s, e))
        });
        let mut rest = text.chars();
        for c in expected {
            if rest.next() != Some(c) {
                return false;
            }
        }
        rest.next().is_none_or(char::is_whitespace)
    };
    if follows(Some(' ')) || (frags.len() > 1 && follows(None)) {
        return Ok(());
    }
    let parts: Vec<Cow<str>> = frags.iter().map(|&(s, e)| view.slice(doc, s, e)).collect();
    let (s, e) = (frags[0].0, frags[frags.len() - 1].1);
    Err(shape(format!(
        "In the .ann file, {}: its text “{}” is not the text at those offsets (“{}”).",
        at(s, e),
        short(text, 40),
        short(&parts.join(" "), 40)
    )))
}

/// A span built from fragments: pieces separated only by spaces or line breaks are one
/// stretch (brat cannot hold a line break in a span, so a span across lines is written in
/// pieces); pieces separated by text stay fragments of a discontinuous span.
fn join(blanks: &Blanks, view: &View, frags: &[(usize, usize)]) -> Result<Joined, String> {
    let mut spans: Vec<Span> = frags
        .iter()
        .map(|&(s, e)| Span::new(view.to_raw(s), view.to_raw(e)))
        .filter(|s| !s.is_empty())
        .collect();
    sort::sort_by(&mut spans, Ord::cmp);
    let Some(&first) = spans.first() else {
        return Err("its span is empty".into());
    };
    let mut pieces = vec![first];
    for f in &spans[1..] {
        let last = pieces.last_mut().expect("one at least");
        if f.start > last.end && !blanks.only_blank(Span::new(last.end, f.start)) {
            pieces.push(*f);
        } else {
            last.end = last.end.max(f.end);
        }
    }
    let span = Span::new(pieces[0].start, pieces[pieces.len() - 1].end);
    if pieces.len() == 1 {
        pieces.clear();
    }
    Ok((span, pieces))
}

/// A joined span and its fragments (none when it is one stretch).
type Joined = (Span, Vec<Span>);

fn is_attribution(ty: &str) -> bool {
    ty == ATTRIBUTION || ty.starts_with("Attribution-")
}

/// An annotation being built, before ids are given.
struct Draft {
    /// The brat id it comes from (T for entities and claims, E for quotes).
    key: String,
    line: usize,
    span: Span,
    body: Body,
    /// For quotes and claims: the brat id of the linked entity, if any.
    link: Option<String>,
    /// For a quote whose speaker is a Source span that is no entity: that span, whose words
    /// name the speaker.
    name_from: Option<Span>,
    notes: Vec<String>,
    /// The open schema's parts, with targets as brat ids until the ids are made.
    extra: Extra,
    /// The brat line of each relation in `extra.relations`, and of its event.
    relation_lines: Vec<usize>,
    event_line: Option<usize>,
}

impl Draft {
    fn new(key: &str, line: usize, span: Span, body: Body) -> Draft {
        Draft {
            key: key.to_string(),
            line,
            span,
            body,
            link: None,
            name_from: None,
            notes: Vec::new(),
            extra: Extra::default(),
            relation_lines: Vec::new(),
            event_line: None,
        }
    }
}

/// Why one of these type, role or attribute names cannot be one in Marginalia, if one cannot.
fn bad_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<String> {
    names
        .into_iter()
        .find_map(|n| validate_label(n).err())
        .map(|why| format!("its type or role cannot be a name in Marginalia: {why}"))
}

/// Adds a note to a relation's or event's note, on a line of its own.
fn push_note(note: &mut String, text: &str) {
    if !note.is_empty() {
        note.push('\n');
    }
    note.push_str(text);
}

/// Sets attribute `name` in `attrs` (kept in name order); false when it is set already.
fn set_attribute(attrs: &mut Attributes, name: &str, value: Option<&String>) -> bool {
    let at = attrs.partition_point(|(n, _)| n.as_str() < name);
    if attrs.get(at).is_some_and(|(n, _)| n == name) {
        return false;
    }
    let value = value.map_or(Value::Flag, |v| Value::Text(v.clone()));
    attrs.insert(at, (name.to_string(), value));
    true
}

/// Reads a brat document from its text and `.ann`; `id` names it.
pub fn import_text(id: &str, text: &str, ann: &str) -> Result<Imported, FileError> {
    let (text, bom) = match text.strip_prefix('\u{feff}') {
        Some(t) => (t, true),
        None => (text, false),
    };
    check_document_text(text).map_err(shape)?;
    let ann = ann.strip_prefix('\u{feff}').unwrap_or(ann);
    let doc = Document::new(id, id, text);
    let view = View::new(text, bom);

    let mut lines: Vec<Line> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (no, raw) in ann_lines(ann) {
        if raw.trim().is_empty() {
            continue;
        }
        let line = parse_line(no, raw, &doc, &view)?;
        if line.id != "*" {
            if let Some(first) = seen.get(&line.id) {
                return Err(syntax(format!(
                    "The .ann file uses the id {} twice: on line {first} and on line {no}.",
                    line.id
                )));
            }
            seen.insert(line.id.clone(), no);
        }
        lines.push(line);
    }
    build(doc, &view, &lines)
}

fn build(doc: Document, view: &View, lines: &[Line]) -> Result<Imported, FileError> {
    let blanks = Blanks::new(&doc);
    let mut problems: Vec<Problem> = Vec::new();
    let problem = |l: &Line, message: String| Problem {
        index: l.no - 1,
        id: Some(l.id.clone()),
        message,
    };
    let by_id: HashMap<&str, &Line> = lines.iter().map(|l| (l.id.as_str(), l)).collect();
    let text_of = |id: &str| -> Option<&Line> {
        by_id
            .get(id)
            .filter(|l| matches!(l.what, What::Text(_)))
            .copied()
    };
    // Each text-bound line joined into one span once: events name the same lines again and
    // again.
    let joined: HashMap<&str, Result<Joined, String>> = lines
        .iter()
        .filter_map(|l| match &l.what {
            What::Text(frags) => Some((l.id.as_str(), join(&blanks, view, frags))),
            _ => None,
        })
        .collect();

    // Attribution events and the text-bound lines they use. The triggers of other events
    // are annotations of their own, which hold the event.
    let mut triggers: HashSet<&str> = HashSet::new();
    let mut used_by_events: HashSet<&str> = HashSet::new();
    for l in lines {
        if let What::Event { trigger, args } = &l.what {
            if is_attribution(&l.ty) {
                triggers.insert(trigger);
                used_by_events.extend(args.iter().map(|(_, a)| a.as_str()));
            }
        }
    }

    let labels = Labels::default();
    let (mut entity_labels, mut ratings) = (
        Growing::new(labels.entity),
        Growing::new(labels.checkworthiness),
    );
    let mut drafts: Vec<Draft> = Vec::new();
    // Entities first: quotes and claims link to them.
    let mut entities: Vec<(&str, Span)> = Vec::new();
    for l in lines {
        let What::Text(_) = &l.what else { continue };
        if triggers.contains(l.id.as_str()) {
            continue;
        }
        match l.ty.as_str() {
            CONTENT if used_by_events.contains(l.id.as_str()) => continue,
            CUE | SOURCE | ATTRIBUTION => {
                if !used_by_events.contains(l.id.as_str()) {
                    problems.push(problem(
                        l,
                        format!("a {} span that belongs to no Attribution event", l.ty),
                    ));
                }
                continue;
            }
            _ => {}
        }
        let (span, fragments) = match &joined[l.id.as_str()] {
            Ok(j) => j.clone(),
            Err(why) => {
                problems.push(problem(l, why.clone()));
                continue;
            }
        };
        let body = match l.ty.as_str() {
            CLAIM => Body::new_claim(),
            CONTENT => Body::Quote {
                speaker: None,
                cue: None,
                direct: false,
            },
            label => {
                if let Err(why) = validate_label(label) {
                    problems.push(problem(l, format!("its type cannot be a label: {why}")));
                    continue;
                }
                if doc.paragraphs_overlapping(span).len() > 1 {
                    problems.push(problem(
                        l,
                        "it is an entity across a paragraph break".into(),
                    ));
                    continue;
                }
                entity_labels.add(label);
                entities.push((&l.id, span));
                Body::Entity {
                    label: label.to_string(),
                }
            }
        };
        let mut draft = Draft::new(&l.id, l.no, span, body);
        draft.extra.fragments = fragments;
        drafts.push(draft);
    }
    let entity_ids: HashSet<&str> = entities.iter().map(|(id, _)| *id).collect();
    // The first entity over each span: a speaker's Source span that is not an entity itself.
    let mut entity_at: HashMap<Span, &str> = HashMap::new();
    for &(id, span) in &entities {
        entity_at.entry(span).or_insert(id);
    }

    // Quotes.
    for l in lines {
        let What::Event { trigger, args } = &l.what else {
            continue;
        };
        if !is_attribution(&l.ty) {
            continue; // held by its trigger, below
        }
        match text_of(trigger) {
            Some(t) if t.ty == l.ty => {}
            _ => {
                problems.push(problem(
                    l,
                    format!("its trigger {trigger} is not a text-bound {} line", l.ty),
                ));
                continue;
            }
        }
        let role = |name: &str| -> Vec<&str> {
            args.iter()
                .filter(|(r, _)| r == name)
                .map(|(_, a)| a.as_str())
                .collect()
        };
        let quote = (|| -> Result<Draft, String> {
            let contents = role(CONTENT);
            let [content] = contents[..] else {
                return Err(format!(
                    "it has {} Content arguments, not one",
                    contents.len()
                ));
            };
            let span_of = |id: &str, what: &str| -> Result<Span, String> {
                text_of(id).ok_or_else(|| format!("its {what} {id} is not a text-bound line"))?;
                joined[id]
                    .clone()
                    .map(|(span, _)| span)
                    .map_err(|why| format!("its {what} {id}: {why}"))
            };
            let span = span_of(content, "Content")?;
            let fragments = joined[content].clone().map(|(_, f)| f).unwrap_or_default();
            let cue = match role(CUE).first() {
                Some(c) => Some(span_of(c, "Cue")?),
                None => None,
            };
            let mut link = None;
            let mut speaker = None;
            let mut name_from = None;
            if let Some(&source) = role(SOURCE).first() {
                if entity_ids.contains(source) {
                    link = Some(source.to_string());
                } else {
                    let s = span_of(source, "Source")?;
                    match entity_at.get(&s) {
                        Some(id) => link = Some(id.to_string()),
                        None => {
                            // The name is the span's words, written once the quote is kept:
                            // many quotes may share one long Source.
                            speaker = Some(Party::Name(String::new()));
                            name_from = Some(s);
                        }
                    }
                }
            }
            let mut d = Draft::new(
                &l.id,
                l.no,
                span,
                Body::Quote {
                    speaker,
                    cue,
                    direct: false,
                },
            );
            d.link = link;
            d.name_from = name_from;
            d.extra.fragments = fragments;
            Ok(d)
        })();
        match quote {
            Ok(d) => drafts.push(d),
            Err(why) => problems.push(problem(l, why)),
        }
    }

    // Which draft each brat id feeds: quotes by their event and every span they use.
    let mut owner: HashMap<&str, Vec<usize>> = HashMap::new();
    for (k, d) in drafts.iter().enumerate() {
        owner
            .entry(by_id[d.key.as_str()].id.as_str())
            .or_default()
            .push(k);
        if let Some(Line {
            what: What::Event { trigger, args },
            ..
        }) = by_id.get(d.key.as_str())
        {
            owner.entry(trigger.as_str()).or_default().push(k);
            for (role, a) in args {
                if role == CONTENT {
                    owner.entry(a.as_str()).or_default().push(k);
                }
            }
        }
    }
    // Other events: by their trigger's annotation, which holds the event.
    for l in lines {
        if let What::Event { trigger, .. } = &l.what {
            if !is_attribution(&l.ty) {
                if let Some(&k) = owner.get(trigger.as_str()).and_then(|v| v.first()) {
                    owner.entry(l.id.as_str()).or_default().push(k);
                }
            }
        }
    }
    let single = |id: &str| owner.get(id).and_then(|v| v.first().copied());

    // Model rules: which drafts are kept, decided in text order (e1, q2, c3… follow it).
    let mut order: Vec<usize> = (0..drafts.len()).collect();
    sort::sort_by_key(&mut order, |&k| {
        let d = &drafts[k];
        (d.span.start, d.span.end, d.body.kind(), d.line)
    });
    let mut keep = vec![false; drafts.len()];
    let mut keys: HashSet<(Kind, Option<String>, Span)> = HashSet::new();
    for &k in &order {
        let d = &drafts[k];
        let line = &by_id[d.key.as_str()];
        if blanks.only_blank(d.span) {
            problems.push(problem(line, "its span covers only spaces".into()));
            continue;
        }
        if !keys.insert((d.body.kind(), d.body.label().map(str::to_string), d.span)) {
            problems.push(problem(
                line,
                "it repeats the kind, label and span of another annotation".into(),
            ));
            continue;
        }
        keep[k] = true;
    }
    // What notes and names copy onto the kept annotations, in bytes: a note on a line that
    // many quotes share goes to each, so a file could ask for far more than it holds.
    let mut copied = 0u64;
    let too_much = || {
        shape(format!(
            "The .ann file's notes and speaker names, copied onto each annotation that shares their line, come to more than {} MB; Marginalia reads files up to {} MB.",
            MAX_FILE_BYTES / 1_000_000,
            MAX_FILE_BYTES / 1_000_000
        ))
    };

    // Events of other types, on their trigger's annotation; then relations (attributes and
    // notes may name either, in any order of the file).
    let mut event_of: HashMap<&str, usize> = HashMap::new();
    for l in lines {
        let What::Event { trigger, args } = &l.what else {
            continue;
        };
        if is_attribution(&l.ty) {
            continue;
        }
        if let Some(why) =
            bad_names(std::iter::once(l.ty.as_str()).chain(args.iter().map(|(r, _)| r.as_str())))
        {
            problems.push(problem(l, why));
            continue;
        }
        let Some(k) =
            single(trigger).filter(|&k| text_of(trigger).is_some() && drafts[k].key == *trigger)
        else {
            problems.push(problem(
                l,
                format!("its trigger {trigger} is not an imported text-bound annotation"),
            ));
            continue;
        };
        if let Some(other) = drafts[k].event_line {
            problems.push(problem(
                l,
                format!(
                    "its trigger {trigger} is the trigger of {} too, and Marginalia holds one event a trigger",
                    lines[other].id
                ),
            ));
            continue;
        }
        drafts[k].event_line = Some(l.no - 1);
        drafts[k].extra.event = Some(Event {
            kind: l.ty.clone(),
            args: args.clone(),
            attributes: Vec::new(),
            note: String::new(),
        });
        event_of.insert(&l.id, k);
    }
    // Where each relation line went: the draft holding it, and its place there.
    let mut relation_of: HashMap<&str, (usize, usize)> = HashMap::new();
    for l in lines {
        let What::Relation(args) = &l.what else {
            continue;
        };
        // Arg1 is the source and Arg2 the target in either order; other role names are kept,
        // the first the source.
        let swapped = args[0].0 == ARG2 && args[1].0 == ARG1;
        let (first, second) = if swapped {
            (&args[1], &args[0])
        } else {
            (&args[0], &args[1])
        };
        let (a1, a2) = (first.1.as_str(), second.1.as_str());
        if l.ty == CLAIMANT && first.0 == ARG1 && second.0 == ARG2 {
            let claim = single(a1).filter(|&k| drafts[k].body.kind() == Kind::Claim);
            if let Some(k) = claim.filter(|&k| entity_ids.contains(a2) && drafts[k].link.is_none())
            {
                drafts[k].link = Some(a2.to_string());
                continue;
            }
        }
        if let Some(why) = bad_names([l.ty.as_str(), first.0.as_str(), second.0.as_str()]) {
            problems.push(problem(l, why));
            continue;
        }
        let (Some(from), Some(_)) = (single(a1), single(a2)) else {
            let missing = if single(a1).is_none() { a1 } else { a2 };
            problems.push(problem(
                l,
                format!("its argument {missing} is not an imported annotation"),
            ));
            continue;
        };
        let roles =
            (first.0 != ARG1 || second.0 != ARG2).then(|| (first.0.clone(), second.0.clone()));
        let d = &mut drafts[from];
        relation_of.insert(&l.id, (from, d.extra.relations.len()));
        d.relation_lines.push(l.no - 1);
        d.extra.relations.push(Relation {
            kind: l.ty.clone(),
            target: a2.to_string(),
            roles,
            attributes: Vec::new(),
            note: String::new(),
        });
    }

    // Attributes, normalisations, notes.
    for l in lines {
        match &l.what {
            What::Attribute { .. } | What::Note { .. } if bad_names([l.ty.as_str()]).is_some() => {
                problems.push(problem(l, bad_names([l.ty.as_str()]).unwrap_or_default()));
            }
            What::Attribute { target, value } => {
                let k = single(target);
                let attrs = if let Some(&(d, r)) = relation_of.get(target.as_str()) {
                    Some(&mut drafts[d].extra.relations[r].attributes)
                } else if let Some(&d) = event_of.get(target.as_str()) {
                    drafts[d].extra.event.as_mut().map(|e| &mut e.attributes)
                } else {
                    match (l.ty.as_str(), k.map(|k| &mut drafts[k].body), value) {
                        (DIRECT, Some(Body::Quote { direct, .. }), None) => {
                            *direct = true;
                            continue;
                        }
                        (
                            CHECKWORTHINESS,
                            Some(Body::Claim {
                                checkworthiness, ..
                            }),
                            Some(v),
                        ) if validate_label(v).is_ok() => {
                            ratings.add(v);
                            *checkworthiness = Some(v.clone());
                            continue;
                        }
                        _ => k.map(|k| &mut drafts[k].extra.attributes),
                    }
                };
                match attrs {
                    None => problems.push(problem(
                        l,
                        format!("its target {target} is not an imported annotation"),
                    )),
                    Some(attrs) => {
                        if !set_attribute(attrs, &l.ty, value.as_ref()) {
                            problems.push(problem(
                                l,
                                format!("{target} has the attribute {} already", l.ty),
                            ));
                        }
                    }
                }
            }
            What::Norm {
                target,
                resource,
                entry,
                label,
            } => match single(target) {
                Some(k) if l.ty == REFERENCE => drafts[k].extra.norms.push(Norm {
                    resource: resource.clone(),
                    entry: entry.clone(),
                    label: label.clone(),
                }),
                Some(_) => problems.push(problem(
                    l,
                    format!(
                        "normalisations of type {} are not carried by Marginalia (only {REFERENCE})",
                        l.ty
                    ),
                )),
                None => problems.push(problem(
                    l,
                    format!("its target {target} is not an imported annotation"),
                )),
            },
            What::Note { target, text } if l.ty == NOTES => {
                if let Some(&(d, r)) = relation_of.get(target.as_str()) {
                    push_note(&mut drafts[d].extra.relations[r].note, text);
                    continue;
                }
                if let Some(e) = event_of
                    .get(target.as_str())
                    .and_then(|&d| drafts[d].extra.event.as_mut())
                {
                    push_note(&mut e.note, text);
                    continue;
                }
                let Some(ks) = owner.get(target.as_str()) else {
                    problems.push(problem(
                        l,
                        format!("its target {target} is not an imported annotation"),
                    ));
                    continue;
                };
                for &k in ks.iter().filter(|&&k| keep[k]) {
                    copied += text.len() as u64 + 1;
                    if copied > MAX_FILE_BYTES {
                        return Err(too_much());
                    }
                    let d = &mut drafts[k];
                    let party = match d.body.kind() {
                        Kind::Quote if target.starts_with('E') => text.strip_prefix(SPEAKER_NOTE),
                        Kind::Claim => text.strip_prefix(CLAIMANT_NOTE),
                        _ => None,
                    };
                    let free = d.link.is_none() && d.body.party().is_none();
                    match (party.map(str::trim).filter(|p| !p.is_empty()), &mut d.body) {
                        (Some(name), Body::Quote { speaker, .. }) if free => {
                            *speaker = Some(Party::Name(name.to_string()));
                        }
                        (Some(name), Body::Claim { claimant, .. }) if free => {
                            *claimant = Some(Party::Name(name.to_string()));
                        }
                        _ => d.notes.push(text.clone()),
                    }
                }
            }
            What::Note { target, text } => match single(target) {
                _ if relation_of.contains_key(target.as_str())
                    || event_of.contains_key(target.as_str()) =>
                {
                    problems.push(problem(
                        l,
                        format!(
                            "notes of type {} on a relation or an event are not carried by Marginalia (only {NOTES})",
                            l.ty
                        ),
                    ))
                }
                Some(k) => drafts[k].extra.notes.push(TypedNote {
                    kind: l.ty.clone(),
                    text: text.clone(),
                }),
                None => problems.push(problem(
                    l,
                    format!("its target {target} is not an imported annotation"),
                )),
            },
            What::Other => problems.push(problem(
                l,
                "equivalences (*) are not carried by Marginalia".into(),
            )),
            What::Text(_) | What::Event { .. } | What::Relation(_) => {}
        }
    }

    // The draft (by its key) each brat id feeds, for relation targets and event arguments.
    let draft_key: HashMap<&str, String> = owner
        .iter()
        .map(|(id, ks)| (*id, drafts[ks[0]].key.clone()))
        .collect();

    // Speaker names from Source spans, each span's words once, copied onto its kept quotes.
    let mut names: HashMap<Span, String> = HashMap::new();
    let mut slots: Vec<Option<Draft>> = drafts.into_iter().map(Some).collect();
    let mut kept: Vec<Draft> = Vec::new();
    for k in order {
        let Some(mut d) = slots[k].take().filter(|_| keep[k]) else {
            continue;
        };
        if let (Some(s), Body::Quote { speaker, .. }) = (d.name_from, &mut d.body) {
            let name = names.entry(s).or_insert_with(|| {
                doc.slice(s)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            });
            copied += name.len() as u64;
            if copied > MAX_FILE_BYTES {
                return Err(too_much());
            }
            if let Some(Party::Name(n)) = speaker {
                n.clone_from(name);
            }
        }
        kept.push(d);
    }
    drop(blanks);
    let new_id: HashMap<String, String> = kept
        .iter()
        .enumerate()
        .map(|(i, d)| {
            (
                d.key.clone(),
                format!("{}{}", d.body.kind().id_prefix(), i + 1),
            )
        })
        .collect();
    let target_of = |brat: &str| draft_key.get(brat).and_then(|key| new_id.get(key)).cloned();
    let mut annotations = Vec::new();
    for mut d in kept {
        let own = new_id[&d.key].clone();
        // Relations and event arguments end at kept annotations, by their new ids.
        let mut relations = std::mem::take(&mut d.extra.relations).into_iter();
        for line in &d.relation_lines {
            let mut r = relations.next().expect("a line per relation");
            match target_of(&r.target).filter(|t| *t != own) {
                Some(t) => {
                    r.target = t;
                    d.extra.relations.push(r);
                }
                None => problems.push(problem(
                    &lines[*line],
                    format!("its target {} is not imported, or is its source", r.target),
                )),
            }
        }
        if let Some(ev) = &mut d.extra.event {
            let line = &lines[d.event_line.expect("an event has its line")];
            let mut args = Vec::new();
            for (role, t) in std::mem::take(&mut ev.args) {
                match target_of(&t).filter(|x| *x != own) {
                    Some(x) => args.push((role, x)),
                    None => problems.push(problem(
                        line,
                        format!("its argument {role}:{t} is not imported, or is its trigger"),
                    )),
                }
            }
            ev.args = args;
        }
        let mut body = d.body;
        if let Some(target) = d.link.as_ref().and_then(|t| new_id.get(t)) {
            match &mut body {
                Body::Quote { speaker, .. } => *speaker = Some(Party::Ref(target.clone())),
                Body::Claim { claimant, .. } => *claimant = Some(Party::Ref(target.clone())),
                Body::Entity { .. } => {}
            }
        }
        annotations.push(Annotation {
            id: new_id[&d.key].clone(),
            span: d.span,
            body,
            note: d.notes.join("\n"),
            created: Timestamp::default(),
            updated: Timestamp::default(),
            extra: (!d.extra.is_empty()).then(|| Box::new(d.extra)),
        });
    }
    sort::sort_by(&mut annotations, |a, b| a.sort_key().cmp(&b.sort_key()));
    sort::sort_by_key(&mut problems, |p| p.index);
    let total = annotations.len() + problems.len();
    let labels = Labels {
        entity: entity_labels.into_vec(),
        checkworthiness: ratings.into_vec(),
    };
    Ok(Imported {
        bundle: Bundle {
            document: doc,
            labels,
            annotator: String::new(),
            annotations,
            status: Default::default(),
        },
        problems,
        total,
        notes: Vec::new(),
    })
}

#[cfg(test)]
#[path = "brat_tests.rs"]
mod tests;
