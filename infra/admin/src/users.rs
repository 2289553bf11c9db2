//! `oauth-admin user …`: accounts, and what ends with them.

use crate::{now, Ctx, Ws};
use clap::{Args, Subcommand};
use oauth_core::protocol::user::User;
use oauth_core::service::admin::{self, AdminError, UserAction};
use serde_json::{json, Value};

#[derive(Args)]
pub(crate) struct UserArgs {
    #[command(flatten)]
    ws: Ws,
    #[arg(long)]
    username: String,
    /// Read the password from the first line of standard input instead of prompting.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Args)]
pub(crate) struct CreateUser {
    #[command(flatten)]
    user: UserArgs,
    /// A role beyond signing in (repeatable): `developer` manages its own applications at
    /// `/{workspace}/oauth2/apps`.
    #[arg(long = "role", value_name = "ROLE")]
    roles: Vec<String>,
}

#[derive(Args)]
pub(crate) struct UpdateUser {
    #[command(flatten)]
    who: Username,
    /// The user's roles become these (repeatable); nothing else changes, nothing ends.
    #[arg(
        long = "role",
        value_name = "ROLE",
        required_unless_present = "no_roles"
    )]
    roles: Vec<String>,
    /// Take every role away.
    #[arg(long, conflicts_with = "roles")]
    no_roles: bool,
}

#[derive(Subcommand)]
pub(crate) enum UserCmd {
    /// Add a user; the password is read from stdin or a prompt, never from the command line.
    Create(CreateUser),
    /// Change a user's roles (`--role developer`, or `--no-roles`).
    Update(UpdateUser),
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
pub(crate) struct Username {
    #[command(flatten)]
    ws: Ws,
    #[arg(long)]
    username: String,
}

fn user_json(u: &User) -> Value {
    json!({
        "workspace": u.workspace,
        "username": u.username,
        "sub": u.sub,
        "disabled": u.disabled,
        "roles": u.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
    })
}

fn read_password(from_stdin: bool) -> Result<String, AdminError> {
    crate::read_secret("password", from_stdin)
}

pub(crate) async fn user(ctx: &Ctx, cmd: UserCmd) -> Result<Value, AdminError> {
    let users = &*ctx.stores.users;
    let iterations = ctx.settings.pbkdf2_iterations;
    let (who, action, done) = match cmd {
        UserCmd::Create(CreateUser { user: u, roles }) => {
            let roles = admin::parse_roles(&roles)?;
            let password = read_password(u.password_stdin)?;
            let who = (u.ws.workspace.as_str(), u.username.as_str());
            let user =
                admin::create_user_with_roles(users, iterations, who, &password, &roles, now())
                    .await?;
            return Ok(user_json(&user));
        }
        UserCmd::Update(u) => {
            let roles = admin::parse_roles(&u.roles)?;
            (u.who, UserAction::SetRoles(roles), "updated")
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
