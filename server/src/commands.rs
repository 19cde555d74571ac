//! The operator's commands: tenants, their users and groups.

use crate::cli::Person;
use anyhow::{anyhow, Context};
use app::auth::password_hash;
use app::domain::{access::AccessLevel, email::Email, names, password};
use app::clock::now;
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
