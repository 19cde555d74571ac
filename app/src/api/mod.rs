//! The server functions, one file per area. Each checks the session and
//! the caller's access itself ([`signed_in`]), then works through the
//! server-side modules (`auth`, `passwords`, `commit`) and `store`. The
//! pages call them; on the server their bodies run, in the browser they are
//! requests.

pub mod auth;
pub mod columns;
pub mod groups;
pub mod history;
pub mod import;
pub mod passwords;
pub mod undo;
pub mod user_edits;
pub mod users;

#[cfg(feature = "ssr")]
pub use ssr::{acting, answered, signed_in};

#[cfg(feature = "ssr")]
mod ssr {
    use crate::auth::session;
    use crate::commit::Actor;
    use crate::error::AppError;
    use crate::model::session::SessionUser;
    use crate::state::AppState;
    use engine::domain::access::AccessLevel;
    use leptos::prelude::*;
    use std::future::Future;

    /// The opening of every server function that needs a session: the
    /// signed-in user, if their access level passes `allow`, runs `body`;
    /// an error answers with its HTTP status.
    pub async fn signed_in<T, Body>(allow: fn(AccessLevel) -> bool, body: impl FnOnce(AppState, SessionUser) -> Body) -> Result<T, AppError>
    where
        Body: Future<Output = Result<T, AppError>>,
    {
        answered(async move {
            let (state, me) = session::require(allow).await?;
            body(state, me).await
        })
        .await
    }

    /// The signed-in admin as the author of a batch, with the session it comes through.
    pub fn acting(me: SessionUser) -> Actor {
        Actor { id: me.id, email: me.email, user_id: me.user_id, session: session::current_token_hash() }
    }

    /// Runs a server function's body and sets the HTTP status that matches
    /// its error, so that scripts and proxies see a 401/403/404, not a 500.
    pub async fn answered<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
        let result = body.await;
        if let Err(error) = &result {
            if let (Some(response), Ok(status)) =
                (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(error.status()))
            {
                response.set_status(status);
            }
        }
        result
    }
}
