//! The users directory as the pages see it: the list's query and pages, one
//! user's page, and the preview of a change of many users.

use engine::domain::access::AccessLevel;
use engine::import::tenant_columns::TenantColumn;
use engine::import::{DirectoryUser, Summary};
use serde::{Deserialize, Serialize};
use super::passwords::Invitation;

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

/// How many characters of a value of the organisation's columns the list
/// sorts by (and their indexes hold).
pub const SORTED: usize = 200;

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
    /// The tenant's column with this id.
    Own(i64),
}

impl Sort {
    pub const ALL: [Sort; 7] = [Sort::UserId, Sort::Email, Sort::FirstName, Sort::LastName, Sort::Title, Sort::AccessLevel, Sort::Active];

    /// The name in the page's address: a tenant's column is `c` and its id.
    pub fn param(self) -> String {
        match self {
            Sort::Own(id) => format!("c{id}"),
            built_in => built_in.built_in_param().to_string(),
        }
    }

    fn built_in_param(self) -> &'static str {
        match self {
            Sort::Own(_) => "",
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
        match param.strip_prefix('c').and_then(|id| id.parse().ok()) {
            Some(id) => Some(Sort::Own(id)),
            None => Sort::ALL.into_iter().find(|s| s.built_in_param() == param),
        }
    }

    /// The heading of a built-in column; a tenant's column is named by the tenant.
    pub fn heading(self) -> &'static str {
        match self {
            Sort::Own(_) => "",
            Sort::LastName => "Last Name",
            Sort::FirstName => "First Name",
            Sort::UserId => "User ID",
            Sort::Email => "Email",
            Sort::Title => "Title",
            Sort::AccessLevel => "Access Level",
            Sort::Active => "Active",
        }
    }

    /// The sort key of a user, as the database compares it; `column_ids`
    /// are the ids of the tenant's columns, in the order of the user's values.
    pub fn key(self, user: &DirectoryUser, column_ids: &[i64]) -> String {
        match self {
            // The beginning the database sorts by.
            Sort::Own(id) => column_ids.iter().position(|c| *c == id).and_then(|at| user.values.get(at)).map(|v| v.chars().take(SORTED).collect()).unwrap_or_default(),
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
    /// Values of the tenant's columns, each `id:value`, separated by
    /// [`Filter::OWN_SEPARATOR`]; the users must hold every one.
    pub own: String,
}

impl Filter {
    /// At most this many users can be ticked one by one; more are chosen by a filter.
    pub const MAX_IDS: usize = 10_000;

    /// The ticked users' ids; anything that is not an id is left out.
    pub fn id_list(&self) -> Vec<i64> {
        self.ids.split(',').filter_map(|id| id.trim().parse().ok()).take(Self::MAX_IDS).collect()
    }

    /// Between the values of [`Filter::own`]: a character no value of a list holds.
    pub const OWN_SEPARATOR: char = '\n';

    /// The tenant's columns' values the users must hold, by column id; a
    /// part that names no column is left out.
    pub fn own_values(&self) -> Vec<(i64, &str)> {
        (self.own.split(Self::OWN_SEPARATOR))
            .filter_map(|part| part.split_once(':'))
            .filter(|(_, value)| !value.is_empty())
            .filter_map(|(id, value)| Some((id.trim().parse().ok()?, value)))
            .collect()
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
    pub invitation: Invitation,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<Listed>,
    /// How many users match the filter.
    pub total: i64,
    pub next: Option<Cursor>,
    pub previous: Option<Cursor>,
    /// The tenant's columns, each with its id, in the order of the users' values.
    pub columns: Vec<(i64, TenantColumn)>,
}

/// Users on one page of the list.
pub const PAGE_SIZE: i64 = 50;


/// One user as their page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OneUser {
    pub id: i64,
    pub user: DirectoryUser,
    /// The User IDs of the people who report to them.
    pub reports: Vec<String>,
    /// Locked for a while after failed sign-ins.
    pub locked: bool,
    /// The signed-in person themselves.
    pub is_me: bool,
    pub invitation: Invitation,
    /// The tenant's columns, in the order of the user's values.
    pub columns: Vec<TenantColumn>,
}

/// What a change of many users would do, before the admin confirms it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkPlan {
    /// How many users the selection holds.
    pub count: usize,
    /// The first of them, by User ID, for the confirmation to name.
    pub users: Vec<String>,
    pub summary: Summary,
    /// Every problem, each naming its user.
    pub problems: Vec<String>,
    pub version: i64,
    pub digest: String,
}

/// How many users a confirmation names before it says "and N more".
pub const NAMED: usize = 50;


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
    fn a_sort_by_a_tenant_s_column_and_its_values_in_the_filter_read_back() {
        assert_eq!(Sort::parse(&Sort::Own(12).param()), Some(Sort::Own(12)));
        assert_eq!(Sort::parse("title"), Some(Sort::Title));
        assert_eq!(Sort::parse("c"), None);
        let filter = Filter { own: "12:Field\n13:\nx:y\n14:TRUE".into(), ..Filter::default() };
        assert_eq!(filter.own_values(), [(12, "Field"), (14, "TRUE")]);
    }

    #[test]
    fn ticked_ids_read_back_without_anything_that_is_not_an_id() {
        let filter = Filter { ids: "3, 5,x,,7".into(), ..Filter::default() };
        assert_eq!(filter.id_list(), [3, 5, 7]);
    }
}
