//! The contract for clients, users and the lockout, sessions and consents.

use super::*;

pub(super) async fn clients_round_trip_under_their_conditions(s: Stores) {
    let (conf, public) = (client("conf", false), client("pub", true));
    let bare = Client {
        scopes: Scopes::default(),
        redirect_uris: vec![],
        ..client("bare", false)
    };
    for c in [&conf, &public, &bare] {
        s.clients.create_client(c).await.unwrap();
        let read = s.clients.client("w", &c.client_id).await.unwrap();
        assert_eq!(read.as_deref(), Some(c), "read back as written");
    }
    assert!(
        failed(s.clients.create_client(&conf).await),
        "an id is taken once"
    );
    let other_ws = Client {
        workspace: "x".into(),
        ..client("other", false)
    };
    s.clients.create_client(&other_ws).await.unwrap();
    let listed = s.clients.clients("w").await.unwrap();
    let ids: Vec<&str> = listed.iter().map(|c| c.client_id.as_str()).collect();
    assert_eq!(
        ids,
        ["bare", "conf", "pub"],
        "a workspace's clients, in id order"
    );
    s.clients
        .set_client_secret("w", "conf", "new")
        .await
        .unwrap();
    let rotated = s.clients.client("w", "conf").await.unwrap().unwrap();
    assert_eq!(rotated.secret_digest.as_deref(), Some("new"));
    let public_secret = s.clients.set_client_secret("w", "pub", "x").await;
    assert!(
        failed(public_secret),
        "a public client has no secret to replace"
    );
    assert!(failed(
        s.clients.set_client_secret("w", "nobody", "x").await
    ));
    s.clients.delete_client("w", "conf").await.unwrap();
    assert!(s.clients.client("w", "conf").await.unwrap().is_none());
    assert!(
        failed(s.clients.delete_client("w", "conf").await),
        "deleted once"
    );
}

pub(super) async fn a_client_is_read_with_the_item_its_request_names(s: Stores) {
    s.clients.create_client(&client("c", false)).await.unwrap();
    let (value, k) = (secret(), code(now() + 60));
    s.codes.put_code(&value, &k).await.unwrap();
    let (c, got) = s.clients.client_and_code("w", "c", &value).await.unwrap();
    assert_eq!(c.map(|c| c.client_id.clone()).as_deref(), Some("c"));
    assert_eq!(got, Some(k));
    let (c, got) = s
        .clients
        .client_and_code("w", "nobody", "nothing")
        .await
        .unwrap();
    assert!(c.is_none() && got.is_none());
    let (tv, t) = (secret(), token(TokenKind::Access, None, now() + 60));
    s.tokens.put_token(&tv, &t).await.unwrap();
    let (c, got) = s
        .clients
        .client_and_token("w", "nobody", &tv)
        .await
        .unwrap();
    assert!(c.is_none(), "no such client");
    assert_eq!(got, Some(t), "an unknown client does not hide the item");
    s.users.create_user(&user("u"), 1).await.unwrap();
    let (c, got) = s.clients.client_and_user("w", "c", "u").await.unwrap();
    assert_eq!((c.is_some(), got), (true, Some(user("u"))));
    let (_, none) = s.clients.client_and_user("w", "c", "nobody").await.unwrap();
    assert!(none.is_none());
}

pub(super) async fn failed_logins_count_lock_and_end(s: Stores) {
    let u = &s.users;
    let read = |name: &'static str| async move { u.user("w", name).await.unwrap() };
    u.create_user(&user("u"), 1).await.unwrap();
    assert!(
        failed(u.create_user(&user("u"), 2).await),
        "a username is taken once"
    );
    let now = now();
    for _ in 0..2 {
        u.record_login_failure("w", "u", 3, now, now + 900)
            .await
            .unwrap();
    }
    assert_eq!(read("u").await.unwrap().failed_logins, 2);
    u.record_login_failure("w", "u", 3, now, now + 900)
        .await
        .unwrap();
    let locked = read("u").await.unwrap();
    assert_eq!(
        (locked.failed_logins, locked.locked_until),
        (0, now + 900),
        "locked, count reset"
    );
    u.record_login_failure("w", "u", 3, now, now + 1800)
        .await
        .unwrap();
    let still = read("u").await.unwrap();
    assert_eq!(
        (still.failed_logins, still.locked_until),
        (0, now + 900),
        "no count, no longer lock"
    );
    assert!(
        failed(u.confirm_login("w", "u", now).await),
        "a login racing the lock is refused"
    );
    u.record_login_failure("w", "u", 3, now + 900, now + 1800)
        .await
        .unwrap();
    assert_eq!(
        read("u").await.unwrap().failed_logins,
        1,
        "the lock is over"
    );
    u.confirm_login("w", "u", now + 900).await.unwrap();
    assert_eq!(
        read("u").await.unwrap().failed_logins,
        0,
        "a login ends the run"
    );
    for _ in 0..3 {
        u.record_login_failure("w", "u", 3, now, now + 900)
            .await
            .unwrap();
    }
    u.set_password("w", "u", "new-hash").await.unwrap();
    let reset = read("u").await.unwrap();
    assert_eq!(reset.password_hash, "new-hash");
    assert_eq!(reset.locked_until, 0, "a new password lifts the lock");
    u.record_login_failure("w", "nobody", 3, now, now + 900)
        .await
        .unwrap();
    assert!(
        read("nobody").await.is_none(),
        "no user is made by a failure"
    );
    assert!(failed(u.set_password("w", "nobody", "h").await));
    assert!(failed(u.confirm_login("w", "nobody", now).await));
    u.delete_user("w", "u").await.unwrap();
    assert!(failed(u.delete_user("w", "u").await));
}

pub(super) async fn tokens_sessions_and_consents_round_trip(s: Stores) {
    let v = secret();
    let bare = TokenRecord {
        scope: Scopes::default(),
        username: None,
        sub: None,
        ..token(TokenKind::Access, None, now() + 60)
    };
    s.tokens.put_token(&v, &bare).await.unwrap();
    let read = s.tokens.token("w", &v).await.unwrap();
    assert_eq!(read, Some(bare), "an empty scope stays empty");
    let cookie = secret();
    s.sessions.put_session(&cookie, &session(10)).await.unwrap();
    let kept = s.sessions.session("w", &cookie).await.unwrap();
    assert_eq!(
        kept,
        Some(session(10)),
        "kept past its expiry, as TTL would"
    );
    let c = &s.consents;
    assert!(c.consent("w", "sub-u", "c").await.unwrap().is_none());
    let add = |scopes: &'static str, until: u64| async move {
        let scopes = Scopes::parse(scopes).unwrap();
        c.add_consent("w", "sub-u", "c", &scopes, until)
            .await
            .unwrap()
    };
    add("read", 100).await;
    add("write admin", 200).await;
    add("", 300).await;
    let (scopes, until) = c.consent("w", "sub-u", "c").await.unwrap().unwrap();
    assert_eq!(scopes.to_wire(), "admin read write", "consents add up");
    assert_eq!(until, 300, "and are renewed, also by a consent to no scope");
    assert!(c.consent("w", "sub-u", "other").await.unwrap().is_none());
}

pub(super) async fn secrets_are_looked_up_in_their_own_workspace_only(s: Stores) {
    let (kv, tv, sv) = (secret(), secret(), secret());
    s.codes.put_code(&kv, &code(now() + 60)).await.unwrap();
    let t = token(TokenKind::Access, None, now() + 60);
    s.tokens.put_token(&tv, &t).await.unwrap();
    s.sessions
        .put_session(&sv, &session(now() + 60))
        .await
        .unwrap();
    assert!(s.codes.code("x", &kv).await.unwrap().is_none());
    assert!(s.tokens.token("x", &tv).await.unwrap().is_none());
    assert!(s.sessions.session("x", &sv).await.unwrap().is_none());
    s.users.create_user(&user("u"), 1).await.unwrap();
    assert!(s.users.user("x", "u").await.unwrap().is_none());
}
