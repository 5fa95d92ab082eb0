//! Tips over HTTP, the unit's keys: who holds a copy of the unit key, an officer's own key,
//! a new unit key (rotation), granting and revoking copies, and the unit's settings. Keys travel
//! wrapped; they are made, wrapped and unwrapped only in officers' browsers.

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
    routing::{delete, get, post, put},
};
use ketnoi_core::{Agency, AuditAction, StaffId, Timestamp};
use ketnoi_store::KeyCopy;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    features::tips::{
        service::TipsState,
        unit_api::{UnitLookupRefusals, UnitRefusals, staff_id, unit_for},
        wire,
    },
    kernel::{
        audit::{RequestId, record},
        auth::Caller,
        error::ApiError,
        extract::{Json as JsonBody, Path},
        state::Kernel,
    },
};

pub(crate) fn router() -> Router<TipsState> {
    Router::new()
        .route("/units/{code}/tip-keys", get(keys).post(new_unit_key))
        .route("/units/{code}/tip-keys/mine", put(put_my_key))
        .route("/units/{code}/tip-keys/grants", post(grant))
        .route("/units/{code}/tip-keys/grants/{staff}", delete(revoke))
        .route("/units/{code}/tip-settings", put(put_settings))
        .layer(DefaultBodyLimit::max(64 * 1024))
}

/// `GET /units/{code}/tip-keys`: the unit's keys, who holds a copy, the officers who could, and
/// the caller's own sealed key and copies.
#[utoipa::path(get, path = "/api/v1/units/{code}/tip-keys", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)")),
    responses((status = 200, description = "Unit keys, holders, the caller's sealed key and copies, settings"), UnitLookupRefusals))]
pub(crate) async fn keys(
    State(state): State<TipsState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<KeysView>, ApiError> {
    let unit = unit_for(&state, &caller, &code).await?;
    Ok(Json(keys_view(&state, &unit, staff_id(&caller)?).await?))
}

/// A unit key as the keys view lists it.
#[derive(Debug, Serialize)]
pub(crate) struct UnitKeyView {
    pub(crate) kid: String,
    pub(crate) public: String,
    pub(crate) created_at: String,
    /// When it was replaced; `None` for the current key.
    pub(crate) retired_at: Option<String>,
}

/// Someone who handles the unit's tips, or still holds copies of its keys.
#[derive(Debug, Serialize)]
pub(crate) struct OfficerView {
    pub(crate) staff: i64,
    pub(crate) name: String,
    /// Their personal key's id and public half, if they made one.
    pub(crate) kid: Option<String>,
    pub(crate) public: Option<String>,
    /// The unit keys they hold a copy of.
    pub(crate) holds: Vec<String>,
    /// No longer has a role here, yet still holds copies (to be revoked).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) former: bool,
}

/// One of the caller's copies of a unit key.
#[derive(Debug, Serialize)]
pub(crate) struct CopyView {
    pub(crate) unit_kid: String,
    pub(crate) officer_kid: String,
    pub(crate) wrapped: Value,
}

/// The caller's own key material: their sealed personal key and their copies.
#[derive(Debug, Serialize)]
pub(crate) struct MineView {
    pub(crate) staff: i64,
    pub(crate) key: Option<Value>,
    pub(crate) copies: Vec<CopyView>,
}

/// The unit, by code and name.
#[derive(Debug, Serialize)]
pub(crate) struct UnitNameView {
    pub(crate) code: String,
    pub(crate) name: String,
}

/// The unit's tip settings.
#[derive(Debug, Serialize)]
pub(crate) struct SettingsView {
    /// Whether the unit above receives a copy of each tip.
    pub(crate) copy_parent: bool,
}

/// What the keys page and route show: the unit's keys newest first, who holds them, the caller's
/// own key material, and the settings.
#[derive(Debug, Serialize)]
pub(crate) struct KeysView {
    pub(crate) unit: UnitNameView,
    pub(crate) keys: Vec<UnitKeyView>,
    pub(crate) officers: Vec<OfficerView>,
    pub(crate) me: MineView,
    pub(crate) settings: SettingsView,
}

impl KeysView {
    /// The current key's id, if the unit has one.
    pub(crate) fn current(&self) -> Option<&str> {
        self.keys.iter().find(|k| k.retired_at.is_none()).map(|k| k.kid.as_str())
    }
}

/// See [`KeysView`]; shared by the route and the console page.
pub(crate) async fn keys_view(
    state: &Kernel,
    unit: &Agency,
    me: StaffId,
) -> Result<KeysView, ApiError> {
    let keys = state.store.unit_keys(unit.id).await?;
    let copies = state.store.key_copies(unit.id).await?;
    let holds = |staff: StaffId| -> Vec<String> {
        copies.iter().filter(|c| c.staff == staff).map(|c| c.unit_kid.clone()).collect()
    };
    let mut officers = Vec::new();
    for (staff, role) in state.store.agency_staff(unit.id).await? {
        if !ketnoi_core::policy::permits(
            false,
            &[ketnoi_core::Grant { agency: unit.id, role }],
            ketnoi_core::Action::HandleTips,
            Some(&[unit.id]),
        ) {
            continue;
        }
        let key = state.store.officer_key(staff.id).await?;
        officers.push(OfficerView {
            staff: staff.id.0,
            name: staff.display_name.to_string(),
            kid: key.as_ref().map(|k| k.kid.clone()),
            public: key.as_ref().and_then(|k| sealed_public(&k.sealed)),
            holds: holds(staff.id),
            former: false,
        });
    }
    // Someone who still holds copies but no longer a role here (moved, left): listed, so that
    // their copies can be revoked.
    let mut former: Vec<StaffId> = copies.iter().map(|c| c.staff).collect();
    former.sort_unstable_by_key(|s| s.0);
    former.dedup();
    former.retain(|s| !officers.iter().any(|o| o.staff == s.0));
    for staff in former {
        let name = state.store.staff(staff).await?.map(|m| m.display_name.to_string());
        officers.push(OfficerView {
            staff: staff.0,
            name: name.unwrap_or_default(),
            kid: None,
            public: None,
            holds: holds(staff),
            former: true,
        });
    }
    let mine = state.store.officer_key(me).await?;
    let settings = state.store.tip_settings(unit.id).await?;
    let json = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    Ok(KeysView {
        unit: UnitNameView { code: unit.code.to_string(), name: unit.name.clone() },
        keys: keys
            .iter()
            .map(|k| UnitKeyView {
                kid: k.kid.clone(),
                public: k.public_key.clone(),
                created_at: k.created_at.rfc3339(),
                retired_at: k.retired_at.map(|t| t.rfc3339()),
            })
            .collect(),
        officers,
        me: MineView {
            staff: me.0,
            key: mine.as_ref().map(|k| json(&k.sealed)),
            copies: copies
                .iter()
                .filter(|c| c.staff == me)
                .map(|c| CopyView {
                    unit_kid: c.unit_kid.clone(),
                    officer_kid: c.officer_kid.clone(),
                    wrapped: json(&c.wrapped),
                })
                .collect(),
        },
        settings: SettingsView { copy_parent: settings.copy_parent },
    })
}

/// The public key inside a sealed officer key.
fn sealed_public(sealed: &str) -> Option<String> {
    serde_json::from_str::<Value>(sealed).ok()?.get("public")?.as_str().map(str::to_owned)
}

/// `PUT /units/{code}/tip-keys/mine`: the caller's personal key, sealed under their key
/// passphrase in their browser. A new key (another `kid`) drops the caller's copies of unit
/// keys, which were wrapped to the old one; a colleague grants them again.
#[utoipa::path(put, path = "/api/v1/units/{code}/tip-keys/mine", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)")),
    request_body(content_type = "application/json", description = "The caller's personal key, sealed under their key passphrase in the browser"),
    responses((status = 204, description = "Stored"), UnitRefusals))]
pub(crate) async fn put_my_key(
    State(state): State<TipsState>,
    caller: Caller,
    request: RequestId,
    Path(code): Path<String>,
    JsonBody(sealed): JsonBody<Value>,
) -> Result<StatusCode, ApiError> {
    let unit = unit_for(&state, &caller, &code).await?;
    let me = staff_id(&caller)?;
    let kid = check_sealed_key(&sealed)?;
    let key = ketnoi_store::OfficerKey {
        staff: me,
        kid,
        sealed: serde_json::to_string(&sealed).map_err(|e| ApiError::Internal(e.into()))?,
        created_at: Timestamp::now(),
    };
    state.store.put_officer_key(&key).await?;
    let object = format!("key:{}", key.kid);
    record(&state, &caller, &request, AuditAction::OfficerKeySet, &object, Some(unit.id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Checks a sealed officer key for form: its public key's id, a 16-byte salt, at least 600,000
/// iterations, a 12-byte nonce, the 32-byte scalar's ciphertext. Returns the key id.
fn check_sealed_key(sealed: &Value) -> Result<String, ApiError> {
    let bad = || ApiError::BadTip { code: "tip-bad-key", field: "key" };
    let field = |name: &str| {
        sealed.get(name).and_then(Value::as_str).and_then(|t| wire::b64u_decode(t).ok())
    };
    let public = field("public").filter(|p| wire::valid_public(p)).ok_or_else(bad)?;
    let kid = sealed.get("kid").and_then(Value::as_str).ok_or_else(bad)?;
    if kid != ketnoi_seal::kid(&public) {
        return Err(bad());
    }
    let iterations = sealed.get("iterations").and_then(Value::as_u64).unwrap_or(0);
    let ok = field("salt").is_some_and(|s| s.len() == 16)
        && field("nonce").is_some_and(|n| n.len() == 12)
        && field("ct").is_some_and(|c| c.len() == 48)
        && iterations >= 600_000;
    if !ok {
        return Err(bad());
    }
    Ok(kid.to_owned())
}

#[derive(Debug, Deserialize)]
pub(crate) struct NewCopy {
    #[serde(default)]
    unit_kid: Option<String>,
    staff: i64,
    wrapped: Value,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NewUnitKey {
    kid: String,
    public: String,
    copies: Vec<NewCopy>,
}

/// Refuses key management to someone who does not hold the unit's current key: a role alone
/// must not let anyone replace the key everyone seals to, overwrite colleagues' copies, remove
/// the last of them, or send the unit's tips elsewhere. Before the unit has a key, anyone who
/// handles its tips may make the first.
pub(crate) async fn require_holder(
    state: &Kernel,
    unit: &Agency,
    me: StaffId,
) -> Result<(), ApiError> {
    let Some(current) = state.store.current_unit_key(unit.id).await? else {
        return Ok(());
    };
    let copies = state.store.key_copies(unit.id).await?;
    if copies.iter().any(|c| c.staff == me && c.unit_kid == current.kid) {
        Ok(())
    } else {
        Err(ApiError::BadTip { code: "tip-not-holder", field: "key" })
    }
}

/// Checks copies of a unit key for colleagues: each wrapped to that colleague's current key,
/// each colleague one who handles the unit's tips.
async fn copies_for(
    state: &Kernel,
    unit: &Agency,
    unit_kid: &str,
    granted_by: StaffId,
    copies: &[NewCopy],
) -> Result<Vec<KeyCopy>, ApiError> {
    let bad = |code| ApiError::BadTip { code, field: "copies" };
    let mut out = Vec::with_capacity(copies.len());
    for c in copies {
        let staff = StaffId(c.staff);
        let member = state.store.staff(staff).await?.ok_or(bad("tip-bad-copy"))?;
        let grants = state.store.grants(member.id).await?;
        let ancestry = state.store.agency_ancestry(unit.id).await?;
        if !ketnoi_core::policy::permits(
            false,
            &grants,
            ketnoi_core::Action::HandleTips,
            Some(&ancestry),
        ) {
            return Err(bad("tip-copy-not-handler"));
        }
        let key = state.store.officer_key(staff).await?.ok_or(bad("tip-copy-no-key"))?;
        let kid = wire::check_wrapped(&c.wrapped)?;
        if kid != key.kid {
            return Err(bad("tip-copy-stale"));
        }
        out.push(KeyCopy {
            unit_kid: unit_kid.to_owned(),
            staff,
            officer_kid: key.kid,
            wrapped: serde_json::to_string(&c.wrapped).map_err(|e| ApiError::Internal(e.into()))?,
            granted_by: Some(granted_by),
            created_at: Timestamp::now(),
        });
    }
    Ok(out)
}

/// `POST /units/{code}/tip-keys` `{"kid", "public", "copies": [{"staff", "wrapped"}]}`: a new
/// unit key, made in an officer's browser, with copies for the officers who should hold it (the
/// caller among them). The previous key is retired, not deleted: tips sealed to it still open.
#[utoipa::path(post, path = "/api/v1/units/{code}/tip-keys", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)")),
    request_body(content_type = "application/json", description = "`{\"kid\", \"public\", \"copies\": [{\"staff\", \"wrapped\"}]}`: a new unit key (the previous one is retired)"),
    responses((status = 201, description = "Created"), UnitRefusals))]
pub(crate) async fn new_unit_key(
    State(state): State<TipsState>,
    caller: Caller,
    request: RequestId,
    Path(code): Path<String>,
    JsonBody(k): JsonBody<NewUnitKey>,
) -> Result<StatusCode, ApiError> {
    let unit = unit_for(&state, &caller, &code).await?;
    let me = staff_id(&caller)?;
    require_holder(&state, &unit, me).await?;
    let public = wire::b64u_decode(&k.public)
        .ok()
        .filter(|p| p.len() == 65 && p[0] == 4)
        .ok_or(ApiError::BadTip { code: "tip-bad-key", field: "public" })?;
    if ketnoi_seal::kid(&public) != k.kid || !wire::valid_public(&public) {
        return Err(ApiError::BadTip { code: "tip-bad-key", field: "public" });
    }
    if !k.copies.iter().any(|c| c.staff == me.0) {
        return Err(ApiError::BadTip { code: "tip-copy-missing-own", field: "copies" });
    }
    let copies = copies_for(&state, &unit, &k.kid, me, &k.copies).await?;
    state
        .store
        .add_unit_key(unit.id, &k.kid, &k.public, Some(me), &copies, Timestamp::now())
        .await?;
    tracing::info!(unit = %unit.code, "new unit tip key");
    let object = format!("key:{}", k.kid);
    record(&state, &caller, &request, AuditAction::UnitKeyCreated, &object, Some(unit.id)).await?;
    for c in &copies {
        let object = format!("staff:{}", c.staff.0);
        record(&state, &caller, &request, AuditAction::KeyGranted, &object, Some(unit.id)).await?;
    }
    Ok(StatusCode::CREATED)
}

#[derive(Debug, Deserialize)]
pub(crate) struct Grants {
    copies: Vec<NewCopy>,
}

/// `POST /units/{code}/tip-keys/grants` `{"copies": [{"unit_kid", "staff", "wrapped"}]}`: an
/// officer who holds the unit's keys gives a colleague copies, wrapped in the officer's browser.
#[utoipa::path(post, path = "/api/v1/units/{code}/tip-keys/grants", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)")),
    request_body(content_type = "application/json", description = "`{\"copies\": [{\"unit_kid\", \"staff\", \"wrapped\"}]}`"),
    responses((status = 201, description = "Granted"), UnitRefusals))]
pub(crate) async fn grant(
    State(state): State<TipsState>,
    caller: Caller,
    request: RequestId,
    Path(code): Path<String>,
    JsonBody(g): JsonBody<Grants>,
) -> Result<StatusCode, ApiError> {
    let unit = unit_for(&state, &caller, &code).await?;
    let me = staff_id(&caller)?;
    require_holder(&state, &unit, me).await?;
    let existing = state.store.key_copies(unit.id).await?;
    let mut all = Vec::new();
    for c in &g.copies {
        let kid = c.unit_kid.as_deref().unwrap_or_default();
        // Only keys the granter holds can be passed on.
        if !existing.iter().any(|e| e.staff == me && e.unit_kid == kid) {
            return Err(ApiError::BadTip { code: "tip-bad-copy", field: "copies" });
        }
        // A copy the colleague already holds for their current key stays as it is: a grant
        // adds, it never overwrites.
        let checked = copies_for(&state, &unit, kid, me, std::slice::from_ref(c)).await?;
        all.extend(checked.into_iter().filter(|n| {
            !existing.iter().any(|e| {
                e.staff == n.staff && e.unit_kid == n.unit_kid && e.officer_kid == n.officer_kid
            })
        }));
    }
    state.store.put_key_copies(&all).await?;
    for c in &all {
        let object = format!("staff:{}", c.staff.0);
        record(&state, &caller, &request, AuditAction::KeyGranted, &object, Some(unit.id)).await?;
    }
    Ok(StatusCode::CREATED)
}

/// `DELETE /units/{code}/tip-keys/grants/{staff}`: removes every copy of the unit's keys the
/// colleague holds. What they may have kept is beyond reach: rotate the key after this.
#[utoipa::path(delete, path = "/api/v1/units/{code}/tip-keys/grants/{staff}", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)"), ("staff" = i64, Path, description = "The colleague")),
    responses((status = 204, description = "Revoked"), UnitLookupRefusals))]
pub(crate) async fn revoke(
    State(state): State<TipsState>,
    caller: Caller,
    request: RequestId,
    Path((code, staff)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let unit = unit_for(&state, &caller, &code).await?;
    require_holder(&state, &unit, staff_id(&caller)?).await?;
    // The last holder of a key cannot be removed: the key would exist nowhere and every tip
    // sealed to it would be lost.
    let copies = state.store.key_copies(unit.id).await?;
    let orphaned = copies
        .iter()
        .filter(|c| c.staff.0 == staff)
        .any(|c| !copies.iter().any(|o| o.staff.0 != staff && o.unit_kid == c.unit_kid));
    if orphaned {
        return Err(ApiError::BadTip { code: "tip-last-holder", field: "staff" });
    }
    let removed = state.store.delete_key_copies(unit.id, StaffId(staff)).await?;
    if removed == 0 {
        return Err(ApiError::NotFound("key-copy"));
    }
    let object = format!("staff:{staff}");
    record(&state, &caller, &request, AuditAction::KeyRevoked, &object, Some(unit.id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub(crate) struct SettingsBody {
    copy_parent: bool,
}

/// `PUT /units/{code}/tip-settings` `{"copy_parent"}`: whether the unit above receives a copy
/// of each tip (sealed to its own key).
#[utoipa::path(put, path = "/api/v1/units/{code}/tip-settings", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)")),
    request_body(content_type = "application/json", description = "`{\"copy_parent\": bool}`"),
    responses((status = 204, description = "Saved"), UnitRefusals))]
pub(crate) async fn put_settings(
    State(state): State<TipsState>,
    caller: Caller,
    request: RequestId,
    Path(code): Path<String>,
    JsonBody(b): JsonBody<SettingsBody>,
) -> Result<StatusCode, ApiError> {
    let unit = unit_for(&state, &caller, &code).await?;
    require_holder(&state, &unit, staff_id(&caller)?).await?;
    state
        .store
        .set_tip_settings(&ketnoi_store::TipSettings {
            agency: unit.id,
            copy_parent: b.copy_parent,
        })
        .await?;
    let object = format!("agency:{}", unit.id.0);
    record(&state, &caller, &request, AuditAction::TipSettingsChanged, &object, Some(unit.id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
