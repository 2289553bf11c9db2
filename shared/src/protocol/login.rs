//! What a password check means for the account (RFC 6749 §10.10: the server must stop
//! guessing): accept, count a failure toward the lockout, or refuse without counting.

use super::user::User;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    /// The password is right and the account not locked; the store must still confirm that no
    /// racing failure locked it since it was read.
    Accept,
    /// A wrong password for an unlocked account: one more failure toward the lock.
    CountFailure,
    /// No such user, or a locked account: refused, and a lock is neither extended nor counted.
    Refuse,
}

/// `user` is the record read (`None`: no such user); `password_ok` whether the hash matched.
pub fn outcome(user: Option<&User>, password_ok: bool, now: u64) -> LoginOutcome {
    match user {
        Some(u) if u.locked_until > now => LoginOutcome::Refuse,
        Some(_) if password_ok => LoginOutcome::Accept,
        Some(_) => LoginOutcome::CountFailure,
        None => LoginOutcome::Refuse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(locked_until: u64) -> User {
        User {
            locked_until,
            ..User::new("w", "u", "s", String::new())
        }
    }

    #[test]
    fn outcomes() {
        assert_eq!(outcome(Some(&user(0)), true, 10), LoginOutcome::Accept);
        assert_eq!(
            outcome(Some(&user(0)), false, 10),
            LoginOutcome::CountFailure
        );
        assert_eq!(
            outcome(Some(&user(11)), true, 10),
            LoginOutcome::Refuse,
            "locked"
        );
        assert_eq!(
            outcome(Some(&user(10)), true, 10),
            LoginOutcome::Accept,
            "lock over"
        );
        assert_eq!(outcome(Some(&user(11)), false, 10), LoginOutcome::Refuse);
        assert_eq!(outcome(None, false, 10), LoginOutcome::Refuse);
    }
}
