//! `oauth-admin`: the operator's tool for tables, clients, users, tokens, registration tokens
//! and signing keys. It reads the same environment as the functions (`AWS_REGION`,
//! `*_TABLE`, `AWS_ENDPOINT_URL_DYNAMODB` for DynamoDB Local, `PBKDF2_ITERATIONS`,
//! `SCOPES_SUPPORTED`), and for `keys rotate` `SIGNING_KMS_KEY_ID` (`AWS_ENDPOINT_URL_KMS`
//! locally).

mod clients;
mod import;
mod keys;
mod registration;
mod tokens;
mod users;
mod workspaces;

use clap::{Args, Parser, Subcommand};
use clients::ClientCmd;
use oauth_core::clock::{Clock, SystemClock};
use oauth_core::service::admin::AdminError;
use oauth_core::store::dynamo::DynamoStore;
use oauth_core::store::Stores;
use oauth_core::Settings;
use registration::RegistrationCmd;
use serde_json::{json, Value};
use std::process::ExitCode;
use std::sync::Arc;
use tokens::TokenCmd;
use users::UserCmd;

#[derive(Parser)]
#[command(
    name = "oauth-admin",
    version,
    about = "Manage the OAuth server's tables, clients, users, tokens and signing keys"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// DynamoDB tables (for the local stack; in AWS the SAM template creates them).
    #[command(subcommand)]
    Tables(TablesCmd),
    /// Registered clients.
    #[command(subcommand)]
    Client(Box<ClientCmd>),
    /// Resource owners who log in.
    #[command(subcommand)]
    User(UserCmd),
    /// Issued tokens, found by their value (`-` reads it from stdin, keeping it out of the
    /// shell history).
    #[command(subcommand)]
    Token(TokenCmd),
    /// Initial access tokens, which open self-service client registration (RFC 7591).
    #[command(subcommand)]
    RegistrationToken(RegistrationCmd),
    /// The keys that sign JWTs (sealed with KMS).
    #[command(subcommand)]
    Keys(keys::KeysCmd),
    /// What the workspace's pages show: display name, accent colour, logo, support contact.
    #[command(subcommand)]
    Workspace(workspaces::WorkspaceCmd),
    /// Scope descriptions, which the consent page shows (sensitive ones first).
    #[command(subcommand)]
    Scope(workspaces::ScopeCmd),
}

#[derive(Subcommand)]
enum TablesCmd {
    /// Create every missing table, with TTL where the schema asks for it.
    Create,
}

#[derive(Args)]
pub(crate) struct Ws {
    /// Workspace (tenant): 1-63 lowercase letters, digits and hyphens.
    #[arg(long, default_value = "default")]
    pub(crate) workspace: String,
}

/// A secret (`what`: "password", "client secret") from the first line of stdin, or typed at
/// a prompt that does not echo it; never from the command line, where the shell history and
/// `ps` would keep it.
pub(crate) fn read_secret(what: &str, from_stdin: bool) -> Result<String, AdminError> {
    use std::io::{BufRead, IsTerminal};
    let io = |e: std::io::Error| AdminError::Invalid(format!("cannot read the {what}: {e}"));
    if !from_stdin && std::io::stdin().is_terminal() {
        return rpassword::prompt_password(format!("{what}: ")).map_err(io);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(io)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub(crate) fn now() -> u64 {
    SystemClock.now()
}

/// What every command works with.
pub(crate) struct Ctx {
    pub(crate) settings: Settings,
    dynamo: Arc<DynamoStore>,
    pub(crate) stores: Stores,
}

async fn run(cli: Cli) -> Result<Value, AdminError> {
    let settings = Settings::from_env().map_err(AdminError::Invalid)?;
    let tables = settings.tables.clone();
    let dynamo = DynamoStore::connect(tables, settings.ca_roots, settings.dynamodb).await;
    let dynamo = Arc::new(dynamo);
    let ctx = Ctx {
        stores: Stores::new(dynamo.clone()),
        dynamo,
        settings,
    };
    match cli.command {
        Command::Tables(TablesCmd::Create) => {
            let created = ctx.dynamo.create_tables().await?;
            Ok(json!({ "created": created }))
        }
        Command::Client(cmd) => clients::client(&ctx, *cmd).await,
        Command::User(cmd) => users::user(&ctx, cmd).await,
        Command::Token(cmd) => tokens::token(&ctx, cmd).await,
        Command::RegistrationToken(cmd) => registration::registration(&ctx, cmd).await,
        Command::Keys(cmd) => keys::keys(&ctx, cmd).await,
        Command::Workspace(cmd) => workspaces::workspace(&ctx, cmd).await,
        Command::Scope(cmd) => workspaces::scope(&ctx, cmd).await,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(v) => {
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("oauth-admin: {e}");
            ExitCode::FAILURE
        }
    }
}
