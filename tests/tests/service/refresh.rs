//! The refresh token grant (RFC 6749 §6, RFC 9700 §4.14) on the in-memory store: rotation,
//! reuse revoking the family, the grace window, scope narrowing, expiry, and the client cache.

use oauth_core::protocol::client::ClientPolicy;
use oauth_core::protocol::code_grant::CodeGrant;
use oauth_core::protocol::scope::Scopes;
use oauth_core::service::admin::{ClientSpec, Registered};
use oauth_core::AppState;
use oauth_tests::call::{post, post_to};
use oauth_tests::fixtures::*;
use oauth_tests::*;

async fn refresh_pair(state: &AppState, r: &Registered) -> (String, String) {
    let code = store_code(&state.store, &code_for(r, &alice())).await;
    let reply = post(
        state,
        Some((&r.client.client_id, r.client_secret.as_deref().unwrap())),
        &code_body(&code),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    (
        reply.json["access_token"].as_str().unwrap().to_owned(),
        reply.json["refresh_token"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn refresh_rotates_and_a_rotated_token_revokes_the_family() {
    let state = memory_state();
    let r = register(
        &state.store,
        ClientSpec {
            scope: Some("read write".into()),
            ..spec(&["authorization_code", "refresh_token"])
        },
    )
    .await;
    let auth = (
        r.client.client_id.as_str(),
        r.client_secret.as_deref().unwrap(),
    );
    let (_, first) = refresh_pair(&state, &r).await;

    let widened = post(
        &state,
        Some(auth),
        &format!("grant_type=refresh_token&refresh_token={first}&scope=read+write"),
    )
    .await;
    assert_eq!(
        widened.error(),
        "invalid_scope",
        "the code granted only read"
    );

    let second = post(
        &state,
        Some(auth),
        &format!("grant_type=refresh_token&refresh_token={first}&scope=read"),
    )
    .await;
    assert_eq!(second.status, 200, "{}", second.json);
    let next = second.json["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(next, first, "rotated on use");
    assert_eq!(second.json["scope"], "read");

    let reuse = post(
        &state,
        Some(auth),
        &format!("grant_type=refresh_token&refresh_token={first}"),
    )
    .await;
    assert_eq!((reuse.status, reuse.error()), (400, "invalid_grant"));
    let after = post(
        &state,
        Some(auth),
        &format!("grant_type=refresh_token&refresh_token={next}"),
    )
    .await;
    assert_eq!(
        after.error(),
        "invalid_grant",
        "the whole family is revoked"
    );
    let access = second.json["access_token"].as_str().unwrap();
    assert!(state
        .store
        .tokens
        .token("default", access)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn refresh_grace_window_allows_a_retry() {
    let state = memory_state();
    let r = register(
        &state.store,
        ClientSpec {
            policy: ClientPolicy {
                refresh_grace: 60,
                ..Default::default()
            },
            ..spec(&["authorization_code", "refresh_token"])
        },
    )
    .await;
    let auth = (
        r.client.client_id.as_str(),
        r.client_secret.as_deref().unwrap(),
    );
    let (_, first) = refresh_pair(&state, &r).await;
    let body = format!("grant_type=refresh_token&refresh_token={first}");
    let a = post(&state, Some(auth), &body).await;
    let b = post(&state, Some(auth), &body).await;
    assert_eq!(
        (a.status, b.status),
        (200, 200),
        "lost response retried within the grace window"
    );
    assert_ne!(a.json["refresh_token"], b.json["refresh_token"]);
    // One retry only: a third use is reuse, and the family goes.
    let c = post(&state, Some(auth), &body).await;
    assert_eq!((c.status, c.error()), (400, "invalid_grant"));
    for reply in [&a, &b] {
        let next = reply.json["refresh_token"].as_str().unwrap();
        let after = post(
            &state,
            Some(auth),
            &format!("grant_type=refresh_token&refresh_token={next}"),
        )
        .await;
        assert_eq!(after.error(), "invalid_grant", "the family is revoked");
    }
}

#[tokio::test]
async fn a_narrowed_refresh_keeps_the_refresh_tokens_scope() {
    let state = memory_state();
    let r = register(&state.store, spec(&["authorization_code", "refresh_token"])).await;
    let auth = (
        r.client.client_id.as_str(),
        r.client_secret.as_deref().unwrap(),
    );
    let code = store_code(
        &state.store,
        &CodeGrant {
            scope: Scopes::parse("read write").unwrap(),
            ..code_for(&r, &alice())
        },
    )
    .await;
    let first = post(&state, Some(auth), &code_body(&code)).await;
    let rt = first.json["refresh_token"].as_str().unwrap();
    let narrowed = post(
        &state,
        Some(auth),
        &format!("grant_type=refresh_token&refresh_token={rt}&scope=read"),
    )
    .await;
    assert_eq!(
        narrowed.json["scope"], "read",
        "the access token is narrowed"
    );
    let next = narrowed.json["refresh_token"].as_str().unwrap();
    let again = post(
        &state,
        Some(auth),
        &format!("grant_type=refresh_token&refresh_token={next}"),
    )
    .await;
    assert_eq!(
        again.json["scope"], "read write",
        "RFC 6749 §6: the refresh token kept its scope"
    );
}

#[tokio::test]
async fn refresh_refuses_expired_tokens_and_other_clients() {
    let state = memory_state();
    let r = register(&state.store, spec(&["authorization_code", "refresh_token"])).await;
    let other = register(&state.store, spec(&["authorization_code", "refresh_token"])).await;
    let (_, refresh) = refresh_pair(&state, &r).await;
    let body = format!("grant_type=refresh_token&refresh_token={refresh}");
    let stolen = post(
        &state,
        Some((
            &other.client.client_id,
            other.client_secret.as_deref().unwrap(),
        )),
        &body,
    )
    .await;
    assert_eq!(stolen.error(), "invalid_grant");

    // Stored records past their expiry, as TTL may leave them for days.
    let mut record = state
        .store
        .tokens
        .token("default", &refresh)
        .await
        .unwrap()
        .unwrap()
        .token;
    let auth = (
        r.client.client_id.as_str(),
        r.client_secret.as_deref().unwrap(),
    );
    for (name, expires_at, family) in [
        ("token expired", now() - 1, now() + 100),
        ("family over", now() + 100, now() - 1),
    ] {
        let value = token_value(&record);
        record.expires_at = expires_at;
        record.family_expires_at = Some(family);
        state.store.tokens.put_token(&value, &record).await.unwrap();
        let reply = post(
            &state,
            Some(auth),
            &format!("grant_type=refresh_token&refresh_token={value}"),
        )
        .await;
        assert_eq!(reply.error(), "invalid_grant", "{name}");
    }
    let still = post(&state, Some(auth), &body).await;
    assert_eq!(
        still.status, 200,
        "a stolen-token attempt by another client revokes nothing"
    );
}

/// A client with a 60 s grace window, and the refresh token of a fresh grant.
async fn graced(state: &AppState) -> (Registered, String) {
    let r = register(
        &state.store,
        ClientSpec {
            policy: ClientPolicy {
                refresh_grace: 60,
                ..Default::default()
            },
            ..spec(&["authorization_code", "refresh_token"])
        },
    )
    .await;
    let (_, refresh) = refresh_pair(state, &r).await;
    (r, refresh)
}

fn refresh_body(token: &str) -> String {
    format!("grant_type=refresh_token&refresh_token={token}")
}

#[tokio::test]
async fn a_grace_retry_never_forks_the_family() {
    let state = memory_state();
    let (r, first) = graced(&state).await;
    let a = post(&state, Some(creds(&r)), &refresh_body(&first)).await;
    let b = post(&state, Some(creds(&r)), &refresh_body(&first)).await;
    assert_eq!((a.status, b.status), (200, 200), "a lost response retried");
    let lost = post(
        &state,
        Some(creds(&r)),
        &refresh_body(&a.field("refresh_token")),
    )
    .await;
    assert_eq!(
        lost.error(),
        "invalid_grant",
        "the first branch was retired by the retry"
    );
    let kept = post(
        &state,
        Some(creds(&r)),
        &refresh_body(&b.field("refresh_token")),
    )
    .await;
    assert_eq!(kept.status, 200, "the retry's branch lives: {}", kept.json);
}

#[tokio::test]
async fn a_retry_after_the_successor_was_used_is_reuse() {
    let state = memory_state();
    let (r, first) = graced(&state).await;
    let a = post(&state, Some(creds(&r)), &refresh_body(&first)).await;
    let used = post(
        &state,
        Some(creds(&r)),
        &refresh_body(&a.field("refresh_token")),
    )
    .await;
    assert_eq!(used.status, 200);
    let retry = post(&state, Some(creds(&r)), &refresh_body(&first)).await;
    assert_eq!(retry.error(), "invalid_grant", "not a lost response");
    let after = post(
        &state,
        Some(creds(&r)),
        &refresh_body(&used.field("refresh_token")),
    )
    .await;
    assert_eq!(after.error(), "invalid_grant", "the family is revoked");
}

#[tokio::test]
async fn a_refresh_drops_the_scopes_the_client_no_longer_has() {
    let state = memory_state();
    let r = register(&state.store, spec(&["authorization_code", "refresh_token"])).await;
    let code = CodeGrant {
        scope: Scopes::parse("read write").unwrap(),
        ..code_for(&r, &alice())
    };
    let code = store_code(&state.store, &code).await;
    let first = post(&state, Some(creds(&r)), &code_body(&code)).await;
    // The operator takes `write` away (the same client, registered again with less).
    let clients = &state.store.clients;
    let mut narrowed = (*clients
        .client("default", &r.client.client_id)
        .await
        .unwrap()
        .unwrap())
    .clone();
    narrowed.scopes = Scopes::parse("read").unwrap();
    clients
        .delete_client("default", &narrowed.client_id)
        .await
        .unwrap();
    clients.create_client(&narrowed).await.unwrap();
    let refreshed = post(
        &state,
        Some(creds(&r)),
        &refresh_body(&first.field("refresh_token")),
    )
    .await;
    assert_eq!(refreshed.json["scope"], "read", "{}", refreshed.json);
    let stored = state
        .store
        .tokens
        .token("default", &refreshed.field("refresh_token"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.token.scope.to_wire(),
        "read",
        "the new refresh token lost it too"
    );
    let again = post(
        &state,
        Some(creds(&r)),
        &refresh_body(&refreshed.field("refresh_token")),
    )
    .await;
    assert_eq!(again.json["scope"], "read");
}

/// RFC 6749 §6: a public client is not asked to authenticate, so its refresh token alone is
/// enough (requests-oauthlib sends nothing else); a confidential client's is not.
#[tokio::test]
async fn a_public_client_refreshes_with_the_refresh_token_alone() {
    let state = memory_state();
    let public = register(
        &state.store,
        ClientSpec {
            public: true,
            ..spec(&["authorization_code", "refresh_token"])
        },
    )
    .await;
    let code = store_code(&state.store, &code_for(&public, &alice())).await;
    let id = &public.client.client_id;
    let first = post(
        &state,
        None,
        &format!("{}&client_id={id}", code_body(&code)),
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.json);
    let alone = post(&state, None, &refresh_body(&first.field("refresh_token"))).await;
    assert_eq!(alone.status, 200, "{}", alone.json);

    let confidential = register(&state.store, spec(&["authorization_code", "refresh_token"])).await;
    let (_, refresh) = refresh_pair(&state, &confidential).await;
    let refused = post(&state, None, &refresh_body(&refresh)).await;
    assert_eq!((refused.status, refused.error()), (401, "invalid_client"));
    let garbage = post(&state, None, &refresh_body("not-a-token")).await;
    assert_eq!((garbage.status, garbage.error()), (401, "invalid_client"));
}

/// `--refresh-rotation off` (RFC 6749 §6 lets the server keep the token; RFC 9700 §4.14.2
/// allows it for a client that authenticates): the same refresh token is answered again, on
/// every path, and keeps working until revoked; a public client cannot turn rotation off.
#[tokio::test]
async fn a_client_without_rotation_keeps_its_refresh_token() {
    let state = memory_state();
    let keeping = ClientSpec {
        policy: ClientPolicy {
            keep_refresh_token: true,
            ..Default::default()
        },
        ..spec(&["authorization_code", "refresh_token"])
    };
    let r = register(&state.store, keeping.clone()).await;
    let (first_access, refresh) = refresh_pair(&state, &r).await;
    let mut accesses = vec![first_access];
    for path in ["/oauth2/token", "/api/v1/oauth/token", "/oauth2/token"] {
        let reply = post_to(&state, path, Some(creds(&r)), &refresh_body(&refresh)).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.json);
        assert_eq!(reply.field("refresh_token"), refresh, "{path}");
        accesses.push(reply.field("access_token"));
    }
    for access in &accesses {
        let standing = state.store.tokens.token("default", access).await.unwrap();
        assert!(
            standing.unwrap().is_active(now()),
            "every access token stays valid"
        );
    }
    let revoke = format!("token={refresh}");
    let revoked = post_to(&state, "/oauth2/revoke", Some(creds(&r)), &revoke).await;
    assert_eq!(revoked.status, 200);
    let after = post(&state, Some(creds(&r)), &refresh_body(&refresh)).await;
    assert_eq!(after.error(), "invalid_grant");
    for access in &accesses {
        let standing = state.store.tokens.token("default", access).await.unwrap();
        assert!(
            standing.is_none_or(|s| !s.is_active(now())),
            "the grant ended"
        );
    }

    let public = ClientSpec {
        public: true,
        ..keeping
    };
    let refused = oauth_core::service::admin::create_client(&*state.store.clients, &public, now());
    assert!(refused.await.is_err(), "a public client always rotates");
}
