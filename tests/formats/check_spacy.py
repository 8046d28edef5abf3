"""Checks spaCy / Prodigy JSONL exports with spaCy itself.

usage: check_spacy.py [--corpus] OUT_DIR NATIVE_FILE...

For each native file, the export in OUT_DIR with the same document id is read as spaCy and
Prodigy users read it (with --corpus, OUT_DIR holds one file, project.spacy.jsonl, read with
spaCy's own JSONL reader, srsly, whose lines must be the native files' documents in order): the tokens must be exactly those `spacy.blank("en")` makes of the text
(text, offsets, trailing space); every span must be `doc.char_span(start, end, label,
alignment_mode="strict")` with spaCy's token indices; relations must join the spans the native
file links, with Prodigy's head/child token indices. The spans then go into a Doc (all in
`doc.spans["sc"]`, the entities also in `doc.ents`), through a DocBin on disk, and back; what
comes back must be the native file's annotations: same code-point offsets, labels and texts.
`_view_id` must be the Prodigy view the spans allow: `spans_manual` where any two spans share a
character (`ner_manual` cannot show overlapping spans), `ner_manual` where none do.
Finally broken copies of each export must fail the same checks, so the checks have teeth.
Also verifies that the tables of the Rust port of spaCy's tokenizer are this spaCy's.
Exits 1 on the first failure, naming it.
"""

import copy
import json
import pathlib
import sys

import spacy
import srsly
from spacy.tokens import DocBin, SpanGroup

import common_args

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NLP = spacy.blank("en")


def expected_spans(native):
    """The native annotations as (start, end, label, text), in export order (start, end, id)."""
    label = {"quote": "QUOTE", "claim": "CLAIM"}
    anns = sorted(native["annotations"], key=lambda a: (a["start"], a["end"], a["id"]))
    return [(a["start"], a["end"], a.get("label") or label[a["kind"]], a["text"]) for a in anns]


def overlapping(spans):
    """Whether any two of the (start, end, …) spans share a character."""
    end = 0
    for s in sorted(spans):
        if s[0] < end:
            return True
        end = max(end, s[1])
    return False


def expected_view(native):
    """The Prodigy view for the native annotations: spans_manual where any two overlap."""
    return "spans_manual" if overlapping(expected_spans(native)) else "ner_manual"


def expected_relations(native):
    by_id = {a["id"]: a for a in native["annotations"]}
    label = {"entity": None, "quote": "QUOTE", "claim": "CLAIM"}
    out = []
    key = lambda a: (a["start"], a["end"], a.get("label") if a["kind"] == "entity" else label[a["kind"]])
    for a in sorted(native["annotations"], key=lambda a: (a["start"], a["end"], a["id"])):
        for role, rel in (("speaker", "SPEAKER"), ("claimant", "CLAIMANT")):
            party = a.get(role)
            if party and "ref" in party:
                e = by_id[party["ref"]]
                out.append(((a["start"], a["end"], label[a["kind"]]), (e["start"], e["end"], e["label"]), rel))
        # The open schema's relations of any type, as Prodigy's relations.
        for r in a.get("relations", []):
            out.append((key(a), key(by_id[r["target"]]), r["type"]))
    return out


def check(task, native, docbin_path):
    text = native["document"]["text"]
    assert task["text"] == text, "text is the native document's text"
    assert task["meta"]["id"] == native["document"]["id"], "meta.id"
    assert task["meta"]["title"] == native["document"]["title"], "meta.title"
    answer = {"rejected": "reject", "ignored": "ignore"}.get(native.get("status"), "accept")
    view = expected_view(native)
    assert task["_view_id"] == view, f"a {task['_view_id']} task; its spans make it {view}"
    spans_overlap = overlapping([(s["start"], s["end"]) for s in task["spans"]])
    assert task["_view_id"] == ("spans_manual" if spans_overlap else "ner_manual"), (
        f"{task['_view_id']} over spans that {'do' if spans_overlap else 'do not'} overlap"
    )
    assert task["answer"] == answer, f"answered {task['answer']!r}, the document's status gives {answer!r}"
    doc = NLP(text)
    ours = [(t["text"], t["start"], t["end"], t["ws"]) for t in task["tokens"]]
    spacys = [(t.text, t.idx, t.idx + len(t.text), bool(t.whitespace_)) for t in doc]
    for i, (a, b) in enumerate(zip(ours, spacys)):
        assert a == b, f"token {i} is {a}, spaCy's is {b}"
    assert len(ours) == len(spacys), f"{len(ours)} tokens, spaCy makes {len(spacys)}"
    assert [t["id"] for t in task["tokens"]] == list(range(len(ours))), "token ids are 0, 1, …"
    assert not task["_marginalia"].get("token_splits"), "no token was split"

    expected = expected_spans(native)
    got = []
    spans = []
    for s in task["spans"]:
        span = doc.char_span(s["start"], s["end"], label=s["label"], alignment_mode="strict")
        assert span is not None, f"span {s} is not aligned with spaCy's tokens"
        assert (span.start, span.end - 1) == (s["token_start"], s["token_end"]), f"token indices of {s}"
        got.append((s["start"], s["end"], s["label"], span.text))
        spans.append(span)
    assert got == expected, f"spans {got} != native {expected}"

    rels = []
    for r in task["relations"]:
        for key in ("head_span", "child_span"):
            sp = r[key]
            span = doc.char_span(sp["start"], sp["end"], alignment_mode="strict")
            assert span is not None and (span.start, span.end - 1) == (sp["token_start"], sp["token_end"]), key
        assert r["head"] == r["head_span"]["token_end"] and r["child"] == r["child_span"]["token_end"], (
            "head and child are the last tokens of the spans, as in Prodigy"
        )
        h, c = r["head_span"], r["child_span"]
        rels.append(((h["start"], h["end"], h["label"]), (c["start"], c["end"], c["label"]), r["label"]))
    assert rels == expected_relations(native), f"relations {rels} != native links"

    # Through spaCy's own binary format and back.
    doc.spans["sc"] = SpanGroup(doc, name="sc", spans=spans)
    entity_labels = set(native["labels"]["entity"])
    ents = spacy.util.filter_spans([s for s in spans if s.label_ in entity_labels])
    doc.ents = ents
    docbin_path.parent.mkdir(parents=True, exist_ok=True)
    DocBin(docs=[doc], store_user_data=True).to_disk(docbin_path)
    (back,) = list(DocBin().from_disk(docbin_path).get_docs(NLP.vocab))
    assert back.text == text, "the DocBin keeps the text"
    kept = [(s.start_char, s.end_char, s.label_, s.text) for s in back.spans["sc"]]
    assert kept == expected, f"DocBin spans {kept} != native {expected}"
    as_tuples = lambda spans: [(e.start_char, e.end_char, e.label_, e.text) for e in spans]
    assert as_tuples(back.ents) == as_tuples(ents), "DocBin entities"
    extras = task["_marginalia"]["annotations"]
    native_sorted = sorted(native["annotations"], key=lambda a: (a["start"], a["end"], a["id"]))
    assert [(a["id"], a["kind"], a["note"]) for a in extras] == [
        (a["id"], a["kind"], a["note"]) for a in native_sorted
    ], "extras keep ids, kinds and notes"
    return len(got), len(ours)


def breakers(task):
    """Broken copies of a good task: each must fail the check."""
    out = {}

    def edit(name, fn):
        bad = copy.deepcopy(task)
        fn(bad)
        out[name] = bad

    edit("a token moved by one", lambda t: t["tokens"][1].update(start=t["tokens"][1]["start"] + 1))
    edit("a token's space flag flipped", lambda t: t["tokens"][0].update(ws=not t["tokens"][0]["ws"]))
    edit("two tokens merged", lambda t: t["tokens"].__delitem__(1))
    if task["spans"]:
        edit("a span ending mid-token", lambda t: t["spans"][0].update(end=t["spans"][0]["end"] - 1))
        edit("a wrong token_end", lambda t: t["spans"][0].update(token_end=t["spans"][0]["token_end"] + 1))
        edit("a changed label", lambda t: t["spans"][0].update(label="WEAPON"))
        edit("a lost span", lambda t: t["spans"].pop())
        edit("spans shifted by one", lambda t: [s.update(start=s["start"] + 1, end=s["end"] + 1) for s in t["spans"]])
    else:
        # A document with nothing tagged: a span that appears from nowhere must be caught.
        first = task["tokens"][0]
        extra = {"start": first["start"], "end": first["end"], "token_start": 0, "token_end": 0, "label": "ORG"}
        edit("a span added", lambda t: t["spans"].append(dict(extra)))
    if task["_view_id"] == "spans_manual":
        edit("ner_manual claimed over overlapping spans", lambda t: t.update(_view_id="ner_manual"))
    else:
        edit("spans_manual claimed over spans that do not overlap", lambda t: t.update(_view_id="spans_manual"))
    if len(task["spans"]) > 1 and task["_view_id"] == "ner_manual":
        # Spans made to overlap while the task still says ner_manual.
        def overlap(t):
            first, second = sorted(t["spans"], key=lambda s: s["start"])[:2]
            first.update(end=second["end"], token_end=second["token_end"])
        edit("overlapping spans under ner_manual", overlap)
    if task["relations"]:
        edit("head at the first token", lambda t: t["relations"][0].update(head=t["relations"][0]["head_span"]["token_start"]))
        edit("a lost relation", lambda t: t["relations"].pop())
    return out


def load_corpus(out_dir, natives):
    """The one corpus file of OUT_DIR, read by srsly: a task a native document, in order."""
    files = sorted(out_dir.iterdir())
    assert [f.name for f in files] == ["project.spacy.jsonl"], f"{out_dir} holds {[f.name for f in files]}"
    tasks = list(srsly.read_jsonl(files[0]))
    ids = [json.loads(pathlib.Path(n).read_text(encoding="utf-8"))["document"]["id"] for n in natives]
    assert [t["meta"]["id"] for t in tasks] == ids, f"the corpus's tasks are {[t['meta']['id'] for t in tasks]}, not {ids}"
    return {t["meta"]["id"]: (files[0], t) for t in tasks}


def main(args):
    parsed = common_args.parse(args, __doc__)
    if parsed is None:
        return 2
    corpus, out_dir, natives = parsed
    sys.path.insert(0, str(HERE))
    import gen_spacy_tables

    gen_spacy_tables.main(["--check"])
    exports = {}
    if corpus:
        exports = load_corpus(out_dir, natives)
    for path in [] if corpus else sorted(out_dir.glob("*.spacy.jsonl")):
        lines = [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
        assert len(lines) == 1, f"{path}: one task per file"
        task = json.loads(lines[0])
        exports[task["meta"]["id"]] = (path, task)
    for native_path in natives:
        native = json.loads(pathlib.Path(native_path).read_text(encoding="utf-8"))
        doc_id = native["document"]["id"]
        assert doc_id in exports, f"no export of {doc_id} in {out_dir}"
        path, task = exports[doc_id]
        docbin = ROOT / "target" / "formats" / "spacy-roundtrip" / (doc_id + ".spacy")
        n_spans, n_tokens = check(task, native, docbin)
        refused = 0
        for name, bad in breakers(task).items():
            try:
                check(bad, native, docbin)
            except AssertionError:
                refused += 1
                continue
            raise SystemExit(f"{path}: a copy with {name} passed the check")
        print(
            f"spacy ok: {path}{' (' + doc_id + ')' if corpus else ''} ({n_tokens} tokens = spaCy {spacy.__version__}'s, {n_spans} spans aligned, "
            f"{task['_view_id']}, DocBin round trip; {refused} broken copies refused)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
