//! Search tests: what counts as an occurrence, in the bracket markup of `words.rs`'s tests
//! (`[` and `]` around each occurrence expected), and properties against a search that tries
//! every position.

use proptest::prelude::*;

use super::*;
use crate::model::words::snap_to_words;

/// The text of `marked` without its brackets, and the ranges they mark.
fn unmark(marked: &str) -> (String, Vec<Span>) {
    let (mut text, mut spans, mut open, mut cp) = (String::new(), Vec::new(), 0, 0);
    for c in marked.chars() {
        match c {
            '[' => open = cp,
            ']' => spans.push(Span::new(open, cp)),
            c => {
                text.push(c);
                cp += 1;
            }
        }
    }
    (text, spans)
}

/// `text` with each of `spans` (in order, not overlapping) in brackets.
fn mark(text: &str, spans: &[Span]) -> String {
    let mut out = String::new();
    let n = text.chars().count();
    for (i, c) in text.chars().chain(['\0']).enumerate() {
        out.extend(spans.iter().filter(|s| s.end == i).map(|_| ']'));
        out.extend(spans.iter().filter(|s| s.start == i).map(|_| '['));
        if i < n {
            out.push(c);
        }
    }
    out
}

#[test]
fn finds_whole_words_only() {
    let exact = Match { match_case: true };
    let any = Match { match_case: false };
    let cases: &[(&str, Match, &str)] = &[
        // (needle, how, the text with every occurrence expected in brackets)
        (
            "Syria",
            exact,
            "[Syria] and Syrian forces; SYRIA, ([Syria]) #[Syria] [Syria]-based Syria’s Syria2024 Syria_x",
        ),
        ("Syria", any, "[Syria], Syrian [SYRIA] [syria]; syria’s"),
        (
            "al-Assad",
            exact,
            "Bashar [al-Assad] and Assad, [al-Assad]. Not xal-Assad, al-Assads or al-Assad’s",
        ),
        ("Damascus", exact, "[Damascus] DAMASCUS damascus Damascene"),
        (
            "Damascus",
            any,
            "[Damascus] [DAMASCUS] [damascus] Damascene [DaMaScUs]",
        ),
        // Adjacent: a comma or a space between is a boundary; nothing between is not.
        (
            "Damascus",
            exact,
            "[Damascus] [Damascus],[Damascus] DamascusDamascus",
        ),
        // "İ" folds to itself (Unicode's simple folding): not to "i", nor is "I" folded to it.
        ("İstanbul", any, "[İstanbul] [İSTANBUL] istanbul ISTANBUL"),
        ("istanbul", any, "İstanbul [Istanbul] [ISTANBUL] [istanbul] ıstanbul"),
        // One code point for one: "ß" is "ẞ" ignoring case, never "ss".
        ("Straße", any, "[Straße] [STRAẞE] [straße] STRASSE Strasse"),
        ("Straße", exact, "[Straße] STRAẞE straße"),
        // Σ, σ and the final ς are one letter ignoring case; an accented ό is another.
        (
            "ΟΔΟΣ",
            any,
            "[ΟΔΟΣ] [\u{3bf}\u{3b4}\u{3bf}\u{3c2}] [\u{3bf}\u{3b4}\u{3bf}\u{3c3}] \u{3bf}\u{3b4}\u{3cc}\u{3c2}",
        ),
        // Emoji: each is a word; a family joined by ZWJ is one, and is not a prefix of another.
        ("😀", exact, "crowd [😀] cheers [😀][😀]!"),
        ("👨‍👩‍👧", exact, "a [👨‍👩‍👧] and 👨‍👩‍👧‍👦 here"),
        ("👨", exact, "not in 👨‍👩‍👧 but [👨]"),
        // Combining marks belong to the letter before them; nothing is normalised.
        ("cafe", exact, "[cafe] cafe\u{301} café"),
        ("cafe\u{301}", any, "[cafe\u{301}] [CAFE\u{301}] café"),
        // Arabic: "and Damascus" is one word; the Arabic comma is not part of one.
        ("دمشق", exact, "في [دمشق] ودمشق [دمشق]، اليوم"),
        ("12/8/2024", exact, "on [12/8/2024], not 12/8/20245"),
        ("“free”", exact, "[“free”] and free and [“free”]"),
        ("Bashar\nal-Assad", exact, "[Bashar\nal-Assad] and Bashar al-Assad"),
        ("", exact, "nothing to find"),
        // Ignoring case, the two other code points that fold to ASCII letters.
        ("ask", any, "[ask] [AS\u{212A}] [aſk] asc"),
    ];
    for (needle, how, marked) in cases {
        let (text, _) = unmark(marked);
        let doc = Document::new("t", "t", text.as_str());
        let found = whole_words(&doc, needle, *how);
        assert_eq!(mark(&text, &found), *marked, "{needle:?} {how:?}");
    }
}

#[test]
fn finds_overlapping_occurrences_too() {
    // "a a" twice in "a a a" (the state takes them from the left); "aa" in "aaa" is no word.
    let doc = Document::new("t", "t", "a a a, aaa");
    let found = whole_words(&doc, "a a", Match { match_case: true });
    assert_eq!(found, [Span::new(0, 3), Span::new(2, 5)]);
    assert!(whole_words(&doc, "aa", Match { match_case: true }).is_empty());
}

#[test]
fn occurrences_across_blocks_are_found() {
    // Blocks of at most 12 code points: words lie on either side of several cuts.
    let text = "the city of Damascus fell\nand Damascus was free\nDamascus";
    let doc = Document::with_block_max("t", "t", text, 12);
    assert!(doc.blocks().len() > 4);
    let found = whole_words(
        &doc,
        "Damascus fell\nand Damascus",
        Match { match_case: true },
    );
    assert_eq!(found, [Span::new(12, 38)]);
    let found = whole_words(&doc, "damascus", Match { match_case: false });
    assert_eq!(found.len(), 3);
}

#[test]
fn folding_is_simple_case_folding() {
    let cases = [
        ('A', 'a'),
        ('a', 'a'),
        ('İ', 'İ'),
        ('I', 'i'),
        ('ı', 'ı'),
        ('ẞ', 'ß'),
        ('ß', 'ß'),
        ('Σ', 'σ'),
        ('ς', 'σ'),
        ('\u{212A}', 'k'), // KELVIN SIGN
        ('ſ', 's'),
        ('µ', 'μ'),
        ('ǅ', 'ǆ'),
        ('\u{1FD3}', '\u{390}'),
        ('\u{1FE3}', '\u{3B0}'),
        ('\u{FB05}', '\u{FB06}'),
        ('ᾼ', 'ᾳ'),
        ('Ꭰ', 'ꭰ'),
        ('😀', '😀'),
        ('د', 'د'),
    ];
    for (c, folded) in cases {
        assert_eq!(fold(c), folded, "fold({c:?} U+{:04X})", c as u32);
    }
}

/// Folding is idempotent, so folding both sides compares classes; it never maps a letter to
/// whitespace or back, so an occurrence of a tagged text is never blank; and the search's
/// skipping knows every code point that folds to an ASCII one.
#[test]
fn folding_is_idempotent_and_keeps_whitespace() {
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        let f = fold(c);
        assert_eq!(fold(f), f, "U+{:04X}", c as u32);
        assert_eq!(f.is_whitespace(), c.is_whitespace(), "U+{:04X}", c as u32);
        if f.is_ascii() {
            assert!(
                variants(f).contains(&c),
                "U+{:04X} folds to {f:?}",
                c as u32
            );
        }
    }
}

// ---- properties against a search that tries every position ----

/// Texts of words that repeat, in several cases and scripts, joined by separators that do
/// and do not end a word (nothing, a hyphen, a narrow no-break space, a combining mark).
pub(crate) fn arb_text() -> impl Strategy<Value = Vec<(&'static str, &'static str)>> {
    let word = prop_oneof![
        2 => proptest::sample::select(vec!["Syria", "SYRIA", "a", "ß", "ẞ", "😀", "دمشق"]),
        1 => proptest::sample::select(vec![
            "Syria", "syria", "SYRIA", "Syrian", "al-Assad", "Assad", "İstanbul", "istanbul", "ß",
            "ẞ", "ss", "😀", "👨\u{200d}👩", "e\u{301}", "é", "E\u{301}", "دمشق", "ودمشق", "a",
            "12", "🇸🇾",
        ]),
    ];
    let sep = proptest::sample::select(vec![
        " ", " ", " ", "  ", ", ", "\n", "\n\n", "’s ", "-", "", "\u{202F}", "\u{A0}", ". ",
        "\u{301} ",
    ]);
    proptest::collection::vec((word, sep), 1..30)
}

/// The text, the needle (the words `from..=from + len` with the separators between them) and
/// where it was taken from.
pub(crate) fn text_and_needle(
    pairs: &[(&str, &str)],
    from: usize,
    len: usize,
) -> (String, String, Span) {
    let text: String = pairs.iter().flat_map(|(w, s)| [*w, *s]).collect();
    let from = from % pairs.len();
    let to = (from + len).min(pairs.len() - 1);
    let start: usize = pairs[..from]
        .iter()
        .map(|(w, s)| w.chars().count() + s.chars().count())
        .sum();
    let mut needle = String::new();
    for (i, (w, s)) in pairs[from..=to].iter().enumerate() {
        needle.push_str(w);
        if from + i < to {
            needle.push_str(s);
        }
    }
    let span = Span::new(start, start + needle.chars().count());
    (text, needle, span)
}

/// Every position where the needle's code points equal the text's (folded or not), and whose
/// range a selection would snap to unchanged: words.rs's own idea of whole words.
pub(crate) fn every_position(doc: &Document, needle: &str, how: Match) -> Vec<Span> {
    let key = |c: char| if how.match_case { c } else { fold(c) };
    let text: Vec<char> = doc.text().chars().map(key).collect();
    let pattern: Vec<char> = needle.chars().map(key).collect();
    if pattern.is_empty() || pattern.len() > text.len() {
        return Vec::new();
    }
    (0..=text.len() - pattern.len())
        .filter(|&i| text[i..i + pattern.len()] == pattern[..])
        .map(|i| Span::new(i, i + pattern.len()))
        .filter(|&s| snap_to_words(doc, s) == Some(s))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// The search finds exactly the positions a scan of every one finds, in one block a
    /// paragraph and in blocks of at most 16 code points; each found range slices to the
    /// needle (folded when ignoring case) and snaps to itself.
    #[test]
    fn finds_what_trying_every_position_finds(
        pairs in arb_text(),
        from in 0usize..30,
        len in 0usize..3,
        match_case in any::<bool>(),
        small_blocks in any::<bool>(),
    ) {
        let (text, needle, _) = text_and_needle(&pairs, from, len);
        let doc = if small_blocks {
            Document::with_block_max("t", "t", text.as_str(), 16)
        } else {
            Document::new("t", "t", text.as_str())
        };
        prop_assume!(needle.trim() == needle && !needle.is_empty());
        let how = Match { match_case };
        let found = whole_words(&doc, &needle, how);
        prop_assert_eq!(&found, &every_position(&doc, &needle, how));
        let folded = |s: &str| s.chars().map(fold).collect::<String>();
        for s in &found {
            let got = doc.slice(*s);
            if match_case {
                prop_assert_eq!(got, needle.as_str());
            } else {
                prop_assert_eq!(folded(got), folded(&needle));
            }
        }
    }
}
