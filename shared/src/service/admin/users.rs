//! Accounts: creating users, and what the operator does to them.

use super::AdminError;
use crate::crypto;
use crate::protocol::user::{Profile, Role, User};
use crate::protocol::workspace;
use crate::store::{AccountChange, StoreError, UserStore};
use std::num::NonZeroU32;

fn check_user_input(workspace: &str, username: &str, password: &str) -> Result<(), AdminError> {
    workspace::validate_name(workspace).map_err(|e| AdminError::Invalid(e.description))?;
    if username.is_empty() || username.len() > 256 || username.chars().any(char::is_control) {
        return Err(AdminError::Invalid(
            "usernames are 1-256 characters, no control characters".into(),
        ));
    }
    if password.chars().count() < 8 {
        return Err(AdminError::Invalid(
            "passwords need at least 8 characters".into(),
        ));
    }
    Ok(())
}

pub async fn create_user(
    store: &dyn UserStore,
    iterations: NonZeroU32,
    workspace: &str,
    username: &str,
    password: &str,
    now: u64,
) -> Result<User, AdminError> {
    let who = (workspace, username);
    let extra = (&[][..], &Profile::default());
    create_user_with_roles(store, iterations, who, password, extra, now).await
}

/// Why a profile cannot be stored, in fixed words.
fn check_profile(p: &Profile) -> Result<(), AdminError> {
    let text = |v: &Option<String>| {
        v.as_ref().is_none_or(|v| {
            (1..=200).contains(&v.chars().count()) && !v.chars().any(char::is_control)
        })
    };
    let email_ok = p.email.as_ref().is_none_or(|e| {
        e.split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
            && !e.chars().any(char::is_whitespace)
    });
    if !text(&p.name) || !text(&p.email) || !email_ok {
        return Err(AdminError::Invalid(
            "a name is 1-200 characters without control characters; an email is local@domain"
                .into(),
        ));
    }
    Ok(())
}

/// [`create_user`], holding `roles` and the OpenID Connect `profile` from the start.
pub async fn create_user_with_roles(
    store: &dyn UserStore,
    iterations: NonZeroU32,
    (workspace, username): (&str, &str),
    password: &str,
    (roles, profile): (&[Role], &Profile),
    now: u64,
) -> Result<User, AdminError> {
    check_user_input(workspace, username, password)?;
    check_profile(profile)?;
    let hash = crypto::hash_password(password, iterations);
    let user = User {
        roles: roles.to_vec(),
        profile: profile.clone(),
        ..User::new(workspace, username, &crypto::random_id(22), hash)
    };
    match store.create_user(&user, now).await {
        Ok(()) => Ok(user),
        Err(StoreError::ConditionFailed) => Err(AdminError::Exists(format!("user {username}"))),
        Err(e) => Err(e.into()),
    }
}

/// Role names as the operator writes them.
pub fn parse_roles(names: &[String]) -> Result<Vec<Role>, AdminError> {
    let mut roles = Vec::new();
    for name in names {
        let role = Role::parse(name).ok_or_else(|| {
            AdminError::Invalid(format!("unknown role {name:?}; known: developer"))
        })?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    Ok(roles)
}

/// What the operator does to a user (`oauth-admin user …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserAction {
    SetPassword(String),
    Disable,
    Enable,
    RevokeTokens,
    Delete,
    /// Sets the user's roles (ends nothing).
    SetRoles(Vec<Role>),
    /// Changes the claims given (`None`: kept); ends nothing.
    UpdateProfile {
        name: Option<String>,
        email: Option<String>,
        email_verified: Option<bool>,
    },
}

/// Applies `action` to a user. Everything but `Enable` and `SetRoles` ends the user's tokens, sessions and
/// consents at once (see `AccountChange`).
pub async fn change_user(
    store: &dyn UserStore,
    iterations: NonZeroU32,
    (workspace, username): (&str, &str),
    action: &UserAction,
) -> Result<User, AdminError> {
    let not_found = || AdminError::NotFound(format!("user {username}"));
    let change = match action {
        UserAction::SetPassword(password) => {
            check_user_input(workspace, username, password)?;
            AccountChange::SetPassword(crypto::hash_password(password, iterations))
        }
        UserAction::Disable => AccountChange::Disable,
        UserAction::Enable => AccountChange::Enable,
        UserAction::RevokeTokens => AccountChange::RevokeTokens,
        UserAction::Delete => AccountChange::Delete,
        UserAction::SetRoles(roles) => AccountChange::SetRoles(roles.clone()),
        UserAction::UpdateProfile { .. } => AccountChange::SetProfile(Profile::default()),
    };
    let user = store
        .user(workspace, username)
        .await?
        .ok_or_else(not_found)?;
    let change = match action {
        UserAction::UpdateProfile {
            name,
            email,
            email_verified,
        } => {
            let mut p = user.profile.clone();
            if name.is_some() {
                p.name = name.clone();
            }
            if email.is_some() {
                // A new address is unverified unless the operator says otherwise.
                p.email_verified = email_verified.unwrap_or(false);
                p.email = email.clone();
            } else if let Some(v) = email_verified {
                p.email_verified = *v;
            }
            check_profile(&p)?;
            AccountChange::SetProfile(p)
        }
        _ => change,
    };
    match store.change_account(&user, &change).await {
        Ok(()) => Ok(user),
        Err(StoreError::ConditionFailed) => Err(not_found()),
        Err(e) => Err(e.into()),
    }
}
