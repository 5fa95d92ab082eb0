//! The front desk in a real headless Chromium: an officer of the provincial police writes a
//! procedure guide as a template for the units below; the commune police override its office
//! hours; a citizen, with JavaScript off, opens the commune account's menu, taps "Thủ tục hành
//! chính", reads the guide with the commune's hours and the province's steps and downloads its
//! form; the province marks the law it rests on replaced, and the commune's console shows the
//! flag while the citizen's page says the guide is being updated.

use crate::{
    browser::{Options, WAIT, launch_two},
    browser_chat::staff_signs_in,
    browser_flows::arrive,
    helpers::spawn_app,
};

const NAME: &str = "Cấp giấy xác nhận thử nghiệm";
const CODE: &str = "TEST-QT-01";
const PROVINCE_HOURS: &str = "Thứ Hai – Thứ Sáu 7:30–17:00";
const COMMUNE_HOURS: &str = "Sáng thứ Bảy 7:30–11:30";

async fn sign_out(b: &crate::browser::Browser) {
    b.submit("form[action='/sign-out']").await;
    arrive(b, "/").await;
}

#[tokio::test]
async fn a_province_template_with_a_commune_override_reaches_a_citizen_and_its_flag_the_commune() {
    let app = spawn_app(true).await;
    let Some((officer, citizen)) =
        launch_two(&app.base, Options::default(), Options::default().without_javascript()).await
    else {
        return;
    };

    // The provincial police write the guide, offered to the units below (the default).
    staff_signs_in(&officer, &app, "catinh.admin").await;
    officer.goto("/console/a/ca-tuyen-quang/quay").await;
    officer.assert_accessible("front desk console").await;
    // The menu preview follows the editor's fields as they are typed.
    officer.fill("#b1_label", "Cổng dịch vụ công quốc gia").await;
    officer.wait_for_text("[data-menu-preview-area]", "Cổng dịch vụ công quốc gia", WAIT).await;
    officer.click("a[href='/console/a/ca-tuyen-quang/quay/thu-tuc/moi']").await;
    arrive(&officer, "/console/a/ca-tuyen-quang/quay/thu-tuc/moi").await;
    officer.fill("#g-code", CODE).await;
    officer.fill("#g-name", NAME).await;
    officer
        .fill("#g-steps", "Nộp tờ khai tại bộ phận tiếp dân\nNhận giấy xác nhận sau 3 ngày")
        .await;
    officer.fill("#g-documents", "Tờ khai thay đổi thông tin cư trú").await;
    officer.fill("#g-hours", PROVINCE_HOURS).await;
    officer.fill("#g-legal", "68/2020/QH14 | Luật Cư trú | Quốc hội | 01/07/2021").await;
    officer.fill("#g-forms", "DEMO-CT01").await;
    officer.submit("form[data-guide-editor]").await;
    arrive(&officer, &format!("/console/a/ca-tuyen-quang/quay/thu-tuc/{CODE}")).await;
    officer.assert_accessible("guide editor").await;
    sign_out(&officer).await;

    // The commune police change only the hours.
    staff_signs_in(&officer, &app, "cavixuyen.canbo").await;
    officer.goto("/console/a/ca-vi-xuyen/quay").await;
    let row = officer.text_of(&format!("[data-guide-row='{CODE}']")).await;
    assert!(row.contains("kế thừa"), "inherited from the province: {row}");
    officer.click(&format!("a[href='/console/a/ca-vi-xuyen/quay/thu-tuc/{CODE}']")).await;
    arrive(&officer, &format!("/console/a/ca-vi-xuyen/quay/thu-tuc/{CODE}")).await;
    officer.assert_accessible("override form").await;
    officer.fill("#o-hours", COMMUNE_HOURS).await;
    officer.submit("form[data-override]").await;
    arrive(&officer, "/console/a/ca-vi-xuyen/quay").await;
    let row = officer.text_of(&format!("[data-guide-row='{CODE}']")).await;
    assert!(row.contains("có ghi đè"), "{row}");
    sign_out(&officer).await;

    // A citizen without JavaScript opens the menu and finds the guide.
    citizen.goto("/lang/vi?next=/a/ca-vi-xuyen").await;
    arrive(&citizen, "/a/ca-vi-xuyen").await;
    citizen.assert_accessible("account page with its menu").await;
    citizen.click("nav[data-desk-menu] summary").await;
    citizen.click("nav[data-desk-menu] a[href='/a/ca-vi-xuyen/thu-tuc']").await;
    arrive(&citizen, "/a/ca-vi-xuyen/thu-tuc").await;
    citizen.assert_accessible("procedure catalogue").await;
    citizen.click(&format!("[data-procedures] a[href='/a/ca-vi-xuyen/thu-tuc/{CODE}']")).await;
    arrive(&citizen, &format!("/a/ca-vi-xuyen/thu-tuc/{CODE}")).await;
    citizen.assert_accessible("procedure guide").await;
    assert_eq!(citizen.text_of("[data-hours]").await, COMMUNE_HOURS);
    let steps = citizen.text_of("[data-steps]").await;
    assert!(steps.contains("Nộp tờ khai tại bộ phận tiếp dân"), "the province's steps: {steps}");
    assert!(citizen.find_all("[data-stale]").await.is_empty());

    // …and its form, which downloads as the PDF the library keeps.
    citizen.click("[data-guide-forms] a").await;
    arrive(&citizen, "/a/ca-vi-xuyen/bieu-mau/DEMO-CT01").await;
    citizen.assert_accessible("form page").await;
    let users = citizen.text_of("[data-form-guides]").await;
    assert!(users.contains(NAME), "the form page lists the guides that use it: {users}");
    let href =
        citizen.find("[data-download]").await.attr("href").await.ok().flatten().unwrap_or_default();
    assert_eq!(href, "/a/ca-vi-xuyen/bieu-mau/DEMO-CT01/tai-ve");
    let file = app.client.get(app.url(&href)).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert!(file.bytes().await.is_ok_and(|b| b.starts_with(b"%PDF-")));

    // The province marks the Law on Residence repealed from today.
    staff_signs_in(&officer, &app, "catinh.admin").await;
    officer.goto(&format!("/console/a/ca-tuyen-quang/quay/thu-tuc/{CODE}")).await;
    officer.submit("form[data-supersede='68/2020/QH14']").await;
    arrive(&officer, &format!("/console/a/ca-tuyen-quang/quay/thu-tuc/{CODE}")).await;
    officer.wait_for("[data-stale]", WAIT).await;
    sign_out(&officer).await;

    // The commune's console shows the flag; the citizen's page says it is being updated.
    staff_signs_in(&officer, &app, "cavixuyen.canbo").await;
    officer.goto("/console/a/ca-vi-xuyen/quay").await;
    let queue = officer.text_of("[data-desk-queue]").await;
    assert!(queue.contains(NAME) && queue.contains("Đang cập nhật"), "{queue}");
    citizen.goto(&format!("/a/ca-vi-xuyen/thu-tuc/{CODE}")).await;
    let notice = citizen.text_of("[data-stale]").await;
    assert!(notice.contains("đang được cập nhật"), "{notice}");
}
