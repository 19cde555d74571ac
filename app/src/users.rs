//! The users directory. This issue brings only what the shell needs; the
//! list, filters and editing arrive with the directory pages.

use crate::error::AppError;
use crate::domain::access::AccessLevel;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub user_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub access: AccessLevel,
    pub active: bool,
}

/// One user of the caller's own tenant (admins and managers).
#[server(endpoint = "get_user")]
pub async fn get_user(id: i64) -> Result<UserSummary, AppError> {
    crate::state::with_status(
        async {
            let (state, me) = crate::auth::session::require(AccessLevel::sees_directory).await?;
            let mut conn = state.db.pool.acquire().await?;
            crate::store::users::find(&mut conn, me.tenant_id, id).await?.ok_or(AppError::NotFound)
        }
        .await,
    )
}
