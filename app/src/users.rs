//! The users directory: the list of a tenant's users, sorted, filtered and
//! paged on the server, for admins and (read only) managers.

use crate::domain::access::AccessLevel;
use crate::error::AppError;
use crate::import::DirectoryUser;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
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

/// What the list is sorted by; each has an index, so any page is quick.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sort {
    #[default]
    LastName,
    FirstName,
    UserId,
    Email,
    Title,
    AccessLevel,
    Active,
}

impl Sort {
    pub const ALL: [Sort; 7] = [Sort::UserId, Sort::Email, Sort::FirstName, Sort::LastName, Sort::Title, Sort::AccessLevel, Sort::Active];

    /// The name in the page's address.
    pub fn param(self) -> &'static str {
        match self {
            Sort::LastName => "last_name",
            Sort::FirstName => "first_name",
            Sort::UserId => "user_id",
            Sort::Email => "email",
            Sort::Title => "title",
            Sort::AccessLevel => "access_level",
            Sort::Active => "active",
        }
    }

    pub fn parse(param: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|s| s.param() == param)
    }

    pub fn heading(self) -> &'static str {
        match self {
            Sort::LastName => "Last Name",
            Sort::FirstName => "First Name",
            Sort::UserId => "User ID",
            Sort::Email => "Email",
            Sort::Title => "Title",
            Sort::AccessLevel => "Access Level",
            Sort::Active => "Active",
        }
    }

    /// The sort key of a user, as the database compares it.
    pub fn key(self, user: &DirectoryUser) -> String {
        match self {
            Sort::LastName => user.last_name.to_string(),
            Sort::FirstName => user.first_name.to_string(),
            Sort::UserId => user.user_id.as_str().to_lowercase(),
            Sort::Email => user.email.as_str().to_lowercase(),
            Sort::Title => user.title.to_string(),
            Sort::AccessLevel => user.access.as_str().to_string(),
            Sort::Active => i64::from(user.active).to_string(),
        }
    }
}

/// What the free-text filter searches: the names (so that `ann smith`
/// finds Ann Smith), the user ID and the e-mail address, lower-cased.
pub fn search_text(first_name: &str, last_name: &str, user_id: &str, email: &str) -> String {
    format!("{first_name} {last_name} {user_id} {email}").to_lowercase()
}

/// The filter, as it stands in the page's address. Blank means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// Free text over names, e-mail address and user ID.
    pub q: String,
    pub access: String,
    /// `TRUE` or `FALSE`.
    pub active: String,
    pub group: String,
    pub role: String,
    /// The manager's user ID.
    pub manager: String,
    /// The ticked users, as their ids separated by commas; blank means "any".
    pub ids: String,
}

impl Filter {
    /// At most this many users can be ticked one by one; more are chosen by a filter.
    pub const MAX_IDS: usize = 10_000;

    /// The ticked users' ids; anything that is not an id is left out.
    pub fn id_list(&self) -> Vec<i64> {
        self.ids.split(',').filter_map(|id| id.trim().parse().ok()).take(Self::MAX_IDS).collect()
    }
}

/// Where a page starts: after (or, going back, before) this sort key and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub key: String,
    pub id: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    pub filter: Filter,
    pub sort: Sort,
    pub descending: bool,
    pub after: Option<Cursor>,
    pub before: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    pub id: i64,
    pub user: DirectoryUser,
    pub invitation: crate::passwords::Invitation,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<Listed>,
    /// How many users match the filter.
    pub total: i64,
    pub next: Option<Cursor>,
    pub previous: Option<Cursor>,
}

/// Users on one page of the list.
pub const PAGE_SIZE: i64 = 50;

/// One page of the caller's tenant's users (admins and managers).
#[server(endpoint = "list_users", input = Json)]
pub async fn list_users(query: ListQuery) -> Result<UserPage, AppError> {
    crate::state::with_status(
        async {
            let (state, me) = crate::auth::session::require(AccessLevel::sees_directory).await?;
            let mut conn = state.db.pool.acquire().await?;
            Ok(crate::store::listing::page(&mut conn, me.tenant_id, &query, PAGE_SIZE).await?)
        }
        .await,
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_text_holds_the_whole_name_user_id_and_email_lower_cased() {
        let text = search_text("Ann", "Élan Smith", "ANN", "Ann@X.org");
        assert_eq!(text, "ann élan smith ann ann@x.org");
        assert!(text.contains("ann élan"), "first and last name in one go");
    }

    #[test]
    fn ticked_ids_read_back_without_anything_that_is_not_an_id() {
        let filter = Filter { ids: "3, 5,x,,7".into(), ..Filter::default() };
        assert_eq!(filter.id_list(), [3, 5, 7]);
    }
}
