//! The functions running under `cargo lambda watch` on a free port, against DynamoDB Local
//! with tables of their own: the local stack of `make dev`, started once per test process.

use crate::{fresh_dynamo, test_settings};
use local_stack::{
    dynamodb_local, free_port, local_client, local_env, repo_root, wait_for_port, Background,
};
use oauth_core::store::dynamo::schema::TableNames;
use oauth_core::store::dynamo::DynamoStore;
use oauth_core::store::Stores;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

pub struct Stack {
    pub base_url: String,
    /// Where `cargo lambda watch` and the functions write their output.
    pub log: PathBuf,
    tables: TableNames,
    _watch: Background,
}

impl Stack {
    /// The stack's tables, through a client of the caller's own: an SDK client keeps its
    /// connections on the runtime that opened them, and each test has a runtime of its own.
    pub fn store(&self) -> Stores {
        let client = local_client(&dynamodb_local().endpoint());
        Stores::new(Arc::new(DynamoStore::new(client, self.tables.clone())))
    }
}

pub fn cargo_lambda() -> PathBuf {
    let bin = repo_root().join(".local/venv/bin/cargo-lambda");
    assert!(
        bin.exists(),
        "cargo-lambda is not installed: run `make test` (or infra/local/install-tools.sh)"
    );
    bin
}

/// A certificate and key (PEM files) that `cargo lambda watch` serves TLS with.
pub struct Tls {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Starts (once) and returns the local stack over plain HTTP, as `make dev` runs it.
pub async fn stack() -> &'static Stack {
    static STACK: tokio::sync::OnceCell<Stack> = tokio::sync::OnceCell::const_new();
    STACK.get_or_init(|| start_stack(None, &[])).await
}

/// Starts the local stack (serving HTTPS with `tls`), with `env` for the functions.
pub async fn start_stack(tls: Option<&Tls>, env: &[(&str, &str)]) -> Stack {
    let dynamo = fresh_dynamo().await;
    let port = free_port();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let mut cmd = Command::new(cargo_lambda());
    cmd.current_dir(repo_root())
        .args([
            "lambda",
            "watch",
            "--disable-cors",
            "--ignore-changes",
            "-A",
            "127.0.0.1",
            "-P",
        ])
        .arg(port.to_string());
    if let Some(tls) = tls {
        cmd.arg("--tls-cert")
            .arg(&tls.cert)
            .arg("--tls-key")
            .arg(&tls.key);
    }
    cmd.envs(local_env(&dynamodb_local().endpoint(), dynamo.tables()))
        .env("ISSUER", format!("{scheme}://127.0.0.1:{port}"))
        .env(
            "PBKDF2_ITERATIONS",
            test_settings().pbkdf2_iterations.to_string(),
        )
        .env("CLIENT_CACHE_SECONDS", "0")
        .envs(env.iter().copied());
    let log = repo_root().join(format!("target/cargo-lambda-watch-{port}.log"));
    let watch = Background::start(cmd, &log);
    wait_for_port(port, Duration::from_secs(120));
    let base_url = format!("{scheme}://127.0.0.1:{port}");
    warm_up(&base_url, tls).await;
    Stack {
        base_url,
        log,
        tables: dynamo.tables().clone(),
        _watch: watch,
    }
}

/// Waits until the token function answers: `cargo lambda watch` builds and starts a function
/// on its first request, and has been seen to drop that connection (a TLS stack, once).
async fn warm_up(base_url: &str, tls: Option<&Tls>) {
    let mut client = reqwest::Client::builder().timeout(Duration::from_secs(600));
    if let Some(tls) = tls {
        let pem = std::fs::read(&tls.cert).expect("the certificate");
        client = client.add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("PEM"));
    }
    let client = client.build().expect("http client");
    let url = format!("{base_url}/.well-known/oauth-authorization-server");
    for attempt in 1..=5 {
        match client.get(&url).send().await {
            Ok(_) => return,
            Err(e) if attempt < 5 => {
                eprintln!("the stack is not answering yet ({e}); trying again");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            Err(e) => panic!("the local stack does not answer: {e}"),
        }
    }
}
