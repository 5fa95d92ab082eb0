//! The administration commands: they open the database directly, so they work whether or not a
//! server is running (SQLite in WAL mode lets both write, one at a time).

use std::{collections::HashMap, io::BufRead as _, path::Path};

use anyhow::{Context as _, bail};
use ketnoi_core::{
    AccountKind, AgencyCode, AgencyKind, Area, AreaCode, AuditAction, DisplayName, NewAccount,
    NewAgency, NewStaff, Slug, Username, policy,
};
use ketnoi_server::kernel::auth;
use ketnoi_store::{SessionKind, Store, Subject};

use crate::{
    audit::record_cli,
    cli::{
        AccountCommand, AccountCreate, AgencyCommand, AreaCommand, IntegrationCommand,
        StaffCommand, TokenCommand,
    },
    t,
};

/// Reads an area CSV: header `code,name,level,division_type,parent_code` (columns in any order;
/// `division_type` optional), UTF-8 with or without a byte-order mark. Errors name their line.
pub fn read_areas(path: &Path) -> anyhow::Result<Vec<Area>> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("{} {}", t("không đọc được", "cannot read"), path.display()))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        anyhow::anyhow!("{}: {e}", t("tệp không phải UTF-8", "the file is not UTF-8"))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = reader.headers()?.clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(code), Some(name), Some(level), Some(parent)) =
        (column("code"), column("name"), column("level"), column("parent_code"))
    else {
        bail!(
            "{}: code,name,level,division_type,parent_code",
            t("dòng tiêu đề phải có các cột", "the header must have the columns")
        );
    };
    let division = column("division_type");
    let mut areas = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.with_context(|| format!("{} {line}", t("dòng", "line")))?;
        let get = |c: usize| record.get(c).unwrap_or("");
        let area =
            Area::parse(get(code), get(name), get(level), division.map_or("", get), get(parent))
                .map_err(|e| {
                    anyhow::anyhow!("{} {line}: {}", t("dòng", "line"), crate::describe(&e))
                })?;
        areas.push(area);
    }
    Ok(areas)
}

/// Checks a batch of areas before it is loaded: no code twice, no parent cycles, and every
/// parent either in the batch or already stored.
pub async fn check_areas(store: &dyn Store, areas: &[Area]) -> anyhow::Result<()> {
    let mut parents: HashMap<&str, Option<&str>> = HashMap::new();
    for a in areas {
        if parents.insert(a.code.as_str(), a.parent.as_ref().map(AreaCode::as_str)).is_some() {
            bail!("{} {}", t("mã địa bàn lặp lại:", "area code appears twice:"), a.code);
        }
    }
    for a in areas {
        let mut seen = vec![a.code.as_str()];
        let mut next = a.parent.as_ref().map(AreaCode::as_str);
        while let Some(code) = next {
            if seen.contains(&code) {
                bail!("{} {}", t("địa bàn lồng vòng qua", "areas form a cycle through"), a.code);
            }
            seen.push(code);
            next = match parents.get(code) {
                Some(parent) => *parent,
                None => {
                    let stored = store.area(&AreaCode::parse(code)?).await?;
                    if stored.is_none() {
                        bail!(
                            "{} {code} ({} {})",
                            t("không có địa bàn cấp trên", "no such parent area"),
                            t("của", "of"),
                            a.code
                        );
                    }
                    None
                }
            };
        }
    }
    Ok(())
}

/// `ketnoi area …`
pub async fn area(store: &dyn Store, cmd: AreaCommand) -> anyhow::Result<()> {
    match cmd {
        AreaCommand::Import { file } => {
            let areas = read_areas(&file)?;
            check_areas(store, &areas).await?;
            let n = store.upsert_areas(&areas).await?;
            println!("{} {n} {}", t("Đã nạp", "Loaded"), t("địa bàn.", "areas."));
        }
    }
    Ok(())
}

async fn agency_by_code(store: &dyn Store, code: &str) -> anyhow::Result<ketnoi_core::Agency> {
    let code = AgencyCode::parse(code).map_err(|e| anyhow::anyhow!(crate::describe(&e)))?;
    store
        .agency_by_code(&code)
        .await?
        .with_context(|| format!("{} {code}", t("không có cơ quan", "no such agency")))
}

/// `ketnoi agency …`
pub async fn agency(store: &dyn Store, cmd: AgencyCommand) -> anyhow::Result<()> {
    match cmd {
        AgencyCommand::Create { code, name, kind, area, parent } => {
            // Check every value before looking anything up, so the first error reported is
            // the one the user typed rather than a consequence of it.
            let code = AgencyCode::parse(&code)?;
            let kind = kind.parse::<AgencyKind>()?;
            let area = AreaCode::parse(&area)?;
            let mut new = NewAgency::new(code, &name, kind, area, None)?;
            if store.area(&new.area).await?.is_none() {
                bail!("{} {}", t("không có địa bàn", "no such area"), new.area);
            }
            if let Some(p) = parent {
                new.parent = Some(agency_by_code(store, &p).await?.id);
            }
            let created = store.create_agency(&new).await?;
            println!(
                "{} {} ({})",
                t("Đã tạo cơ quan", "Created agency"),
                created.name,
                created.code
            );
        }
    }
    Ok(())
}

/// Creates an account from the command's fields; shared with the demo.
pub async fn create_account(
    store: &dyn Store,
    a: &AccountCreate,
) -> anyhow::Result<ketnoi_core::Account> {
    let agency = agency_by_code(store, &a.agency).await?;
    let slug = match &a.slug {
        Some(s) => Slug::parse(s)?,
        None => Slug::suggest(&a.name).context(t(
            "không tạo được slug từ tên; hãy cho --slug",
            "cannot make a slug from the name; give --slug",
        ))?,
    };
    let area = match &a.area {
        Some(code) => AreaCode::parse(code)?,
        None => agency.area.clone(),
    };
    let new = NewAccount::new(
        slug,
        agency.id,
        &a.name,
        &a.description,
        a.kind.parse::<AccountKind>()?,
        area,
        &a.office_hours,
        &a.phone,
        &a.address,
    )?;
    let account = store.create_account(&new).await?;
    if a.verified {
        store.set_account_verified(account.id, true).await?;
    }
    Ok(account)
}

/// `ketnoi account …`
pub async fn account(store: &dyn Store, cmd: AccountCommand) -> anyhow::Result<()> {
    match cmd {
        AccountCommand::Create(a) => {
            let account = create_account(store, &a).await?;
            println!(
                "{} {} (/{})",
                t("Đã tạo tài khoản", "Created account"),
                account.display_name,
                account.slug
            );
        }
        AccountCommand::Verify { slug, revoke } => {
            let slug = Slug::parse(&slug)?;
            let account = store.account_by_slug(&slug).await?.with_context(|| {
                format!("{} {slug}", t("không có tài khoản", "no such account"))
            })?;
            store.set_account_verified(account.id, !revoke).await?;
            println!(
                "{}",
                if revoke {
                    t("Đã bỏ dấu xác minh.", "Badge removed.")
                } else {
                    t("Đã xác minh.", "Verified.")
                }
            );
        }
    }
    Ok(())
}

/// A random password of 16 characters from an alphabet without look-alikes.
pub fn generate_password() -> String {
    use rand::Rng as _;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..16).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

/// Creates a staff member with roles; shared with the demo.
pub async fn create_staff(
    store: &dyn Store,
    username: &str,
    name: &str,
    password: &str,
    platform_admin: bool,
    grants: &[(String, policy::Role)],
) -> anyhow::Result<ketnoi_core::StaffMember> {
    if password.chars().count() < 10 {
        bail!(
            "{}",
            t("mật khẩu phải dài ít nhất 10 ký tự", "the password must be at least 10 characters")
        );
    }
    let mut agencies = Vec::new();
    for (code, role) in grants {
        agencies.push((agency_by_code(store, code).await?.id, *role));
    }
    let new = NewStaff {
        username: Username::parse(username)?,
        display_name: DisplayName::parse(name)?,
        password_hash: auth::hash_password(password).map_err(|e| anyhow::anyhow!("{e}"))?,
        platform_admin,
    };
    let staff = store.create_staff(&new).await?;
    for (agency, role) in agencies {
        store.grant_role(staff.id, agency, role).await?;
        let object = format!("staff:{}", staff.id.0);
        record_cli(store, AuditAction::RoleGranted, &object, Some(agency)).await?;
    }
    Ok(staff)
}

fn parse_grant(raw: &str) -> anyhow::Result<(String, policy::Role)> {
    let (agency, role) = raw.split_once('=').with_context(|| {
        format!(
            "{} {raw:?}",
            t("--grant phải có dạng CƠ_QUAN=VAI_TRÒ, không phải", "--grant takes AGENCY=ROLE, not")
        )
    })?;
    Ok((agency.trim().to_owned(), policy::agency_role(role)?))
}

/// `ketnoi staff …`
pub async fn staff(store: &dyn Store, cmd: StaffCommand) -> anyhow::Result<()> {
    match cmd {
        StaffCommand::Create { username, name, platform_admin, password_stdin, grants } => {
            let grants =
                grants.iter().map(|g| parse_grant(g)).collect::<anyhow::Result<Vec<_>>>()?;
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                (line.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (generate_password(), true)
            };
            let staff =
                create_staff(store, &username, &name, &password, platform_admin, &grants).await?;
            println!(
                "{} {} ({})",
                t("Đã tạo cán bộ", "Created staff member"),
                staff.display_name,
                staff.username
            );
            if generated {
                println!(
                    "{} {password}",
                    t("Mật khẩu (chỉ hiện một lần):", "Password (shown once):")
                );
            }
        }
        StaffCommand::Grant { username, agency, role } => {
            let username = Username::parse(&username)?;
            let (staff, _) = store.staff_by_username(&username).await?.with_context(|| {
                format!("{} {username}", t("không có cán bộ", "no such staff member"))
            })?;
            let agency = agency_by_code(store, &agency).await?;
            store.grant_role(staff.id, agency.id, policy::agency_role(&role)?).await?;
            let object = format!("staff:{}", staff.id.0);
            record_cli(store, AuditAction::RoleGranted, &object, Some(agency.id)).await?;
            println!("{}", t("Đã cấp quyền.", "Role granted."));
        }
        StaffCommand::ResetSecondFactor { username } => {
            let username = Username::parse(&username)?;
            let (staff, _) = store.staff_by_username(&username).await?.with_context(|| {
                format!("{} {username}", t("không có cán bộ", "no such staff member"))
            })?;
            let had = store.delete_second_factor(staff.id).await?;
            let ended = store.end_staff_sessions(staff.id, None).await?;
            let object = format!("staff:{}", staff.id.0);
            for grant in store.grants(staff.id).await? {
                let agency = Some(grant.agency);
                record_cli(store, AuditAction::SecondFactorReset, &object, agency).await?;
            }
            if had {
                println!(
                    "{} ({ended} {})",
                    t("Đã gỡ xác thực hai lớp.", "Two-factor sign-in removed."),
                    t("phiên đăng nhập đã kết thúc", "sessions ended")
                );
            } else {
                println!(
                    "{}",
                    t("Cán bộ này chưa bật xác thực hai lớp.", "This member had no second factor.")
                );
            }
        }
    }
    Ok(())
}

/// `ketnoi token …`
pub async fn token(store: &dyn Store, cmd: TokenCommand) -> anyhow::Result<()> {
    let TokenCommand::Create { account, staff, label, expires_days } = cmd;
    let (subject, object, agency) = match (account, staff) {
        (Some(slug), _) => {
            let slug = Slug::parse(&slug)?;
            let account = store.account_by_slug(&slug).await?.with_context(|| {
                format!("{} {slug}", t("không có tài khoản", "no such account"))
            })?;
            (Subject::Account(account.id), format!("account:{slug}"), Some(account.agency))
        }
        (None, Some(username)) => {
            let username = Username::parse(&username)?;
            let (member, _) = store.staff_by_username(&username).await?.with_context(|| {
                format!("{} {username}", t("không có cán bộ", "no such staff member"))
            })?;
            (Subject::Staff(member.id), format!("staff:{}", member.id.0), None)
        }
        (None, None) => bail!("{}", t("cần --account hoặc --staff", "give --account or --staff")),
    };
    let ttl = expires_days.map(|d| i64::from(d) * 24 * 3600 * 1000);
    let issued = auth::issue_token(store, subject, SessionKind::Api, &label, ttl)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    record_cli(store, AuditAction::ApiTokenCreated, &object, agency).await?;
    println!(
        "{}",
        t(
            "Mã truy cập API (chỉ hiện một lần, hãy cất giữ cẩn thận):",
            "API token (shown once; keep it safe):"
        )
    );
    println!("{}", issued.token);
    Ok(())
}

/// Prints credentials shown once.
fn print_issued(created: &ketnoi_server::features::integrations::service::Created) {
    use ketnoi_server::features::integrations::api::standard_webhooks_secret;
    println!("{}", t("Chỉ hiện một lần, hãy cất giữ cẩn thận:", "Shown once; keep them safe:"));
    println!("app_id         {}", created.integration.app_id);
    println!("secret_key     {}", created.secret_key);
    println!("webhook_secret {}", standard_webhooks_secret(&created.secret_key));
    println!("access_token   {}", created.credentials.access_token);
    println!("refresh_token  {}", created.credentials.refresh_token);
    println!("expires_in     {}", created.credentials.expires_in);
}

/// `ketnoi integration …`
pub async fn integration(
    store: &dyn Store,
    server_key: &ketnoi_server::Secret,
    cmd: IntegrationCommand,
) -> anyhow::Result<()> {
    use ketnoi_server::features::integrations::service;
    let by_slug = |slug: String| async move {
        let slug = Slug::parse(&slug)?;
        store
            .account_by_slug(&slug)
            .await?
            .with_context(|| format!("{} {slug}", t("không có tài khoản", "no such account")))
    };
    let by_app_id = |app_id: String| async move {
        store
            .integration_by_app_id(app_id.trim())
            .await?
            .with_context(|| format!("{} {app_id}", t("không có tích hợp", "no such integration")))
    };
    let api = |e: ketnoi_server::kernel::error::ApiError| anyhow::anyhow!("{e}");
    match cmd {
        IntegrationCommand::Create { account, name, scopes } => {
            let account = by_slug(account).await?;
            let scopes = ketnoi_core::Scopes::parse(&scopes)?;
            let created = service::create(store, server_key, &account, &name, scopes, None)
                .await
                .map_err(api)?;
            let object = format!("integration:{}", created.integration.app_id);
            record_cli(store, AuditAction::IntegrationCreated, &object, Some(account.agency))
                .await?;
            println!(
                "{} {}",
                t("Đã tạo tích hợp", "Created integration"),
                created.integration.name
            );
            print_issued(&created);
        }
        IntegrationCommand::List { account } => {
            let account = by_slug(account).await?;
            for i in store.integrations_of(account.id).await? {
                let state = match i.revoked_at {
                    Some(at) => format!("{} {}", t("thu hồi", "revoked"), at.display_vn()),
                    None => t("đang dùng", "active").to_owned(),
                };
                println!("{}  {}  [{}]  {state}", i.app_id, i.name, i.scopes.to_stored());
            }
        }
        IntegrationCommand::Rotate { app_id } => {
            let integration = by_app_id(app_id).await?;
            let created = service::rotate(store, server_key, &integration).await.map_err(api)?;
            let agency = agency_of_account(store, integration.account).await?;
            let object = format!("integration:{}", integration.app_id);
            record_cli(store, AuditAction::IntegrationRotated, &object, agency).await?;
            print_issued(&created);
        }
        IntegrationCommand::Revoke { app_id } => {
            let integration = by_app_id(app_id).await?;
            if service::revoke(store, &integration).await.map_err(api)? {
                let agency = agency_of_account(store, integration.account).await?;
                let object = format!("integration:{}", integration.app_id);
                record_cli(store, AuditAction::IntegrationRevoked, &object, agency).await?;
                println!("{}", t("Đã thu hồi.", "Revoked."));
            } else {
                println!("{}", t("Đã thu hồi từ trước.", "Already revoked."));
            }
        }
    }
    Ok(())
}

/// The agency owning an account, for the audit entry of what is done to it.
async fn agency_of_account(
    store: &dyn Store,
    account: ketnoi_core::AccountId,
) -> anyhow::Result<Option<ketnoi_core::AgencyId>> {
    Ok(store.account(account).await?.map(|a| a.agency))
}
