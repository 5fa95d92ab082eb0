//! Building a [`Dataset`] from CSV: every line checked against the [`Spec`], values cleaned and
//! written once as JSON into the arena, keys sorted by hash, the search index gathered; or a
//! [`Report`] of every problem by line, and nothing built.

use std::borrow::Cow;
use std::collections::HashMap;

use ketnoi_text::{fold, nfc, search_terms};
use unicode_normalization::{IsNormalized, is_nfc_quick};

use super::*;

/// Appends `s` as a JSON string.
pub(super) fn push_json_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes());
            }
            c => {
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// Appends the values of `columns` of `fields` as a JSON array (empty as `null`) and seals it.
fn push_values(
    arena: &mut Arena,
    fields: &[Cow<'_, str>],
    columns: &[usize],
) -> Result<(), Overflow> {
    arena.bytes.push(b'[');
    for (n, &c) in columns.iter().enumerate() {
        if n > 0 {
            arena.bytes.push(b',');
        }
        match fields.get(c).map(|f| f.as_ref()) {
            Some(v) if !v.is_empty() => push_json_string(&mut arena.bytes, v),
            _ => arena.bytes.extend_from_slice(b"null"),
        }
    }
    arena.bytes.push(b']');
    arena.seal()
}

fn labels_array<'a>(labels: impl Iterator<Item = &'a str>) -> Vec<u8> {
    let mut out = vec![b'['];
    for (n, label) in labels.enumerate() {
        if n > 0 {
            out.push(b',');
        }
        push_json_string(&mut out, &nfc(label));
    }
    out.push(b']');
    out
}

/// The trimmed NFC form of a field, borrowed when it already is.
fn clean(field: &str) -> Cow<'_, str> {
    let field = field.trim();
    if field.is_ascii() || is_nfc_quick(field.chars()) == IsNormalized::Yes {
        Cow::Borrowed(field)
    } else {
        Cow::Owned(nfc(field))
    }
}

/// The columns of the header that the spec uses, by position.
struct Columns {
    key: usize,
    verify: Vec<usize>,
    show: Vec<usize>,
    search: Vec<usize>,
    filters: Vec<usize>,
    /// Key, search and filter columns, each once: what a search hit shows under verification.
    hit: Vec<usize>,
}

/// The state of one import.
pub(super) struct Builder<'s> {
    spec: &'s Spec,
    problems: Vec<Problem>,
    omitted: usize,
    rows: usize,
    answers: Arena,
    keys: Arena,
    lines: Vec<u32>,
    verify: Vec<Arena>,
    texts: Arena,
    filters: Vec<Arena>,
    hit_answers: Arena,
    vocabulary: HashMap<Box<str>, u32>,
    pairs: Vec<(u32, u32)>,
}

impl<'s> Builder<'s> {
    fn problem(&mut self, line: usize, kind: ProblemKind, detail: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem { line, kind, detail });
        } else {
            self.omitted += 1;
        }
    }

    pub(super) fn run(bytes: &[u8], spec: &'s Spec) -> Result<Dataset, Report> {
        let mut b = Builder {
            spec,
            problems: Vec::new(),
            omitted: 0,
            rows: 0,
            answers: Arena::default(),
            keys: Arena::default(),
            lines: Vec::new(),
            verify: spec.verify.iter().map(|_| Arena::default()).collect(),
            texts: Arena::default(),
            filters: spec.filters.iter().map(|_| Arena::default()).collect(),
            hit_answers: Arena::default(),
            vocabulary: HashMap::new(),
            pairs: Vec::new(),
        };
        let mut reader =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
        let mut record = csv::ByteRecord::new();
        let header: Vec<String> = match reader.read_byte_record(&mut record) {
            Ok(true) => record
                .iter()
                .enumerate()
                .map(|(i, f)| match std::str::from_utf8(f) {
                    Ok(f) => nfc(f.trim()),
                    Err(_) => {
                        b.problem(1, ProblemKind::InvalidUtf8, format!("column {}", i + 1));
                        String::new()
                    }
                })
                .collect(),
            Ok(false) => {
                b.problem(1, ProblemKind::Empty, String::new());
                return Err(b.report());
            }
            Err(e) => {
                b.problem(1, ProblemKind::Malformed, e.to_string());
                return Err(b.report());
            }
        };
        for (i, name) in header.iter().enumerate() {
            if !name.is_empty() && header.get(..i).unwrap_or_default().contains(name) {
                b.problem(1, ProblemKind::DuplicateColumn, name.clone());
            }
        }
        if let Err(missing) = spec.check(&header) {
            for column in missing {
                b.problem(1, ProblemKind::MissingColumn, column);
            }
        }
        let columns = b.columns(&header);
        let mut overflowed = false;
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    b.problem(line, ProblemKind::Malformed, e.to_string());
                    break;
                }
            }
            b.rows += 1;
            let line = record.position().map_or(0, |p| p.line() as usize);
            if record.len() != header.len() {
                let detail = format!("{} fields, expected {}", record.len(), header.len());
                b.problem(line, ProblemKind::Ragged, detail);
                continue;
            }
            let mut fields: Vec<Cow<'_, str>> = Vec::with_capacity(record.len());
            for (i, field) in record.iter().enumerate() {
                match std::str::from_utf8(field) {
                    Ok(f) => fields.push(clean(f)),
                    Err(_) => {
                        let name = header.get(i).cloned().unwrap_or_default();
                        b.problem(line, ProblemKind::InvalidUtf8, name);
                        break;
                    }
                }
            }
            if fields.len() != header.len() {
                continue;
            }
            let Some(columns) = columns.as_ref() else { continue };
            if overflowed {
                continue;
            }
            if b.add(line, &fields, columns).is_err() {
                overflowed = true;
                b.problem(line, ProblemKind::Overflow, String::new());
            }
        }
        b.finish(&header, columns)
    }

    /// The positions of the spec's columns, or `None` when some are missing.
    fn columns(&self, header: &[String]) -> Option<Columns> {
        let at = |name: &str| header.iter().position(|h| *h == nfc(name.trim()));
        let all = |names: &[String]| names.iter().map(|n| at(n)).collect::<Option<Vec<usize>>>();
        let show = if self.spec.show.is_empty() {
            (0..header.len()).collect()
        } else {
            self.spec.show.iter().map(|(c, _)| at(c)).collect::<Option<Vec<usize>>>()?
        };
        let key = at(&self.spec.key)?;
        let search = all(&self.spec.search)?;
        let filters = all(&self.spec.filters)?;
        let mut hit = vec![key];
        for &c in search.iter().chain(&filters) {
            if !hit.contains(&c) {
                hit.push(c);
            }
        }
        Some(Columns { key, verify: all(&self.spec.verify)?, show, search, filters, hit })
    }

    /// Adds one well-formed row.
    fn add(
        &mut self,
        line: usize,
        fields: &[Cow<'_, str>],
        columns: &Columns,
    ) -> Result<(), Overflow> {
        let key = fields.get(columns.key).map_or("", |k| k.as_ref());
        if key.is_empty() {
            let name = self.spec.key.clone();
            self.problem(line, ProblemKind::EmptyKey, name);
        }
        let row = u32::try_from(self.answers.len()).map_err(|_| Overflow)?;
        self.keys.push(key.as_bytes())?;
        self.lines.push(u32::try_from(line).map_err(|_| Overflow)?);
        push_values(&mut self.answers, fields, &columns.show)?;
        for (arena, &c) in self.verify.iter_mut().zip(&columns.verify) {
            arena.push(normalise_verify(fields.get(c).map_or("", |f| f.as_ref())).as_bytes())?;
        }
        if columns.search.is_empty() {
            return Ok(());
        }
        let mut text = String::new();
        for &c in &columns.search {
            for term in search_terms(fields.get(c).map_or("", |f| f.as_ref())) {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(&term);
                let next = u32::try_from(self.vocabulary.len()).map_err(|_| Overflow)?;
                let id = match self.vocabulary.get(term.as_str()) {
                    Some(&id) => id,
                    None => {
                        self.vocabulary.insert(term.into_boxed_str(), next);
                        next
                    }
                };
                self.pairs.push((id, row));
            }
        }
        self.texts.push(text.as_bytes())?;
        for (arena, &c) in self.filters.iter_mut().zip(&columns.filters) {
            arena.push(fold(fields.get(c).map_or("", |f| f.as_ref())).as_bytes())?;
        }
        if !self.spec.verify.is_empty() {
            push_values(&mut self.hit_answers, fields, &columns.hit)?;
        }
        Ok(())
    }

    fn report(self) -> Report {
        Report { problems: self.problems, omitted: self.omitted, rows: self.rows }
    }

    fn finish(mut self, header: &[String], columns: Option<Columns>) -> Result<Dataset, Report> {
        let mut index: Vec<(u64, u32)> =
            (0..self.keys.len()).map(|r| (key_hash(self.keys.get(r)), r as u32)).collect();
        index.sort_unstable();
        let mut duplicates = Vec::new();
        for (j, &(hash, row)) in index.iter().enumerate() {
            let key = self.keys.get(row as usize);
            if key.is_empty() {
                continue;
            }
            let earlier = index.get(..j).unwrap_or_default();
            let first = earlier
                .iter()
                .rev()
                .take_while(|(h, _)| *h == hash)
                .map(|&(_, r)| r)
                .filter(|&r| self.keys.get(r as usize) == key)
                .min();
            if let Some(first) = first {
                let line = |r: u32| self.lines.get(r as usize).copied().unwrap_or(0) as usize;
                duplicates.push(Problem {
                    line: line(row),
                    kind: ProblemKind::DuplicateKey,
                    detail: format!("{}", line(first)),
                });
            }
        }
        let found = self.problems.len() + self.omitted + duplicates.len();
        if found > 0 {
            self.problems.extend(duplicates);
            self.problems.sort_by_key(|p| p.line);
            self.problems.truncate(MAX_PROBLEMS);
            self.omitted = found - self.problems.len();
            return Err(self.report());
        }
        let Some(columns) = columns else { return Err(self.report()) };
        let spec = self.spec;

        let label_of = |c: usize| {
            let name = header.get(c).map_or("", String::as_str);
            spec.show.iter().find(|(s, _)| nfc(s.trim()) == name).map_or(name, |(_, l)| l.as_str())
        };
        let labels = labels_array(columns.show.iter().map(|&c| label_of(c)));
        let search = (!columns.search.is_empty()).then(|| {
            let mut vocabulary: Vec<(Box<str>, u32)> =
                std::mem::take(&mut self.vocabulary).into_iter().collect();
            vocabulary.sort_unstable();
            let mut renumber = vec![0u32; vocabulary.len()];
            let mut tokens = Arena::default();
            for (new, (token, old)) in vocabulary.iter().enumerate() {
                if let Some(slot) = renumber.get_mut(*old as usize) {
                    *slot = new as u32;
                }
                // Cannot overflow: the tokens are shorter than the texts already stored.
                let _ = tokens.push(token.as_bytes());
            }
            drop(vocabulary);
            let mut pairs = std::mem::take(&mut self.pairs);
            for pair in &mut pairs {
                pair.0 = renumber.get(pair.0 as usize).copied().unwrap_or(0);
            }
            pairs.sort_unstable();
            pairs.dedup();
            let mut posting_ends = vec![0u32; tokens.len()];
            for &(token, _) in &pairs {
                if let Some(end) = posting_ends.get_mut(token as usize) {
                    *end += 1;
                }
            }
            let mut total = 0;
            for end in &mut posting_ends {
                total += *end;
                *end = total;
            }
            let postings: Vec<u32> = pairs.into_iter().map(|(_, row)| row).collect();
            let has_verify = !spec.verify.is_empty();
            let mut hit_answers = std::mem::take(&mut self.hit_answers);
            hit_answers.shrink();
            let mut texts = std::mem::take(&mut self.texts);
            texts.shrink();
            let mut filters = std::mem::take(&mut self.filters);
            filters.iter_mut().for_each(Arena::shrink);
            SearchIndex {
                labels: if has_verify {
                    labels_array(columns.hit.iter().map(|&c| label_of(c)))
                } else {
                    labels.clone()
                },
                answers: has_verify.then_some(hit_answers),
                texts,
                filters,
                tokens,
                postings,
                posting_ends,
            }
        });
        self.answers.shrink();
        self.keys.shrink();
        self.verify.iter_mut().for_each(Arena::shrink);
        let (key_hashes, key_rows) = index.into_iter().unzip();
        Ok(Dataset {
            spec: spec.clone(),
            labels,
            answers: self.answers,
            keys: self.keys,
            key_hashes,
            key_rows,
            verify: self.verify,
            search,
        })
    }
}
