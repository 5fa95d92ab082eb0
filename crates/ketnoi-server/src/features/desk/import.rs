//! Procedure catalogues in and out: JSON Lines (one guide per line, the fields of
//! [`ProcedureDoc`]) and CSV (one guide per row, lists one item per line inside a cell, a legal
//! document as `number | title | issuer | effective | expires | replaced by | replaced on`).
//!
//! Reading is all or nothing: every line is checked and every error reported with its line
//! number; a file with any error stores nothing. Storage's own refusals (a form nobody has, a
//! circle of replacements) come back with the index of the guide, which [`Parsed::line_of`] turns
//! into its line.

use ketnoi_core::desk::{Day, DeskField, LegalRef, ProcedureDoc, ProcedureLevel};
use ketnoi_store::DeskRefusal;

use crate::kernel::error::ImportError;

/// The largest catalogue file.
pub const MAX_IMPORT: usize = 8 * 1024 * 1024;

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON Lines.
    JsonLines,
    /// CSV with a header row.
    Csv,
}

impl Format {
    /// From a query word (`jsonl`, `csv`).
    pub fn parse(word: &str) -> Option<Self> {
        match word.trim() {
            "jsonl" | "json" | "ndjson" => Some(Self::JsonLines),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }

    /// The media type of an export.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::JsonLines => "application/x-ndjson; charset=utf-8",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }

    /// The file extension of an export.
    pub fn extension(self) -> &'static str {
        match self {
            Self::JsonLines => "jsonl",
            Self::Csv => "csv",
        }
    }
}

/// A file read without error: the guides and the line each began on.
#[derive(Debug)]
pub struct Parsed {
    /// The guides, checked.
    pub docs: Vec<ProcedureDoc>,
    lines: Vec<usize>,
}

impl Parsed {
    /// The line of the guide at `index`.
    pub fn line_of(&self, index: usize) -> usize {
        self.lines.get(index).copied().unwrap_or(0)
    }

    /// Storage's refusal as a line of the file.
    pub fn refusal(&self, refusal: &DeskRefusal) -> ImportError {
        let (index, code, detail) = explain(refusal);
        ImportError { line: index.map_or(0, |i| self.line_of(i)), code, detail }
    }
}

/// A refusal of storage as the index of the guide at fault (if it came in a batch), the message
/// key and what the message names.
pub fn explain(refusal: &DeskRefusal) -> (Option<usize>, &'static str, String) {
    match refusal {
        DeskRefusal::DuplicateCode { index, code } => {
            (Some(*index), "import-duplicate-code", code.clone())
        }
        DeskRefusal::UnknownForm { index, code } => {
            (Some(*index), "import-unknown-form", code.clone())
        }
        DeskRefusal::UnknownDocument { index, number } => {
            (*index, "import-unknown-document", number.clone())
        }
        DeskRefusal::Cycle { index, number } => (*index, "supersede-cycle", number.clone()),
        DeskRefusal::NotOwner { number } => (None, "legal-not-owner", number.clone()),
    }
}

const COLUMNS: &[&str] = &[
    "code",
    "name",
    "level",
    "applicants",
    "steps",
    "documents",
    "fee",
    "processing_time",
    "office",
    "address",
    "hours",
    "phone",
    "online_url",
    "notes",
    "legal_basis",
    "forms",
    "locked",
    "template",
    "demo",
];

/// Reads a catalogue file.
pub fn read(format: Format, bytes: &[u8]) -> Result<Parsed, Vec<ImportError>> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![ImportError { line: 0, code: "import-not-utf8", detail: String::new() }]);
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (found, mut errors) = match format {
        Format::JsonLines => read_jsonl(text),
        Format::Csv => read_csv(text),
    };
    let mut docs = Vec::with_capacity(found.len());
    let mut lines = Vec::with_capacity(found.len());
    let mut seen = std::collections::HashMap::new();
    for (line, doc) in found {
        match doc.checked() {
            Ok(doc) => {
                if let Some(first) = seen.insert(doc.code.clone(), line) {
                    errors.push(ImportError {
                        line,
                        code: "import-duplicate-code",
                        detail: format!("{} (dòng/line {first})", doc.code),
                    });
                }
                docs.push(doc);
                lines.push(line);
            }
            Err(e) => {
                errors.push(ImportError { line, code: "import-invalid", detail: e.to_string() })
            }
        }
    }
    if docs.is_empty() && errors.is_empty() {
        errors.push(ImportError { line: 0, code: "import-empty", detail: String::new() });
    }
    if errors.is_empty() {
        Ok(Parsed { docs, lines })
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

fn read_jsonl(text: &str) -> (Vec<(usize, ProcedureDoc)>, Vec<ImportError>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<ProcedureDoc>(raw) {
            Ok(doc) => found.push((i + 1, doc)),
            Err(e) => {
                errors.push(ImportError { line: i + 1, code: "import-json", detail: e.to_string() })
            }
        }
    }
    (found, errors)
}

fn items(cell: &str) -> Vec<String> {
    cell.lines().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn words(cell: &str) -> Vec<String> {
    cell.split([',', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn yes(cell: &str) -> Result<bool, String> {
    match ketnoi_text::fold(cell).as_str() {
        "" | "false" | "0" | "no" | "khong" => Ok(false),
        "true" | "1" | "yes" | "co" => Ok(true),
        other => Err(other.to_owned()),
    }
}

pub(crate) fn legal_line(line: &str) -> Result<LegalRef, String> {
    let parts: Vec<&str> = line.split('|').map(str::trim).collect();
    if parts.len() < 4 {
        return Err(line.to_owned());
    }
    let day = |s: &str| Day::parse(s).map_err(|_| s.to_owned());
    let optional = |i: usize| parts.get(i).copied().filter(|s| !s.is_empty());
    Ok(LegalRef {
        number: parts[0].to_owned(),
        title: parts[1].to_owned(),
        issuer: parts[2].to_owned(),
        effective: day(parts[3])?,
        expires: optional(4).map(day).transpose()?,
        superseded_by: optional(5).map(str::to_owned),
        superseded_on: optional(6).map(day).transpose()?,
    })
}

fn read_csv(text: &str) -> (Vec<(usize, ProcedureDoc)>, Vec<ImportError>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_owned()).collect(),
        Err(e) => {
            errors.push(ImportError { line: 1, code: "import-csv", detail: e.to_string() });
            return (found, errors);
        }
    };
    for required in ["code", "name", "level"] {
        if !header.iter().any(|h| h == required) {
            errors.push(ImportError {
                line: 1,
                code: "import-missing-column",
                detail: required.to_owned(),
            });
        }
    }
    for h in &header {
        if !COLUMNS.contains(&h.as_str()) {
            errors.push(ImportError { line: 1, code: "import-unknown-column", detail: h.clone() });
        }
    }
    if !errors.is_empty() {
        return (found, errors);
    }
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                errors.push(ImportError { line, code: "import-csv", detail: e.to_string() });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        let cell = |name: &str| {
            header.iter().position(|h| h == name).and_then(|i| record.get(i)).unwrap_or("")
        };
        let fail = |code, detail: String| ImportError { line, code, detail };
        let level = match cell("level").parse::<ProcedureLevel>() {
            Ok(l) => l,
            Err(_) => {
                errors.push(fail("import-invalid", format!("level: {}", cell("level"))));
                continue;
            }
        };
        let mut legal_basis = Vec::new();
        let mut broken = None;
        for entry in items(cell("legal_basis")) {
            match legal_line(&entry) {
                Ok(l) => legal_basis.push(l),
                Err(bad) => broken = Some(bad),
            }
        }
        if let Some(bad) = broken {
            errors.push(fail("import-legal-line", bad));
            continue;
        }
        let mut locked = Vec::new();
        for word in words(cell("locked")) {
            match word.parse::<DeskField>() {
                Ok(f) => locked.push(f),
                Err(_) => broken = Some(word),
            }
        }
        if let Some(bad) = broken {
            errors.push(fail("import-invalid", format!("locked: {bad}")));
            continue;
        }
        let (template, demo) = match (yes(cell("template")), yes(cell("demo"))) {
            (Ok(t), Ok(d)) => (t, d),
            (Err(bad), _) | (_, Err(bad)) => {
                errors.push(fail("import-invalid", format!("template/demo: {bad}")));
                continue;
            }
        };
        found.push((
            line,
            ProcedureDoc {
                code: cell("code").to_owned(),
                name: cell("name").to_owned(),
                level,
                applicants: cell("applicants").to_owned(),
                steps: items(cell("steps")),
                documents: items(cell("documents")),
                fee: cell("fee").to_owned(),
                processing_time: cell("processing_time").to_owned(),
                office: cell("office").to_owned(),
                address: cell("address").to_owned(),
                hours: cell("hours").to_owned(),
                phone: cell("phone").to_owned(),
                online_url: cell("online_url").to_owned(),
                notes: cell("notes").to_owned(),
                legal_basis,
                forms: words(cell("forms")),
                locked,
                template,
                demo,
            },
        ));
    }
    (found, errors)
}

/// Writes guides in a format; reading the result gives the same guides back.
pub fn write(format: Format, docs: &[ProcedureDoc]) -> String {
    match format {
        Format::JsonLines => docs
            .iter()
            .filter_map(|d| serde_json::to_string(d).ok())
            .map(|line| line + "\n")
            .collect(),
        Format::Csv => {
            let mut out = csv::Writer::from_writer(Vec::new());
            let _ = out.write_record(COLUMNS);
            for d in docs {
                let legal: Vec<String> = d
                    .legal_basis
                    .iter()
                    .map(|l| {
                        let day =
                            |d: &Option<Day>| d.as_ref().map(|d| d.to_string()).unwrap_or_default();
                        format!(
                            "{} | {} | {} | {} | {} | {} | {}",
                            l.number,
                            l.title,
                            l.issuer,
                            l.effective,
                            day(&l.expires),
                            l.superseded_by.clone().unwrap_or_default(),
                            day(&l.superseded_on)
                        )
                    })
                    .collect();
                let locked: Vec<&str> = d.locked.iter().map(|f| f.as_str()).collect();
                let _ = out.write_record([
                    d.code.as_str(),
                    &d.name,
                    d.level.as_str(),
                    &d.applicants,
                    &d.steps.join("\n"),
                    &d.documents.join("\n"),
                    &d.fee,
                    &d.processing_time,
                    &d.office,
                    &d.address,
                    &d.hours,
                    &d.phone,
                    &d.online_url,
                    &d.notes,
                    &legal.join("\n"),
                    &d.forms.join(", "),
                    &locked.join(", "),
                    if d.template { "true" } else { "false" },
                    if d.demo { "true" } else { "false" },
                ]);
            }
            String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(r: Result<Parsed, Vec<ImportError>>) -> Vec<ImportError> {
        match r {
            Ok(p) => panic!("accepted: {p:?}"),
            Err(e) => e,
        }
    }

    fn sample() -> Vec<ProcedureDoc> {
        let line = r#"{"code":"DEMO-CA-01","name":"Cấp thẻ căn cước","level":"commune","steps":["Đặt lịch","Nộp hồ sơ"],"documents":["Tờ khai CC01"],"fee":"Miễn phí","legal_basis":[{"number":"26/2023/QH15","title":"Luật Căn cước","issuer":"Quốc hội","effective":"2024-07-01"},{"number":"24/2023/TT-BCA","title":"Thông tư đăng ký xe","issuer":"Bộ Công an","effective":"2023-08-15","superseded_by":"79/2024/TT-BCA","superseded_on":"2025-01-01"}],"forms":["CC01"],"locked":["fee"],"template":true,"demo":true}
{"code":"DEMO-CA-02","name":"Đăng ký thường trú, có \"dấu ngoặc\", và dấu phẩy","level":"commune","notes":"Dòng một\nDòng hai"}"#;
        match read(Format::JsonLines, line.as_bytes()) {
            Ok(p) => p.docs,
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn both_formats_give_back_what_they_were_given() {
        let docs = sample();
        for format in [Format::JsonLines, Format::Csv] {
            let text = write(format, &docs);
            let back =
                read(format, text.as_bytes()).unwrap_or_else(|e| panic!("{format:?}: {e:?}"));
            // CSV keeps a note's lines as lines of one cell.
            assert_eq!(back.docs, docs, "{format:?}");
        }
    }

    #[test]
    fn every_bad_line_is_reported_and_nothing_is_kept() {
        let text = "{\"code\":\"A-1\",\"name\":\"Thủ tục một\",\"level\":\"commune\"}\n\
                    not json\n\
                    {\"code\":\"A-1\",\"name\":\"Thủ tục hai\",\"level\":\"commune\"}\n\
                    {\"code\":\"có dấu\",\"name\":\"Thủ tục ba\",\"level\":\"commune\"}\n\
                    {\"code\":\"A-4\",\"name\":\"Thủ tục bốn\",\"level\":\"district\"}\n";
        let errors = refused(read(Format::JsonLines, text.as_bytes()));
        let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.code)).collect();
        assert_eq!(
            got,
            vec![
                (2, "import-json"),
                (3, "import-duplicate-code"),
                (4, "import-invalid"),
                (5, "import-json")
            ]
        );
    }

    #[test]
    fn a_csv_names_its_bad_rows_by_line() {
        let text = "code,name,level,legal_basis,colour\nA-1,Một thủ tục,commune,,\n";
        let errors = refused(read(Format::Csv, text.as_bytes()));
        assert_eq!(errors[0].code, "import-unknown-column");
        let text = "code,name,level,legal_basis\nA-1,Một thủ tục,commune,\nA-2,Hai thủ tục,commune,\"26/2023 | thiếu\"\nA-3,Ba thủ tục,xã,\n";
        let errors = refused(read(Format::Csv, text.as_bytes()));
        let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.code)).collect();
        assert_eq!(got, vec![(3, "import-legal-line"), (4, "import-invalid")]);
        assert!(read(Format::Csv, b"\xff\xfe").is_err());
        assert_eq!(refused(read(Format::JsonLines, b"\n\n"))[0].code, "import-empty");
    }
}
