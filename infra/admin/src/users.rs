//! `oauth-admin user …`: accounts, and what ends with them.

use crate::{now, Ctx, Ws};
use clap::{Args, Subcommand};
use oauth_core::protocol::user::{Profile, User};
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

/// OpenID Connect claims (the `profile` and `email` scopes release them).
#[derive(Args)]
pub(crate) struct ProfileArgs {
    /// The user's full name (`name`).
    #[arg(long)]
    name: Option<String>,
    /// The user's email address (`email`).
    #[arg(long)]
    email: Option<String>,
    /// Whether the address is verified (`email_verified`; a new address is not, unless set).
    #[arg(long, value_name = "true|false")]
    email_verified: Option<bool>,
}

#[derive(Args)]
pub(crate) struct CreateUser {
    #[command(flatten)]
    user: UserArgs,
    #[command(flatten)]
    profile: ProfileArgs,
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
    #[arg(long = "role", value_name = "ROLE")]
    roles: Vec<String>,
    /// Take every role away.
    #[arg(long, conflicts_with = "roles")]
    no_roles: bool,
    /// Claims to change (the others stay).
    #[command(flatten)]
    profile: ProfileArgs,
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
        "name": u.profile.name,
        "email": u.profile.email,
        "email_verified": u.profile.email_verified,
    })
}

fn read_password(from_stdin: bool) -> Result<String, AdminError> {
    crate::read_secret("password", from_stdin)
}

pub(crate) async fn user(ctx: &Ctx, cmd: UserCmd) -> Result<Value, AdminError> {
    let users = &*ctx.stores.users;
    let iterations = ctx.settings.pbkdf2_iterations;
    let (who, action, done) = match cmd {
        UserCmd::Create(CreateUser {
            user: u,
            profile,
            roles,
        }) => {
            let roles = admin::parse_roles(&roles)?;
            let profile = Profile {
                name: profile.name,
                email: profile.email,
                email_verified: profile.email_verified.unwrap_or(false),
            };
            let password = read_password(u.password_stdin)?;
            let who = (u.ws.workspace.as_str(), u.username.as_str());
            let extra = (roles.as_slice(), &profile);
            let user =
                admin::create_user_with_roles(users, iterations, who, &password, extra, now())
                    .await?;
            return Ok(user_json(&user));
        }
        UserCmd::Update(u) => {
            let p = u.profile;
            let profile_change =
                p.name.is_some() || p.email.is_some() || p.email_verified.is_some();
            let roles_change = !u.roles.is_empty() || u.no_roles;
            if !profile_change && !roles_change {
                return Err(AdminError::Invalid(
                    "nothing to change: give --role, --no-roles, --name, --email or --email-verified".into(),
                ));
            }
            let key = (u.who.ws.workspace.as_str(), u.who.username.as_str());
            if roles_change {
                let roles = admin::parse_roles(&u.roles)?;
                admin::change_user(users, iterations, key, &UserAction::SetRoles(roles)).await?;
            }
            if profile_change {
                let action = UserAction::UpdateProfile {
                    name: p.name,
                    email: p.email,
                    email_verified: p.email_verified,
                };
                admin::change_user(users, iterations, key, &action).await?;
            }
            let user = users.user(key.0, key.1).await?;
            return Ok(user.as_ref().map(user_json).unwrap_or(Value::Null));
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
