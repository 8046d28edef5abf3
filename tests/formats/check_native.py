"""Checks native Marginalia files the way a training script would read them.

usage: check_native.py FILE...

For each file: valid against schema/marginalia-v1.schema.json; the sha256 is the UTF-8 text's;
every annotation's text is document.text[start:end] (Python slices count code points); cues
too; annotations sorted by (start, end); ids unique; links point at entities. Exits 1 on the
first file that fails, naming what is wrong.
"""

import hashlib
import json
import pathlib
import sys

import jsonschema

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schema" / "marginalia-v1.schema.json").read_text(encoding="utf-8"))


def check(path):
    data = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.FormatChecker())
    text = data["document"]["text"]
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == data["document"]["sha256"], "sha256"
    anns = data["annotations"]
    ids = [a["id"] for a in anns]
    assert len(ids) == len(set(ids)), "ids are unique"
    kinds = {a["id"]: a["kind"] for a in anns}
    keys = [(a["start"], a["end"]) for a in anns]
    assert keys == sorted(keys), "annotations are sorted by (start, end)"
    for a in anns:
        assert 0 <= a["start"] < a["end"] <= len(text), f"{a['id']}: offsets in range"
        assert text[a["start"] : a["end"]] == a["text"], f"{a['id']}: text[start:end] == text"
        if a["kind"] == "entity":
            assert a["label"] in data["labels"]["entity"], f"{a['id']}: label in the set"
        cue = a.get("cue")
        if cue:
            assert text[cue["start"] : cue["end"]] == cue["text"], f"{a['id']}: cue text"
        for role in ("speaker", "claimant"):
            party = a.get(role)
            if party and "ref" in party:
                assert kinds.get(party["ref"]) == "entity", f"{a['id']}: {role} is an entity"
    return len(anns)


def self_test(path):
    """The checks have teeth: each broken copy of a good file must fail."""
    good = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    breakers = {
        "text[start:end]": lambda d: d["annotations"][0].update(text=d["annotations"][0]["text"] + "x"),
        "an unknown field": lambda d: d["annotations"][0].update(colour="red"),
        "version 2": lambda d: d.update(version=2),
        "a reversed span": lambda d: d["annotations"][0].update(start=d["annotations"][0]["end"] + 1),
        "a changed text": lambda d: d["document"].update(text=d["document"]["text"] + "!"),
        "an unsorted list": lambda d: d["annotations"].reverse(),
    }
    tmp = ROOT / "target" / "formats" / "broken.json"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    for name, breaker in breakers.items():
        bad = json.loads(json.dumps(good))
        breaker(bad)
        tmp.write_text(json.dumps(bad), encoding="utf-8")
        try:
            check(tmp)
        except (AssertionError, jsonschema.ValidationError):
            continue
        raise SystemExit(f"self-test: a file with {name} passed the check")
    print(f"native self-test ok: {len(breakers)} broken files refused")


def main(paths):
    if paths[:1] == ["--self-test"]:
        self_test(paths[1])
        return 0
    if not paths:
        print(__doc__)
        return 2
    for p in paths:
        n = check(p)
        print(f"native ok: {p} ({n} annotations, schema and text[start:end] checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
