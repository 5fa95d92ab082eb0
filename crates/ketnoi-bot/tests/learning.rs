//! Learning from officers: a question an officer attaches to an intent makes the bot answer
//! questions like it that it has never seen. The knowledge base is the shared sample; each
//! taught question below is one the bot got wrong or handed off in the project's validation
//! set (tuning data, never the report-only unseen set), and each is paired with a question
//! asked the way another citizen would ask the same thing, in other words.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ketnoi_bot::Bot;
use ketnoi_core::Intent;

const KB: &str = "../../../shared/data/chatbot/kb.jsonl";

/// (intent, the question an officer attaches, a similar question asked later).
const PAIRS: &[(&str, &str, &str)] = &[
    (
        "xe.tra_cuu_phat_nguoi",
        "Xem lỗi vi phạm giao thông qua camera ở trang nào?",
        "xe bị camera chụp vượt đèn đỏ thì xem lỗi ở trang web nào",
    ),
    (
        "ly_lich_tu_phap.cap_phieu",
        "Tôi cần giấy chứng nhận không tiền án tiền sự để đi làm, xin ở cơ quan nào?",
        "Công ty bắt nộp giấy chứng nhận không có tiền án tiền sự, tôi xin ở đâu?",
    ),
    (
        "co_quan.gio_lam_viec",
        "Sáng mấy giờ thì bắt đầu nhận hồ sơ ạ?",
        "buoi sang may gio ben minh bat dau nhan ho so vay",
    ),
    (
        "dvc.thanh_toan_le_phi",
        "Tôi có thể quét QR để trả phí hồ sơ trực tuyến không?",
        "trả phí hồ sơ online bằng cách quét mã QR được không ạ",
    ),
    (
        "dvc.tra_cuu_ho_so",
        "Có mã hồ sơ rồi thì tra tiến độ giải quyết ở mục nào?",
        "đã có mã hồ sơ, muốn xem tiến độ giải quyết thì vào mục nào",
    ),
    (
        "antt.giao_nop_vu_khi",
        "Tôi có mấy thanh kiếm Nhật mua trên mạng về trưng bày, có phải đem nộp không?",
        "nhà có thanh kiếm mua về trưng bày thì có phải đem nộp không",
    ),
    (
        "cu_tru.tach_ho",
        "Tôi muốn đứng tên chủ hộ riêng thì phải làm thủ tục gì?",
        "muon tu dung ten chu ho rieng thi lam sao",
    ),
    (
        "xe.thu_hoi",
        "Tôi đã bán ô tô, người mua bảo tôi phải đi rút hồ sơ gốc, làm ở đâu?",
        "Bán xe rồi, người mua bảo phải đi rút hồ sơ gốc thì làm ở đâu?",
    ),
    (
        "liet_si.tra_cuu_thong_tin",
        "Ông chú tôi hy sinh năm 1972, gia đình chưa tìm được mộ, nhờ ai hỗ trợ?",
        "Bác tôi hy sinh trong chiến tranh, gia đình chưa tìm được mộ thì nhờ ai?",
    ),
    (
        "chung.giay_to_sau_sap_nhap",
        "Huyện tôi bị bỏ rồi, giấy tờ ghi tên huyện cũ có dùng tiếp được không?",
        "giấy tờ còn ghi tên huyện cũ đã bị bỏ thì có dùng tiếp được không",
    ),
];

fn shared_kb() -> Option<Vec<Intent>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(KB);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(ketnoi_bot::parse_kb(&text).unwrap()),
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("{}: {e} (the shared data must sit beside the checkout)", path.display())
        }
        Err(_) => None,
    }
}

/// How many of the later questions the bot answers with their intent.
fn answered(bot: &Bot) -> usize {
    PAIRS
        .iter()
        .filter(|(intent, _, later)| {
            bot.answer(later).answer.map(|i| bot.intent(i).id.as_str()) == Some(*intent)
        })
        .count()
}

#[test]
fn attaching_real_questions_raises_accuracy_on_similar_unseen_ones() {
    let Some(mut intents) = shared_kb() else { return };
    let before = Bot::build(intents.clone());
    let was = answered(&before);
    for (id, taught, _) in PAIRS {
        let intent = intents.iter_mut().find(|i| i.id.as_str() == *id).unwrap();
        intent.examples.push((*taught).to_owned());
    }
    let after = Bot::build(intents);
    let is = answered(&after);
    eprintln!("answered {was} of {} before, {is} after", PAIRS.len());
    assert!(was <= PAIRS.len() / 2, "the bot already answered {was} of {}", PAIRS.len());
    assert!(is >= was + 4, "attaching moved the similar questions answered from {was} to {is}");
}
