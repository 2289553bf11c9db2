//! Test support: DynamoDB Local started on a free port for the test process, fresh tables
//! per test, and helpers to register clients and users through the real admin code.

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use oauth_core::config::now;
use oauth_core::service::admin::{self, ClientSpec, Registered};
use oauth_core::storage::schema::TableNames;
use oauth_core::storage::Store;
use oauth_core::{AppState, Settings};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port on loopback")
}

pub fn wait_for_port(port: u16, within: Duration) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < within, "nothing listens on port {port} after {within:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// DynamoDB Local for this test process, in memory. It runs under a small shell that kills it
/// when our end of its stdin closes, which happens however the test process exits.
pub struct DynamoLocal {
    pub port: u16,
    _child: Mutex<Child>,
    _lifeline: Mutex<ChildStdin>,
}

impl DynamoLocal {
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

pub fn dynamodb_local() -> &'static DynamoLocal {
    static LOCAL: OnceLock<DynamoLocal> = OnceLock::new();
    LOCAL.get_or_init(|| {
        let script = repo_root().join("infra/local/run-dynamodb-local.sh");
        let jar = repo_root().join(".local/dynamodb/DynamoDBLocal.jar");
        assert!(
            jar.exists(),
            "DynamoDB Local is not installed: run `make test` (or infra/local/install-dynamodb-local.sh)"
        );
        let port = free_port();
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#""$0" "$1" >/dev/null 2>&1 & pid=$!; cat >/dev/null; kill $pid"#)
            .arg(&script)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .spawn()
            .expect("cannot start DynamoDB Local");
        let lifeline = child.stdin.take().expect("piped stdin");
        wait_for_port(port, Duration::from_secs(60));
        DynamoLocal {
            port,
            _child: Mutex::new(child),
            _lifeline: Mutex::new(lifeline),
        }
    })
}

/// An SDK client for DynamoDB Local (any credentials do; the instance runs with -sharedDb).
pub fn local_client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    let conf = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("local", "local", None, None, "tests"))
        .http_client(oauth_core::storage::http_client())
        .build();
    aws_sdk_dynamodb::Client::from_conf(conf)
}

/// A store on fresh tables of their own (a unique prefix), created from the schema.
pub async fn fresh_store() -> Store {
    static N: AtomicU32 = AtomicU32::new(0);
    let prefix = format!("t{}-{}-", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    let store = Store::new(local_client(&dynamodb_local().endpoint()), TableNames::prefixed(&prefix));
    store.create_tables().await.expect("create tables");
    store
}

/// Settings for tests: cheap password hashing, no client cache (tests change clients).
pub fn test_settings() -> Settings {
    Settings {
        pbkdf2_iterations: NonZeroU32::new(1_000).expect("non-zero"),
        client_cache_seconds: 0,
        ..Settings::default()
    }
}

pub async fn fresh_state() -> AppState {
    AppState::new(fresh_store().await, test_settings())
}

/// Registers a client through the admin code path.
pub async fn register(store: &Store, spec: ClientSpec) -> Registered {
    admin::create_client(store, &spec, now()).await.expect("register client")
}

pub async fn add_user(store: &Store, workspace: &str, username: &str, password: &str) {
    admin::create_user(store, test_settings().pbkdf2_iterations, workspace, username, password, now())
        .await
        .expect("create user");
}

/// Kills a child process (and what it started, as a process group) when dropped.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let pid = self.0.id() as i32;
        // The child leads its own process group: take its children down with it.
        let _ = Command::new("kill").arg("--").arg(format!("-{pid}")).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Writes `line` to a child's stdin and closes it (passwords never go on command lines).
pub fn feed(child: &mut Child, line: &str) {
    if let Some(mut stdin) = child.stdin.take() {
        let _ = writeln!(stdin, "{line}");
    }
}

/// Calling the token function's handler directly, as Lambda would.
pub mod call {
    use base64::{engine::general_purpose::STANDARD, Engine};
    use lambda_http::http::HeaderMap;
    use lambda_http::{Body, Request};
    use oauth_core::AppState;
    use serde_json::Value;

    pub struct Reply {
        pub status: u16,
        pub headers: HeaderMap,
        pub json: Value,
    }

    impl Reply {
        pub fn error(&self) -> &str {
            self.json["error"].as_str().unwrap_or("")
        }
        pub fn header(&self, name: &str) -> Option<&str> {
            self.headers.get(name).and_then(|v| v.to_str().ok())
        }
    }

    pub fn basic(id: &str, secret: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
    }

    /// A form POST; the body arrives base64-encoded, as API Gateway sends it.
    pub fn form_post(path: &str, authorization: Option<&str>, body: &str) -> Request {
        let mut b = lambda_http::http::Request::builder()
            .method("POST")
            .uri(path)
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(a) = authorization {
            b = b.header("authorization", a);
        }
        b.body(Body::Binary(body.as_bytes().to_vec())).expect("request")
    }

    pub async fn token(state: &AppState, req: Request) -> Reply {
        let resp = oauth_core::http::token::handle(state, req).await;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes: &[u8] = match resp.body() {
            Body::Text(t) => t.as_bytes(),
            Body::Binary(b) => b,
            _ => &[],
        };
        let json = serde_json::from_slice(bytes).unwrap_or(Value::Null);
        Reply { status, headers, json }
    }

    /// `POST /oauth2/token` with a form body and optional Basic credentials.
    pub async fn post(state: &AppState, auth: Option<(&str, &str)>, body: &str) -> Reply {
        let a = auth.map(|(i, s)| basic(i, s));
        token(state, form_post("/oauth2/token", a.as_deref(), body)).await
    }
}

/// Every item of a table, read raw (to check what is, and is not, stored).
pub async fn raw_items(
    table: &str,
) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    local_client(&dynamodb_local().endpoint())
        .scan()
        .table_name(table)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("scan")
}

/// A code as the authorization endpoint would store it: returns the code value.
pub async fn store_code(store: &Store, code: &oauth_core::protocol::model::CodeGrant) -> String {
    let value = oauth_core::crypto::new_secret();
    store.put_code(&value, code).await.expect("put code");
    value
}
