//! The authorization code grant (RFC 6749 §4.1.3, RFC 7636) on the in-memory store: PKCE,
//! redirect URI binding, the `code` alias, and a second redemption revoking what the code issued.

use oauth_core::protocol::code_grant::CodeGrant;
use oauth_core::protocol::pkce::Method;
use oauth_core::service::admin::{ClientSpec, Registered};
use oauth_tests::call::post;
use oauth_tests::fixtures::*;
use oauth_tests::*;

#[tokio::test]
async fn code_exchange_with_pkce_and_the_code_alias() {
    let state = memory_state();
    let r = register(&state.store, spec(&["authorization_code", "refresh_token"])).await;
    let secret = r.client_secret.clone().unwrap();
    for grant_type in ["authorization_code", "code"] {
        let code = store_code(&state.store, &code_for(&r, &alice())).await;
        let body = code_body(&code).replace("authorization_code", grant_type);
        let reply = post(&state, Some((&r.client.client_id, &secret)), &body).await;
        assert_eq!(reply.status, 200, "{grant_type}: {}", reply.json);
        assert_eq!(reply.json["scope"], "read");
        assert!(reply.json["refresh_token"].is_string());
    }
}

/// (case, code record, who authenticates, body template, expected status and error)
type CodeCase<'a> = (&'a str, CodeGrant, &'a Registered, String, (u16, &'a str));

#[tokio::test]
async fn code_redemption_table() {
    let state = memory_state();
    let r = register(&state.store, spec(&["authorization_code", "refresh_token"])).await;
    let other = register(&state.store, spec(&["authorization_code"])).await;
    let plain = CodeGrant {
        challenge: Some((Method::Plain, VERIFIER.into())),
        ..code_for(&r, &alice())
    };
    // Each case needs its own code (and so its own grant id).
    let no_pkce = || CodeGrant {
        challenge: None,
        ..code_for(&r, &alice())
    };
    let expired = CodeGrant {
        expires_at: now() - 1,
        ..code_for(&r, &alice())
    };
    let unbound = || CodeGrant {
        redirect_uri: None,
        ..code_for(&r, &alice())
    };
    let good = code_body("{code}");
    let cases: Vec<CodeCase> = vec![
        ("S256", code_for(&r, &alice()), &r, good.clone(), (200, "")),
        ("plain", plain, &r, good.clone(), (200, "")),
        (
            "confidential without PKCE",
            no_pkce(),
            &r,
            good.replace(&format!("&code_verifier={VERIFIER}"), ""),
            (200, ""),
        ),
        (
            "verifier but no stored challenge",
            no_pkce(),
            &r,
            good.clone(),
            (400, "invalid_grant"),
        ),
        (
            "wrong verifier",
            code_for(&r, &alice()),
            &r,
            good.replace("dBjf", "xBjf"),
            (400, "invalid_grant"),
        ),
        (
            "no verifier",
            code_for(&r, &alice()),
            &r,
            good.replace(&format!("&code_verifier={VERIFIER}"), ""),
            (400, "invalid_request"),
        ),
        (
            "other redirect_uri",
            code_for(&r, &alice()),
            &r,
            good.replace("/cb&", "/cb2&"),
            (400, "invalid_grant"),
        ),
        (
            "missing redirect_uri",
            code_for(&r, &alice()),
            &r,
            good.replace(&format!("&redirect_uri={CB}"), ""),
            (400, "invalid_request"),
        ),
        (
            "unbound code, registered redirect",
            unbound(),
            &r,
            good.replace("/cb&", "/cb2&"),
            (200, ""),
        ),
        (
            "unbound code, no redirect",
            unbound(),
            &r,
            good.replace(&format!("&redirect_uri={CB}"), ""),
            (200, ""),
        ),
        ("expired", expired, &r, good.clone(), (400, "invalid_grant")),
        (
            "another client's code",
            code_for(&r, &alice()),
            &other,
            good.clone(),
            (400, "invalid_grant"),
        ),
        (
            "unknown code",
            code_for(&r, &alice()),
            &r,
            code_body("not-a-code"),
            (400, "invalid_grant"),
        ),
    ];
    for (name, code, client, body, (status, error)) in cases {
        let value = store_code(&state.store, &code).await;
        let body = body.replace("{code}", &value);
        let reply = post(
            &state,
            Some((
                &client.client.client_id,
                client.client_secret.as_deref().unwrap(),
            )),
            &body,
        )
        .await;
        assert_eq!(
            (reply.status, reply.error()),
            (status, error),
            "{name}: {}",
            reply.json
        );
    }
}

#[tokio::test]
async fn public_clients_must_use_pkce() {
    let state = memory_state();
    let r = register(
        &state.store,
        ClientSpec {
            public: true,
            ..spec(&["authorization_code"])
        },
    )
    .await;
    let id = r.client.client_id.clone();
    let with = store_code(&state.store, &code_for(&r, &alice())).await;
    let ok = post(
        &state,
        None,
        &format!("{}&client_id={id}", code_body(&with)),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.json);
    assert!(
        ok.json.get("refresh_token").is_none(),
        "no refresh_token grant registered"
    );
    let without = store_code(
        &state.store,
        &CodeGrant {
            challenge: None,
            ..code_for(&r, &alice())
        },
    )
    .await;
    let body =
        format!("grant_type=authorization_code&code={without}&redirect_uri={CB}&client_id={id}");
    let refused = post(&state, None, &body).await;
    assert_eq!((refused.status, refused.error()), (400, "invalid_grant"));
}

/// A confidential client registered with `require_pkce` (the CLI's default) is held to PKCE at
/// the token endpoint too, should a code without a challenge exist.
#[tokio::test]
async fn confidential_clients_registered_for_pkce_must_use_it() {
    let state = memory_state();
    let mut s = spec(&["authorization_code"]);
    s.policy.require_pkce = true;
    let r = register(&state.store, s).await;
    let without = store_code(
        &state.store,
        &CodeGrant {
            challenge: None,
            ..code_for(&r, &alice())
        },
    )
    .await;
    let body = format!("grant_type=authorization_code&code={without}&redirect_uri={CB}");
    let secret = r.client_secret.clone().unwrap();
    let refused = post(&state, Some((&r.client.client_id, &secret)), &body).await;
    assert_eq!((refused.status, refused.error()), (400, "invalid_grant"));
}

#[tokio::test]
async fn a_second_valid_redemption_revokes_every_token_from_the_code() {
    let state = memory_state();
    let r = register(&state.store, spec(&["authorization_code", "refresh_token"])).await;
    let (id, secret) = (r.client.client_id.clone(), r.client_secret.clone().unwrap());
    let code = store_code(&state.store, &code_for(&r, &alice())).await;
    let first = post(&state, Some((&id, &secret)), &code_body(&code)).await;
    assert_eq!(first.status, 200);
    let access = first.json["access_token"].as_str().unwrap().to_owned();
    let refresh = first.json["refresh_token"].as_str().unwrap().to_owned();
    // A refresh in between: its tokens belong to the same grant and must go too.
    let rotated = post(
        &state,
        Some((&id, &secret)),
        &format!("grant_type=refresh_token&refresh_token={refresh}"),
    )
    .await;
    assert_eq!(rotated.status, 200);
    let rotated_access = rotated.json["access_token"].as_str().unwrap().to_owned();

    // An invalid replay (wrong verifier) is refused and revokes nothing.
    let bad = post(
        &state,
        Some((&id, &secret)),
        &code_body(&code).replace("dBjf", "xBjf"),
    )
    .await;
    assert_eq!(bad.error(), "invalid_grant");
    assert!(state
        .store
        .tokens
        .token("default", &access)
        .await
        .unwrap()
        .is_some());

    let replay = post(&state, Some((&id, &secret)), &code_body(&code)).await;
    assert_eq!((replay.status, replay.error()), (400, "invalid_grant"));
    for t in [&access, &refresh, &rotated_access] {
        assert!(
            state
                .store
                .tokens
                .token("default", t)
                .await
                .unwrap()
                .is_none(),
            "token survived the replay"
        );
    }
    let next = rotated.json["refresh_token"].as_str().unwrap();
    let after = post(
        &state,
        Some((&id, &secret)),
        &format!("grant_type=refresh_token&refresh_token={next}"),
    )
    .await;
    assert_eq!(after.error(), "invalid_grant");
}

#[tokio::test]
async fn an_expired_code_replayed_is_still_a_replay() {
    let (state, clock) = memory_state_with_clock();
    let r = register(&state.store, spec(&["authorization_code", "refresh_token"])).await;
    let code = store_code(&state.store, &code_for(&r, &alice())).await;
    let first = post(&state, Some(creds(&r)), &code_body(&code)).await;
    assert_eq!(first.status, 200);
    clock.advance(3600);
    let replay = post(&state, Some(creds(&r)), &code_body(&code)).await;
    assert_eq!(replay.error(), "invalid_grant");
    let body = format!(
        "grant_type=refresh_token&refresh_token={}",
        first.field("refresh_token")
    );
    let after = post(&state, Some(creds(&r)), &body).await;
    assert_eq!(
        after.error(),
        "invalid_grant",
        "the replay revoked what the code issued"
    );
}
