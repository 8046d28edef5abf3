"""Checks spaCy DocBin (.spacy) exports with spaCy itself, and trains on them.

usage: check_spacy-docbin.py [--corpus] OUT_DIR NATIVE_FILE...

For each native file, the export in OUT_DIR with the same document id (with --corpus, OUT_DIR
holds one file, project.spacy, whose documents must be the native files' in order) is read as
spaCy users read it, `DocBin().from_disk(path).get_docs(nlp.vocab)` for `nlp =
spacy.blank("en")`. Each document must be its native file's:

- the text, and the tokens `nlp(text)` makes of it: text, trailing space and norm;
- `doc.ents`: the entities, each widened to whole tokens (`doc.char_span(...,
  alignment_mode="expand")`), as `spacy.util.filter_spans` keeps them where they overlap; every
  other token `O`;
- span groups exactly `sc` (every entity), `quote` (QUOTE) and `claim` (CLAIM), in (start, end,
  id) order; a group's `attrs["marginalia_snapped"]` lists the spans that were widened;
- and the file's msgpack is byte for byte what spaCy's own `DocBin(store_user_data=False)`
  writes for the Doc built here from the native file.

Broken copies (cut or altered bytes, and DocBins re-serialised from edited Docs) must fail the
same checks. A document of nested, crossing and repeated entities and spans inside tokens,
converted by the CLI, is checked the same way. With --corpus, `python -m spacy train` then trains
a blank English pipeline (tok2vec, ner, spancat; config from `spacy.cli.init_config`) on the
corpus for 5 steps on the CPU, and the trained pipeline must know every entity label.
Exits 1 on the first failure, naming it.
"""

import copy
import hashlib
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import zlib

import spacy
import srsly
from spacy.tokens import DocBin, Span, SpanGroup
from spacy.util import filter_spans

import common_args

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CLI = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "marginalia"
NLP = spacy.blank("en")
GROUPS = {"entity": "sc", "quote": "quote", "claim": "claim"}
SNAPPED = "marginalia_snapped"


def sorted_annotations(native):
    return sorted(native["annotations"], key=lambda a: (a["start"], a["end"], a["id"]))


def expected_doc(native):
    """The Doc a spaCy user would build from the native file: what the export must hold."""
    doc = NLP(native["document"]["text"])
    groups = {name: [] for name in GROUPS.values()}
    snapped = {name: [] for name in GROUPS.values()}
    for a in sorted_annotations(native):
        label = a.get("label") or a["kind"].upper()
        span = doc.char_span(a["start"], a["end"], label=label, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        name = GROUPS[a["kind"]]
        if (span.start_char, span.end_char) != (a["start"], a["end"]):
            snapped[name].append({"span": len(groups[name]), "id": a["id"], "start": a["start"], "end": a["end"]})
        groups[name].append(span)
    doc.ents = filter_spans(groups["sc"])
    for name, spans in groups.items():
        attrs = {SNAPPED: snapped[name]} if snapped[name] else {}
        doc.spans[name] = SpanGroup(doc, name=name, attrs=attrs, spans=spans)
    return doc


def as_tuples(spans):
    return [(s.start, s.end, s.start_char, s.end_char, s.label_) for s in spans]


def load(path):
    """The documents of a .spacy file, as spaCy reads them in a fresh `spacy.blank("en")` (whose
    vocabulary knows only what the file brings); unreadable is a failure."""
    try:
        return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))
    except Exception as e:  # noqa: BLE001 - whatever spaCy raises, the file is refused
        raise AssertionError(f"spaCy cannot read it: {type(e).__name__}: {e}") from e


def check_doc(doc, native):
    text = native["document"]["text"]
    want = expected_doc(native)
    assert doc.text == text, "text is the native document's text"
    ours = [(t.text, t.whitespace_, t.norm_) for t in doc]
    spacys = [(t.text, t.whitespace_, t.norm_) for t in want]
    for i, (a, b) in enumerate(zip(ours, spacys)):
        assert a == b, f"token {i} is {a}, spaCy's is {b}"
    assert len(ours) == len(spacys), f"{len(ours)} tokens, spaCy makes {len(spacys)}"
    assert as_tuples(doc.ents) == as_tuples(want.ents), f"ents {as_tuples(doc.ents)} != {as_tuples(want.ents)}"
    in_ents = {i for e in doc.ents for i in range(e.start, e.end)}
    outside = {t.ent_iob_ for t in doc if t.i not in in_ents}
    assert outside <= {"O"}, f"tokens outside the entities are {outside}, not O"
    assert list(doc.spans) == list(GROUPS.values()), f"span groups {list(doc.spans)}"
    for name in GROUPS.values():
        got, exp = doc.spans[name], want.spans[name]
        assert as_tuples(got) == as_tuples(exp), f"group {name}: {as_tuples(got)} != {as_tuples(exp)}"
        assert got.attrs == exp.attrs, f"group {name}: attrs {got.attrs} != {exp.attrs}"
    return len(ours), len(doc.ents), sum(len(g) for g in doc.spans.values())


def check_file(path, natives):
    """The file holds the natives' documents, in order, and is what spaCy writes for them."""
    docs = load(path)
    assert len(docs) == len(natives), f"{len(docs)} documents, {len(natives)} native files"
    counts = [check_doc(d, n) for d, n in zip(docs, natives)]
    spacys = DocBin(store_user_data=False, docs=[expected_doc(n) for n in natives]).to_bytes()
    ours = zlib.decompress(pathlib.Path(path).read_bytes())
    assert ours == zlib.decompress(spacys), "the msgpack is not what spaCy's DocBin writes"
    return counts


def reserialised(docs):
    return DocBin(store_user_data=False, docs=docs).to_bytes()


def breakers(path):
    """Broken copies of a good file, as bytes: each must fail the check."""
    raw = pathlib.Path(path).read_bytes()
    out = {"a cut file": raw[: len(raw) // 2], "a byte of the stream flipped": raw[:20] + bytes([raw[20] ^ 0xFF]) + raw[21:]}
    msg = srsly.msgpack_loads(zlib.decompress(raw))

    def edit_msg(name, fn):
        bad = copy.deepcopy(msg)
        fn(bad)
        out[name] = zlib.compress(srsly.msgpack_dumps(bad))

    docs = load(path)
    if len(docs[0]):
        edit_msg("a token's text missing from the strings", lambda m: m["strings"].remove(docs[0][0].text))
    edit_msg("spaces marked unknown", lambda m: m["flags"][0].update(has_unknown_spaces=True))

    def edit(name, fn):
        fresh = load(path)
        fn(fresh)
        out[name] = reserialised(fresh)

    first = docs[0]
    def merge(ds):
        with ds[0].retokenize() as retokenizer:
            retokenizer.merge(ds[0][0:2])

    if len(first) > 1:
        edit("two tokens merged", merge)
    edit("a norm changed", lambda ds: setattr(ds[0][0], "norm_", "zzz"))
    edit("the tokens outside entities left unset", lambda ds: ds[0].set_ents(list(ds[0].ents), default="missing"))
    edit("the quote group dropped", lambda ds: ds[0].spans.pop("quote"))
    edit("a document dropped", lambda ds: ds.pop())
    if len(docs) > 1:
        edit("the documents in another order", lambda ds: ds.reverse())
    if first.ents:
        def moved(ds):
            e = ds[0].ents[0]
            ds[0].ents = [Span(ds[0], e.start + 1, e.end + 1, label=e.label_)] if e.end < len(ds[0]) else []
        edit("an entity moved by a token", moved)
        edit("an entity relabelled", lambda ds: setattr(ds[0], "ents", [ds[0].char_span(e.start_char, e.end_char, label="WEAPON") for e in ds[0].ents]))
    else:
        edit("an entity added", lambda ds: setattr(ds[0], "ents", [ds[0][0:1]]))
    if len(first.spans["sc"]):
        edit("an entity left out of sc", lambda ds: ds[0].spans.__setitem__("sc", SpanGroup(ds[0], name="sc", spans=list(ds[0].spans["sc"])[1:], attrs=ds[0].spans["sc"].attrs)))
    for name in ("quote", "claim"):
        if len(first.spans[name]):
            other = "claim" if name == "quote" else "quote"

            def swap(ds, name=name, other=other):
                ds[0].spans[other] = SpanGroup(ds[0], name=other, spans=list(ds[0].spans[other]) + list(ds[0].spans[name]))
                ds[0].spans[name] = SpanGroup(ds[0], name=name, spans=[])
            edit(f"the {name}s put in {other}", swap)
    for name in GROUPS.values():
        if first.spans[name].attrs.get(SNAPPED):
            edit(f"the {name} group's note of widened spans dropped", lambda ds, name=name: ds[0].spans[name].attrs.clear())
    return out


def refuses(path, natives, where):
    """Every broken copy of the file at `path` fails the check; returns how many there were."""
    refused = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, bad in breakers(path).items():
            bad_path = pathlib.Path(tmp) / "bad.spacy"
            bad_path.write_bytes(bad)
            try:
                check_file(bad_path, natives)
            except AssertionError:
                refused += 1
                continue
            raise SystemExit(f"{where}: a copy with {name} passed the check")
    return refused


def tricky_native():
    """A document of nested, crossing and repeated entities, spans inside tokens, a quote
    holding an entity and a claim: the cases the golden documents do not have."""
    text = "On 12/8/2024 the Hayat Tahrir al-Sham leader said: “Damascus is free.” Officials claim Assad fled to Moscow."

    def at(needle, inside=None):
        start = text.index(inside) + inside.index(needle) if inside else text.index(needle)
        return start, start + len(needle)

    t0 = "2024-12-08T05:30:00.000Z"
    anns = []

    def add(aid, kind, span, **extra):
        s, e = span
        anns.append({"id": aid, "kind": kind, "start": s, "end": e, "text": text[s:e], "note": "", "created": t0, "updated": t0, **extra})

    add("e1", "entity", at("Hayat Tahrir al-Sham"), label="ORG")
    add("e2", "entity", at("Tahrir"), label="PERSON")  # nested in e1
    add("e3", "entity", at("al-Sham leader"), label="PERSON")  # crosses e1
    add("e4", "entity", at("2024"), label="DATE")  # inside the token 12/8/2024
    add("e5", "entity", at("Damascus"), label="GPE")  # inside the quote
    add("e6", "entity", at("ficials"), label="NORP")  # starts inside "Officials"
    add("e7", "entity", at("Moscow"), label="GPE")
    add("e8", "entity", at("Moscow"), label="LOC")  # the same span again
    add("q1", "quote", at("“Damascus is free.”"), direct=True, speaker={"ref": "e1"})
    add("c1", "claim", at("Assad fled to Mosc"), claimant={"ref": "e6"})  # ends inside "Moscow"
    return {
        "format": "marginalia",
        "version": 1,
        "offsets": "codepoint",
        "document": {"id": "tricky", "title": "Tricky spans", "text": text, "sha256": hashlib.sha256(text.encode()).hexdigest()},
        "labels": {"entity": ["PERSON", "ORG", "GPE", "LOC", "NORP", "DATE"], "checkworthiness": ["CFS", "UFS", "NFS"]},
        "annotator": "",
        "annotations": anns,
    }


def check_tricky(tmp):
    native = tricky_native()
    src = pathlib.Path(tmp) / "tricky.marginalia.json"
    src.write_text(json.dumps(native, ensure_ascii=False), encoding="utf-8")
    out = pathlib.Path(tmp) / "tricky-out"
    run = subprocess.run([str(CLI), "convert", "--to", "spacy-docbin", str(src), "-o", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, f"the CLI refused the tricky document: {run.stdout}{run.stderr}"
    path = out / "tricky.spacy"
    ((n_tokens, n_ents, n_spans),) = check_file(path, [native])
    (doc,) = load(path)
    # The rules, spelled out for this document.
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("12/8/2024", "DATE"), ("Hayat Tahrir al-Sham", "ORG"), ("Damascus", "GPE"), ("Officials", "NORP"), ("Moscow", "GPE"),
    ], f"ents {[(e.text, e.label_) for e in doc.ents]}"
    assert len(doc.spans["sc"]) == 8, "every entity is in sc"
    assert [s.text for s in doc.spans["claim"]] == ["Assad fled to Moscow"], "the claim widened to whole tokens"
    widened = [(n["id"], n["start"], n["end"]) for n in doc.spans["sc"].attrs[SNAPPED]]
    assert [w[0] for w in widened] == ["e4", "e6"], f"widened entities {widened}"
    assert [n["id"] for n in doc.spans["claim"].attrs[SNAPPED]] == ["c1"]
    refused = refuses(path, [native], "tricky")
    return f"tricky ok: {n_tokens} tokens, {n_ents} of 8 entities in doc.ents, {n_spans} spans, 3 widened to tokens; {refused} broken copies refused"


def train(corpus, natives, tmp):
    """`spacy train` on the corpus: a blank English tok2vec + ner + spancat, 5 steps, CPU."""
    from spacy.cli.init_config import init_config

    config = pathlib.Path(tmp) / "config.cfg"
    init_config(lang="en", pipeline=["ner", "spancat"], optimize="efficiency", gpu=False).to_disk(config)
    out = pathlib.Path(tmp) / "trained"
    cmd = [
        sys.executable, "-m", "spacy", "train", str(config), "--output", str(out), "--gpu-id", "-1",
        "--paths.train", str(corpus), "--paths.dev", str(corpus),
        "--training.max_steps", "5", "--training.eval_frequency", "5",
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"spacy train failed ({run.returncode}):\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}"
    nlp = spacy.load(out / "model-last")
    labels = {a["label"] for n in natives for a in n["annotations"] if a["kind"] == "entity"}
    assert labels <= set(nlp.get_pipe("ner").labels), f"ner labels {nlp.get_pipe('ner').labels} lack some of {labels}"
    assert labels <= set(nlp.get_pipe("spancat").labels), f"spancat labels {nlp.get_pipe('spancat').labels}"
    return f"spacy train: 5 steps of tok2vec, ner and spancat on it, exit 0; the pipeline knows {sorted(labels)}"


def main(args):
    parsed = common_args.parse(args, __doc__)
    if parsed is None:
        return 2
    corpus, out_dir, natives = parsed
    natives = [json.loads(pathlib.Path(p).read_text(encoding="utf-8")) for p in natives]
    files = sorted(f.name for f in out_dir.iterdir())
    if corpus:
        assert files == ["project.spacy"], f"{out_dir} holds {files}"
        path = out_dir / "project.spacy"
        counts = check_file(path, natives)
        refused = refuses(path, natives, str(path))
        for native, (n_tokens, n_ents, n_spans) in zip(natives, counts):
            print(f"spacy-docbin ok: {path} ({native['document']['id']}) ({n_tokens} tokens = spaCy {spacy.__version__}'s, {n_ents} ents, {n_spans} spans)")
        print(f"spacy-docbin ok: {path}: {len(natives)} documents, byte for byte spaCy's DocBin; {refused} broken copies refused")
    else:
        for native in natives:
            path = out_dir / (native["document"]["id"] + ".spacy")
            assert path.name in files, f"no export of {native['document']['id']} in {out_dir}"
            ((n_tokens, n_ents, n_spans),) = check_file(path, [native])
            refused = refuses(path, [native], str(path))
            print(
                f"spacy-docbin ok: {path} ({n_tokens} tokens = spaCy {spacy.__version__}'s, {n_ents} ents, {n_spans} spans, "
                f"byte for byte spaCy's DocBin; {refused} broken copies refused)"
            )
    with tempfile.TemporaryDirectory() as tmp:
        if corpus:
            print(f"spacy-docbin ok: {train(path, natives, tmp)}")
        else:
            print(f"spacy-docbin {check_tricky(tmp)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
