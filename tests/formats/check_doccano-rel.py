"""Checks doccano JSONL exports with relations against doccano's shape.

usage: check_doccano-rel.py [--corpus] OUT_DIR NATIVE_FILE...

With --corpus, OUT_DIR holds one file, project.doccano-rel.jsonl, a line a document (see
check_doccano.py).

doccano exports a sequence-labelling project with relation labelling as one JSON object per
line: {"id", "text", "entities": [{"id", "label", "start_offset", "end_offset"}],
"relations": [{"id", "from_id", "to_id", "type"}], "Comments", ...meta} (doccano's
backend/data_export: ExportedSpan.to_dict, ExportedRelation.to_dict). Offsets are UTF-16 code
units (see check_doccano.py). For each native file, the export with the same document id must
have exactly these fields and types, unique entity and relation ids, relations whose ends are
entities of the line; its entities, in order, must be the native annotations (labels and the
text at each span), and its relations the native links (quote → speaker SPEAKER, claim →
claimant CLAIMANT). Broken copies must fail the same checks. Exits 1 on the first failure.
"""

import copy
import sys

from check_doccano import check_common, label_of, native_sorted, run, to_utf16, utf16_slice

EXTENSION = ".doccano-rel.jsonl"


def is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def check(line, native):
    check_common(line, native, {"text", "entities", "relations", "meta", "_marginalia"})
    text = line["text"]
    entities, relations = line["entities"], line["relations"]
    assert isinstance(entities, list) and isinstance(relations, list), "entities and relations are lists"
    for e in entities:
        assert list(e) == ["id", "label", "start_offset", "end_offset"], f"entity fields {list(e)}"
        assert is_int(e["id"]) and is_int(e["start_offset"]) and is_int(e["end_offset"]), f"{e}: integers"
        assert isinstance(e["label"], str) and e["label"], f"{e}: a label"
    for r in relations:
        assert list(r) == ["id", "from_id", "to_id", "type"], f"relation fields {list(r)}"
        assert all(is_int(r[k]) for k in ("id", "from_id", "to_id")), f"{r}: integer ids"
        assert isinstance(r["type"], str), f"{r}: a type"
    ids = [e["id"] for e in entities]
    assert len(ids) == len(set(ids)), "entity ids are unique"
    rel_ids = [r["id"] for r in relations]
    assert len(rel_ids) == len(set(rel_ids)), "relation ids are unique"
    by_id = {e["id"]: e for e in entities}
    for r in relations:
        assert r["from_id"] in by_id and r["to_id"] in by_id, f"relation {r['id']}: its ends are entities"

    anns = native_sorted(native)
    got = [(e["start_offset"], e["end_offset"], e["label"], utf16_slice(text, e["start_offset"], e["end_offset"])) for e in entities]
    expected = [(to_utf16(text, a["start"]), to_utf16(text, a["end"]), label_of(a), a["text"]) for a in anns]
    assert got == expected, f"entities {got} != native {expected}"

    key = lambda e: (e["start_offset"], e["end_offset"], e["label"])
    got_rels = [(key(by_id[r["from_id"]]), key(by_id[r["to_id"]]), r["type"]) for r in relations]
    native_by_id = {a["id"]: a for a in anns}
    nkey = lambda a: (to_utf16(text, a["start"]), to_utf16(text, a["end"]), label_of(a))
    # The links (a speaker, a claimant) and the open schema's relations of any type, each
    # once, in the order of their sources (a source's links before its relations).
    expected_rels = [
        rel
        for a in anns
        for rel in [
            (nkey(a), nkey(native_by_id[a[role]["ref"]]), kind)
            for role, kind in (("speaker", "SPEAKER"), ("claimant", "CLAIMANT"))
            if a.get(role) and "ref" in a[role]
        ]
        + [(nkey(a), nkey(native_by_id[r["target"]]), r["type"]) for r in a.get("relations", [])]
    ]
    assert got_rels == expected_rels, f"relations {got_rels} != native links and relations {expected_rels}"
    return len(got)


def breakers(line):
    out = {}

    def edit(name, fn):
        bad = copy.deepcopy(line)
        fn(bad)
        out[name] = bad

    edit("an entity one unit longer", lambda d: d["entities"][0].update(end_offset=d["entities"][0]["end_offset"] + 1))
    edit("a changed label", lambda d: d["entities"][0].update(label="WEAPON"))
    edit("a duplicate id", lambda d: d["entities"][1].update(id=d["entities"][0]["id"]))
    edit("a missing field", lambda d: d["entities"][0].pop("end_offset"))
    edit("an extra field", lambda d: d["entities"][0].update(text="x"))
    edit("a lost entity", lambda d: d["entities"].pop())
    edit("a relation to nowhere", lambda d: d["relations"].append({"id": 99, "from_id": 1, "to_id": 999, "type": "SPEAKER"}))
    if line["relations"]:
        edit("a reversed relation", lambda d: d["relations"][0].update(from_id=d["relations"][0]["to_id"], to_id=d["relations"][0]["from_id"]))
        edit("a lost relation", lambda d: d["relations"].pop())
        edit("a retyped relation", lambda d: d["relations"][0].update(type="CLAIMANT"))
    return out


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:], EXTENSION, check, breakers, "doccano-rel"))
