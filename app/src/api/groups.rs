//! Groups and roles: admins create, rename and delete them here; every
//! change moves the directory's version on, so a file checked before is
//! checked again.

use crate::error::AppError;
use crate::model::groups::{Kind, Named};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
#[cfg(feature = "ssr")]
use {super::signed_in, engine::domain::access::AccessLevel};

#[server(endpoint = "list_names", input = Json)]
pub async fn list_names(kind: Kind) -> Result<Vec<Named>, AppError> {
    signed_in(AccessLevel::is_admin, |state, me| async move {
        let mut conn = state.db.pool.acquire().await?;
        Ok(crate::store::groups::list(&mut conn, me.tenant_id, kind).await?)
    })
    .await
}

#[server(endpoint = "create_group", input = Json)]
pub async fn create_group(name: String) -> Result<(), AppError> {
    signed_in(AccessLevel::is_admin, |state, me| async move {
        let name = Kind::Group.check(&name).map_err(AppError::Invalid)?;
        let mut tx = state.db.begin_directory_write(me.tenant_id).await?;
        if !crate::store::groups::create(&mut tx, me.tenant_id, name).await? {
            return Err(AppError::Invalid(format!("There is a group `{name}` already.")));
        }
        crate::store::tenants::bump_version(&mut tx, me.tenant_id).await?;
        crate::store::audit::record(&mut tx, me.tenant_id, &me.email, "group_created", name).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Renames a group or role; its members keep it under the new name.
#[server(endpoint = "rename_name", input = Json)]
pub async fn rename_name(kind: Kind, id: i64, name: String) -> Result<(), AppError> {
    signed_in(AccessLevel::is_admin, |state, me| async move {
        let name = kind.check(&name).map_err(AppError::Invalid)?;
        let mut tx = state.db.begin_directory_write(me.tenant_id).await?;
        let old = crate::store::groups::rename(&mut tx, me.tenant_id, kind, id, name).await?.ok_or(AppError::NotFound)?;
        crate::store::tenants::bump_version(&mut tx, me.tenant_id).await?;
        let event = format!("{}_renamed", kind.noun());
        crate::store::audit::record(&mut tx, me.tenant_id, &me.email, &event, &format!("{old} → {name}")).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Deletes a group (its members leave it) or a role that nobody has.
#[server(endpoint = "delete_name", input = Json)]
pub async fn delete_name(kind: Kind, id: i64) -> Result<(), AppError> {
    signed_in(AccessLevel::is_admin, |state, me| async move {
        let mut tx = state.db.begin_directory_write(me.tenant_id).await?;
        let found = crate::store::groups::find(&mut tx, me.tenant_id, kind, id).await?.ok_or(AppError::NotFound)?;
        if kind == Kind::Role && found.members > 0 {
            return Err(AppError::Invalid(format!(
                "The role `{}` still has {} members. Take it from them first (Users page: Remove from role).",
                found.name, found.members
            )));
        }
        crate::store::groups::delete(&mut tx, kind, id).await?;
        crate::store::tenants::bump_version(&mut tx, me.tenant_id).await?;
        crate::store::audit::record(&mut tx, me.tenant_id, &me.email, &format!("{}_deleted", kind.noun()), &found.name).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}
