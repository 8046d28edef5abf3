"""Generates the tables of Marginalia's port of spaCy's English tokenizer, from spaCy itself.

usage: gen_spacy_tables.py [--check] [--cases FILE N SEED]

Writes core/src/formats/spacy_tables.rs (character classes, affix lists, tokenizer exceptions
with their norms, the lexeme norms, the string store's symbols) and
core/tests/golden/spacy/tokenizer-cases.json (texts with the tokens `spacy.blank("en")` makes of
them and their norms, which `cargo test` compares with the port). Run it with the pinned spaCy in target/venv
after upgrading spaCy; `--check` only verifies that both files are what this spaCy makes (the
format check runs it). `--cases FILE N SEED` writes N random texts and their tokens to FILE, for
a longer comparison: `SPACY_CASES=FILE cargo test spacy_tokenizer`.

The port (core/src/formats/spacy_tokenizer.rs) follows spacy/tokenizer.pyx step by step; what it
cannot take from here, the affix rules' structure, is asserted below, so that a spaCy whose
rules changed shape fails here instead of tokenizing differently.
"""

import json
import pathlib
import random
import re
import sys

import spacy
from spacy.lang import char_classes as cc
from spacy.lang import punctuation as base_punct
from spacy.lang.en import punctuation as en_punct
from spacy.attrs import NORM
from spacy.lang import lex_attrs
from spacy.lang.norm_exceptions import BASE_NORMS
from spacy.symbols import IDS as SYMBOLS
from spacy.symbols import ORTH
from spacy.tokenizer import Tokenizer

ROOT = pathlib.Path(__file__).resolve().parents[2]
TABLES = ROOT / "core" / "src" / "formats" / "spacy_tables.rs"
CASES = ROOT / "core" / "tests" / "golden" / "spacy" / "tokenizer-cases.json"
SAMPLES = sorted((ROOT / "core" / "tests" / "golden" / "native").glob("*.marginalia.json"))


def ranges(pattern):
    """The code points a one-character pattern matches, as inclusive ranges."""
    rx = re.compile(pattern)
    out, start = [], None
    for cp in range(0x110000):
        ok = not (0xD800 <= cp <= 0xDFFF) and rx.fullmatch(chr(cp)) is not None
        if ok and start is None:
            start = cp
        elif not ok and start is not None:
            out.append((start, cp - 1))
            start = None
    if start is not None:
        out.append((start, 0x10FFFF))
    return out


def literal(piece):
    """The string a regex piece made only of characters and escaped characters matches."""
    lit = re.sub(r"\\(.)", r"\1", piece)
    bare = re.sub(r"\\.", "", piece)
    assert re.fullmatch(piece, lit) and not any(c in bare for c in ".^$*+?{}[]|()"), piece
    return lit


def check_structure():
    """The affix rules have the shape the port implements (see spacy/lang/punctuation.py)."""
    nlp = spacy.blank("en")
    d = nlp.Defaults
    assert d.prefixes == base_punct.TOKENIZER_PREFIXES
    assert d.suffixes == base_punct.TOKENIZER_SUFFIXES
    assert d.infixes == en_punct.TOKENIZER_INFIXES
    assert d.token_match is None and nlp.tokenizer.token_match is None
    assert nlp.tokenizer.url_match.__self__.pattern == "(?u)" + spacy.lang.tokenizer_exceptions.URL_PATTERN
    assert nlp.tokenizer.faster_heuristics
    prefixes = (
        ["§", "%", "=", "—", "–", r"\+(?![0-9])"]
        + cc.LIST_PUNCT + cc.LIST_ELLIPSES + cc.LIST_QUOTES + cc.LIST_CURRENCY + cc.LIST_ICONS
    )
    assert d.prefixes == prefixes
    suffixes = (
        cc.LIST_PUNCT + cc.LIST_ELLIPSES + cc.LIST_QUOTES + cc.LIST_ICONS
        + ["'s", "'S", "’s", "’S", "—", "–"]
        + [
            r"(?<=[0-9])\+",
            r"(?<=°[FfCcKk])\.",
            r"(?<=[0-9])(?:{c})".format(c=cc.CURRENCY),
            r"(?<=[0-9])(?:{u})".format(u=cc.UNITS),
            r"(?<=[0-9{al}{e}{p}(?:{q})])\.".format(
                al=cc.ALPHA_LOWER, e=r"%²\-\+", q=cc.CONCAT_QUOTES, p=cc.PUNCT
            ),
            r"(?<=[{au}][{au}])\.".format(au=cc.ALPHA_UPPER),
        ]
    )
    assert d.suffixes == suffixes
    infixes = cc.LIST_ELLIPSES + cc.LIST_ICONS + [
        r"(?<=[0-9])[+\-\*^](?=[0-9-])",
        r"(?<=[{al}{q}])\.(?=[{au}{q}])".format(al=cc.ALPHA_LOWER, au=cc.ALPHA_UPPER, q=cc.CONCAT_QUOTES),
        r"(?<=[{a}]),(?=[{a}])".format(a=cc.ALPHA),
        r"(?<=[{a}0-9])(?:{h})(?=[{a}])".format(a=cc.ALPHA, h=cc.HYPHENS),
        r"(?<=[{a}0-9])[:<>=/](?=[{a}])".format(a=cc.ALPHA),
    ]
    assert d.infixes == infixes
    assert cc.LIST_ELLIPSES == [r"\.\.+", "…"]
    assert len(cc.LIST_ICONS) == 1
    return nlp, suffixes


def rust_str(s):
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable() and ch not in "\u00a0\u00ad" and not ch.isspace():
            out.append(ch)
        else:
            out.append("\\u{%x}" % ord(ch))
    return '"' + "".join(out) + '"'


def rust_strs(items):
    return "&[" + ", ".join(rust_str(s) for s in items) + "]"


def rust_ranges(name, doc, rs):
    body = "\n".join(
        "    " + " ".join("(0x%X, 0x%X)," % r for r in rs[i : i + 4]) for i in range(0, len(rs), 4)
    )
    return f"/// {doc}\npub const {name}: &[(u32, u32)] = &[\n{body}\n];\n"


def tables():
    nlp, suffixes = check_structure()
    tok = nlp.tokenizer
    out = [
        "//! Tables of spaCy's English tokenizer (`spacy.blank(\"en\")`, spaCy "
        + spacy.__version__
        + ").\n//!\n//! GENERATED by tests/formats/gen_spacy_tables.py from the installed spaCy; do not edit.\n"
        "//! Character classes are inclusive code point ranges, exactly as Python's `re` matches them.\n",
        "#![allow(clippy::unreadable_literal)]\n",
        f"pub const SPACY_VERSION: &str = {rust_str(spacy.__version__)};\n",
    ]
    space = ranges(r"\s")
    assert space == ranges("[%s]" % "".join(c for c in map(chr, range(0x110000)) if c.isspace())), "\\s is str.isspace"
    out.append(rust_ranges("PY_SPACE", "`str.isspace()`, Python's whitespace (also `\\s`).", space))
    out.append(rust_ranges("WORD", "`\\w` in a Python `str` pattern.", ranges(r"\w")))
    out.append(rust_ranges("DIGIT", "`\\d` in a Python `str` pattern (decimal digits of all scripts).", ranges(r"\d")))
    out.append(rust_ranges("ALPHA", "`[{ALPHA}]`.", ranges("[%s]" % cc.ALPHA)))
    out.append(rust_ranges("ALPHA_LOWER", "`[{ALPHA_LOWER}]`.", ranges("[%s]" % cc.ALPHA_LOWER)))
    out.append(rust_ranges("ALPHA_UPPER", "`[{ALPHA_UPPER}]`.", ranges("[%s]" % cc.ALPHA_UPPER)))
    out.append(rust_ranges("QUOTES", "`[{CONCAT_QUOTES}]`.", ranges("[%s]" % cc.CONCAT_QUOTES)))
    out.append(rust_ranges("ICONS", "`LIST_ICONS[0]`, symbols and emoji.", ranges(cc.LIST_ICONS[0])))
    # The class before a final "." in the suffix rule `(?<=[0-9{al}{e}{p}(?:{q})])\.`, taken
    # from the rule itself: every c for which the rule matches the "." of c + ".".
    dot_rule = re.compile(suffixes[-2] + "$")
    dot_ranges = []
    start = None
    for cp in range(0x110000 + 1):
        ok = cp < 0x110000 and not (0xD800 <= cp <= 0xDFFF)
        if ok:
            m = dot_rule.search(chr(cp) + ".")
            ok = m is not None and m.start() == 1
        if ok and start is None:
            start = cp
        elif not ok and start is not None:
            dot_ranges.append((start, cp - 1))
            start = None
    out.append(rust_ranges("SUFFIX_DOT_AFTER", "What may precede a final \".\" split off as a suffix.", dot_ranges))
    lits = lambda pieces: [literal(p) for p in pieces if p.strip()]
    out.append(f"/// `LIST_PUNCT`, in rule order.\npub const PUNCT: &[&str] = {rust_strs(lits(cc.LIST_PUNCT))};\n")
    out.append(f"/// `LIST_QUOTES`, in rule order.\npub const QUOTE_LIST: &[&str] = {rust_strs(lits(cc.LIST_QUOTES))};\n")
    out.append(f"/// `LIST_CURRENCY`, in rule order.\npub const CURRENCY: &[&str] = {rust_strs(lits(cc.LIST_CURRENCY))};\n")
    out.append(f"/// `UNITS`, in rule order.\npub const UNITS: &[&str] = {rust_strs(lits(cc.UNITS.split('|')))};\n")
    out.append(f"/// `HYPHENS`, in rule order.\npub const HYPHENS: &[&str] = {rust_strs(lits(cc.HYPHENS.split('|')))};\n")
    longest = max(len(x) for x in lits(cc.LIST_PUNCT) + lits(cc.LIST_QUOTES) + lits(cc.LIST_CURRENCY) + lits(cc.UNITS.split("|")) + ["'s", "…"])
    out.append(
        "/// The longest suffix a literal rule splits off (longer suffixes are runs of dots).\n"
        f"pub const SUFFIX_MAX_CHARS: usize = {longest};\n"
    )

    rules = {k: [t[ORTH] for t in v] for k, v in tok.rules.items()}
    for k, v in rules.items():
        assert "".join(v) == k, k
    # A piece's NORM where the exception sets one ("n't" -> "not"), "" where it does not.
    norms = {k: [t.get(NORM, "") for t in v] for k, v in tok.rules.items()}
    assert all(set(t) <= {ORTH, NORM} for v in tok.rules.values() for t in v), "exceptions set ORTH and NORM only"
    assert all(n != "" for v in tok.rules.values() for t in v for n in [t.get(NORM)] if n is not None)
    out.append(
        "/// The length in code points of the longest exception.\n"
        f"pub const RULES_MAX_CHARS: usize = {max(len(k) for k in rules)};\n"
    )
    rows = "\n".join(f"    ({rust_str(k)}, {rust_strs(rules[k])}, {rust_strs(norms[k])})," for k in sorted(rules))
    out.append(
        "/// The tokenizer exceptions (special cases): a string, the tokens it becomes, and each\n"
        "/// token's norm where the exception sets one (\"\" where not). Sorted.\n"
        f"pub const RULES: &[(&str, &[&str], &[&str])] = &[\n{rows}\n];\n"
    )
    # The special cases the final matcher pass looks for: those the affix rules would split,
    # with the tokens the affix rules alone make of them (`_tokenize_affixes(string, False)`).
    plain = Tokenizer(
        nlp.vocab,
        rules={},
        prefix_search=tok.prefix_search,
        suffix_search=tok.suffix_search,
        infix_finditer=tok.infix_finditer,
        token_match=tok.token_match,
        url_match=tok.url_match,
    )
    matched = [
        k
        for k in sorted(rules)
        if tok.find_prefix(k) or tok.find_infix(k) or tok.find_suffix(k) or " " in k
    ]
    rows = "\n".join(f"    ({rust_str(k)}, {rust_strs([t.text for t in plain(k)])})," for k in matched)
    out.append(
        "/// The special cases that affixes would split, with the tokens the affix rules make of\n"
        "/// them: where these tokens follow each other without space, they become the special case.\n"
        f"pub const MATCHED_RULES: &[(&str, &[&str])] = &[\n{rows}\n];\n"
    )
    # A lexeme's norm: the vocabulary's lookups (BASE_NORMS alone, in a blank pipeline without
    # spacy-lookups-data), else `str.lower()`.
    getter = nlp.vocab.lex_attr_getters[NORM]
    assert getter.args[0] is lex_attrs.lower and getter.args[1] == (BASE_NORMS,), "norm = BASE_NORMS, else lower()"
    assert nlp.vocab.lookups.tables == [], "no lexeme_norm table"
    rows = "\n".join(f"    ({rust_str(k)}, {rust_str(BASE_NORMS[k])})," for k in sorted(BASE_NORMS))
    out.append(
        "/// `BASE_NORMS`: the norms of lexemes that are not their lower case. Sorted.\n"
        f"pub const BASE_NORMS: &[(&str, &str)] = &[\n{rows}\n];\n"
    )
    rows = "\n".join(f"    ({rust_str(k)}, {SYMBOLS[k]})," for k in sorted(SYMBOLS))
    out.append(
        "/// `spacy.symbols.IDS`: the strings whose id in a `StringStore` is this number, not their\n"
        "/// hash. Sorted.\n"
        f"pub const SYMBOLS: &[(&str, u64)] = &[\n{rows}\n];\n"
    )
    return "\n".join(out)


# ---- test cases: texts and spaCy's tokens ----

HAND = [
    "Hello, world!",
    "They hasn't, won't and can't; y'all'd've “gone”.",
    "U.S. e.g. i.e. Dr. Smith, Jan. 5th, 3a.m. 10p.m. 7pm and 5km/h for $5 or 5$ or US$10.",
    "A 10km run, 3.5kg, 100°C. 45°F. 50% off, 2+2=4, 1-2, 3*4^5, 1/2, x:y, a<b>c, a=b.",
    "Rebels “free” of “tyrant” Assad’s 50-year rule. Syria,” they said… (forced) ok...",
    "well-known -- dashes — and – ranges; co-op;e-mail;x~y; A--B; a---b; a——b.",
    "see http://example.com/a?b=c#d, www.example.org. mail me@example.com or 192.168.1.1 or 8.8.8.8:53/x",
    "https://en.wikipedia.org/wiki/Damascus_(city) and ftp://files.example.co.uk:2121/pub.",
    "emoji 😀 👨‍👩‍👧 family ❤️ ♥ ☺ :) :-) ;) <3 :(( (: -:) x:-)) ^_^ (^_^) o.O",
    "résumé naïve café re\u0301sume\u0301 Ålesund ÉCOLE. ÉÉ. Zürich's.",
    "في دمشق، اليوم. «Quoted» „German“ ‚single‘ 「Japanese」 『x』 〈y〉 ⟦z⟧",
    "tabs\tand\r\nCRLF\r\n\r\nparagraphs  double  spaces   triple\u00a0nbsp\u2009thin\u3000ideo",
    " leading space, trailing space ",
    "\n\nleading newlines and trailing ones\n\n",
    "ALL CAPS. USA. U.S.A. NATO.. X.Y. A.B.C.D. a.b.c. mid.Sentence lower.upper Lower.Upper.",
    "Numbers: 12/8/2024, 3,000,000 1.5 -5 +5 +x 5+ (5) [5] {5} 5. 5.. 5...",
    "C++ #hashtag @mention &amp; *bold* _under_ `code` ´acute´ §5 %x =y",
    "'Tis 'tis the season; rock 'n' roll; 'cause ’cause I’m you’re they’ll we’ve",
    "…leading ellipsis and trailing…… and mid…dle and ..dots.. and . alone",
    "Mr. Mrs. Ms. St. Mt. Gen. Gov. Sen. Rep. Inc. Ltd. Co. Corp. vs. etc. Jr. Sr.",
    "10am 11p.m. 12a.m. 1a.m. 1p.m. 6am. 9pm, noon.",
    "don't Don't DON'T dont cannot Cannot gonna gotta wanna lemme",
    "$100 £20 €5 ¥3 ₹9 C$4 A$5 100€ 20£ 5₹",
    "1st 2nd 3rd 4th 100m 10mm² 5m/s 3km³ 20kmh 60mph 5MB 10GB",
    "(HTS) [HTS] {HTS} <HTS> \"HTS\" 'HTS' `HTS` ‘HTS’ “HTS”",
    "a.b.c.d.e?! x?! !? ?!. ¿Qué? ¡Hola! 。？！，、；：～·।،۔؛٪",
    "über-cool Ü-Bahn ä. ö. ü. a. b. z. A. B. Z.",
    "x" * 3 + "-" + "y" * 3 + " " + "ab" * 10,
    "—dash at start— and –en– and ~tilde~",
    "😀😀😀 ☀️☀️ 🇸🇾🇸🇾 👍🏽 ✓ ✔ ★",
    "",
    " ",
    "  ",
    "a",
    ".",
    "'",
    "''",
    "\"",
    "x' y'' 'z' ''w''",
    "It's it’s He's she's that's what's where's who's how's",
    "o.O O.o 0.0 o_O ಠ_ಠ (╯°□°）╯︵┻━┻ (ಠ_ಠ) ¯\\_(ツ)_/¯",
]

PIECES = [
    "a", "A", "z", "Z", "é", "É", "ß", "x", "abc", "ABC", "Abc", "word", "Word", "WORD",
    "0", "1", "7", "12", "2024", "3.5", "1,000",
    ".", "..", "...", "…", ",", ";", ":", "!", "?", "(", ")", "[", "]", "{", "}", "<", ">",
    "'", "\"", "“", "”", "‘", "’", "«", "»", "`", "´", "„",
    "-", "–", "—", "--", "~", "/", "\\", "+", "*", "^", "=", "%", "&", "#", "@", "_", "§", "°",
    "$", "£", "€", "US$", "km", "kg", "m", "s", "'s", "’s", "n't", "'ll", "'re", "'d", "'ve",
    "do", "does", "ca", "wo", "is", "it", "he", "let", "y'all", "ai", "gon", "na",
    "a.m.", "p.m.", "am", "pm", "U.S.", "e.g.", "i.e.", "Dr.", "Mr.", "St.", "vs.", "Jan.", "etc.",
    ":)", ":-)", "<3", ";)", "(:", "^_^",
    "😀", "❤️", "👨‍👩‍👧", "🇸🇾", "♥", "☺", "✓",
    "دمشق", "،", "ä", "ö", "ü", "ç", "ñ", "ø", "Ω", "ω", "я", "Я", "中文", "カタカナ", "ー",
    "e\u0301", "\u0301", "\u200d", "\u00ad",
    "http://", "https://", "www.", "example", ".com", ".org", ".co.uk", ":8080", "/path", "?q=1", "#frag",
    "192.168.1.1", "10.0.0.1", "8.8.8.8", "me@", "user:pw@",
]
SPACES = [" ", " ", " ", " ", " ", "", "", "", "", "", "  ", "\n", "\r\n", "\t", "\u00a0", "\n\n", "\u2009", "\u3000"]


def random_texts(n, seed):
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 14)):
            parts.append(rng.choice(PIECES))
            parts.append(rng.choice(SPACES))
        texts.append("".join(parts))
    return texts


def tokens_of(nlp, text):
    doc = nlp(text)
    return [[t.idx, t.idx + len(t.text), 1 if t.whitespace_ else 0, t.norm_] for t in doc]


def cases(texts):
    nlp = spacy.blank("en")
    rows = [{"text": t, "tokens": tokens_of(nlp, t)} for t in texts]
    lines = ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in rows)
    return '{\n"spacy": ' + json.dumps(spacy.__version__) + ',\n"cases": [\n' + lines + "\n]}\n"


def fixture_texts():
    samples = [json.loads(p.read_text(encoding="utf-8"))["document"]["text"] for p in SAMPLES]
    return HAND + samples + random_texts(400, 20241208)


def main(args):
    tables_text = tables()
    cases_text = cases(fixture_texts())
    if args[:1] == ["--check"]:
        stale = [p for p, t in ((TABLES, tables_text), (CASES, cases_text)) if p.read_text(encoding="utf-8") != t]
        if stale:
            raise SystemExit(
                "spaCy tables are stale for spaCy %s: %s; run tests/formats/gen_spacy_tables.py"
                % (spacy.__version__, ", ".join(str(p.relative_to(ROOT)) for p in stale))
            )
        print(f"spacy tables ok: {TABLES.relative_to(ROOT)} and {CASES.relative_to(ROOT)} are spaCy {spacy.__version__}'s")
        return 0
    if args[:1] == ["--cases"]:
        path, n, seed = args[1], int(args[2]), int(args[3])
        pathlib.Path(path).write_text(cases(random_texts(n, seed)), encoding="utf-8")
        print(f"wrote {n} cases to {path}")
        return 0
    TABLES.write_text(tables_text, encoding="utf-8")
    CASES.parent.mkdir(parents=True, exist_ok=True)
    CASES.write_text(cases_text, encoding="utf-8")
    print(f"wrote {TABLES.relative_to(ROOT)} and {CASES.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
