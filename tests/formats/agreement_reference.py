"""`marginalia agree` against reference implementations from PyPI (tests/requirements.txt).

Generates annotator files (seeded random documents and layers, two or three annotators, and
the edge cases: one annotator empty, perfect agreement, an entity type only one annotator
uses, nested and overlapping spans, a document with emoji and CRLF line ends, a document only
two of three annotators annotated), runs `marginalia agree --json --units`, and recomputes every
document's and the project's figures with:

- scikit-learn `cohen_kappa_score` (each pair), statsmodels `fleiss_kappa` (all annotators),
  krippendorff `alpha` (nominal over the token tags, ordinal over check-worthiness ranks), on
  the IOB tags this script computes from the files over the token units the tool reports;
- nervaluate's strict and partial schemes (span P/R/F1) and scipy's `linear_sum_assignment`.

All to 1e-9. Where Marginalia's definition differs from a reference (docs/review.md, "How the
figures relate to the references"), the documented relation is checked instead:

- exact spans: Marginalia matches exact spans first; nervaluate's strict scheme lets a span
  that merely overlaps use a reference span up. So strict on spans keyed by identity (every
  distinct span its own position) must equal Marginalia's exact figures always, strict on the
  real offsets must equal them where no span overlaps two spans of the other layer, and its
  correct count is never above Marginalia's;
- overlap: Marginalia's matching gives the most credit, which scipy's assignment computes;
  nervaluate's partial scheme matches greedily in list order: never more credit, the same
  figures where no span overlaps two spans of the other layer.

Usage: agreement_reference.py MARGINALIA_BINARY WORK_DIR
"""

import hashlib
import itertools
import json
import math
import random
import subprocess
import sys
import warnings
from pathlib import Path

import krippendorff
import numpy as np
from nervaluate.entities import Entity
from nervaluate.strategies import PartialEvaluation, StrictEvaluation
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

TOL = 1e-9
SCALE = ["CFS", "UFS", "NFS"]
TYPES = ["PERSON", "ORG", "GPE"]
KINDS = ["entity", "quote", "claim"]
STAMP = "2024-12-08T05:30:00.000Z"
WORDS = ("the rebels said Damascus fell at dawn and Assad fled while crowds gathered in "
         "squares to celebrate what officials called a new era for Syria").split()

checks = 0


def fail(msg):
    print(f"agreement: FAIL {msg}", file=sys.stderr)
    sys.exit(1)


def same(what, ours, ref):
    """Marginalia's figure (None where undefined) against the reference's (nan there)."""
    global checks
    checks += 1
    ref_undef = ref is None or (isinstance(ref, float) and math.isnan(ref))
    if ours is None or ref_undef:
        if ours is None and ref_undef:
            return
        fail(f"{what}: marginalia {ours}, reference {ref}")
    if abs(ours - ref) > TOL:
        fail(f"{what}: marginalia {ours!r}, reference {ref!r}")


def at_least(what, ours, ref):
    global checks
    checks += 1
    if ours + TOL < ref:
        fail(f"{what}: marginalia {ours} is below the reference's {ref}")


# ---- files ----

def text_of(rng, words):
    out, line = [], []
    for i in range(words):
        line.append(rng.choice(WORDS))
        if rng.random() < 0.12:
            out.append(" ".join(line) + ".")
            line = []
    if line:
        out.append(" ".join(line) + ".")
    return " ".join(out)


def word_bounds(text):
    starts, ends, inword = [], [], False
    for i, c in enumerate(text):
        if not c.isspace() and not inword:
            starts.append(i)
            inword = True
        elif c.isspace() and inword:
            ends.append(i)
            inword = False
    if inword:
        ends.append(len(text))
    return starts, ends


def random_span(rng, text):
    starts, ends = word_bounds(text)
    i = rng.randrange(len(starts))
    j = min(len(ends) - 1, i + rng.choice([0, 0, 0, 1, 1, 2, 3]))
    s, e = starts[i], ends[j]
    if rng.random() < 0.15 and e - s > 2:  # a cut inside a word
        e -= 1
    if rng.random() < 0.1 and e - s > 2:
        s += 1
    return s, e


def annotation(aid, kind, s, e, text, label=None, cw=None):
    a = {"id": aid, "kind": kind, "start": s, "end": e, "text": text[s:e]}
    if kind == "entity":
        a["label"] = label
    elif kind == "quote":
        a.update(speaker=None, cue=None, direct=False)
    else:
        a.update(claimant=None, checkworthiness=cw)
    a.update(note="", created=STAMP, updated=STAMP)
    return a


def random_layer(rng, text, n, types=TYPES):
    out = []
    for k in range(n):
        s, e = random_span(rng, text)
        kind = rng.choice(["entity", "entity", "entity", "quote", "claim"])
        out.append(annotation(f"a{k:04}", kind, s, e, text, rng.choice(types),
                              rng.choice(SCALE + [None])))
    return out


def perturb(rng, text, layer):
    """Another annotator's take: most spans kept, some moved or retyped, some dropped."""
    out = []
    for a in layer:
        r = rng.random()
        if r < 0.15:
            continue
        s, e = a["start"], a["end"]
        label, cw = a.get("label"), a.get("checkworthiness")
        if r < 0.3:
            s, e = random_span(rng, text)
        elif r < 0.4 and a["kind"] == "entity":
            label = rng.choice(TYPES)
        elif r < 0.5 and a["kind"] == "claim":
            cw = rng.choice(SCALE)
        out.append(annotation(a["id"], a["kind"], s, e, text, label, cw))
    for k in range(rng.randrange(3)):
        out.extend(random_layer(rng, text, 1))
        out[-1]["id"] = f"x{k:04}"
    return out


def native(doc_id, text, annotator, annotations):
    seen, unique = set(), []
    for a in annotations:  # the format refuses one annotation twice (kind, label, span)
        k = (a["kind"], a.get("label"), a["start"], a["end"])
        if k not in seen:
            seen.add(k)
            unique.append(a)
    annotations = unique
    return {
        "format": "marginalia", "version": 1, "offsets": "codepoint",
        "document": {"id": doc_id, "title": doc_id, "text": text,
                     "sha256": hashlib.sha256(text.encode()).hexdigest()},
        "labels": {"entity": TYPES + ["LOC"], "checkworthiness": SCALE},
        "annotator": annotator,
        "annotations": sorted(annotations, key=lambda a: (a["start"], a["end"], a["id"])),
    }


def corpus(seed):
    """Documents: (id, text, {annotator: annotations})."""
    rng = random.Random(seed)
    docs = []
    for d in range(14):
        text = text_of(rng, rng.randrange(8, 40))
        base = random_layer(rng, text, rng.randrange(1, 9))
        names = ["ann", "bob", "cyd"] if d % 3 else ["ann", "bob"]
        layers = {n: perturb(rng, text, base) for n in names}
        docs.append((f"r{d}", text, {n: native("", text, n, l)["annotations"]
                                     for n, l in layers.items()}))
    t = "Anna Berg met Carl Dahl in Eskilstuna. Dahl said nothing."
    full = [annotation("e1", "entity", 0, 9, t, "PERSON"),
            annotation("e2", "entity", 14, 23, t, "PERSON"),
            annotation("c1", "claim", 39, 57, t, cw="NFS")]
    # The same text would be one document: each case gets its own last words.
    docs.append(("empty", t + " Empty.", {"ann": full, "bob": [], "cyd": full}))
    docs.append(("perfect", t + " Perfect.", {"ann": full, "bob": full, "cyd": full}))
    docs.append(("one-type", t + " One type.", {"ann": full + [annotation("l1", "entity", 27, 37, t, "LOC")],
                                 "bob": full}))
    nested = [annotation("n1", "entity", 0, 23, t, "ORG"),
              annotation("n2", "entity", 0, 9, t, "PERSON"),
              annotation("n3", "entity", 5, 18, t, "GPE"),
              annotation("n4", "quote", 14, 38, t),
              annotation("n5", "quote", 27, 57, t)]
    docs.append(("nested", t + " Nested.", {"ann": nested, "bob": nested[1:] + [full[1]],
                               "cyd": nested[:2]}))
    e = "Señor 🎉 Dahl\r\nsaid “yes” 👍🏽 in Göteborg.\r\n\r\nThe end 🇸🇪."
    emoji = [annotation("e1", "entity", 0, 12, e, "PERSON"),
             annotation("e2", "entity", 6, 7, e, "ORG"),
             annotation("e3", "entity", 30, 38, e, "GPE"),
             annotation("c1", "claim", 14, 39, e, cw="CFS")]
    other = [annotation("e1", "entity", 8, 12, e, "PERSON"),
             annotation("e3", "entity", 30, 38, e, "GPE"),
             annotation("c1", "claim", 14, 39, e, cw="UFS"),
             annotation("x1", "entity", 47, 50, e, "LOC")]
    docs.append(("emoji-crlf", e, {"ann": emoji, "bob": other, "cyd": emoji[:2]}))
    return docs


def write_files(docs, out):
    """ann and cyd write project files; bob a file per document, under other ids (matched by
    text)."""
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for name in ["ann", "cyd"]:
        project = {"format": "marginalia-project", "version": 1,
                   "documents": [native(i, t, name, layers[name])
                                 for i, t, layers in docs if name in layers]}
        p = out / f"{name}.marginalia.json"
        p.write_text(json.dumps(project, ensure_ascii=False, indent=2))
        files.append(p)
    for i, t, layers in docs:
        if "bob" in layers:
            p = out / f"bob-{i}.marginalia.json"
            p.write_text(json.dumps(native(f"bob-{i}", t, "bob", layers["bob"]),
                                    ensure_ascii=False))
            files.append(p)
    return files


# ---- recomputing ----

def kept(anns, kind):
    """The CoNLL export's rule: of overlapping spans the longest, then earliest, then first."""
    of = sorted((a for a in anns if a["kind"] == kind), key=lambda a: (a["start"], a["end"], a["id"]))
    order = sorted(range(len(of)), key=lambda i: (-(of[i]["end"] - of[i]["start"]), of[i]["start"], i))
    taken = []
    for i in order:
        if all(of[i]["end"] <= of[k]["start"] or of[k]["end"] <= of[i]["start"] for k in taken):
            taken.append(i)
    return sorted((of[i] for i in taken), key=lambda a: a["start"])


def tags(anns, kind, tokens):
    ks = kept(anns, kind)
    out, last = [], None
    for s, e in tokens:
        hit = next((a for a in ks if a["start"] <= s and e <= a["end"]), None)
        if hit is None:
            out.append("O")
            last = None
        else:
            label = hit["label"] if kind == "entity" else "\0" + kind
            out.append(("I-" if last is hit else "B-") + label)
            last = hit
    return out


def cw_ranks(anns, tokens):
    ks = kept(anns, "claim")
    out = []
    for s, e in tokens:
        hit = next((a for a in ks if a["start"] <= s and e <= a["end"]), None)
        v = hit and hit.get("checkworthiness")
        out.append(SCALE.index(v) if v in SCALE else None)
    return out


def scope_tags(t, scope):
    """Tags of a scope from the kind's tags: `entity:X` keeps X's, every other tag is O."""
    if scope.startswith("entity:"):
        x = scope.split(":", 1)[1]
        return [g if g != "O" and g[2:] == x else "O" for g in t]
    return t


def kinds_of(scope):
    return KINDS if scope == "all" else ["entity" if scope.startswith("entity") else scope]


def items(anns, scope):
    out = []
    for a in anns:
        if scope == "all" or a["kind"] == scope or (
                scope.startswith("entity:") and a["kind"] == "entity" and a["label"] == scope[7:]):
            out.append(a)
    return out


def label(a):
    return a["label"] if a["kind"] == "entity" else a["kind"]


def overlaps(a, b):
    return a["start"] < b["end"] and b["start"] < a["end"]


def one_to_one(xa, xb):
    """No span overlaps two spans of the other layer."""
    return all(sum(overlaps(a, b) for b in xb) <= 1 for a in xa) and \
        all(sum(overlaps(a, b) for a in xa) <= 1 for b in xb)


def ents(xs):
    return [Entity(label(a), a["start"], a["end"] - 1) for a in xs]  # nervaluate: end inclusive


def best_credit(xa, xb):
    if not xa or not xb:
        return 0.0
    w = np.zeros((len(xa), len(xb)))
    for i, a in enumerate(xa):
        for j, b in enumerate(xb):
            if overlaps(a, b):
                w[i, j] = 1.0 if (a["start"], a["end"]) == (b["start"], b["end"]) else 0.5
    r, c = linear_sum_assignment(w, maximize=True)
    return float(w[r, c].sum())


def ratio(n, d):
    return n / d if d else None


def check_spans(where, pair, docs_layers, scope):
    """`docs_layers`: [(annotations of a, annotations of b)] of the documents behind `pair`."""
    a_n = b_n = exact_keyed = strict_cor = credit = part_credit = 0
    all_one = True
    for la, lb in docs_layers:
        for kind in kinds_of(scope):
            sub = kind if scope in ("all", kind) else scope
            xa, xb = items(la, sub), items(lb, sub)
            a_n, b_n = a_n + len(xa), b_n + len(xb)
            # Strict on identity keys: each distinct (type, boundaries) its own position.
            keys = {}
            key = lambda s: Entity(label(s), *[keys.setdefault((label(s), s["start"], s["end"]), len(keys))] * 2)
            r, _ = StrictEvaluation().evaluate([key(s) for s in xa], [key(s) for s in xb], [])
            exact_keyed += r.correct
            r, _ = StrictEvaluation().evaluate(ents(xa), ents(xb), [])
            strict_cor += r.correct
            credit += best_credit(xa, xb)
            r, _ = PartialEvaluation().evaluate(ents(xa), ents(xb), [])
            part_credit += r.correct + 0.5 * r.partial
            all_one &= one_to_one(xa, xb)
    ex, ov = pair["exact"], pair["overlap"]
    if (ex["reference_spans"], ex["other_spans"]) != (a_n, b_n):
        fail(f"{where}: spans {ex['reference_spans']}, {ex['other_spans']} != {a_n}, {b_n}")
    same(f"{where} exact precision (nervaluate strict, keyed)", ex["precision"], ratio(exact_keyed, b_n))
    same(f"{where} exact recall (nervaluate strict, keyed)", ex["recall"], ratio(exact_keyed, a_n))
    same(f"{where} exact F1", ex["f1"], ratio(2 * exact_keyed, a_n + b_n))
    at_least(f"{where} exact matches ≥ nervaluate strict correct", ex["correct"], strict_cor)
    ours = ov["correct"] + 0.5 * ov["partial"]
    same(f"{where} overlap credit (scipy assignment)", ours, credit)
    same(f"{where} overlap precision", ov["precision"], ratio(credit, b_n))
    same(f"{where} overlap recall", ov["recall"], ratio(credit, a_n))
    same(f"{where} overlap F1", ov["f1"], ratio(2 * credit, a_n + b_n))
    at_least(f"{where} overlap credit ≥ nervaluate partial", ours, part_credit)
    if all_one:
        same(f"{where} exact recall = nervaluate strict", ex["recall"], ratio(strict_cor, a_n))
        same(f"{where} overlap precision = nervaluate partial", ov["precision"], ratio(part_credit, b_n))
        same(f"{where} overlap recall = nervaluate partial", ov["recall"], ratio(part_credit, a_n))
    return a_n + b_n, exact_keyed, credit


def alpha(data, level, domain=None):
    """krippendorff's α, None where it is undefined (one value, no pairable unit)."""
    m = np.array(data, dtype=float) if data and data[0] else None
    if m is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(krippendorff.alpha(reliability_data=m, level_of_measurement=level,
                                            value_domain=domain))
    except (ValueError, ZeroDivisionError):
        return None


def check_figures(where, fig, docs, names, all_names):
    """`docs`: [(units of the document, {annotator: annotations})] behind `fig`."""
    scopes = {s["scope"]: s for s in fig["scopes"]}
    labels = sorted({a["label"] for _, layers in docs for l in layers.values() for a in l
                     if a["kind"] == "entity"})
    expected = ["all"] + KINDS + [f"entity:{x}" for x in labels]
    if sorted(scopes) != sorted(expected):
        fail(f"{where}: scopes {sorted(scopes)} != {sorted(expected)}")
    for scope in expected:
        s = scopes[scope]
        # Tags of every annotator on every document's units of the scope (None: not annotated).
        per_doc = []
        for units, layers in docs:
            col = {n: [] for n in all_names}
            for kind in kinds_of(scope):
                tok = units[kind]
                for n in all_names:
                    col[n] += (scope_tags(tags(layers[n], kind, tok), scope) if n in layers
                               else [None] * len(tok))
            per_doc.append(col)
        pairs = {(p["a"], p["b"]): p for p in s["pairs"]}
        both_units, both_exact, both_credit = 0, 0, 0.0
        for x, y in itertools.combinations(sorted(names), 2):
            shared = [(l[x], l[y]) for _, l in docs if x in l and y in l]
            if not shared:
                if (x, y) in pairs:
                    fail(f"{where}: pair {x}/{y} annotated nothing together")
                continue
            p = pairs[(x, y)]
            ta, tb = [], []
            for c in per_doc:
                if c[x] and c[x][0] is not None and c[y][0] is not None:
                    ta += c[x]
                    tb += c[y]
            if p["cohen_kappa"]["units"] != len(ta):
                fail(f"{where} {scope} {x}/{y}: κ units {p['cohen_kappa']['units']} != {len(ta)}")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ref = float(cohen_kappa_score(ta, tb)) if ta else None
            same(f"{where} {scope} {x}/{y} Cohen κ (scikit-learn)", p["cohen_kappa"]["value"], ref)
            n, ex, cr = check_spans(f"{where} {scope} {x}/{y}", p, shared, scope)
            both_units, both_exact, both_credit = both_units + n, both_exact + ex, both_credit + cr
        o = s["overall"]
        same(f"{where} {scope} overall exact F1", o["exact_f1"]["value"], ratio(2 * both_exact, both_units))
        same(f"{where} {scope} overall overlap F1", o["overlap_f1"]["value"], ratio(2 * both_credit, both_units))
        # Fleiss: the units of documents every annotator of `names` annotated.
        rows = []
        for c in per_doc:
            if all(c[n] and c[n][0] is not None for n in names):
                rows += list(zip(*[c[n] for n in names]))
        if o["fleiss_kappa"]["units"] != len(rows):
            fail(f"{where} {scope}: Fleiss units {o['fleiss_kappa']['units']} != {len(rows)}")
        if rows:
            cats = sorted({t for r in rows for t in r})
            coded = np.array([[cats.index(t) for t in r] for r in rows])
            table, _ = aggregate_raters(coded, n_cat=len(cats))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ref = float(fleiss_kappa(table)) if len(cats) > 1 else None
            same(f"{where} {scope} Fleiss κ (statsmodels)", o["fleiss_kappa"]["value"], ref)
        # Krippendorff nominal: annotators × units, NaN where one did not annotate.
        cats = sorted({t for c in per_doc for n in all_names for t in c[n] if t is not None})
        data = [[(cats.index(t) if t is not None else np.nan) for c in per_doc for t in c[n]]
                for n in all_names]
        same(f"{where} {scope} α nominal (krippendorff)", o["alpha_nominal"]["value"],
             alpha(data, "nominal"))
    # Ordinal α of check-worthiness over claim tokens.
    data = [[] for _ in all_names]
    for units, layers in docs:
        for i, n in enumerate(all_names):
            r = cw_ranks(layers[n], units["claim"]) if n in layers else [None] * len(units["claim"])
            data[i] += [np.nan if v is None else v for v in r]
    same(f"{where} check-worthiness α ordinal (krippendorff)", fig["checkworthiness_alpha"]["value"],
         alpha(data, "ordinal", [0, 1, 2]))


def main():
    cli, work = sys.argv[1], Path(sys.argv[2])
    for seed in [1, 2, 3]:
        docs = corpus(seed)
        files = write_files(docs, work / f"seed-{seed}")
        run = subprocess.run([cli, "agree", "--json", "--units", *map(str, files)],
                             capture_output=True, text=True)
        if run.returncode != 0:
            fail(f"marginalia agree exited {run.returncode}: {run.stderr}")
        report = json.loads(run.stdout)
        units = {u["sha256"]: u for u in report["units"]}
        by_hash = {hashlib.sha256(t.encode()).hexdigest(): (i, t, l) for i, t, l in docs}
        all_names = sorted({n for _, _, l in docs for n in l})
        if report["annotators"] != all_names:
            fail(f"annotators {report['annotators']} != {all_names}")
        project_docs = []
        for d in report["documents"]:
            doc_id, text, layers = by_hash[d["sha256"]]
            u = units[d["sha256"]]
            for kind in KINDS:
                for s, e in u[kind]:
                    if not (0 <= s < e <= len(text)) or any(c.isspace() for c in text[s:e]):
                        fail(f"{doc_id}: token {s}-{e} {text[s:e]!r}")
            names = sorted(layers)
            check_figures(f"seed {seed} {doc_id}", d["figures"], [(u, layers)], names, names)
            project_docs.append((u, layers))
        if len(report["documents"]) != len(docs):
            fail(f"{len(report['documents'])} documents compared of {len(docs)}")
        check_figures(f"seed {seed} project", report["project"], project_docs, all_names, all_names)
        if report["span_f1_exact"] != report["project"]["scopes"][0]["overall"]["exact_f1"]["value"]:
            fail("span_f1_exact is not the project's exact F1")
    # A document one annotator annotated is named, and the figures still printed.
    lone = work / "lone.marginalia.json"
    lone.write_text(json.dumps(native("lone", "Only one.", "ann", [])))
    run = subprocess.run([cli, "agree", "--json", str(lone), *map(str, files)],
                         capture_output=True, text=True)
    if run.returncode != 1 or "annotated by ann only" not in run.stderr or not run.stdout:
        fail(f"a lone document: exit {run.returncode}, {run.stderr}")
    print(f"agreement: {checks} figures match scikit-learn, statsmodels, krippendorff, "
          f"nervaluate and scipy to 1e-9")


if __name__ == "__main__":
    main()
