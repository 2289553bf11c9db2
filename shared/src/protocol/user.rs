//! Resource owners: users, whom a token is for, and their browser logins.

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub workspace: String,
    pub username: String,
    /// Stable subject identifier, not reused if a username is.
    pub sub: String,
    pub password_hash: String,
    /// Rises whenever the operator ends the user's tokens and sessions (a new password,
    /// disabling, `revoke-tokens`, deletion): everything issued under an older one is dead.
    pub generation: u64,
    /// A disabled user cannot sign in.
    pub disabled: bool,
    /// What the operator lets the user do beyond signing in ([`Role`]).
    pub roles: Vec<Role>,
    /// OpenID Connect claims (`profile`, `email` scopes), as the operator set them.
    pub profile: Profile,
}

/// A user's standard claims (OpenID Connect Core §5.1) that this server keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    pub name: Option<String>,
    pub email: Option<String>,
    pub email_verified: bool,
}

impl User {
    /// The claims `scope` releases (Core §5.4): `profile` gives `name` and
    /// `preferred_username`, `email` gives `email` and `email_verified`; `sub` always.
    pub fn claims(
        &self,
        scope: &super::scope::Scopes,
    ) -> serde_json::Map<String, serde_json::Value> {
        use serde_json::json;
        let has = |s: &str| scope.iter().any(|x| x == s);
        let mut c = serde_json::Map::new();
        c.insert("sub".into(), json!(self.sub));
        if has("profile") {
            if let Some(name) = &self.profile.name {
                c.insert("name".into(), json!(name));
            }
            c.insert("preferred_username".into(), json!(self.username));
        }
        if has("email") {
            if let Some(email) = &self.profile.email {
                c.insert("email".into(), json!(email));
                c.insert("email_verified".into(), json!(self.profile.email_verified));
            }
        }
        c
    }
}

/// What a user may do beyond signing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Registers and manages the workspace's applications it owns (`/{workspace}/oauth2/apps`).
    Developer,
}

impl Role {
    pub const ALL: [Role; 1] = [Role::Developer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Developer => "developer",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

impl User {
    /// A new, enabled user with nothing revoked yet.
    pub fn new(workspace: &str, username: &str, sub: &str, password_hash: String) -> Self {
        Self {
            workspace: workspace.to_owned(),
            username: username.to_owned(),
            sub: sub.to_owned(),
            password_hash,
            generation: 0,
            disabled: false,
            roles: Vec::new(),
            profile: Profile::default(),
        }
    }
}

/// Who a token is for: the resource owner of a user grant, as of the user's generation then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub username: String,
    pub sub: String,
    pub generation: u64,
}

impl From<&User> for Owner {
    fn from(u: &User) -> Self {
        Self {
            username: u.username.clone(),
            sub: u.sub.clone(),
            generation: u.generation,
        }
    }
}

/// A browser's login at the authorization endpoint, stored under the digest of its cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub workspace: String,
    pub username: String,
    pub sub: String,
    pub auth_time: u64,
    pub expires_at: u64,
    /// The user's generation at sign-in.
    pub generation: u64,
}

impl Session {
    pub fn owner(&self) -> Owner {
        Owner {
            username: self.username.clone(),
            sub: self.sub.clone(),
            generation: self.generation,
        }
    }

    /// Whether the session still stands at `now` (whatever TTL has not deleted yet), the
    /// user's generation being `current` (read with it): a new password, disabling or
    /// deleting the user ends it.
    pub fn is_valid(&self, now: u64, current: u64) -> bool {
        self.expires_at > now && self.generation == current
    }
}

/// What a user allowed a client, under the user's generation then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub scopes: super::scope::Scopes,
    pub expires_at: u64,
    pub generation: u64,
}
