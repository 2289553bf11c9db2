//! `oauth-admin`: the operator's tool for tables, clients and users. It reads the same
//! environment as the functions (`AWS_REGION`, `*_TABLE`, `AWS_ENDPOINT_URL_DYNAMODB` for
//! DynamoDB Local, `PBKDF2_ITERATIONS`).

use clap::{Args, Parser, Subcommand};
use oauth_core::clock::{Clock, SystemClock};
use oauth_core::protocol::client::{Client, ClientPolicy};
use oauth_core::protocol::token_record::TokenStanding;
use oauth_core::protocol::user::User;
use oauth_core::service::admin::{self, AdminError, ClientSpec, UserAction};
use oauth_core::store::dynamo::DynamoStore;
use oauth_core::store::{StoreError, Stores};
use oauth_core::{AppState, Settings};
use serde_json::{json, Value};
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "oauth-admin",
    version,
    about = "Manage the OAuth server's tables, clients and users"
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
    Client(ClientCmd),
    /// Resource owners who log in.
    #[command(subcommand)]
    User(UserCmd),
    /// Issued tokens, found by their value (`-` reads it from stdin, keeping it out of the
    /// shell history).
    #[command(subcommand)]
    Token(TokenCmd),
}

#[derive(Subcommand)]
enum TokenCmd {
    /// Print a token's record (no secret is stored, so none is printed).
    Show {
        #[command(flatten)]
        ws: Ws,
        token: String,
    },
    /// Revoke a token; a refresh token takes its whole family with it.
    Revoke {
        #[command(flatten)]
        ws: Ws,
        token: String,
    },
}

#[derive(Subcommand)]
enum TablesCmd {
    /// Create every missing table, with TTL where the schema asks for it.
    Create,
}

#[derive(Args)]
struct Ws {
    /// Workspace (tenant): 1-63 lowercase letters, digits and hyphens.
    #[arg(long, default_value = "default")]
    workspace: String,
}

#[derive(Subcommand)]
enum ClientCmd {
    /// Register a client; prints it as JSON, with the secret shown this once.
    Create(CreateClient),
    /// List a workspace's clients.
    List(Ws),
    /// Show one client.
    Show {
        #[command(flatten)]
        ws: Ws,
        client_id: String,
    },
    /// Change a client's settings; what is not named stays (its id, secret and tokens too).
    Update(UpdateClient),
    /// Delete a client.
    Delete {
        #[command(flatten)]
        ws: Ws,
        client_id: String,
    },
    /// Issue a new secret for a confidential client; the old one stops working.
    RotateSecret {
        #[command(flatten)]
        ws: Ws,
        client_id: String,
        /// Also end every token issued to the client so far.
        #[arg(long)]
        revoke_tokens: bool,
    },
    /// End every token issued to the client so far (the client itself stays).
    RevokeTokens {
        #[command(flatten)]
        ws: Ws,
        client_id: String,
    },
}

#[derive(Args)]
struct CreateClient {
    #[command(flatten)]
    ws: Ws,
    #[arg(long)]
    name: String,
    /// Allowed redirect URI (repeatable): https, http on loopback, or a private-use scheme.
    #[arg(long = "redirect-uri")]
    redirect_uris: Vec<String>,
    /// authorization_code, implicit, password, client_credentials, refresh_token (repeatable;
    /// default: authorization_code and refresh_token).
    #[arg(long = "grant-type")]
    grant_types: Vec<String>,
    /// Space-delimited scopes the client may request.
    #[arg(long)]
    scope: Option<String>,
    /// A public client (no secret; must use PKCE).
    #[arg(long)]
    public: bool,
    /// Skip the consent page.
    #[arg(long)]
    first_party: bool,
    /// Allow the PKCE `plain` method.
    #[arg(long)]
    allow_plain_pkce: bool,
    /// Allow calls to the introspection endpoint.
    #[arg(long)]
    introspect: bool,
    #[arg(long, value_name = "SECS")]
    access_token_ttl: Option<u64>,
    #[arg(long, value_name = "SECS")]
    refresh_token_ttl: Option<u64>,
    /// Seconds a rotated refresh token may still be retried (default 0).
    #[arg(long, value_name = "SECS")]
    refresh_grace: Option<u64>,
    /// The audience of the client's tokens (a resource identifier; repeatable).
    #[arg(long = "audience", value_name = "URI")]
    audience: Vec<String>,
    /// As a resource server, introspect tokens whose audience is this (repeatable).
    #[arg(long = "serves", value_name = "URI")]
    serves: Vec<String>,
    /// Let a confidential client skip PKCE (new clients must use it, as OAuth 2.1 asks).
    #[arg(long)]
    pkce_optional: bool,
}

#[derive(Args)]
struct UpdateClient {
    #[command(flatten)]
    ws: Ws,
    client_id: String,
    #[arg(long)]
    name: Option<String>,
    /// Replaces the redirect URIs (repeatable).
    #[arg(long = "redirect-uri")]
    redirect_uris: Vec<String>,
    /// Replaces the grant types (repeatable).
    #[arg(long = "grant-type")]
    grant_types: Vec<String>,
    /// Replaces the scopes (space-delimited).
    #[arg(long)]
    scope: Option<String>,
    /// Replaces the audience of the client's tokens (repeatable).
    #[arg(long = "audience", value_name = "URI")]
    audience: Vec<String>,
    /// Replaces the resources it serves as a resource server (repeatable).
    #[arg(long = "serves", value_name = "URI")]
    serves: Vec<String>,
    /// Allow calls to the introspection endpoint.
    #[arg(long, conflicts_with = "no_introspect")]
    introspect: bool,
    #[arg(long)]
    no_introspect: bool,
    /// Require PKCE even though the client is confidential.
    #[arg(long, conflicts_with = "pkce_optional")]
    require_pkce: bool,
    #[arg(long)]
    pkce_optional: bool,
}

/// `update`'s flags applied to the spec of the client as it is.
fn apply(u: UpdateClient, spec: &mut ClientSpec) {
    let replace = |list: Vec<String>, into: &mut Vec<String>| {
        if !list.is_empty() {
            *into = list;
        }
    };
    if let Some(name) = u.name {
        spec.name = name;
    }
    if u.scope.is_some() {
        spec.scope = u.scope;
    }
    replace(u.redirect_uris, &mut spec.redirect_uris);
    replace(u.grant_types, &mut spec.grant_types);
    replace(u.audience, &mut spec.policy.audience);
    replace(u.serves, &mut spec.policy.serves);
    if u.introspect || u.no_introspect {
        spec.policy.introspect = u.introspect;
    }
    if u.require_pkce || u.pkce_optional {
        spec.policy.require_pkce = u.require_pkce;
    }
}

#[derive(Args)]
struct UserArgs {
    #[command(flatten)]
    ws: Ws,
    #[arg(long)]
    username: String,
    /// Read the password from the first line of standard input instead of prompting.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user; the password is read from stdin or a prompt, never from the command line.
    Create(UserArgs),
    /// List a workspace's users.
    List(Ws),
    /// Delete a user: every token, session and consent of theirs ends.
    Delete(Username),
    /// Set a new password (and lift a lockout): every token, session and consent ends.
    SetPassword(UserArgs),
    /// Stop a user from signing in: every token, session and consent ends.
    Disable(Username),
    /// Let a disabled user sign in again (what was ended stays ended).
    Enable(Username),
    /// End every token, session and consent of a user (the account stays).
    RevokeTokens(Username),
}

#[derive(Args)]
struct Username {
    #[command(flatten)]
    ws: Ws,
    #[arg(long)]
    username: String,
}

fn client_json(c: &Client, secret: Option<&str>) -> Value {
    let mut v = json!({
        "workspace": c.workspace,
        "client_id": c.client_id,
        "name": c.name,
        "public": c.is_public(),
        "redirect_uris": c.redirect_uris,
        "grant_types": c.grant_types.iter().map(|g| g.as_str()).collect::<Vec<_>>(),
        "scope": c.scopes.to_wire(),
        "first_party": c.policy.first_party,
        "allow_plain_pkce": c.policy.allow_plain_pkce,
        "introspect": c.policy.introspect,
        "access_token_ttl": c.policy.access_token_ttl,
        "refresh_token_ttl": c.policy.refresh_token_ttl,
        "refresh_grace": c.policy.refresh_grace,
        "audience": c.policy.audience,
        "serves": c.policy.serves,
        "require_pkce": c.policy.require_pkce,
        "created_at": c.created_at,
    });
    if let Some(s) = secret {
        v["client_secret"] = json!(s);
    }
    v
}

fn now() -> u64 {
    SystemClock.now()
}

fn user_json(u: &User) -> Value {
    json!({
        "workspace": u.workspace,
        "username": u.username,
        "sub": u.sub,
        "disabled": u.disabled,
    })
}

fn token_json(standing: &TokenStanding) -> Value {
    let t = &standing.token;
    json!({
        "workspace": t.workspace,
        "kind": t.kind.as_str(),
        "client_id": t.client_id,
        "username": t.username,
        "sub": t.sub,
        "scope": t.scope.to_wire(),
        "issued_at": t.issued_at,
        "expires_at": t.expires_at,
        "active": standing.is_active(now()),
        "revoked": standing.is_revoked(),
        "rotated_at": t.rotated_at,
        "family_expires_at": t.family_expires_at,
    })
}

/// A token value from the argument, or from stdin when it is `-`.
fn token_value(arg: String) -> Result<String, AdminError> {
    if arg != "-" {
        return Ok(arg);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| AdminError::Invalid(format!("cannot read the token: {e}")))?;
    Ok(line.trim().to_owned())
}

/// The password from the first line of stdin, or typed at a prompt that does not echo it.
fn read_password(from_stdin: bool) -> Result<String, AdminError> {
    let io = |e: std::io::Error| AdminError::Invalid(format!("cannot read the password: {e}"));
    if !from_stdin && std::io::stdin().is_terminal() {
        return rpassword::prompt_password("Password: ").map_err(io);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(io)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// What every command works with.
struct Ctx {
    settings: Settings,
    dynamo: Arc<DynamoStore>,
    stores: Stores,
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
        Command::Client(cmd) => client(&ctx, cmd).await,
        Command::User(cmd) => user(&ctx, cmd).await,
        Command::Token(cmd) => token(&ctx, cmd).await,
    }
}

fn spec(c: CreateClient) -> ClientSpec {
    ClientSpec {
        workspace: c.ws.workspace,
        name: c.name,
        redirect_uris: c.redirect_uris,
        grant_types: c.grant_types,
        scope: c.scope,
        public: c.public,
        policy: ClientPolicy {
            first_party: c.first_party,
            allow_plain_pkce: c.allow_plain_pkce,
            introspect: c.introspect,
            access_token_ttl: c.access_token_ttl,
            refresh_token_ttl: c.refresh_token_ttl,
            refresh_grace: c.refresh_grace.unwrap_or(0),
            audience: c.audience,
            serves: c.serves,
            require_pkce: !c.pkce_optional,
        },
    }
}

async fn client(ctx: &Ctx, cmd: ClientCmd) -> Result<Value, AdminError> {
    let clients = &*ctx.stores.clients;
    match cmd {
        ClientCmd::Create(c) => {
            let r = admin::create_client(clients, &spec(c), now()).await?;
            Ok(client_json(&r.client, r.client_secret.as_deref()))
        }
        ClientCmd::Update(u) => {
            let (ws, id) = (u.ws.workspace.clone(), u.client_id.clone());
            let updated = admin::update_client(clients, &ws, &id, |spec| apply(u, spec)).await?;
            Ok(client_json(&updated, None))
        }
        ClientCmd::List(ws) => {
            let list = clients.clients(&ws.workspace).await?;
            Ok(Value::Array(
                list.iter().map(|c| client_json(c, None)).collect(),
            ))
        }
        ClientCmd::Show { ws, client_id } => match clients.client(&ws.workspace, &client_id).await?
        {
            Some(c) => Ok(client_json(&c, None)),
            None => Err(AdminError::NotFound(format!("client {client_id}"))),
        },
        ClientCmd::Delete { ws, client_id } => {
            match clients.delete_client(&ws.workspace, &client_id).await {
                Err(StoreError::ConditionFailed) => {
                    return Err(AdminError::NotFound(format!("client {client_id}")))
                }
                other => other?,
            }
            Ok(json!({ "deleted": client_id }))
        }
        ClientCmd::RotateSecret {
            ws,
            client_id,
            revoke_tokens,
        } => {
            let secret = admin::rotate_secret(clients, &ws.workspace, &client_id).await?;
            if revoke_tokens {
                admin::revoke_client_tokens(clients, &ws.workspace, &client_id).await?;
            }
            Ok(
                json!({ "client_id": client_id, "client_secret": secret, "tokens_revoked": revoke_tokens }),
            )
        }
        ClientCmd::RevokeTokens { ws, client_id } => {
            admin::revoke_client_tokens(clients, &ws.workspace, &client_id).await?;
            Ok(json!({ "client_id": client_id, "tokens_revoked": true }))
        }
    }
}

async fn user(ctx: &Ctx, cmd: UserCmd) -> Result<Value, AdminError> {
    let users = &*ctx.stores.users;
    let iterations = ctx.settings.pbkdf2_iterations;
    let (who, action, done) = match cmd {
        UserCmd::Create(u) => {
            let password = read_password(u.password_stdin)?;
            let ws = &u.ws.workspace;
            let user =
                admin::create_user(users, iterations, ws, &u.username, &password, now()).await?;
            return Ok(user_json(&user));
        }
        UserCmd::List(ws) => {
            let list = users.users(&ws.workspace).await?;
            return Ok(Value::Array(list.iter().map(user_json).collect()));
        }
        UserCmd::SetPassword(u) => {
            let password = read_password(u.password_stdin)?;
            (
                Username {
                    ws: u.ws,
                    username: u.username,
                },
                UserAction::SetPassword(password),
                "updated",
            )
        }
        UserCmd::Delete(u) => (u, UserAction::Delete, "deleted"),
        UserCmd::Disable(u) => (u, UserAction::Disable, "disabled"),
        UserCmd::Enable(u) => (u, UserAction::Enable, "enabled"),
        UserCmd::RevokeTokens(u) => (u, UserAction::RevokeTokens, "tokens_revoked"),
    };
    let key = (who.ws.workspace.as_str(), who.username.as_str());
    admin::change_user(users, iterations, key, &action).await?;
    Ok(json!({ done: who.username }))
}

async fn token(ctx: &Ctx, cmd: TokenCmd) -> Result<Value, AdminError> {
    let tokens = &*ctx.stores.tokens;
    match cmd {
        TokenCmd::Show { ws, token } => {
            let value = token_value(token)?;
            match tokens.token(&ws.workspace, &value).await? {
                Some(t) => Ok(token_json(&t)),
                None => Err(AdminError::NotFound(
                    "token (unknown, revoked or deleted by TTL)".into(),
                )),
            }
        }
        TokenCmd::Revoke { ws, token } => {
            let value = token_value(token)?;
            let Some(standing) = tokens.token(&ws.workspace, &value).await? else {
                return Err(AdminError::NotFound(
                    "token (unknown, or already revoked)".into(),
                ));
            };
            let record = standing.token;
            let state = AppState::new(
                ctx.stores.clone(),
                ctx.settings.clone(),
                Arc::new(SystemClock),
            );
            oauth_core::service::token_lifecycle::revoke_record(&state, &value, &record)
                .await
                .map_err(|e| AdminError::Invalid(e.to_string()))?;
            Ok(json!({ "revoked": record.kind.as_str(), "client_id": record.client_id }))
        }
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
