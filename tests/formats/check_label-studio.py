"""Checks Label Studio exports with label-studio-converter, the library Label Studio exports with.

usage: check_label-studio.py [--corpus] OUT_DIR NATIVE_FILE...

For each native sample, the export in OUT_DIR (found by data.document_id) is:
1. read as JSON and compared with the native file: the text, the document's id and title; every
   region's value.text is text[start:end] (Python slices count code points); the `label`
   regions are the native annotations, in order (start, end, text, label or QUOTE/CLAIM);
   relations, cues and per-region fields carry the speakers, claimants, cues, directness,
   check-worthiness and notes; and, where a sample has them, the open schema's relations (a
   `relation` result each, after Marginalia's links, labelled with its type, `bi` for the
   attribute direction=bi) and attributes (a flag as the choice of its own name, a value as a
   text area, or a choice where a text area of that name is one of Marginalia's fields);
2. converted by label-studio-converter with core/tests/golden/label-studio/labeling-config.xml
   (the configuration the exporter's `labeling_config` writes) to JSON_MIN, whose `label`
   spans must equal the native annotations, and whose per-region fields must hold the notes;
3. converted to CONLL2003, whose tokens (nltk's Treebank tokenizer, as the converter uses)
   must carry B-/I- tags of every entity that overlaps no other span (the converter's
   tagger cannot nest, so spans inside quotes are its loss, not ours).
With --corpus, OUT_DIR holds one file, project.label-studio.json: one list of tasks numbered
from 1, a task per native file in order, as Label Studio exports a project. It is converted
whole (one JSON_MIN record a task, CONLL2003 tasks separated by blank lines), and each task is
checked as above. Exits 1 on the first difference, naming it.
"""

import json
import pathlib
import sys
import tempfile

from label_studio_converter import Converter
from nltk.tokenize import TreebankWordTokenizer

import common_args

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIG = ROOT / "core" / "tests" / "golden" / "label-studio" / "labeling-config.xml"


def fail(path, message):
    raise SystemExit(f"label-studio: {path}: {message}")


def label_of(a):
    return {"entity": a.get("label"), "quote": "QUOTE", "claim": "CLAIM"}[a["kind"]]


def expected_spans(native):
    return [
        {"start": a["start"], "end": a["end"], "text": a["text"], "labels": [label_of(a)]}
        for a in native["annotations"]
    ]


def check_raw(path, tasks, native):
    if not isinstance(tasks, list) or len(tasks) != 1:
        fail(path, "is not a list of one task")
    task = tasks[0]
    text = native["document"]["text"]
    data = task["data"]
    if data["text"] != text:
        fail(path, "data.text is not the native document's text")
    if (data["document_id"], data["title"]) != (native["document"]["id"], native["document"]["title"]):
        fail(path, "data.document_id or data.title differ from the native document")
    if not native["annotations"]:
        if task["annotations"]:
            fail(path, "an annotation without results for a document without annotations")
        return
    result = task["annotations"][0]["result"]
    for r in result:
        v = r.get("value", {})
        if r["type"] == "labels" and text[v["start"] : v["end"]] != v["text"]:
            fail(path, f"result {r['id']}: text[{v['start']}:{v['end']}] is not {v['text']!r}")
    spans = [
        {k: r["value"][k] for k in ("start", "end", "text", "labels")}
        for r in result
        if r.get("from_name") == "label"
    ]
    if spans != expected_spans(native):
        fail(path, f"the label regions differ from the native annotations:\n{spans}\n!=\n{expected_spans(native)}")
    ids = [r["id"] for r in result if r.get("from_name") == "label"]
    if ids != [a["id"] for a in native["annotations"]]:
        fail(path, "region ids are not the annotation ids")
    regions = {r["id"]: r for r in result if r["type"] == "labels"}
    all_relations = [r for r in result if r["type"] == "relation"]
    links = [r for r in all_relations if r["labels"] in (["SPEAKER"], ["CLAIMANT"], ["CUE"])]
    relations = {}
    for r in links:
        relations.setdefault((r["from_id"], r["labels"][0]), r["to_id"])
    fields = {}
    for r in result:
        if r["type"] in ("choices", "textarea"):
            key = (r["id"], r["from_name"], r["type"])
            if key in fields:
                fail(path, f"two {r['type']} results {r['from_name']!r} on {r['id']}")
            fields[key] = r["value"]
    kinds = {a["id"]: a["kind"] for a in native["annotations"]}
    want_fields = {}
    want_links = []
    want_relations = []
    for a in native["annotations"]:
        for name, value in sorted(a.get("attributes", {}).items()):
            builtin = {
                ("direct", "quote"): "choices",
                ("checkworthiness", "claim"): "choices",
                ("speaker", "quote"): "textarea",
                ("claimant", "claim"): "textarea",
            }.get((name, a["kind"]), "textarea" if name == "note" else None)
            if value is True:
                if builtin != "choices":
                    want_fields[(a["id"], name, "choices")] = [name]
            elif builtin == "textarea":
                want_fields[(a["id"], name, "choices")] = [value]
            else:
                want_fields[(a["id"], name, "textarea")] = [value]
        for rel in a.get("relations", []):
            if rel["target"] not in kinds:
                fail(path, f"{a['id']}: the native relation points at {rel['target']}, not an annotation")
            pair = {a["kind"], kinds[rel["target"]]}
            links_kinds = "entity" in pair and pair & {"quote", "claim"} and len(pair) == 2
            labels = [] if rel["type"] == "relation" and not links_kinds else [rel["type"]]
            bi = rel.get("attributes", {}).get("direction") == "bi"
            want_relations.append(
                {"from_id": a["id"], "to_id": rel["target"], "type": "relation",
                 "direction": "bi" if bi else "right", "labels": labels}
            )
        party = a.get("speaker") or a.get("claimant")
        if party and "ref" in party:
            want_links.append((a["id"], "SPEAKER" if a["kind"] == "quote" else "CLAIMANT"))
        if a.get("cue"):
            want_links.append((a["id"], "CUE"))
        party = a.get("speaker") or a.get("claimant")
        role = "speaker" if a["kind"] == "quote" else "claimant"
        if party and "ref" in party:
            if relations.get((a["id"], role.upper())) != party["ref"]:
                fail(path, f"{a['id']}: no {role.upper()} relation to {party['ref']}")
        if party and "name" in party:
            want_fields[(a["id"], role, "textarea")] = [party["name"]]
        if a.get("cue"):
            cue = regions.get(relations.get((a["id"], "CUE")))
            if not cue or (cue["value"]["start"], cue["value"]["end"]) != (a["cue"]["start"], a["cue"]["end"]):
                fail(path, f"{a['id']}: its cue is not linked as a CUE region at the native offsets")
        if a["kind"] == "quote":
            want_fields[(a["id"], "direct", "choices")] = ["direct" if a["direct"] else "indirect"]
        if a.get("checkworthiness"):
            want_fields[(a["id"], "checkworthiness", "choices")] = [a["checkworthiness"]]
        if a["note"]:
            want_fields[(a["id"], "note", "textarea")] = [a["note"]]
    # Marginalia's links first (in annotation order), then the open schema's relations.
    got_links = [(r["from_id"], r["labels"][0]) for r in all_relations[: len(want_links)]]
    if sorted(got_links) != sorted(want_links):
        fail(path, f"the links are not the first relations:\n{got_links}\n!=\n{want_links}")
    if all_relations[len(want_links):] != want_relations:
        fail(
            path,
            f"the open schema's relations differ:\n{all_relations[len(want_links):]}\n!=\n{want_relations}",
        )
    got_fields = {k: v.get("choices", v.get("text")) for k, v in fields.items()}
    if got_fields != want_fields:
        fail(path, f"per-region fields differ:\n{got_fields}\n!=\n{want_fields}")


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def json_min(path, converter, tmp, n):
    """The converter's JSON_MIN records of a file of `n` tasks."""
    out = pathlib.Path(tmp) / "json_min"
    converter.convert_to_json_min(str(path), str(out), is_dir=False)
    records = json.loads((out / "result.json").read_text(encoding="utf-8"))
    if len(records) != n:
        fail(path, f"JSON_MIN has {len(records)} records, not {n}")
    return records


def check_json_min(path, rec, native):
    if rec["text"] != native["document"]["text"]:
        fail(path, "JSON_MIN text differs")
    spans = [
        {k: s[k] for k in ("start", "end", "text", "labels")} for s in as_list(rec.get("label"))
    ]
    if spans != expected_spans(native):
        fail(path, f"JSON_MIN spans differ from the native annotations:\n{spans}")
    text = native["document"]["text"]
    for s in spans:
        if text[s["start"] : s["end"]] != s["text"]:
            fail(path, f"JSON_MIN span {s} is not text[start:end]")
    notes = sorted(a["note"] for a in native["annotations"] if a["note"])
    # (An attribute named note would be a choice of that name, which JSON_MIN lists too.)
    notes += [
        v
        for a in native["annotations"]
        for n, v in a.get("attributes", {}).items()
        if n == "note" and isinstance(v, str)
    ]
    if sorted(as_list(rec.get("note"))) != sorted(notes):
        fail(path, "JSON_MIN notes differ from the native notes")
    return len(spans)


def conll(path, converter, tmp, n):
    """The converter's CONLL2003 rows of a file of `n` tasks, a list of rows a task: after one
    -DOCSTART- line, each task's tokens end with a blank line."""
    out = pathlib.Path(tmp) / "conll"
    converter.convert_to_conll2003(str(path), str(out), is_dir=False)
    lines = (out / "result.conll").read_text(encoding="utf-8").split("\n")
    if lines[0] != "-DOCSTART- -X- O":
        fail(path, f"CoNLL starts with {lines[0]!r}")
    tasks, rows = [], []
    for line in lines[1:]:
        if line:
            rows.append(line.split(" "))
        elif rows:
            tasks.append(rows)
            rows = []
    if rows:
        tasks.append(rows)
    if len(tasks) != n:
        fail(path, f"the converter's CoNLL holds {len(tasks)} tasks, not {n}")
    return tasks


def check_conll(path, rows, native):
    if any(len(r) != 4 for r in rows):
        fail(path, "a CoNLL line has not four columns")
    text = native["document"]["text"]
    spans = list(TreebankWordTokenizer().span_tokenize(text))
    if [r[0] for r in rows] != [text[s:e] for s, e in spans]:
        fail(path, "the converter's CoNLL tokens are not the Treebank tokens of the text")
    anns = native["annotations"]
    checked = 0
    for a in anns:
        if a["kind"] != "entity":
            continue
        alone = all(b is a or b["end"] <= a["start"] or a["end"] <= b["start"] for b in anns)
        if not alone:
            continue
        tags = [rows[i][3] for i, (s, e) in enumerate(spans) if s < a["end"] and a["start"] < e]
        want = ["B-" + a["label"]] + ["I-" + a["label"]] * (len(tags) - 1)
        if not tags or tags != want:
            fail(path, f"{a['id']} {a['text']!r}: the converter's CoNLL tags are {tags}, not {want}")
        checked += 1
    return checked


def check_task(path, task, native, record, rows):
    check_raw(path, [task], native)
    spans = check_json_min(path, record, native)
    entities = check_conll(path, rows, native)
    if native["annotations"] and not entities:
        fail(path, "no entity could be checked in the converter's CoNLL output")
    return spans, entities


def check_corpus(out_dir, natives, converter):
    files = sorted(out_dir.iterdir())
    if [f.name for f in files] != ["project.label-studio.json"]:
        fail(out_dir, f"holds {[f.name for f in files]}, not project.label-studio.json")
    path = files[0]
    tasks = json.loads(path.read_text(encoding="utf-8"))
    data = [json.loads(pathlib.Path(n).read_text(encoding="utf-8")) for n in natives]
    ids = [d["document"]["id"] for d in data]
    if [t["data"]["document_id"] for t in tasks] != ids:
        fail(path, f"its tasks are {[t['data']['document_id'] for t in tasks]}, not {ids}")
    if [t["id"] for t in tasks] != list(range(1, len(tasks) + 1)):
        fail(path, "its tasks are not numbered 1, 2, …")
    with tempfile.TemporaryDirectory() as tmp:
        records = json_min(path, converter, tmp, len(tasks))
        rows = conll(path, converter, tmp, len(tasks))
    for task, native, record, task_rows in zip(tasks, data, records, rows):
        spans, entities = check_task(path, task, native, record, task_rows)
        print(
            f"label-studio ok: {path.name} ({native['document']['id']}: {spans} spans via "
            f"JSON_MIN, {entities} entities via CONLL2003, label-studio-converter, the corpus "
            "converted whole)"
        )
    return 0


def main(args):
    parsed = common_args.parse(args, __doc__)
    if parsed is None:
        return 2
    corpus, out_dir, natives = parsed
    if corpus:
        converter = Converter(config=str(CONFIG), project_dir=None, download_resources=False)
        return check_corpus(out_dir, natives, converter)
    exports = {}
    for f in sorted(out_dir.glob("*.label-studio.json")):
        tasks = json.loads(f.read_text(encoding="utf-8"))
        exports[tasks[0]["data"]["document_id"]] = (f, tasks)
    converter = Converter(config=str(CONFIG), project_dir=None, download_resources=False)
    for n in natives:
        native = json.loads(pathlib.Path(n).read_text(encoding="utf-8"))
        doc_id = native["document"]["id"]
        if doc_id not in exports:
            fail(n, f"no export with data.document_id {doc_id!r} in {out_dir}")
        path, tasks = exports[doc_id]
        if not isinstance(tasks, list) or len(tasks) != 1:
            fail(path, "is not a list of one task")
        with tempfile.TemporaryDirectory() as tmp:
            records = json_min(path, converter, tmp, 1)
            rows = conll(path, converter, tmp, 1)
        spans, entities = check_task(path, tasks[0], native, records[0], rows[0])
        print(
            f"label-studio ok: {path.name} ({spans} spans via JSON_MIN, "
            f"{entities} entities via CONLL2003, label-studio-converter)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
