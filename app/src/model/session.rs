//! Who is signed in, as the pages need them.

use engine::domain::access::AccessLevel;
use serde::{Deserialize, Serialize};

/// The signed-in person, as the pages need them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub tenant_id: i64,
    pub tenant: String,
    pub email: String,
    pub user_id: String,
    pub name: String,
    pub access: AccessLevel,
}
