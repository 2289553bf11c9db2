//! The contract for codes, tokens and grant families: single use, rotation, revocation.

use super::*;

pub(super) async fn a_code_is_redeemed_once(s: Stores) {
    client_c(&s).await;
    let (value, k) = (secret(), code(now() + 60));
    s.codes.put_code(&value, &k).await.unwrap();
    assert!(
        failed(s.codes.put_code(&value, &k).await),
        "a code value is stored once"
    );
    let f = family(&k.grant_id);
    let t = token(TokenKind::Access, Some(&k.grant_id), now() + 60);
    let access = value_of(&t);
    s.codes
        .redeem_code(&value, now(), &f, &[(&access, &t)])
        .await
        .unwrap();
    let read_code = s.codes.code("w", &value).await.unwrap().unwrap();
    assert!(read_code.used, "read back as used");
    assert_eq!(
        read_code.expires_at, f.expires_at,
        "a used code is kept (TTL) as long as its family, so a late replay is still seen as one"
    );
    let standing = s.tokens.token("w", &access).await.unwrap().unwrap();
    assert_eq!(standing.token, t);
    assert_eq!(
        standing.family_revoked,
        Some(false),
        "the family's marker is written with it"
    );
    assert!(standing.is_active(now()));
    let again = value_of(&t);
    let second = s
        .codes
        .redeem_code(&value, now(), &f, &[(&again, &t)])
        .await;
    assert!(failed(second), "a code is redeemed once");
    assert!(
        read(&s, &again).await.is_none(),
        "a failed redemption writes nothing"
    );
    let (old, expired) = (secret(), code(now() - 1));
    s.codes.put_code(&old, &expired).await.unwrap();
    let late_t = token(TokenKind::Access, Some(&expired.grant_id), now() + 60);
    let late = value_of(&late_t);
    let f = family(&expired.grant_id);
    let r = s
        .codes
        .redeem_code(&old, now(), &f, &[(&late, &late_t)])
        .await;
    assert!(failed(r), "an expired code is refused by the write itself");
    assert!(read(&s, &late).await.is_none());
    let unknown = s
        .codes
        .redeem_code(&secret(), now(), &family("g"), &[])
        .await;
    assert!(failed(unknown), "an unknown code");
}

pub(super) async fn concurrent_redemptions_have_one_winner(s: Stores) {
    client_c(&s).await;
    let (value, k) = (secret(), code(now() + 60));
    s.codes.put_code(&value, &k).await.unwrap();
    let s = Arc::new(s);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (s, value, grant) = (s.clone(), value.clone(), k.grant_id.clone());
            tokio::spawn(async move {
                let t = token(TokenKind::Access, Some(&grant), now() + 60);
                let access = value_of(&t);
                let f = family(&grant);
                s.codes
                    .redeem_code(&value, now(), &f, &[(&access, &t)])
                    .await
            })
        })
        .collect();
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => won += 1,
            Err(StoreError::ConditionFailed) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(won, 1, "exactly one redemption wins");
}

pub(super) async fn a_redemption_checks_its_user_and_client_are_not_revoked(s: Stores) {
    client_c(&s).await;
    s.users.create_user(&user("u"), 1).await.unwrap();
    let redeem = |k: CodeGrant| {
        let s = &s;
        async move {
            let value = secret();
            s.codes.put_code(&value, &k).await.unwrap();
            let t = token(TokenKind::Access, Some(&k.grant_id), now() + 60);
            let access = value_of(&t);
            s.codes
                .redeem_code(&value, now(), &family(&k.grant_id), &[(&access, &t)])
                .await
        }
    };
    redeem(code(now() + 60)).await.unwrap();
    let stored = s.users.user("w", "u").await.unwrap().unwrap();
    s.users
        .change_account(&stored, &AccountChange::RevokeTokens)
        .await
        .unwrap();
    assert!(
        failed(redeem(code(now() + 60)).await),
        "the user's tokens were revoked since"
    );
    s.clients.set_client_generation("w", "c", 9).await.unwrap();
    let k = CodeGrant {
        user_generation: 1,
        ..code(now() + 60)
    };
    assert!(
        failed(redeem(k).await),
        "the client's tokens were revoked since"
    );
}

/// A family started for user `u` with one refresh token; returns its value.
async fn started(s: &Stores, grant_id: &str) -> String {
    client_c(s).await;
    s.users.create_user(&user("u"), 1).await.unwrap();
    let stored = s.users.user("w", "u").await.unwrap().unwrap();
    let t = token(TokenKind::Refresh, Some(grant_id), now() + 600);
    let refresh = value_of(&t);
    let f = family(grant_id);
    s.tokens
        .start_family(&f, &[(&refresh, &t)], (&stored, "192.0.2.1"), now())
        .await
        .unwrap();
    refresh
}

/// Another family of the same user, with one refresh token; returns its value.
async fn started_again(s: &Stores, grant_id: &str) -> String {
    let stored = s.users.user("w", "u").await.unwrap().unwrap();
    let t = token(TokenKind::Refresh, Some(grant_id), now() + 600);
    let refresh = value_of(&t);
    let f = family(grant_id);
    s.tokens
        .start_family(&f, &[(&refresh, &t)], (&stored, "192.0.2.1"), now())
        .await
        .unwrap();
    refresh
}

/// Rotates `value` of family `grant_id`; the new refresh token's value.
async fn rotate_in(
    s: &Stores,
    value: &str,
    grant_id: &str,
    rotation: Rotation,
    now: u64,
) -> Result<String, StoreError> {
    let t = token(TokenKind::Refresh, Some(grant_id), now + 600);
    let next = value_of(&t);
    let new = [(next.as_str(), &t)];
    s.tokens
        .rotate_refresh("w", value, grant_id, rotation, now, &new)
        .await
        .map(|()| next)
}

pub(super) async fn refresh_rotation_and_the_grace_retry_are_single_use(s: Stores) {
    let old = started(&s, "g").await;
    let now = now();
    let rotate = |value: String, rotation: Rotation| {
        let s = &s;
        async move {
            let t = token(TokenKind::Refresh, Some("g"), now + 600);
            let next = value_of(&t);
            let new = [(next.as_str(), &t)];
            let r = s
                .tokens
                .rotate_refresh("w", &value, "g", rotation, now, &new);
            r.await.map(|()| next.clone())
        }
    };
    let next = rotate(old.clone(), Rotation::Fresh).await.unwrap();
    assert_eq!(read(&s, &old).await.unwrap().rotated_at, Some(now));
    assert!(read(&s, &next).await.is_some());
    assert!(
        failed(rotate(old.clone(), Rotation::Fresh).await),
        "a token rotates once"
    );
    let successors = read(&s, &old).await.unwrap().successors;
    assert_eq!(successors.len(), 1, "the rotation recorded what it issued");
    let grace = Rotation::GraceRetry {
        rotated_at: now,
        successors: successors.clone(),
    };
    let retried = rotate(old.clone(), grace.clone()).await.unwrap();
    assert!(read(&s, &old).await.unwrap().grace_used);
    assert!(
        read(&s, &next).await.is_none(),
        "the first branch is retired: no fork"
    );
    assert!(read(&s, &retried).await.is_some());
    assert!(failed(rotate(old.clone(), grace).await), "one retry only");
    let wrong = Rotation::GraceRetry {
        rotated_at: now + 1,
        successors: vec![],
    };
    assert!(
        failed(rotate(retried.clone(), wrong).await),
        "not rotated at that time"
    );
    // A retry whose first branch was already used is no lost response: it is refused.
    let (a, b) = (started_again(&s, "h").await, now);
    let first = rotate_in(&s, &a, "h", Rotation::Fresh, b).await.unwrap();
    rotate_in(&s, &first, "h", Rotation::Fresh, b)
        .await
        .unwrap();
    let used = read(&s, &a).await.unwrap().successors;
    let late = Rotation::GraceRetry {
        rotated_at: b,
        successors: used,
    };
    assert!(
        failed(rotate_in(&s, &a, "h", late, b).await),
        "the successor was used"
    );
    let t = token(TokenKind::Refresh, Some("g"), now - 1);
    let expired = value_of(&t);
    s.tokens.put_token(&expired, &t).await.unwrap();
    assert!(failed(rotate(expired, Rotation::Fresh).await), "expired");
}

/// A client whose rotation is off keeps its refresh token: each use adds tokens and leaves it
/// current, and only while it is unexpired, unrotated and its family not revoked.
pub(super) async fn a_kept_refresh_token_stays_current_until_its_family_ends(s: Stores) {
    let kept = started(&s, "g").await;
    let t = now();
    let first = rotate_in(&s, &kept, "g", Rotation::Kept, t).await.unwrap();
    let second = rotate_in(&s, &kept, "g", Rotation::Kept, t).await.unwrap();
    let record = read(&s, &kept).await.unwrap();
    assert_eq!((record.rotated_at, record.successors.len()), (None, 0));
    assert!(read(&s, &first).await.is_some() && read(&s, &second).await.is_some());

    let expired_token = token(TokenKind::Refresh, Some("g"), t - 1);
    let expired = value_of(&expired_token);
    s.tokens.put_token(&expired, &expired_token).await.unwrap();
    assert!(
        failed(rotate_in(&s, &expired, "g", Rotation::Kept, t).await),
        "expired"
    );

    let rotated = started_again(&s, "h").await;
    rotate_in(&s, &rotated, "h", Rotation::Fresh, t)
        .await
        .unwrap();
    assert!(
        failed(rotate_in(&s, &rotated, "h", Rotation::Kept, t).await),
        "rotated"
    );

    s.tokens.revoke_family("w", "g", t + 3600).await.unwrap();
    // One the deletion missed (a lagging index): the family's marker still refuses it.
    let missed_token = token(TokenKind::Refresh, Some("g"), t + 60);
    let missed = value_of(&missed_token);
    s.tokens.put_token(&missed, &missed_token).await.unwrap();
    assert!(
        failed(rotate_in(&s, &missed, "g", Rotation::Kept, t).await),
        "revoked family"
    );
}

pub(super) async fn a_revoked_family_rotates_no_more_and_loses_its_tokens(s: Stores) {
    let current = started(&s, "g").await;
    let put = |kind, grant: &'static str| {
        let s = &s;
        async move {
            let t = token(kind, Some(grant), now() + 60);
            let value = value_of(&t);
            s.tokens.put_token(&value, &t).await.unwrap();
            value
        }
    };
    let access = put(TokenKind::Access, "g").await;
    let other = put(TokenKind::Access, "h").await;
    s.tokens
        .revoke_family("w", "g", now() + 3600)
        .await
        .unwrap();
    for gone in [&current, &access] {
        assert!(
            read(&s, gone).await.is_none(),
            "the family's tokens are deleted"
        );
    }
    assert!(read(&s, &other).await.is_some(), "another family's stay");
    // A token the deletion missed (an index that lagged) is refused all the same.
    let missed = put(TokenKind::Refresh, "g").await;
    let standing = s.tokens.token("w", &missed).await.unwrap().unwrap();
    assert_eq!(
        standing.family_revoked,
        Some(true),
        "the marker is read with the token"
    );
    assert!(standing.is_revoked() && !standing.is_active(now()));
    let t = token(TokenKind::Refresh, Some("g"), now() + 60);
    let new = value_of(&t);
    let tokens = [(new.as_str(), &t)];
    let r = s
        .tokens
        .rotate_refresh("w", &missed, "g", Rotation::Fresh, now(), &tokens);
    assert!(failed(r.await), "and it cannot rotate");
    s.tokens
        .revoke_family("w", "g", now() + 3600)
        .await
        .unwrap();
    s.tokens.delete_token("w", &other).await.unwrap();
    assert!(read(&s, &other).await.is_none());
}

pub(super) async fn a_family_starts_only_while_the_login_holds(s: Stores) {
    client_c(&s).await;
    s.users.create_user(&user("u"), 1).await.unwrap();
    let stored = s.users.user("w", "u").await.unwrap().unwrap();
    let (src, now) = ("192.0.2.1", now());
    for _ in 0..5 {
        s.users
            .record_failure("w", &pair("u", src), &THROTTLE, now)
            .await
            .unwrap();
    }
    let t = token(TokenKind::Refresh, Some("g"), now + 600);
    let refresh = value_of(&t);
    let start = |tokens: Vec<(String, TokenRecord)>, who: User, at: u64| {
        let s = &s;
        async move {
            let new: Vec<(&str, &TokenRecord)> =
                tokens.iter().map(|(v, t)| (v.as_str(), t)).collect();
            s.tokens
                .start_family(&family("g"), &new, (&who, src), at)
                .await
        }
    };
    let r = start(vec![(refresh.clone(), t.clone())], stored.clone(), now).await;
    assert!(
        failed(r),
        "blocked meanwhile: the grant's transaction checks the pair too"
    );
    assert!(read(&s, &refresh).await.is_none(), "nothing written");
    let later = now + 900;
    let stale = TokenRecord {
        user_generation: 1,
        ..t.clone()
    };
    let r = start(vec![(refresh.clone(), stale)], stored.clone(), later).await;
    assert!(failed(r), "tokens of another generation");
    let nobody = User::new("w", "nobody", "sub-nobody", String::new());
    assert!(failed(start(vec![], nobody, later).await), "no such user");
    start(vec![(refresh.clone(), t)], stored.clone(), later)
        .await
        .unwrap();
    assert!(
        failed(start(vec![], stored, later).await),
        "a family starts once"
    );
}
