//! The token endpoint against DynamoDB Local: each rule of RFC 6749 / 7636 / 9700 and of the
//! seed contracts, driven through the function's real handler.

use oauth_core::config::now;
use oauth_core::protocol::model::{CodeGrant, Owner};
use oauth_core::protocol::pkce::Method;
use oauth_core::protocol::scope::Scopes;
use oauth_core::service::admin::{ClientSpec, Registered};
use oauth_core::AppState;
use oauth_tests::call::{self, basic, form_post, post};
use oauth_tests::*;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const CB: &str = "https://app.example/cb";

fn spec(grants: &[&str]) -> ClientSpec {
    ClientSpec {
        workspace: "default".into(),
        name: "Test app".into(),
        redirect_uris: vec![CB.into(), "https://app.example/cb2".into()],
        grant_types: grants.iter().map(|g| g.to_string()).collect(),
        scope: Some("read write".into()),
        ..Default::default()
    }
}

async fn confidential(state: &AppState, grants: &[&str]) -> (String, String) {
    let r = register(&state.store, spec(grants)).await;
    (r.client.client_id, r.client_secret.unwrap())
}

fn code_for(r: &Registered, owner: &Owner) -> CodeGrant {
    CodeGrant {
        workspace: r.client.workspace.clone(),
        client_id: r.client.client_id.clone(),
        redirect_uri: Some(CB.into()),
        scope: Scopes::parse("read").unwrap(),
        username: owner.username.clone(),
        sub: owner.sub.clone(),
        challenge: Some((Method::S256, CHALLENGE.into())),
        grant_id: oauth_core::crypto::new_secret(),
        expires_at: now() + 60,
        used: false,
    }
}

fn alice() -> Owner {
    Owner {
        username: "alice".into(),
        sub: "sub-alice".into(),
    }
}

fn code_body(code: &str) -> String {
    format!("grant_type=authorization_code&code={code}&redirect_uri={CB}&code_verifier={VERIFIER}")
}

async fn token_count(state: &AppState) -> usize {
    raw_items(&state.store.tables().tokens).await.len()
}

#[tokio::test]
async fn client_credentials_response_is_rfc6749_5_1_with_seed_000_fields() {
    let state = fresh_state().await;
    let (id, secret) = confidential(&state, &["client_credentials"]).await;
    let r = post(
        &state,
        Some((&id, &secret)),
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["token_type"], "Bearer");
    assert_eq!(r.json["expires_in"], 3600);
    assert_eq!(r.json["scope"], "read write");
    assert!(r.json["access_token"].as_str().unwrap().len() >= 43);
    let obj = r.json.as_object().unwrap();
    assert!(obj.contains_key("refresh_token") && obj["refresh_token"].is_null());
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
}

#[tokio::test]
async fn client_authentication_methods() {
    let state = fresh_state().await;
    let (id, secret) = confidential(&state, &["client_credentials"]).await;
    let cc = "grant_type=client_credentials";

    let body_auth = post(
        &state,
        None,
        &format!("{cc}&client_id={id}&client_secret={secret}"),
    )
    .await;
    assert_eq!(body_auth.status, 200, "client_secret_post");

    let wrong_basic = post(&state, Some((&id, "wrong")), cc).await;
    assert_eq!(
        (wrong_basic.status, wrong_basic.error()),
        (401, "invalid_client")
    );
    assert!(wrong_basic
        .header("www-authenticate")
        .unwrap()
        .starts_with("Basic"));
    assert_eq!(wrong_basic.json["statusCode"], 401);
    assert!(wrong_basic.json["message"].as_array().unwrap()[0].is_string());

    let wrong_post = post(
        &state,
        None,
        &format!("{cc}&client_id={id}&client_secret=wrong"),
    )
    .await;
    assert_eq!(
        (wrong_post.status, wrong_post.error()),
        (401, "invalid_client")
    );
    assert!(wrong_post.header("www-authenticate").is_none());

    let both = post(
        &state,
        Some((&id, &secret)),
        &format!("{cc}&client_secret={secret}"),
    )
    .await;
    assert_eq!((both.status, both.error()), (400, "invalid_request"));

    let unknown = post(&state, Some(("nobody", "x")), cc).await;
    assert_eq!((unknown.status, unknown.error()), (401, "invalid_client"));
    assert_eq!(
        unknown.json["error_description"],
        wrong_basic.json["error_description"]
    );

    let none = post(&state, None, &format!("{cc}&client_id={id}")).await;
    assert_eq!(
        (none.status, none.error()),
        (401, "invalid_client"),
        "confidential client without secret"
    );

    // RFC 6749 §2.3.1: each Basic part is form-urlencoded before base64.
    let encoded = basic(&id, &secret.replace('-', "%2D"));
    let r = call::token(&state, form_post("/oauth2/token", Some(&encoded), cc)).await;
    assert_eq!(r.status, 200, "form-urlencoded Basic parts are decoded");
    assert_eq!(
        token_count(&state).await,
        2,
        "only the two successful requests wrote a token"
    );
}

#[tokio::test]
async fn a_client_of_workspace_a_does_not_exist_in_workspace_b() {
    let state = fresh_state().await;
    let r = register(
        &state.store,
        ClientSpec {
            workspace: "a".into(),
            ..spec(&["client_credentials"])
        },
    )
    .await;
    let (id, secret) = (r.client.client_id, r.client_secret.unwrap());
    let a = basic(&id, &secret);
    let in_a = call::token(
        &state,
        form_post("/a/oauth2/token", Some(&a), "grant_type=client_credentials"),
    )
    .await;
    assert_eq!(in_a.status, 200);
    let in_b = call::token(
        &state,
        form_post("/b/oauth2/token", Some(&a), "grant_type=client_credentials"),
    )
    .await;
    assert_eq!((in_b.status, in_b.error()), (401, "invalid_client"));
    let in_default = post(
        &state,
        Some((&id, &secret)),
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!(in_default.status, 401);
}

#[tokio::test]
async fn seed_alias_paths_serve_the_default_workspace() {
    let state = fresh_state().await;
    let (id, secret) = confidential(&state, &["client_credentials"]).await;
    for path in [
        "/api/v1/oauth/token",
        "/v1/oauth/token",
        "/default/oauth2/token",
    ] {
        let body = format!("grant_type=client_credentials&client_id={id}&client_secret={secret}");
        let r = call::token(&state, form_post(path, None, &body)).await;
        assert_eq!(r.status, 200, "{path}: {}", r.json);
    }
}

#[tokio::test]
async fn scopes_table() {
    let state = fresh_state().await;
    let (id, secret) = confidential(&state, &["client_credentials"]).await;
    let cases = [
        ("scope=*", Ok("read write")),
        ("scope=write", Ok("write")),
        ("scope=write+read", Ok("read write")),
        ("", Ok("read write")),
        ("scope=read+admin", Err("invalid_scope")),
    ];
    for (extra, want) in cases {
        let r = post(
            &state,
            Some((&id, &secret)),
            &format!("grant_type=client_credentials&{extra}"),
        )
        .await;
        let got = if r.status == 200 {
            Ok(r.json["scope"].as_str().unwrap())
        } else {
            Err(r.error())
        };
        assert_eq!(got, want, "{extra}");
    }
}

#[tokio::test]
async fn grants_a_client_is_not_registered_for_are_unauthorized_client() {
    let state = fresh_state().await;
    let (id, secret) = confidential(&state, &["authorization_code"]).await;
    for body in [
        "grant_type=client_credentials",
        "grant_type=password&username=a&password=b",
        "grant_type=refresh_token&refresh_token=x",
    ] {
        let r = post(&state, Some((&id, &secret)), body).await;
        assert_eq!(
            (r.status, r.error()),
            (400, "unauthorized_client"),
            "{body}"
        );
    }
    let r = post(
        &state,
        Some((&id, &secret)),
        "grant_type=urn:ietf:params:oauth:grant-type:device_code",
    )
    .await;
    assert_eq!((r.status, r.error()), (400, "unsupported_grant_type"));
}

#[tokio::test]
async fn bad_input_is_a_clear_4xx_and_writes_nothing() {
    let state = fresh_state().await;
    let (id, secret) = confidential(&state, &["client_credentials"]).await;
    let auth = basic(&id, &secret);
    let cc = "grant_type=client_credentials";
    let request = |method: &str, path: &str, ctype: &str, body: Vec<u8>| {
        lambda_http::http::Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", ctype)
            .header("authorization", auth.as_str())
            .body(lambda_http::Body::Binary(body))
            .unwrap()
    };
    let form = "application/x-www-form-urlencoded";
    let mut huge = cc.as_bytes().to_vec();
    huge.extend(format!("&pad={}", "x".repeat(20_000)).bytes());
    let cases: Vec<(&str, lambda_http::Request, u16)> = vec![
        ("GET", request("GET", "/oauth2/token", form, vec![]), 405),
        (
            "JSON body",
            request(
                "POST",
                "/oauth2/token",
                "application/json",
                br#"{"grant_type":"client_credentials"}"#.to_vec(),
            ),
            415,
        ),
        (
            "repeated parameter",
            request(
                "POST",
                "/oauth2/token",
                form,
                b"grant_type=client_credentials&grant_type=client_credentials".to_vec(),
            ),
            400,
        ),
        (
            "body over 16 KiB",
            request("POST", "/oauth2/token", form, huge),
            413,
        ),
        (
            "invalid UTF-8",
            request(
                "POST",
                "/oauth2/token",
                form,
                b"grant_type=client_credentials&scope=%ff".to_vec(),
            ),
            400,
        ),
        (
            "raw invalid UTF-8",
            request(
                "POST",
                "/oauth2/token",
                form,
                b"grant_type=client_credentials&scope=\xff".to_vec(),
            ),
            400,
        ),
        (
            "bad percent-encoding",
            request(
                "POST",
                "/oauth2/token",
                form,
                b"grant_type=client%2_credentials".to_vec(),
            ),
            400,
        ),
        (
            "malformed workspace",
            request("POST", "/Bad_WS/oauth2/token", form, cc.as_bytes().to_vec()),
            404,
        ),
        (
            "credentials in the query",
            request(
                "POST",
                &format!("/oauth2/token?client_secret={secret}"),
                form,
                cc.as_bytes().to_vec(),
            ),
            400,
        ),
        (
            "missing grant_type",
            request("POST", "/oauth2/token", form, b"scope=read".to_vec()),
            400,
        ),
    ];
    for (name, req, status) in cases {
        let r = call::token(&state, req).await;
        assert_eq!(r.status, status, "{name}: {}", r.json);
        assert_eq!(r.error(), "invalid_request", "{name}");
        assert_eq!(r.json["statusCode"], status, "{name}");
        assert!(
            !r.json["error_description"].as_str().unwrap().is_empty(),
            "{name}"
        );
        if name == "GET" {
            assert_eq!(r.header("allow"), Some("POST"));
        }
    }
    assert_eq!(token_count(&state).await, 0);
}

#[tokio::test]
async fn storage_failure_is_a_500_exception_dto_without_detail() {
    let healthy = fresh_state().await;
    let (id, secret) = confidential(&healthy, &["client_credentials"]).await;
    // Same client table, but a tokens table that does not exist: the write fails.
    let mut tables = healthy.store.tables().clone();
    tables.tokens = "no-such-table".into();
    let broken = AppState::new(
        oauth_core::storage::Store::new(local_client(&dynamodb_local().endpoint()), tables),
        test_settings(),
    );
    let r = post(
        &broken,
        Some((&id, &secret)),
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!(r.status, 500);
    assert!(
        r.json["message"].is_string(),
        "ExceptionDto: message is a string"
    );
    assert_eq!(r.json["statusCode"], 500);
    assert_eq!(r.json["error"], "server_error");
    let text = r.json.to_string();
    assert!(
        !text.contains("no-such-table") && !text.contains("ResourceNotFound"),
        "{text}"
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn per_client_access_token_lifetime() {
    let state = fresh_state().await;
    let r = register(
        &state.store,
        ClientSpec {
            access_token_ttl: Some(120),
            ..spec(&["client_credentials"])
        },
    )
    .await;
    let reply = post(
        &state,
        Some((&r.client.client_id, r.client_secret.as_deref().unwrap())),
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!(reply.json["expires_in"], 120);
}

#[tokio::test]
async fn code_exchange_with_pkce_and_the_code_alias() {
    let state = fresh_state().await;
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
    let state = fresh_state().await;
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
    let state = fresh_state().await;
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
        ok.json["refresh_token"].is_null(),
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

#[tokio::test]
async fn a_second_valid_redemption_revokes_every_token_from_the_code() {
    let state = fresh_state().await;
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
        .token("default", &access)
        .await
        .unwrap()
        .is_some());

    let replay = post(&state, Some((&id, &secret)), &code_body(&code)).await;
    assert_eq!((replay.status, replay.error()), (400, "invalid_grant"));
    for t in [&access, &refresh, &rotated_access] {
        assert!(
            state.store.token("default", t).await.unwrap().is_none(),
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
    let state = fresh_state().await;
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
        .token("default", access)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn refresh_grace_window_allows_a_retry() {
    let state = fresh_state().await;
    let r = register(
        &state.store,
        ClientSpec {
            refresh_grace: Some(60),
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
    let state = fresh_state().await;
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
async fn a_login_that_races_a_lock_is_refused_and_failures_during_a_lock_do_not_count() {
    let state = fresh_state().await;
    add_user(&state.store, "default", "dora", "correct horse").await;
    let now = now();
    // A password check read the record before these failures locked the account.
    for _ in 0..5 {
        state
            .store
            .record_login_failure("default", "dora", 5, (now, now + 900))
            .await
            .unwrap();
    }
    let user = state.store.user("default", "dora").await.unwrap().unwrap();
    assert!(user.locked_until > now && user.failed_logins == 0);
    let confirm = state.store.confirm_login("default", "dora", now).await;
    assert!(
        matches!(
            confirm,
            Err(oauth_core::storage::StoreError::ConditionFailed)
        ),
        "{confirm:?}"
    );
    let family = oauth_core::storage::GrantFamily {
        workspace: "default".into(),
        grant_id: "g".into(),
        expires_at: now + 60,
    };
    let started = state.store.start_family(&family, &[], ("dora", now)).await;
    assert!(
        matches!(
            started,
            Err(oauth_core::storage::StoreError::ConditionFailed)
        ),
        "the grant's transaction checks the lock too"
    );
    state
        .store
        .record_login_failure("default", "dora", 5, (now, now + 900))
        .await
        .unwrap();
    let still = state.store.user("default", "dora").await.unwrap().unwrap();
    assert_eq!(
        (still.failed_logins, still.locked_until),
        (0, user.locked_until),
        "no count, no longer lock"
    );
}

#[tokio::test]
async fn oversized_identifiers_are_refused_without_a_server_error() {
    let state = fresh_state().await;
    let r = register(&state.store, spec(&["password"])).await;
    let long = "x".repeat(2000);
    let by_body = post(
        &state,
        None,
        &format!("grant_type=client_credentials&client_id={long}&client_secret=s"),
    )
    .await;
    assert_eq!((by_body.status, by_body.error()), (401, "invalid_client"));
    let by_basic = post(&state, Some((&long, "s")), "grant_type=client_credentials").await;
    assert_eq!((by_basic.status, by_basic.error()), (401, "invalid_client"));
    let auth = (
        r.client.client_id.as_str(),
        r.client_secret.as_deref().unwrap(),
    );
    let user = post(
        &state,
        Some(auth),
        &format!("grant_type=password&username={long}&password=x"),
    )
    .await;
    assert_eq!((user.status, user.error()), (400, "invalid_grant"));
    let bearer = call::token(
        &state,
        form_post(
            "/oauth2/token",
            Some("Bearer abc"),
            "grant_type=client_credentials",
        ),
    )
    .await;
    assert_eq!(bearer.status, 401);
    assert!(
        bearer
            .header("www-authenticate")
            .is_some_and(|h| h.starts_with("Basic")),
        "RFC 6749 §5.2"
    );
}

#[tokio::test]
async fn refresh_refuses_expired_tokens_and_other_clients() {
    let state = fresh_state().await;
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
        .token("default", &refresh)
        .await
        .unwrap()
        .unwrap();
    let auth = (
        r.client.client_id.as_str(),
        r.client_secret.as_deref().unwrap(),
    );
    for (name, expires_at, family) in [
        ("token expired", now() - 1, now() + 100),
        ("family over", now() + 100, now() - 1),
    ] {
        let value = oauth_core::crypto::new_secret();
        record.expires_at = expires_at;
        record.family_expires_at = Some(family);
        state.store.put_token(&value, &record).await.unwrap();
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

#[tokio::test]
async fn password_grant_and_lockout() {
    let mut state = fresh_state().await;
    state.settings.lockout_threshold = 3;
    let r = register(
        &state.store,
        ClientSpec {
            redirect_uris: vec![],
            ..spec(&["password", "refresh_token"])
        },
    )
    .await;
    let auth = (
        r.client.client_id.as_str(),
        r.client_secret.as_deref().unwrap(),
    );
    add_user(&state.store, "default", "bob", "correct horse").await;
    let login = |pw: &str| format!("grant_type=password&username=bob&password={pw}&scope=*");

    let ok = post(&state, Some(auth), &login("correct+horse")).await;
    assert_eq!(ok.status, 200, "{}", ok.json);
    assert!(ok.json["refresh_token"].is_string());
    assert_eq!(ok.json["scope"], "read write");

    let wrong = post(&state, Some(auth), &login("wrong")).await;
    let unknown = post(
        &state,
        Some(auth),
        "grant_type=password&username=nobody&password=wrong",
    )
    .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(
        wrong.json, unknown.json,
        "the answer does not reveal whether the user exists"
    );

    for _ in 0..2 {
        post(&state, Some(auth), &login("wrong")).await;
    }
    let locked = post(&state, Some(auth), &login("correct+horse")).await;
    assert_eq!(
        (locked.status, locked.error()),
        (400, "invalid_grant"),
        "locked after 3 failures"
    );
    assert_eq!(locked.json, wrong.json);
    let user = state.store.user("default", "bob").await.unwrap().unwrap();
    assert!(user.locked_until > now());
}

#[tokio::test]
async fn concurrent_failures_all_count() {
    let state = std::sync::Arc::new(fresh_state().await);
    let r = register(
        &state.store,
        ClientSpec {
            redirect_uris: vec![],
            ..spec(&["password"])
        },
    )
    .await;
    add_user(&state.store, "default", "carol", "correct horse").await;
    let (id, secret) = (r.client.client_id.clone(), r.client_secret.clone().unwrap());
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let (state, id, secret) = (state.clone(), id.clone(), secret.clone());
            tokio::spawn(async move {
                post(
                    &state,
                    Some((&id, &secret)),
                    "grant_type=password&username=carol&password=nope",
                )
                .await
                .status
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 400);
    }
    let user = state.store.user("default", "carol").await.unwrap().unwrap();
    assert!(
        user.locked_until > now(),
        "five concurrent failures lock the account"
    );
}

#[tokio::test]
async fn nothing_secret_is_stored_in_the_clear() {
    let state = fresh_state().await;
    let r = register(
        &state.store,
        spec(&["authorization_code", "refresh_token", "client_credentials"]),
    )
    .await;
    let secret = r.client_secret.clone().unwrap();
    let (access, refresh) = refresh_pair(&state, &r).await;
    add_user(&state.store, "default", "dave", "hunter2hunter2").await;
    let mut dump = String::new();
    for table in [
        &state.store.tables().clients,
        &state.store.tables().tokens,
        &state.store.tables().users,
    ] {
        dump.push_str(&format!("{:?}", raw_items(table).await));
    }
    assert!(dump.contains(&r.client.client_id), "the dump is real");
    for s in [&secret, &access, &refresh, &"hunter2hunter2".to_string()] {
        assert!(!dump.contains(s.as_str()), "a raw secret is stored");
    }
}

#[tokio::test]
async fn grants_read_the_code_token_or_user_alone_when_the_client_is_cached() {
    let mut state = fresh_state().await;
    state.settings.client_cache_seconds = 300;
    let r = register(
        &state.store,
        spec(&["authorization_code", "refresh_token", "password"]),
    )
    .await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    let auth = (
        r.client.client_id.as_str(),
        r.client_secret.as_deref().unwrap(),
    );
    for round in ["cold cache", "warm cache"] {
        let code = store_code(&state.store, &code_for(&r, &alice())).await;
        let exchanged = post(&state, Some(auth), &code_body(&code)).await;
        assert_eq!(exchanged.status, 200, "{round}: {}", exchanged.json);
        let refresh = exchanged.json["refresh_token"].as_str().unwrap();
        let refreshed = post(
            &state,
            Some(auth),
            &format!("grant_type=refresh_token&refresh_token={refresh}"),
        )
        .await;
        assert_eq!(refreshed.status, 200, "{round}");
        let pw = post(
            &state,
            Some(auth),
            "grant_type=password&username=alice&password=correct+horse",
        )
        .await;
        assert_eq!(pw.status, 200, "{round}");
        let wrong = post(&state, Some((auth.0, "wrong")), &code_body(&code)).await;
        assert_eq!(
            wrong.status, 401,
            "{round}: a cached client still checks the secret"
        );
    }
    assert!(state.cached_client("default", auth.0).is_some());
}
