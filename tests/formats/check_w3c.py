"""Checks the W3C Web Annotation export with the W3C's own conformance assertions.

usage: check_w3c.py [--corpus] OUT_DIR NATIVE_FILE...

For each native file, its export OUT_DIR/<document id>.w3c.jsonld must
  1. pass the W3C annotation-model conformance suite (web-platform-tests' assertions, run by
     `run.py` in the suite folder) with 0 MUST failures: exit status 0;
  2. carry the native document's exact text (schema:about / schema:text, and its sha256);
  3. hold one Annotation per native annotation, at urn:marginalia:<doc>:<id>, whose
     TextPositionSelector is the native start/end and whose TextQuoteSelector exact, prefix and
     suffix are the document text there and the 32 code points either side, recomputed here
     in Python (str indices are code points, as the Web Annotation model counts);
  4. say the same thing: kind and entity type (tagging body, motivation), directness,
     check-worthiness, note, and one linking annotation per speaker, claimant and cue, which
     point at the right annotations (cues checked like targets), and one per relation (of any
     type), <annotation IRI>/relation-<n>, whose target is [from, to] and whose tagging and
     commenting bodies are the relation's type and note;
  5. hold nothing else (total == number of items == annotations + links + relations).
Then it proves it has teeth: broken copies of each export (a shifted offset, offsets in UTF-16
units, a short prefix, lost links, a missing @context…) must each fail. With --corpus, OUT_DIR
holds one file, project.w3c.jsonld: one collection whose schema:about lists the native files'
documents in order; it must pass the suite, every item must belong to one document (its
target's source, or for a link the annotation it targets), and each document with its items
must say what its native file says (2–5 above); a copy with an annotation moved to another
document's source must fail. Exits 1 naming the first problem.

The suite is looked for at <repo root>/../shared/w3c-annotation-model/run.py (where CI has
it), else in the folder named by the W3C_SUITE environment variable, else in the copy under
tests/vendor/ (byte-exact, BSD-licensed, for clones made elsewhere).
"""

import copy
import hashlib
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import urllib.parse

import common_args

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONTEXT = "http://www.w3.org/ns/anno.jsonld"
AROUND = 32


class Bad(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Bad(msg)


def suite_runner():
    """The suite's runner, from ../shared/ (CI always has it) or $W3C_SUITE; None when absent."""
    candidates = [ROOT.parent / "shared" / "w3c-annotation-model"]
    if os.environ.get("W3C_SUITE"):
        candidates.append(pathlib.Path(os.environ["W3C_SUITE"]))
    for folder in candidates:
        if (folder / "run.py").is_file():
            return folder / "run.py"
    print(
        "w3c: the W3C annotation-model suite is absent ("
        + " or ".join(str(c) for c in candidates)
        + "): exports are checked against the native files only; set W3C_SUITE to run it"
    )
    return None


def run_suite(runner, path):
    """Runs the conformance suite on one file; returns (exit status, last line)."""
    done = subprocess.run(
        [sys.executable, str(runner), str(path)], capture_output=True, text=True, check=False
    )
    lines = done.stdout.strip().splitlines()
    return done.returncode, (lines[-1] if lines else done.stderr.strip()), done.stdout


def iri(doc_id, ann_id=None):
    base = "urn:marginalia:" + urllib.parse.quote(doc_id, safe="")
    return base if ann_id is None else base + ":" + urllib.parse.quote(ann_id, safe="")


def as_list(v):
    return v if isinstance(v, list) else [v]


def check_resource(res, text, doc_iri, start, end, what):
    """A SpecificResource over text[start:end]: both selectors recomputed from the text."""
    check(isinstance(res, dict) and res.get("type") == "SpecificResource", f"{what}: not a SpecificResource")
    source = res.get("source")
    source_id = source.get("id") if isinstance(source, dict) else source
    check(source_id == doc_iri, f"{what}: source {source_id!r} is not {doc_iri!r}")
    sels = as_list(res.get("selector"))
    quotes = [s for s in sels if s.get("type") == "TextQuoteSelector"]
    positions = [s for s in sels if s.get("type") == "TextPositionSelector"]
    check(len(quotes) == 1 and len(positions) == 1, f"{what}: needs one quote and one position selector")
    q, p = quotes[0], positions[0]
    check((p["start"], p["end"]) == (start, end), f"{what}: position {p['start']}..{p['end']} is not {start}..{end}")
    check(q["exact"] == text[start:end], f"{what}: exact {q['exact']!r} != text[{start}:{end}] {text[start:end]!r}")
    check(q["prefix"] == text[max(0, start - AROUND) : start], f"{what}: prefix {q['prefix']!r} is not the {AROUND} code points before")
    check(q["suffix"] == text[end : end + AROUND], f"{what}: suffix {q['suffix']!r} is not the {AROUND} code points after")


def textual(bodies, purpose):
    return [
        b["value"] for b in bodies if isinstance(b, dict) and b.get("type") == "TextualBody" and b.get("purpose") == purpose
    ]


def compare(data, native):
    """The export says what the native file says."""
    doc = native["document"]
    text, doc_iri = doc["text"], iri(doc["id"])
    check(data.get("@context") == CONTEXT, "collection @context")
    about = data.get("schema:about", {})
    check(about.get("schema:text") == text, "schema:about carries the document text exactly")
    check(about.get("schema:sha256") == hashlib.sha256(text.encode("utf-8")).hexdigest(), "schema:sha256")
    check(about.get("id") == doc_iri and about.get("schema:identifier") == doc["id"], "document IRI and id")
    items = data["first"]["items"]
    by_id = {}
    for item in items:
        check(item["id"] not in by_id, f"{item['id']}: id repeated")
        by_id[item["id"]] = item
    expected_links = 0
    for a in native["annotations"]:
        me = iri(doc["id"], a["id"])
        what = f"{a['id']} ({a['start']}..{a['end']})"
        check(me in by_id, f"{what}: no annotation {me}")
        ann = by_id[me]
        check_resource(ann["target"], text, doc_iri, a["start"], a["end"], what)
        bodies = as_list(ann["body"])
        tags = textual(bodies, "tagging")
        classes = textual(bodies, "classifying")
        if a["kind"] == "entity":
            check(ann["motivation"] == "tagging" and tags == [a["label"]], f"{what}: entity tag {tags}")
            check(classes == [], f"{what}: an entity has no class")
        else:
            check(ann["motivation"] == "classifying", f"{what}: motivation {ann['motivation']}")
            check(tags == [a["kind"].upper()], f"{what}: kind tag {tags}")
            if a["kind"] == "quote":
                check(classes == ["DIRECT" if a["direct"] else "INDIRECT"], f"{what}: directness {classes}")
            else:
                want = [a["checkworthiness"]] if a.get("checkworthiness") else []
                check(classes == want, f"{what}: check-worthiness {classes}")
        notes = textual(bodies, "commenting")
        check(notes == ([a["note"]] if a["note"] else []), f"{what}: note {notes}")
        role = "speaker" if a["kind"] == "quote" else "claimant"
        party = a.get(role)
        if party:
            expected_links += 1
            link = by_id.get(f"{me}/{role}")
            check(link is not None, f"{what}: no {role} link")
            check(link["motivation"] == "linking" and link["target"] == me, f"{what}: {role} link target")
            lb = as_list(link["body"])
            check(textual(lb, "tagging") == [role.upper()], f"{what}: {role} link tag")
            if "ref" in party:
                check(iri(doc["id"], party["ref"]) in lb, f"{what}: {role} link does not name {party['ref']}")
            else:
                check(textual(lb, "identifying") == [party["name"]], f"{what}: {role} name")
        cue = a.get("cue")
        if cue:
            expected_links += 1
            link = by_id.get(f"{me}/cue")
            check(link is not None and link["target"] == me, f"{what}: no cue link")
            lb = as_list(link["body"])
            check(textual(lb, "tagging") == ["CUE"], f"{what}: cue tag")
            specific = [b for b in lb if isinstance(b, dict) and b.get("type") == "SpecificResource"]
            check(len(specific) == 1, f"{what}: cue resource")
            check_resource(specific[0], text, doc_iri, cue["start"], cue["end"], f"{what} cue")
        for k, r in enumerate(a.get("relations", []), 1):
            expected_links += 1
            rel = by_id.get(f"{me}/relation-{k}")
            check(rel is not None, f"{what}: no linking annotation for its relation {k} ({r['type']})")
            check(rel["motivation"] == "linking", f"{what}: relation {k} motivation {rel['motivation']}")
            ends = [me, iri(doc["id"], r["target"])]
            check(rel["target"] == ends, f"{what}: relation {k} targets {rel['target']}, not {ends}")
            rb = as_list(rel["body"])
            check(textual(rb, "tagging") == [r["type"]], f"{what}: relation {k} type {textual(rb, 'tagging')}")
            want = [r["note"]] if r.get("note") else []
            check(textual(rb, "commenting") == want, f"{what}: relation {k} note {textual(rb, 'commenting')}")
            check(len(rb) == 1 + len(want), f"{what}: relation {k} has other bodies")
    n = len(native["annotations"]) + expected_links
    check(len(items) == n, f"{len(items)} items, expected {n} (annotations, links and relations)")
    check(data.get("total") == n, f"total {data.get('total')} != {n}")


def check_file(runner, path, native):
    last = "not run (absent)"
    if runner is not None:
        status, last, _ = run_suite(runner, path)
        check(status == 0, f"W3C suite: exit {status}: {last}")
        check(last.endswith(" 0 failed"), f"W3C suite: {last}")
    data = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    compare(data, native)
    return last


def teeth(runner, path, native):
    """Each broken copy must be refused, by the suite or by the comparison."""
    good = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))

    def first_span(d):
        return d["first"]["items"][0]["target"]["selector"]

    def utf16_positions(d):
        text = d["schema:about"]["schema:text"]
        units = lambda cp: len(text[:cp].encode("utf-16-le")) // 2
        for item in d["first"]["items"]:
            for res in [item["target"], *as_list(item["body"])]:
                for s in as_list(res.get("selector", [])) if isinstance(res, dict) else []:
                    if s.get("type") == "TextPositionSelector":
                        s.update(start=units(s["start"]), end=units(s["end"]))

    def swap_relation(d):
        for item in d["first"]["items"]:
            if isinstance(item.get("target"), list):
                item["target"].reverse()
                return

    def drop_link(d):
        d["first"]["items"] = [i for i in d["first"]["items"] if i.get("motivation") != "linking"]

    breakers = {
        "a position shifted by one": lambda d: first_span(d)[1].update(start=first_span(d)[1]["start"] + 1),
        "a prefix one code point short": lambda d: first_span(d)[0].update(prefix=first_span(d)[0]["prefix"][1:]),
        "an exact one character long": lambda d: first_span(d)[0].update(exact=first_span(d)[0]["exact"] + "x"),
        "positions in UTF-16 code units": utf16_positions,
        "links dropped": drop_link,
        "a relation's ends swapped": swap_relation,
        "no @context": lambda d: d.pop("@context"),
        "a body without a type or value": lambda d: d["first"]["items"][0].update(body=[{"purpose": "tagging"}]),
    }
    tried = 0
    with tempfile.TemporaryDirectory() as tmp:
        bad_path = pathlib.Path(tmp) / "broken.w3c.jsonld"
        for name, breaker in breakers.items():
            bad = copy.deepcopy(good)
            breaker(bad)
            if bad == good:  # nothing to break here (no links, or an ASCII text)
                continue
            tried += 1
            bad_path.write_text(json.dumps(bad), encoding="utf-8")
            try:
                check_file(runner, bad_path, native)
            except (Bad, KeyError, TypeError):
                continue
            raise SystemExit(f"check_w3c self-test: {path} with {name} passed the check")
    return tried


def owner(item, iris):
    """The document IRI an item belongs to: its target's source, or the document of the
    annotation a link targets (urn:marginalia:<doc>:<id>), or a relation goes from."""
    target = item.get("target")
    if isinstance(target, dict):
        source = target.get("source")
        return source.get("id") if isinstance(source, dict) else source
    if isinstance(target, list) and target:  # a relation: the annotation it goes from
        target = target[0]
    if isinstance(target, str):
        return next((i for i in iris if target.startswith(i + ":")), None)
    return None


def views(data):
    """Each document of a corpus collection with its own items, as a one-document collection."""
    about = data.get("schema:about")
    check(isinstance(about, list), "schema:about lists the documents")
    iris = [d["id"] for d in about]
    mine = {i: [] for i in iris}
    for item in data["first"]["items"]:
        o = owner(item, iris)
        check(o in mine, f"{item.get('id')}: its target is none of the listed documents")
        mine[o].append(item)
    check(data.get("total") == len(data["first"]["items"]), "total counts every item")
    return [
        {"@context": data.get("@context"), "schema:about": d, "first": {"items": mine[d["id"]]}, "total": len(mine[d["id"]])}
        for d in about
    ]


def check_corpus(runner, out_dir, natives):
    files = sorted(out_dir.iterdir())
    check([f.name for f in files] == ["project.w3c.jsonld"], f"{out_dir} holds {[f.name for f in files]}")
    path = files[0]
    data = [json.loads(pathlib.Path(n).read_text(encoding="utf-8")) for n in natives]
    last = "not run (absent)"
    if runner is not None:
        status, last, _ = run_suite(runner, path)
        check(status == 0 and last.endswith(" 0 failed"), f"W3C suite: exit {status}: {last}")
    good = json.loads(path.read_text(encoding="utf-8"))

    def compare_all(corpus):
        ids = [d.get("schema:identifier") for d in corpus.get("schema:about", [])]
        check(ids == [n["document"]["id"] for n in data], f"schema:about lists {ids}")
        for view, native in zip(views(corpus), data):
            compare(view, native)

    compare_all(good)
    for native in data:
        print(f"w3c ok: {path} ({native['document']['id']}: {len(native['annotations'])} annotations; W3C suite on the collection: {last}; selectors recomputed)")
    # Teeth: an annotation of the first document moved to the second's source.
    bad = copy.deepcopy(good)
    first = next(i for i in bad["first"]["items"] if isinstance(i.get("target"), dict))
    first["target"]["source"]["id"] = bad["schema:about"][1]["id"]
    try:
        compare_all(bad)
    except (Bad, KeyError, TypeError):
        print("w3c corpus self-test ok: an annotation moved to another document refused")
        return 0
    raise SystemExit("check_w3c self-test: a corpus with an annotation moved to another document passed")


def main(args):
    parsed = common_args.parse(args, __doc__)
    if parsed is None:
        return 2
    corpus, out_dir, natives = parsed
    runner = suite_runner()
    if corpus:
        try:
            return check_corpus(runner, out_dir, natives)
        except Bad as e:
            print(f"w3c FAIL: {out_dir}: {e}")
            return 1
    exports = {}
    for f in sorted(out_dir.glob("*.w3c.jsonld")):
        data = json.loads(f.read_text(encoding="utf-8"))
        exports[data.get("schema:about", {}).get("schema:identifier")] = f
    checked = []
    for n in natives:
        native = json.loads(pathlib.Path(n).read_text(encoding="utf-8"))
        doc_id = native["document"]["id"]
        path = exports.get(doc_id)
        if path is None:
            print(f"w3c FAIL: no export of {doc_id} in {out_dir}")
            return 1
        try:
            last = check_file(runner, path, native)
        except (Bad, KeyError, TypeError) as e:
            print(f"w3c FAIL: {path}: {e}")
            return 1
        checked.append((path, native))
        print(f"w3c ok: {path} ({len(native['annotations'])} annotations; W3C suite: {last}; selectors recomputed)")
    if runner is None:
        print("w3c self-test: skipped (it needs the suite)")
        return 0
    n = sum(teeth(runner, path, native) for path, native in checked)
    print(f"w3c self-test ok: {n} broken exports refused")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
