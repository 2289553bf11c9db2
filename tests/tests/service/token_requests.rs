//! The token endpoint's requests and responses (RFC 6749 §2.3, §3.2, §5), through the
//! function's real handler on the in-memory store: client authentication, workspaces, seed
//! aliases, scopes, grants a client may not use, and bad input that writes nothing.

use oauth_core::protocol::client::ClientPolicy;
use oauth_core::service::admin::ClientSpec;
use oauth_core::AppState;
use oauth_tests::call::{self, basic, form_post, post};
use oauth_tests::fixtures::*;
use oauth_tests::*;

async fn confidential(state: &AppState, grants: &[&str]) -> (String, String) {
    let r = register(&state.store, spec(grants)).await;
    (r.client.client_id, r.client_secret.unwrap())
}

#[tokio::test]
async fn client_credentials_response_is_rfc6749_5_1() {
    let state = memory_state();
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
    assert!(
        !obj.contains_key("refresh_token"),
        "§5.1: absent when none is issued, never null"
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
}

#[tokio::test]
async fn client_authentication_methods() {
    let (state, mem) = memory();
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
    let members: Vec<&String> = wrong_basic.json.as_object().unwrap().keys().collect();
    assert_eq!(
        members,
        ["error", "error_description"],
        "RFC 6749 §5.2 alone off seed 000's path"
    );

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
    assert!(
        wrong_post
            .header("www-authenticate")
            .is_some_and(|h| h.starts_with("Basic")),
        "every 401 names the scheme to use (RFC 9110 §11.6.1)"
    );

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
        mem.item_count(),
        3,
        "the client, and a token for each of the two successful requests"
    );
}

#[tokio::test]
async fn a_client_of_workspace_a_does_not_exist_in_workspace_b() {
    let state = memory_state();
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
    let state = memory_state();
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
    let state = memory_state();
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
    let state = memory_state();
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
    let (state, mem) = memory();
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
        assert!(
            !r.json["error_description"].as_str().unwrap().is_empty(),
            "{name}"
        );
        if name == "GET" {
            assert_eq!(r.header("allow"), Some("POST"));
        }
    }
    assert_eq!(mem.item_count(), 1, "the client, and nothing else");
}

/// Seed 000's clients send no `Content-Type` and its documentation puts every parameter in
/// the query: the first is read as a form (RFC 9110 §8.3), the second refused with a
/// description that says where the parameters go; JSON stays refused, clearly.
#[tokio::test]
async fn bodies_as_the_seeds_clients_send_them() {
    let state = memory_state();
    let (id, secret) = confidential(&state, &["client_credentials"]).await;
    let auth = basic(&id, &secret);
    let request = |path: &str, ctype: Option<&str>, body: &str| {
        let mut b = lambda_http::http::Request::builder()
            .method("POST")
            .uri(path)
            .header("authorization", auth.as_str());
        if let Some(ctype) = ctype {
            b = b.header("content-type", ctype);
        }
        b.body(lambda_http::Body::Text(body.to_owned())).unwrap()
    };
    let r = call::token(
        &state,
        request("/oauth2/token", None, "grant_type=client_credentials"),
    )
    .await;
    assert_eq!(r.status, 200, "no Content-Type: {}", r.json);
    assert!(!r.field("access_token").is_empty());

    let json = request(
        "/oauth2/token",
        Some("application/json"),
        r#"{"grant_type":"client_credentials"}"#,
    );
    let r = call::token(&state, json).await;
    assert_eq!((r.status, r.error()), (415, "invalid_request"));
    assert!(r
        .field("error_description")
        .contains("application/x-www-form-urlencoded"));

    for query in [
        format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
        "grant_type=client_credentials".to_owned(),
    ] {
        let r = call::token(&state, request(&format!("/oauth2/token?{query}"), None, "")).await;
        assert_eq!((r.status, r.error()), (400, "invalid_request"), "{query}");
        let description = r.field("error_description");
        assert!(description.contains("in the request body"), "{description}");
        assert!(!description.contains(&secret));
    }
}

#[tokio::test]
async fn per_client_access_token_lifetime() {
    let state = memory_state();
    let r = register(
        &state.store,
        ClientSpec {
            policy: ClientPolicy {
                access_token_ttl: Some(120),
                ..Default::default()
            },
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
