//! OpenID Connect's endpoints on the token function: Discovery (one document with RFC 8414's)
//! and UserInfo (Core §5.3, RFC 6750's errors), through the real handler.

use lambda_http::Body;
use oauth_core::protocol::client::TokenFormat;
use oauth_core::service::admin::{self, Registered, UserAction};
use oauth_core::AppState;
use oauth_tests::call::{post, token, Reply};
use oauth_tests::fixtures::*;
use oauth_tests::signing::with_keys;
use oauth_tests::*;

async fn get(state: &AppState, path: &str, auth: Option<&str>) -> Reply {
    let mut req = lambda_http::http::Request::builder()
        .method("GET")
        .uri(path);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    token(state, req.body(Body::Empty).unwrap()).await
}

#[tokio::test]
async fn discovery_is_the_rfc_8414_document_at_the_openid_path_of_each_issuer() {
    let mut state = memory_state();
    state.settings.issuer = Some("https://id.example".into());
    for (oidc, rfc8414, issuer) in [
        (
            "/.well-known/openid-configuration",
            "/.well-known/oauth-authorization-server",
            "https://id.example",
        ),
        (
            "/acme/.well-known/openid-configuration",
            "/.well-known/oauth-authorization-server/acme",
            "https://id.example/acme",
        ),
    ] {
        let doc = get(&state, oidc, None).await;
        assert_eq!(doc.status, 200);
        assert_eq!(
            doc.json,
            get(&state, rfc8414, None).await.json,
            "one document"
        );
        // Discovery §4.3: the issuer is the URL the document was fetched under.
        assert_eq!(doc.json["issuer"], issuer);
        assert_eq!(
            doc.json["userinfo_endpoint"],
            format!("{issuer}/oauth2/userinfo")
        );
        assert_eq!(
            doc.json["jwks_uri"],
            format!("{issuer}/.well-known/jwks.json")
        );
        assert_eq!(doc.json["subject_types_supported"][0], "public");
        let algs = &doc.json["id_token_signing_alg_values_supported"];
        assert!(
            algs[0] == "RS256" && algs[1] == "ES256",
            "RS256 is required: {algs}"
        );
        assert!(doc.json["scopes_supported"]
            .as_array()
            .unwrap()
            .contains(&"openid".into()));
    }
}

/// Alice, with her name, and her (verified) email when given.
async fn alice_with(state: &AppState, email: Option<&str>) {
    add_user(&state.store, "default", "alice", "correct horse").await;
    let profile = UserAction::UpdateProfile {
        name: Some("Alice Liddell".into()),
        email: email.map(str::to_owned),
        email_verified: email.map(|_| true),
    };
    let iterations = test_settings().pbkdf2_iterations;
    admin::change_user(
        &*state.store.users,
        iterations,
        ("default", "alice"),
        &profile,
    )
    .await
    .unwrap();
}

struct World {
    state: AppState,
    app: Registered,
}

async fn world(format: TokenFormat) -> World {
    let state = with_keys(memory_state()).await;
    let mut s = spec(&["password", "client_credentials"]);
    s.scope = Some("openid profile email read".into());
    s.policy.access_token_format = format;
    s.policy.resources = vec!["https://api.example".into()];
    let app = register(&state.store, s).await;
    alice_with(&state, Some("alice@example.com")).await;
    World { state, app }
}

async fn access_token(w: &World, scope: &str) -> String {
    let body = format!("grant_type=password&username=alice&password=correct+horse&scope={scope}");
    let r = post(&w.state, Some(creds(&w.app)), &body).await;
    assert_eq!(r.status, 200, "{}", r.json);
    r.field("access_token")
}

#[tokio::test]
async fn userinfo_releases_the_claims_of_the_tokens_scopes() {
    for format in [TokenFormat::Opaque, TokenFormat::Jwt] {
        let w = world(format).await;
        let all = access_token(&w, "openid+profile+email").await;
        let r = get(&w.state, "/oauth2/userinfo", Some(&format!("Bearer {all}"))).await;
        assert_eq!(r.status, 200, "{:?}: {}", format, r.json);
        assert_eq!(r.json["name"], "Alice Liddell");
        assert_eq!(r.json["preferred_username"], "alice");
        assert_eq!(r.json["email"], "alice@example.com");
        assert_eq!(r.json["email_verified"], true);
        assert!(r.json["sub"].is_string());
        let only = access_token(&w, "openid").await;
        let r = get(
            &w.state,
            "/oauth2/userinfo",
            Some(&format!("Bearer {only}")),
        )
        .await;
        let keys: Vec<&String> = r.json.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["sub"], "openid alone releases sub alone");
        // RFC 6750 §2.2: the token in a POST form body.
        let req =
            oauth_tests::call::form_post("/oauth2/userinfo", None, &format!("access_token={all}"));
        let r = token(&w.state, req).await;
        assert_eq!(r.json["email"], "alice@example.com");
    }
}

#[tokio::test]
async fn userinfo_refusals_are_rfc_6750s() {
    let w = world(TokenFormat::Opaque).await;
    let none = get(&w.state, "/oauth2/userinfo", None).await;
    assert_eq!(none.status, 401);
    assert_eq!(
        none.header("www-authenticate"),
        Some("Bearer realm=\"oauth\"")
    );
    let basic = get(&w.state, "/oauth2/userinfo", Some("Basic YTpi")).await;
    assert_eq!(basic.status, 401, "another scheme carries no bearer token");
    assert_eq!(
        basic.header("www-authenticate"),
        Some("Bearer realm=\"oauth\"")
    );
    let bad = get(&w.state, "/oauth2/userinfo", Some("Bearer not-a-token")).await;
    assert_eq!((bad.status, bad.error()), (401, "invalid_token"));
    assert!(bad
        .header("www-authenticate")
        .unwrap()
        .contains("error=\"invalid_token\""));
    let both = oauth_tests::call::form_post(
        "/oauth2/userinfo",
        Some(&format!("Bearer {}", access_token(&w, "openid").await)),
        "access_token=x",
    );
    let r = token(&w.state, both).await;
    assert_eq!(
        (r.status, r.error()),
        (400, "invalid_request"),
        "one way only"
    );
    // A token narrowed to another resource (RFC 8707) is that resource's.
    let body = "grant_type=password&username=alice&password=correct+horse&scope=openid&resource=https%3A%2F%2Fapi.example";
    let narrowed = post(&w.state, Some(creds(&w.app)), body)
        .await
        .field("access_token");
    let r = get(
        &w.state,
        "/oauth2/userinfo",
        Some(&format!("Bearer {narrowed}")),
    )
    .await;
    assert_eq!(
        (r.status, r.error()),
        (401, "invalid_token"),
        "for the API, not for UserInfo"
    );
    let read = access_token(&w, "read").await;
    let r = get(
        &w.state,
        "/oauth2/userinfo",
        Some(&format!("Bearer {read}")),
    )
    .await;
    assert_eq!((r.status, r.error()), (403, "insufficient_scope"));
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("insufficient_scope"));
    // A client's own token has no user.
    let cc = post(
        &w.state,
        Some(creds(&w.app)),
        "grant_type=client_credentials&scope=openid",
    )
    .await;
    let r = get(
        &w.state,
        "/oauth2/userinfo",
        Some(&format!("Bearer {}", cc.field("access_token"))),
    )
    .await;
    assert_eq!(r.status, 403);
    // A user deleted since: the token is over.
    let all = access_token(&w, "openid").await;
    let iterations = test_settings().pbkdf2_iterations;
    admin::change_user(
        &*w.state.store.users,
        iterations,
        ("default", "alice"),
        &UserAction::Delete,
    )
    .await
    .unwrap();
    let r = get(&w.state, "/oauth2/userinfo", Some(&format!("Bearer {all}"))).await;
    assert_eq!((r.status, r.error()), (401, "invalid_token"));
}

/// OpenID Connect's implicit responses (Core §3.2), for a client registered for implicit:
/// `id_token` (the user's claims in it, as no access token can fetch them) and
/// `id_token token` (with `at_hash`), both requiring `openid` and a `nonce`.
#[tokio::test]
async fn implicit_id_token_responses() {
    use oauth_core::protocol::jwt::half_hash;
    use oauth_tests::browser::*;
    use oauth_tests::signing::{published, verified};
    let mut state = with_keys(memory_state()).await;
    state.settings.issuer = Some(ISSUER.into());
    let app = web_app(&state, |s| {
        s.grant_types = vec!["implicit".into()];
        s.scope = Some("openid profile read".into());
        s.policy.first_party = true;
    })
    .await;
    alice_with(&state, None).await;
    let id = &app.client.client_id;
    let url = |rt: &str, extra: &str| {
        format!("/oauth2/authorize?response_type={rt}&client_id={id}&state=xyz&redirect_uri={CB}{extra}")
    };
    let mut b = Browser::default();
    let first = url("id_token", "&scope=openid+profile&nonce=n-1");
    let login = b.get(&state, &first).await;
    log_in(&mut b, &state, &first, &login, "correct+horse").await;
    let jwks = published(&state).await;

    let back = b.get(&state, &first).await;
    assert_eq!(back.status, 302, "{}", back.body);
    let f = params_of(back.location(), '#');
    assert!(!f.contains_key("access_token"), "id_token alone");
    let (_, claims) = verified(&f["id_token"], &jwks);
    assert_eq!(
        (claims["nonce"].as_str(), claims["aud"].as_str()),
        (Some("n-1"), Some(id.as_str()))
    );
    assert_eq!(
        claims["name"], "Alice Liddell",
        "the claims are in the ID token"
    );
    assert!(claims.get("at_hash").is_none());

    let back = b
        .get(
            &state,
            &url("id_token+token", "&scope=openid+profile&nonce=n-2"),
        )
        .await;
    let f = params_of(back.location(), '#');
    let (_, claims) = verified(&f["id_token"], &jwks);
    assert_eq!(claims["at_hash"], half_hash(&f["access_token"]));
    assert_eq!(claims["nonce"], "n-2");
    assert!(
        claims.get("name").is_none(),
        "UserInfo gives them, with the access token"
    );

    for (extra, why) in [
        ("&scope=openid", "no nonce"),
        ("&scope=read&nonce=n", "no openid"),
    ] {
        let back = b.get(&state, &url("id_token", extra)).await;
        let f = params_of(back.location(), '#');
        assert_eq!(f["error"], "invalid_request", "{why}");
        assert!(!f.contains_key("id_token"));
    }
}
