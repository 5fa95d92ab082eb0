//! The officers' inbox in depth in a real headless Chromium (issue 18): two officers in two
//! browsers and a citizen in a third. The province's administrator assigns a commune
//! conversation to the commune's officer, who sees it arrive under "assigned to me" without
//! reloading; he sees her open it and type; she writes an internal note and escalates it to the
//! province; the province answers; the citizen reads where the conversation went and the answer,
//! live.

use crate::{
    browser::{Browser, Options, WAIT, launch_three},
    browser_chat::{citizen_signs_in, mark_page, not_reloaded, staff_signs_in},
    browser_flows::arrive,
    helpers::spawn_app,
};

const CHAT: &str = "/a/ca-vi-xuyen/chat";
const COMMUNE_INBOX: &str = "/console/a/ca-vi-xuyen/inbox";
const PROVINCE_INBOX: &str = "/console/a/ca-tuyen-quang/inbox";

/// Chooses an option of a drop-down by its value.
async fn choose(b: &Browser, select: &str, value: &str) {
    let script = "var s = document.querySelector(arguments[0]); s.value = arguments[1]; \
                  return s.value;";
    let chosen = b.run_js(script, vec![select.into(), value.into()]).await;
    assert_eq!(chosen.as_str(), Some(value), "{select} has no option {value}");
}

#[tokio::test]
async fn two_officers_assign_note_and_escalate_while_the_citizen_watches() {
    let app = spawn_app(true).await;
    let Some([citizen, lan, hung]) = launch_three(&app.base, [Options::default(); 3]).await else {
        return;
    };
    let lan_id = {
        let name = "cavixuyen.canbo".parse().unwrap_or_else(|e| panic!("{e}"));
        let found = app.store.staff_by_username(&name).await.unwrap_or_else(|e| panic!("{e}"));
        found.map(|(s, _)| s.id.0).unwrap_or_else(|| panic!("no cavixuyen.canbo"))
    };

    // A citizen asks the commune police something only the province can settle.
    citizen_signs_in(&citizen, "0356 123 111", CHAT).await;
    citizen.fill("#text", "Tôi muốn khiếu nại quyết định xử phạt vi phạm hành chính").await;
    citizen.submit("form[data-composer]").await;
    citizen.wait_for_text(".bubble.mine [data-state]", "Đã gửi", WAIT).await;
    mark_page(&citizen).await;

    // Lan, the commune's officer, watches her own conversations: none yet.
    staff_signs_in(&lan, &app, "cavixuyen.canbo").await;
    let mine = format!("{COMMUNE_INBOX}?status=open&assignee=me");
    lan.goto(&mine).await;
    arrive(&lan, COMMUNE_INBOX).await;
    assert!(lan.find_all("[data-inbox] li").await.is_empty());
    lan.assert_accessible("inbox, assigned to me (empty)").await;
    mark_page(&lan).await;

    // Hùng, the province's administrator, opens it and assigns it to Lan.
    staff_signs_in(&hung, &app, "catinh.admin").await;
    hung.goto(COMMUNE_INBOX).await;
    arrive(&hung, COMMUNE_INBOX).await;
    hung.click("[data-inbox] li a").await;
    hung.wait_for_text("[data-bubbles]", "khiếu nại quyết định", WAIT).await;
    let conversation = hung.current_path().await;
    choose(&hung, "#assign-staff", &lan_id.to_string()).await;
    hung.submit("form[data-assign-form]").await;
    hung.wait_for_text("[data-assign] [role=status]", "Đã cập nhật người phụ trách.", WAIT).await;

    // Lan sees it arrive under "assigned to me" without reloading.
    lan.wait_for_text("[data-inbox] li a", "035****111", WAIT).await;
    assert!(not_reloaded(&lan).await, "Lan's inbox updated in place");
    lan.click("[data-inbox] li a").await;
    arrive(&lan, &conversation).await;
    // Hùng, still on the conversation, sees her looking at it and then typing.
    hung.wait_for_text("[data-presence]", "Nguyễn Thị Lan đang xem", WAIT).await;
    lan.fill("#text", "Chị xem lại").await;
    hung.wait_for_text("[data-presence]", "Nguyễn Thị Lan đang soạn trả lời", WAIT).await;

    // She writes an internal note, then escalates it to the province with a word for them.
    lan.fill("#note-body", "Đã xác minh: quyết định do Công an tỉnh ban hành").await;
    lan.submit("form[data-note-form]").await;
    lan.wait_for_text("[data-notes] [role=status]", "Đã lưu ghi chú nội bộ.", WAIT).await;
    lan.assert_accessible("conversation with the handover form").await;
    choose(&lan, "#transfer-account", "ca-tuyen-quang").await;
    lan.fill("#transfer-reason", "Thuộc thẩm quyền giải quyết khiếu nại của tỉnh").await;
    lan.submit("form[data-transfer-form]").await;
    arrive(&lan, COMMUNE_INBOX).await;
    lan.wait_for_text("[role=status]", "Đã chuyển cuộc trò chuyện.", WAIT).await;

    // The citizen reads where it went, live.
    citizen
        .wait_for_text("[data-bubbles] li.system", "chuyển lên Công an tỉnh Tuyên Quang", WAIT)
        .await;
    assert!(not_reloaded(&citizen).await, "the citizen's page updated in place");
    citizen.assert_accessible("chat with a handover notice").await;

    // The province finds it in its own inbox with the whole history and the note.
    hung.goto(PROVINCE_INBOX).await;
    arrive(&hung, PROVINCE_INBOX).await;
    hung.wait_for_text("[data-inbox] li a", "035****111", WAIT).await;
    hung.assert_accessible("the province's inbox").await;
    hung.click("[data-inbox] li a").await;
    arrive(&hung, &conversation).await;
    hung.wait_for_text("[data-bubbles]", "khiếu nại quyết định", WAIT).await;
    assert!(hung.text_of("[data-notes]").await.contains("quyết định do Công an tỉnh ban hành"));
    let history = hung.text_of("[data-transfer-history]").await;
    assert!(history.contains("Chuyển lên") && history.contains("thẩm quyền"), "{history}");

    // Hùng answers; the citizen reads it without reloading.
    hung.fill("#text", "Công an tỉnh đã nhận khiếu nại và sẽ trả lời trong 30 ngày.").await;
    hung.submit("form[data-composer]").await;
    citizen.wait_for_text("[data-bubbles] li:last-child", "sẽ trả lời trong 30 ngày", WAIT).await;
    assert!(not_reloaded(&citizen).await, "the citizen's page updated in place");
    assert_eq!(citizen.current_path().await, CHAT);
    // The note and the word to the province never reach the citizen.
    let seen = citizen.text_of("main").await;
    assert!(!seen.contains("Đã xác minh") && !seen.contains("Thuộc thẩm quyền"), "{seen}");
}
