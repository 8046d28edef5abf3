//! spaCy's English tokenizer (`spacy.blank("en")`), ported step by step from
//! `spacy/tokenizer.pyx` so that exported tokens are the tokens spaCy makes of the same text.
//!
//! The algorithm, as spaCy runs it:
//!
//! 1. Split the text into runs of whitespace and of other characters (Python's `str.isspace`).
//!    A single space after a token is not a token: it sets the token's `ws` flag. Other
//!    whitespace (a second space, line breaks, tabs) becomes tokens of its own.
//! 2. Each run is looked up in the exceptions (`don't` → `do` `n't`); otherwise prefixes and
//!    suffixes are split off one at a time (the leftmost prefix rule that matches at the start,
//!    the longest suffix that some rule matches), stopping early where what is left is an
//!    exception; what remains is kept whole if it is a URL, else split at infixes (hyphens
//!    between letters, `...`, emoji).
//! 3. A last pass turns token sequences that spell an exception containing affixes (`:)`,
//!    split as `:` `)` by step 2) back into that exception.
//!
//! The character classes, affix lists and exceptions come from spaCy itself, generated into
//! `spacy_tables.rs` by `tests/formats/gen_spacy_tables.py`; `cargo test` compares this port
//! with the tokens spaCy made of several hundred texts (`tests/golden/spacy/tokenizer-cases.json`).
//! Offsets are code points, as in Python. [`tokenize_with_norms`] also gives each token's norm
//! (`token.norm_`): the exception's, else the lexeme's ([`lexeme_norm`]), which the DocBin
//! export writes; the same cases hold spaCy's norms.
//!
//! Why one file of ~800 lines: it is a port of one algorithm (spaCy's `Tokenizer.__call__` and its
//! affix passes), kept in one piece so that it reads step by step beside spaCy's own code; the data
//! it uses is generated apart (`spacy_tables.rs`).

use crate::model::sort;
use std::sync::OnceLock;

use super::tables as t;

/// One token: a code-point range of the text, and whether a single space follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub ws: bool,
}

/// The tokens `spacy.blank("en")` makes of `text`.
pub fn tokenize(text: &str) -> Vec<Token> {
    tokenize_pieces(text).into_iter().map(|(t, _)| t).collect()
}

/// The tokens `spacy.blank("en")` makes of `text`, each with its norm (spaCy's `token.norm_`):
/// the norm a tokenizer exception gives its piece (`n't` of `don't` is `not`), else the
/// lexeme's norm ([`lexeme_norm`]).
pub fn tokenize_with_norms(text: &str) -> Vec<(Token, String)> {
    let chars: Vec<char> = text.chars().collect();
    tokenize_pieces(text)
        .into_iter()
        .map(|(t, special)| {
            let norm = if special.is_empty() {
                lexeme_norm(&chars[t.start..t.end].iter().collect::<String>())
            } else {
                special.to_string()
            };
            (t, norm)
        })
        .collect()
}

/// A lexeme's norm in a blank English pipeline: its entry in spaCy's `BASE_NORMS` (`“` is
/// `"`, `€` is `$`), else Python's `str.lower()` of it, which Rust's `to_lowercase` follows
/// (both apply Unicode's full lower-case mappings, final sigma included).
pub fn lexeme_norm(orth: &str) -> String {
    match t::BASE_NORMS.binary_search_by(|(k, _)| (*k).cmp(orth)) {
        Ok(i) => t::BASE_NORMS[i].1.to_string(),
        Err(_) => orth.to_lowercase(),
    }
}

/// A token and the norm its tokenizer exception gives it ("" where none does).
type Piece = (Token, &'static str);

/// The tokens of `text`, each with the norm a tokenizer exception gives it.
fn tokenize_pieces(text: &str) -> Vec<Piece> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens: Vec<Piece> = Vec::new();
    let Some(&first) = chars.first() else {
        return tokens;
    };
    let mut start = 0;
    let mut in_ws = is_space(first);
    for (i, &c) in chars.iter().enumerate() {
        if is_space(c) != in_ws {
            if start < i {
                tokenize_chunk(&chars, start, i, &mut tokens);
            }
            if c == ' ' {
                if let Some((last, _)) = tokens.last_mut() {
                    last.ws = true;
                }
                start = i + 1;
            } else {
                start = i;
            }
            in_ws = !in_ws;
        }
    }
    if start < chars.len() {
        tokenize_chunk(&chars, start, chars.len(), &mut tokens);
    }
    apply_matched_rules(&chars, &mut tokens);
    tokens
}

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    let i = table.partition_point(|&(_, hi)| hi < c);
    table.get(i).is_some_and(|&(lo, _)| lo <= c)
}

/// Python's `str.isspace()`.
pub fn is_space(c: char) -> bool {
    in_table(t::PY_SPACE, c)
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
}

fn is_alpha(c: char) -> bool {
    in_table(t::ALPHA, c)
}

fn is_lower(c: char) -> bool {
    in_table(t::ALPHA_LOWER, c)
}

fn is_upper(c: char) -> bool {
    in_table(t::ALPHA_UPPER, c)
}

fn is_quote(c: char) -> bool {
    in_table(t::QUOTES, c)
}

fn is_icon(c: char) -> bool {
    in_table(t::ICONS, c)
}

fn starts_with(s: &[char], lit: &str) -> bool {
    let mut it = s.iter();
    lit.chars().all(|c| it.next() == Some(&c))
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// The exception for exactly this string, if there is one: its pieces, as (length, norm).
fn special(s: &[char]) -> Option<impl Iterator<Item = (usize, &'static str)>> {
    if s.len() > t::RULES_MAX_CHARS {
        return None;
    }
    let i = t::RULES.binary_search_by(|(k, _, _)| compare(k, s)).ok()?;
    let (_, pieces, norms) = t::RULES[i];
    Some(
        pieces
            .iter()
            .map(|p| char_len(p))
            .zip(norms.iter().copied()),
    )
}

/// Orders a string and a run of characters as strings (code point order, which is also the
/// order of their UTF-8 bytes, in which the tables are sorted).
fn compare(a: &str, b: &[char]) -> std::cmp::Ordering {
    a.chars().cmp(b.iter().copied())
}

/// Tokenizes one run of whitespace or of other characters, `chars[lo..hi]`.
fn tokenize_chunk(chars: &[char], lo: usize, hi: usize, out: &mut Vec<Piece>) {
    let s = &chars[lo..hi];
    let mut lengths: Vec<(usize, &'static str)> = Vec::new();
    if let Some(parts) = special(s) {
        lengths.extend(parts);
    } else {
        let (prefixes, a, b, suffixes) = split_affixes(s);
        lengths.extend(prefixes.into_iter().map(|n| (n, "")));
        attach(&s[a..b], &mut lengths);
        lengths.extend(suffixes.iter().rev().map(|&n| (n, "")));
    }
    let mut at = lo;
    for (len, norm) in lengths {
        out.push((
            Token {
                start: at,
                end: at + len,
                ws: false,
            },
            norm,
        ));
        at += len;
    }
    debug_assert_eq!(at, hi, "tokens cover the chunk");
}

/// `Tokenizer._split_affixes`: the prefix lengths, the middle `a..b`, the suffix lengths (in
/// the order they were split off, outermost first).
fn split_affixes(s: &[char]) -> (Vec<usize>, usize, usize, Vec<usize>) {
    let (mut a, mut b) = (0, s.len());
    let mut prefixes = Vec::new();
    let mut suffixes = Vec::new();
    let mut last_size = 0;
    while a < b && b - a != last_size {
        let string = &s[a..b];
        if special(string).is_some() {
            break;
        }
        last_size = b - a;
        let pre = find_prefix(string);
        if pre != 0 {
            let minus_pre = &string[pre..];
            if !minus_pre.is_empty() && special(minus_pre).is_some() {
                prefixes.push(pre);
                a += pre;
                break;
            }
        }
        let suf = find_suffix(&string[pre..]);
        if suf != 0 {
            let minus_suf = &string[..string.len() - suf];
            if !minus_suf.is_empty() && special(minus_suf).is_some() {
                suffixes.push(suf);
                b -= suf;
                break;
            }
        }
        if pre != 0 && suf != 0 && pre + suf <= string.len() {
            prefixes.push(pre);
            suffixes.push(suf);
            a += pre;
            b -= suf;
        } else if pre != 0 {
            prefixes.push(pre);
            a += pre;
        } else if suf != 0 {
            suffixes.push(suf);
            b -= suf;
        }
    }
    (prefixes, a, b, suffixes)
}

/// `Tokenizer._attach_tokens` for what is left between the affixes.
fn attach(s: &[char], out: &mut Vec<(usize, &'static str)>) {
    if s.is_empty() {
        return;
    }
    if let Some(parts) = special(s) {
        out.extend(parts);
        return;
    }
    if url_match(s) {
        out.push((s.len(), ""));
        return;
    }
    let matches = find_infixes(s);
    if matches.is_empty() {
        out.push((s.len(), ""));
        return;
    }
    let mut start = 0;
    for (infix_start, infix_end) in matches {
        if infix_start == 0 {
            continue;
        }
        if infix_start != start {
            out.push((infix_start - start, ""));
        }
        if infix_start != infix_end {
            out.push((infix_end - infix_start, ""));
        }
        start = infix_end;
    }
    if start < s.len() {
        out.push((s.len() - start, ""));
    }
}

/// The affix literals as characters, built once: rule lists in order for prefixes (where the
/// first match wins), sorted sets for suffixes (where any match will do).
struct Literals {
    /// The first characters of prefix literals, sorted: others start no literal.
    prefix_first: Vec<char>,
    /// `LIST_PUNCT`, then `LIST_QUOTES` and `LIST_CURRENCY`, in rule order.
    punct: Vec<Vec<char>>,
    quotes_currency: Vec<Vec<char>>,
    /// Suffixes matched anywhere, and those matched after a digit (currencies, units).
    suffixes: Vec<Vec<char>>,
    after_digit: Vec<Vec<char>>,
}

fn literals() -> &'static Literals {
    static LITERALS: OnceLock<Literals> = OnceLock::new();
    LITERALS.get_or_init(|| {
        let chars = |list: &[&str]| -> Vec<Vec<char>> {
            list.iter().map(|l| l.chars().collect()).collect()
        };
        let sorted = |mut v: Vec<Vec<char>>| {
            sort::sort_dedup(&mut v);
            v
        };
        let punct = chars(t::PUNCT);
        let quotes_currency: Vec<Vec<char>> = chars(t::QUOTE_LIST)
            .into_iter()
            .chain(chars(t::CURRENCY))
            .collect();
        let mut prefix_first: Vec<char> = punct
            .iter()
            .chain(&quotes_currency)
            .filter_map(|l| l.first().copied())
            .collect();
        sort::sort_dedup(&mut prefix_first);
        let suffixes = sorted(
            punct
                .iter()
                .cloned()
                .chain(chars(t::QUOTE_LIST))
                .chain(chars(&["…", "'s", "'S", "’s", "’S", "—", "–"]))
                .collect(),
        );
        let after_digit = sorted(
            chars(t::CURRENCY)
                .into_iter()
                .chain(chars(t::UNITS))
                .chain(chars(&["+"]))
                .collect(),
        );
        Literals {
            prefix_first,
            punct,
            quotes_currency,
            suffixes,
            after_digit,
        }
    })
}

/// The length of the prefix to split off: the first prefix rule that matches at the start.
fn find_prefix(s: &[char]) -> usize {
    let Some(&c) = s.first() else {
        return 0;
    };
    if matches!(c, '§' | '%' | '=' | '—' | '–') {
        return 1;
    }
    if c == '+' && !s.get(1).is_some_and(|&d| is_digit(d)) {
        return 1;
    }
    let lits = literals();
    let literal = lits.prefix_first.binary_search(&c).is_ok();
    if literal {
        if let Some(p) = lits.punct.iter().find(|p| s.starts_with(p)) {
            return p.len();
        }
    }
    if c == '.' && s.get(1) == Some(&'.') {
        return s.iter().take_while(|&&d| d == '.').count();
    }
    if c == '…' {
        return 1;
    }
    if literal {
        if let Some(p) = lits.quotes_currency.iter().find(|p| s.starts_with(p)) {
            return p.len();
        }
    }
    usize::from(is_icon(c))
}

/// The length of the suffix to split off: the longest tail that some suffix rule matches.
fn find_suffix(s: &[char]) -> usize {
    // Only a run of dots is longer than the longest literal suffix: start where either could.
    let n = s.len();
    let dots = s.iter().rev().take_while(|&&c| c == '.').count();
    let mut first = n.saturating_sub(t::SUFFIX_MAX_CHARS);
    if dots >= 2 {
        first = first.min(n - dots);
    }
    (first..n).find(|&p| suffix_at(s, p)).map_or(0, |p| n - p)
}

/// Whether some suffix rule matches exactly `s[p..]` (with its look-behind into `s[..p]`).
fn suffix_at(s: &[char], p: usize) -> bool {
    let tail = &s[p..];
    let before = |k: usize| (p >= k).then(|| s[p - k]);
    let lits = literals();
    let is_in = |set: &[Vec<char>]| set.binary_search_by(|l| l.as_slice().cmp(tail)).is_ok();
    is_in(&lits.suffixes)
        || (tail.len() >= 2 && tail.iter().all(|&c| c == '.'))
        || (tail.len() == 1 && is_icon(tail[0]))
        // `(?<=[0-9])\+`, currencies and units after a digit.
        || (before(1).is_some_and(is_digit) && is_in(&lits.after_digit))
        || (tail == ['.']
            && ((before(2) == Some('°') && before(1).is_some_and(|c| "FfCcKk".contains(c)))
                || before(1).is_some_and(|c| in_table(t::SUFFIX_DOT_AFTER, c))
                || (before(2).is_some_and(is_upper) && before(1).is_some_and(is_upper))))
}

/// The infixes, as `re.finditer` finds them: left to right, not overlapping.
fn find_infixes(s: &[char]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut pos = 0;
    while pos < s.len() {
        match infix_at(s, pos) {
            Some(end) => {
                found.push((pos, end));
                pos = end;
            }
            None => pos += 1,
        }
    }
    found
}

/// The end of the first infix rule that matches at `pos`.
fn infix_at(s: &[char], pos: usize) -> Option<usize> {
    let c = s[pos];
    let prev = pos.checked_sub(1).map(|i| s[i]);
    let next = s.get(pos + 1).copied();
    if c == '.' && next == Some('.') {
        return Some(pos + s[pos..].iter().take_while(|&&d| d == '.').count());
    }
    if c == '…' || is_icon(c) {
        return Some(pos + 1);
    }
    if prev.is_some_and(is_digit)
        && matches!(c, '+' | '-' | '*' | '^')
        && next.is_some_and(|d| is_digit(d) || d == '-')
    {
        return Some(pos + 1);
    }
    if c == '.'
        && prev.is_some_and(|p| is_lower(p) || is_quote(p))
        && next.is_some_and(|d| is_upper(d) || is_quote(d))
    {
        return Some(pos + 1);
    }
    if c == ',' && prev.is_some_and(is_alpha) && next.is_some_and(is_alpha) {
        return Some(pos + 1);
    }
    if prev.is_some_and(|p| is_alpha(p) || is_digit(p)) {
        for h in t::HYPHENS {
            let len = char_len(h);
            if starts_with(&s[pos..], h) && s.get(pos + len).is_some_and(|&d| is_alpha(d)) {
                return Some(pos + len);
            }
        }
        if matches!(c, ':' | '<' | '>' | '=' | '/') && next.is_some_and(is_alpha) {
            return Some(pos + 1);
        }
    }
    None
}

// ---- URLs: spaCy's URL_PATTERN (spacy/lang/tokenizer_exceptions.py) as a whole-string match ----

/// One element of a sequence: a character class repeated `min..=max` times.
struct Rep(fn(char) -> bool, usize, usize);

/// Every end position of the sequence `items` matched from `pos`.
fn seq_ends(s: &[char], pos: usize, items: &[Rep]) -> Vec<usize> {
    let mut at = vec![pos];
    for Rep(class, min, max) in items {
        let mut next = Vec::new();
        for &p in &at {
            let run = s[p.min(s.len())..]
                .iter()
                .take(*max)
                .take_while(|&&c| class(c))
                .count();
            for k in *min..=run {
                if !next.contains(&(p + k)) {
                    next.push(p + k);
                }
            }
        }
        at = next;
    }
    at
}

/// Every end of one of the alternatives, each a sequence, matched from each of `starts`.
fn alt_ends(s: &[char], starts: &[usize], alts: &[&[Rep]]) -> Vec<usize> {
    let mut out = Vec::new();
    for &p in starts {
        for alt in alts {
            for e in seq_ends(s, p, alt) {
                if !out.contains(&e) {
                    out.push(e);
                }
            }
        }
    }
    out
}

fn py_digit(c: char) -> bool {
    in_table(t::DIGIT, c)
}

fn dot(c: char) -> bool {
    c == '.'
}

fn d1_9(c: char) -> bool {
    matches!(c, '1'..='9')
}

fn d1(c: char) -> bool {
    c == '1'
}

fn d2(c: char) -> bool {
    c == '2'
}

fn d5(c: char) -> bool {
    c == '5'
}

fn d01(c: char) -> bool {
    matches!(c, '0' | '1')
}

fn d0_3(c: char) -> bool {
    matches!(c, '0'..='3')
}

fn d0_4(c: char) -> bool {
    matches!(c, '0'..='4')
}

fn d0_5(c: char) -> bool {
    matches!(c, '0'..='5')
}

fn d6_9(c: char) -> bool {
    matches!(c, '6'..='9')
}

/// `(?:\.\d{1,3}){n}` matches at `pos` (a prefix of the rest, as in a look-ahead).
fn dotted_numbers(s: &[char], pos: usize, n: usize) -> bool {
    let mut at = vec![pos];
    for _ in 0..n {
        at = alt_ends(s, &at, &[&[Rep(dot, 1, 1), Rep(py_digit, 1, 3)]]);
    }
    !at.is_empty()
}

/// The ends of the IP-address alternative of the host, from `pos`.
fn ip_ends(s: &[char], pos: usize) -> Vec<usize> {
    let rest = &s[pos..];
    // The negative look-aheads: private and local networks are not URLs.
    for (lead, groups) in [("10", 3), ("127", 3), ("169.254", 2), ("192.168", 2)] {
        if starts_with(rest, lead) && dotted_numbers(s, pos + char_len(lead), groups) {
            return Vec::new();
        }
    }
    if starts_with(rest, "172.") {
        let second = alt_ends(
            s,
            &[pos + 4],
            &[
                &[Rep(d1, 1, 1), Rep(d6_9, 1, 1)],
                &[Rep(d2, 1, 1), Rep(py_digit, 1, 1)],
                &[Rep(|c| c == '3', 1, 1), Rep(d01, 1, 1)],
            ],
        );
        if second.iter().any(|&e| dotted_numbers(s, e, 2)) {
            return Vec::new();
        }
    }
    let first = alt_ends(
        s,
        &[pos],
        &[
            &[Rep(d1_9, 1, 1), Rep(py_digit, 0, 1)],
            &[Rep(d1, 1, 1), Rep(py_digit, 2, 2)],
            &[Rep(d2, 1, 1), Rep(d01, 1, 1), Rep(py_digit, 1, 1)],
            &[Rep(d2, 1, 1), Rep(d2, 1, 1), Rep(d0_3, 1, 1)],
        ],
    );
    let middle: [&[Rep]; 3] = [
        &[Rep(dot, 1, 1), Rep(d1, 0, 1), Rep(py_digit, 1, 2)],
        &[
            Rep(dot, 1, 1),
            Rep(d2, 1, 1),
            Rep(d0_4, 1, 1),
            Rep(py_digit, 1, 1),
        ],
        &[
            Rep(dot, 1, 1),
            Rep(d2, 1, 1),
            Rep(d5, 1, 1),
            Rep(d0_5, 1, 1),
        ],
    ];
    let second = alt_ends(s, &first, &middle);
    let third = alt_ends(s, &second, &middle);
    alt_ends(
        s,
        &third,
        &[
            &[Rep(dot, 1, 1), Rep(d1_9, 1, 1), Rep(py_digit, 0, 1)],
            &[Rep(dot, 1, 1), Rep(d1, 1, 1), Rep(py_digit, 2, 2)],
            &[
                Rep(dot, 1, 1),
                Rep(d2, 1, 1),
                Rep(d0_4, 1, 1),
                Rep(py_digit, 1, 1),
            ],
            &[
                Rep(dot, 1, 1),
                Rep(d2, 1, 1),
                Rep(d5, 1, 1),
                Rep(d0_4, 1, 1),
            ],
        ],
    )
}

fn host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ('\u{a1}'..='\u{ffff}').contains(&c)
}

fn host_inner(c: char) -> bool {
    host_char(c) || c == '_' || c == '-'
}

/// Whether the whole of `s` (a run without whitespace) is a URL, as spaCy's `url_match`.
fn url_match(s: &[char]) -> bool {
    if !s.contains(&'.') {
        return false; // both host forms need a dot
    }
    let n = s.len();
    // (?:[\w\+\-\.]{2,}://)?
    let mut starts = vec![0];
    let scheme = s
        .iter()
        .take_while(|&&c| in_table(t::WORD, c) || matches!(c, '+' | '-' | '.'))
        .count();
    if scheme >= 2 && starts_with(&s[scheme..], "://") {
        starts.push(scheme + 3);
    }
    // Where the first whitespace at or after each position is, and whether any follows: asked
    // at every "@" and every end below, which must not rescan the run each time (a run of
    // megabytes full of "@" would be quadratic).
    let space_from = |a: usize| {
        s[a..]
            .iter()
            .position(|&c| is_space(c))
            .map_or(n, |p| a + p)
    };
    let last_space = s.iter().rposition(|&c| is_space(c));
    // (?:\S+(?::\S*)?@)?: in a run without whitespace, one or more characters and an "@".
    let mut hosts = starts.clone();
    let mut is_host = vec![false; n + 2];
    for &h in &hosts {
        is_host[h] = true;
    }
    for &a in &starts {
        let stop = space_from(a);
        for b in a + 1..n {
            if s[b] == '@' && b <= stop && !is_host[b + 1] {
                is_host[b + 1] = true;
                hosts.push(b + 1);
            }
        }
    }
    // (?::\d{2,5})? (?:[/?#]\S*)? $, from an end of the host: tried as each end is found.
    let fits = |e: usize| {
        let mut tails = vec![e];
        if s.get(e) == Some(&':') {
            let run = s[e + 1..]
                .iter()
                .take(5)
                .take_while(|&&c| py_digit(c))
                .count();
            tails.extend((2..=run).map(|k| e + 1 + k));
        }
        tails.into_iter().any(|p| {
            p == n
                || (matches!(s.get(p), Some('/' | '?' | '#')) && last_space.is_none_or(|l| l <= p))
        })
    };
    for &h in &hosts {
        if ip_ends(s, h).into_iter().any(fits) {
            return true;
        }
    }
    // (?:(?:H H'{0,62})? H \.)+ then [ALPHA_LOWER]{2,63}, as a set of reachable positions.
    let mut reached = vec![false; n + 1];
    let mut from = vec![false; n + 1];
    for &h in &hosts {
        from[h] = true;
    }
    for i in 0..=n {
        if !(from[i] || reached[i]) || i >= n || !host_char(s[i]) {
            continue;
        }
        if s.get(i + 1) == Some(&'.') {
            reached[i + 2] = true;
        }
        for k in 0..=62 {
            let last = i + 1 + k;
            if last >= n {
                break;
            }
            if k > 0 && !host_inner(s[last - 1]) {
                break;
            }
            if host_char(s[last]) && s.get(last + 1) == Some(&'.') {
                reached[last + 2] = true;
            }
        }
    }
    reached
        .iter()
        .enumerate()
        .filter(|(_, &on)| on)
        .any(|(r, _)| {
            let run = s[r..].iter().take(63).take_while(|&&c| is_lower(c)).count();
            (2..=run).any(|k| fits(r + k))
        })
}

// ---- the final pass: exceptions that the affix rules split ----

/// `Tokenizer._apply_special_cases`: token sequences that spell an exception the affix rules
/// would split (`:` `)`) become that exception (`:)`), when nothing separates them.
fn apply_matched_rules(chars: &[char], tokens: &mut Vec<Piece>) {
    let text = |(tok, _): &Piece| &chars[tok.start..tok.end];
    let mut by_first: Vec<(&str, &[&str])> = t::MATCHED_RULES
        .iter()
        .map(|(_, pattern)| (pattern[0], *pattern))
        .collect();
    sort::sort_by(&mut by_first, Ord::cmp);
    // Every occurrence of every pattern, as (start, end) token ranges, as the PhraseMatcher
    // finds them.
    let mut found: Vec<(usize, usize)> = Vec::new();
    for (i, tok) in tokens.iter().enumerate() {
        let first = text(tok);
        let from = by_first.partition_point(|(f, _)| compare(f, first).is_lt());
        for (_, pattern) in by_first[from..]
            .iter()
            .take_while(|(f, _)| compare(f, first).is_eq())
        {
            if i + pattern.len() <= tokens.len()
                && pattern
                    .iter()
                    .zip(&tokens[i..])
                    .all(|(p, t)| compare(p, text(t)).is_eq())
            {
                found.push((i, i + pattern.len()));
            }
        }
    }
    if found.is_empty() {
        return;
    }
    // `_filter_special_spans`: longest first, then leftmost; a match is kept unless its first
    // or last token is already taken.
    sort::sort_by(&mut found, |a, b| {
        (b.1 - b.0).cmp(&(a.1 - a.0)).then(a.0.cmp(&b.0))
    });
    let mut seen = vec![false; tokens.len()];
    let mut kept: Vec<(usize, usize)> = Vec::new();
    for (s, e) in found {
        if !seen[s] && !seen[e - 1] {
            kept.push((s, e));
        }
        for flag in &mut seen[s..e] {
            *flag = true;
        }
    }
    sort::sort_by(&mut kept, Ord::cmp);
    let mut out: Vec<Piece> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    let mut next = kept.into_iter().peekable();
    while i < tokens.len() {
        match next.peek() {
            Some(&(s, e)) if s == i => {
                next.next();
                let (from, to) = (tokens[s].0.start, tokens[e - 1].0.end);
                match special(&chars[from..to]) {
                    Some(parts) => {
                        let mut at = from;
                        for (len, norm) in parts {
                            let token = Token {
                                start: at,
                                end: at + len,
                                ws: false,
                            };
                            out.push((token, norm));
                            at += len;
                        }
                        if let Some((last, _)) = out.last_mut() {
                            last.ws = tokens[e - 1].0.ws;
                        }
                    }
                    None => out.extend_from_slice(&tokens[s..e]),
                }
                i = e;
            }
            _ => {
                out.push(tokens[i]);
                i += 1;
            }
        }
    }
    *tokens = out;
}
