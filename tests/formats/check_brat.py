"""Checks brat exports with a brat standoff parser from PyPI and brat's own rules.

usage: check_brat.py [--corpus] OUT_DIR NATIVE_FILE...

For each native file, OUT_DIR/<stem>.brat.zip (unpacked with zipfile) must hold exactly
<stem>.txt, <stem>.ann and annotation.conf, the .txt being the document text byte for byte.

- pybrat (BratParser, pinned in tests/requirements.txt) parses the .txt/.ann pair, reading the
  text as brat does (universal newlines: CRLF is one character). Every T and E line, every R
  line between T lines and every Reference N line on a T line must be parsed by it, with the
  same types, offsets, arguments and entries (its grammar knows a relation's roles only as
  Arg1/Arg2: others are renamed for it, see pybrat_roles).
- A strict parser of brat's whole standoff grammar (https://brat.nlplab.org/standoff.html)
  parses every line: T, E of any type, R with any two roles, A/M on T, E and R, N, # of any
  type on T, E and R, and *.
- brat's own text check (TextAnnotations in brat's server/src/annotation.py): a T line's text
  is its fragments' texts joined by one space; no fragment holds a line break; fragments lie in
  the text and neither overlap nor touch. Events have a trigger of their type; every id that
  is referenced exists.
- annotation.conf declares every type, role (relations: the two roles in order), attribute and
  value the .ann uses, each slot allowing what fills it (<ENTITY> a T line, <EVENT> an E line,
  <RELATION> an R line).
- Every native annotation is there, at the same offsets (code points, counted as brat counts;
  a discontinuous one's fragments each) and with the same text, label, cue, speaker, claimant,
  direct, check-worthiness and note; and each of its open schema's parts (class Natives): its
  relations (type, roles, both ends, attributes, note), its event (type, trigger, arguments,
  attributes, note), attributes, normalisations and typed notes. Quotes are counted as
  Attribution events, claimants as Claimant relations; no other line is there.

Then: the same on an extra document built here (spans across CRLF line breaks, named
speakers, a claimant link), converted by the command-line tool; every export re-zipped with
Python's zipfile (deflated, in a folder) and read back by `marginalia convert --from brat`,
giving the native annotations again, open schema's parts included; and a self-test: broken copies of the exports must fail.
With --corpus, OUT_DIR holds one zip, project.brat.zip: a .txt and an .ann per native file's
document, in order, and one annotation.conf; pybrat parses the unpacked folder (a document a
pair), each document is checked as above against the one annotation.conf, the whole is
re-zipped and read back, and a copy with two documents' .ann files swapped must fail.
Exits 1 on the first failure, naming it.
"""

import hashlib
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

from pybrat.parser import BratParser

import common_args

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = ROOT / "target" / "release" / "marginalia"
WORK = ROOT / "target" / "formats" / "brat-check"

# Python's str.splitlines boundaries: what brat's readers treat as the end of a line.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
STRUCTURE = {"Source", "Cue", "Content", "Claim", "Attribution"}


class Fail(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Fail(what)


def safe_stem(doc_id):
    stem = "".join(c if c.isalnum() or c in "-_." else "-" for c in doc_id).strip(".-")
    return stem or "document"


def one_line(s):
    return "".join(" " if c in LINE_BREAKS or c == "\t" else c for c in s)


def view_of(text):
    """The text as brat reads it: universal newlines."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class Offsets:
    """Native offsets (code points of the exact text) to brat's (of the universal-newline view)."""

    def __init__(self, text):
        self.crs = [i for i in range(len(text) - 1) if text[i] == "\r" and text[i + 1] == "\n"]

    def to_brat(self, raw):
        return raw - sum(1 for p in self.crs if p + 1 < raw)

    def to_raw(self, b):
        raw = b
        for k, p in enumerate(self.crs):
            if p - k < b:
                raw += 1
        return raw


# ---- the strict line parser ----

# brat's standoff grammar (https://brat.nlplab.org/standoff.html), line by line: text-bound
# (T), events of any type with role arguments (E), relations with any two role names (R),
# attributes, binary or valued, on T, E and R lines (A, or the older M), normalisations (N),
# notes of any type on T, E and R lines (#) and equivalences (*, whose id is not unique).
GRAMMAR = {
    "T": re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$"),
    "E": re.compile(r"^(E\d+)\t([^\s:]+):(T\d+)((?: [^\s:]+:[TE]\d+)*)$"),
    "R": re.compile(r"^(R\d+)\t(\S+) ([^\s:]+):([TE]\d+) ([^\s:]+):([TE]\d+)$"),
    "A": re.compile(r"^([AM]\d+)\t(\S+) ([TER]\d+)(?: (\S+))?$"),
    "N": re.compile(r"^(N\d+)\t(\S+) ([TER]\d+) ([^\s:]+):(\S+)\t(.*)$"),
    "#": re.compile(r"^(#\d+)\t(\S+) ([TER]\d+)\t(.*)$"),
    "*": re.compile(r"^(\*)\t(\S+)((?: T\d+){2,})$"),
}
GRAMMAR["M"] = GRAMMAR["A"]


def parse_strict(ann):
    expect(ann == "" or ann.endswith("\n"), ".ann ends with a line break")
    lines = {"T": {}, "E": {}, "R": {}, "A": {}, "N": {}, "#": {}, "*": []}
    ids = set()
    for no, line in enumerate(ann.split("\n")[:-1], 1):
        m = GRAMMAR.get(line[:1], None)
        m = m and m.match(line)
        expect(m, f".ann line {no} is brat standoff: {line!r}")
        g = m.groups()
        kind = "A" if line[:1] == "M" else line[:1]
        if kind == "*":
            lines["*"].append({"type": g[1], "members": g[2].split(), "no": no})
            continue
        expect(g[0] not in ids, f".ann line {no}: id {g[0]} is unique")
        ids.add(g[0])
        if kind == "T":
            frags = [tuple(map(int, f.split(" "))) for f in g[2].split(";")]
            lines["T"][g[0]] = {"type": g[1], "frags": frags, "text": g[3], "no": no}
        elif kind == "E":
            args = [tuple(a.split(":")) for a in g[3].split()]
            lines["E"][g[0]] = {"type": g[1], "trigger": g[2], "args": args, "no": no}
        elif kind == "R":
            lines["R"][g[0]] = {"type": g[1], "roles": (g[2], g[4]), "arg1": g[3], "arg2": g[5], "no": no}
        elif kind == "A":
            lines["A"][g[0]] = {"type": g[1], "target": g[2], "value": g[3], "no": no}
        elif kind == "N":
            lines["N"][g[0]] = {"type": g[1], "target": g[2], "resource": g[3], "entry": g[4], "label": g[5], "no": no}
        else:
            lines["#"][g[0]] = {"type": g[1], "target": g[2], "text": g[3], "no": no}
    return lines


def pybrat_roles(line):
    """pybrat's grammar knows a relation's two roles only as Arg1 and Arg2 (`_parse_relation`):
    other role names are renamed so for it, the strict parser having read them."""
    return re.sub(r"^(R\d+\t\S+) [^\s:]+:(\S+) [^\s:]+:(\S+)", r"\1 Arg1:\2 Arg2:\3", line)


def pybrat_parse(folder):
    return BratParser(error="ignore").parse(folder, ann_preprocess_function=pybrat_roles)


# ---- annotation.conf ----


def parse_conf(conf):
    sections = {}
    section = None
    for line in conf.split("\n"):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"^\[(\w+)\]$", line.strip())
        if m:
            section = m.group(1)
            expect(section in ("entities", "relations", "events", "attributes"), f"conf section [{section}]")
            sections[section] = {}
            continue
        expect(section is not None, f"conf line {line!r} is in a section")
        name, _, args = line.strip().partition("\t") if "\t" in line else line.strip().partition(" ")
        expect(name not in sections[section], f"conf: {name} is declared once in [{section}]")
        roles = {}
        for arg in filter(None, (a.strip() for a in args.split(","))):
            role, _, types = arg.partition(":")
            expect(types, f"conf argument {arg!r} is ROLE:TYPES")
            roles[role] = types.split("|")
        sections[section][name] = roles
    for s in ("entities", "relations", "events", "attributes"):
        expect(s in sections, f"annotation.conf has [{s}]")
    return sections


def check_against_conf(lines, conf):
    entities = set(conf["entities"])
    events = conf["events"]

    def type_of(ref):
        return lines[ref[0]][ref]["type"]

    def allowed(types, ref):
        """Whether the line `ref` may fill a slot of these types: by its type's name, or as any
        entity (a T line of an entity type), any event (an E line) or any relation (an R line)."""
        ty = type_of(ref)
        return (
            ty in types
            or ("<ENTITY>" in types and ref[0] == "T" and ty in entities)
            or ("<EVENT>" in types and ref[0] == "E")
            or ("<RELATION>" in types and ref[0] == "R")
        )

    for tid, t in lines["T"].items():
        expect(t["type"] in entities or t["type"] in events, f"{tid}: type {t['type']} is declared")
    for eid, e in lines["E"].items():
        expect(e["type"] in events, f"{eid}: event type {e['type']} is declared")
        roles = {r.rstrip("?*+"): types for r, types in events[e["type"]].items()}
        mandatory = {r for r in events[e["type"]] if not r.endswith(("?", "*"))}
        for role, ref in e["args"]:
            expect(role in roles, f"{eid}: role {role} is declared")
            expect(allowed(roles[role], ref), f"{eid}: {role} may be a {type_of(ref)} ({ref})")
        expect(mandatory <= {r for r, _ in e["args"]}, f"{eid}: has its mandatory roles {mandatory}")
    for rid, r in lines["R"].items():
        expect(r["type"] in conf["relations"], f"{rid}: relation type {r['type']} is declared")
        decl = conf["relations"][r["type"]]
        declared_roles = tuple(k for k in decl if not k.startswith("<"))
        expect(r["roles"] == declared_roles, f"{rid}: roles {r['roles']} are the declared {declared_roles}")
        for role, ref in zip(r["roles"], (r["arg1"], r["arg2"])):
            expect(allowed(decl[role], ref), f"{rid}: {role} may be a {type_of(ref)} ({ref})")
    for aid, a in lines["A"].items():
        expect(a["type"] in conf["attributes"], f"{aid}: attribute {a['type']} is declared")
        decl = conf["attributes"][a["type"]]
        expect(allowed(decl["Arg"], a["target"]), f"{aid}: {a['type']} may apply to a {type_of(a['target'])} ({a['target']})")
        if "Value" in decl:
            expect(a["value"] in decl["Value"], f"{aid}: value {a['value']} is declared")
        else:
            expect(a["value"] is None, f"{aid}: a binary attribute has no value")


# ---- one export ----


def check_dir(folder, stem, data, example=None):
    """Checks an unpacked export against its native source; returns a summary. `example` is
    pybrat's reading of the pair when the folder holds several (a corpus)."""
    try:
        return check_dir_unguarded(folder, stem, data, example)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError) as e:
        raise Fail(f"the export is malformed where the check looked: {e!r}") from e


def check_dir_unguarded(folder, stem, data, example):
    raw = data["document"]["text"]
    view = view_of(raw)
    expect((folder / f"{stem}.txt").read_bytes() == raw.encode("utf-8"), ".txt is the exact text")
    ann = (folder / f"{stem}.ann").read_text(encoding="utf-8")
    conf = parse_conf((folder / "annotation.conf").read_text(encoding="utf-8"))
    lines = parse_strict(ann)
    check_pybrat(example or pybrat_parse(folder)[0], lines, view)
    check_brat_rules(lines, view)
    check_against_conf(lines, conf)
    Natives(lines, data).check()
    counts = ", ".join(f"{len(lines[k])} {k}" for k in ("T", "E", "R", "A", "N", "#"))
    return f"{counts} lines"


def check_pybrat(example, lines, view):
    """pybrat parses every T, E and R line, and every N line on a T line, as the strict parser
    does; only what its grammar lacks is left to the strict parser: relations to events, and
    normalisations of other types than Reference, on events or relations, or without a label."""
    expect(example.text == view, "pybrat reads the text as brat does")
    ents = {e.id: e for e in example.entities}
    expect(sorted(ents) == sorted(lines["T"]), f"pybrat parsed every T line ({len(ents)} of {len(lines['T'])})")
    for tid, t in lines["T"].items():
        e = ents[tid]
        expect(e.type == t["type"], f"{tid}: pybrat's type")
        expect([(s.start, s.end) for s in e.spans] == t["frags"], f"{tid}: pybrat's offsets")
        expect(e.mention == t["text"].rstrip(), f"{tid}: pybrat's text")
        refs = [(r.id, r.rid, r.eid, r.entry) for r in e.references]
        want = [
            (nid, n["resource"], n["entry"], n["label"].rstrip())
            for nid, n in lines["N"].items()
            if n["target"] == tid and n["type"] == "Reference" and n["label"].rstrip()
        ]
        expect(refs == want, f"{tid}: pybrat's normalisations {refs} are {want}")
    events = {e.id: e for e in example.events}
    expect(sorted(events) == sorted(lines["E"]), f"pybrat parsed every E line ({len(events)} of {len(lines['E'])})")
    for eid, e in lines["E"].items():
        p = events[eid]
        expect(p.type == e["type"] and getattr(p.trigger, "id", None) == e["trigger"], f"{eid}: pybrat's type and trigger")
        expect([getattr(a, "id", None) for a in p.arguments] == [ref for _, ref in e["args"]], f"{eid}: pybrat's arguments")
    rels = {r.id: r for r in example.relations}
    between_spans = {rid for rid, r in lines["R"].items() if r["arg1"][0] == r["arg2"][0] == "T"}
    expect(sorted(rels) == sorted(between_spans), f"pybrat parsed every R line between T lines ({len(rels)} of {len(between_spans)})")
    for rid in between_spans:
        r, p = lines["R"][rid], rels[rid]
        expect((p.type, p.arg1.id, p.arg2.id) == (r["type"], r["arg1"], r["arg2"]), f"{rid}: pybrat's relation")


def check_brat_rules(lines, view):
    """brat's own rules: TextAnnotations in brat's server/src/annotation.py."""
    for tid, t in lines["T"].items():
        for k, (s, e) in enumerate(t["frags"]):
            expect(0 <= s <= e <= len(view), f"{tid}: offsets {s}..{e} within the text")
            expect(not any(c in LINE_BREAKS for c in view[s:e]), f"{tid}: no line break inside {s}..{e}")
            for os_, oe in t["frags"][:k]:
                expect(not (e >= os_ and s < oe), f"{tid}: fragments do not overlap or touch")
        joined = " ".join(view[s:e] for s, e in t["frags"])
        expect(t["text"] == joined, f"{tid}: text {t['text']!r} == text at its offsets {joined!r}")

    def exists(ref):
        return ref in lines[ref[0]]

    for eid, e in lines["E"].items():
        expect(lines["T"].get(e["trigger"], {}).get("type") == e["type"], f"{eid}: trigger of its type")
        for _, ref in e["args"]:
            expect(exists(ref), f"{eid}: argument {ref} exists")
    for rid, r in lines["R"].items():
        expect(exists(r["arg1"]) and exists(r["arg2"]), f"{rid}: arguments exist")
    for kind in ("A", "N", "#"):
        for lid, line in lines[kind].items():
            expect(exists(line["target"]), f"{lid}: target {line['target']} exists")
    for eq in lines["*"]:
        expect(all(m in lines["T"] for m in eq["members"]), f"line {eq['no']}: the equivalence's spans exist")


def one_word(s):
    """A name or value as the exporter writes it in one brat field: whitespace runs become _."""
    return "_".join(s.split())


def attributes_of(attributes):
    """Native attributes as (name, value) of A lines: a flag has no value."""
    return [(one_word(k), None if v is True else one_word(v)) for k, v in (attributes or {}).items()]


def note_lines(kind, text):
    """The # line a note becomes: none when it is blank."""
    return [(kind, one_line(text))] if text.strip() else []


class Natives:
    """Every native annotation is in the .ann, with each of its parts; and nothing else is.

    Each annotation stands as a T line (an entity's own, a quote's Content, a claim's Claim),
    found at its offsets, and as an E line when it triggers an event; the A, N and # lines
    expected on every T, E and R line are gathered, then compared with the file's, all of them.
    """

    def __init__(self, lines, data):
        self.lines = lines
        self.data = data
        self.raw = data["document"]["text"]
        self.offsets = Offsets(self.raw)
        self.by_id = {a["id"]: a for a in data["annotations"]}
        self.t_of = {}  # native id -> the T line standing for it
        self.e_of = {}  # native id -> the E line of its event
        self.used_r = set()
        self.want = {"A": {}, "N": {}, "#": {}}  # line kind -> brat id -> expected lines on it

    def expect_on(self, kind, target, items):
        self.want[kind].setdefault(target, []).extend(items)

    def native_span(self, s, e):
        """A native span as brat carries it: line breaks at its ends dropped."""
        while s < e and self.raw[s] in LINE_BREAKS:
            s += 1
        while e > s and self.raw[e - 1] in LINE_BREAKS:
            e -= 1
        return (s, e)

    def want_spans(self, a):
        """A native annotation's stretches as brat carries them: its fragments, or its span."""
        return [self.native_span(p["start"], p["end"]) for p in a.get("fragments") or [a]]

    def spans_of(self, tid):
        """A T line's stretches in native offsets, its fragments joined where only whitespace
        holding a line break parts them (the exporter splits at line breaks)."""
        frags = [(self.offsets.to_raw(s), self.offsets.to_raw(e)) for s, e in self.lines["T"][tid]["frags"]]
        out = [frags[0]]
        for s, e in frags[1:]:
            gap = self.raw[out[-1][1] : s]
            if gap.strip() == "" and any(c in LINE_BREAKS for c in gap):
                out[-1] = (out[-1][0], e)
            else:
                out.append((s, e))
        return out

    def span_of(self, tid):
        """A T line's span in native offsets; its fragments split only at line breaks."""
        spans = self.spans_of(tid)
        expect(len(spans) == 1, f"{tid}: split only at line breaks")
        return spans[0]

    def ref_of(self, native_id):
        """The brat line an argument or relation naming this annotation points at."""
        expect(native_id in self.t_of, f"{native_id}: is in the .ann, to be pointed at")
        return self.e_of.get(native_id, self.t_of[native_id])

    def check(self):
        lines, anns = self.lines, self.data["annotations"]
        expect(not lines["*"], "no equivalence lines: nothing native is one")
        self.entities([a for a in anns if a["kind"] == "entity"])
        self.quotes([a for a in anns if a["kind"] == "quote"])
        claims = [a for a in anns if a["kind"] == "claim"]
        claim_lines = self.claim_lines(claims)
        for a in anns:
            self.own_parts(a)
        self.events(anns)
        for a in anns:
            self.relations(a)
        self.claimants(claims, claim_lines)
        expect(self.used_r == set(lines["R"]), f"every R line is a linked claimant or a native relation: {sorted(set(lines['R']) - self.used_r)} are not")
        self.compare_attached()

    def entities(self, entities):
        lines = self.lines
        for a in entities:
            want = self.want_spans(a)
            used = set(self.t_of.values())
            found = [t for t, l in lines["T"].items() if l["type"] == a["label"] and t not in used and self.spans_of(t) == want]
            expect(found, f"{a['id']}: a {a['label']} T line at {want}")
            self.t_of[a["id"]] = found[0]
            self.expect_on("#", found[0], note_lines("AnnotatorNotes", a["note"]))
        entity_lines = [t for t, l in lines["T"].items() if l["type"] not in STRUCTURE]
        expect(len(entity_lines) == len(entities), f"{len(entities)} entities, {len(entity_lines)} entity lines")

    def quotes(self, quotes):
        lines = self.lines
        attributions = [eid for eid, e in lines["E"].items() if e["type"] == "Attribution"]
        expect(len(attributions) == len(quotes), f"{len(quotes)} quotes, {len(attributions)} Attribution events")
        for q in quotes:
            want = self.want_spans(q)
            found = [
                eid
                for eid in attributions
                if [r for r, _ in lines["E"][eid]["args"]][:1] == ["Content"]
                and self.spans_of(lines["E"][eid]["args"][0][1]) == want
            ]
            expect(len(found) == 1, f"{q['id']}: one Attribution event with Content at {want}")
            eid = found[0]
            e = lines["E"][eid]
            roles = dict(e["args"])
            expect(len(roles) == len(e["args"]), f"{eid}: each role once")
            content = roles["Content"]
            expect(lines["T"][content]["type"] == "Content", f"{eid}: Content is a Content span")
            cue = q.get("cue")
            if cue:
                expect(self.span_of(e["trigger"]) == self.native_span(cue["start"], cue["end"]), f"{eid}: the trigger covers the cue")
                expect(lines["T"][roles.get("Cue", "")]["type"] == "Cue", f"{eid}: a Cue span")
                expect(self.span_of(roles["Cue"]) == self.native_span(cue["start"], cue["end"]), f"{eid}: the cue's offsets")
            else:
                expect(self.spans_of(e["trigger"]) == want, f"{eid}: the trigger covers the quote")
                expect("Cue" not in roles, f"{eid}: no cue")
            speaker = q.get("speaker") or {}
            if "ref" in speaker:
                ent = self.by_id[speaker["ref"]]
                expect(lines["T"][roles.get("Source", "")]["type"] == "Source", f"{eid}: a Source span")
                expect(self.span_of(roles["Source"]) == self.native_span(ent["start"], ent["end"]), f"{eid}: Source over the speaker")
            else:
                expect("Source" not in roles, f"{eid}: no Source span")
                if "name" in speaker:
                    self.expect_on("#", eid, note_lines("AnnotatorNotes", "speaker: " + speaker["name"]))
            self.expect_on("A", eid, [("Direct", None)] if q["direct"] else [])
            self.t_of[q["id"]] = content
            self.expect_on("#", content, note_lines("AnnotatorNotes", q["note"]))

    def claim_lines(self, claims):
        claim_lines = [t for t, l in self.lines["T"].items() if l["type"] == "Claim"]
        expect(len(claim_lines) == len(claims), f"{len(claims)} claims, {len(claim_lines)} Claim lines")
        for c in claims:
            want = self.want_spans(c)
            found = [t for t in claim_lines if self.spans_of(t) == want]
            expect(len(found) == 1, f"{c['id']}: one Claim line at {want}")
            tid = self.t_of[c["id"]] = found[0]
            claimant = c.get("claimant") or {}
            if "name" in claimant:
                self.expect_on("#", tid, note_lines("AnnotatorNotes", "claimant: " + claimant["name"]))
            self.expect_on("#", tid, note_lines("AnnotatorNotes", c["note"]))
            cw = c.get("checkworthiness")
            self.expect_on("A", tid, [("Checkworthiness", cw)] if cw else [])
        return claim_lines

    def own_parts(self, a):
        """Attributes, normalisations and typed notes: on the annotation's T line."""
        tid = self.t_of[a["id"]]
        self.expect_on("A", tid, attributes_of(a.get("attributes")))
        self.expect_on("N", tid, [("Reference", one_word(n["resource"]), one_word(n["id"]), one_line(n["label"])) for n in a.get("normalizations", [])])
        for n in a.get("typed_notes", []):
            self.expect_on("#", tid, note_lines(one_word(n["type"]), n["text"]))

    def events(self, anns):
        lines = self.lines
        with_event = [a for a in anns if a.get("event")]
        for a in with_event:
            ty, trigger = one_word(a["event"]["type"]), self.t_of[a["id"]]
            found = [eid for eid, e in lines["E"].items() if e["type"] == ty and e["trigger"] == trigger]
            expect(len(found) == 1, f"{a['id']}: one {ty} event triggered by {trigger}")
            self.e_of[a["id"]] = found[0]
        generic = {eid for eid, e in lines["E"].items() if e["type"] != "Attribution"}
        expect(generic == set(self.e_of.values()), f"{len(with_event)} events of annotations, E lines {sorted(generic)}")
        for a in with_event:
            ev, eid = a["event"], self.e_of[a["id"]]
            args = [(one_word(x["role"]), self.ref_of(x["target"])) for x in ev["args"]]
            expect(lines["E"][eid]["args"] == args, f"{eid}: {a['id']}'s arguments {args}, not {lines['E'][eid]['args']}")
            self.expect_on("A", eid, attributes_of(ev.get("attributes")))
            self.expect_on("#", eid, note_lines("AnnotatorNotes", ev.get("note", "")))

    def relations(self, a):
        for rel in a.get("relations", []):
            r1, r2 = rel.get("roles") or ["Arg1", "Arg2"]
            want = (one_word(rel["type"]), (one_word(r1), one_word(r2)), self.t_of[a["id"]], self.ref_of(rel["target"]))
            found = [
                rid
                for rid, r in self.lines["R"].items()
                if rid not in self.used_r and (r["type"], r["roles"], r["arg1"], r["arg2"]) == want
            ]
            expect(found, f"{a['id']}: a relation {want} (type, roles, from, to)")
            self.used_r.add(found[0])
            self.expect_on("A", found[0], attributes_of(rel.get("attributes")))
            self.expect_on("#", found[0], note_lines("AnnotatorNotes", rel.get("note", "")))

    def claimants(self, claims, claim_lines):
        claimant_lines = {
            rid: r
            for rid, r in self.lines["R"].items()
            if rid not in self.used_r and r["type"] == "Claimant" and r["arg1"] in claim_lines
        }
        for c in claims:
            tid = self.t_of[c["id"]]
            claimant = c.get("claimant") or {}
            mine = [rid for rid, r in claimant_lines.items() if r["arg1"] == tid]
            if "ref" in claimant:
                ent = self.t_of.get(claimant["ref"])
                ok = len(mine) == 1 and claimant_lines[mine[0]]["arg2"] == ent and claimant_lines[mine[0]]["roles"] == ("Arg1", "Arg2")
                expect(ok, f"{tid}: one Claimant relation to {claimant['ref']} ({ent})")
                self.used_r.add(mine[0])
            else:
                expect(not mine, f"{tid}: no Claimant relation")

    def compare_attached(self):
        """The A, N and # lines on each line are the expected ones (A lines in any order)."""
        got = {"A": {}, "N": {}, "#": {}}
        for lid, line in self.lines["A"].items():
            got["A"].setdefault(line["target"], []).append((line["type"], line["value"]))
        for lid, line in self.lines["N"].items():
            got["N"].setdefault(line["target"], []).append((line["type"], line["resource"], line["entry"], line["label"]))
        for lid, line in self.lines["#"].items():
            got["#"].setdefault(line["target"], []).append((line["type"], line["text"]))
        names = {v: k for k, v in {**self.t_of, **self.e_of}.items()}
        for kind, what in (("A", "attributes"), ("N", "normalisations"), ("#", "notes")):
            for target in sorted(set(got[kind]) | set(self.want[kind])):
                g, w = got[kind].get(target, []), self.want[kind].get(target, [])
                if kind == "A":
                    g, w = sorted(g, key=repr), sorted(w, key=repr)
                who = f" ({names[target]})" if target in names else ""
                expect(g == w, f"{what} on {target}{who} are {w}, not {g}")


def unpack(zip_path, into):
    with zipfile.ZipFile(zip_path) as z:
        expect(z.testzip() is None, f"{zip_path.name}: CRCs")
        names = z.namelist()
        z.extractall(into)
    return names


def check_zip(zip_path, data):
    stem = safe_stem(data["document"]["id"])
    folder = pathlib.Path(tempfile.mkdtemp(dir=WORK))
    names = unpack(zip_path, folder)
    expect(names == [f"{stem}.txt", f"{stem}.ann", "annotation.conf"], f"{zip_path.name} holds {names}")
    return folder, check_dir(folder, stem, data)


# ---- reading back what standard tools write ----


def carried(data):
    """What brat carries of a native file's annotations, comparable across ids: an annotation
    pointed at (a speaker, a claimant, a relation's or argument's target) is its span and label."""
    by_id = {a["id"]: a for a in data["annotations"]}

    def at(native_id):
        e = by_id[native_id]
        return (e["start"], e["end"], e["kind"], e.get("label"))

    def party(p):
        if not p:
            return None
        if "ref" in p:
            return at(p["ref"])[:2] + at(p["ref"])[3:]
        return one_line(p["name"])

    def note(text):
        return one_line(text) if text.strip() else ""

    def open_parts(a):
        ev = a.get("event")
        return (
            [(f["start"], f["end"]) for f in a.get("fragments", [])],
            sorted(attributes_of(a.get("attributes")), key=repr),
            sorted(
                (
                    (one_word(r["type"]), tuple(r.get("roles") or ["Arg1", "Arg2"]), at(r["target"]),
                     sorted(attributes_of(r.get("attributes")), key=repr), note(r.get("note", "")))
                    for r in a.get("relations", [])
                ),
                key=repr,
            ),
            [(one_word(n["resource"]), one_word(n["id"]), one_line(n["label"])) for n in a.get("normalizations", [])],
            [(one_word(n["type"]), one_line(n["text"])) for n in a.get("typed_notes", []) if n["text"].strip()],
            ev
            and (
                one_word(ev["type"]),
                [(one_word(x["role"]), at(x["target"])) for x in ev["args"]],
                sorted(attributes_of(ev.get("attributes")), key=repr),
                note(ev.get("note", "")),
            ),
        )

    out = []
    for a in data["annotations"]:
        cue = a.get("cue")
        out.append(
            (
                a["start"],
                a["end"],
                a["kind"],
                a.get("label"),
                (cue["start"], cue["end"]) if cue else None,
                a.get("direct", False),
                a.get("checkworthiness"),
                party(a.get("speaker") or a.get("claimant")),
                note(a["note"]),
                open_parts(a),
            )
        )
    return sorted(out, key=repr)


def check_rezipped(folder, datas):
    """Deflated, in a folder, by Python's zipfile; read back by `marginalia convert --from brat`,
    a native file per document."""
    stems = [safe_stem(d["document"]["id"]) for d in datas]
    again = folder.parent / f"{folder.name}-rezipped.zip"
    with zipfile.ZipFile(again, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name in [f"{s}.{e}" for s in stems for e in ("txt", "ann")] + ["annotation.conf"]:
            z.write(folder / name, f"export/{name}")
    out = folder.parent / f"{folder.name}-native"
    run = subprocess.run([str(CLI), "convert", "--from", "brat", str(again), "-o", str(out)], capture_output=True, text=True)
    expect(run.returncode == 0, f"re-zipped: marginalia convert --from brat read it ({run.stdout}{run.stderr})")
    back_files = sorted(out.glob("*.marginalia.json"))
    expect(len(back_files) == len(datas), f"re-zipped: {len(back_files)} documents read back, not {len(datas)}")
    for stem, data in zip(stems, datas):
        back = json.loads((out / f"{stem}.marginalia.json").read_text(encoding="utf-8"))
        expect(back["document"]["text"] == data["document"]["text"], "re-zipped: the exact text")
        expect(carried(back) == carried(data), "re-zipped: the same annotations come back")


# ---- an extra document: spans across CRLF line breaks ----


def extra_native():
    text = (
        "Officials said \u201cthe talks\r\nwill resume\u201d on Monday.\r\n\r\n"
        "The ministry in \u062f\u0645\u0634\u0642 \U0001f600 claimed\r\nthat prices fell.\r\n"
    )

    def span(needle):
        i = text.index(needle)
        return {"start": i, "end": i + len(needle), "text": needle}

    t = "2024-12-08T05:30:00.000Z"
    common = {"created": t, "updated": t}
    anns = [
        {"id": "e1", "kind": "entity", "label": "PERSON", **span("Officials"), "note": "", **common},
        {
            "id": "q2",
            "kind": "quote",
            **span("\u201cthe talks\r\nwill resume\u201d"),
            "speaker": {"ref": "e1"},
            "cue": span("said"),
            "direct": True,
            "note": "",
            **common,
        },
        {
            "id": "q3",
            "kind": "quote",
            **span("on Monday.\r\n\r\nThe ministry"),
            "speaker": {"name": "a spokes\tperson"},
            "cue": None,
            "direct": False,
            "note": "first\nsecond",
            **common,
        },
        {"id": "e4", "kind": "entity", "label": "ORG", **span("The ministry"), "note": "a line\r\nbreak", **common},
        {"id": "e5", "kind": "entity", "label": "GPE", **span("\u062f\u0645\u0634\u0642"), "note": "", **common},
        {
            "id": "c6",
            "kind": "claim",
            **span("\U0001f600 claimed\r\nthat prices fell."),
            "claimant": {"ref": "e4"},
            "checkworthiness": "UFS",
            "note": "",
            **common,
        },
    ]
    for a in anns:
        if a.get("cue"):
            a["cue"] = {k: a["cue"][k] for k in ("start", "end", "text")}
    anns.sort(key=lambda a: (a["start"], a["end"], a["id"]))
    return {
        "format": "marginalia",
        "version": 1,
        "offsets": "codepoint",
        "document": {
            "id": "lines/CRLF test",
            "title": "Lines",
            "text": text,
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        },
        "labels": {
            "entity": ["PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "DATE"],
            "checkworthiness": ["CFS", "UFS", "NFS"],
        },
        "annotator": "",
        "annotations": anns,
    }


# ---- the check's teeth ----


def broken_copies(folder, stem, data):
    """Copies of a good export, each broken one way; every one must fail."""
    ann = (folder / f"{stem}.ann").read_text(encoding="utf-8")
    raw = data["document"]["text"]
    view = view_of(raw)

    def raw_offsets(a):
        # What an exporter counting the exact text's code points would write after a CRLF.
        offsets = Offsets(raw)
        return re.sub(
            r"^(T\d+\t\S+ )([\d ;]+)\t",
            lambda m: m.group(1)
            + ";".join(" ".join(str(offsets.to_raw(int(n))) for n in f.split(" ")) for f in m.group(2).split(";"))
            + "\t",
            a,
            flags=re.M,
        )

    breakers = {
        "offsets shifted by one": lambda a: re.sub(r"^(T1\t\S+ )(\d+) (\d+)", lambda m: f"{m.group(1)}{int(m.group(2)) + 1} {int(m.group(3)) + 1}", a, flags=re.M),
        "a changed text": lambda a: re.sub(r"^(T1\t[^\t]*\t)(.)", lambda m: m.group(1) + ("X" if m.group(2) != "X" else "Y"), a, flags=re.M),
        "offsets counting CRLF as two": raw_offsets,
        "a lost line": lambda a: "\n".join(a.split("\n")[1:]),
        "a typo in a type": lambda a: a.replace("\tContent ", "\tContents ", 1).replace("\tORG ", "\tORGS ", 1),
        "an event to a missing span": lambda a: re.sub(r"Content:T\d+", "Content:T999", a, count=1),
        "a lost Direct": lambda a: re.sub(r"^A\d+\tDirect .*\n", "", a, count=1, flags=re.M),
        "spaces for tabs": lambda a: a.replace("\t", " ", 1),
        "a note changed": lambda a: re.sub(r"^(#\d+\tAnnotatorNotes \S+\t)", r"\1!", a, count=1, flags=re.M),
        # The open schema's lines: each still brat standoff, declared, pointing at what exists.
        "a relation's Arg2 moved": lambda a: re.sub(r"^(R\d+\t(?!Claimant )\S+ \S+ [^\s:]+:)T(\d+)$", lambda m: m.group(1) + ("T2" if m.group(2) == "1" else "T1"), a, count=1, flags=re.M),
        "a relation's ends swapped": lambda a: re.sub(r"^(R\d+\t\S+ [^\s:]+:)(\S+) ([^\s:]+:)(\S+)$", r"\1\4 \3\2", a, count=1, flags=re.M),
        "an event argument moved": lambda a: re.sub(r"^(E\d+\t(?!Attribution:)\S+ [^\s:]+:)T(\d+)", lambda m: m.group(1) + ("T2" if m.group(2) == "1" else "T1"), a, count=1, flags=re.M),
        "an event argument lost": lambda a: re.sub(r"^(E\d+\t(?!Attribution:)\S+) [^\s:]+:\S+", r"\1", a, count=1, flags=re.M),
        "a flag on another span": lambda a: re.sub(r"^(A\d+\t(?!Direct |Checkworthiness )\S+ )T(\d+)$", lambda m: m.group(1) + ("T2" if m.group(2) == "1" else "T1"), a, count=1, flags=re.M),
        "a relation's attribute lost": lambda a: re.sub(r"^A\d+\t\S+ R\d+.*\n", "", a, count=1, flags=re.M),
        "an event's note lost": lambda a: re.sub(r"^#\d+\tAnnotatorNotes E\d+\t(?!speaker: ).*\n", "", a, count=1, flags=re.M),
        "a normalisation's entry changed": lambda a: re.sub(r"^(N\d+\t\S+ \S+ [^\s:]+:\S+)\t", r"\g<1>0\t", a, count=1, flags=re.M),
        "a typed note's type changed": lambda a: re.sub(r"^(#\d+\t)(?!AnnotatorNotes )\S+", r"\1Stem", a, count=1, flags=re.M),
        "a fragment lost": lambda a: re.sub(r"^(T\d+\t\S+ )(\d+) (\d+);[\d ;]+\t.*$", lambda m: f"{m.group(1)}{m.group(2)} {m.group(3)}\t{view[int(m.group(2)) : int(m.group(3))]}", a, count=1, flags=re.M),
    }
    for name, breaker in breakers.items():
        bad = breaker(ann)
        if bad == ann:
            continue  # this export has nothing to break that way
        copy = pathlib.Path(tempfile.mkdtemp(dir=WORK))
        for f in folder.iterdir():
            shutil.copy(f, copy / f.name)
        (copy / f"{stem}.ann").write_text(bad, encoding="utf-8")
        try:
            check_dir(copy, stem, data)
        except Fail:
            yield name
            continue
        raise SystemExit(f"brat self-test: an export with {name} passed the check")


def check_corpus(out_dir, natives):
    files = sorted(out_dir.iterdir())
    expect([f.name for f in files] == ["project.brat.zip"], f"{out_dir} holds {[f.name for f in files]}")
    datas = [json.loads(pathlib.Path(p).read_text(encoding="utf-8")) for p in natives]
    stems = [safe_stem(d["document"]["id"]) for d in datas]
    folder = pathlib.Path(tempfile.mkdtemp(dir=WORK))
    names = unpack(files[0], folder)
    want = [f"{s}.{e}" for s in stems for e in ("txt", "ann")] + ["annotation.conf"]
    expect(names == want, f"{files[0].name} holds {names}, not {want}")
    examples = {e.id: e for e in pybrat_parse(folder)}
    expect(sorted(examples) == sorted(stems), f"pybrat read the documents {sorted(examples)}")
    for stem, data in zip(stems, datas):
        summary = check_dir(folder, stem, data, examples[stem])
        print(f"brat ok: {files[0].name} ({stem}: pybrat and brat's rules against the one annotation.conf: {summary})")
    check_rezipped(folder, datas)
    print(f"brat ok: {files[0].name} re-zipped and read back, {len(datas)} documents")
    # Teeth: two documents' .ann files swapped must fail.
    swapped = pathlib.Path(tempfile.mkdtemp(dir=WORK))
    for f in folder.iterdir():
        shutil.copy(f, swapped / f.name)
    a, b = (swapped / f"{s}.ann" for s in stems[:2])
    a_text, b_text = a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")
    a.write_text(b_text, encoding="utf-8")
    b.write_text(a_text, encoding="utf-8")
    try:
        examples = {e.id: e for e in pybrat_parse(swapped)}
        for stem, data in zip(stems, datas):
            check_dir(swapped, stem, data, examples[stem])
    except Fail:
        print("brat corpus self-test ok: two documents' .ann files swapped refused")
        return 0
    raise SystemExit("brat corpus self-test: a corpus with two .ann files swapped passed the check")


def main(args):
    parsed = common_args.parse(args, __doc__)
    if parsed is None:
        return 2
    corpus, out_dir, natives = parsed
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    if corpus:
        try:
            return check_corpus(out_dir, natives)
        except Fail as e:
            print(f"brat FAILED: {out_dir}: {e}", file=sys.stderr)
            return 1
    sources = [(p, json.loads(pathlib.Path(p).read_text(encoding="utf-8"))) for p in natives]
    extra = WORK / "lines.marginalia.json"
    extra.write_text(json.dumps(extra_native(), ensure_ascii=False, indent=2), encoding="utf-8")
    subprocess.run([str(CLI), "validate", str(extra)], check=True, capture_output=True)
    extra_out = WORK / "extra-export"
    subprocess.run([str(CLI), "convert", "--to", "brat", str(extra), "-o", str(extra_out)], check=True, capture_output=True)
    jobs = [(out_dir, p, d) for p, d in sources] + [(extra_out, str(extra), json.loads(extra.read_text(encoding="utf-8")))]
    refused = set()
    for folder_out, path, data in jobs:
        zip_path = folder_out / f"{safe_stem(data['document']['id'])}.brat.zip"
        try:
            folder, summary = check_zip(zip_path, data)
            check_rezipped(folder, [data])
        except Fail as e:
            print(f"brat FAILED: {zip_path}: {e}", file=sys.stderr)
            return 1
        refused.update(broken_copies(folder, safe_stem(data["document"]["id"]), data))
        print(f"brat ok: {zip_path.name} from {pathlib.Path(path).name} (pybrat and brat's rules: {summary}; re-zipped and read back)")
    expect_all = {"offsets shifted by one", "a changed text", "offsets counting CRLF as two", "a lost line", "a typo in a type"}
    expect_all |= {"a relation's Arg2 moved", "an event argument moved", "a flag on another span", "a normalisation's entry changed", "a typed note's type changed", "a fragment lost"}
    missing = expect_all - refused
    if missing:
        print(f"brat self-test: never exercised {sorted(missing)}", file=sys.stderr)
        return 1
    print(f"brat self-test ok: {len(refused)} kinds of broken export refused")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
