#!/usr/bin/env python3
"""Writes docs/formats.md from docs/formats.md.in and the golden files, so that its excerpts are
literal parts of what the exporters write. `--check` fails if docs/formats.md is out of date
(the formats test layer runs it)."""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
G = ROOT / "core" / "tests" / "golden"


def pj(o, indent=None):
    return json.dumps(o, ensure_ascii=False, indent=indent)


def lines(objs):
    return "\n".join(pj(o) for o in objs)


def values():
    native = json.loads((G / "native/damascus.marginalia.json").read_text(encoding="utf-8"))
    sp = json.loads((G / "spacy/damascus.spacy.jsonl").read_text(encoding="utf-8").splitlines()[0])
    toks = [t for t in sp["tokens"] if 32 <= t["start"] and t["end"] <= 52 or 294 <= t["start"] and t["end"] <= 306]
    dc = json.loads((G / "doccano/damascus.doccano.jsonl").read_text(encoding="utf-8").splitlines()[0])
    dr = json.loads((G / "doccano/damascus.doccano-rel.jsonl").read_text(encoding="utf-8").splitlines()[0])
    ls = json.loads((G / "label-studio/damascus-2024-12-08.label-studio.json").read_text(encoding="utf-8"))
    lsel = [r for r in ls[0]["annotations"][0]["result"] if r.get("id") in ("e1", "c5", "e2")]
    lso = json.loads((G / "label-studio/open-schema.label-studio.json").read_text(encoding="utf-8"))
    lsopen = [
        r
        for r in lso[0]["annotations"][0]["result"]
        if (r.get("id") == "e4" and r["from_name"] != "label") or r.get("from_id") == "e4"
    ]
    w = json.loads((G / "w3c/damascus.w3c.jsonld").read_text(encoding="utf-8"))
    items = w["first"]["items"]
    first = [a for a in items if a["id"].endswith(":e1")][0]
    link = [a for a in items if a["id"].endswith(":q3/speaker")]
    ann = (G / "brat/damascus.ann").read_text(encoding="utf-8").split("\n")
    conll = (G / "conll/damascus-2024-12-08.conll").read_text(encoding="utf-8").split("\n")
    return {
        "NATIVE": pj(native["annotations"][:3], 2),
        "SPACY": "\n".join(
            [
                pj({"spans": sp["spans"][:3]}),
                lines(toks),
                pj({"relations": sp["relations"][:1]}),
                pj({"meta": sp["meta"], "_view_id": sp["_view_id"], "answer": sp["answer"]}),
            ]
        ),
        "DOCCANO": pj({"text": dc["text"][:40] + "…", "label": dc["label"][:3], "meta": dc["meta"]}),
        "DOCCANO_REL": pj({"entities": dr["entities"][:3]}) + "\n" + pj({"relations": dr["relations"]}),
        "LABEL_STUDIO": lines(lsel),
        "LABEL_STUDIO_OPEN": lines(lsopen),
        "BRAT": "\n".join(ann[:5]),
        "W3C": pj(first, 2),
        "W3C_LINK": pj(link[0], 2) if link else "(none)",
        "CONLL": "\n".join(conll[:14]),
    }


def render():
    text = (ROOT / "docs" / "formats.md.in").read_text(encoding="utf-8")
    for key, value in values().items():
        text = text.replace("@@" + key + "@@", value)
    assert "@@" not in text, "a placeholder has no value"
    return text


def main(argv):
    out = ROOT / "docs" / "formats.md"
    text = render()
    if argv[1:] == ["--check"]:
        if out.read_text(encoding="utf-8") != text:
            print("docs/formats.md is out of date: run scripts/gen-formats-doc.py", file=sys.stderr)
            return 1
        print("docs/formats.md matches the golden files")
        return 0
    out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
