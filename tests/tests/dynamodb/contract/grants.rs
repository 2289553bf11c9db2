//! The contract for codes, tokens and grant families: single use, rotation, revocation.

use super::*;

pub(super) async fn a_code_is_redeemed_once(s: Stores) {
    let (value, k) = (secret(), code(now() + 60));
    s.codes.put_code(&value, &k).await.unwrap();
    assert!(
        failed(s.codes.put_code(&value, &k).await),
        "a code value is stored once"
    );
    let f = family(&k.grant_id);
    let (access, t) = (
        secret(),
        token(TokenKind::Access, Some(&k.grant_id), now() + 60),
    );
    s.codes
        .redeem_code(&value, now(), &f, &[(&access, &t)])
        .await
        .unwrap();
    let read = s.codes.code("w", &value).await.unwrap().unwrap();
    assert!(read.used, "read back as used");
    assert_eq!(s.tokens.token("w", &access).await.unwrap(), Some(t.clone()));
    let again = secret();
    let second = s
        .codes
        .redeem_code(&value, now(), &f, &[(&again, &t)])
        .await;
    assert!(failed(second), "a code is redeemed once");
    let unwritten = s.tokens.token("w", &again).await.unwrap();
    assert!(unwritten.is_none(), "a failed redemption writes nothing");
    let (old, expired) = (secret(), code(now() - 1));
    s.codes.put_code(&old, &expired).await.unwrap();
    let late = secret();
    let f = family(&expired.grant_id);
    let r = s.codes.redeem_code(&old, now(), &f, &[(&late, &t)]).await;
    assert!(failed(r), "an expired code is refused by the write itself");
    assert!(s.tokens.token("w", &late).await.unwrap().is_none());
    let unknown = s
        .codes
        .redeem_code(&secret(), now(), &family("g"), &[])
        .await;
    assert!(failed(unknown), "an unknown code");
}

pub(super) async fn concurrent_redemptions_have_one_winner(s: Stores) {
    let (value, k) = (secret(), code(now() + 60));
    s.codes.put_code(&value, &k).await.unwrap();
    let s = Arc::new(s);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (s, value, grant) = (s.clone(), value.clone(), k.grant_id.clone());
            tokio::spawn(async move {
                let t = token(TokenKind::Access, Some(&grant), now() + 60);
                let access = secret();
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

/// A family started for user `u` with one refresh token; returns its value.
async fn started(s: &Stores, grant_id: &str) -> String {
    s.users.create_user(&user("u"), 1).await.unwrap();
    let refresh = secret();
    let t = token(TokenKind::Refresh, Some(grant_id), now() + 600);
    let f = family(grant_id);
    s.tokens
        .start_family(&f, &[(&refresh, &t)], "u", now())
        .await
        .unwrap();
    refresh
}

pub(super) async fn refresh_rotation_and_the_grace_retry_are_single_use(s: Stores) {
    let old = started(&s, "g").await;
    let now = now();
    let rotate = |value: String, rotation: Rotation| {
        let s = &s;
        async move {
            let t = token(TokenKind::Refresh, Some("g"), now + 600);
            let next = secret();
            let new = [(next.as_str(), &t)];
            let r = s
                .tokens
                .rotate_refresh("w", &value, "g", rotation, now, &new);
            r.await.map(|()| next.clone())
        }
    };
    let next = rotate(old.clone(), Rotation::Fresh).await.unwrap();
    let retired = s.tokens.token("w", &old).await.unwrap().unwrap();
    assert_eq!(retired.rotated_at, Some(now));
    assert!(s.tokens.token("w", &next).await.unwrap().is_some());
    assert!(
        failed(rotate(old.clone(), Rotation::Fresh).await),
        "a token rotates once"
    );
    let grace = Rotation::GraceRetry { rotated_at: now };
    rotate(old.clone(), grace).await.unwrap();
    assert!(s.tokens.token("w", &old).await.unwrap().unwrap().grace_used);
    assert!(failed(rotate(old.clone(), grace).await), "one retry only");
    let wrong = Rotation::GraceRetry {
        rotated_at: now + 1,
    };
    assert!(
        failed(rotate(next, wrong).await),
        "not rotated at that time"
    );
    let expired = secret();
    let t = token(TokenKind::Refresh, Some("g"), now - 1);
    s.tokens.put_token(&expired, &t).await.unwrap();
    assert!(failed(rotate(expired, Rotation::Fresh).await), "expired");
}

pub(super) async fn a_revoked_family_rotates_no_more_and_loses_its_tokens(s: Stores) {
    let current = started(&s, "g").await;
    let (access, other) = (secret(), secret());
    let put = |value: String, kind, grant: &'static str| {
        let s = &s;
        async move {
            let t = token(kind, Some(grant), now() + 60);
            s.tokens.put_token(&value, &t).await.unwrap()
        }
    };
    put(access.clone(), TokenKind::Access, "g").await;
    put(other.clone(), TokenKind::Access, "h").await;
    s.tokens
        .revoke_family("w", "g", now() + 3600)
        .await
        .unwrap();
    for gone in [&current, &access] {
        let read = s.tokens.token("w", gone).await.unwrap();
        assert!(read.is_none(), "the family's tokens are deleted");
    }
    assert!(
        s.tokens.token("w", &other).await.unwrap().is_some(),
        "another family's stay"
    );
    // A token the deletion missed (an index that lagged) still cannot rotate.
    let missed = secret();
    put(missed.clone(), TokenKind::Refresh, "g").await;
    let t = token(TokenKind::Refresh, Some("g"), now() + 60);
    let new = secret();
    let tokens = [(new.as_str(), &t)];
    let r = s
        .tokens
        .rotate_refresh("w", &missed, "g", Rotation::Fresh, now(), &tokens);
    assert!(failed(r.await), "the family's marker refuses the rotation");
    s.tokens
        .revoke_family("w", "g", now() + 3600)
        .await
        .unwrap();
    s.tokens.delete_token("w", &other).await.unwrap();
    assert!(s.tokens.token("w", &other).await.unwrap().is_none());
}

pub(super) async fn a_family_starts_only_while_the_login_holds(s: Stores) {
    s.users.create_user(&user("u"), 1).await.unwrap();
    let now = now();
    for _ in 0..3 {
        s.users
            .record_login_failure("w", "u", 3, now, now + 900)
            .await
            .unwrap();
    }
    let refresh = secret();
    let t = token(TokenKind::Refresh, Some("g"), now + 600);
    let r = s
        .tokens
        .start_family(&family("g"), &[(&refresh, &t)], "u", now)
        .await;
    assert!(
        failed(r),
        "locked meanwhile: the grant's transaction checks the lock too"
    );
    assert!(
        s.tokens.token("w", &refresh).await.unwrap().is_none(),
        "nothing written"
    );
    let nobody = s
        .tokens
        .start_family(&family("h"), &[], "nobody", now)
        .await;
    assert!(failed(nobody));
    let later = now + 900;
    s.tokens
        .start_family(&family("g"), &[(&refresh, &t)], "u", later)
        .await
        .unwrap();
    let again = s.tokens.start_family(&family("g"), &[], "u", later).await;
    assert!(failed(again), "a family starts once");
}
