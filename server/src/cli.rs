//! The command line, as SPEC's table gives it.

use app::domain::access::AccessLevel;
use app::import::tenant_columns::ValueKind;
use app::import::write::Format;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "roster", version, about = "Create, update and delete many user accounts from one spreadsheet.")]
pub struct Cli {
    /// The database: sqlite://FILE (created on first use) or postgres://USER:PASSWORD@HOST/NAME.
    #[arg(long, global = true, env = "DATABASE_URL", default_value = "sqlite://roster.db")]
    pub database: String,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web application (what `roster` does with no command).
    Serve(ServeArgs),
    /// Organisations.
    Tenant {
        #[command(subcommand)]
        action: TenantAction,
    },
    /// Administrators; the password is read from standard input.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Users of any access level; the password is read from standard input.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Groups, which must exist before an import names them.
    Group {
        #[command(subcommand)]
        action: GroupAction,
    },
    /// An organisation's own columns, which its files, exports and pages carry.
    Column {
        #[command(subcommand)]
        action: ColumnAction,
    },
    /// Check a spreadsheet against an organisation's directory; changes nothing.
    Check {
        #[arg(long)]
        tenant: String,
        /// CSV, XLSX, XLS or ODS, recognised by content.
        file: PathBuf,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Check a spreadsheet and apply it in one transaction, as an admin.
    Import {
        #[arg(long)]
        tenant: String,
        /// The e-mail address of the admin the import runs as.
        #[arg(long = "as")]
        actor: String,
        file: PathBuf,
        #[arg(long)]
        json: bool,
        /// Makes a retry safe: a batch id that was applied before applies nothing.
        #[arg(long)]
        batch_id: Option<String>,
    },
    /// Export an organisation's users in the import format.
    Export {
        #[arg(long)]
        tenant: String,
        #[arg(long, default_value = "csv", value_parser = format)]
        format: Format,
        /// Write here instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Write an empty spreadsheet with every column.
    Template {
        /// Add this organisation's own columns.
        #[arg(long)]
        tenant: Option<String>,
        #[arg(long, default_value = "csv", value_parser = format)]
        format: Format,
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Parser)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "ROSTER_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// End a session after this many seconds without a request.
    #[arg(long, env = "ROSTER_SESSION_IDLE_SECS", default_value_t = 30 * 60)]
    pub session_idle_secs: u64,
    /// End a session this many seconds after sign-in.
    #[arg(long, env = "ROSTER_SESSION_MAX_SECS", default_value_t = 12 * 60 * 60)]
    pub session_max_secs: u64,
    /// Mark the session cookie Secure even without `X-Forwarded-Proto: https`.
    #[arg(long, env = "ROSTER_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// A proxy or load balancer in front of Roster (repeat the flag, or comma-separate
    /// the variable): its `X-Forwarded-For` gives the client's address for the sign-in limits.
    #[arg(long = "trusted-proxy", env = "ROSTER_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The address users reach Roster at, which the links in messages start
    /// with (default: http:// and the listening address).
    #[arg(long, env = "ROSTER_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The mail server for invitations and password links: smtp://HOST:PORT,
    /// smtp://USER:PASSWORD@HOST?tls=required (STARTTLS) or smtps://USER:PASSWORD@HOST.
    /// Without one, messages wait in the outbox.
    #[arg(long, env = "SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The sender of those messages.
    #[arg(long, env = "SMTP_FROM", default_value = "Roster <roster@localhost>")]
    pub smtp_from: String,
    /// Where the built site (pkg/, favicon) is; found by itself after `cargo leptos build`.
    #[arg(long, env = "LEPTOS_SITE_ROOT")]
    pub site_root: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum TenantAction {
    /// Create an organisation.
    Create { name: String },
}

#[derive(Debug, Subcommand)]
pub enum AdminAction {
    /// Create an administrator of an organisation.
    Create(Person),
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create a user of an organisation.
    Create {
        #[command(flatten)]
        person: Person,
        /// Admin, Manager or User.
        #[arg(long, default_value = "User", value_parser = access_level)]
        access_level: AccessLevel,
    },
}

#[derive(Debug, Subcommand)]
pub enum GroupAction {
    /// Create groups; those that exist already are left as they are.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(required = true)]
        groups: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ColumnAction {
    /// Define a column; its name and aliases may match no other column's.
    Create(ColumnDefinition),
    /// The organisation's columns, in their order.
    List {
        #[arg(long)]
        tenant: String,
        /// Print one JSON array instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ColumnDefinition {
    #[arg(long)]
    pub tenant: String,
    /// What its cells hold.
    #[arg(long, value_parser = value_kind)]
    pub kind: ValueKind,
    /// A choice column's values, separated by `|`, in the order lists show them.
    #[arg(long)]
    pub choices: Option<String>,
    /// A new user must get a value, and an update may not clear it.
    #[arg(long)]
    pub required: bool,
    /// No two users may hold the same value (compared without regard to case).
    #[arg(long)]
    pub unique: bool,
    /// The value a new user gets when their row leaves it blank.
    #[arg(long)]
    pub default: Option<String>,
    /// A text column's longest value, in characters (default 100, at most 1,000).
    #[arg(long)]
    pub max_length: Option<usize>,
    /// Another heading that means this column (repeat for more).
    #[arg(long = "alias")]
    pub aliases: Vec<String>,
    /// What the column is for, shown in the template.
    #[arg(long, default_value = "")]
    pub description: String,
    /// The column's name, as its heading reads.
    pub name: String,
}

#[derive(Debug, Args)]
pub struct Person {
    /// The organisation's name.
    #[arg(long)]
    pub tenant: String,
    /// The e-mail address, also the user ID they sign in with.
    #[arg(long)]
    pub email: String,
    #[arg(long, default_value = "")]
    pub first_name: String,
    #[arg(long, default_value = "Administrator")]
    pub last_name: String,
}

fn format(value: &str) -> Result<Format, String> {
    Format::parse(value).ok_or_else(|| format!("`{value}` is not a format: use csv or xlsx"))
}

fn value_kind(value: &str) -> Result<ValueKind, String> {
    ValueKind::parse(value).ok_or_else(|| format!("`{value}` is not a kind of column: use text, boolean, choice or date"))
}

fn access_level(value: &str) -> Result<AccessLevel, String> {
    AccessLevel::parse(value).ok_or_else(|| format!("`{value}` is not an access level: use Admin, Manager or User"))
}
