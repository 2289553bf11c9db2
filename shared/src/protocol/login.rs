//! Password guessing (RFC 6749 §10.10, RFC 9700 §2.4): failures are counted per account *and*
//! source address, so a guesser is slowed and then stopped without handing anyone a button
//! that locks another person out. From the third failure in a row a source waits before its
//! next try (1 s, 2 s, ...), and `threshold` failures lock that source out of that account for
//! `lock_seconds` (a lock that starts again after an earlier one restarts the count there). A throttled attempt is refused before any password is hashed, for known and
//! unknown usernames alike, so neither the answer nor its timing tells them apart.
//!
//! One exception, so that a locked-out person is told so rather than "wrong password": during
//! a lock, the next few attempts ([`Throttle::lock_checks`], at most 3) are still checked,
//! each reserved by a conditional write before any hashing (counted as a failure; the lock
//! keeps its end), never accepted; the right password learns that the account is locked and until
//! when, a wrong one reads as any wrong password. A guesser gains at most those few checks per
//! lock, however many attempts it sends at once, and a typo never hears of locking.

use super::user::User;

/// The failures of one (account, source) pair, as stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attempts {
    pub failures: u32,
    /// No attempt from this source on this account before then.
    pub blocked_until: u64,
}

/// How failures are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Failures from one source that lock it out of an account...
    pub threshold: u32,
    /// ...for this long.
    pub lock_seconds: u64,
}

/// What may be done with an attempt, decided before any hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Check the password.
    Check,
    /// Too soon after the last failures: refuse, and say to wait a few seconds.
    Wait { until: u64 },
    /// Locked: check the password only to tell its owner so; never accept it.
    Locked { until: u64 },
    /// Locked, and the checks a lock allows are spent: refuse as a wrong password.
    Refuse,
}

impl Throttle {
    /// What an attempt at `now` may come to, given the pair's failures so far.
    pub fn admission(&self, attempts: &Attempts, now: u64) -> Admission {
        let until = attempts.blocked_until;
        if until <= now {
            Admission::Check
        } else if attempts.failures < self.threshold {
            Admission::Wait { until }
        } else if attempts.failures < self.threshold.saturating_add(self.lock_checks()) {
            Admission::Locked { until }
        } else {
            Admission::Refuse
        }
    }

    /// Until when the source must wait after its `failures`-th failure in a row: nothing for
    /// the first two, then 1 s, 2 s, 4 s... doubling, and `lock_seconds` at the threshold.
    pub fn blocked_until(&self, failures: u32, now: u64) -> u64 {
        if failures >= self.threshold {
            return now + self.lock_seconds;
        }
        match failures.checked_sub(3) {
            None => now,
            Some(k) => now + (1u64 << k.min(20)).min(self.lock_seconds),
        }
    }

    /// How many attempts a lock still checks, to tell the owner of the right password that
    /// the account is locked: a few, never more than the threshold.
    pub fn lock_checks(&self) -> u32 {
        self.threshold.min(3)
    }

    /// How long a pair's count is kept after its last failure.
    pub fn window(&self) -> u64 {
        self.lock_seconds
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    /// The password is right and the account enabled; the store must still confirm that no
    /// racing failure blocked the source since it was read.
    Accept,
    /// A wrong password, or no such user: one more failure for the pair.
    CountFailure,
}

/// `user` is the record read (`None`: no such user); `password_ok` whether the hash matched.
pub fn outcome(user: Option<&User>, password_ok: bool) -> LoginOutcome {
    match user {
        Some(u) if password_ok && !u.disabled => LoginOutcome::Accept,
        _ => LoginOutcome::CountFailure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Throttle = Throttle {
        threshold: 5,
        lock_seconds: 900,
    };

    #[test]
    fn delays_grow_then_lock() {
        let waits: Vec<u64> = (1..=6).map(|f| T.blocked_until(f, 100) - 100).collect();
        assert_eq!(waits, [0, 0, 1, 2, 900, 900]);
        let long = Throttle {
            threshold: 50,
            lock_seconds: 60,
        };
        assert_eq!(long.blocked_until(40, 0), 60, "never longer than the lock");
    }

    #[test]
    fn a_lock_allows_a_few_more_checks_and_no_more() {
        let at = |failures, blocked_until| {
            T.admission(
                &Attempts {
                    failures,
                    blocked_until,
                },
                100,
            )
        };
        assert_eq!(at(0, 0), Admission::Check);
        assert_eq!(at(4, 100), Admission::Check, "the wait is over");
        assert_eq!(at(3, 101), Admission::Wait { until: 101 });
        assert_eq!(at(5, 1000), Admission::Locked { until: 1000 });
        assert_eq!(at(7, 1000), Admission::Locked { until: 1000 });
        assert_eq!(at(8, 1000), Admission::Refuse);
        assert_eq!(at(8, 100), Admission::Check, "the lock is over");
        let two = Throttle {
            threshold: 2,
            lock_seconds: 60,
        };
        assert_eq!(two.lock_checks(), 2, "never more than the threshold");
    }

    #[test]
    fn outcomes() {
        let user = User::new("w", "u", "s", String::new());
        assert_eq!(outcome(Some(&user), true), LoginOutcome::Accept);
        assert_eq!(outcome(Some(&user), false), LoginOutcome::CountFailure);
        let disabled = User {
            disabled: true,
            ..user
        };
        assert_eq!(outcome(Some(&disabled), true), LoginOutcome::CountFailure);
        assert_eq!(outcome(None, false), LoginOutcome::CountFailure);
    }
}
