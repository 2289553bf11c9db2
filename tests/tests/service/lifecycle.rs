//! Revocation (RFC 7009), introspection (RFC 7662), server metadata (RFC 8414) and the API
//! Gateway authorizer, through the real handlers on the in-memory store.

use oauth_core::clock::SystemClock;
use oauth_core::http::authorizer::authorize;
use oauth_core::protocol::client::ClientPolicy;
use oauth_core::service::admin::{ClientSpec, Registered};
use oauth_core::store::dynamo::schema::TableNames;
use oauth_core::store::dynamo::DynamoStore;
use oauth_core::store::Stores;
use oauth_core::AppState;
use oauth_tests::call::{self, post, post_to};
use oauth_tests::fixtures::creds as auth;
use oauth_tests::fixtures::token_value;
use oauth_tests::*;
use serde_json::json;
use std::sync::Arc;

/// The resource the test clients' tokens are for.
const API: &str = "https://api.example";

/// A client of `API`; with `introspect`, also a resource server serving it.
async fn app(state: &AppState, introspect: bool) -> Registered {
    register(
        &state.store,
        ClientSpec {
            workspace: "default".into(),
            name: "lifecycle".into(),
            grant_types: vec![
                "password".into(),
                "refresh_token".into(),
                "client_credentials".into(),
            ],
            scope: Some("read write".into()),
            policy: ClientPolicy {
                introspect,
                audience: vec![API.into()],
                serves: if introspect { vec![API.into()] } else { vec![] },
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await
}

/// Access and refresh token of one password grant for bob.
async fn tokens(state: &AppState, r: &Registered) -> (String, String) {
    let reply = post(
        state,
        Some(auth(r)),
        "grant_type=password&username=bob&password=correct+horse&scope=read",
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    (
        reply.json["access_token"].as_str().unwrap().to_owned(),
        reply.json["refresh_token"].as_str().unwrap().to_owned(),
    )
}

async fn introspect(state: &AppState, rs: &Registered, token: &str) -> serde_json::Value {
    let reply = post_to(
        state,
        "/oauth2/introspect",
        Some(auth(rs)),
        &format!("token={token}"),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    reply.json
}

async fn setup() -> (AppState, Registered, Registered) {
    let mut state = memory_state();
    state.settings.issuer = Some("https://auth.example".into());
    let client = app(&state, false).await;
    let resource_server = app(&state, true).await;
    add_user(&state.store, "default", "bob", "correct horse").await;
    (state, client, resource_server)
}

#[tokio::test]
async fn introspection_of_active_and_inactive_tokens() {
    let (state, client, rs) = setup().await;
    let (access, refresh) = tokens(&state, &client).await;
    let active = introspect(&state, &rs, &access).await;
    assert_eq!(active["active"], true);
    assert_eq!(active["scope"], "read");
    assert_eq!(active["client_id"], client.client.client_id.as_str());
    assert_eq!(active["username"], "bob");
    assert_eq!(active["token_type"], "Bearer");
    assert_eq!(active["iss"], "https://auth.example");
    assert_eq!(active["aud"], serde_json::json!([API]));
    assert!(active["sub"].as_str().is_some_and(|s| !s.is_empty()));
    let (exp, iat) = (
        active["exp"].as_u64().unwrap(),
        active["iat"].as_u64().unwrap(),
    );
    assert!(iat <= now() && exp == iat + 3600);
    assert_eq!(
        introspect(&state, &rs, &refresh).await,
        json!({ "active": false }),
        "another client's refresh token is not for a resource server"
    );
    let (_, own_refresh) = tokens(&state, &rs).await;
    assert_eq!(
        introspect(&state, &rs, &own_refresh).await["token_type"],
        "refresh_token",
        "its own is"
    );

    // Expired but not yet deleted by TTL.
    let mut record = state
        .store
        .tokens
        .token("default", &access)
        .await
        .unwrap()
        .unwrap()
        .token;
    record.expires_at = now() - 1;
    let expired = token_value(&record);
    state
        .store
        .tokens
        .put_token(&expired, &record)
        .await
        .unwrap();
    let acme = register(
        &state.store,
        ClientSpec {
            workspace: "acme".into(),
            name: "rs".into(),
            grant_types: vec!["client_credentials".into()],
            policy: ClientPolicy {
                introspect: true,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await;
    let foreign = post_to(
        &state,
        "/acme/oauth2/introspect",
        Some(auth(&acme)),
        &format!("token={access}"),
    )
    .await;
    for (name, body) in [
        ("expired", introspect(&state, &rs, &expired).await),
        ("unknown", introspect(&state, &rs, "no-such-token").await),
        ("foreign workspace", foreign.json),
    ] {
        assert_eq!(body, json!({ "active": false }), "{name}");
    }

    // A public client cannot introspect, even if its record says so (the CLI refuses to write one).
    let mut public = oauth_core::service::admin::build_client(
        &ClientSpec {
            workspace: "default".into(),
            name: "spa".into(),
            public: true,
            redirect_uris: vec!["https://spa.example/cb".into()],
            ..Default::default()
        },
        now(),
    )
    .unwrap()
    .client;
    public.policy.introspect = true;
    state.store.clients.create_client(&public).await.unwrap();
    let body = format!("token={access}&client_id={}", public.client_id);
    let anonymous = post_to(&state, "/oauth2/introspect", None, &body).await;
    assert_eq!(
        (anonymous.status, anonymous.error()),
        (403, "unauthorized_client")
    );
    let not_allowed = post_to(
        &state,
        "/oauth2/introspect",
        Some(auth(&client)),
        &format!("token={access}"),
    )
    .await;
    assert_eq!(
        (not_allowed.status, not_allowed.error()),
        (403, "unauthorized_client")
    );
    let wrong = post_to(
        &state,
        "/oauth2/introspect",
        Some((&rs.client.client_id, "wrong")),
        &format!("token={access}"),
    )
    .await;
    assert_eq!((wrong.status, wrong.error()), (401, "invalid_client"));
}

/// RFC 7662 §4: a resource server learns only about tokens meant for it (its audience) and its
/// own; another client's token reads as inactive, as if it did not exist.
#[tokio::test]
async fn introspection_is_limited_to_the_resource_servers_audience() {
    let (state, client, rs) = setup().await;
    let (access, _) = tokens(&state, &client).await;
    let elsewhere = register(
        &state.store,
        ClientSpec {
            workspace: "default".into(),
            name: "other api".into(),
            grant_types: vec!["client_credentials".into()],
            policy: ClientPolicy {
                introspect: true,
                serves: vec!["https://other-api.example".into()],
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await;
    assert_eq!(introspect(&state, &rs, &access).await["active"], true);
    assert_eq!(
        introspect(&state, &elsewhere, &access).await,
        json!({ "active": false })
    );
    let own = post(
        &state,
        Some(auth(&elsewhere)),
        "grant_type=client_credentials",
    )
    .await;
    let own = own.json["access_token"].as_str().unwrap().to_owned();
    let seen = introspect(&state, &elsewhere, &own).await;
    assert_eq!(
        seen["active"], true,
        "a client may introspect its own token"
    );
    assert_eq!(
        seen.get("aud"),
        None,
        "no audience registered, none claimed"
    );
    assert_eq!(
        introspect(&state, &rs, &own).await,
        json!({ "active": false })
    );
}

#[tokio::test]
async fn revocation() {
    let (state, client, rs) = setup().await;
    let (access, refresh) = tokens(&state, &client).await;
    let (other_access, _) = tokens(&state, &client).await;

    // Another client's attempt answers 200 and changes nothing.
    let (rs_access, _) = {
        let r = post(&state, Some(auth(&rs)), "grant_type=client_credentials").await;
        (r.json["access_token"].as_str().unwrap().to_owned(), ())
    };
    let foreign = post_to(
        &state,
        "/oauth2/revoke",
        Some(auth(&rs)),
        &format!("token={access}"),
    )
    .await;
    assert_eq!(foreign.status, 200);
    assert_eq!(introspect(&state, &rs, &access).await["active"], true);

    let unknown = post_to(
        &state,
        "/oauth2/revoke",
        Some(auth(&client)),
        "token=no-such-token",
    )
    .await;
    assert_eq!(unknown.status, 200);
    let unauthenticated = post_to(
        &state,
        "/oauth2/revoke",
        Some((&client.client.client_id, "x")),
        &format!("token={access}"),
    )
    .await;
    assert_eq!(unauthenticated.status, 401);
    assert_eq!(introspect(&state, &rs, &access).await["active"], true);

    // Revoking the refresh token takes its access token with it, and nothing else.
    let revoked = post_to(
        &state,
        "/oauth2/revoke",
        Some(auth(&client)),
        &format!("token={refresh}&token_type_hint=refresh_token"),
    )
    .await;
    assert_eq!(
        (revoked.status, revoked.header("cache-control")),
        (200, Some("no-store"))
    );
    assert_eq!(
        introspect(&state, &rs, &refresh).await,
        json!({ "active": false })
    );
    assert_eq!(
        introspect(&state, &rs, &access).await,
        json!({ "active": false })
    );
    assert_eq!(introspect(&state, &rs, &other_access).await["active"], true);
    assert_eq!(introspect(&state, &rs, &rs_access).await["active"], true);
    let refreshed = post(
        &state,
        Some(auth(&client)),
        &format!("grant_type=refresh_token&refresh_token={refresh}"),
    )
    .await;
    assert_eq!(refreshed.error(), "invalid_grant");

    // An access token alone.
    let gone = post_to(
        &state,
        "/oauth2/revoke",
        Some(auth(&client)),
        &format!("token={other_access}"),
    )
    .await;
    assert_eq!(gone.status, 200);
    assert_eq!(
        introspect(&state, &rs, &other_access).await,
        json!({ "active": false })
    );
}

#[tokio::test]
async fn metadata_is_served_without_dynamodb() {
    // A store whose DynamoDB is unreachable: any call would fail the request.
    let unreachable = DynamoStore::new(
        local_client("http://127.0.0.1:9"),
        TableNames::prefixed("none-"),
    );
    let mut settings = test_settings();
    settings.issuer = Some("https://auth.example".into());
    settings.scopes_supported = vec!["read".into(), "write".into()];
    let state = AppState::new(
        Stores::new(Arc::new(unreachable)),
        settings,
        Arc::new(SystemClock),
    );
    let get = call::get;
    let default = call::token(&state, get("/.well-known/oauth-authorization-server")).await;
    assert_eq!(default.status, 200, "{}", default.json);
    let m = &default.json;
    assert_eq!(m["issuer"], "https://auth.example");
    assert_eq!(m["token_endpoint"], "https://auth.example/oauth2/token");
    assert_eq!(
        m["authorization_endpoint"],
        "https://auth.example/oauth2/authorize"
    );
    assert_eq!(
        m["revocation_endpoint"],
        "https://auth.example/oauth2/revoke"
    );
    assert_eq!(
        m["introspection_endpoint"],
        "https://auth.example/oauth2/introspect"
    );
    assert_eq!(m["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(
        m["response_types_supported"],
        json!(["code", "token", "id_token", "id_token token"])
    );
    assert_eq!(
        m["scopes_supported"],
        json!(["openid", "profile", "email", "read", "write"]),
        "OpenID Connect's scopes, then the deployment's"
    );
    assert_eq!(m["authorization_response_iss_parameter_supported"], true);
    assert!(m["grant_types_supported"].as_array().unwrap().len() == 5);
    assert!(m["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("client_secret_basic")));

    let acme = call::token(&state, get("/.well-known/oauth-authorization-server/acme")).await;
    assert_eq!(acme.json["issuer"], "https://auth.example/acme");
    assert_eq!(
        acme.json["token_endpoint"],
        "https://auth.example/acme/oauth2/token"
    );
    let bad = call::token(
        &state,
        get("/.well-known/oauth-authorization-server/Not_A_Workspace"),
    )
    .await;
    assert_eq!(bad.status, 404);
}

/// API Gateway caches a verdict per header for `AuthorizerCacheSeconds`: an allow is given
/// only to a token that outlives the cache, so no cached allow outlives its token.
#[tokio::test]
async fn no_cached_allow_outlives_its_token() {
    let (mut state, client, _) = setup().await;
    let (access, _) = tokens(&state, &client).await;
    let event = call::authorizer_event(Some(&format!("Bearer {access}")));
    let record = state
        .store
        .tokens
        .token("default", &access)
        .await
        .unwrap()
        .unwrap()
        .token;
    let life = record.expires_at - now();
    state.settings.authorizer_cache_seconds = life - 10;
    assert!(
        authorize(&state, "default", &event)
            .await
            .unwrap()
            .is_authorized
    );
    state.settings.authorizer_cache_seconds = life + 5;
    let refused = authorize(&state, "default", &event).await.unwrap();
    assert!(!refused.is_authorized, "it would expire while cached");
}

#[tokio::test]
async fn authorizer_allows_active_access_tokens_only() {
    let (state, client, _) = setup().await;
    let (access, refresh) = tokens(&state, &client).await;
    let allowed = authorize(
        &state,
        "default",
        &call::authorizer_event(Some(&format!("Bearer {access}"))),
    )
    .await
    .unwrap();
    assert!(allowed.is_authorized);
    assert_eq!(allowed.context.client_id, client.client.client_id);
    assert_eq!(allowed.context.scope, "read");
    assert_eq!(allowed.context.username, "bob");
    assert!(!allowed.context.sub.is_empty());
    let wire = serde_json::to_value(&allowed).unwrap();
    assert_eq!(wire["isAuthorized"], true, "simple response shape: {wire}");
    assert_eq!(
        wire["context"]["client_id"],
        client.client.client_id.as_str()
    );

    let mut record = state
        .store
        .tokens
        .token("default", &access)
        .await
        .unwrap()
        .unwrap()
        .token;
    record.expires_at = now() - 1;
    let expired = token_value(&record);
    state
        .store
        .tokens
        .put_token(&expired, &record)
        .await
        .unwrap();
    let (revoked, _) = tokens(&state, &client).await;
    post_to(
        &state,
        "/oauth2/revoke",
        Some(auth(&client)),
        &format!("token={revoked}"),
    )
    .await;

    for (name, header, ws) in [
        (
            "expired, TTL not yet run",
            Some(format!("Bearer {expired}")),
            "default",
        ),
        ("revoked", Some(format!("Bearer {revoked}")), "default"),
        (
            "unknown",
            Some("Bearer no-such-token".to_string()),
            "default",
        ),
        (
            "a refresh token",
            Some(format!("Bearer {refresh}")),
            "default",
        ),
        (
            "another workspace",
            Some(format!("Bearer {access}")),
            "acme",
        ),
        ("not Bearer", Some(format!("Basic {access}")), "default"),
        ("no header", None, "default"),
    ] {
        let event = call::authorizer_event(header.as_deref());
        let denied = authorize(&state, ws, &event).await.unwrap();
        // AWS documents `isAuthorized: false` as 403 for HTTP APIs (an error would be a 500).
        let wire = serde_json::to_value(&denied).unwrap();
        assert_eq!(wire["isAuthorized"], false, "{name}");
    }
}
