//! CSV import and the in-memory dataset.
//!
//! [`import`] reads CSV bytes (UTF-8, with or without a byte-order mark, LF or CRLF line ends)
//! under a [`Spec`] and returns either a [`Dataset`] or a [`Report`] of every problem by line.
//! It is all or nothing: one problem and no dataset is returned.
//!
//! # Memory layout
//!
//! A dataset of a million exam rows has to fit in a few hundred megabytes, so nothing is kept per
//! row as a Rust `String` or map. Everything lives in a handful of contiguous vectors:
//!
//! - the answers: each row's shown values as a ready-to-write JSON array, one byte arena with a
//!   `u32` end offset per row;
//! - the keys: the trimmed NFC key of each row in a byte arena, plus an index sorted by a 64-bit
//!   hash of the key, searched by binary search; equal hashes are told apart by comparing keys;
//! - the verification values: per verification column, the [`normalise_verify`] form of each
//!   row's value in a byte arena;
//! - for name search: the sorted folded tokens, one `u32` posting list of row ids per token in a
//!   single vector, the folded search text of each row (for ranking) and the folded value of
//!   each filter column.
//!
//! # Answer shape
//!
//! Labels are the same for every row, so they are stored once and not repeated in each answer.
//! [`Dataset::get`] returns the row's values as a JSON array, in the order of
//! [`Dataset::labels_json`]; an empty cell is `null`:
//!
//! ```json
//! ["36000001","Lê Bảo Diệp","22/11/2006","Nữ","Sở GDĐT Kon Tum","8.00",null]
//! ```
//!
//! The server writes the answer as `{"labels":<labels_json>,"values":<answer>}`, which
//! [`Dataset::answer_json`] builds for convenience. Search hits are arrays in the order of
//! [`Dataset::search_labels_json`]: the shown columns when the dataset has no verification
//! columns, otherwise only the key, search and filter columns, so that a search never reveals
//! what the second factor protects.

use std::borrow::Cow;
use std::hash::Hasher;

use ketnoi_text::{fold, nfc, search_terms};
use serde::{Deserialize, Serialize};

mod build;

/// The largest CSV input [`import`] accepts, in bytes.
pub const MAX_INPUT_BYTES: usize = 512 * 1024 * 1024;

/// The most problems a [`Report`] lists; the rest are only counted.
pub const MAX_PROBLEMS: usize = 100;

/// The most hits [`Dataset::search`] returns, whatever limit is asked for.
pub const MAX_HITS: usize = 50;

/// What a dataset is made of: which column is the key, which columns a citizen must also supply,
/// which columns are shown and under which labels, and which columns name search runs over.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spec {
    /// The column looked up exactly, such as the candidate number.
    pub key: String,
    /// Columns that must be supplied and match (after [`normalise_verify`]) for a lookup to
    /// answer, such as the birth date.
    pub verify: Vec<String>,
    /// The shown columns with their Vietnamese labels, in order. Empty shows every column, with
    /// its header as the label.
    pub show: Vec<(String, String)>,
    /// Columns searched by words, with or without diacritics, such as the name.
    pub search: Vec<String>,
    /// Columns a search may be narrowed by, with exact folded equality, such as the birth year.
    pub filters: Vec<String>,
}

impl Spec {
    /// Checks that every column the spec names is among `headers` (compared after trimming and
    /// NFC). Returns the missing column names, each once, in the order the spec names them.
    pub fn check<S: AsRef<str>>(&self, headers: &[S]) -> Result<(), Vec<String>> {
        let have: Vec<String> = headers.iter().map(|h| nfc(h.as_ref().trim())).collect();
        let mut missing: Vec<String> = Vec::new();
        for column in self.columns() {
            let column = nfc(column.trim());
            if !have.contains(&column) && !missing.contains(&column) {
                missing.push(column);
            }
        }
        if missing.is_empty() { Ok(()) } else { Err(missing) }
    }

    /// Every column the spec names, key first, possibly more than once.
    fn columns(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.key.as_str())
            .chain(self.verify.iter().map(String::as_str))
            .chain(self.show.iter().map(|(column, _)| column.as_str()))
            .chain(self.search.iter().map(String::as_str))
            .chain(self.filters.iter().map(String::as_str))
    }
}

/// What is wrong with one line of the CSV. [`ProblemKind::as_str`] is stable, for translation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The input is larger than the import accepts; nothing was parsed.
    TooLarge,
    /// The input has no header line.
    Empty,
    /// The CSV could not be read at all past this line.
    Malformed,
    /// A field is not valid UTF-8.
    InvalidUtf8,
    /// The row has a different number of fields from the header.
    Ragged,
    /// A column the spec names is not in the header.
    MissingColumn,
    /// Two header columns have the same name.
    DuplicateColumn,
    /// The key field is empty.
    EmptyKey,
    /// The key was already used on an earlier line.
    DuplicateKey,
    /// The dataset would not fit the compact layout (more than 4 GiB of answers).
    Overflow,
}

impl ProblemKind {
    /// A stable identifier, used as the translation key.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TooLarge => "too_large",
            Self::Empty => "empty",
            Self::Malformed => "malformed",
            Self::InvalidUtf8 => "invalid_utf8",
            Self::Ragged => "ragged",
            Self::MissingColumn => "missing_column",
            Self::DuplicateColumn => "duplicate_column",
            Self::EmptyKey => "empty_key",
            Self::DuplicateKey => "duplicate_key",
            Self::Overflow => "overflow",
        }
    }
}

/// One problem found by [`import`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The 1-based line in the CSV (the header is line 1); 0 for the input as a whole.
    pub line: usize,
    /// What is wrong.
    pub kind: ProblemKind,
    /// The specifics to show beside the translated kind: a column name, field counts, or the
    /// line of the first use of a duplicate key.
    pub detail: String,
}

/// Why [`import`] returned no dataset: the problems by line, at most [`MAX_PROBLEMS`] of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("the CSV has {} problem(s)", .problems.len() + .omitted)]
pub struct Report {
    /// The first problems, ordered by line.
    pub problems: Vec<Problem>,
    /// How many more problems were found but not listed.
    pub omitted: usize,
    /// How many data rows (lines after the header) were read.
    pub rows: usize,
}

/// Reads a dataset from CSV bytes under `spec`; see the [module docs](self).
///
/// The first line is the header. Field values are trimmed and stored in NFC. Inputs larger than
/// [`MAX_INPUT_BYTES`] are refused without being parsed.
pub fn import(bytes: &[u8], spec: &Spec) -> Result<Dataset, Report> {
    import_with_limit(bytes, spec, MAX_INPUT_BYTES)
}

/// [`import`] with a different input size limit.
pub fn import_with_limit(bytes: &[u8], spec: &Spec, max_bytes: usize) -> Result<Dataset, Report> {
    if bytes.len() > max_bytes {
        return Err(Report {
            problems: vec![Problem {
                line: 0,
                kind: ProblemKind::TooLarge,
                detail: format!("{} bytes, at most {max_bytes}", bytes.len()),
            }],
            omitted: 0,
            rows: 0,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
    build::Builder::run(bytes, spec)
}

/// A growable list of byte strings stored end to end, with a `u32` end offset per item.
#[derive(Debug, Default)]
struct Arena {
    bytes: Vec<u8>,
    ends: Vec<u32>,
}

/// The arena grew past `u32` offsets.
#[derive(Debug)]
struct Overflow;

impl Arena {
    fn push(&mut self, item: &[u8]) -> Result<(), Overflow> {
        self.bytes.extend_from_slice(item);
        self.seal()
    }

    /// Ends the item written directly into `bytes` since the last end.
    fn seal(&mut self) -> Result<(), Overflow> {
        let end = u32::try_from(self.bytes.len()).map_err(|_| Overflow)?;
        self.ends.push(end);
        Ok(())
    }

    fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends.get(i - 1).copied().unwrap_or(0) as usize };
        let end = self.ends.get(i).copied().map_or(start, |e| e as usize);
        self.bytes.get(start..end).unwrap_or_default()
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn shrink(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 4
    }
}

/// The name-search part of a dataset.
#[derive(Debug)]
struct SearchIndex {
    /// JSON array of the labels of the search answers.
    labels: Vec<u8>,
    /// Per row, the search answer when it differs from the shown answer.
    answers: Option<Arena>,
    /// Per row, the folded search text, tokens separated by one space.
    texts: Arena,
    /// Per filter column (in spec order), the folded value of each row.
    filters: Vec<Arena>,
    /// The distinct folded tokens, sorted.
    tokens: Arena,
    /// The row ids of every token, end to end; each token's list is sorted.
    postings: Vec<u32>,
    /// End offset into `postings` per token.
    posting_ends: Vec<u32>,
}

impl SearchIndex {
    fn postings(&self, token: usize) -> &[u32] {
        let start =
            if token == 0 { 0 } else { self.posting_ends.get(token - 1).copied().unwrap_or(0) };
        let end = self.posting_ends.get(token).copied().unwrap_or(start);
        self.postings.get(start as usize..end as usize).unwrap_or_default()
    }

    /// The index of the first token not less than `word`.
    fn lower_bound(&self, word: &[u8]) -> usize {
        let (mut lo, mut hi) = (0, self.tokens.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.tokens.get(mid) < word {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Rows having `word` as a token (or, with `prefix`, a token starting with it); sorted.
    /// The tokens that start with `word`, as a range of token numbers.
    fn prefix_tokens(&self, word: &str) -> std::ops::Range<usize> {
        let word = word.as_bytes();
        let first = self.lower_bound(word);
        let mut last = first;
        while last < self.tokens.len() && self.tokens.get(last).starts_with(word) {
            last += 1;
        }
        first..last
    }

    fn rows_for(&self, word: &str, prefix: bool) -> Cow<'_, [u32]> {
        let word = word.as_bytes();
        let first = self.lower_bound(word);
        let exact = self.tokens.get(first) == word && first < self.tokens.len();
        if !prefix {
            return if exact { Cow::Borrowed(self.postings(first)) } else { Cow::Borrowed(&[]) };
        }
        let mut last = first;
        while last < self.tokens.len() && self.tokens.get(last).starts_with(word) {
            last += 1;
        }
        match last - first {
            0 => Cow::Borrowed(&[]),
            1 => Cow::Borrowed(self.postings(first)),
            _ => {
                let mut rows: Vec<u32> =
                    (first..last).flat_map(|t| self.postings(t)).copied().collect();
                rows.sort_unstable();
                rows.dedup();
                Cow::Owned(rows)
            }
        }
    }

    fn heap_bytes(&self) -> usize {
        self.labels.capacity()
            + self.answers.as_ref().map_or(0, Arena::heap_bytes)
            + self.texts.heap_bytes()
            + self.filters.iter().map(Arena::heap_bytes).sum::<usize>()
            + self.tokens.heap_bytes()
            + self.postings.capacity() * 4
            + self.posting_ends.capacity() * 4
    }
}

/// An imported dataset: immutable, shareable between threads, compact in memory.
#[derive(Debug)]
pub struct Dataset {
    spec: Spec,
    /// JSON array of the shown labels.
    labels: Vec<u8>,
    /// Per row, the shown values as a JSON array.
    answers: Arena,
    /// Per row, the trimmed NFC key.
    keys: Arena,
    /// Hashes of the keys, sorted; `key_rows` holds the row of each.
    key_hashes: Vec<u64>,
    key_rows: Vec<u32>,
    /// Per verification column (in spec order), the normalised value of each row.
    verify: Vec<Arena>,
    search: Option<SearchIndex>,
}

impl Dataset {
    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.answers.len()
    }

    /// The spec the dataset was imported under.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// The heap memory the dataset holds, in bytes (approximate: allocator overhead excluded).
    pub fn approx_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.labels.capacity()
            + self.answers.heap_bytes()
            + self.keys.heap_bytes()
            + self.key_hashes.capacity() * 8
            + self.key_rows.capacity() * 4
            + self.verify.iter().map(Arena::heap_bytes).sum::<usize>()
            + self.search.as_ref().map_or(0, SearchIndex::heap_bytes)
    }

    /// The labels of the shown columns as a JSON array of strings, in answer order.
    pub fn labels_json(&self) -> &[u8] {
        &self.labels
    }

    /// The labels of the columns in a search hit as a JSON array of strings, in hit order.
    pub fn search_labels_json(&self) -> &[u8] {
        self.search.as_ref().map_or(&self.labels, |s| &s.labels)
    }

    /// The answer object `{"labels":[…],"values":[…]}` for values returned by [`Dataset::get`].
    pub fn answer_json(&self, values: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.labels.len() + values.len() + 24);
        out.extend_from_slice(b"{\"labels\":");
        out.extend_from_slice(&self.labels);
        out.extend_from_slice(b",\"values\":");
        out.extend_from_slice(values);
        out.push(b'}');
        out
    }

    /// The row with this key, as a JSON array of the shown values, if every verification column
    /// is supplied in `verify` (as `(column, value)`) and matches after [`normalise_verify`].
    ///
    /// An unknown key, a missing verification value and a wrong one all give `None` after the
    /// same work: when the key is absent, the supplied values are compared against another row's
    /// values, and comparisons take time that depends only on the lengths. Extra pairs in
    /// `verify` are ignored.
    pub fn get(&self, key: &str, verify: &[(&str, &str)]) -> Option<&[u8]> {
        if self.rows() == 0 {
            return None;
        }
        let found = self.find(&nfc(key.trim()));
        let row = found.unwrap_or(0);
        let mut ok = u8::from(found.is_some());
        for (column, stored) in self.spec.verify.iter().zip(&self.verify) {
            let supplied = verify.iter().find(|(c, _)| c == column).map(|(_, v)| *v);
            ok &= u8::from(supplied.is_some());
            let supplied = normalise_verify(supplied.unwrap_or_default());
            ok &= constant_time_eq(supplied.as_bytes(), stored.get(row));
        }
        if std::hint::black_box(ok) == 1 { Some(self.answers.get(row)) } else { None }
    }

    /// The row whose key is exactly `key`.
    fn find(&self, key: &str) -> Option<usize> {
        self.find_hashed(key, key_hash(key.as_bytes()))
    }

    /// The row whose key is exactly `key`, given the key's hash.
    fn find_hashed(&self, key: &str, hash: u64) -> Option<usize> {
        let start = self.key_hashes.partition_point(|&h| h < hash);
        self.key_hashes
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&h| h == hash)
            .zip(self.key_rows.get(start..).unwrap_or_default())
            .map(|(_, &row)| row as usize)
            .find(|&row| self.keys.get(row) == key.as_bytes())
    }

    /// Rows whose search columns contain every word of `query` (folded, so diacritics are
    /// optional; the last word may be the start of a word) and whose filter columns equal the
    /// given values after folding. At most `limit` hits, never more than [`MAX_HITS`].
    ///
    /// Hits with more exactly matched words come first, then hits where the words appear in the
    /// query's order, then by row order. A filter on a column that is not a filter column gives
    /// no hits. An empty query with filters lists the filtered rows in order; an empty query
    /// without filters gives nothing. Each hit is a JSON array in the order of
    /// [`Dataset::search_labels_json`].
    pub fn search(&self, query: &str, filters: &[(&str, &str)], limit: usize) -> Vec<&[u8]> {
        let limit = limit.min(MAX_HITS);
        let Some(index) = self.search.as_ref() else { return Vec::new() };
        let mut wanted: Vec<(&Arena, String)> = Vec::with_capacity(filters.len());
        for (column, value) in filters {
            let Some(i) = self.spec.filters.iter().position(|c| c == column) else {
                return Vec::new();
            };
            let Some(arena) = index.filters.get(i) else { return Vec::new() };
            wanted.push((arena, fold(value)));
        }
        let passes = |row: usize| wanted.iter().all(|(arena, v)| arena.get(row) == v.as_bytes());
        // NFC first: `search_terms` turns a decomposed mark into a word break.
        let words = search_terms(&nfc(query));
        if limit == 0 || (words.is_empty() && wanted.is_empty()) {
            return Vec::new();
        }
        let answers = index.answers.as_ref().unwrap_or(&self.answers);
        if words.is_empty() {
            return (0..self.rows())
                .filter(|&r| passes(r))
                .take(limit)
                .map(|r| answers.get(r))
                .collect();
        }

        let last = words.len() - 1;
        let mut lists: Vec<Cow<'_, [u32]>> =
            words[..last].iter().map(|w| index.rows_for(w, false)).collect();
        // The unfinished last word: merging the lists of every word it starts ("an" starts
        // "anh", among the commonest names) costs more than checking the few rows the other
        // words leave, so it is merged only when that is the cheaper way.
        let prefixed = index.prefix_tokens(&words[last]);
        let prefixed_rows: usize = prefixed.clone().map(|t| index.postings(t).len()).sum();
        let fewest = lists.iter().map(|l| l.len()).min();
        let check_last = match fewest {
            Some(fewest) if prefixed.len() > 1 && prefixed_rows > fewest.saturating_mul(4) => true,
            _ => {
                lists.push(index.rows_for(&words[last], true));
                false
            }
        };
        lists.sort_by_key(|l| l.len());
        let Some((shortest, others)) = lists.split_first() else { return Vec::new() };
        let last_word = words[last].as_bytes();
        // Rows are visited in order, each checked against the other lists by galloping
        // cursors, and scored. Ties rank by row order, so once `limit` rows have the best score
        // a query can get, no later row can displace them and the walk stops: a common name
        // ("nguyen van") costs as much as a rare one.
        let best = 2 * words.len() as u32 + 1;
        let mut cursors = vec![0usize; others.len()];
        let mut at_best = 0usize;
        let mut scored: Vec<(std::cmp::Reverse<u32>, u32)> = Vec::new();
        for &r in shortest.iter() {
            let in_all = others.iter().zip(cursors.iter_mut()).all(|(l, c)| gallop(l, c, r));
            if !in_all || !passes(r as usize) {
                continue;
            }
            let text = index.texts.get(r as usize);
            if check_last && !text.split(|&b| b == b' ').any(|t| t.starts_with(last_word)) {
                continue;
            }
            let s = score(&words, text);
            scored.push((std::cmp::Reverse(s), r));
            at_best += usize::from(s == best);
            if at_best >= limit {
                break;
            }
        }
        if scored.len() > limit {
            scored.select_nth_unstable(limit);
            scored.truncate(limit);
        }
        scored.sort_unstable();
        scored.into_iter().map(|(_, r)| answers.get(r as usize)).collect()
    }
}

/// Whether `r` is in `list` (ascending), searching from `*base` and leaving `*base` at the
/// first entry not below `r`: called with ascending `r`, each call gallops forward from where
/// the last one stopped, so a short list walked against a long one costs a few steps a row
/// rather than a binary search over the whole long list.
fn gallop(list: &[u32], base: &mut usize, r: u32) -> bool {
    let rest = list.get(*base..).unwrap_or_default();
    let mut bound = 1usize;
    while bound <= rest.len() && rest[bound - 1] < r {
        bound = bound.saturating_mul(2);
    }
    let start = bound / 2;
    let end = bound.min(rest.len());
    *base += start + rest.get(start..end).unwrap_or_default().partition_point(|&x| x < r);
    list.get(*base) == Some(&r)
}

/// Keeps the rows of `rows` (ascending) that are also in `list` (ascending).
#[cfg(test)]
fn intersect(rows: &mut Vec<u32>, list: &[u32]) {
    let mut base = 0usize;
    rows.retain(|&r| gallop(list, &mut base, r));
}

/// How well the folded `text` matches the query `words`: twice the number of words matched
/// exactly, plus one when the words appear in order.
fn score(words: &[String], text: &[u8]) -> u32 {
    let tokens = || text.split(|&b| b == b' ');
    let last = words.len().saturating_sub(1);
    let matches = |i: usize, t: &[u8]| {
        let w = words.get(i).map_or(&b""[..], |w| w.as_bytes());
        t == w || (i == last && t.starts_with(w))
    };
    let exact = words.iter().filter(|w| tokens().any(|t| t == w.as_bytes())).count() as u32;
    let mut next = 0;
    for t in tokens() {
        if next < words.len() && matches(next, t) {
            next += 1;
        }
    }
    exact * 2 + u32::from(next == words.len())
}

/// 1 when `a == b`, else 0, in time that depends only on the lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> u8 {
    let mut diff = u8::from(a.len() != b.len());
    for i in 0..a.len().max(b.len()) {
        diff |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0);
    }
    u8::from(std::hint::black_box(diff) == 0)
}

fn key_hash(key: &[u8]) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    hasher.write(key);
    hasher.finish()
}

/// The form verification values are compared in: trimmed, spaces collapsed, lowercase, without
/// diacritics ([`fold`]), and dates written `dd/mm/yyyy`, `d/m/yyyy`, `dd-mm-yyyy`,
/// `dd.mm.yyyy`, `yyyy-mm-dd` or `ddmmyyyy` turned into `yyyy-mm-dd`. Text that looks like a date
/// but is not a real one stays as folded text.
pub fn normalise_verify(value: &str) -> String {
    let folded = fold(value);
    match parse_date(&folded) {
        Some((y, m, d)) => format!("{y:04}-{m:02}-{d:02}"),
        None => folded,
    }
}

/// `(year, month, day)` of a date in one of the forms [`normalise_verify`] knows.
fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let number = |p: &str, lens: std::ops::RangeInclusive<usize>| {
        if lens.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) {
            p.parse::<u32>().ok()
        } else {
            None
        }
    };
    let (y, m, d) = if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        (number(s.get(4..8)?, 4..=4)?, number(s.get(2..4)?, 2..=2)?, number(s.get(0..2)?, 2..=2)?)
    } else {
        let sep = s.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
        let parts: Vec<&str> = s.split(sep).collect();
        let [a, b, c] = parts.as_slice() else { return None };
        if a.len() == 4 && sep == '-' {
            (number(a, 4..=4)?, number(b, 1..=2)?, number(c, 1..=2)?)
        } else {
            (number(c, 4..=4)?, number(b, 1..=2)?, number(a, 1..=2)?)
        }
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (y >= 1 && (1..=days).contains(&d)).then_some((y, m, d))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn galloping_intersection_keeps_exactly_the_common_rows() {
        // Sorted lists of many shapes from a fixed sequence, each checked against a plain
        // membership filter.
        fn next(seed: &mut u64, n: u64) -> u64 {
            *seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (*seed >> 33) % n.max(1)
        }
        fn make(seed: &mut u64, len: u64, spread: u64) -> Vec<u32> {
            let mut v: Vec<u32> = (0..len).map(|_| next(seed, spread) as u32).collect();
            v.sort_unstable();
            v.dedup();
            v
        }
        let mut seed = 7u64;
        for case in 0..500 {
            let (len, spread) = (next(&mut seed, 60), 1 + next(&mut seed, 400));
            let a = make(&mut seed, len, spread);
            let long = if case % 3 == 0 { 2_000 } else { 60 };
            let (len, spread) = (next(&mut seed, long), 1 + next(&mut seed, 400));
            let b = make(&mut seed, len, spread);
            let mut got = a.clone();
            intersect(&mut got, &b);
            let want: Vec<u32> = a.iter().copied().filter(|r| b.contains(r)).collect();
            assert_eq!(got, want, "{a:?} ∩ {b:?}");
        }
        let mut empty = vec![1, 2, 3];
        intersect(&mut empty, &[]);
        assert!(empty.is_empty());
    }

    #[test]
    fn dates_in_every_form_normalise_to_iso() {
        for typed in
            ["22/11/2006", "22/11/2006 ", "22-11-2006", "22.11.2006", "2006-11-22", "22112006"]
        {
            assert_eq!(normalise_verify(typed), "2006-11-22", "{typed}");
        }
        assert_eq!(normalise_verify("9/1/2006"), "2006-01-09");
        assert_eq!(normalise_verify("2006-1-9"), "2006-01-09");
    }

    #[test]
    fn impossible_dates_stay_as_text() {
        assert_eq!(normalise_verify("31/02/2006"), "31/02/2006");
        assert_eq!(normalise_verify("29/02/2006"), "29/02/2006");
        assert_eq!(normalise_verify("29/02/2008"), "2008-02-29");
        assert_eq!(normalise_verify("12345678"), "12345678");
        assert_eq!(normalise_verify("1/2/3/2006"), "1/2/3/2006");
    }

    #[test]
    fn text_is_folded_and_spaces_collapsed() {
        assert_eq!(normalise_verify("  Hà   Giang "), "ha giang");
        assert_eq!(normalise_verify("ĐỨC"), "duc");
    }

    #[test]
    fn constant_time_eq_compares_lengths_and_bytes() {
        assert_eq!(constant_time_eq(b"abc", b"abc"), 1);
        assert_eq!(constant_time_eq(b"abc", b"abd"), 0);
        assert_eq!(constant_time_eq(b"abc", b"ab"), 0);
        assert_eq!(constant_time_eq(b"", b""), 1);
        assert_eq!(constant_time_eq(b"a\0", b"a"), 0);
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut out = Vec::new();
        build::push_json_string(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(String::from_utf8(out).unwrap(), r#""a\"b\\c\nd\u0001é""#);
    }

    #[test]
    fn colliding_hashes_are_told_apart_by_key() {
        // Force every key into one hash bucket and check that lookups still compare keys.
        let spec = Spec { key: "k".into(), ..Spec::default() };
        let mut data = import(b"k,v\na,1\nb,2\nc,3\n", &spec).unwrap();
        data.key_hashes = vec![7, 7, 7];
        assert_eq!(data.find_hashed("b", 7), Some(1));
        assert_eq!(data.find_hashed("c", 7), Some(2));
        assert_eq!(data.find_hashed("a", 7), Some(0));
        assert_eq!(data.find_hashed("d", 7), None);
        assert_eq!(data.find("b"), None, "the real hash is no longer in the index");
    }
}
