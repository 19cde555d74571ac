//! The operator's commands: tenants, their users, groups and columns.

use crate::cli::{ColumnDefinition, Person};
use anyhow::{anyhow, Context};
use app::auth::password_hash;
use app::domain::{access::AccessLevel, email::Email, names, password};
use app::clock::now;
use app::import::tenant_columns::{TenantColumn, ValueKind, DEFAULT_MAX_LENGTH};
use app::store::{self, tenants::Tenant, users::NewUser, Db};
use std::io::{BufRead, IsTerminal};

pub async fn create_tenant(db: &Db, name: &str) -> anyhow::Result<()> {
    let name = names::organisation(name).map_err(|e| anyhow!(e))?;
    let mut conn = db.pool.acquire().await?;
    let tenant = store::tenants::create(&mut conn, name, now()).await?;
    println!("Created organisation {}", tenant.name);
    Ok(())
}

pub async fn create_user(db: &Db, person: &Person, access: AccessLevel) -> anyhow::Result<()> {
    let email = Email::parse(&person.email)?;
    let mut conn = db.pool.acquire().await?;
    let tenant = find_tenant(&mut conn, &person.tenant).await?;
    let password = read_password()?;
    let hash = password_hash::hash(password).await?;
    let user = NewUser {
        email: &email,
        first_name: &person.first_name,
        last_name: &person.last_name,
        access,
        password_hash: Some(&hash),
    };
    let mut tx = db.begin_directory_write(tenant.id).await?;
    store::users::insert(&mut tx, &tenant, &user, now()).await?;
    tx.commit().await?;
    println!("Created {access} {email} in {}", tenant.name);
    Ok(())
}

pub async fn create_groups(db: &Db, tenant: &str, groups: &[String]) -> anyhow::Result<()> {
    let groups = groups
        .iter()
        .map(|name| names::group(name))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow!(e))?;
    let mut conn = db.pool.acquire().await?;
    let tenant = find_tenant(&mut conn, tenant).await?;
    drop(conn);
    let mut tx = db.begin_directory_write(tenant.id).await?;
    for name in groups {
        if store::groups::create(&mut tx, tenant.id, name).await? {
            println!("Created group {name}");
        } else {
            println!("Group {name} exists already");
        }
    }
    // A file checked before these groups existed must be checked again.
    store::tenants::bump_version(&mut tx, tenant.id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn create_column(db: &Db, definition: ColumnDefinition) -> anyhow::Result<()> {
    let mut conn = db.pool.acquire().await?;
    let tenant = find_tenant(&mut conn, &definition.tenant).await?;
    drop(conn);
    let choices = definition.choices.as_deref().map_or_else(Vec::new, |text| text.split('|').map(str::to_string).collect());
    let column = TenantColumn {
        name: definition.name,
        kind: definition.kind,
        required: definition.required,
        unique: definition.unique,
        default: definition.default,
        max_length: definition.max_length.unwrap_or(DEFAULT_MAX_LENGTH),
        choices,
        aliases: definition.aliases,
        description: definition.description,
    };
    let name = column.name.trim().to_string();
    app::columns::define(db, tenant.id, "operator", column).await.map_err(|error| anyhow!("{error}"))?;
    println!("Created column {name} in {}", tenant.name);
    Ok(())
}

pub async fn list_columns(db: &Db, tenant: &str, as_json: bool) -> anyhow::Result<()> {
    let mut conn = db.pool.acquire().await?;
    let tenant = find_tenant(&mut conn, tenant).await?;
    let columns = store::columns::list(&mut conn, tenant.id).await?;
    if as_json {
        println!("{}", serde_json::to_string(&columns)?);
        return Ok(());
    }
    if columns.is_empty() {
        println!("{} has no columns of its own.", tenant.name);
    }
    for column in columns {
        let mut traits = vec![column.kind.as_str().to_string()];
        traits.extend((column.kind == ValueKind::Text).then(|| format!("at most {} characters", column.max_length)));
        traits.extend(column.required.then(|| "required".to_string()));
        traits.extend(column.unique.then(|| "unique".to_string()));
        traits.extend(column.default.map(|value| format!("default {value}")));
        traits.extend((!column.choices.is_empty()).then(|| format!("values {}", column.choices.join("|"))));
        traits.extend((!column.aliases.is_empty()).then(|| format!("also {}", column.aliases.join(", "))));
        traits.extend((!column.description.is_empty()).then(|| column.description.clone()));
        println!("{}: {}", column.name, traits.join("; "));
    }
    Ok(())
}

/// The organisation an operator named; the error names it too.
pub(crate) async fn find_tenant(conn: &mut sqlx::AnyConnection, name: &str) -> anyhow::Result<Tenant> {
    store::tenants::find(conn, name).await.with_context(|| format!("organisation `{name}`"))
}

/// Reads the password without echo from a terminal, or as one line from a pipe.
fn read_password() -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password: ")?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    password::check(&password, password::DEFAULT_MIN_LENGTH).map_err(|e| anyhow!("{e}"))?;
    Ok(password)
}
