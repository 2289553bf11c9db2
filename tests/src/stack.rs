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
    /// The KMS key (in this process's moto) that seals the stack's signing keys.
    pub kms_key_id: String,
    tables: TableNames,
    _watch: Background,
}

impl Stack {
    /// A sealer on the stack's KMS key, as `oauth-admin keys rotate` uses it.
    pub fn sealer(&self) -> oauth_core::sealing::KmsSealer {
        let client = local_stack::local_kms_client(&local_stack::moto_kms().endpoint());
        oauth_core::sealing::KmsSealer::new(client, &self.kms_key_id)
    }

    /// A new key of `alg` in the stack's keyring, signing at once for whoever loads the keys
    /// next (warm functions keep signing with theirs until their copy is 10 minutes old).
    pub async fn rotate(&self, alg: oauth_core::jose::Alg) {
        let pkcs8 = match alg {
            oauth_core::jose::Alg::RS256 => crate::signing::new_rsa_pkcs8(),
            oauth_core::jose::Alg::ES256 => crate::signing::p256_pkcs8(),
        };
        let timing = oauth_core::protocol::keyring::Timing {
            lead: 0,
            keep: oauth_core::config::MAX_ACCESS_TOKEN_TTL + 300,
        };
        let store = self.store();
        oauth_core::service::keys::rotate(
            &*store.keys,
            &self.sealer(),
            (alg, &pkcs8),
            crate::now(),
            timing,
        )
        .await
        .expect("rotation");
    }

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
    // The signing keys, sealed with a key of this process's KMS emulator, as `make dev` does.
    let kms = local_stack::moto_kms().endpoint();
    let kms_key_id = local_stack::local_kms_client(&kms)
        .create_key()
        .send()
        .await
        .expect("a KMS key")
        .key_metadata()
        .map(|m| m.key_id().to_owned())
        .expect("its id");
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
        .env("AWS_ENDPOINT_URL_KMS", &kms)
        .env("SIGNING_KMS_KEY_ID", &kms_key_id)
        .envs(env.iter().copied());
    let sealer =
        oauth_core::sealing::KmsSealer::new(local_stack::local_kms_client(&kms), &kms_key_id);
    let keys = Stores::new(dynamo.clone());
    let first = oauth_core::protocol::keyring::Timing { lead: 0, keep: 0 };
    for (alg, der) in [
        (oauth_core::jose::Alg::RS256, crate::signing::rsa_pkcs8()),
        (oauth_core::jose::Alg::ES256, crate::signing::p256_pkcs8()),
    ] {
        oauth_core::service::keys::rotate(&*keys.keys, &sealer, (alg, &der), crate::now(), first)
            .await
            .expect("the stack's first signing keys");
    }
    let log = repo_root().join(format!("target/cargo-lambda-watch-{port}.log"));
    let watch = Background::start(cmd, &log);
    wait_for_port(port, Duration::from_secs(120));
    let base_url = format!("{scheme}://127.0.0.1:{port}");
    warm_up(&base_url, tls).await;
    Stack {
        base_url,
        log,
        kms_key_id,
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
