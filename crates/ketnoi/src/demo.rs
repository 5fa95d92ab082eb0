//! `serve --demo`: a believable platform to try ketnoi on, seeded into an empty database.
//!
//! The areas follow the 2025 reform: Hà Giang province was merged into Tuyên Quang, districts
//! were abolished, and Vị Xuyên is now a commune. Agencies keep a three-level tree (province
//! police → commune police), which is how police units are organised today.

use ketnoi_core::{Area, Phone, Timestamp, policy::Role};
use ketnoi_store::Store;

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

/// (slug, agency, name, kind, verified, description, phone, address)
const ACCOUNTS: &[(&str, &str, &str, &str, bool, &str, &str, &str)] = &[
    (
        "ubnd-tuyen-quang",
        "ubnd-tuyen-quang",
        "UBND tỉnh Tuyên Quang",
        "e-government",
        true,
        "Thông tin chính thức của Ủy ban nhân dân tỉnh Tuyên Quang: tin tức, thủ tục hành chính, dịch vụ công trực tuyến.",
        "0207 3822 345",
        "Số 160 đường Trần Hưng Đạo, phường Minh Xuân, tỉnh Tuyên Quang",
    ),
    (
        "ubnd-vi-xuyen",
        "ubnd-vi-xuyen",
        "UBND xã Vị Xuyên",
        "e-government",
        true,
        "Trang của Ủy ban nhân dân xã Vị Xuyên: lịch tiếp dân, thủ tục hộ tịch, thông báo của xã.",
        "0219 3826 101",
        "Tổ 7, xã Vị Xuyên, tỉnh Tuyên Quang",
    ),
    (
        "ubnd-ha-giang-1",
        "ubnd-ha-giang-1",
        "UBND phường Hà Giang 1",
        "e-government",
        false,
        "Thông tin của Ủy ban nhân dân phường Hà Giang 1.",
        "0219 3866 222",
        "Đường Nguyễn Trãi, phường Hà Giang 1, tỉnh Tuyên Quang",
    ),
    (
        "ca-tuyen-quang",
        "ca-tuyen-quang",
        "Công an tỉnh Tuyên Quang",
        "police",
        true,
        "Kênh thông tin chính thức của Công an tỉnh Tuyên Quang: hướng dẫn thủ tục căn cước, cư trú, đăng ký xe; tiếp nhận tin báo.",
        "069 2591 111",
        "Số 2 đường 17/8, phường Minh Xuân, tỉnh Tuyên Quang",
    ),
    (
        "ca-vi-xuyen",
        "ca-vi-xuyen",
        "Công an xã Vị Xuyên",
        "police",
        true,
        "Công an xã Vị Xuyên hướng dẫn thủ tục cư trú, căn cước và tiếp nhận tin báo về an ninh trật tự trên địa bàn.",
        "0219 3826 113",
        "Tổ 5, xã Vị Xuyên, tỉnh Tuyên Quang",
    ),
    (
        "ca-thanh-thuy",
        "ca-thanh-thuy",
        "Công an xã Thanh Thủy",
        "police",
        false,
        "Công an xã Thanh Thủy (cửa khẩu Thanh Thủy).",
        "0219 3827 113",
        "Thôn Nặm Ngặt, xã Thanh Thủy, tỉnh Tuyên Quang",
    ),
    (
        "ca-ha-giang-1",
        "ca-ha-giang-1",
        "Công an phường Hà Giang 1",
        "police",
        true,
        "Công an phường Hà Giang 1: tiếp dân, cư trú, căn cước, tin báo tội phạm.",
        "0219 3866 113",
        "Đường Trần Phú, phường Hà Giang 1, tỉnh Tuyên Quang",
    ),
    (
        "tinh-doan-tuyen-quang",
        "tinh-doan-tuyen-quang",
        "Tỉnh Đoàn Tuyên Quang",
        "youth",
        true,
        "Hoạt động Đoàn, tình nguyện, hỗ trợ thanh niên khởi nghiệp và việc làm.",
        "0207 3822 588",
        "Đường Đinh Tiên Hoàng, phường Minh Xuân, tỉnh Tuyên Quang",
    ),
    (
        "so-gddt-tuyen-quang",
        "so-gddt-tuyen-quang",
        "Sở Giáo dục và Đào tạo Tuyên Quang",
        "public-service",
        true,
        "Thông tin tuyển sinh, lịch thi và tra cứu kết quả thi của Sở Giáo dục và Đào tạo Tuyên Quang.",
        "0207 3822 391",
        "Đường Tân Trào, phường Minh Xuân, tỉnh Tuyên Quang",
    ),
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
    for (slug, agency, name, kind, verified, description, phone, address) in ACCOUNTS {
        admin::create_account(
            store,
            &AccountCreate {
                slug: Some((*slug).to_owned()),
                agency: (*agency).to_owned(),
                name: (*name).to_owned(),
                kind: (*kind).to_owned(),
                area: None,
                description: (*description).to_owned(),
                office_hours: OFFICE_HOURS.to_owned(),
                phone: (*phone).to_owned(),
                address: (*address).to_owned(),
                verified: *verified,
            },
        )
        .await?;
    }

    let people: [(&str, &str, bool, &[(&str, Role)], &'static str); 4] = [
        ("quantri", "Quản trị nền tảng", true, &[], "quản trị nền tảng / platform administrator"),
        (
            "catinh.admin",
            "Trần Văn Hùng",
            false,
            &[("ca-tuyen-quang", Role::Administrator)],
            "quản trị Công an tỉnh và các đơn vị trực thuộc / administrator of the provincial police and its units",
        ),
        (
            "cavixuyen.canbo",
            "Nguyễn Thị Lan",
            false,
            &[("ca-vi-xuyen", Role::Officer)],
            "cán bộ Công an xã Vị Xuyên / officer, Vị Xuyên commune police",
        ),
        (
            "ubndvixuyen.xem",
            "Hoàng Minh Đức",
            false,
            &[("ubnd-vi-xuyen", Role::Viewer)],
            "chỉ xem, UBND xã Vị Xuyên / viewer, Vị Xuyên people's committee",
        ),
    ];
    let mut staff = Vec::new();
    for (username, name, platform_admin, grants, what) in people {
        let password = admin::generate_password();
        let grants: Vec<(String, Role)> =
            grants.iter().map(|(a, r)| ((*a).to_owned(), *r)).collect();
        admin::create_staff(store, username, name, &password, platform_admin, &grants).await?;
        staff.push((username.to_owned(), password, what));
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
    Ok(DemoCredentials { staff, citizens })
}
