//! A generated walk of every tip and tip-key route (issue 20): the routes come from the OpenAPI
//! document the server serves, so a new route is walked without anyone adding it here; each is
//! called by every kind of caller (anonymous, citizen, officer of another unit, viewer, auditor,
//! officer, unit administrator, administrator of the unit above, platform administrator), and
//! each answer is checked against the policy table ([`ketnoi_core::policy::permits`] with
//! [`Action::HandleTips`]) and its published exceptions: no unexpected 2xx, 401 for nobody,
//! 403 (or 404) for those the table refuses, and an answer for those it allows.

use std::sync::Arc;

use ketnoi_core::{Action, AgencyCode, AgencyId, Grant, Role, Username, policy};
use ketnoi_seal::{KeyPair, b64u};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, start_with};
use crate::tips::{AREA, OFFICER, OrPanic, Tip, other_unit_officer, recipients, submit};

/// The unit whose routes are walked: the demo's commune police, whose officer holds its key.
const UNIT: &str = "ca-vi-xuyen";
/// Routes callable without signing in, as docs/SECURITY.md publishes them: the citizen's form
/// and the reporter's receipt. Any other route without `security` fails the walk.
const PUBLIC_PREFIXES: [&str; 2] = ["/api/v1/accounts/{slug}/tips", "/api/v1/tips/receipt"];
/// A password for the staff this walk creates.
const PASSWORD: &str = "mat-khau-thu-nghiem-2026";

/// One caller of the walk.
struct Caller {
    who: &'static str,
    token: Option<String>,
    /// Platform administrator and grants, for staff.
    staff: Option<(bool, Vec<Grant>)>,
}

/// What the published policy says about a route.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    /// Anyone, signed in or not (the form and the receipt).
    Public,
    /// The unit's tips and keys: [`Action::HandleTips`] on the unit's ancestry.
    Unit,
    /// A unit's public key for a transfer: any staff member who handles tips somewhere.
    KeyLookup,
}

/// A route from the OpenAPI document.
struct Route {
    method: Method,
    template: String,
    rule: Rule,
}

/// Every tip and tip-key route the served OpenAPI document lists, with its rule; GETs first
/// and DELETEs last, so that what an allowed caller changes happens after the reads.
async fn tip_routes(app: &TestApp) -> Vec<Route> {
    let (status, doc) = app.get("/api/openapi.json", None).await;
    assert_eq!(status, 200, "the server serves its OpenAPI document");
    let paths = doc["paths"].as_object().or_panic("paths");
    let mut routes = Vec::new();
    for (template, ops) in paths {
        for (method, op) in ops.as_object().or_panic("operations") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else { continue };
            if !matches!(method, Method::GET | Method::POST | Method::PUT | Method::DELETE)
                && method != Method::PATCH
            {
                continue;
            }
            let tagged = op["tags"].as_array().is_some_and(|t| t.iter().any(|t| t == "tips"));
            let tip_path = template.starts_with("/api/v1/units/")
                || template.starts_with("/api/v1/tip-units/")
                || template.contains("/tip");
            if !tagged && !tip_path {
                continue;
            }
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            let rule = if !secured {
                assert!(
                    PUBLIC_PREFIXES.iter().any(|p| template.starts_with(p)),
                    "{method} {template} needs no sign-in but is no published exception"
                );
                Rule::Public
            } else if template.starts_with("/api/v1/tip-units/") && template.ends_with("/key") {
                Rule::KeyLookup
            } else {
                Rule::Unit
            };
            routes.push(Route { method, template: template.clone(), rule });
        }
    }
    let order = |m: &Method| match *m {
        Method::GET => 0,
        Method::DELETE => 2,
        _ => 1,
    };
    routes.sort_by(|a, b| (order(&a.method), &a.template).cmp(&(order(&b.method), &b.template)));
    routes
}

/// The real values the walk puts in a route's path.
struct Params {
    tip: i64,
    extension: i64,
    staff: i64,
}

/// The route's path with its parameters filled in; a parameter this walk does not know fails
/// it, so that a new one gets a real value rather than a 404 for everyone.
fn fill(template: &str, p: &Params) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').or_panic("closing brace") + open;
        let value = match &rest[open + 1..close] {
            "code" | "slug" => UNIT.to_owned(),
            "id" => p.tip.to_string(),
            "index" => "0".to_owned(),
            "extension" => p.extension.to_string(),
            "staff" => p.staff.to_string(),
            other => panic!("{template}: the walk has no value for {{{other}}}"),
        };
        out.push_str(&value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// A well-formed body for a route that takes one, so that only who asks decides the answer
/// (a body the route cannot read would be refused before the caller is looked at).
fn body(method: &Method, template: &str, tip: &Tip, holder: i64, unit_kid: &str) -> Option<Value> {
    if *method == Method::GET || *method == Method::DELETE {
        return None;
    }
    let w = |n: usize| b64u(&vec![7u8; n]);
    let wrapped = json!({"kid": w(16), "epk": w(65), "nonce": w(12), "ct": w(48)});
    let sealed = json!({"nonce": w(12), "ct": w(40)});
    let suffix = template.rsplit('/').next().unwrap_or_default();
    Some(match suffix {
        "receipt" => tip.proof(),
        "messages" if template.starts_with("/api/v1/tips/") => {
            let mut proof = tip.proof();
            proof["sealed"] = sealed;
            proof
        }
        "messages" | "notes" => json!({ "sealed": sealed }),
        "status" => json!({"status": "verifying"}),
        "assignee" => json!({ "staff": holder }),
        "extensions" => json!({"reason": "complex", "days": 5}),
        "decision" => json!({"approve": false}),
        // Kept by the sending unit, so that the walk's later routes still find the tip.
        "transfer" => json!({"to": "ca-tuyen-quang", "keep": true, "wrapped": wrapped}),
        "tip-keys" => {
            let key = KeyPair::generate();
            json!({"kid": key.kid(), "public": b64u(&key.public()),
                "copies": [{"staff": holder, "wrapped": wrapped}]})
        }
        "grants" => {
            json!({"copies": [{"unit_kid": unit_kid, "staff": holder, "wrapped": wrapped}]})
        }
        "mine" => {
            let key = KeyPair::generate();
            let sealed = ketnoi_seal::seal_with_passphrase(&key, "không ai biết").or_panic("seal");
            serde_json::to_value(&sealed).or_panic("sealed key json")
        }
        "tip-settings" => json!({"copy_parent": true}),
        _ => json!({}),
    })
}

/// Creates a staff member with one role, signs them in with two-factor sign-in turned on (so
/// that a refusal is the table's, not the second factor's); their id and token.
async fn member(
    app: &TestApp,
    username: &str,
    name: &str,
    unit: &str,
    role: Role,
) -> (i64, String) {
    let created = ketnoi::admin::create_staff(
        app.store.as_ref(),
        username,
        name,
        PASSWORD,
        false,
        &[(unit.to_owned(), role)],
    )
    .await
    .or_panic("create staff");
    let (status, signed) = app
        .post("/api/v1/auth/staff/sign-in", json!({"username": username, "password": PASSWORD}))
        .await;
    assert_eq!(status, 200, "{signed}");
    let token = signed["token"].as_str().or_panic("token").to_owned();
    app.enrol_2fa(username, &token).await;
    (created.id.0, token)
}

/// A staff caller: their platform flag and grants, as the store holds them.
async fn staff(app: &TestApp, who: &'static str, username: &str, token: String) -> Caller {
    let name = Username::parse(username).or_panic("username");
    let (m, _) = app.store.staff_by_username(&name).await.or_panic("staff").or_panic(username);
    let grants = app.store.grants(m.id).await.or_panic("grants");
    Caller { who, token: Some(token), staff: Some((m.platform_admin, grants)) }
}

async fn ancestry(app: &TestApp, agency: AgencyId) -> Vec<AgencyId> {
    app.store.agency_ancestry(agency).await.or_panic("ancestry")
}

/// Whether the policy table lets `caller` have a 2xx from a route under `rule`.
async fn allowed(app: &TestApp, caller: &Caller, rule: Rule, unit: &[AgencyId]) -> bool {
    let Some((platform_admin, grants)) = &caller.staff else {
        return rule == Rule::Public;
    };
    match rule {
        Rule::Public => true,
        Rule::Unit => policy::permits(*platform_admin, grants, Action::HandleTips, Some(unit)),
        Rule::KeyLookup => {
            for g in grants {
                let there = ancestry(app, g.agency).await;
                if policy::permits(*platform_admin, grants, Action::HandleTips, Some(&there)) {
                    return true;
                }
            }
            false
        }
    }
}

async fn walk(app: &TestApp) {
    ketnoi::demo::seed_tips(app.store.as_ref()).await.or_panic("seed tips");
    let code = AgencyCode::parse(UNIT).or_panic("code");
    let unit = app.store.agency_by_code(&code).await.or_panic("unit").or_panic(UNIT);
    let unit_ancestry = ancestry(app, unit.id).await;

    // A tip with a file, and an extension asked for by the unit's officer.
    let keys = recipients(app, AREA).await;
    let tip = Tip::new("Có người lạ cạy khóa xe máy ở chợ phiên.").with_file("a.txt", b"x");
    let (status, sent) = submit(app, &tip, &keys).await;
    assert_eq!(status, 201, "{sent}");
    let officer = app.staff_token_2fa(OFFICER).await;
    let base = format!("/api/v1/units/{UNIT}");
    let (_, list) = app.get(&format!("{base}/tips"), Some(&officer)).await;
    let tip_id = list["tips"][0]["id"].as_i64().or_panic("tip id");
    let (status, asked) = app
        .send(
            Method::POST,
            &format!("{base}/tips/{tip_id}/extensions"),
            Some(&officer),
            Some(json!({"reason": "complex", "days": 5})),
        )
        .await;
    assert_eq!(status, 201, "{asked}");
    let extension = asked["id"].as_i64().or_panic("extension id");
    let (_, view) = app.get(&format!("{base}/tip-keys"), Some(&officer)).await;
    let holder = view["me"]["staff"].as_i64().or_panic("the officer holds a copy");
    let unit_kid = view["keys"]
        .as_array()
        .and_then(|k| k.iter().find(|k| k["retired_at"].is_null()))
        .and_then(|k| k["kid"].as_str())
        .or_panic("current unit key")
        .to_owned();

    // Everyone.
    let (_, _, other_token) = other_unit_officer(app).await;
    let (_, viewer) = member(app, "cavixuyen.xem", "Đinh Thị Xem", UNIT, Role::Viewer).await;
    let (_, auditor) =
        member(app, "cavixuyen.kiemtra", "Vương Văn Kiểm", UNIT, Role::Auditor).await;
    let (admin_id, admin) =
        member(app, "cavixuyen.truong", "Nông Văn Trưởng", UNIT, Role::Administrator).await;
    let above = app.staff_token_2fa("catinh.admin").await;
    let platform = app.staff_token_2fa("quantri").await;
    let citizen = app.citizen_token("0912000001").await;
    let callers = vec![
        Caller { who: "anonymous", token: None, staff: None },
        Caller { who: "citizen", token: Some(citizen), staff: None },
        staff(app, "officer of another unit", "cathanhthuy.canbo", other_token).await,
        staff(app, "viewer", "cavixuyen.xem", viewer).await,
        staff(app, "auditor", "cavixuyen.kiemtra", auditor).await,
        staff(app, "officer", OFFICER, officer.clone()).await,
        staff(app, "unit administrator", "cavixuyen.truong", admin).await,
        staff(app, "administrator of the unit above", "catinh.admin", above).await,
        staff(app, "platform administrator", "quantri", platform).await,
    ];

    // The staff id in `/grants/{staff}`: the unit's administrator, who holds no copy, so that
    // the officer keeps theirs through the walk.
    let params = Params { tip: tip_id, extension, staff: admin_id };
    let routes = tip_routes(app).await;
    let mut walked = 0;
    let mut answered_reads = 0;
    let mut unexpected = Vec::new();
    for route in &routes {
        let path = fill(&route.template, &params);
        let payload = body(&route.method, &route.template, &tip, holder, &unit_kid);
        let mut anyone = false;
        for caller in &callers {
            let may = allowed(app, caller, route.rule, &unit_ancestry).await;
            anyone |= may;
            let got = app
                .send(route.method.clone(), &path, caller.token.as_deref(), payload.clone())
                .await;
            walked += 1;
            let (status, answer) = (got.0, &got.1);
            let what = format!("{} {} {path} → {status} {answer}", caller.who, route.method);
            if status >= 500 {
                unexpected.push(format!("server error: {what}"));
            } else if (200..300).contains(&status) && !may {
                unexpected.push(format!("unexpected 2xx: {what}"));
            } else if route.rule != Rule::Public && caller.token.is_none() {
                if (status, answer["code"].as_str()) != (401, Some("unauthenticated")) {
                    unexpected.push(format!("nobody is not told to sign in: {what}"));
                }
            } else if !may {
                let code = answer["code"].as_str();
                if (status, code) != (403, Some("forbidden"))
                    && (status, code) != (404, Some("not-found"))
                {
                    unexpected.push(format!("refused without 403 or 404: {what}"));
                }
            } else if route.method == Method::GET && route.rule != Rule::Public {
                // Whom the table allows is answered: the walk cannot pass by refusing everyone.
                if (200..300).contains(&status) {
                    answered_reads += 1;
                } else {
                    unexpected.push(format!("allowed but not answered: {what}"));
                }
            }
        }
        if !anyone {
            unexpected.push(format!("nobody may {} {path}", route.method));
        }
    }
    println!(
        "tip policy walk: {} routes × {} callers = {walked} requests",
        routes.len(),
        callers.len()
    );
    assert!(
        unexpected.is_empty(),
        "{} unexpected answers:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(routes.len() >= 15, "only {} tip routes walked", routes.len());
    assert!(routes.iter().any(|r| r.rule == Rule::KeyLookup), "the key lookup was walked");
    assert!(routes.iter().any(|r| r.rule == Rule::Public), "the public routes were walked");
    assert!(answered_reads >= 2 * 6, "only {answered_reads} reads answered to allowed callers");

    // What the allowed callers did along the way left the tip with its unit.
    let (status, still) = app.get(&format!("{base}/tips/{tip_id}"), Some(&officer)).await;
    assert_eq!(status, 200, "{still}");
}

#[tokio::test]
async fn every_tip_route_answers_every_role_as_the_policy_table_says() {
    let (sqlite, dir) = ketnoi_store::testing::fresh_sqlite().await;
    let store: Arc<dyn ketnoi_store::Store> = Arc::new(sqlite.clone());
    walk(&start_with(store, Some(sqlite), Box::new(dir), true, trust_local).await).await;
}

#[tokio::test]
async fn every_tip_route_answers_every_role_as_the_policy_table_says_on_postgresql() {
    let Some((store, schema)) = ketnoi_store::testing::fresh_postgres().await else { return };
    let store: Arc<dyn ketnoi_store::Store> = Arc::new(store);
    walk(&start_with(store, None, Box::new(schema), true, trust_local).await).await;
}

/// Trusts `X-Forwarded-For` from 127.0.0.1, so that each tip comes from its own client.
fn trust_local(config: &mut ketnoi_server::ServerConfig) {
    config.trusted_proxies = vec!["127.0.0.1/32".parse().or_panic("proxy network")];
}
