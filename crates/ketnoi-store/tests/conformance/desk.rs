//! The front desk (issue 16): guides and forms inherited down the agency tree, overrides and
//! hiding, legal documents replaced and the guides flagged, menus and their versions.

use ketnoi_core::desk::{
    Day, DeskField, FormDoc, LegalRef, Menu, MenuAction, MenuButton, Override, ProcedureDoc,
    ProcedureLevel,
};
use ketnoi_core::{Account, AgencyId, Timestamp};
use ketnoi_store::*;

use super::{account, agency, seed_areas};

const T0: Timestamp = Timestamp(1_780_000_000_000);

fn day(s: &str) -> Day {
    Day::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

/// Province → district → two communes, each commune with an account, and one at the province.
struct Tree {
    province: AgencyId,
    district: AgencyId,
    commune: AgencyId,
    sibling: AgencyId,
    province_account: Account,
    commune_account: Account,
    sibling_account: Account,
}

impl Tree {
    fn line(&self, agency: AgencyId) -> Vec<AgencyId> {
        if agency == self.province {
            vec![self.province]
        } else if agency == self.district {
            vec![self.district, self.province]
        } else {
            vec![agency, self.district, self.province]
        }
    }
}

async fn tree(s: &dyn Store) -> Tree {
    seed_areas(s).await;
    let province = agency(s, "ca-tinh", "Công an tỉnh", "02", None).await;
    let district = agency(s, "ca-huyen", "Công an huyện", "002", Some(province)).await;
    let commune = agency(s, "ca-xa", "Công an xã Đạo Đức", "00001", Some(district)).await;
    let sibling = agency(s, "ca-xa-ben", "Công an xã bên", "00001", Some(district)).await;
    Tree {
        province,
        district,
        commune,
        sibling,
        province_account: account(s, "ca-tinh", "Công an tỉnh", province, "02").await,
        commune_account: account(s, "ca-xa", "Công an xã Đạo Đức", commune, "00001").await,
        sibling_account: account(s, "ca-xa-ben", "Công an xã bên", sibling, "00001").await,
    }
}

fn law(number: &str) -> LegalRef {
    LegalRef {
        number: number.to_owned(),
        title: format!("Văn bản {number}"),
        issuer: "Quốc hội".to_owned(),
        effective: day("2024-07-01"),
        expires: None,
        superseded_by: None,
        superseded_on: None,
    }
}

fn guide(code: &str, name: &str, template: bool) -> ProcedureDoc {
    ProcedureDoc {
        code: code.to_owned(),
        name: name.to_owned(),
        level: ProcedureLevel::Commune,
        applicants: "Công dân Việt Nam".to_owned(),
        steps: vec!["Nộp hồ sơ".to_owned(), "Nhận kết quả".to_owned()],
        documents: vec!["Tờ khai".to_owned()],
        fee: "Miễn phí".to_owned(),
        processing_time: "7 ngày làm việc".to_owned(),
        office: String::new(),
        address: String::new(),
        hours: "Thứ Hai – Thứ Sáu".to_owned(),
        phone: String::new(),
        online_url: "https://dichvucong.gov.vn".to_owned(),
        notes: String::new(),
        legal_basis: vec![law("26/2023/QH15")],
        forms: vec![],
        locked: vec![DeskField::Fee],
        template,
        demo: false,
    }
}

async fn save(
    s: &dyn Store,
    t: &Tree,
    agency: AgencyId,
    docs: &[ProcedureDoc],
) -> Vec<ketnoi_core::desk::ProcedureId> {
    match s.save_procedures(agency, &t.line(agency), docs, &day("2026-01-01"), T0).await {
        Ok(Ok(ids)) => ids,
        other => panic!("guides not saved: {other:?}"),
    }
}

async fn shown(s: &dyn Store, t: &Tree, account: &Account, code: &str) -> ProcedureDoc {
    s.procedure_for(account.id, &t.line(account.agency), code)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("{code} not shown to {}", account.slug))
        .effective()
}

async fn codes(
    s: &dyn Store,
    t: &Tree,
    account: &Account,
    query: Option<&str>,
    hidden: bool,
) -> Vec<String> {
    s.procedures_for(account.id, &t.line(account.agency), query, hidden)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|l| l.code)
        .collect()
}

async fn a_template_reaches_the_subtree_and_a_later_change_reaches_who_did_not_override(
    s: &dyn Store,
) {
    let t = tree(s).await;
    let [id] = save(s, &t, t.province, &[guide("CCCD-01", "Cấp thẻ căn cước", true)]).await[..]
    else {
        panic!("one id")
    };
    save(s, &t, t.province, &[guide("NOIBO-01", "Quy trình nội bộ của tỉnh", false)]).await;
    // The commune changes its hours and adds a step; the sibling changes nothing.
    let mut over = Override::default();
    over.fields.insert(DeskField::Hours, "Sáng thứ Bảy 7:30–11:00".to_owned());
    over.extra_steps.push("Mang theo sổ hộ khẩu cũ nếu còn".to_owned());
    s.set_override(id, t.commune_account.id, &over, T0).await.unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(codes(s, &t, &t.commune_account, None, false).await, vec!["CCCD-01"]);
    assert_eq!(
        codes(s, &t, &t.province_account, None, false).await,
        vec!["CCCD-01", "NOIBO-01"],
        "the province sees its own guides, templates or not"
    );

    // The province changes the hours and the steps.
    let mut changed = guide("CCCD-01", "Cấp thẻ căn cước", true);
    changed.hours = "Thứ Hai – Thứ Bảy".to_owned();
    changed.steps.insert(0, "Đặt lịch hẹn trực tuyến".to_owned());
    save(s, &t, t.province, &[changed]).await;

    let commune = shown(s, &t, &t.commune_account, "CCCD-01").await;
    assert_eq!(commune.hours, "Sáng thứ Bảy 7:30–11:00", "the commune's own hours stay");
    assert_eq!(commune.steps[0], "Đặt lịch hẹn trực tuyến", "the province's new step reaches it");
    assert_eq!(commune.steps.last().map(String::as_str), Some("Mang theo sổ hộ khẩu cũ nếu còn"));
    let sibling = shown(s, &t, &t.sibling_account, "CCCD-01").await;
    assert_eq!(sibling.hours, "Thứ Hai – Thứ Bảy", "who did not override follows the template");
    assert_eq!(sibling.steps.len(), 3);

    let lines = s
        .procedures_for(t.commune_account.id, &t.line(t.commune), None, false)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(lines[0].inherited && lines[0].overridden && !lines[0].hidden);
    let overrides = s.overrides_of(id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(overrides.len(), 1);
    assert_eq!(overrides[0].0, t.commune_account.id);

    // A guide of the commune's own with the same code wins over the template.
    save(s, &t, t.commune, &[guide("CCCD-01", "Cấp căn cước tại xã", false)]).await;
    assert_eq!(shown(s, &t, &t.commune_account, "CCCD-01").await.name, "Cấp căn cước tại xã");
    assert_eq!(shown(s, &t, &t.sibling_account, "CCCD-01").await.name, "Cấp thẻ căn cước");
    assert_eq!(codes(s, &t, &t.commune_account, None, false).await, vec!["CCCD-01"]);
}

async fn a_hidden_guide_leaves_the_catalogue_and_search_finds_words_without_marks(s: &dyn Store) {
    let t = tree(s).await;
    let ids = save(
        s,
        &t,
        t.province,
        &[guide("CT-01", "Đăng ký thường trú", true), guide("XE-01", "Đăng ký xe mô tô", true)],
    )
    .await;
    assert_eq!(codes(s, &t, &t.commune_account, Some("dang ky xe"), false).await, vec!["XE-01"]);
    assert_eq!(codes(s, &t, &t.commune_account, Some("THƯỜNG TRÚ"), false).await, vec!["CT-01"]);
    assert_eq!(codes(s, &t, &t.commune_account, Some("xe-01"), false).await, vec!["XE-01"]);
    assert!(codes(s, &t, &t.commune_account, Some("khai sinh"), false).await.is_empty());

    let hide = Override { hidden: true, ..Override::default() };
    s.set_override(ids[1], t.commune_account.id, &hide, T0).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(codes(s, &t, &t.commune_account, None, false).await, vec!["CT-01"]);
    assert_eq!(codes(s, &t, &t.commune_account, None, true).await, vec!["CT-01", "XE-01"]);
    assert_eq!(codes(s, &t, &t.sibling_account, None, false).await, vec!["CT-01", "XE-01"]);
    // Showing it again is an empty override.
    s.set_override(ids[1], t.commune_account.id, &Override::default(), T0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(codes(s, &t, &t.commune_account, None, false).await.len(), 2);
    assert!(s.overrides_of(ids[1]).await.unwrap_or_default().is_empty());
}

async fn form(s: &dyn Store, agency: AgencyId, code: &str) -> ketnoi_core::desk::FormId {
    let doc = FormDoc {
        code: code.to_owned(),
        title: format!("Tờ khai {code}"),
        description: String::new(),
        version: "2024".to_owned(),
        effective: Some(day("2024-07-01")),
        superseded_by: None,
    };
    let new = NewForm {
        agency,
        doc,
        blob_key: format!("forms/{code}"),
        content_type: "application/pdf".to_owned(),
        file_name: format!("{code}.pdf"),
        size: 1234,
    };
    s.save_form(&new, T0).await.unwrap_or_else(|e| panic!("{e}"))
}

async fn replacing_a_law_flags_every_guide_that_cites_it_and_their_forms(s: &dyn Store) {
    let t = tree(s).await;
    form(s, t.province, "CT01").await;
    let mut template = guide("CT-01", "Đăng ký thường trú", true);
    template.forms = vec!["CT01".to_owned()];
    template.legal_basis = vec![law("68/2020/QH14")];
    let ids =
        save(s, &t, t.province, &[template.clone(), guide("CC-01", "Cấp căn cước", true)]).await;
    let mut own = guide("XA-01", "Xác nhận cư trú tại xã", false);
    own.legal_basis = vec![law("68/2020/QH14")];
    save(s, &t, t.commune, &[own.clone()]).await;
    // A replacement to name: entered by the province with another guide.
    let mut newer = guide("CT-02", "Đăng ký tạm trú", true);
    newer.legal_basis = vec![law("99/2026/QH15")];
    save(s, &t, t.province, &[newer]).await;

    // Only the agency that entered a document may mark it replaced.
    let refused = s
        .supersede_legal("68/2020/QH14", Some("99/2026/QH15"), &day("2026-07-01"), t.commune, T0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(refused, Err(DeskRefusal::NotOwner { .. })), "{refused:?}");

    let flagged = s
        .supersede_legal("68/2020/QH14", Some("99/2026/QH15"), &day("2026-07-01"), t.province, T0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(flagged, Ok(2), "the province's template and the commune's own guide");

    let lines = s
        .procedures_for(t.commune_account.id, &t.line(t.commune), None, false)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let stale: Vec<&str> =
        lines.iter().filter(|l| l.stale_since.is_some()).map(|l| l.code.as_str()).collect();
    assert_eq!(stale, vec!["CT-01", "XA-01"]);
    // Above, the province and the district see what their units owe; the commune sees nothing
    // below it.
    let below = s.stale_below(t.province, 10).await.unwrap_or_default();
    assert_eq!(
        below,
        vec![(
            "Công an xã Đạo Đức".to_owned(),
            "XA-01".to_owned(),
            "Xác nhận cư trú tại xã".to_owned()
        )]
    );
    assert_eq!(s.stale_below(t.district, 10).await.map(|v| v.len()).ok(), Some(1));
    assert_eq!(s.stale_below(t.commune, 10).await.map(|v| v.len()).ok(), Some(0));
    let forms = s.forms_for(&t.line(t.sibling), None).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(forms.len(), 1);
    let users = s.guides_using_form(t.sibling_account.id, &t.line(t.sibling), "CT01").await;
    assert_eq!(
        users.unwrap_or_default().iter().map(|g| g.code.as_str()).collect::<Vec<_>>(),
        vec!["CT-01"]
    );
    let none = s.guides_using_form(t.sibling_account.id, &t.line(t.sibling), "KHAC").await;
    assert_eq!(none.map(|v| v.len()).ok(), Some(0));
    assert!(forms[0].stale, "the form of a flagged guide is flagged");

    let shown = s
        .procedure_for(t.commune_account.id, &t.line(t.commune), "CT-01")
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("shown"));
    assert_eq!(shown.procedure.stale_doc.as_deref(), Some("68/2020/QH14"));
    assert_eq!(shown.procedure.doc.legal_basis[0].superseded_by.as_deref(), Some("99/2026/QH15"));

    // Reviewing is refused while the guide still cites the replaced law…
    let review =
        s.review_procedure(ids[0], &day("2026-08-01"), T0).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(review, Err("68/2020/QH14".to_owned()));
    // …and saving it with the new one clears the flag.
    template.legal_basis = vec![law("99/2026/QH15")];
    save(s, &t, t.province, &[template]).await;
    let forms = s.forms_for(&t.line(t.sibling), None).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(!forms[0].stale);
    let p = s.procedure(ids[0]).await.ok().flatten().unwrap_or_else(|| panic!("guide"));
    assert_eq!(p.stale_since, None);
    // By name: "Cấp căn cước", "Đăng ký tạm trú", "Đăng ký thường trú", "Xác nhận…".
    assert_eq!(
        codes(s, &t, &t.commune_account, None, false).await,
        vec!["CC-01", "CT-02", "CT-01", "XA-01"]
    );
    // The guide that was not touched stays flagged.
    let still =
        s.procedure_for(t.commune_account.id, &t.line(t.commune), "XA-01").await.ok().flatten();
    assert!(still.is_some_and(|p| p.procedure.stale_since.is_some()));

    // A circle of replacements is refused and changes nothing.
    let circle = s
        .supersede_legal("99/2026/QH15", Some("68/2020/QH14"), &day("2026-09-01"), t.province, T0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(circle, Err(DeskRefusal::Cycle { .. })), "{circle:?}");
    let kept = s.legal_doc("99/2026/QH15").await.ok().flatten().unwrap_or_else(|| panic!("doc"));
    assert_eq!(kept.doc.superseded_on, None);
}

async fn a_law_past_its_expiry_flags_its_guides_once(s: &dyn Store) {
    let t = tree(s).await;
    let mut g = guide("TT-01", "Khai báo tạm vắng", true);
    g.legal_basis = vec![LegalRef { expires: Some(day("2026-06-30")), ..law("55/2014/QH13") }];
    save(s, &t, t.province, &[g]).await;
    assert_eq!(s.flag_lapsed(&day("2026-06-29"), T0).await.ok(), Some(0));
    assert_eq!(s.flag_lapsed(&day("2026-06-30"), T0).await.ok(), Some(1));
    assert_eq!(s.flag_lapsed(&day("2026-07-01"), T0).await.ok(), Some(0), "already flagged");
}

async fn a_batch_of_guides_is_stored_whole_or_not_at_all(s: &dyn Store) {
    let t = tree(s).await;
    form(s, t.province, "CT01").await;
    let mut a = guide("CT-01", "Đăng ký thường trú", true);
    a.forms = vec!["CT01".to_owned()];
    a.legal_basis = vec![law("68/2020/QH14"), law("26/2023/QH15")];
    a.locked = vec![DeskField::Fee, DeskField::Office];
    let b = guide("CC-01", "Cấp căn cước", true);
    save(s, &t, t.province, &[a.clone(), b.clone()]).await;
    let back = s.agency_procedures(t.province).await.unwrap_or_else(|e| panic!("{e}"));
    let docs: Vec<ProcedureDoc> = back.into_iter().map(|p| p.doc).collect();
    assert_eq!(docs, vec![b.clone(), a.clone()], "by name, as written");

    // A duplicate code, an unknown form: refused, nothing of the batch kept.
    let dup = s
        .save_procedures(
            t.province,
            &t.line(t.province),
            &[guide("X-1", "Một", true), guide("X-1", "Hai", true)],
            &day("2026-01-01"),
            T0,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dup, Err(DeskRefusal::DuplicateCode { index: 1, code: "X-1".to_owned() }));
    let mut unknown = guide("X-2", "Ba", true);
    unknown.forms = vec!["KHONG-CO".to_owned()];
    unknown.legal_basis = vec![law("1/2099/QH99")];
    let refused = s
        .save_procedures(
            t.province,
            &t.line(t.province),
            &[guide("X-3", "Bốn", true), unknown],
            &day("2026-01-01"),
            T0,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(refused, Err(DeskRefusal::UnknownForm { index: 1, code: "KHONG-CO".to_owned() }));
    assert_eq!(s.agency_procedures(t.province).await.map(|v| v.len()).ok(), Some(2));
    assert_eq!(s.legal_doc("1/2099/QH99").await.ok(), Some(None), "its law was not kept either");

    // A document replaced by one nobody entered, and a circle within one batch.
    let mut orphan = guide("X-4", "Năm", true);
    orphan.legal_basis =
        vec![LegalRef { superseded_by: Some("0/0000/KHONG".to_owned()), ..law("2/2099/QH99") }];
    let refused = s
        .save_procedures(t.province, &t.line(t.province), &[orphan], &day("2026-01-01"), T0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(refused, Err(DeskRefusal::UnknownDocument { index: Some(0), .. })),
        "{refused:?}"
    );
    let mut circle = guide("X-5", "Sáu", true);
    circle.legal_basis = vec![
        LegalRef { superseded_by: Some("4/2099/QH99".to_owned()), ..law("3/2099/QH99") },
        LegalRef { superseded_by: Some("3/2099/QH99".to_owned()), ..law("4/2099/QH99") },
    ];
    let refused = s
        .save_procedures(t.province, &t.line(t.province), &[circle], &day("2026-01-01"), T0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(refused, Err(DeskRefusal::Cycle { index: Some(0), .. })), "{refused:?}");
    assert_eq!(s.legal_doc("3/2099/QH99").await.ok(), Some(None));
}

fn menu(labels: &[&str]) -> Menu {
    Menu {
        buttons: labels
            .iter()
            .map(|l| MenuButton {
                label: (*l).to_owned(),
                action: Some(MenuAction::Procedures),
                value: String::new(),
                buttons: vec![],
            })
            .collect(),
    }
}

async fn an_account_shows_its_own_menu_else_the_nearest_template_and_versions_roll_back(
    s: &dyn Store,
) {
    let t = tree(s).await;
    let line = t.line(t.commune);
    assert_eq!(s.menu_for(t.commune_account.id, &line).await.ok(), Some(None));
    s.publish_menu(MenuOwner::Agency(t.province), &menu(&["Tỉnh"]), None, T0).await.ok();
    s.publish_menu(MenuOwner::Agency(t.district), &menu(&["Huyện 1"]), None, T0).await.ok();
    let v2 = s.publish_menu(MenuOwner::Agency(t.district), &menu(&["Huyện 2"]), None, T0).await;
    assert_eq!(v2.ok(), Some(2));
    let shown = s.menu_for(t.commune_account.id, &line).await.ok().flatten();
    assert_eq!(
        shown.map(|m| m.menu),
        Some(menu(&["Huyện 2"])),
        "the nearest agency, newest version"
    );
    let province = s.menu_for(t.province_account.id, &t.line(t.province)).await.ok().flatten();
    assert_eq!(province.map(|m| m.menu), Some(menu(&["Tỉnh"])));

    s.publish_menu(MenuOwner::Account(t.commune_account.id), &menu(&["Xã"]), None, T0).await.ok();
    let own = s.menu_for(t.commune_account.id, &line).await.ok().flatten();
    assert_eq!(own.as_ref().map(|m| m.owner), Some(MenuOwner::Account(t.commune_account.id)));
    assert_eq!(own.map(|m| m.menu), Some(menu(&["Xã"])));
    let sibling = s.menu_for(t.sibling_account.id, &t.line(t.sibling)).await.ok().flatten();
    assert_eq!(sibling.map(|m| m.menu), Some(menu(&["Huyện 2"])));

    // Rolling back is publishing an earlier version again.
    let versions = s.menu_versions(MenuOwner::Agency(t.district), 10).await.unwrap_or_default();
    assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), vec![2, 1]);
    s.publish_menu(MenuOwner::Agency(t.district), &versions[1].menu, None, T0).await.ok();
    let back = s.menu_for(t.sibling_account.id, &t.line(t.sibling)).await.ok().flatten();
    assert_eq!(back.as_ref().map(|m| m.version), Some(3));
    assert_eq!(back.map(|m| m.menu), Some(menu(&["Huyện 1"])));

    assert_eq!(s.drop_account_menu(t.commune_account.id).await.ok(), Some(true));
    let inherited = s.menu_for(t.commune_account.id, &line).await.ok().flatten();
    assert_eq!(inherited.map(|m| m.menu), Some(menu(&["Huyện 1"])));
}

async fn an_offered_knowledge_base_is_found_by_agency_and_keeps_its_links(s: &dyn Store) {
    let t = tree(s).await;
    let intent = |id: &str, code: Option<&str>| {
        ketnoi_core::Intent::new(id, "Căn cước", "Làm căn cước ở đâu?", "Tại công an xã.", &[])
            .and_then(|i| i.linked(code))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let intents = [intent("can_cuoc", Some("CCCD-01")), intent("gio", None)];
    s.replace_bot_intents(t.province_account.id, &intents, T0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let back = s.bot_intents(t.province_account.id).await.unwrap_or_default();
    assert_eq!(back, intents.to_vec(), "the link to the guide is kept");
    assert!(s.shared_knowledge(&t.line(t.commune)).await.unwrap_or_default().is_empty());

    s.set_bot_shared(t.province_account.id, true, T0).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        s.bot_settings(t.province_account.id).await.is_ok_and(|b| b.shared && b.kb_version == 1)
    );
    let offered = s.shared_knowledge(&t.line(t.commune)[1..]).await.unwrap_or_default();
    assert_eq!(offered, vec![(t.province_account.id, t.province, 1)]);
    // An account that offers but has no intents offers nothing.
    s.set_bot_shared(t.commune_account.id, true, T0).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.shared_knowledge(&[t.commune]).await.map(|v| v.len()).ok(), Some(0));
    s.set_bot_shared(t.province_account.id, false, T0).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(s.shared_knowledge(&[t.province]).await.unwrap_or_default().is_empty());
}

conformance!(
    an_offered_knowledge_base_is_found_by_agency_and_keeps_its_links,
    a_template_reaches_the_subtree_and_a_later_change_reaches_who_did_not_override,
    a_hidden_guide_leaves_the_catalogue_and_search_finds_words_without_marks,
    replacing_a_law_flags_every_guide_that_cites_it_and_their_forms,
    a_law_past_its_expiry_flags_its_guides_once,
    a_batch_of_guides_is_stored_whole_or_not_at_all,
    an_account_shows_its_own_menu_else_the_nearest_template_and_versions_roll_back,
);
