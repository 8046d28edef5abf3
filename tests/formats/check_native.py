"""Checks native Marginalia files the way a training script would read them.

usage: check_native.py FILE...
       check_native.py --self-test DOCUMENT_FILE [PROJECT_FILE]

For each document file: valid against schema/marginalia-v1.schema.json; the sha256 is the UTF-8
text's; every annotation's text is document.text[start:end] (Python slices count code points);
cues too; annotations sorted by (start, end); ids unique; links point at entities; the open
schema's parts hold together: a discontinuous annotation's fragments are in order, apart, each
with its own text, and cover start..end; relation targets and event arguments name annotations
of the file; attribute values are true or strings. A project
file ("format": "marginalia-project") must be valid against
schema/marginalia-project-v1.schema.json (which refers to the document schema for each
document), its document ids unique, and each document must pass the document checks. Exits 1
on the first file that fails, naming what is wrong. The self-test breaks copies of good files,
which must each fail.
"""

import hashlib
import json
import pathlib
import sys

import jsonschema
from referencing import Registry, Resource

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schema" / "marginalia-v1.schema.json").read_text(encoding="utf-8"))
PROJECT_SCHEMA = json.loads((ROOT / "schema" / "marginalia-project-v1.schema.json").read_text(encoding="utf-8"))
# The project schema refers to the document schema by its $id, resolved here, not online.
REGISTRY = Registry().with_resource(SCHEMA["$id"], Resource.from_contents(SCHEMA))


def check(path):
    """Checks a document or project file; returns (documents, annotations)."""
    data = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    if data.get("format") == "marginalia-project":
        jsonschema.Draft202012Validator(
            PROJECT_SCHEMA, registry=REGISTRY, format_checker=jsonschema.FormatChecker()
        ).validate(data)
        ids = [d["document"]["id"] for d in data["documents"]]
        assert len(ids) == len(set(ids)), "document ids are unique"
        return len(ids), sum(check_document(d) for d in data["documents"])
    return 1, check_document(data)


def check_document(data):
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
        check_open_schema(a, text, kinds)
    return len(anns)


def check_open_schema(a, text, kinds):
    """The open schema's parts of annotation `a` (docs/format.md, "The open schema's parts")."""
    who = a["id"]
    frags = a.get("fragments")
    if frags is not None:
        assert len(frags) >= 2, f"{who}: a discontinuous annotation has two fragments or more"
        for f in frags:
            assert 0 <= f["start"] < f["end"] <= len(text), f"{who}: a fragment in range"
            assert text[f["start"] : f["end"]] == f["text"], f"{who}: a fragment's text[start:end]"
        for x, y in zip(frags, frags[1:]):
            assert x["end"] < y["start"], f"{who}: fragments in order, apart"
        assert (frags[0]["start"], frags[-1]["end"]) == (a["start"], a["end"]), f"{who}: fragments cover start..end"
    for r in a.get("relations", []):
        assert r["target"] in kinds, f"{who}: relation {r['type']} targets an annotation of the file"
        assert r["target"] != who, f"{who}: a relation to itself"
    event = a.get("event")
    if event:
        for arg in event["args"]:
            assert arg["target"] in kinds, f"{who}: event argument {arg['role']} names an annotation of the file"
    for name, value in a.get("attributes", {}).items():
        assert value is True or isinstance(value, str), f"{who}: attribute {name} is true or a string"



def refuses(name, bad):
    tmp = ROOT / "target" / "formats" / "broken.json"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(json.dumps(bad), encoding="utf-8")
    try:
        check(tmp)
    except (AssertionError, jsonschema.ValidationError):
        return
    raise SystemExit(f"self-test: a file with {name} passed the check")


def self_test(path, project=None):
    """The checks have teeth: each broken copy of a good file must fail."""
    good = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    breakers = {
        "text[start:end]": lambda d: d["annotations"][0].update(text=d["annotations"][0]["text"] + "x"),
        "an unknown field": lambda d: d["annotations"][0].update(colour="red"),
        "version 2": lambda d: d.update(version=2),
        "a reversed span": lambda d: d["annotations"][0].update(start=d["annotations"][0]["end"] + 1),
        "a changed text": lambda d: d["document"].update(text=d["document"]["text"] + "!"),
        "an unsorted list": lambda d: d["annotations"].reverse(),
        "an unknown status": lambda d: d.update(status="finished"),
    }
    for name, breaker in breakers.items():
        bad = json.loads(json.dumps(good))
        breaker(bad)
        refuses(name, bad)
    n = len(breakers)
    # The open schema's parts, broken on the project file's annotations that carry them.
    if project:
        data = json.loads(pathlib.Path(project).read_text(encoding="utf-8"))

        def breaking(key, f):
            for i, d in enumerate(data["documents"]):
                for j, a in enumerate(d["annotations"]):
                    if a.get(key):
                        return lambda bad: f(bad["documents"][i]["annotations"][j])
            raise SystemExit(f"native self-test: no annotation with {key} to break")

        open_breakers = {
            "a fragment's wrong text": breaking("fragments", lambda a: a["fragments"][0].update(text="x")),
            "fragments out of order": breaking("fragments", lambda a: a["fragments"].reverse()),
            "one fragment": breaking("fragments", lambda a: a.update(fragments=a["fragments"][:1])),
            "a relation to nothing": breaking("relations", lambda a: a["relations"][0].update(target="nowhere")),
            "an event argument to nothing": breaking("event", lambda a: a["event"]["args"][0].update(target="nowhere")),
            "a numeric attribute": breaking("attributes", lambda a: a["attributes"].update(x=3)),
        }
        for name, breaker in open_breakers.items():
            bad = json.loads(json.dumps(data))
            breaker(bad)
            refuses(name, bad)
        n += len(open_breakers)
    if project:
        good = json.loads(pathlib.Path(project).read_text(encoding="utf-8"))
        assert good["format"] == "marginalia-project", f"{project} is not a project file"
        first_text = lambda d: d["documents"][0]["annotations"][0]
        project_breakers = {
            "no document": lambda d: d.update(documents=[]),
            "a project version 2": lambda d: d.update(version=2),
            "a field beside documents": lambda d: d.update(labels={}),
            "a repeated document id": lambda d: d["documents"][1]["document"].update(id=d["documents"][0]["document"]["id"]),
            "a document's bad span text": lambda d: first_text(d).update(text=first_text(d)["text"] + "x"),
            "a document's unknown status": lambda d: d["documents"][-1].update(status="finished"),
            "a document that is not a file": lambda d: d["documents"].append({"text": "x"}),
        }
        for name, breaker in project_breakers.items():
            bad = json.loads(json.dumps(good))
            breaker(bad)
            refuses(name, bad)
        n += len(project_breakers)
    print(f"native self-test ok: {n} broken files refused")


def main(paths):
    if paths[:1] == ["--self-test"]:
        self_test(*paths[1:3])
        return 0
    if not paths:
        print(__doc__)
        return 2
    for p in paths:
        docs, n = check(p)
        what = f"a project of {docs} documents, " if docs > 1 else ""
        print(f"native ok: {p} ({what}{n} annotations, schema and text[start:end] checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
