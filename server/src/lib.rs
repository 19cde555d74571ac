//! The `roster` binary: the web server and the operator's commands.

pub mod cli;
mod body_limit;
mod commands;
mod csrf;
mod downloads;
mod mailer;
mod sheets;
mod web;

use app::store::Db;
use cli::{AdminAction, Cli, ColumnAction, Command, GroupAction, ServeArgs, TenantAction, UserAction};
use clap::Parser;

pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // Logs go to standard error: standard output carries command results.
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

/// Runs a command; the result is the process's exit status.
pub async fn run(cli: Cli) -> anyhow::Result<u8> {
    let command = cli.command.unwrap_or_else(|| Command::Serve(ServeArgs::parse_from(["serve"])));
    if let Command::Template { tenant: None, format, output } = &command {
        // Needs no database.
        sheets::template(&[], *format, output.as_deref())?;
        return Ok(0);
    }
    let db = Db::open(&cli.database)
        .await
        .map_err(|error| anyhow::anyhow!("cannot open the database {}: {error}", cli.database))?;
    match command {
        Command::Serve(args) => web::serve(db, args).await?,
        Command::Tenant { action: TenantAction::Create { name } } => commands::create_tenant(&db, &name).await?,
        Command::Admin { action: AdminAction::Create(person) } => {
            commands::create_user(&db, &person, app::domain::access::AccessLevel::Admin).await?
        }
        Command::User { action: UserAction::Create { person, access_level } } => {
            commands::create_user(&db, &person, access_level).await?
        }
        Command::Group { action: GroupAction::Create { tenant, groups } } => {
            commands::create_groups(&db, &tenant, &groups).await?
        }
        Command::Column { action: ColumnAction::Create(definition) } => commands::create_column(&db, definition).await?,
        Command::Column { action: ColumnAction::List { tenant, json } } => commands::list_columns(&db, &tenant, json).await?,
        Command::Check { tenant, file, json } => return sheets::check(&db, &tenant, &file, json).await,
        Command::Import { tenant, actor, file, json, batch_id } => {
            return sheets::import(&db, &tenant, &actor, &file, json, batch_id).await
        }
        Command::Export { tenant, format, output } => sheets::export(&db, &tenant, format, output.as_deref()).await?,
        Command::Template { tenant: Some(tenant), format, output } => sheets::tenant_template(&db, &tenant, format, output.as_deref()).await?,
        Command::Template { tenant: None, .. } => {}
    }
    Ok(0)
}
