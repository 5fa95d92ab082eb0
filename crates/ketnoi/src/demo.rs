//! `serve --demo`: a believable platform to try ketnoi on, seeded into an empty database.
//!
//! The areas follow the 2025 reform: Hà Giang province was merged into Tuyên Quang, districts
//! were abolished, and Vị Xuyên is now a commune. Agencies keep a three-level tree (province
//! police → commune police), which is how police units are organised today.

use ketnoi_core::{Area, Phone, Timestamp, policy::Role};
use ketnoi_store::{BotSettingsUpdate, Store};

use crate::{admin, cli::AccountCreate};

/// The demo's sign-in details, printed once by `serve --demo`.
#[derive(Debug)]
pub struct DemoCredentials {
    /// (username, password, what they can do).
    pub staff: Vec<(String, String, &'static str)>,
    /// Phones of the demo citizens (sign in with the code the API returns in demo mode).
    pub citizens: Vec<Phone>,
}

const AREAS: &[(&str, &str, &str, &str, &str)] = &[
    ("VN", "Việt Nam", "country", "quốc gia", ""),
    ("08", "Tuyên Quang", "province", "tỉnh", "VN"),
    ("00694", "Phường Hà Giang 1", "commune", "phường", "08"),
    ("00691", "Phường Hà Giang 2", "commune", "phường", "08"),
    ("00913", "Xã Vị Xuyên", "commune", "xã", "08"),
    ("00928", "Xã Thanh Thủy", "commune", "xã", "08"),
    ("00925", "Xã Tùng Bá", "commune", "xã", "08"),
    ("00706", "Xã Phú Linh", "commune", "xã", "08"),
];

/// (code, name, kind, area, parent)
const AGENCIES: &[(&str, &str, &str, &str, Option<&str>)] = &[
    ("ubnd-tuyen-quang", "Ủy ban nhân dân tỉnh Tuyên Quang", "peoples-committee", "08", None),
    (
        "ubnd-vi-xuyen",
        "Ủy ban nhân dân xã Vị Xuyên",
        "peoples-committee",
        "00913",
        Some("ubnd-tuyen-quang"),
    ),
    (
        "ubnd-ha-giang-1",
        "Ủy ban nhân dân phường Hà Giang 1",
        "peoples-committee",
        "00694",
        Some("ubnd-tuyen-quang"),
    ),
    ("ca-tuyen-quang", "Công an tỉnh Tuyên Quang", "police", "08", None),
    ("ca-vi-xuyen", "Công an xã Vị Xuyên", "police", "00913", Some("ca-tuyen-quang")),
    ("ca-thanh-thuy", "Công an xã Thanh Thủy", "police", "00928", Some("ca-tuyen-quang")),
    ("ca-ha-giang-1", "Công an phường Hà Giang 1", "police", "00694", Some("ca-tuyen-quang")),
    ("tinh-doan-tuyen-quang", "Tỉnh Đoàn Tuyên Quang", "youth-union", "08", None),
    (
        "so-gddt-tuyen-quang",
        "Sở Giáo dục và Đào tạo Tuyên Quang",
        "education",
        "08",
        Some("ubnd-tuyen-quang"),
    ),
];

const OFFICE_HOURS: &str = "Thứ Hai – Thứ Sáu: 7:30–11:30, 13:30–17:00";

/// A demo account; each belongs to the agency whose code is its slug.
struct DemoAccount {
    slug: &'static str,
    name: &'static str,
    kind: &'static str,
    verified: bool,
    description: &'static str,
    phone: &'static str,
    address: &'static str,
}

const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        slug: "ubnd-tuyen-quang",
        name: "UBND tỉnh Tuyên Quang",
        kind: "e-government",
        verified: true,
        description: "Thông tin chính thức của Ủy ban nhân dân tỉnh Tuyên Quang: tin tức, thủ tục hành chính, dịch vụ công trực tuyến.",
        phone: "0207 3822 345",
        address: "Số 160 đường Trần Hưng Đạo, phường Minh Xuân, tỉnh Tuyên Quang",
    },
    DemoAccount {
        slug: "ubnd-vi-xuyen",
        name: "UBND xã Vị Xuyên",
        kind: "e-government",
        verified: true,
        description: "Trang của Ủy ban nhân dân xã Vị Xuyên: lịch tiếp dân, thủ tục hộ tịch, thông báo của xã.",
        phone: "0219 3826 101",
        address: "Tổ 7, xã Vị Xuyên, tỉnh Tuyên Quang",
    },
    DemoAccount {
        slug: "ubnd-ha-giang-1",
        name: "UBND phường Hà Giang 1",
        kind: "e-government",
        verified: false,
        description: "Thông tin của Ủy ban nhân dân phường Hà Giang 1.",
        phone: "0219 3866 222",
        address: "Đường Nguyễn Trãi, phường Hà Giang 1, tỉnh Tuyên Quang",
    },
    DemoAccount {
        slug: "ca-tuyen-quang",
        name: "Công an tỉnh Tuyên Quang",
        kind: "police",
        verified: true,
        description: "Kênh thông tin chính thức của Công an tỉnh Tuyên Quang: hướng dẫn thủ tục căn cước, cư trú, đăng ký xe; tiếp nhận tin báo.",
        phone: "069 2591 111",
        address: "Số 2 đường 17/8, phường Minh Xuân, tỉnh Tuyên Quang",
    },
    DemoAccount {
        slug: "ca-vi-xuyen",
        name: "Công an xã Vị Xuyên",
        kind: "police",
        verified: true,
        description: "Công an xã Vị Xuyên hướng dẫn thủ tục cư trú, căn cước và tiếp nhận tin báo về an ninh trật tự trên địa bàn.",
        phone: "0219 3826 113",
        address: "Tổ 5, xã Vị Xuyên, tỉnh Tuyên Quang",
    },
    DemoAccount {
        slug: "ca-thanh-thuy",
        name: "Công an xã Thanh Thủy",
        kind: "police",
        verified: false,
        description: "Công an xã Thanh Thủy (cửa khẩu Thanh Thủy).",
        phone: "0219 3827 113",
        address: "Thôn Nặm Ngặt, xã Thanh Thủy, tỉnh Tuyên Quang",
    },
    DemoAccount {
        slug: "ca-ha-giang-1",
        name: "Công an phường Hà Giang 1",
        kind: "police",
        verified: true,
        description: "Công an phường Hà Giang 1: tiếp dân, cư trú, căn cước, tin báo tội phạm.",
        phone: "0219 3866 113",
        address: "Đường Trần Phú, phường Hà Giang 1, tỉnh Tuyên Quang",
    },
    DemoAccount {
        slug: "tinh-doan-tuyen-quang",
        name: "Tỉnh Đoàn Tuyên Quang",
        kind: "youth",
        verified: true,
        description: "Hoạt động Đoàn, tình nguyện, hỗ trợ thanh niên khởi nghiệp và việc làm.",
        phone: "0207 3822 588",
        address: "Đường Đinh Tiên Hoàng, phường Minh Xuân, tỉnh Tuyên Quang",
    },
    DemoAccount {
        slug: "so-gddt-tuyen-quang",
        name: "Sở Giáo dục và Đào tạo Tuyên Quang",
        kind: "public-service",
        verified: true,
        description: "Thông tin tuyển sinh, lịch thi và tra cứu kết quả thi của Sở Giáo dục và Đào tạo Tuyên Quang.",
        phone: "0207 3822 391",
        address: "Đường Tân Trào, phường Minh Xuân, tỉnh Tuyên Quang",
    },
];

/// A demo staff member.
struct DemoStaff {
    username: &'static str,
    name: &'static str,
    platform_admin: bool,
    grant: Option<(&'static str, Role)>,
    what: &'static str,
}

const STAFF: &[DemoStaff] = &[
    DemoStaff {
        username: "quantri",
        name: "Quản trị nền tảng",
        platform_admin: true,
        grant: None,
        what: "quản trị nền tảng / platform administrator",
    },
    DemoStaff {
        username: "catinh.admin",
        name: "Trần Văn Hùng",
        platform_admin: false,
        grant: Some(("ca-tuyen-quang", Role::Administrator)),
        what: "quản trị Công an tỉnh và các đơn vị trực thuộc / provincial police administrator",
    },
    DemoStaff {
        username: "cavixuyen.canbo",
        name: "Nguyễn Thị Lan",
        platform_admin: false,
        grant: Some(("ca-vi-xuyen", Role::Officer)),
        what: "cán bộ Công an xã Vị Xuyên / officer, Vị Xuyên commune police",
    },
    DemoStaff {
        username: "ubndvixuyen.xem",
        name: "Hoàng Minh Đức",
        platform_admin: false,
        grant: Some(("ubnd-vi-xuyen", Role::Viewer)),
        what: "chỉ xem, UBND xã Vị Xuyên / viewer, Vị Xuyên people's committee",
    },
];

/// Whether the database already holds a platform (then the demo leaves it alone).
pub async fn is_empty(store: &dyn Store) -> anyhow::Result<bool> {
    Ok(store.agencies().await?.is_empty())
}

/// Seeds the demo platform. Call only on an empty database.
pub async fn seed(store: &dyn Store) -> anyhow::Result<DemoCredentials> {
    let areas = AREAS
        .iter()
        .map(|(code, name, level, division, parent)| {
            Area::parse(code, name, level, division, parent)
        })
        .collect::<Result<Vec<_>, _>>()?;
    store.upsert_areas(&areas).await?;
    for (code, name, kind, area, parent) in AGENCIES {
        let parent = match parent {
            Some(p) => store.agency_by_code(&p.parse()?).await?.map(|a| a.id),
            None => None,
        };
        let new =
            ketnoi_core::NewAgency::new(code.parse()?, name, kind.parse()?, area.parse()?, parent)?;
        store.create_agency(&new).await?;
    }
    for a in ACCOUNTS {
        admin::create_account(
            store,
            &AccountCreate {
                slug: Some(a.slug.to_owned()),
                agency: a.slug.to_owned(),
                name: a.name.to_owned(),
                kind: a.kind.to_owned(),
                area: None,
                description: a.description.to_owned(),
                office_hours: OFFICE_HOURS.to_owned(),
                phone: a.phone.to_owned(),
                address: a.address.to_owned(),
                verified: a.verified,
            },
        )
        .await?;
    }

    // Every demo police and commune account starts from the shipped knowledge base; the
    // commune's bot is on, the police bot waits for its officer to turn it on in the console.
    let default_kb = ketnoi_bot::default_kb();
    for (slug, enabled) in [("ca-vi-xuyen", false), ("ubnd-vi-xuyen", true)] {
        if let Some(account) = store.account_by_slug(&slug.parse()?).await? {
            store.replace_bot_intents(account.id, &default_kb, Timestamp::now()).await?;
            let settings = BotSettingsUpdate {
                enabled,
                welcome: format!(
                    "Chào bạn! Đây là tài khoản chính thức của {}. Bạn có thể hỏi về thủ tục hành chính; trợ lý tự động sẽ trả lời ngay, câu nào chưa chắc sẽ được chuyển cho cán bộ.",
                    account.display_name
                ),
                away_message: String::new(),
            };
            store.save_bot_settings(account.id, &settings, Timestamp::now()).await?;
        }
    }

    let mut staff = Vec::new();
    for member in STAFF {
        let password = admin::generate_password();
        let grants: Vec<(String, Role)> =
            member.grant.iter().map(|(a, r)| ((*a).to_owned(), *r)).collect();
        let (username, name) = (member.username, member.name);
        admin::create_staff(store, username, name, &password, member.platform_admin, &grants)
            .await?;
        staff.push((username.to_owned(), password, member.what));
    }

    let now = Timestamp::now();
    let mut citizens = Vec::new();
    let follows: [(&str, &[&str]); 3] = [
        ("0912000001", &["ca-vi-xuyen", "ubnd-vi-xuyen"]),
        ("0987000002", &["ca-tuyen-quang", "so-gddt-tuyen-quang", "tinh-doan-tuyen-quang"]),
        ("0356000003", &["ca-ha-giang-1"]),
    ];
    for (phone, slugs) in follows {
        let phone = Phone::parse(phone)?;
        let citizen = store.citizen_for_phone(&phone, now).await?;
        for slug in slugs {
            if let Some(account) = store.account_by_slug(&slug.parse()?).await? {
                store.follow(citizen.id, account.id, now).await?;
            }
        }
        citizens.push(phone);
    }
    if let Some(first) = citizens.first() {
        let citizen = store.citizen_for_phone(first, now).await?;
        store.set_citizen_area(citizen.id, Some(&"00913".parse()?)).await?;
    }
    seed_news(store, now).await?;
    Ok(DemoCredentials { staff, citizens })
}

/// (account, title, summary, Markdown body) of the demo's published articles.
const ARTICLES: &[(&str, &str, &str, &str)] = &[
    (
        "ca-tuyen-quang",
        "Cảnh báo thủ đoạn giả danh công an gọi điện yêu cầu chuyển tiền",
        "Công an không bao giờ gọi điện yêu cầu người dân chuyển tiền hay cung cấp mã OTP.",
        "## Thủ đoạn

Đối tượng gọi điện, xưng là cán bộ công an, nói người nghe liên quan đến một vụ án và yêu cầu **chuyển tiền vào tài khoản tạm giữ** hoặc đọc mã OTP.

## Cần làm gì

- Không chuyển tiền, không đọc mã OTP cho bất kỳ ai.
- Gọi **113** hoặc đến trụ sở công an gần nhất để xác minh.
- Gửi tin báo qua trang của Công an tỉnh nếu đã bị lừa.",
    ),
    (
        "ubnd-tuyen-quang",
        "Hướng dẫn nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia",
        "Các bước đăng nhập bằng tài khoản định danh điện tử và nộp hồ sơ không cần đến trụ sở.",
        "1. Truy cập [Cổng Dịch vụ công quốc gia](https://dichvucong.gov.vn).
2. Đăng nhập bằng tài khoản **VNeID** mức 2.
3. Tìm thủ tục, điền tờ khai và đính kèm giấy tờ.
4. Theo dõi kết quả trong mục *Hồ sơ của tôi*.",
    ),
];

/// A few published articles and a broadcast, so the news pages have something to show.
async fn seed_news(store: &dyn Store, now: Timestamp) -> anyhow::Result<()> {
    use ketnoi_store::{ArticleDraft, BroadcastBody, NewBroadcast};
    for (slug, title, summary, body) in ARTICLES {
        let Some(account) = store.account_by_slug(&slug.parse()?).await? else { continue };
        let draft = ArticleDraft {
            title: (*title).to_owned(),
            summary: (*summary).to_owned(),
            body: (*body).to_owned(),
            body_html: ketnoi_server::features::news::render::markdown(body),
            cover: None,
            state: ketnoi_core::ArticleState::Published,
            publish_at: None,
        };
        let url = ketnoi_core::news::article_slug(title);
        store.create_article(account.id, &url, &draft, None, now).await?;
    }
    if let Some(account) = store.account_by_slug(&"ubnd-vi-xuyen".parse()?).await? {
        let broadcast = NewBroadcast {
            account: account.id,
            body: BroadcastBody::Text {
                text: "Lịch tiếp công dân: sáng thứ Ba và thứ Năm hằng tuần, 7:30–11:00, tại trụ sở UBND xã Vị Xuyên.".to_owned(),
            },
            audience: ketnoi_core::Audience::everyone(),
            alert: None,
            send_at: now,
            author: None,
            created_at: now,
        };
        if let Err(refusal) = store.create_broadcast(&broadcast, None).await? {
            anyhow::bail!("demo broadcast refused: {refusal:?}");
        }
    }
    Ok(())
}

/// The demo's exam candidate everyone can try: number, name, birth date.
pub const DEMO_CANDIDATE: (&str, &str, &str) = ("08000001", "Nguyễn Văn Đức", "15/03/2008");

/// A small, fixed pseudo-random sequence (the demo must be the same on every machine).
struct Dice(u64);

impl Dice {
    fn next(&mut self, n: usize) -> usize {
        self.0 =
            self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next(items.len())]
    }
}

const SURNAMES: &[&str] =
    &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ma", "Hà", "Lục"];
const MIDDLES: &[&str] = &["Văn", "Thị", "Minh", "Đức", "Thu", "Ngọc", "Quang", "Thanh"];
const GIVEN: &[&str] = &[
    "An", "Bình", "Đức", "Hà", "Hương", "Khánh", "Lan", "Long", "Mai", "Nam", "Phúc", "Quân",
    "Sơn", "Thảo", "Trang", "Việt",
];
const COMMUNES: &[&str] = &[
    "xã Vị Xuyên",
    "xã Đạo Đức",
    "xã Thanh Thủy",
    "phường Hà Giang 1",
    "xã Phú Linh",
    "xã Tùng Bá",
];
const PROVINCES: &[&str] =
    &["Hà Giang", "Tuyên Quang", "Thái Bình", "Nam Định", "Thanh Hóa", "Nghệ An"];

/// A score such as `7.25`, in quarter points.
fn score(dice: &mut Dice) -> String {
    let quarters = 12 + dice.next(29);
    format!("{}.{:02}", quarters / 4, (quarters % 4) * 25)
}

/// Seeds two small lookup datasets: this year's exam results for the education department
/// (look up by candidate number with the birth date, or type `diem 08000001 15/03/2008` in
/// chat) and the martyrs of the Vị Xuyên front, searchable by name without diacritics. The CSV
/// files go to `blobs`, exactly as an officer's import would.
pub async fn seed_lookups(
    store: &dyn Store,
    blobs: &dyn ketnoi_store::BlobStore,
) -> anyhow::Result<()> {
    use ketnoi_lookup::dataset::Spec;
    let mut dice = Dice(2026);
    let mut exam =
        String::from("so_bao_danh,ho_ten,ngay_sinh,toan,ngu_van,ngoai_ngu,lich_su,dia_li\n");
    let (number, name, born) = DEMO_CANDIDATE;
    exam.push_str(&format!("{number},{name},{born},8.25,7.50,9.00,6.75,8.00\n"));
    for i in 2..=400 {
        let name = format!("{} {} {}", dice.pick(SURNAMES), dice.pick(MIDDLES), dice.pick(GIVEN));
        let born = format!("{:02}/{:02}/2008", 1 + dice.next(28), 1 + dice.next(12));
        let scores: Vec<String> = (0..5).map(|_| score(&mut dice)).collect();
        exam.push_str(&format!("080{i:05},{name},{born},{}\n", scores.join(",")));
    }
    let exam_spec = Spec {
        key: "so_bao_danh".into(),
        verify: vec!["ngay_sinh".into()],
        show: [
            ("so_bao_danh", "Số báo danh"),
            ("ho_ten", "Họ và tên"),
            ("ngay_sinh", "Ngày sinh"),
            ("toan", "Toán"),
            ("ngu_van", "Ngữ văn"),
            ("ngoai_ngu", "Ngoại ngữ"),
            ("lich_su", "Lịch sử"),
            ("dia_li", "Địa lí"),
        ]
        .iter()
        .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
        .collect(),
        search: vec!["ho_ten".into()],
        filters: vec![],
    };

    let mut martyrs =
        String::from("ma_ho_so,ho_ten,nam_sinh,que_quan,don_vi,ngay_hy_sinh,vi_tri_mo\n");
    martyrs.push_str("LS000001,Nguyễn Văn Đức,1962,\"xã Vũ Lăng, Thái Bình\",Sư đoàn 356,12/07/1984,\"Khu A, hàng 3, mộ số 12\"\n");
    for i in 2..=300 {
        let name = format!(
            "{} {} {}",
            dice.pick(SURNAMES),
            dice.pick(&["Văn", "Đức", "Minh", "Quang", "Hữu"]),
            dice.pick(GIVEN)
        );
        let home = format!("{}, {}", dice.pick(COMMUNES), dice.pick(PROVINCES));
        let died =
            format!("{:02}/{:02}/{}", 1 + dice.next(28), 1 + dice.next(12), 1984 + dice.next(6));
        let grave = format!(
            "Khu {}, hàng {}, mộ số {}",
            dice.pick(&["A", "B", "C", "D"]),
            1 + dice.next(30),
            1 + dice.next(60)
        );
        martyrs.push_str(&format!(
            "LS{i:06},{name},{},\"{home}\",Sư đoàn {},{died},\"{grave}\"\n",
            1945 + dice.next(25),
            dice.pick(&["313", "356", "314", "316"])
        ));
    }
    let martyr_spec = Spec {
        key: "ma_ho_so".into(),
        verify: vec![],
        show: [
            ("ma_ho_so", "Mã hồ sơ"),
            ("ho_ten", "Họ và tên"),
            ("nam_sinh", "Năm sinh"),
            ("que_quan", "Quê quán"),
            ("don_vi", "Đơn vị"),
            ("ngay_hy_sinh", "Ngày hy sinh"),
            ("vi_tri_mo", "Vị trí mộ"),
        ]
        .iter()
        .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
        .collect(),
        search: vec!["ho_ten".into(), "que_quan".into()],
        filters: vec!["nam_sinh".into()],
    };

    let datasets = [
        (
            "so-gddt-tuyen-quang",
            "diem-thi",
            "Tra cứu điểm thi tốt nghiệp THPT 2026",
            Some("diem"),
            exam_spec,
            exam,
        ),
        (
            "ubnd-vi-xuyen",
            "liet-si",
            "Tìm mộ liệt sĩ tại Nghĩa trang Vị Xuyên",
            None,
            martyr_spec,
            martyrs,
        ),
    ];
    for (account, dataset, title, command, spec, csv) in datasets {
        let Some(account) = store.account_by_slug(&account.parse()?).await? else { continue };
        let outcome = ketnoi_server::features::lookups::import::import(
            store,
            blobs,
            ketnoi_server::features::lookups::import::Import {
                account: account.id,
                dataset: dataset.parse()?,
                title: title.to_owned(),
                command: command.map(str::to_owned),
                spec,
                bytes: csv.into_bytes(),
                publication: ketnoi_store::Publication::Now,
                by: None,
            },
        )
        .await?;
        if let Err(report) = outcome {
            anyhow::bail!("demo dataset {dataset} does not import: {report}");
        }
    }
    Ok(())
}

/// The key passphrase of the demo officers who hold their units' tip keys. A real officer
/// chooses their own in the browser, and it never reaches the server.
pub const DEMO_TIP_PASSPHRASE: &str = "demo khóa tin báo 2026";

/// Gives the Vị Xuyên commune police and the provincial police tip keys, so that the tip form
/// works from the start: each unit's key pair is made here, its public half stored, its private
/// half wrapped to the officer who holds it (`cavixuyen.canbo`, `catinh.admin`), whose own key
/// is sealed under [`DEMO_TIP_PASSPHRASE`]. Nothing else keeps the private halves.
pub async fn seed_tips(store: &dyn Store) -> anyhow::Result<()> {
    for (unit, officer) in [("ca-vi-xuyen", "cavixuyen.canbo"), ("ca-tuyen-quang", "catinh.admin")]
    {
        let unit = store
            .agency_by_code(&unit.parse()?)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo unit {unit} is missing"))?;
        let (staff, _) = store
            .staff_by_username(&officer.parse()?)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo officer {officer} is missing"))?;
        let personal = ketnoi_seal::KeyPair::generate();
        let sealed = ketnoi_seal::seal_with_passphrase(&personal, DEMO_TIP_PASSPHRASE)?;
        let now = Timestamp::now();
        store
            .put_officer_key(&ketnoi_store::OfficerKey {
                staff: staff.id,
                kid: personal.kid(),
                sealed: serde_json::to_string(&sealed)?,
                created_at: now,
            })
            .await?;
        let unit_key = ketnoi_seal::KeyPair::generate();
        let wrapped = ketnoi_seal::wrap(
            unit_key.secret_bytes().as_slice(),
            &personal.public(),
            ketnoi_seal::Label::Unit,
        )?;
        let copy = ketnoi_store::KeyCopy {
            unit_kid: unit_key.kid(),
            staff: staff.id,
            officer_kid: personal.kid(),
            wrapped: serde_json::to_string(&wrapped)?,
            granted_by: None,
            created_at: now,
        };
        let public = ketnoi_seal::b64u(&unit_key.public());
        store.add_unit_key(unit.id, &unit_key.kid(), &public, None, &[copy], now).await?;
    }
    Ok(())
}

/// The demonstration catalogues: the provincial police's guides (căn cước, residence, vehicles,
/// passports, fire safety) and the provincial people's committee's (civil status, certification),
/// written for the project and marked as demonstration content, with `DEMO-` codes rather than
/// invented official ones.
const DEMO_POLICE_GUIDES: &str = include_str!("../data/demo-procedures-police.jsonl");
const DEMO_COMMUNE_GUIDES: &str = include_str!("../data/demo-procedures-commune.jsonl");

/// The demonstration forms: (owner agency, code, title, what it is for).
const DEMO_FORMS: &[(&str, &str, &str, &str)] = &[
    (
        "ca-tuyen-quang",
        "DEMO-CC01",
        "Tờ khai căn cước (mẫu minh họa)",
        "Dùng khi thông tin của công dân cần điều chỉnh lúc cấp thẻ căn cước.",
    ),
    (
        "ca-tuyen-quang",
        "DEMO-CT01",
        "Tờ khai thay đổi thông tin cư trú (mẫu minh họa)",
        "Dùng cho đăng ký thường trú, tạm trú, khai báo tạm vắng và xác nhận cư trú.",
    ),
    (
        "ca-tuyen-quang",
        "DEMO-DKX",
        "Giấy khai đăng ký xe (mẫu minh họa)",
        "Dùng khi đăng ký hoặc thu hồi đăng ký xe mô tô, xe gắn máy.",
    ),
    (
        "ubnd-tuyen-quang",
        "DEMO-HT01",
        "Tờ khai đăng ký hộ tịch (mẫu minh họa)",
        "Dùng cho khai sinh, khai tử và các việc hộ tịch khác.",
    ),
];

/// Which answers of the starter knowledge base summarise which demonstration guide.
const INTENT_GUIDES: &[(&str, &str)] = &[
    ("can_cuoc.cap_lan_dau", "DEMO-CA-01"),
    ("can_cuoc.cap_doi", "DEMO-CA-02"),
    ("can_cuoc.bi_mat", "DEMO-CA-03"),
    ("cu_tru.thuong_tru", "DEMO-CA-04"),
    ("cu_tru.tam_tru", "DEMO-CA-05"),
    ("cu_tru.tam_vang", "DEMO-CA-06"),
    ("cu_tru.xac_nhan_cu_tru", "DEMO-CA-08"),
    ("xe.dang_ky_xe", "DEMO-CA-09"),
    ("ho_tich.khai_sinh", "DEMO-UB-01"),
    ("ho_tich.ket_hon", "DEMO-UB-02"),
    ("ho_tich.khai_tu", "DEMO-UB-03"),
    ("chung_thuc.ban_sao", "DEMO-UB-04"),
    ("chung_thuc.chu_ky", "DEMO-UB-05"),
    ("ho_tich.trich_luc", "DEMO-UB-06"),
    ("ho_tich.xac_nhan_hon_nhan", "DEMO-UB-07"),
];

/// A one-page PDF that says what it is (ASCII text: the demo's stand-in for a real form).
pub fn demo_pdf(title: &str) -> Vec<u8> {
    let text: String = ketnoi_text::fold(title)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || " .,-".contains(c) { c } else { ' ' })
        .collect();
    let content = format!(
        "BT /F1 16 Tf 56 780 Td ({}) Tj 0 -28 Td /F1 11 Tf (ketnoi demo - not an official form) Tj ET",
        text.to_uppercase()
    );
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Seeds the front desk: the forms, both provincial catalogues as templates for their
/// subtrees, a few local overrides, and template menus (so every demo account shows one).
pub async fn seed_desk(
    store: &dyn Store,
    blobs: &dyn ketnoi_store::BlobStore,
) -> anyhow::Result<()> {
    use ketnoi_core::desk::{Day, DeskField, Menu, MenuAction, MenuButton, Override, ProcedureDoc};
    use ketnoi_store::{MenuOwner, NewForm};
    let now = Timestamp::now();
    let agency = |code: &'static str| async move {
        store
            .agency_by_code(&code.parse()?)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo agency {code} missing"))
    };
    for (owner, code, title, description) in DEMO_FORMS {
        let owner = agency(owner).await?;
        let bytes = demo_pdf(title);
        let key = ketnoi_server::kernel::http::hex(&rand::random::<[u8; 16]>());
        blobs.put(&key, &bytes).await?;
        let doc = ketnoi_core::desk::FormDoc {
            code: (*code).to_owned(),
            title: (*title).to_owned(),
            description: (*description).to_owned(),
            version: "minh họa".to_owned(),
            effective: Some(Day::parse("2025-01-01")?),
            superseded_by: None,
        }
        .checked()?;
        let form = NewForm {
            agency: owner.id,
            doc,
            blob_key: key,
            content_type: "application/pdf".to_owned(),
            file_name: format!("{code}.pdf"),
            size: bytes.len() as i64,
        };
        store.save_form(&form, now).await?;
    }
    for (owner, text) in
        [("ca-tuyen-quang", DEMO_POLICE_GUIDES), ("ubnd-tuyen-quang", DEMO_COMMUNE_GUIDES)]
    {
        let owner = agency(owner).await?;
        let docs = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| Ok(serde_json::from_str::<ProcedureDoc>(l)?.checked()?))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let line = store.agency_ancestry(owner.id).await?;
        store
            .save_procedures(owner.id, &line, &docs, &Day::today(now), now)
            .await?
            .map_err(|r| anyhow::anyhow!("demo catalogue refused: {r:?}"))?;
    }
    // Local details: the commune police open on Saturday mornings for ID cards; the commune
    // office receives civil-status papers at its one-stop desk; Thanh Thủy hides passports
    // (its officers send people to the province).
    let overrides: [(&str, &str, Override); 3] = [
        ("ca-vi-xuyen", "DEMO-CA-01", Override {
            fields: [(DeskField::Hours, "Thứ Hai – Thứ Sáu 7:30–17:00; sáng thứ Bảy 7:30–11:30 (chỉ tiếp nhận căn cước)".to_owned())].into(),
            extra_steps: vec!["Người từ 70 tuổi trở lên hoặc đi lại khó khăn: gọi 0219 3826 113 để cán bộ đến tận nhà".to_owned()],
            hidden: false,
        }),
        ("ubnd-vi-xuyen", "DEMO-UB-01", Override {
            fields: [(DeskField::Office, "Bộ phận Một cửa, UBND xã Vị Xuyên".to_owned())].into(),
            extra_steps: vec![],
            hidden: false,
        }),
        ("ca-thanh-thuy", "DEMO-CA-11", Override { hidden: true, ..Override::default() }),
    ];
    for (slug, code, over) in overrides {
        let Some(account) = store.account_by_slug(&slug.parse()?).await? else { continue };
        let line = store.agency_ancestry(account.agency).await?;
        if let Some(shown) = store.procedure_for(account.id, &line, code).await? {
            store.set_override(shown.procedure.id, account.id, &over, now).await?;
        }
    }
    // The starter knowledge base's answers link to the guides they summarise.
    for slug in ["ca-vi-xuyen", "ubnd-vi-xuyen"] {
        let Some(account) = store.account_by_slug(&slug.parse()?).await? else { continue };
        let line = store.agency_ancestry(account.agency).await?;
        let mut intents = store.bot_intents(account.id).await?;
        for intent in &mut intents {
            let Some((_, code)) = INTENT_GUIDES.iter().find(|(id, _)| *id == intent.id.as_str())
            else {
                continue;
            };
            if store.procedure_for(account.id, &line, code).await?.is_some() {
                intent.procedure = Some((*code).to_owned());
            }
        }
        store.replace_bot_intents(account.id, &intents, now).await?;
    }
    let button = |label: &str, action: MenuAction, value: &str| MenuButton {
        label: label.to_owned(),
        action: Some(action),
        value: value.to_owned(),
        buttons: vec![],
    };
    let group = |label: &str, buttons: Vec<MenuButton>| MenuButton {
        label: label.to_owned(),
        action: None,
        value: String::new(),
        buttons,
    };
    let police = Menu {
        buttons: vec![
            group(
                "Thủ tục hành chính",
                vec![
                    button("Tất cả thủ tục", MenuAction::Procedures, ""),
                    button("Cấp thẻ căn cước", MenuAction::Procedure, "DEMO-CA-01"),
                    button("Đăng ký thường trú", MenuAction::Procedure, "DEMO-CA-04"),
                    button("Đăng ký xe", MenuAction::Procedure, "DEMO-CA-09"),
                    button("Biểu mẫu", MenuAction::Forms, ""),
                ],
            ),
            button("Dịch vụ công", MenuAction::Url, "https://dichvucong.gov.vn"),
            group(
                "Liên hệ",
                vec![
                    button("Gửi tin báo", MenuAction::Tip, ""),
                    button("Hỏi trợ lý", MenuAction::Keyword, "làm căn cước cần gì"),
                    button("Gọi đường dây nóng", MenuAction::Phone, "113"),
                ],
            ),
        ],
    };
    let commune = Menu {
        buttons: vec![
            group(
                "Thủ tục hành chính",
                vec![
                    button("Tất cả thủ tục", MenuAction::Procedures, ""),
                    button("Đăng ký khai sinh", MenuAction::Procedure, "DEMO-UB-01"),
                    button("Đăng ký kết hôn", MenuAction::Procedure, "DEMO-UB-02"),
                    button("Chứng thực", MenuAction::Procedure, "DEMO-UB-04"),
                    button("Biểu mẫu", MenuAction::Forms, ""),
                ],
            ),
            button("Dịch vụ công", MenuAction::Url, "https://dichvucong.gov.vn"),
            button("Hỏi trợ lý", MenuAction::Keyword, "thủ tục khai sinh"),
        ],
    };
    let youth = Menu {
        buttons: vec![
            button("Đoàn Thanh niên", MenuAction::Url, "https://doanthanhnien.vn"),
            button("Hỏi Tỉnh Đoàn", MenuAction::Keyword, "tình nguyện"),
            button("Gọi văn phòng", MenuAction::Phone, "0207 3822 588"),
        ],
    };
    for (code, menu) in [
        ("ca-tuyen-quang", police),
        ("ubnd-tuyen-quang", commune),
        ("tinh-doan-tuyen-quang", youth),
    ] {
        let owner = agency(code).await?;
        store.publish_menu(MenuOwner::Agency(owner.id), &menu, None, now).await?;
    }
    Ok(())
}
