//! End to end: the functions under `cargo lambda watch`, DynamoDB Local behind them, and the
//! `oauth2` crate as an independent client. Codes come from the storage layer until the
//! authorization endpoint issues them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod interop;
mod seeds;

use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, PkceCodeChallenge, RedirectUrl,
    RefreshToken, RequestTokenError, ResourceOwnerPassword, ResourceOwnerUsername, Scope,
    TokenResponse, TokenUrl,
};
use oauth_core::protocol::client::ClientPolicy;
use oauth_core::protocol::code_grant::CodeGrant;
use oauth_core::protocol::pkce::Method;
use oauth_core::protocol::scope::Scopes;
use oauth_core::service::admin::{ClientSpec, Registered};
use oauth_tests::*;
use std::time::Duration;

const CB: &str = "http://127.0.0.1:8080/callback";

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // The first request to each function waits for `cargo lambda watch` to build it.
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap()
}

async fn register_app(stack: &Stack, grants: &[&str]) -> Registered {
    register(
        &stack.store(),
        ClientSpec {
            workspace: "default".into(),
            name: "e2e".into(),
            redirect_uris: vec![CB.into()],
            grant_types: grants.iter().map(|g| g.to_string()).collect(),
            scope: Some("read write".into()),
            ..Default::default()
        },
    )
    .await
}

macro_rules! oauth_client {
    ($stack:expr, $r:expr, $auth:expr) => {
        BasicClient::new(ClientId::new($r.client.client_id.clone()))
            .set_client_secret(ClientSecret::new($r.client_secret.clone().unwrap()))
            .set_auth_uri(AuthUrl::new(format!("{}/oauth2/authorize", $stack.base_url)).unwrap())
            .set_token_uri(TokenUrl::new(format!("{}/oauth2/token", $stack.base_url)).unwrap())
            .set_redirect_uri(RedirectUrl::new(CB.into()).unwrap())
            .set_auth_type($auth)
    };
}

async fn issue_code(stack: &Stack, r: &Registered, challenge: &PkceCodeChallenge) -> String {
    store_code(
        &stack.store(),
        &CodeGrant {
            workspace: "default".into(),
            client_id: r.client.client_id.clone(),
            redirect_uri: Some(CB.into()),
            scope: Scopes::parse("read").unwrap(),
            username: "alice".into(),
            sub: "sub-alice".into(),
            challenge: Some((Method::S256, challenge.as_str().to_owned())),
            grant_id: oauth_core::crypto::new_secret(),
            expires_at: now() + 60,
            used: false,
            user_generation: 0,
            audience: vec![],
            nonce: None,
            auth_time: 0,
        },
    )
    .await
}

fn assert_invalid_grant<E: std::error::Error + 'static, T: std::fmt::Debug>(
    result: Result<T, RequestTokenError<E, oauth2::StandardErrorResponse<BasicErrorResponseType>>>,
) {
    match result {
        Err(RequestTokenError::ServerResponse(e)) => {
            assert_eq!(*e.error(), BasicErrorResponseType::InvalidGrant, "{e:?}")
        }
        other => panic!("expected invalid_grant, got {other:?}"),
    }
}

#[tokio::test]
async fn code_with_pkce_refresh_and_replays_basic_and_body_auth() {
    let stack = stack().await;
    let r = register_app(stack, &["authorization_code", "refresh_token"]).await;
    for auth in [AuthType::BasicAuth, AuthType::RequestBody] {
        let client = oauth_client!(stack, r, auth.clone());
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let code = issue_code(stack, &r, &challenge).await;
        let verifier_copy = oauth2::PkceCodeVerifier::new(verifier.secret().clone());
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.clone()))
            .set_pkce_verifier(verifier)
            .request_async(&http())
            .await
            .unwrap_or_else(|e| panic!("{auth:?}: {e:?}"));
        assert_eq!(tokens.scopes(), Some(&vec![Scope::new("read".into())]));
        let refresh = tokens.refresh_token().expect("refresh token").clone();

        let replay = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier_copy)
            .request_async(&http())
            .await;
        assert_invalid_grant(replay);

        // The replay revoked the grant, refresh token included.
        let revoked = client
            .exchange_refresh_token(&refresh)
            .request_async(&http())
            .await;
        assert_invalid_grant(revoked);

        // A fresh grant: refresh rotates; the old refresh token is then refused.
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let code = issue_code(stack, &r, &challenge).await;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .request_async(&http())
            .await
            .unwrap();
        let first = tokens.refresh_token().unwrap().clone();
        let rotated = client
            .exchange_refresh_token(&first)
            .request_async(&http())
            .await
            .unwrap();
        assert_ne!(rotated.refresh_token().unwrap().secret(), first.secret());
        let again = client
            .exchange_refresh_token(&RefreshToken::new(first.secret().clone()))
            .request_async(&http())
            .await;
        assert_invalid_grant(again);
    }
}

#[tokio::test]
async fn client_credentials_and_password() {
    let stack = stack().await;
    let r = register_app(stack, &["client_credentials", "password", "refresh_token"]).await;
    let client = oauth_client!(stack, r, AuthType::BasicAuth);
    let cc = client
        .exchange_client_credentials()
        .add_scope(Scope::new("write".into()))
        .request_async(&http())
        .await
        .unwrap();
    assert_eq!(cc.expires_in(), Some(Duration::from_secs(3600)));
    assert!(cc.refresh_token().is_none());

    add_user(&stack.store(), "default", "paula", "correct horse").await;
    let pw = client
        .exchange_password(
            &ResourceOwnerUsername::new("paula".into()),
            &ResourceOwnerPassword::new("correct horse".into()),
        )
        .request_async(&http())
        .await
        .unwrap();
    assert!(pw.refresh_token().is_some());
    let wrong = client
        .exchange_password(
            &ResourceOwnerUsername::new("paula".into()),
            &ResourceOwnerPassword::new("wrong horse".into()),
        )
        .request_async(&http())
        .await;
    assert_invalid_grant(wrong);
}

#[tokio::test]
async fn curl_style_requests_on_every_path() {
    let stack = stack().await;
    let r = register_app(stack, &["client_credentials"]).await;
    let (id, secret) = (r.client.client_id.clone(), r.client_secret.clone().unwrap());
    for path in [
        "/oauth2/token",
        "/api/v1/oauth/token",
        "/v1/oauth/token",
        "/default/oauth2/token",
    ] {
        let reply = http()
            .post(format!("{}{path}", stack.base_url))
            .basic_auth(&id, Some(&secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200, "{path}");
    }
    let wrong = http()
        .post(format!("{}/oauth2/token", stack.base_url))
        .basic_auth(&id, Some("wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let body: serde_json::Value = wrong.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
}

#[tokio::test]
async fn introspect_and_revoke_with_the_oauth2_crate() {
    use oauth2::{
        IntrospectionUrl, RevocationUrl, StandardRevocableToken, TokenIntrospectionResponse,
    };
    // RFC 7009 asks for TLS, and the oauth2 crate will not revoke over plain HTTP: this test
    // runs the stack with a self-signed certificate for 127.0.0.1 that its client trusts.
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let dir = repo_root().join("target/e2e-tls");
    std::fs::create_dir_all(&dir).unwrap();
    let tls = Tls {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&tls.cert, cert.cert.pem()).unwrap();
    std::fs::write(&tls.key, cert.signing_key.serialize_pem()).unwrap();
    let stack = start_stack(Some(&tls), &[]).await;
    let http = || {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(600))
            .add_root_certificate(
                reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap(),
            )
            .build()
            .unwrap()
    };
    let r = register(
        &stack.store(),
        ClientSpec {
            workspace: "default".into(),
            name: "resource server".into(),
            grant_types: vec!["client_credentials".into()],
            scope: Some("read".into()),
            policy: ClientPolicy {
                introspect: true,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await;
    let client = BasicClient::new(ClientId::new(r.client.client_id.clone()))
        .set_client_secret(ClientSecret::new(r.client_secret.clone().unwrap()))
        .set_token_uri(TokenUrl::new(format!("{}/oauth2/token", stack.base_url)).unwrap())
        .set_introspection_url(
            IntrospectionUrl::new(format!("{}/oauth2/introspect", stack.base_url)).unwrap(),
        )
        .set_revocation_url(
            RevocationUrl::new(format!("{}/oauth2/revoke", stack.base_url)).unwrap(),
        );
    let tokens = client
        .exchange_client_credentials()
        .request_async(&http())
        .await
        .unwrap();
    let active = client
        .introspect(tokens.access_token())
        .request_async(&http())
        .await
        .unwrap();
    assert!(active.active());
    assert_eq!(
        active.client_id().map(|c| c.as_str()),
        Some(r.client.client_id.as_str())
    );
    assert_eq!(active.scopes(), Some(&vec![Scope::new("read".into())]));
    client
        .revoke_token(StandardRevocableToken::AccessToken(
            tokens.access_token().clone(),
        ))
        .unwrap()
        .request_async(&http())
        .await
        .unwrap();
    let after = client
        .introspect(tokens.access_token())
        .request_async(&http())
        .await
        .unwrap();
    assert!(!after.active());

    let meta: serde_json::Value = http()
        .get(format!(
            "{}/.well-known/oauth-authorization-server",
            stack.base_url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(meta["issuer"], stack.base_url.as_str());
    assert_eq!(
        meta["introspection_endpoint"],
        format!("{}/oauth2/introspect", stack.base_url)
    );
}

#[tokio::test]
async fn nothing_secret_reaches_the_logs_even_at_trace() {
    use base64::{engine::general_purpose::STANDARD, Engine};
    // The Lambda runtime logs every raw event at TRACE; the functions must not let it through.
    let stack = start_stack(None, &[("AWS_LAMBDA_LOG_LEVEL", "TRACE")]).await;
    let r = register_app(&stack, &["client_credentials", "password", "refresh_token"]).await;
    let (id, secret) = (r.client.client_id.clone(), r.client_secret.clone().unwrap());
    add_user(&stack.store(), "default", "logan", "hunter2 secret").await;
    let url = format!("{}/oauth2/token", stack.base_url);
    // What the runtime would log: the bodies (base64 in the event) and the headers.
    let mut sent = Vec::new();
    let login = format!("grant_type=password&username=logan&password=hunter2+secret&client_id={id}&client_secret={secret}");
    sent.push(STANDARD.encode(&login));
    let send = |body: String, basic: bool| {
        let req = http()
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded");
        let req = if basic {
            req.basic_auth(&id, Some(&secret))
        } else {
            req
        };
        async move { req.body(body).send().await.unwrap() }
    };
    let tokens: serde_json::Value = send(login, false).await.json().await.unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let rotate = format!("grant_type=refresh_token&refresh_token={refresh}");
    sent.push(STANDARD.encode(&rotate));
    assert_eq!(send(rotate, true).await.status(), 200);
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let log = std::fs::read_to_string(&stack.log).unwrap();
    assert!(
        log.contains("token request"),
        "the functions' logs are there: {log}"
    );
    assert!(
        log.contains("TRACE") || log.contains("DEBUG"),
        "at a verbose level"
    );
    let basic = STANDARD.encode(format!("{id}:{secret}"));
    let mut secrets = vec![secret.clone(), access, refresh, "hunter2".into(), basic];
    secrets.extend(sent);
    for s in &secrets {
        assert!(!log.contains(s.as_str()), "a secret reached the log");
    }
}

/// RFC 7591 over HTTP: a team registers its client with an initial access token, then the
/// `oauth2` crate runs a code + PKCE flow with it through the real login and consent pages,
/// and the registration access token reads the registration back (RFC 7592).
#[tokio::test]
async fn a_self_registered_client_completes_a_code_flow_with_the_oauth2_crate() {
    use oauth_core::service::admin::{create_registration_token, RegistrationTokenSpec};
    let stack = stack().await;
    let store = stack.store();
    let spec = RegistrationTokenSpec {
        workspace: "default".into(),
        expires_in: 600,
        max_uses: Some(1),
        scope: "read write".into(),
    };
    let (initial, _) = create_registration_token(&*store.registrations, &spec, now())
        .await
        .unwrap();
    add_user(&store, "default", "dcr-user", "correct horse").await;
    let metadata = serde_json::json!({
        "client_name": "Self-registered",
        "redirect_uris": [CB],
        "grant_types": ["authorization_code", "refresh_token"],
        "scope": "read",
    });
    let url = format!("{}/oauth2/register", stack.base_url);
    let registered: serde_json::Value = {
        let resp = http()
            .post(&url)
            .bearer_auth(&initial)
            .json(&metadata)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        resp.json().await.unwrap()
    };
    let field = |n: &str| registered[n].as_str().unwrap().to_owned();

    let client = BasicClient::new(ClientId::new(field("client_id")))
        .set_client_secret(ClientSecret::new(field("client_secret")))
        .set_auth_uri(AuthUrl::new(format!("{}/oauth2/authorize", stack.base_url)).unwrap())
        .set_token_uri(TokenUrl::new(format!("{}/oauth2/token", stack.base_url)).unwrap())
        .set_redirect_uri(RedirectUrl::new(CB.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (authorize, csrf) = client
        .authorize_url(oauth2::CsrfToken::new_random)
        .add_scope(Scope::new("read".into()))
        .set_pkce_challenge(challenge)
        .url();
    let back = http_login::sign_in_and_allow(authorize.as_str(), "dcr-user", "correct horse").await;
    let q = browser::params_of(&back, '?');
    assert!(back.starts_with(CB), "{back}");
    assert_eq!(&q["state"], csrf.secret());
    let tokens = client
        .exchange_code(AuthorizationCode::new(q["code"].clone()))
        .set_pkce_verifier(verifier)
        .request_async(&http())
        .await
        .unwrap();
    assert_eq!(tokens.scopes(), Some(&vec![Scope::new("read".into())]));
    let refreshed = client
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .request_async(&http())
        .await
        .unwrap();
    assert!(!refreshed.access_token().secret().is_empty());

    let read = http()
        .get(field("registration_client_uri"))
        .bearer_auth(field("registration_access_token"))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let again = http()
        .post(&url)
        .bearer_auth(&initial)
        .json(&metadata)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 401, "the token had one use");
}

/// An error page a person can act on: plain words and a next step, and a short reference
/// that support finds in the function's log beside the technical detail, which the page
/// folds away.
#[tokio::test]
async fn an_error_page_gives_a_reference_that_is_in_the_log() {
    let stack = stack().await;
    let page = reqwest::get(format!(
        "{}/oauth2/authorize?response_type=code&client_id=nobody-here&state=s",
        stack.base_url
    ))
    .await
    .unwrap();
    assert_eq!(page.status(), 400);
    let body = page.text().await.unwrap();
    assert!(
        body.contains("<h1>This sign-in link does not work</h1>"),
        "{body}"
    );
    assert!(body.contains("<details>\n<summary>Details for developers</summary>"));
    let reference = body
        .split("<code class=\"reference\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("a reference on the page")
        .to_owned();
    assert!(
        reference.starts_with("ERR-") && reference.len() == 12,
        "{reference}"
    );
    // The log is written as the function answers; give it a moment to reach the file.
    let mut logged = String::new();
    for _ in 0..50 {
        logged = std::fs::read_to_string(&stack.log).unwrap();
        if logged.contains(&reference) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let line = logged
        .lines()
        .find(|l| l.contains(&reference))
        .unwrap_or_else(|| panic!("{reference} is not in the log"));
    assert!(
        line.contains("invalid_request") || line.contains("unauthorized_client"),
        "{line}"
    );
}
