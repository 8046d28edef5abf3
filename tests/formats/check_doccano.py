"""Checks doccano JSONL exports (sequence labelling, without relations) against doccano's shape.

usage: check_doccano.py [--corpus] OUT_DIR NATIVE_FILE...

With --corpus, OUT_DIR holds one file, project.doccano.jsonl, a line per native file's
document in order, as doccano exports a project (and imports one: a document a line).

doccano exports a sequence-labelling project as one JSON object per line:
{"id", "text", "label": [[start_offset, end_offset, "LABEL"], ...], "Comments", ...meta}
(doccano's backend/data_export: TupledSpanFormatter, sorted tuples; the example's metadata is
spread over the line). Its annotation page counts offsets in UTF-16 code units, as JavaScript
does (doccano issue #2290), so this check slices the text in UTF-16 code units, not Python code
points. For each native file, the export with the same document id must have exactly the
documented fields and types, and its spans, in doccano's order, must be the native
annotations: same labels, and the text doccano shows for each span must be the native text.
Broken copies of each export must fail the same checks. Exits 1 on the first failure.
"""

import copy
import json
import pathlib
import sys

EXTENSION = ".doccano.jsonl"
LABEL = {"quote": "QUOTE", "claim": "CLAIM"}


def utf16_len(text):
    return len(text.encode("utf-16-le")) // 2


def utf16_slice(text, start, end):
    """text[start:end] with offsets in UTF-16 code units; fails on a split surrogate pair."""
    assert 0 <= start < end <= utf16_len(text), f"offsets {start}..{end} out of range"
    try:
        return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le", errors="strict")
    except UnicodeDecodeError:
        raise AssertionError(f"offsets {start}..{end} split a character written with two UTF-16 units")


def to_utf16(text, cp):
    return utf16_len(text[:cp])


def label_of(a):
    return a.get("label") or LABEL[a["kind"]]


def native_sorted(native):
    return sorted(native["annotations"], key=lambda a: (a["start"], a["end"], a["id"]))


def check_common(line, native, keys):
    assert isinstance(line, dict), "a JSON object"
    assert set(line) == keys, f"fields {sorted(line)} != {sorted(keys)}"
    assert isinstance(line["text"], str) and line["text"] == native["document"]["text"], "text"
    meta = line["meta"]
    assert isinstance(meta, dict) and set(meta) == {"id", "title"}, "meta is {id, title}"
    assert meta["id"] == native["document"]["id"] and meta["title"] == native["document"]["title"], "meta"
    assert isinstance(line["_marginalia"], dict), "_marginalia is an object"
    extras = line["_marginalia"]["annotations"]
    assert [(a["id"], a["kind"], a["note"]) for a in extras] == [
        (a["id"], a["kind"], a["note"]) for a in native_sorted(native)
    ], "extras keep ids, kinds and notes"


def check(line, native):
    check_common(line, native, {"text", "label", "meta", "_marginalia"})
    text = line["text"]
    spans = line["label"]
    assert isinstance(spans, list), "label is a list"
    for s in spans:
        assert isinstance(s, list) and len(s) == 3, f"{s} is [start, end, label]"
        assert all(isinstance(x, int) and not isinstance(x, bool) for x in s[:2]), f"{s}: integer offsets"
        assert isinstance(s[2], str) and s[2], f"{s}: a label"
    assert spans == sorted(spans), "sorted as doccano sorts them"
    got = [(s[0], s[1], s[2], utf16_slice(text, s[0], s[1])) for s in spans]
    expected = sorted(
        (to_utf16(text, a["start"]), to_utf16(text, a["end"]), label_of(a), a["text"]) for a in native["annotations"]
    )
    assert got == expected, f"spans {got} != native {expected}"
    return len(got)


def breakers(line):
    out = {}

    def edit(name, fn):
        bad = copy.deepcopy(line)
        fn(bad)
        out[name] = bad

    edit("a span one unit longer", lambda d: d["label"][0].__setitem__(1, d["label"][0][1] + 1))
    edit("a changed label", lambda d: d["label"][0].__setitem__(2, "WEAPON"))
    edit("a lost span", lambda d: d["label"].pop())
    edit("a span as a dict", lambda d: d["label"].__setitem__(0, {"start_offset": 0}))
    edit("an unsorted list", lambda d: d["label"].reverse())
    edit("a string offset", lambda d: d["label"][0].__setitem__(0, str(d["label"][0][0])))
    edit("an unknown field", lambda d: d.update(colour="red"))
    edit("a changed text", lambda d: d.update(text=d["text"] + "!"))
    return out


def load_corpus(out_dir, extension, natives):
    """The one corpus file of OUT_DIR: a line a native document, in order."""
    files = sorted(pathlib.Path(out_dir).iterdir())
    name = "project" + extension
    assert [f.name for f in files] == [name], f"{out_dir} holds {[f.name for f in files]}, not {name}"
    text = files[0].read_text(encoding="utf-8")
    assert text.endswith("\n") and "\n\n" not in text, "a line a document, each ending in a line break"
    lines = [json.loads(l) for l in text.splitlines()]
    ids = [json.loads(pathlib.Path(n).read_text(encoding="utf-8"))["document"]["id"] for n in natives]
    assert [l["meta"]["id"] for l in lines] == ids, f"the corpus's lines are {[l['meta']['id'] for l in lines]}, not {ids}"
    return {l["meta"]["id"]: (files[0], l) for l in lines}


def load_exports(out_dir, extension):
    exports = {}
    for path in sorted(pathlib.Path(out_dir).glob("*" + extension)):
        lines = [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
        assert len(lines) == 1, f"{path}: one document per file"
        line = json.loads(lines[0])
        exports[line["meta"]["id"]] = (path, line)
    return exports


def run(args, extension, check, breakers, name):
    corpus = args[:1] == ["--corpus"]
    args = args[1:] if corpus else args
    if len(args) < 2:
        print(__doc__)
        return 2
    exports = load_corpus(args[0], extension, args[1:]) if corpus else load_exports(args[0], extension)
    for native_path in args[1:]:
        native = json.loads(pathlib.Path(native_path).read_text(encoding="utf-8"))
        doc_id = native["document"]["id"]
        assert doc_id in exports, f"no export of {doc_id} in {args[0]}"
        path, line = exports[doc_id]
        n = check(line, native)
        refused = 0
        for what, bad in breakers(line).items():
            try:
                check(bad, native)
            except (AssertionError, KeyError, TypeError, UnicodeDecodeError):
                refused += 1
                continue
            raise SystemExit(f"{path}: a copy with {what} passed the check")
        astral = any(ord(c) > 0xFFFF for c in native["document"]["text"])
        print(
            f"{name} ok: {path}{' (' + doc_id + ')' if corpus else ''} ({n} spans, offsets in UTF-16 code units"
            + (", which differ from code points in this text" if astral else "")
            + f"; {refused} broken copies refused)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:], EXTENSION, check, breakers, "doccano"))
