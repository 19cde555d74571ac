//! The first-run setup: the first tenant and its admin, created once.

use crate::domain::{access::AccessLevel, email::Email, names, password};
use crate::error::AppError;
use crate::clock::now;
use crate::state::app_state;
use crate::store::{self, users::NewUser};

pub struct Form {
    pub organisation: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password: String,
    pub password_confirm: String,
}

pub async fn run(form: Form) -> Result<(), AppError> {
    let state = app_state()?;
    let email = Email::parse(&form.email).map_err(|e| AppError::Invalid(capitalise(&e.to_string())))?;
    check_form(&form)?;
    // Asked again under the transaction below; asked first so that a set-up
    // server does not hash passwords for anyone who sends the form.
    if store::users::admin_exists(&mut *state.db.pool.acquire().await?).await? {
        return Err(AppError::NotFound);
    }
    let hash = super::password_hash::hash(form.password.clone()).await?;

    // The `installation` row can be inserted only once, so two setups
    // racing each other cannot both succeed.
    let mut tx = state.db.pool.begin().await?;
    if store::users::admin_exists(&mut tx).await? {
        return Err(AppError::NotFound);
    }
    let now = now();
    store::tenants::mark_installed(&mut tx, now).await.map_err(|_| AppError::NotFound)?;
    let tenant = store::tenants::create(&mut tx, &form.organisation, now).await?;
    let new_admin = NewUser {
        email: &email,
        first_name: &form.first_name,
        last_name: &form.last_name,
        access: AccessLevel::Admin,
        password_hash: Some(&hash),
    };
    let user_id = store::users::insert(&mut tx, &tenant, &new_admin, now).await?;
    tx.commit().await?;
    tracing::info!(event = "user_created", tenant = %tenant.name, user = user_id, "first-run setup done");
    super::session::start(&state, user_id).await
}

fn check_form(form: &Form) -> Result<(), AppError> {
    let invalid = |message: &str| Err(AppError::Invalid(message.to_string()));
    names::organisation(&form.organisation).map_err(AppError::Invalid)?;
    if form.last_name.trim().is_empty() {
        return invalid("Enter your last name.");
    }
    if form.first_name.chars().count() > 100 || form.last_name.chars().count() > 100 {
        return invalid("Names may have at most 100 characters.");
    }
    if form.password != form.password_confirm {
        return invalid("The two passwords differ; type the same password twice.");
    }
    password::check(&form.password, password::DEFAULT_MIN_LENGTH)
        .map_err(|e| AppError::Invalid(capitalise(&format!("{e}."))))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}
