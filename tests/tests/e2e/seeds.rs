//! Each seed API's documented requests, replayed against the running stack as the seed
//! documents them (paths, methods, where the parameters go) and checked against the answers
//! it documents. The README's seed sections list these statements, each with pass or the
//! reason we differ.

use super::http;
use oauth_core::crypto;
use oauth_core::protocol::client::ClientPolicy;
use oauth_core::protocol::user::User;
use oauth_core::service::admin::{self, ClientSpec, Credentials};
use oauth_core::store::Stores;
use oauth_tests::browser::params_of;
use oauth_tests::http_login::sign_in;
use oauth_tests::*;
use serde_json::Value;

async fn json_of(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// A user with the seed's own password (seed 001's `secret` is shorter than `oauth-admin`
/// allows, so the account is written directly).
async fn user(store: &Stores, workspace: &str, username: &str, password: &str) {
    let hash = crypto::hash_password(password, test_settings().pbkdf2_iterations);
    let u = User::new(workspace, username, &crypto::random_id(22), hash);
    store.users.create_user(&u, now()).await.unwrap();
}

/// A client with the id and secret a seed's documentation shows (or fresh ones).
async fn client(store: &Stores, spec: ClientSpec, id: &str, secret: Option<&str>) -> String {
    let credentials = Credentials {
        client_id: id.into(),
        secret: secret.map(Into::into),
    };
    let imported = admin::import_clients(&*store.clients, &[(spec, credentials)], now())
        .await
        .unwrap();
    let new = imported.into_iter().next().unwrap().new_secret;
    secret.map(str::to_owned).or(new).unwrap()
}

fn spec(workspace: &str, uris: &[&str], grants: &[&str], policy: ClientPolicy) -> ClientSpec {
    ClientSpec {
        workspace: workspace.into(),
        name: "Seed client".into(),
        redirect_uris: uris.iter().map(|u| u.to_string()).collect(),
        grant_types: grants.iter().map(|g| g.to_string()).collect(),
        scope: Some("read write".into()),
        public: false,
        policy,
        owner: None,
    }
}

/// Seed 000 (Flosum Global Settings, `/api/v1/oauth`).
#[tokio::test]
async fn seed_000_statements() {
    let stack = stack().await;
    let (store, base) = (stack.store(), stack.base_url.as_str());
    let cb = "https://flosum-client.example/callback";
    // Its clients send no PKCE and may keep their first refresh token.
    let policy = ClientPolicy {
        keep_refresh_token: true,
        ..Default::default()
    };
    let grants = ["authorization_code", "refresh_token"];
    let secret = client(
        &store,
        spec("default", &[cb], &grants, policy),
        "flosum-app",
        None,
    )
    .await;
    user(&store, "default", "flosum-user", "correct horse").await;

    // 000.1: the authorize URL as documented; the redirect carries code and state, and its
    // body is AuthorizeResponseDto {url, status}.
    let url = format!(
        "{base}/api/v1/oauth/authorize?client_id=flosum-app&response_type=code&redirect_uri={cb}&state=st-000"
    );
    let back = sign_in(&url, "flosum-user", "correct horse").await;
    let q = params_of(&back.location, '?');
    assert!(
        back.location.starts_with(cb) && q["state"] == "st-000",
        "{}",
        back.location
    );
    let dto: Value = serde_json::from_str(&back.body).unwrap();
    assert_eq!(
        (dto["url"].as_str(), dto["status"].as_u64()),
        (Some(back.location.as_str()), Some(back.status.into()))
    );

    // 000.2: a 400 is ValidationExceptionDto {message[], error, statusCode}.
    let bad = format!("{base}/api/v1/oauth/authorize?client_id=nobody&response_type=code&redirect_uri={cb}&state=s");
    let (status, dto) = json_of(http().get(bad).send().await.unwrap()).await;
    assert_eq!((status, dto["statusCode"].as_u64()), (400, Some(400)));
    assert!(
        dto["message"].is_array() && dto["error"].is_string(),
        "{dto}"
    );

    // 000.3: its query-string example is refused (RFC 6749 §2.3.1), saying where to send them.
    let token_url = format!("{base}/api/v1/oauth/token");
    let in_query = format!(
        "{token_url}?grant_type=authorization_code&code={}&redirect_uri={cb}&client_id=flosum-app&client_secret={secret}",
        q["code"]
    );
    let (status, dto) = json_of(http().post(in_query).send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert!(
        dto["message"][0].as_str().unwrap().contains("request body"),
        "{dto}"
    );
    assert_eq!(
        (dto["statusCode"].as_u64(), dto["error"].as_str()),
        (Some(400), Some("invalid_request")),
        "ValidationExceptionDto: {dto}"
    );

    // 000.4: OAuthTokenBodyDto as a form body, without a Content-Type as its clients send it;
    // TokenResponseDto's four required fields.
    let body = format!(
        "grant_type=authorization_code&code={}&redirect_uri={cb}&client_id=flosum-app&client_secret={secret}",
        q["code"]
    );
    let (status, tokens) = json_of(http().post(&token_url).body(body).send().await.unwrap()).await;
    assert_eq!(status, 200, "{tokens}");
    for field in ["access_token", "token_type", "refresh_token"] {
        assert!(tokens[field].is_string(), "{field}: {tokens}");
    }
    assert!(tokens["expires_in"].is_number());

    // 000.5: refresh as documented (redirect_uri included), twice with the same refresh token.
    let refresh = tokens["refresh_token"].as_str().unwrap();
    for _ in 0..2 {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("redirect_uri", cb),
            ("client_id", "flosum-app"),
            ("client_secret", &secret),
        ];
        let (status, again) =
            json_of(http().post(&token_url).form(&form).send().await.unwrap()).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!(
            again["refresh_token"].as_str(),
            Some(refresh),
            "rotation off: the same token"
        );
    }
}

/// Seed 001 (`/{workspace}/oauth2/…`), with the client id and secret of its examples'
/// Authorization header.
#[tokio::test]
async fn seed_001_statements() {
    let stack = stack().await;
    let (store, base) = (stack.store(), stack.base_url.as_str());
    let basic = "Basic eC1wbS1sb2NhbC1jbGllbnQ6MTc5YWQ0NWM2Y2UyY2I5N2NmMTAyOWUyMTIwNDZlODE=";
    let grants = [
        "authorization_code",
        "implicit",
        "password",
        "client_credentials",
        "refresh_token",
    ];
    let cb = "https://pm-client.example/callback";
    let spec = spec("seed001", &[cb], &grants, ClientPolicy::default());
    client(
        &store,
        spec,
        "x-pm-local-client",
        Some("179ad45c6ce2cb97cf1029e212046e81"),
    )
    .await;
    user(&store, "seed001", "bob", "secret").await;
    let token_url = format!("{base}/seed001/oauth2/token");
    let post = |url: String, body: String| {
        http()
            .post(url)
            .header("authorization", basic)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };

    // 001.1: the application registration page (a developer signs in there; the browser test
    // registers an application on it).
    let apps = http()
        .get(format!("{base}/seed001/oauth2/apps"))
        .send()
        .await
        .unwrap();
    assert_eq!(apps.status(), 200);
    let page = apps.text().await.unwrap();
    assert!(
        page.contains("Sign in") && page.contains("the applications of seed001"),
        "{page}"
    );

    // 001.2: the authorization request as documented (no redirect_uri, state or PKCE).
    let url = format!(
        "{base}/seed001/oauth2/authorize?response_type=code&client_id=x-pm-local-client&scope=*"
    );
    let back = sign_in(&url, "bob", "secret").await;
    let code = params_of(&back.location, '?')["code"].clone();
    assert!(back.location.starts_with(cb), "{}", back.location);

    // 001.3: the exchange with `grant_type=code` and its Basic header.
    let (status, tokens) = json_of(
        post(token_url.clone(), format!("grant_type=code&code={code}"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(
        tokens["scope"], "read write",
        "scope=* is every scope of the client"
    );

    // 001.4: implicit; the token comes in the fragment (consent was given above).
    let implicit = format!(
        "{base}/seed001/oauth2/authorize?response_type=token&client_id=x-pm-local-client&scope=*"
    );
    let back = sign_in(&implicit, "bob", "secret").await;
    assert!(
        params_of(&back.location, '#').contains_key("access_token"),
        "{}",
        back.location
    );

    // 001.5: password, bob / secret, scope=*.
    let pw = "grant_type=password&username=bob&password=secret&scope=*".to_owned();
    let (status, pw_tokens) = json_of(post(token_url.clone(), pw).await.unwrap()).await;
    assert_eq!(status, 200, "{pw_tokens}");

    // 001.6: client credentials at `/{workspace}/oauth/2/token`.
    let cc_url = format!("{base}/seed001/oauth/2/token");
    let (status, cc) = json_of(
        post(cc_url, "grant_type=client_credentials".into())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{cc}");
    assert!(
        cc.get("refresh_token").is_none(),
        "none for client credentials (RFC 6749 §4.4.3)"
    );

    // 001.7: refresh with the Basic header.
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let body = format!("grant_type=refresh_token&refresh_token={refresh}");
    let (status, refreshed) = json_of(post(token_url, body).await.unwrap()).await;
    assert_eq!(status, 200, "{refreshed}");
}

/// Seed 002 (DottedSign, `/v1/oauth`).
#[tokio::test]
async fn seed_002_statements() {
    let stack = stack().await;
    let (store, base) = (stack.store(), stack.base_url.as_str());
    let (cb, other) = (
        "https://dotted-client.example/cb",
        "https://dotted-client.example/cb2",
    );
    let grants = ["authorization_code", "refresh_token"];
    let spec = spec("default", &[cb, other], &grants, ClientPolicy::default());
    let secret = client(&store, spec, "dotted-app", None).await;
    user(&store, "default", "dotted-user", "correct horse").await;

    // 002.1: with several redirect URIs registered, the request must select one.
    let unnamed = format!("{base}/v1/oauth/authorize?client_id=dotted-app&response_type=code");
    let resp = http().get(&unnamed).send().await.unwrap();
    assert_eq!(resp.status(), 400, "an error page, never a redirect");

    // 002.1-2: the authorization request, and the code at the selected redirect_uri.
    let url = format!("{unnamed}&redirect_uri={cb}");
    let back = sign_in(&url, "dotted-user", "correct horse").await;
    assert!(
        back.location.starts_with(&format!("{cb}?code=")),
        "{}",
        back.location
    );
    let code = params_of(&back.location, '?')["code"].clone();

    // 002.3: the token request's redirect_uri must be the one the request selected: the
    // other registered URI is invalid_grant (and leaves the code usable).
    let token_url = format!("{base}/v1/oauth/token");
    let mismatched = [
        ("client_id", "dotted-app"),
        ("client_secret", secret.as_str()),
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", other),
    ];
    let (status, refused) = json_of(
        http()
            .post(&token_url)
            .form(&mismatched)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (400, Some("invalid_grant")),
        "{refused}"
    );

    // 002.3: the exchange with every parameter in the body.
    let form = [
        ("client_id", "dotted-app"),
        ("client_secret", secret.as_str()),
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", cb),
    ];
    let (status, tokens) = json_of(http().post(&token_url).form(&form).send().await.unwrap()).await;
    assert_eq!(status, 200, "{tokens}");

    // 002.4: refresh with the client's id and secret in the body.
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let form = [
        ("client_id", "dotted-app"),
        ("client_secret", secret.as_str()),
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh),
    ];
    let (status, refreshed) =
        json_of(http().post(&token_url).form(&form).send().await.unwrap()).await;
    assert_eq!(status, 200, "{refreshed}");
    assert!(refreshed["access_token"].is_string());
}
