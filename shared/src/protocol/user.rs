//! Resource owners: users, whom a token is for, and their browser logins.

/// A user as stored, with the lockout counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub workspace: String,
    pub username: String,
    /// Stable subject identifier, not reused if a username is.
    pub sub: String,
    pub password_hash: String,
    pub failed_logins: u32,
    pub locked_until: u64,
}

/// Who a token is for: the resource owner of a user grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub username: String,
    pub sub: String,
}

impl From<&User> for Owner {
    fn from(u: &User) -> Self {
        Self {
            username: u.username.clone(),
            sub: u.sub.clone(),
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
}

impl Session {
    pub fn owner(&self) -> Owner {
        Owner {
            username: self.username.clone(),
            sub: self.sub.clone(),
        }
    }

    /// Whether the session still stands at `now` (whatever TTL has not deleted yet).
    pub fn is_valid(&self, now: u64) -> bool {
        self.expires_at > now
    }
}
