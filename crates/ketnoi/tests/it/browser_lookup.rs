//! Exam results in a real headless Chromium on a phone-sized screen: from the account's page to
//! the lookup page, the candidate number and birth date typed in, the scores shown, and the
//! birth date nowhere in the address; the same without JavaScript.

use ketnoi::demo::DEMO_CANDIDATE;

use crate::{
    browser::{Options, WAIT, launch},
    helpers::spawn_app,
};

const ACCOUNT: &str = "/a/so-gddt-tuyen-quang";
const EXAMS: &str = "/a/so-gddt-tuyen-quang/tra-cuu/diem-thi";

async fn look_up_the_scores(javascript: bool) {
    let app = spawn_app(true).await;
    let options = Options { javascript, ..Options::default() };
    let Some(b) = launch(&app.base, options).await else {
        return;
    };
    b.goto(ACCOUNT).await;
    b.click(&format!("[data-lookups] a[href=\"{EXAMS}\"]")).await;
    b.wait_for_path(EXAMS, WAIT).await;
    b.wait_for("form[data-lookup-find]", WAIT).await;
    b.assert_accessible("the lookup page").await;

    let (number, name, born) = DEMO_CANDIDATE;
    b.fill("#key", number).await;
    b.fill("#verify-0", born).await;
    b.submit("form[data-lookup-find]").await;
    let result = b.wait_for_text("[data-lookup-record]", name, WAIT).await;
    assert!(result.contains("Toán") && result.contains("8.25"), "{result}");
    b.assert_accessible("the lookup result").await;

    let url = b.current_url().await;
    assert_eq!(url.path(), EXAMS);
    let address = url.as_str();
    for typed in [born, "15%2F03%2F2008", "15032008", number] {
        assert!(!address.contains(typed), "{typed} is in the address {address}");
    }
}

#[tokio::test]
async fn a_citizen_looks_up_exam_scores_from_the_account_page() {
    look_up_the_scores(true).await;
}

#[tokio::test]
async fn exam_scores_can_be_looked_up_without_javascript() {
    look_up_the_scores(false).await;
}
