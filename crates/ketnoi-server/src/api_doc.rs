//! The OpenAPI document: every route under `/api/v1`, gathered from the features.

use utoipa::OpenApi as _;

use crate::{
    features::{
        audit::api as audit,
        chat::{api as conversations, assign, canned, labels, notes, rating, response, transfer},
        desk::api as desk,
        directory::{accounts, areas, me},
        integrations::api as integrations,
        integrations::webhook_api as webhooks,
        lookups::api as lookups,
        news::api as news,
        ops as health,
        sign_in::api as auth,
        tips::{api as tips, keys_api as tips_keys, unit_api as tips_unit},
    },
    kernel::views,
};

/// The OpenAPI document: every route under `/api/v1`, its parameters, answers and problems.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "ketnoi API",
        description = "Official accounts through which state agencies talk with citizens. \
            Errors are application/problem+json, in Vietnamese or English per Accept-Language.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        health::healthz,
        health::readyz,
        auth::otp_request,
        auth::otp_verify,
        auth::staff_sign_in,
        auth::sign_out,
        me::me,
        me::my_follows,
        areas::list_areas,
        areas::area_detail,
        areas::agency_tree,
        accounts::directory,
        accounts::account_detail,
        accounts::follow,
        accounts::unfollow,
        accounts::set_verified,
        conversations::send_to_account,
        conversations::send_in_conversation,
        conversations::conversation_detail,
        conversations::history,
        conversations::mark_read,
        conversations::close,
        conversations::reopen,
        notes::list_notes,
        notes::add_note,
        assign::set_assignee,
        transfer::transfer,
        rating::rate_conversation,
        response::get_settings,
        response::put_settings,
        labels::get_labels,
        labels::put_labels,
        canned::in_conversation,
        canned::list_for_account,
        canned::create_for_account,
        canned::list_for_agency,
        audit::log,
        canned::create_for_agency,
        canned::put_reply,
        canned::delete_reply,
        webhooks::get_webhook,
        webhooks::put_webhook,
        webhooks::list_events,
        webhooks::list_deliveries,
        webhooks::redeliver_event,
        conversations::my_conversations,
        conversations::inbox,
        conversations::upload_to_account,
        conversations::upload_to_conversation,
        conversations::download,
        lookups::list,
        lookups::describe,
        lookups::record,
        lookups::search,
        tips::recipients,
        tips::submit,
        tips::receipt,
        tips::receipt_message,
        tips_unit::list,
        tips_unit::detail,
        tips_unit::attachment,
        tips_unit::export,
        tips_unit::unit_message,
        tips_unit::set_status,
        tips_keys::keys,
        tips_keys::put_my_key,
        tips_keys::new_unit_key,
        tips_keys::grant,
        tips_keys::revoke,
        tips_keys::put_settings,
        news::list_articles,
        news::create_article,
        news::get_article,
        news::update_article,
        news::send_broadcast,
        news::list_broadcasts,
        news::get_broadcast,
        news::cancel_broadcast,
        news::count_audience,
        news::set_tags,
        news::set_quota,
        news::feed,
        news::my_area,
        news::set_my_area,
        news::push_key,
        news::subscribe,
        news::unsubscribe,
        news::open,
        desk::get_menu,
        desk::put_menu,
        desk::put_menu_template,
        desk::drop_menu,
        desk::list_procedures,
        desk::get_procedure,
        desk::put_override,
        desk::import_procedures,
        desk::export_procedures,
        desk::review_procedure,
        desk::supersede,
        desk::list_forms,
        integrations::list,
        integrations::create,
        integrations::rotate,
        integrations::revoke,
        integrations::me,
        integrations::users,
        integrations::user,
        integrations::send,
        integrations::set_tags,
        integrations::upload,
    ),
    components(schemas(views::ProblemView)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "directory", description = "Areas, agencies and official accounts"),
        (name = "me", description = "The signed-in caller"),
        (name = "conversations", description = "Messages between citizens and accounts; live events on the WebSocket at /api/v1/ws"),
        (name = "tips", description = "Tips to police units, sealed in the browser; follow-up by receipt code; the unit's inbox and keys"),
        (name = "lookups", description = "Records an account publishes: looked up by key with a second factor, or searched by name"),
        (name = "news", description = "Articles, broadcasts targeted by area and tag, the citizen's feed and ward, push subscriptions"),
        (name = "desk", description = "The front desk: an account's menu, procedure guides inherited down the agency tree, forms, legal documents"),
        (name = "integrations", description = "An account's integrations (credentials shown once), and what an integration's access token does: send to a user by the account's own id for them, read and tag followers, upload files; its webhook, signed twice (X-ZEvent-Signature and Standard Webhooks) and delivered durably, with its events, deliveries and redelivery. The surface shaped like the commercial OA API is described in docs/INTEGRATIONS.md"),
        (name = "audit", description = "An agency's audit log: append-only and hash-chained, for its administrators and auditors"),
        (name = "ops", description = "Health checks")
    )
)]
pub(crate) struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document as JSON.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
