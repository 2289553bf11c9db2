//! The local stack, shared by the tests and the bench: DynamoDB Local (AWS's own emulator)
//! started once per process on a free port, background processes that die with the process,
//! the SDK client and environment that reach it, and a Lambda Runtime API to run a function
//! binary under ([`runtime_api`]).

pub mod runtime_api;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use oauth_core::store::dynamo::schema::TableNames;
use oauth_core::store::dynamo::{http_client, CaRoots, Limits};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port on loopback: {e}"))
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

/// DynamoDB Local for this process, in memory, on a free port.
pub struct DynamoLocal {
    pub port: u16,
    _process: Background,
}

impl DynamoLocal {
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// Starts DynamoDB Local once per process (installed by `make test` / `make bench`).
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

/// A KMS emulator (`moto`, installed into `.local/venv` by `make test` / `make dev`) for this
/// process, on a free port: AWS has no KMS emulator of its own.
pub struct MotoKms {
    pub port: u16,
    _process: Background,
}

impl MotoKms {
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// Starts the KMS emulator once per process.
pub fn moto_kms() -> &'static MotoKms {
    static MOTO: OnceLock<MotoKms> = OnceLock::new();
    MOTO.get_or_init(|| {
        let server = repo_root().join(".local/venv/bin/moto_server");
        assert!(
            server.exists(),
            "moto is not installed: run `make test` (or infra/local/install-tools.sh)"
        );
        let port = free_port();
        let mut cmd = Command::new(server);
        cmd.args(["-H", "127.0.0.1", "-p"]).arg(port.to_string());
        let log = repo_root().join(format!("target/moto-{port}.log"));
        let background = Background::start(cmd, &log);
        wait_for_port(port, Duration::from_secs(60));
        MotoKms {
            port,
            _process: background,
        }
    })
}

/// An SDK client for a local KMS at `endpoint`.
pub fn local_kms_client(endpoint: &str) -> aws_sdk_kms::Client {
    let conf = aws_sdk_kms::Config::builder()
        .behavior_version(aws_sdk_kms::config::BehaviorVersion::latest())
        .region(aws_sdk_kms::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_kms::config::Credentials::new(
            "local", "local", None, None, "local",
        ))
        .http_client(http_client(CaRoots::Amazon))
        .build();
    aws_sdk_kms::Client::from_conf(conf)
}

/// A background process for the life of this process. It runs in a session of its own under
/// a small shell that kills that whole process group when our end of the shell's stdin
/// closes, which happens however this process exits.
pub struct Background {
    _shell: Mutex<Child>,
    _lifeline: Mutex<ChildStdin>,
}

impl Background {
    /// Starts `cmd` with its output appended to `log`.
    pub fn start(cmd: Command, log: &Path) -> Self {
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
        let mut child = shell
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start background process: {e}"));
        let Some(lifeline) = child.stdin.take() else {
            panic!("the background shell has no stdin");
        };
        Self {
            _shell: Mutex::new(child),
            _lifeline: Mutex::new(lifeline),
        }
    }
}

/// An SDK client for a local DynamoDB at `endpoint` (any credentials do; DynamoDB Local runs
/// with -sharedDb), with the functions' default timeouts and retries.
pub fn local_client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    local_client_within(endpoint, Limits::default())
}

/// [`local_client`] with other timeouts and retries.
pub fn local_client_within(endpoint: &str, limits: Limits) -> aws_sdk_dynamodb::Client {
    let conf = aws_sdk_dynamodb::Config::builder()
        .timeout_config(limits.timeout_config())
        .retry_config(limits.retry_config())
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("local", "local", None, None, "local"))
        .http_client(http_client(CaRoots::Amazon))
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
