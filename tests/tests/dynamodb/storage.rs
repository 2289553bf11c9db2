//! What only DynamoDB can show: a failing table answers a 500 without detail, nothing secret
//! is stored in the clear, and concurrent failed logins all count.

use oauth_core::clock::SystemClock;
use oauth_core::protocol::user::Session;
use oauth_core::service::admin::ClientSpec;
use oauth_core::store::dynamo::DynamoStore;
use oauth_core::store::Stores;
use oauth_core::AppState;
use oauth_tests::call::{post, post_to};
use oauth_tests::fixtures::*;
use oauth_tests::*;
use std::sync::Arc;

#[tokio::test]
async fn storage_failure_is_a_500_exception_dto_without_detail() {
    let (healthy, dynamo) = dynamo_state().await;
    let r = register(&healthy.store, spec(&["client_credentials"])).await;
    // Same client table, but a tokens table that does not exist: the write fails.
    let mut tables = dynamo.tables().clone();
    tables.tokens = "no-such-table".into();
    let store = DynamoStore::new(local_client(&dynamodb_local().endpoint()), tables);
    let broken = AppState::new(
        Stores::new(Arc::new(store)),
        test_settings(),
        Arc::new(SystemClock),
    );
    let cc = "grant_type=client_credentials";
    let reply = post(&broken, Some(creds(&r)), cc).await;
    assert_eq!(reply.status, 500);
    assert_eq!(reply.json["error"], "server_error");
    assert!(reply.json["error_description"].is_string());
    let seed = post_to(&broken, "/api/v1/oauth/token", Some(creds(&r)), cc).await;
    assert_eq!(seed.status, 500);
    assert!(
        seed.json["message"].is_string(),
        "ExceptionDto: message is a string"
    );
    assert_eq!(seed.json["statusCode"], 500);
    assert_eq!(seed.json["error"], "server_error");
    for text in [reply.json.to_string(), seed.json.to_string()] {
        assert!(
            !text.contains("no-such-table") && !text.contains("ResourceNotFound"),
            "{text}"
        );
    }
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn concurrent_failures_all_count() {
    let (state, _) = dynamo_state().await;
    let state = Arc::new(state);
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
    let attempts = attempts_of(&state, "carol").await;
    assert_eq!(attempts.failures, 5, "five concurrent failures all count");
    assert!(attempts.blocked_until > now(), "and lock the pair");
}

#[tokio::test]
async fn nothing_secret_is_stored_in_the_clear() {
    let (state, dynamo) = dynamo_state().await;
    let r = register(
        &state.store,
        spec(&["authorization_code", "refresh_token", "client_credentials"]),
    )
    .await;
    let secret = r.client_secret.clone().unwrap();
    let code = store_code(&state.store, &code_for(&r, &alice())).await;
    let tokens = post(&state, Some(creds(&r)), &code_body(&code)).await;
    let (access, refresh) = (tokens.field("access_token"), tokens.field("refresh_token"));
    add_user(&state.store, "default", "dave", "hunter2hunter2").await;
    let cookie = session_value("sub-dave");
    let session = Session {
        workspace: "default".into(),
        username: "dave".into(),
        sub: "sub-dave".into(),
        auth_time: now(),
        expires_at: now() + 60,
        generation: 0,
    };
    state
        .store
        .sessions
        .put_session(&cookie, &session)
        .await
        .unwrap();
    let mut dump = String::new();
    for (_, table) in dynamo.tables().pairs() {
        dump.push_str(&format!("{:?}", raw_items(table).await));
    }
    assert!(dump.contains(&r.client.client_id), "the dump is real");
    assert!(dump.contains("sub-dave"), "the session is in it");
    for s in [&secret, &code, &access, &refresh, &cookie, "hunter2hunter2"] {
        assert!(!dump.contains(s), "a raw secret is stored");
    }
}

/// Seed 000's authorization path (and a client asking for JSON) answers a storage failure
/// with its `ExceptionDto`, never the HTML page and never the detail; the standard path
/// answers the page.
#[tokio::test]
async fn authorization_storage_failure_is_seed_000s_exception_dto_on_its_path() {
    let (_, dynamo) = dynamo_state().await;
    let mut tables = dynamo.tables().clone();
    tables.clients = "no-such-table".into();
    let store = DynamoStore::new(local_client(&dynamodb_local().endpoint()), tables);
    let broken = AppState::new(
        Stores::new(Arc::new(store)),
        test_settings(),
        Arc::new(SystemClock),
    );
    let query = "?client_id=abc&response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb";
    let send = |path: String, accept: Option<&'static str>| {
        let broken = broken.clone();
        async move {
            let mut req = oauth_tests::call::get(&path);
            if let Some(a) = accept {
                req.headers_mut().insert("accept", a.parse().unwrap());
            }
            let resp = oauth_core::http::authorization::handle(&broken, req).await;
            let status = resp.status().as_u16();
            let kind = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let body = match resp.body() {
                lambda_http::Body::Text(t) => t.clone(),
                lambda_http::Body::Binary(b) => String::from_utf8_lossy(b).into_owned(),
                _ => String::new(),
            };
            (status, kind, body)
        }
    };
    for (path, accept) in [
        (format!("/api/v1/oauth/authorize{query}"), None),
        (
            format!("/oauth2/authorize{query}"),
            Some("application/json"),
        ),
    ] {
        let (status, kind, body) = send(path.clone(), accept).await;
        assert_eq!(status, 500, "{path}");
        assert!(kind.starts_with("application/json"), "{path}: {kind}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(json["message"].is_string(), "ExceptionDto: {json}");
        assert_eq!(json["statusCode"], 500);
        assert_eq!(json["error"], "server_error");
        assert!(!body.contains("no-such-table") && !body.contains("ResourceNotFound"));
    }
    let (status, kind, body) = send(format!("/oauth2/authorize{query}"), None).await;
    assert_eq!(status, 500);
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(!body.contains("no-such-table"));
}
