//! Test support: DynamoDB Local started on a free port for the test process, fresh tables
//! per test, and helpers to register clients and users through the real admin code.

pub mod webdriver;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use oauth_core::config::now;
use oauth_core::service::admin::{self, ClientSpec, Registered};
use oauth_core::storage::schema::TableNames;
use oauth_core::storage::Store;
use oauth_core::{AppState, Settings};
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
        assert!(
            start.elapsed() < within,
            "nothing listens on port {port} after {within:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// DynamoDB Local for this test process, in memory, on a free port.
pub struct DynamoLocal {
    pub port: u16,
    _process: Background,
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
        let mut cmd = Command::new(&script);
        cmd.arg(port.to_string());
        let log = repo_root().join(format!("target/dynamodb-local-{port}.log"));
        let background = Background::start(cmd, &log);
        wait_for_port(port, Duration::from_secs(60));
        DynamoLocal {
            port,
            _process: background,
        }
    })
}

/// A background process for the life of the test process. It runs in a session of its own
/// under a small shell that kills that whole process group when our end of the shell's stdin
/// closes, which happens however the test process exits.
pub struct Background {
    _shell: Mutex<Child>,
    _lifeline: Mutex<ChildStdin>,
}

impl Background {
    /// Starts `cmd` with its output appended to `log`.
    pub fn start(cmd: Command, log: &std::path::Path) -> Self {
        use std::os::unix::process::CommandExt;
        let program = cmd.get_program().to_owned();
        let mut shell = Command::new("bash");
        shell
            .arg("-c")
            .arg(r#"setsid "$@" </dev/null >>"$BACKGROUND_LOG" 2>&1 & pid=$!; cat >/dev/null; kill -TERM -- -$pid 2>/dev/null"#)
            .arg("bash")
            .arg(program)
            .args(cmd.get_args())
            .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
            .env("BACKGROUND_LOG", log)
            .stdin(Stdio::piped())
            .process_group(0);
        if let Some(dir) = cmd.get_current_dir() {
            shell.current_dir(dir);
        }
        let mut child = shell.spawn().expect("cannot start background process");
        let lifeline = child.stdin.take().expect("piped stdin");
        Self {
            _shell: Mutex::new(child),
            _lifeline: Mutex::new(lifeline),
        }
    }
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

/// The environment a function or `oauth-admin` needs to use `tables` on the DynamoDB at
/// `endpoint`: local credentials, and each table's variable named by the schema.
pub fn local_env(endpoint: &str, tables: &TableNames) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = [
        ("AWS_ENDPOINT_URL_DYNAMODB", endpoint),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    env.extend(
        tables
            .pairs()
            .map(|(def, name)| (def.env.to_owned(), name.to_owned())),
    );
    env
}

/// A store on fresh tables of their own (a unique prefix), created from the schema.
pub async fn fresh_store() -> Store {
    static N: AtomicU32 = AtomicU32::new(0);
    let prefix = format!(
        "t{}-{}-",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let store = Store::new(
        local_client(&dynamodb_local().endpoint()),
        TableNames::prefixed(&prefix),
    );
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
    admin::create_client(store, &spec, now())
        .await
        .expect("register client")
}

pub async fn add_user(store: &Store, workspace: &str, username: &str, password: &str) {
    admin::create_user(
        store,
        test_settings().pbkdf2_iterations,
        workspace,
        username,
        password,
        now(),
    )
    .await
    .expect("create user");
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
        b.body(Body::Binary(body.as_bytes().to_vec()))
            .expect("request")
    }

    /// Any request to the token function (token, revoke, introspect, metadata).
    pub async fn token(state: &AppState, req: Request) -> Reply {
        let resp = oauth_core::http::token_function::handle(state, req).await;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes: &[u8] = match resp.body() {
            Body::Text(t) => t.as_bytes(),
            Body::Binary(b) => b,
            _ => &[],
        };
        let json = serde_json::from_slice(bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            json,
        }
    }

    /// `POST /oauth2/token` with a form body and optional Basic credentials.
    pub async fn post(state: &AppState, auth: Option<(&str, &str)>, body: &str) -> Reply {
        post_to(state, "/oauth2/token", auth, body).await
    }

    /// A form POST to any path of the token function.
    pub async fn post_to(
        state: &AppState,
        path: &str,
        auth: Option<(&str, &str)>,
        body: &str,
    ) -> Reply {
        let a = auth.map(|(i, s)| basic(i, s));
        token(state, form_post(path, a.as_deref(), body)).await
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

/// The functions running under `cargo lambda watch` on a free port, against DynamoDB Local
/// with tables of their own: the local stack of `make dev`, started once per test process.
pub struct Stack {
    pub base_url: String,
    pub store: Store,
    _watch: Background,
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
    STACK.get_or_init(|| start_stack(None)).await
}

/// Starts the local stack serving HTTPS with `tls`.
pub async fn start_stack(tls: Option<&Tls>) -> Stack {
    let store = fresh_store().await;
    let port = free_port();
    let tables = store.tables();
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
    cmd.envs(local_env(&dynamodb_local().endpoint(), tables))
        .env("ISSUER", format!("{scheme}://127.0.0.1:{port}"))
        .env(
            "PBKDF2_ITERATIONS",
            test_settings().pbkdf2_iterations.to_string(),
        )
        .env("CLIENT_CACHE_SECONDS", "0");
    let log = repo_root().join(format!("target/cargo-lambda-watch-{port}.log"));
    let watch = Background::start(cmd, &log);
    wait_for_port(port, Duration::from_secs(120));
    Stack {
        base_url: format!("{scheme}://127.0.0.1:{port}"),
        store,
        _watch: watch,
    }
}

/// A browser for the authorization endpoint's handler: keeps cookies between requests.
pub mod browser {
    use lambda_http::http::HeaderMap;
    use lambda_http::{Body, Request};
    use oauth_core::AppState;
    use std::collections::BTreeMap;

    pub struct Page {
        pub status: u16,
        pub headers: HeaderMap,
        pub body: String,
    }

    impl Page {
        pub fn header(&self, name: &str) -> Option<&str> {
            self.headers.get(name).and_then(|v| v.to_str().ok())
        }
        pub fn location(&self) -> &str {
            self.header("location").unwrap_or("")
        }
        pub fn set_cookies(&self) -> Vec<&str> {
            self.headers
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect()
        }
        /// The value of a hidden form field (`name="csrf" value="..."`).
        pub fn field(&self, name: &str) -> Option<&str> {
            let marker = format!(r#"name="{name}" value=""#);
            let start = self.body.find(&marker)? + marker.len();
            self.body[start..].split('"').next()
        }
    }

    #[derive(Default)]
    pub struct Browser {
        pub cookies: BTreeMap<String, String>,
    }

    impl Browser {
        fn request(&self, method: &str, url: &str, body: Option<&str>) -> Request {
            let mut b = lambda_http::http::Request::builder()
                .method(method)
                .uri(url);
            if !self.cookies.is_empty() {
                let jar: Vec<String> = self
                    .cookies
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                b = b.header("cookie", jar.join("; "));
            }
            match body {
                Some(form) => b
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Body::Binary(form.as_bytes().to_vec())),
                None => b.body(Body::Empty),
            }
            .expect("request")
        }

        async fn send(&mut self, state: &AppState, req: Request) -> Page {
            let resp = oauth_core::http::authorize::handle(state, req).await;
            let page = Page {
                status: resp.status().as_u16(),
                headers: resp.headers().clone(),
                body: match resp.body() {
                    Body::Text(t) => t.clone(),
                    Body::Binary(b) => String::from_utf8_lossy(b).into_owned(),
                    _ => String::new(),
                },
            };
            for c in page.set_cookies() {
                if let Some((name, rest)) = c.split_once('=') {
                    let value = rest.split(';').next().unwrap_or("");
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
            page
        }

        pub async fn get(&mut self, state: &AppState, url: &str) -> Page {
            let req = self.request("GET", url, None);
            self.send(state, req).await
        }

        pub async fn post(&mut self, state: &AppState, url: &str, form: &str) -> Page {
            let req = self.request("POST", url, Some(form));
            self.send(state, req).await
        }
    }
}
