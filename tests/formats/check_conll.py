"""Checks CoNLL-2003 (IOB2) exports with seqeval, the metric library NER training reports with.

usage: check_conll.py [--corpus] OUT_DIR NATIVE_FILE...

For each native sample, its export OUT_DIR/<document id>.conll is parsed by the documented
layout: the header line `-DOCSTART- -X- -X- O` and a blank line, then one `TOKEN _ _ TAG` line
per token (four columns, single spaces), a blank line after each sentence. Then:
- the tokens, in order, are the document text without its whitespace (each token is found at
  the next non-space position of the text, which gives its code-point offsets);
- every tag is O, B-<label> or I-<label> with a native entity label, and every I- continues a
  B- or I- of its label (IOB2);
- seqeval's classification_report of the tags against themselves runs with warnings as errors,
  in its default and its strict IOB2 modes;
- the entities seqeval's get_entities rebuilds from the tags are, in order and by offsets, text
  and label, the native entities that IOB can hold: of overlapping entities the longest, then
  the earliest, then the first in the file, is kept and the others dropped.
With --corpus, OUT_DIR holds one file, project.conll: the native files' documents in order,
each from its `-DOCSTART- -X- -X- O` line, split as CoNLL-2003 readers split documents (a line
starting -DOCSTART- begins one: Hugging Face's conll2003 loader, flair's ColumnCorpus); each is
checked as above, and seqeval reads all of their sentences together. (spaCy's `convert -c ner`
splits documents only at its own `-DOCSTART- -X- O O`, not CoNLL-2003's line: it reads such a
file as one document.) Exits 1 on the first difference, naming it.

Then the import: each export read back by `marginalia convert --from conll` gives, in order,
the entities seqeval's get_entities rebuilds from its tags (text and label; the text is the
tokens joined by single spaces); and 600 random files of tags (seeded: 300 of B-, I-, O, 300
with E-, S-, L-, U- too, 1 to 4 sentences each) read by the import give exactly the entities
get_entities rebuilds sentence by sentence (L- and U- as E- and S-), ill-formed sequences and
all.
"""

import hashlib
import json
import pathlib
import random
import re
import subprocess
import sys
import tempfile
import warnings

warnings.simplefilter("error")

from seqeval.metrics import classification_report  # noqa: E402
from seqeval.metrics.sequence_labeling import get_entities  # noqa: E402
from seqeval.scheme import IOB2  # noqa: E402

import common_args  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = ROOT / "target" / "release" / "marginalia"
HEADER = "-DOCSTART- -X- -X- O"

# The samples have no overlapping entities and no entity inside a word: this document has,
# with a sentence break inside an entity ("Mr. Smith"), a line break inside a paragraph, CRLF,
# emoji and combining marks. It is exported by the same command-line tool and checked the same way.
EDGE_TEXT = (
    "Mr. Smith met the Bank of America board in New York City Hall.\r\n"
    "Syria's army left. “😀” e\u0301te\u0301!\r\n\r\n"
    "A b c d, and Paris."
)
EDGE_ENTITIES = [
    ("Mr. Smith", "PERSON"),
    ("Bank of America", "ORG"),
    ("America", "GPE"),
    ("New York City", "GPE"),
    ("City Hall", "FAC"),
    ("Syria", "GPE"),
    ("😀", "ORG"),
    ("e\u0301te\u0301", "EVENT"),
    ("b c", "LOC"),
    ("c d", "ORG"),
    ("Paris", "PERSON"),
    ("Paris", "GPE"),
]
TAG = re.compile(r"^(O|[BI]-\S+)$")


def fail(path, message):
    raise SystemExit(f"conll: {path}: {message}")


def safe_stem(doc_id):
    stem = "".join(c if c.isalnum() or c in "-_." else "-" for c in doc_id).strip(".-")
    return stem or "document"


def parse(path, text=None):
    lines = (path.read_text(encoding="utf-8") if text is None else text).split("\n")
    if lines[:2] != [HEADER, ""]:
        fail(path, f"does not start with {HEADER!r} and a blank line")
    if lines[-1] != "" or (len(lines) > 3 and lines[-2] != ""):
        fail(path, "does not end with a blank line after its last sentence")
    sentences, current = [], []
    for no, line in enumerate(lines[2:], start=3):
        if line == "":
            if current:
                sentences.append(current)
                current = []
            continue
        cols = line.split(" ")
        if len(cols) != 4 or any(not c or c != c.strip() for c in cols):
            fail(path, f"line {no}: {line!r} is not four single-space-separated columns")
        if cols[1:3] != ["_", "_"]:
            fail(path, f"line {no}: POS and chunk columns are not the placeholder _")
        if not TAG.match(cols[3]):
            fail(path, f"line {no}: {cols[3]!r} is not an IOB2 tag")
        current.append((cols[0], cols[3]))
    return sentences


def kept_entities(native):
    ents = [(i, a) for i, a in enumerate(native["annotations"]) if a["kind"] == "entity"]
    ents.sort(key=lambda p: (-(p[1]["end"] - p[1]["start"]), p[1]["start"], p[0]))
    kept = []
    for _, a in ents:
        if all(a["end"] <= k["start"] or k["end"] <= a["start"] for k in kept):
            kept.append(a)
    kept.sort(key=lambda a: a["start"])
    text = native["document"]["text"]
    out = []
    for a in kept:
        s, e = a["start"], a["end"]
        while text[s].isspace():
            s += 1
        while text[e - 1].isspace():
            e -= 1
        out.append((s, e, text[s:e], a["label"]))
    return out


def check(path, native, file_text=None):
    """Checks one document's CoNLL (the file, or `file_text`, its part of a corpus); returns
    (tokens, sentences, entities, dropped) and the tags of its sentences."""
    text = native["document"]["text"]
    sentences = parse(path, file_text)
    labels = set(native["labels"]["entity"])
    # Offsets of every token: the next non-space run of the text must start with it.
    offsets, cursor = [], 0
    for sentence in sentences:
        spans = []
        for token, tag in sentence:
            while cursor < len(text) and text[cursor].isspace():
                cursor += 1
            if not text.startswith(token, cursor):
                fail(path, f"token {token!r} is not the text at {cursor} ({text[cursor:cursor + 20]!r})")
            spans.append((cursor, cursor + len(token)))
            cursor += len(token)
            if tag != "O" and tag[2:] not in labels:
                fail(path, f"tag {tag} is not a native entity label")
        offsets.append(spans)
    if text[cursor:].strip():
        fail(path, f"the tokens stop at {cursor}, before the end of the text")
    y = [[tag for _, tag in s] for s in sentences]
    for s in y:
        for prev, tag in zip(["O"] + s, s):
            if tag.startswith("I-") and prev[2:] != tag[2:]:
                fail(path, f"{tag} after {prev} is not IOB2")
    if any(t != "O" for s in y for t in s):
        classification_report(y, y)
        classification_report(y, y, mode="strict", scheme=IOB2)
    # get_entities joins the sentences with an "O" between them: index tokens the same way.
    flat = [span for spans in offsets for span in spans + [None]]
    found = []
    for label, first, last in get_entities(y):
        s, e = flat[first][0], flat[last][1]
        found.append((s, e, text[s:e], label))
    want = kept_entities(native)
    if found != want:
        fail(path, f"the entities read back differ from the native ones:\n{found}\n!=\n{want}")
    dropped = sum(a["kind"] == "entity" for a in native["annotations"]) - len(want)
    return (sum(len(s) for s in sentences), len(sentences), len(found), dropped), y


def edge_native():
    t = "2024-12-08T05:30:00.000Z"
    anns = []
    for i, (needle, label) in enumerate(EDGE_ENTITIES, start=1):
        start = EDGE_TEXT.index(needle)
        anns.append({"id": f"e{i}", "kind": "entity", "label": label, "start": start,
                     "end": start + len(needle), "text": needle, "note": "", "created": t, "updated": t})
    anns.sort(key=lambda a: (a["start"], a["end"], a["id"]))
    return {
        "format": "marginalia", "version": 1, "offsets": "codepoint",
        "document": {"id": "conll-edge-cases", "title": "Edge cases", "text": EDGE_TEXT,
                     "sha256": hashlib.sha256(EDGE_TEXT.encode("utf-8")).hexdigest()},
        "labels": {"entity": ["PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "DATE"],
                   "checkworthiness": ["CFS", "UFS", "NFS"]},
        "annotator": "", "annotations": anns,
    }


def check_corpus(out_dir, natives):
    files = sorted(out_dir.iterdir())
    if [f.name for f in files] != ["project.conll"]:
        fail(out_dir, f"holds {[f.name for f in files]}, not project.conll")
    path = files[0]
    text = path.read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"(?m)^-DOCSTART-", text)]
    if starts[:1] != [0]:
        fail(path, "does not start with -DOCSTART-")
    parts = [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]
    if len(parts) != len(natives):
        fail(path, f"holds {len(parts)} documents, not {len(natives)}")
    every = []
    for part, n in zip(parts, natives):
        native = json.loads(pathlib.Path(n).read_text(encoding="utf-8"))
        (tokens, sentences, entities, dropped), y = check(path, native, part)
        every.extend(y)
        print(
            f"conll ok: {path.name} ({native['document']['id']}: {tokens} tokens, {sentences} "
            f"sentences, {entities} entities rebuilt by seqeval, {dropped} overlapping dropped)"
        )
    classification_report(every, every, mode="strict", scheme=IOB2)
    print(f"conll ok: {path.name} (seqeval read the {len(every)} sentences of its {len(parts)} documents together)")
    return 0


def main(args):
    parsed = common_args.parse(args, __doc__)
    if parsed is None:
        return 2
    corpus, out_dir, natives = parsed
    if corpus:
        return check_corpus(out_dir, natives)
    with tempfile.TemporaryDirectory() as tmp:
        edge = pathlib.Path(tmp) / "conll-edge-cases.marginalia.json"
        edge.write_text(json.dumps(edge_native(), ensure_ascii=False), encoding="utf-8")
        subprocess.run([str(CLI), "convert", "--to", "conll", str(edge), "-o", str(out_dir)],
                       check=True, capture_output=True)
        natives.append(str(edge))
        check_all(out_dir, natives)
        check_import(out_dir, natives, pathlib.Path(tmp))
    return 0


def read_native(out_dir, path):
    """What `convert --from conll` makes of a CoNLL file: (text, [(label, text)]) of its one
    document."""
    subprocess.run([str(CLI), "convert", "--from", "conll", str(path), "-o", str(out_dir)],
                   check=True, capture_output=True)
    native = json.loads((out_dir / (path.stem + ".marginalia.json")).read_text(encoding="utf-8"))
    text = native["document"]["text"]
    return text, [(a["label"], text[a["start"]:a["end"]]) for a in native["annotations"]]


def seqeval_entities(sentences):
    """(label, tokens joined by spaces) of every entity get_entities finds, sentence by
    sentence; each sentence is [(token, tag)]."""
    out = []
    for s in sentences:
        tags = [t.replace("L-", "E-", 1) if t.startswith("L-") else
                t.replace("U-", "S-", 1) if t.startswith("U-") else t for _, t in s]
        for label, first, last in get_entities(tags):
            out.append((label, " ".join(tok for tok, _ in s[first:last + 1])))
    return out


def check_import(out_dir, natives, tmp):
    back = tmp / "back"
    for n in natives:
        native = json.loads(pathlib.Path(n).read_text(encoding="utf-8"))
        path = out_dir / (safe_stem(native["document"]["id"]) + ".conll")
        blocks = path.read_text(encoding="utf-8").split("\n\n")[1:]
        sentences = [[tuple(line.split(" ")[::3]) for line in b.split("\n") if line] for b in blocks]
        sentences = [s for s in sentences if s]
        text, found = read_native(back, path)
        want = seqeval_entities(sentences)
        if found != want:
            fail(path, f"imported, its entities differ from seqeval's:\n{found}\n!=\n{want}")
        if text.split() != [tok for s in sentences for tok, _ in s]:
            fail(path, "imported, its text is not its tokens")
        print(f"conll ok: {path.name} imported ({len(found)} entities, as seqeval reads the tags)")
    rng = random.Random(2026)
    iob = ["O", "O", "B-A", "I-A", "B-B", "I-B"]
    bioes = iob + ["E-A", "S-A", "E-B", "S-B", "L-A", "U-B"]
    files = tmp / "random"
    files.mkdir()
    entities = 0
    for k in range(600):
        tags = iob if k < 300 else bioes
        sentences = [[(f"t{i}", rng.choice(tags)) for i in range(rng.randint(1, 8))]
                     for _ in range(rng.randint(1, 4))]
        path = files / f"r{k}.conll"
        path.write_text("\n\n".join("\n".join(f"{t} {g}" for t, g in s) for s in sentences) + "\n",
                        encoding="utf-8")
        _, found = read_native(back, path)
        want = seqeval_entities(sentences)
        if found != want:
            fail(path, f"imported, its entities differ from seqeval's:\n{found}\n!=\n{want}")
        entities += len(want)
    print(f"conll ok: 600 random tag files imported as seqeval reads them ({entities} entities)")


def check_all(out_dir, natives):
    for n in natives:
        native = json.loads(pathlib.Path(n).read_text(encoding="utf-8"))
        path = out_dir / (safe_stem(native["document"]["id"]) + ".conll")
        if not path.exists():
            fail(n, f"no export {path}")
        (tokens, sentences, entities, dropped), _ = check(path, native)
        print(
            f"conll ok: {path.name} ({tokens} tokens, {sentences} sentences, {entities} entities "
            f"rebuilt by seqeval, {dropped} overlapping dropped)"
        )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
