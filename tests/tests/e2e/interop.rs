//! Independent client libraries, none written by us, against the running stack: authlib and
//! requests-oauthlib (Python, `tests/interop/python`), openid-client and simple-oauth2 (Node,
//! `tests/interop/node`), each as its users call it, through discovery, code + PKCE (basic,
//! post, public), refresh, client credentials, password, revocation, introspection and their
//! errors. `infra/local/install-tools.sh` installs them (git-ignored).

use super::CB;
use oauth_core::protocol::client::ClientPolicy;
use oauth_core::service::admin::ClientSpec;
use oauth_tests::*;
use serde_json::json;
use std::process::Command;

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
    let username = format!("interop-{tag}");
    add_user(&store, "default", &username, "correct horse battery").await;
    let creds = |r: &oauth_core::service::admin::Registered| json!({"id": r.client.client_id, "secret": r.client_secret});
    json!({
        "base_url": stack.base_url,
        "issuer": stack.base_url,
        "redirect_uri": CB,
        "user": {"username": username, "password": "correct horse battery"},
        "confidential": creds(&conf),
        "public": {"id": public.client.client_id},
        "no_introspect": creds(&other),
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
