"""Checks brat exports with a brat standoff parser from PyPI and brat's own rules.

usage: check_brat.py [--corpus] OUT_DIR NATIVE_FILE...

For each native file, OUT_DIR/<stem>.brat.zip (unpacked with zipfile) must hold exactly
<stem>.txt, <stem>.ann and annotation.conf, the .txt being the document text byte for byte.

- pybrat (BratParser, pinned in tests/requirements.txt) parses the .txt/.ann pair, reading the
  text as brat does (universal newlines: CRLF is one character). Every T, E and R line must be
  parsed by it: its counts equal the file's, with the same types, offsets and arguments.
- pybrat skips A and # lines; a strict parser of the standoff grammar
  (https://brat.nlplab.org/standoff.html) parses every line, A and # included.
- brat's own text check (TextAnnotations in brat's server/src/annotation.py): a T line's text
  is its fragments' texts joined by one space; no fragment holds a line break; fragments lie in
  the text and neither overlap nor touch. Events have a trigger of their type; every id that
  is referenced exists.
- annotation.conf declares every type, role, attribute and value the .ann uses.
- Every native annotation is there, at the same offsets (code points, counted as brat counts)
  and with the same text, label, cue, speaker, claimant, direct, check-worthiness and note.

Then: the same on an extra document built here (spans across CRLF line breaks, named
speakers, a claimant link), converted by the command-line tool; every export re-zipped with
Python's zipfile (deflated, in a folder) and read back by `marginalia convert --from brat`,
giving the native annotations again; and a self-test: broken copies of the exports must fail.
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

GRAMMAR = {
    "T": re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$"),
    "E": re.compile(r"^(E\d+)\t(\S+):(T\d+)((?: [^\s:]+:[TE]\d+)*)$"),
    "R": re.compile(r"^(R\d+)\t(\S+) Arg1:(T\d+) Arg2:(T\d+)$"),
    "A": re.compile(r"^(A\d+)\t(\S+) ([TE]\d+)(?: (\S+))?$"),
    "#": re.compile(r"^(#\d+)\tAnnotatorNotes ([TE]\d+)\t(.*)$"),
}


def parse_strict(ann):
    expect(ann == "" or ann.endswith("\n"), ".ann ends with a line break")
    lines = {"T": {}, "E": {}, "R": {}, "A": {}, "#": {}}
    ids = set()
    for no, line in enumerate(ann.split("\n")[:-1], 1):
        m = GRAMMAR.get(line[:1], None)
        m = m and m.match(line)
        expect(m, f".ann line {no} is brat standoff: {line!r}")
        g = m.groups()
        expect(g[0] not in ids, f".ann line {no}: id {g[0]} is unique")
        ids.add(g[0])
        kind = line[:1]
        if kind == "T":
            frags = [tuple(map(int, f.split(" "))) for f in g[2].split(";")]
            lines["T"][g[0]] = {"type": g[1], "frags": frags, "text": g[3], "no": no}
        elif kind == "E":
            args = [tuple(a.split(":")) for a in g[3].split()]
            lines["E"][g[0]] = {"type": g[1], "trigger": g[2], "args": args, "no": no}
        elif kind == "R":
            lines["R"][g[0]] = {"type": g[1], "arg1": g[2], "arg2": g[3], "no": no}
        elif kind == "A":
            lines["A"][g[0]] = {"type": g[1], "target": g[2], "value": g[3], "no": no}
        else:
            lines["#"][g[0]] = {"target": g[1], "text": g[2], "no": no}
    return lines


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

    def allowed(types, ty):
        return ty in types or ("<ENTITY>" in types and ty in entities)

    def type_of(ref):
        if ref.startswith("T"):
            return lines["T"][ref]["type"]
        return lines["E"][ref]["type"]

    for tid, t in lines["T"].items():
        expect(t["type"] in entities or t["type"] in events, f"{tid}: type {t['type']} is declared")
    for eid, e in lines["E"].items():
        expect(e["type"] in events, f"{eid}: event type {e['type']} is declared")
        roles = {r.rstrip("?*+"): types for r, types in events[e["type"]].items()}
        mandatory = {r for r in events[e["type"]] if not r.endswith(("?", "*"))}
        for role, ref in e["args"]:
            expect(role in roles, f"{eid}: role {role} is declared")
            expect(allowed(roles[role], type_of(ref)), f"{eid}: {role} may be a {type_of(ref)}")
        expect(mandatory <= {r for r, _ in e["args"]}, f"{eid}: has its mandatory roles {mandatory}")
    for rid, r in lines["R"].items():
        expect(r["type"] in conf["relations"], f"{rid}: relation type {r['type']} is declared")
        decl = conf["relations"][r["type"]]
        expect(allowed(decl["Arg1"], type_of(r["arg1"])), f"{rid}: Arg1 may be a {type_of(r['arg1'])}")
        expect(allowed(decl["Arg2"], type_of(r["arg2"])), f"{rid}: Arg2 may be a {type_of(r['arg2'])}")
    for aid, a in lines["A"].items():
        expect(a["type"] in conf["attributes"], f"{aid}: attribute {a['type']} is declared")
        decl = conf["attributes"][a["type"]]
        expect(allowed(decl["Arg"], type_of(a["target"])), f"{aid}: {a['type']} may apply to a {type_of(a['target'])}")
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
    offsets = Offsets(raw)
    expect((folder / f"{stem}.txt").read_bytes() == raw.encode("utf-8"), ".txt is the exact text")
    ann = (folder / f"{stem}.ann").read_text(encoding="utf-8")
    conf = parse_conf((folder / "annotation.conf").read_text(encoding="utf-8"))
    lines = parse_strict(ann)

    # pybrat parses every T, E and R line, as the strict parser does.
    if example is None:
        [example] = BratParser(error="ignore").parse(folder)
    expect(example.text == view, "pybrat reads the text as brat does")
    ents = {e.id: e for e in example.entities}
    expect(sorted(ents) == sorted(lines["T"]), f"pybrat parsed every T line ({len(ents)} of {len(lines['T'])})")
    for tid, t in lines["T"].items():
        e = ents[tid]
        expect(e.type == t["type"], f"{tid}: pybrat's type")
        expect([(s.start, s.end) for s in e.spans] == t["frags"], f"{tid}: pybrat's offsets")
        expect(e.mention == t["text"].rstrip(), f"{tid}: pybrat's text")
    events = {e.id: e for e in example.events}
    expect(sorted(events) == sorted(lines["E"]), f"pybrat parsed every E line ({len(events)} of {len(lines['E'])})")
    for eid, e in lines["E"].items():
        p = events[eid]
        expect(p.type == e["type"] and p.trigger.id == e["trigger"], f"{eid}: pybrat's type and trigger")
        expect([a.id for a in p.arguments] == [ref for _, ref in e["args"]], f"{eid}: pybrat's arguments")
    rels = {r.id: r for r in example.relations}
    expect(sorted(rels) == sorted(lines["R"]), f"pybrat parsed every R line ({len(rels)} of {len(lines['R'])})")
    for rid, r in lines["R"].items():
        p = rels[rid]
        expect((p.type, p.arg1.id, p.arg2.id) == (r["type"], r["arg1"], r["arg2"]), f"{rid}: pybrat's relation")

    # brat's own rules.
    for tid, t in lines["T"].items():
        for k, (s, e) in enumerate(t["frags"]):
            expect(0 <= s <= e <= len(view), f"{tid}: offsets {s}..{e} within the text")
            expect(not any(c in LINE_BREAKS for c in view[s:e]), f"{tid}: no line break inside {s}..{e}")
            for os_, oe in t["frags"][:k]:
                expect(not (e >= os_ and s < oe), f"{tid}: fragments do not overlap or touch")
        joined = " ".join(view[s:e] for s, e in t["frags"])
        expect(t["text"] == joined, f"{tid}: text {t['text']!r} == text at its offsets {joined!r}")
    for eid, e in lines["E"].items():
        expect(lines["T"].get(e["trigger"], {}).get("type") == e["type"], f"{eid}: trigger of its type")
        for _, ref in e["args"]:
            expect(ref in lines["T"] or ref in lines["E"], f"{eid}: argument {ref} exists")
    for rid, r in lines["R"].items():
        expect(r["arg1"] in lines["T"] and r["arg2"] in lines["T"], f"{rid}: arguments exist")
    for aid, a in lines["A"].items():
        expect(a["target"] in lines["T"] or a["target"] in lines["E"], f"{aid}: target exists")
    for nid, n in lines["#"].items():
        expect(n["target"] in lines["T"] or n["target"] in lines["E"], f"{nid}: target exists")
    check_against_conf(lines, conf)

    # The native annotations, one by one.
    def native_span(s, e):
        """A native span as brat carries it: line breaks at its ends dropped."""
        while s < e and raw[s] in LINE_BREAKS:
            s += 1
        while e > s and raw[e - 1] in LINE_BREAKS:
            e -= 1
        return (s, e)

    def span_of(tid):
        """A T line's span in native offsets; its fragments split only at line breaks."""
        frags = [(offsets.to_raw(s), offsets.to_raw(e)) for s, e in lines["T"][tid]["frags"]]
        for (_, e1), (s2, _) in zip(frags, frags[1:]):
            gap = raw[e1:s2]
            expect(gap.strip() == "" and any(c in LINE_BREAKS for c in gap), f"{tid}: split only at line breaks")
        return (frags[0][0], frags[-1][1])

    by_id = {a["id"]: a for a in data["annotations"]}
    notes = {}
    for n in lines["#"].values():
        notes.setdefault(n["target"], []).append(n["text"])
    attrs = {}
    for a in lines["A"].values():
        attrs.setdefault(a["target"], []).append((a["type"], a["value"]))

    def expect_notes(target, expected, what):
        got = notes.get(target, [])
        expect(got == expected, f"{what}: notes on {target} are {expected}, not {got}")

    def note_of(a):
        return [one_line(a["note"])] if a["note"].strip() else []

    entity_t = {}
    for a in data["annotations"]:
        if a["kind"] != "entity":
            continue
        want = native_span(a["start"], a["end"])
        found = [t for t, l in lines["T"].items() if l["type"] == a["label"] and t not in entity_t.values() and span_of(t) == want]
        expect(found, f"{a['id']}: a {a['label']} T line at {want}")
        entity_t[a["id"]] = found[0]
        expect_notes(found[0], note_of(a), a["id"])
    entity_lines = [t for t, l in lines["T"].items() if l["type"] not in STRUCTURE]
    expect(len(entity_lines) == len(entity_t), f"{len(entity_t)} entities, {len(entity_lines)} entity lines")

    quotes = [a for a in data["annotations"] if a["kind"] == "quote"]
    expect(len(lines["E"]) == len(quotes), f"{len(quotes)} quotes, {len(lines['E'])} events")
    for q in quotes:
        want = native_span(q["start"], q["end"])
        found = [
            eid
            for eid, e in lines["E"].items()
            if e["type"] == "Attribution"
            and [r for r, _ in e["args"]][:1] == ["Content"]
            and span_of(e["args"][0][1]) == want
        ]
        expect(len(found) == 1, f"{q['id']}: one Attribution event with Content at {want}")
        eid = found[0]
        e = lines["E"][eid]
        roles = dict(e["args"])
        expect(len(roles) == len(e["args"]), f"{eid}: each role once")
        content = roles["Content"]
        expect(lines["T"][content]["type"] == "Content", f"{eid}: Content is a Content span")
        cue = q.get("cue")
        trigger_span = native_span(cue["start"], cue["end"]) if cue else want
        expect(span_of(e["trigger"]) == trigger_span, f"{eid}: the trigger covers the cue, or the quote")
        if cue:
            expect(lines["T"][roles.get("Cue", "")]["type"] == "Cue", f"{eid}: a Cue span")
            expect(span_of(roles["Cue"]) == native_span(cue["start"], cue["end"]), f"{eid}: the cue's offsets")
        else:
            expect("Cue" not in roles, f"{eid}: no cue")
        speaker = q.get("speaker") or {}
        speaker_notes = []
        if "ref" in speaker:
            ent = by_id[speaker["ref"]]
            expect(lines["T"][roles.get("Source", "")]["type"] == "Source", f"{eid}: a Source span")
            expect(span_of(roles["Source"]) == native_span(ent["start"], ent["end"]), f"{eid}: Source over the speaker")
        else:
            expect("Source" not in roles, f"{eid}: no Source span")
            if "name" in speaker:
                speaker_notes = ["speaker: " + one_line(speaker["name"])]
        expect_notes(eid, speaker_notes, q["id"])
        expect(attrs.get(eid, []) == ([("Direct", None)] if q["direct"] else []), f"{eid}: Direct iff direct")
        expect_notes(content, note_of(q), q["id"])

    claims = [a for a in data["annotations"] if a["kind"] == "claim"]
    claim_lines = [t for t, l in lines["T"].items() if l["type"] == "Claim"]
    expect(len(claim_lines) == len(claims), f"{len(claims)} claims, {len(claim_lines)} Claim lines")
    relations = {r["arg1"]: r for r in lines["R"].values()}
    refs = 0
    for c in claims:
        want = native_span(c["start"], c["end"])
        found = [t for t in claim_lines if span_of(t) == want]
        expect(len(found) == 1, f"{c['id']}: one Claim line at {want}")
        tid = found[0]
        claimant = c.get("claimant") or {}
        claimant_notes = []
        if "ref" in claimant:
            refs += 1
            r = relations.get(tid)
            expect(r and r["type"] == "Claimant" and r["arg2"] == entity_t.get(claimant["ref"]), f"{tid}: Claimant relation to {claimant['ref']}")
        else:
            expect(tid not in relations, f"{tid}: no Claimant relation")
            if "name" in claimant:
                claimant_notes = ["claimant: " + one_line(claimant["name"])]
        expect_notes(tid, claimant_notes + note_of(c), c["id"])
        cw = c.get("checkworthiness")
        expect(attrs.get(tid, []) == ([("Checkworthiness", cw)] if cw else []), f"{tid}: check-worthiness {cw}")
    expect(len(lines["R"]) == refs, "one relation per linked claimant")
    return f"{len(lines['T'])} T, {len(lines['E'])} E, {len(lines['R'])} R, {len(lines['A'])} A, {len(lines['#'])} # lines"


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
    """What brat carries of a native file's annotations, comparable across ids."""
    by_id = {a["id"]: a for a in data["annotations"]}

    def party(p):
        if not p:
            return None
        if "ref" in p:
            e = by_id[p["ref"]]
            return (e["start"], e["end"], e["label"])
        return one_line(p["name"])

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
                one_line(a["note"]) if a["note"].strip() else "",
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
    examples = {e.id: e for e in BratParser(error="ignore").parse(folder)}
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
        examples = {e.id: e for e in BratParser(error="ignore").parse(swapped)}
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
    missing = expect_all - refused
    if missing:
        print(f"brat self-test: never exercised {sorted(missing)}", file=sys.stderr)
        return 1
    print(f"brat self-test ok: {len(refused)} kinds of broken export refused")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
