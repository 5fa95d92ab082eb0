//! Import, lookup and search over small hand-written CSVs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ketnoi_lookup::dataset::{
    Dataset, MAX_PROBLEMS, ProblemKind, Report, Spec, import, import_with_limit,
};
use unicode_normalization::UnicodeNormalization;

const EXAM: &str = "\
so_bao_danh,ho_ten,ngay_sinh,gioi_tinh,toan
36000001,Lê Bảo Diệp,22/11/2006,Nữ,8.00
49000001,Nguyễn Văn Quang,14/05/2006,Nam,
30000001,Lê Thị Tuyết,09/01/2006,Nữ,6.25
";

const MARTYRS: &str = "\
ma_ho_so,ho_ten,nam_sinh,que_quan,cap_bac,vi_tri_mo
LS1,Nguyễn Văn Đức,1961,Nghệ An,Thượng úy,\"Khu G, hàng 20\"
LS2,Đức Văn Nguyễn,1961,Nghệ An,Trung úy,Khu D
LS3,Nguyễn Văn Đức,1957,Hà Tĩnh,Đại úy,Khu A
LS4,Liệt sĩ chưa xác định danh tính,,,Binh nhì,
LS5,Trần Văn Đức Anh,1961,Nghệ An,Binh nhất,Khu B
LS6,Nguyễn Đức,1961,Nghệ An,Binh nhì,Khu C
";

fn exam_spec() -> Spec {
    Spec {
        key: "so_bao_danh".into(),
        verify: vec!["ngay_sinh".into()],
        show: vec![
            ("so_bao_danh".into(), "Số báo danh".into()),
            ("ho_ten".into(), "Họ và tên".into()),
            ("toan".into(), "Toán".into()),
        ],
        search: vec![],
        filters: vec![],
    }
}

fn martyr_spec(verify: &[&str]) -> Spec {
    Spec {
        key: "ma_ho_so".into(),
        verify: verify.iter().map(|s| s.to_string()).collect(),
        show: vec![],
        search: vec!["ho_ten".into()],
        filters: vec!["nam_sinh".into(), "que_quan".into()],
    }
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}

fn problems(report: &Report) -> Vec<(usize, ProblemKind)> {
    report.problems.iter().map(|p| (p.line, p.kind)).collect()
}

fn fail(csv: &[u8], spec: &Spec) -> Report {
    import(csv, spec).expect_err("import should fail")
}

#[test]
fn dataset_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Dataset>();
}

#[test]
fn lookup_answers_with_shown_columns_and_labels() {
    let data = import(EXAM.as_bytes(), &exam_spec()).unwrap();
    assert_eq!(data.rows(), 3);
    assert_eq!(text(data.labels_json()), r#"["Số báo danh","Họ và tên","Toán"]"#);
    let answer = data.get("36000001", &[("ngay_sinh", "22/11/2006")]).unwrap();
    assert_eq!(text(answer), r#"["36000001","Lê Bảo Diệp","8.00"]"#);
    let empty = data.get(" 49000001 ", &[("ngay_sinh", "14052006")]).unwrap();
    assert_eq!(text(empty), r#"["49000001","Nguyễn Văn Quang",null]"#);
    let object: serde_json::Value = serde_json::from_slice(&data.answer_json(answer)).unwrap();
    assert_eq!(object["labels"][1], "Họ và tên");
    assert_eq!(object["values"][1], "Lê Bảo Diệp");
    assert!(data.approx_bytes() > 0);
    assert_eq!(data.spec(), &exam_spec());
}

#[test]
fn bom_and_crlf_are_accepted() {
    let mut csv = b"\xEF\xBB\xBF".to_vec();
    csv.extend_from_slice(EXAM.replace('\n', "\r\n").as_bytes());
    let data = import(&csv, &exam_spec()).unwrap();
    assert_eq!(data.rows(), 3);
    let answer = data.get("30000001", &[("ngay_sinh", "2006-01-09")]).unwrap();
    assert_eq!(text(answer), r#"["30000001","Lê Thị Tuyết","6.25"]"#);
}

#[test]
fn wrong_missing_verification_and_unknown_key_all_give_none() {
    let data = import(EXAM.as_bytes(), &exam_spec()).unwrap();
    assert!(data.get("36000001", &[("ngay_sinh", "22.11.2006")]).is_some());
    assert_eq!(data.get("36000001", &[("ngay_sinh", "23/11/2006")]), None);
    assert_eq!(data.get("36000001", &[]), None);
    assert_eq!(data.get("36000001", &[("ho_ten", "22/11/2006")]), None);
    assert_eq!(data.get("99999999", &[("ngay_sinh", "22/11/2006")]), None);
    // The unknown key is compared against another row's value; even that row's date fails.
    assert_eq!(data.get("99999999", &[("ngay_sinh", "14/05/2006")]), None);
    assert_eq!(data.get("99999999", &[]), None);
}

#[test]
fn every_date_form_verifies() {
    let data = import(EXAM.as_bytes(), &exam_spec()).unwrap();
    for typed in ["9/1/2006", "09/01/2006", "09-01-2006", "09.01.2006", "2006-01-09", "09012006"] {
        assert!(data.get("30000001", &[("ngay_sinh", typed)]).is_some(), "{typed}");
    }
    assert!(data.get("30000001", &[("ngay_sinh", "01/09/2006")]).is_none());
}

#[test]
fn nfd_input_is_stored_as_nfc_and_nfd_queries_match() {
    let nfd: String = MARTYRS.nfd().collect();
    assert_ne!(nfd, MARTYRS);
    let spec = martyr_spec(&["que_quan"]);
    let data = import(nfd.as_bytes(), &spec).unwrap();
    let answer = text(data.get("LS1", &[("que_quan", "Nghệ An")]).unwrap());
    assert!(answer.contains("Nguyễn Văn Đức"), "{answer}");
    let typed: String = "Nghệ An".nfd().collect();
    assert!(data.get("LS1", &[("que_quan", &typed)]).is_some());
    let query: String = "Nguyễn Văn Đức".nfd().collect();
    assert_eq!(data.search(&query, &[], 10).len(), 3);
}

#[test]
fn search_finds_names_without_diacritics() {
    let data = import(MARTYRS.as_bytes(), &martyr_spec(&[])).unwrap();
    let hits: Vec<&str> = data.search("nguyen van duc", &[], 10).into_iter().map(text).collect();
    assert_eq!(hits.len(), 3, "{hits:?}");
    assert!(hits.iter().all(|h| h.contains("Nguyễn Văn Đức") || h.contains("Đức Văn Nguyễn")));
    assert!(data.search("nguyen van ducx", &[], 10).is_empty());
    assert!(data.search("", &[], 10).is_empty());
}

#[test]
fn last_word_may_be_a_prefix() {
    let data = import(MARTYRS.as_bytes(), &martyr_spec(&[])).unwrap();
    let hits = data.search("tran van du", &[], 10);
    assert_eq!(hits.len(), 1);
    assert!(text(hits[0]).starts_with(r#"["LS5""#));
    assert!(data.search("tr van duc", &[], 10).is_empty(), "only the last word is a prefix");
}

#[test]
fn ranking_puts_exact_words_in_order_first_then_row_order() {
    let data = import(MARTYRS.as_bytes(), &martyr_spec(&[])).unwrap();
    let keys: Vec<String> = data
        .search("nguyen van duc", &[], 10)
        .into_iter()
        .map(|h| serde_json::from_slice::<Vec<serde_json::Value>>(h).unwrap()[0].to_string())
        .collect();
    assert_eq!(keys, [r#""LS1""#, r#""LS3""#, r#""LS2""#]);
    // Words in the query's order beat the same words out of order.
    let keys: Vec<String> = data
        .search("van du", &[], 10)
        .into_iter()
        .map(|h| serde_json::from_slice::<Vec<serde_json::Value>>(h).unwrap()[0].to_string())
        .collect();
    assert_eq!(keys, [r#""LS1""#, r#""LS3""#, r#""LS5""#, r#""LS2""#]);
}

#[test]
fn filters_narrow_by_folded_equality() {
    let data = import(MARTYRS.as_bytes(), &martyr_spec(&[])).unwrap();
    let hits = data.search("duc", &[("nam_sinh", "1961"), ("que_quan", "nghe an")], 10);
    assert_eq!(hits.len(), 4);
    let hits = data.search("nguyen van duc", &[("nam_sinh", "1957")], 10);
    assert_eq!(hits.len(), 1);
    assert!(text(hits[0]).contains("Hà Tĩnh"));
    assert!(data.search("duc", &[("que_quan", "nghe")], 10).is_empty());
    assert!(data.search("duc", &[("cap_bac", "dai uy")], 10).is_empty(), "not a filter column");
    let only_filter = data.search("", &[("que_quan", "Hà Tĩnh")], 10);
    assert_eq!(only_filter.len(), 1);
}

#[test]
fn limit_is_respected_and_capped() {
    let mut csv = String::from("ma_ho_so,ho_ten,nam_sinh,que_quan\n");
    for i in 0..120 {
        csv.push_str(&format!("LS{i},Nguyễn Văn Đức,1961,Nghệ An\n"));
    }
    let data = import(csv.as_bytes(), &martyr_spec(&[])).unwrap();
    assert_eq!(data.search("duc", &[], 3).len(), 3);
    assert_eq!(data.search("duc", &[], 1000).len(), 50);
    assert_eq!(data.search("duc", &[], 0).len(), 0);
    let first = data.search("duc", &[], 3);
    assert!(text(first[0]).starts_with(r#"["LS0","#), "stable by row order");
    assert!(text(first[2]).starts_with(r#"["LS2","#));
}

#[test]
fn search_hides_other_columns_when_verification_exists() {
    let open = import(MARTYRS.as_bytes(), &martyr_spec(&[])).unwrap();
    assert!(text(open.search("nguyen van duc", &[], 1)[0]).contains("Khu G"));
    assert_eq!(open.search_labels_json(), open.labels_json());

    let guarded = import(MARTYRS.as_bytes(), &martyr_spec(&["vi_tri_mo"])).unwrap();
    let hit = text(guarded.search("nguyen van duc", &[], 1)[0]);
    assert_eq!(hit, r#"["LS1","Nguyễn Văn Đức","1961","Nghệ An"]"#);
    assert_eq!(
        text(guarded.search_labels_json()),
        r#"["ma_ho_so","ho_ten","nam_sinh","que_quan"]"#
    );
    let full = text(guarded.get("LS1", &[("vi_tri_mo", "khu g, hang 20")]).unwrap());
    assert!(full.contains("Thượng úy"));
}

#[test]
fn search_without_search_columns_finds_nothing() {
    let data = import(EXAM.as_bytes(), &exam_spec()).unwrap();
    assert!(data.search("le", &[], 10).is_empty());
}

#[test]
fn invalid_utf8_is_reported_with_its_line() {
    let mut csv = EXAM.as_bytes().to_vec();
    csv.extend_from_slice(b"11000001,L\xff,01/01/2006,Nam,1\n");
    let report = fail(&csv, &exam_spec());
    assert_eq!(problems(&report), [(5, ProblemKind::InvalidUtf8)]);
    assert_eq!(report.problems[0].detail, "ho_ten");
    assert_eq!(report.rows, 4);
}

#[test]
fn ragged_rows_are_reported() {
    let csv = format!("{EXAM}11000001,Lê,01/01/2006\n12000001,Lê,01/01/2006,Nam,1,2\n");
    let report = fail(csv.as_bytes(), &exam_spec());
    assert_eq!(problems(&report), [(5, ProblemKind::Ragged), (6, ProblemKind::Ragged)]);
}

#[test]
fn empty_and_duplicate_keys_are_reported() {
    let csv = format!("{EXAM} ,Lê,01/01/2006,Nam,1\n36000001,Lê,01/01/2006,Nam,1\n");
    let report = fail(csv.as_bytes(), &exam_spec());
    assert_eq!(problems(&report), [(5, ProblemKind::EmptyKey), (6, ProblemKind::DuplicateKey)]);
    assert_eq!(report.problems[1].detail, "2", "names the first line");
}

#[test]
fn missing_and_duplicate_columns_are_reported_on_line_one() {
    let mut spec = exam_spec();
    spec.filters = vec!["hoi_dong_thi".into()];
    let report = fail(EXAM.as_bytes(), &spec);
    assert_eq!(problems(&report), [(1, ProblemKind::MissingColumn)]);
    assert_eq!(report.problems[0].detail, "hoi_dong_thi");
    assert_eq!(
        spec.check(&["so_bao_danh", "ho_ten", "ngay_sinh", "toan"]),
        Err(vec!["hoi_dong_thi".into()])
    );
    assert_eq!(exam_spec().check(&["so_bao_danh", "ho_ten", "ngay_sinh", "toan"]), Ok(()));

    let csv = "so_bao_danh,ho_ten,ngay_sinh,toan,toan\n1,A,01/01/2006,1,2\n";
    let report = fail(csv.as_bytes(), &exam_spec());
    assert_eq!(problems(&report), [(1, ProblemKind::DuplicateColumn)]);
}

#[test]
fn empty_input_is_reported() {
    assert_eq!(problems(&fail(b"", &exam_spec())), [(1, ProblemKind::Empty)]);
}

#[test]
fn too_large_input_is_refused_unparsed() {
    let report = import_with_limit(EXAM.as_bytes(), &exam_spec(), 10).unwrap_err();
    assert_eq!(problems(&report), [(0, ProblemKind::TooLarge)]);
    assert_eq!(report.rows, 0);
    assert!(import_with_limit(EXAM.as_bytes(), &exam_spec(), EXAM.len()).is_ok());
}

#[test]
fn problems_are_listed_up_to_the_cap_then_counted() {
    let mut csv = String::from(EXAM);
    for _ in 0..150 {
        csv.push_str("36000001,Lê,01/01/2006,Nam,1\n");
    }
    csv.push_str("x,y\n");
    let report = fail(csv.as_bytes(), &exam_spec());
    assert_eq!(report.problems.len(), MAX_PROBLEMS);
    assert_eq!(report.omitted, 151 - MAX_PROBLEMS);
    assert_eq!(report.problems[0].line, 5);
    assert!(report.problems.windows(2).all(|w| w[0].line <= w[1].line));
    assert_eq!(report.rows, 154);
}

#[test]
fn problem_kinds_have_stable_names() {
    assert_eq!(ProblemKind::DuplicateKey.as_str(), "duplicate_key");
    assert_eq!(ProblemKind::InvalidUtf8.as_str(), "invalid_utf8");
    assert_eq!(ProblemKind::TooLarge.as_str(), "too_large");
}
