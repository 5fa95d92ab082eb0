//! The paths of the surface shaped like the commercial platform's OA API, each to its handler.

use axum::{
    Router,
    routing::{get, post},
};

use crate::features::integrations::{oa, oa_messages, oa_users, service::IntegrationsState};

/// Every route of the compatible surface.
pub fn router() -> Router<IntegrationsState> {
    Router::new()
        .route("/v4/oa/access_token", post(oa::refresh))
        .route("/v2.0/oa/getoa", get(oa::get_oa))
        .route("/v3.0/oa/message/cs", post(oa_messages::send_cs))
        .route("/v3.0/oa/message/transaction", post(oa_messages::send_transaction))
        .route("/v3.0/oa/message/promotion", post(oa_messages::send_promotion))
        .route("/v2.0/oa/upload/image", post(oa_messages::upload_image))
        .route("/v2.0/oa/upload/file", post(oa_messages::upload_file))
        .route("/v3.0/oa/user/detail", get(oa_users::detail))
        .route("/v3.0/oa/user/getlist", get(oa_users::list))
        .route("/v2.0/oa/tag/gettagsofoa", get(oa_users::tags))
        .route("/v2.0/oa/tag/tagfollower", post(oa_users::tag_follower))
        .route("/v2.0/oa/tag/rmfollowerfromtag", post(oa_users::untag_follower))
        .route("/v2.0/oa/tag/rmtag", post(oa_users::remove_tag))
        .route("/v2.0/oa/listrecentchat", get(oa_users::recent_chats))
        .route("/v2.0/oa/conversation", get(oa_users::conversation))
}
