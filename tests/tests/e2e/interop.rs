//! Independent client libraries, none written by us, against the running stack: authlib and
//! requests-oauthlib (Python, `tests/interop/python`), openid-client and simple-oauth2 (Node,
//! `tests/interop/node`), each as its users call it, through discovery, code + PKCE (basic,
//! post, public), refresh, client credentials, password, revocation, introspection and their
//! errors. `infra/local/install-tools.sh` installs them (git-ignored).

use super::http;
use super::CB;
use oauth_core::protocol::client::{ClientPolicy, TokenFormat};
use oauth_core::service::admin::{self, ClientSpec, UserAction};
use oauth_tests::*;
use serde_json::json;
use std::process::Command;

/// The resource the relying party's JWT access tokens are for.
const API: &str = "https://api.example";
/// Where the relying party's logout returns.
const BYE: &str = "https://app.example/signed-out";

/// The clients and user one library run works with, as the scripts read them.
async fn setup(tag: &str) -> serde_json::Value {
    let stack = stack().await;
    let store = stack.store();
    let spec = |public: bool, grants: &[&str], introspect: bool| ClientSpec {
        workspace: "default".into(),
        name: format!("interop {tag}"),
        redirect_uris: vec![CB.into()],
        grant_types: grants.iter().map(|g| g.to_string()).collect(),
        scope: Some("read write".into()),
        public,
        policy: ClientPolicy {
            introspect,
            require_pkce: true,
            ..Default::default()
        },
        owner: None,
    };
    let all = [
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "password",
    ];
    let conf = register(&store, spec(false, &all, true)).await;
    let public = register(
        &store,
        spec(true, &["authorization_code", "refresh_token"], false),
    )
    .await;
    let other = register(&store, spec(false, &["client_credentials"], false)).await;
    // A relying party (OpenID Connect) whose access tokens are JWTs for the API.
    let mut rp = spec(
        false,
        &["authorization_code", "refresh_token", "client_credentials"],
        false,
    );
    rp.scope = Some("openid profile email read".into());
    rp.policy.access_token_format = TokenFormat::Jwt;
    rp.policy.resources = vec![API.into()];
    rp.policy.post_logout_redirect_uris = vec![BYE.into()];
    let rp = register(&store, rp).await;
    let username = format!("interop-{tag}");
    add_user(&store, "default", &username, "correct horse battery").await;
    let profile = UserAction::UpdateProfile {
        name: Some(format!("Interop {tag}")),
        email: Some(format!("{username}@example.com")),
        email_verified: Some(true),
    };
    let iterations = test_settings().pbkdf2_iterations;
    admin::change_user(&*store.users, iterations, ("default", &username), &profile)
        .await
        .unwrap();
    // A JWT minted before a key rotation, which must still verify after it.
    let before = http()
        .post(format!("{}/oauth2/token", stack.base_url))
        .basic_auth(&rp.client.client_id, rp.client_secret.as_deref())
        .form(&[("grant_type", "client_credentials"), ("resource", API)])
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    stack.rotate(oauth_core::jose::Alg::RS256).await;
    let creds = |r: &oauth_core::service::admin::Registered| json!({"id": r.client.client_id, "secret": r.client_secret});
    json!({
        "base_url": stack.base_url,
        "issuer": stack.base_url,
        "redirect_uri": CB,
        "user": {"username": username, "password": "correct horse battery"},
        "confidential": creds(&conf),
        "public": {"id": public.client.client_id},
        "no_introspect": creds(&other),
        "oidc": creds(&rp),
        "profile": {"name": format!("Interop {tag}"), "email": format!("{username}@example.com")},
        "api": API,
        "post_logout_redirect_uri": BYE,
        "jwt_before_rotation": before["access_token"],
    })
}

fn run(mut cmd: Command, config: &serde_json::Value) {
    let out = cmd
        .env("INTEROP", config.to_string())
        .output()
        .expect("the interpreter runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success() && stdout.contains("PASS"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn python_libraries_authlib_and_requests_oauthlib() {
    let config = setup("python").await;
    let root = local_stack::repo_root();
    let mut cmd = Command::new(root.join(".local/venv/bin/python"));
    cmd.arg(root.join("tests/interop/python/interop.py"));
    run(cmd, &config);
}

#[tokio::test]
async fn node_libraries_openid_client_and_simple_oauth2() {
    let config = setup("node").await;
    let root = local_stack::repo_root();
    let mut cmd = Command::new("node");
    cmd.arg(root.join("tests/interop/node/interop.mjs"));
    run(cmd, &config);
}
