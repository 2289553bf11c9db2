//! The contract for clients, users and the lockout, account changes, sessions and consents.

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
        .set_client_secret("w", "conf", "new", None)
        .await
        .unwrap();
    let rotated = s.clients.client("w", "conf").await.unwrap().unwrap();
    assert_eq!(rotated.secret_digest.as_deref(), Some("new"));
    // An overlap keeps the secret it replaces, and only that one.
    let stale = PreviousSecret {
        digest: "not-current".into(),
        until: 50,
    };
    let raced = s
        .clients
        .set_client_secret("w", "conf", "newer", Some(&stale));
    assert!(
        failed(raced.await),
        "the previous secret must be the current one"
    );
    let kept = PreviousSecret {
        digest: "new".into(),
        until: 50,
    };
    let overlap = s
        .clients
        .set_client_secret("w", "conf", "newer", Some(&kept));
    overlap.await.unwrap();
    let both = s.clients.client("w", "conf").await.unwrap().unwrap();
    assert_eq!(both.secret_digest.as_deref(), Some("newer"));
    assert_eq!(both.previous_secret, Some(kept));
    let ended = s.clients.set_client_secret("w", "conf", "newest", None);
    ended.await.unwrap();
    let alone = s.clients.client("w", "conf").await.unwrap().unwrap();
    assert_eq!(
        alone.previous_secret, None,
        "a rotation without overlap ends it"
    );
    let public_secret = s.clients.set_client_secret("w", "pub", "x", None).await;
    assert!(
        failed(public_secret),
        "a public client has no secret to replace"
    );
    assert!(failed(
        s.clients.set_client_secret("w", "nobody", "x", None).await
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
    let t = token(TokenKind::Access, None, now() + 60);
    let tv = value_of(&t);
    s.tokens.put_token(&tv, &t).await.unwrap();
    let (c, got) = s
        .clients
        .client_and_token("w", "nobody", &tv)
        .await
        .unwrap();
    assert!(c.is_none(), "no such client");
    let got = got.expect("an unknown client does not hide the token");
    assert_eq!(got.token, t);
    assert_eq!(
        got.client.map(|c| c.client_id.clone()).as_deref(),
        Some("c"),
        "its own client, read with it"
    );
    s.users.create_user(&user("u"), 1).await.unwrap();
    s.users
        .record_failure("w", &pair("u", "192.0.2.9"), &THROTTLE, now())
        .await
        .unwrap();
    let (c, (got, attempts)) = s
        .clients
        .client_and_login("w", "c", &pair("u", "192.0.2.9"))
        .await
        .unwrap();
    assert_eq!(
        (c.is_some(), got, attempts.failures),
        (true, Some(user("u")), 1)
    );
    let (_, (none, _)) = s
        .clients
        .client_and_login("w", "c", &pair("nobody", "x"))
        .await
        .unwrap();
    assert!(none.is_none());
    let (_, unnamed) = s
        .clients
        .client_and_token("w", "c", &secret())
        .await
        .unwrap();
    assert!(unnamed.is_none(), "a value that names nothing is no token");
}

pub(super) async fn failed_logins_count_per_pair_and_block(s: Stores) {
    let u = &s.users;
    u.create_user(&user("u"), 1).await.unwrap();
    assert!(
        failed(u.create_user(&user("u"), 2).await),
        "a username is taken once"
    );
    let (here, there) = (pair("u", "192.0.2.1"), pair("u", "192.0.2.2"));
    let attempts = |l: Login<'static>| async move { u.login_state("w", &l).await.unwrap().1 };
    let now = now();
    let mut blocked = Vec::new();
    for _ in 0..5 {
        u.record_failure("w", &here, &THROTTLE, now).await.unwrap();
        blocked.push(attempts(here).await.blocked_until.saturating_sub(now));
    }
    assert_eq!(
        blocked,
        [0, 0, 1, 2, 900],
        "waits grow, then the pair is locked"
    );
    assert_eq!(attempts(here).await.failures, 5);
    assert_eq!(
        attempts(there).await,
        Attempts::default(),
        "another source is not locked out"
    );
    let stored = u.user("w", "u").await.unwrap().unwrap();
    assert!(
        failed(u.confirm_login(&stored, here.source, now).await),
        "a login racing the block is refused"
    );
    u.confirm_login(&stored, there.source, now).await.unwrap();
    u.confirm_login(&stored, here.source, now + 900)
        .await
        .unwrap();
    assert_eq!(
        attempts(here).await,
        Attempts::default(),
        "a login ends the pair's run"
    );
    let stale = User {
        generation: 1,
        ..stored.clone()
    };
    assert!(
        failed(u.confirm_login(&stale, here.source, now).await),
        "another generation"
    );
    u.change_account(&stored, &AccountChange::Disable)
        .await
        .unwrap();
    let disabled = u.user("w", "u").await.unwrap().unwrap();
    assert!(
        failed(u.confirm_login(&disabled, here.source, now).await),
        "a disabled user"
    );
    let nobody = pair("nobody", "192.0.2.1");
    u.record_failure("w", &nobody, &THROTTLE, now)
        .await
        .unwrap();
    let (none, counted) = u.login_state("w", &nobody).await.unwrap();
    assert!(
        none.is_none() && counted.failures == 1,
        "unknown usernames are counted alike"
    );
    let reset = User {
        password_hash: "h".into(),
        ..disabled.clone()
    };
    assert!(!failed(
        u.change_account(&disabled, &AccountChange::SetPassword(reset.password_hash))
            .await
    ));
    assert!(
        u.user("w", "nobody").await.unwrap().is_none(),
        "no user is made by a failure"
    );
}

pub(super) async fn account_changes_end_tokens_sessions_and_consents(s: Stores) {
    client_c(&s).await;
    s.users.create_user(&user("u"), 1).await.unwrap();
    let mut t = token(TokenKind::Access, None, now() + 60);
    let v = value_of(&t);
    s.tokens.put_token(&v, &t).await.unwrap();
    let cookie = oauth_tests::fixtures::session_value("sub-u");
    s.sessions
        .put_session(&cookie, &session(now() + 60))
        .await
        .unwrap();
    let active = |v: String| {
        let s = &s;
        async move {
            s.tokens
                .token("w", &v)
                .await
                .unwrap()
                .unwrap()
                .is_active(now())
        }
    };
    assert!(active(v.clone()).await, "at generation 0");
    assert_eq!(
        s.sessions.session("w", &cookie).await.unwrap().unwrap().1,
        0
    );
    let stored = s.users.user("w", "u").await.unwrap().unwrap();
    for (i, change) in [AccountChange::RevokeTokens, AccountChange::Disable]
        .iter()
        .enumerate()
    {
        let stored = s.users.user("w", "u").await.unwrap().unwrap();
        s.users.change_account(&stored, change).await.unwrap();
        let now_user = s.users.user("w", "u").await.unwrap().unwrap();
        assert_eq!(
            now_user.generation,
            i as u64 + 1,
            "{change:?}: the user's generation rose"
        );
        let current = s.sessions.session("w", &cookie).await.unwrap().unwrap().1;
        assert_eq!(
            current, now_user.generation,
            "{change:?}: and the subject's, read with the session"
        );
        assert!(
            !active(v.clone()).await,
            "{change:?}: the old token is dead"
        );
    }
    assert!(s.users.user("w", "u").await.unwrap().unwrap().disabled);
    let disabled = s.users.user("w", "u").await.unwrap().unwrap();
    let confirm = s.users.confirm_login(&disabled, "192.0.2.1", now()).await;
    assert!(failed(confirm), "a disabled user cannot sign in");
    s.users
        .change_account(&disabled, &AccountChange::Enable)
        .await
        .unwrap();
    let enabled = s.users.user("w", "u").await.unwrap().unwrap();
    assert!(
        !enabled.disabled && enabled.generation == 2,
        "enabling revives nothing"
    );
    t.user_generation = 2;
    let fresh = value_of(&t);
    s.tokens.put_token(&fresh, &t).await.unwrap();
    assert!(
        active(fresh.clone()).await,
        "a token of the current generation"
    );
    let impostor = User {
        sub: "someone-else".into(),
        ..enabled.clone()
    };
    assert!(
        failed(
            s.users
                .change_account(&impostor, &AccountChange::Delete)
                .await
        ),
        "the username must still name the subject"
    );
    s.users
        .change_account(&enabled, &AccountChange::Delete)
        .await
        .unwrap();
    assert!(s.users.user("w", "u").await.unwrap().is_none());
    assert!(!active(fresh).await, "deleting the user ends its tokens");
    assert!(
        failed(
            s.users
                .change_account(&stored, &AccountChange::RevokeTokens)
                .await
        ),
        "deleted"
    );
}

pub(super) async fn a_client_generation_ends_its_tokens(s: Stores) {
    client_c(&s).await;
    let t = token(TokenKind::Access, None, now() + 60);
    let v = value_of(&t);
    s.tokens.put_token(&v, &t).await.unwrap();
    let standing = || async { s.tokens.token("w", &v).await.unwrap().unwrap() };
    assert!(standing().await.is_active(now()));
    s.clients.set_client_generation("w", "c", 5).await.unwrap();
    assert!(
        standing().await.is_revoked(),
        "the client's tokens are revoked"
    );
    assert!(failed(
        s.clients.set_client_generation("w", "nobody", 5).await
    ));
    s.clients.set_client_generation("w", "c", 0).await.unwrap();
    assert!(standing().await.is_active(now()));
    s.clients.delete_client("w", "c").await.unwrap();
    assert!(
        standing().await.is_revoked(),
        "a deleted client's tokens are dead"
    );
}

pub(super) async fn tokens_sessions_and_consents_round_trip(s: Stores) {
    let bare = TokenRecord {
        scope: Scopes::default(),
        username: None,
        sub: None,
        ..token(TokenKind::Access, None, now() + 60)
    };
    let v = value_of(&bare);
    s.tokens.put_token(&v, &bare).await.unwrap();
    assert_eq!(read(&s, &v).await, Some(bare), "an empty scope stays empty");
    let cookie = oauth_tests::fixtures::session_value("sub-u");
    s.sessions.put_session(&cookie, &session(10)).await.unwrap();
    let kept = s.sessions.session("w", &cookie).await.unwrap();
    assert_eq!(
        kept,
        Some((session(10), 0)),
        "kept past its expiry, as TTL would"
    );
    s.sessions.end_session("w", &cookie).await.unwrap();
    assert!(
        s.sessions.session("w", &cookie).await.unwrap().is_none(),
        "a logout ends it"
    );
    s.sessions.end_session("w", &cookie).await.unwrap();
    let c = &s.consents;
    assert!(c.consent("w", "sub-u", "c").await.unwrap().is_none());
    let add = |scopes: &'static str, expires_at: u64, generation: u64| async move {
        let consent = Consent {
            scopes: Scopes::parse(scopes).unwrap(),
            expires_at,
            generation,
        };
        c.add_consent("w", "sub-u", "c", &consent).await.unwrap()
    };
    add("read", 100, 0).await;
    add("write admin", 200, 0).await;
    add("", 300, 0).await;
    let got = c.consent("w", "sub-u", "c").await.unwrap().unwrap();
    assert_eq!(got.scopes.to_wire(), "admin read write", "consents add up");
    assert_eq!(
        got.expires_at, 300,
        "and are renewed, also by a consent to no scope"
    );
    add("email", 400, 1).await;
    let got = c.consent("w", "sub-u", "c").await.unwrap().unwrap();
    assert_eq!(
        (got.scopes.to_wire().as_str(), got.generation),
        ("email", 1),
        "a new generation starts over"
    );
    assert!(c.consent("w", "sub-u", "other").await.unwrap().is_none());
}

pub(super) async fn secrets_are_looked_up_in_their_own_workspace_only(s: Stores) {
    let kv = secret();
    s.codes.put_code(&kv, &code(now() + 60)).await.unwrap();
    let t = token(TokenKind::Access, None, now() + 60);
    let tv = value_of(&t);
    s.tokens.put_token(&tv, &t).await.unwrap();
    let sv = oauth_tests::fixtures::session_value("sub-u");
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

/// A settings change replaces what was registered and nothing else: the secret and the
/// generation written meanwhile stay, unset optional settings go.
pub(super) async fn a_settings_change_keeps_credentials_and_generation(s: Stores) {
    let c = client("conf", false);
    s.clients.create_client(&c).await.unwrap();
    let previous = PreviousSecret {
        digest: c.secret_digest.clone().unwrap(),
        until: 77,
    };
    s.clients
        .set_client_secret("w", "conf", "rotated", Some(&previous))
        .await
        .unwrap();
    s.clients
        .set_client_generation("w", "conf", 99)
        .await
        .unwrap();
    let mut changed = Client {
        name: "Renamed".into(),
        redirect_uris: vec!["https://b.example/cb".into()],
        scopes: Scopes::default(),
        secret_digest: Some("stale".into()),
        generation: 1,
        created_at: 7,
        ..c.clone()
    };
    changed.policy.access_token_ttl = None;
    changed.policy.serves = vec!["https://api.example".into()];
    s.clients.set_client_settings(&changed).await.unwrap();
    let read = s.clients.client("w", "conf").await.unwrap().unwrap();
    let expected = Client {
        secret_digest: Some("rotated".into()),
        previous_secret: Some(previous),
        generation: 99,
        created_at: c.created_at,
        ..changed.clone()
    };
    assert_eq!(*read, expected);
    let missing = Client {
        client_id: "nobody".into(),
        ..changed
    };
    assert!(failed(s.clients.set_client_settings(&missing).await));
    assert!(s.clients.client("w", "nobody").await.unwrap().is_none());
}

/// Roles are kept with the user, created with it or set later; setting them ends nothing.
pub(super) async fn roles_are_stored_and_setting_them_ends_nothing(s: Stores) {
    use oauth_core::protocol::user::Role;
    let dev = User {
        roles: vec![Role::Developer],
        ..user("dev")
    };
    s.users.create_user(&dev, 1).await.unwrap();
    assert_eq!(
        s.users.user("w", "dev").await.unwrap().unwrap().roles,
        [Role::Developer]
    );
    s.users.create_user(&user("u"), 1).await.unwrap();
    let u = s.users.user("w", "u").await.unwrap().unwrap();
    let roles = AccountChange::SetRoles(vec![Role::Developer]);
    s.users.change_account(&u, &roles).await.unwrap();
    let after = s.users.user("w", "u").await.unwrap().unwrap();
    assert_eq!(
        (after.roles.as_slice(), after.generation),
        ([Role::Developer].as_slice(), u.generation)
    );
    s.users
        .change_account(&u, &AccountChange::SetRoles(vec![]))
        .await
        .unwrap();
    assert!(s
        .users
        .user("w", "u")
        .await
        .unwrap()
        .unwrap()
        .roles
        .is_empty());
    let stranger = User {
        sub: "someone-else".into(),
        ..user("u")
    };
    assert!(failed(s.users.change_account(&stranger, &roles).await));
}

/// A page's form id is spent once: by one of many submits at once, and never again; another
/// workspace's form of the same id is its own.
pub(super) async fn a_form_is_spent_once_even_when_sent_at_once(s: Stores) {
    let until = now() + 3600;
    let spends = (0..8).map(|_| {
        let sessions = s.sessions.clone();
        tokio::spawn(async move { sessions.spend_form("w", "1.form", until).await.unwrap() })
    });
    let mut won = 0;
    for spend in spends {
        won += usize::from(spend.await.unwrap());
    }
    assert_eq!(won, 1, "one submit of eight at once is acted on");
    assert!(!s.sessions.spend_form("w", "1.form", until).await.unwrap());
    assert!(s
        .sessions
        .spend_form("other", "1.form", until)
        .await
        .unwrap());
    assert!(s.sessions.spend_form("w", "2.form", until).await.unwrap());
    s.sessions.release_form("w", "1.form").await.unwrap();
    assert!(
        s.sessions.spend_form("w", "1.form", until).await.unwrap(),
        "given back after a failed action: sent again, it is acted on"
    );
}

/// During a lock, the checks that tell the owner of the right password are reserved one by
/// one: of twelve attempts at once, exactly `lock_checks` get one; the lock keeps its end; a
/// pair that is not locked reserves nothing.
pub(super) async fn a_lock_admits_a_few_checks_however_many_arrive_at_once(s: Stores) {
    let t = now();
    let who = pair("alice", "203.0.113.9");
    assert!(!s
        .users
        .reserve_locked_check("w", &who, &THROTTLE, t)
        .await
        .unwrap());
    for _ in 0..THROTTLE.threshold {
        s.users
            .record_failure("w", &who, &THROTTLE, t)
            .await
            .unwrap();
    }
    let tries = (0..12).map(|_| {
        let users = s.users.clone();
        tokio::spawn(async move {
            let who = pair("alice", "203.0.113.9");
            users
                .reserve_locked_check("w", &who, &THROTTLE, t + 10)
                .await
                .unwrap()
        })
    });
    let mut reserved = 0;
    for t in tries {
        reserved += u32::from(t.await.unwrap());
    }
    assert_eq!(reserved, THROTTLE.lock_checks());
    let (_, attempts) = s.users.login_state("w", &who).await.unwrap();
    assert_eq!(
        attempts.failures,
        THROTTLE.threshold + THROTTLE.lock_checks()
    );
    assert_eq!(
        attempts.blocked_until,
        t + THROTTLE.lock_seconds,
        "the lock keeps its end"
    );
    let later = t + THROTTLE.lock_seconds;
    assert!(
        !s.users
            .reserve_locked_check("w", &who, &THROTTLE, later)
            .await
            .unwrap(),
        "the lock is over: nothing to reserve"
    );
    // One more failure locks again, and the new lock gives its few checks again.
    s.users
        .record_failure("w", &who, &THROTTLE, later)
        .await
        .unwrap();
    let (_, relocked) = s.users.login_state("w", &who).await.unwrap();
    assert_eq!(relocked.blocked_until, later + THROTTLE.lock_seconds);
    let mut again = 0;
    for _ in 0..5 {
        again += u32::from(
            s.users
                .reserve_locked_check("w", &who, &THROTTLE, later + 1)
                .await
                .unwrap(),
        );
    }
    assert_eq!(again, THROTTLE.lock_checks());
}

/// A workspace's branding and scope descriptions: read back whole (a logo's bytes too),
/// replaced, deleted, and never seen from another workspace.
pub(super) async fn workspace_settings_round_trip_and_stay_in_their_workspace(s: Stores) {
    use oauth_core::protocol::branding::{Branding, Logo, ScopeInfo};
    let w = &*s.workspaces;
    assert_eq!(w.workspace_config("w").await.unwrap(), Default::default());
    let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[7; 100]].concat();
    let branding = Branding {
        display_name: Some("Acme".into()),
        accent: Some("#1f5bd8".into()),
        logo: Some(Logo::from_bytes(png).unwrap()),
        support: Some("https://help.acme.example".into()),
    };
    w.put_branding("w", &branding).await.unwrap();
    let scope = |name: &str, sensitive| ScopeInfo {
        name: name.into(),
        description: format!("about {name}"),
        sensitive,
    };
    w.put_scope("w", &scope("write", true)).await.unwrap();
    w.put_scope("w", &scope("read", false)).await.unwrap();
    w.put_scope("w", &scope("read", true)).await.unwrap();
    let got = w.workspace_config("w").await.unwrap();
    assert_eq!(got.branding, branding);
    assert_eq!(got.scopes, [scope("read", true), scope("write", true)]);
    assert_eq!(
        w.workspace_config("other").await.unwrap(),
        Default::default()
    );
    let plain = Branding {
        display_name: Some("Acme".into()),
        ..Default::default()
    };
    w.put_branding("w", &plain).await.unwrap();
    assert_eq!(
        w.workspace_config("w").await.unwrap().branding,
        plain,
        "replaced whole"
    );
    assert!(w.delete_scope("w", "read").await.unwrap());
    assert!(!w.delete_scope("w", "read").await.unwrap());
    assert!(!w.delete_scope("other", "write").await.unwrap());
    assert_eq!(
        w.workspace_config("w").await.unwrap().scopes,
        [scope("write", true)]
    );
}
