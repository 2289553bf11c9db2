//! `make bench`: cold start, warm latency, memory, CPU, DynamoDB round trips, size and cost of
//! each function, beside a bare `lambda_runtime` hello-world (the floor) and a Node.js peer,
//! all measured in one run under the same Runtime API emulator and DynamoDB Local.
//! Writes BENCHMARKS.md and docs/bench-init.svg.

mod emulator;
mod measure;
mod proxy;
mod report;

use base64::{engine::general_purpose::STANDARD, Engine};
use emulator::Emulator;
use measure::{ms, percentile, sorted, spread, Spread};
use oauth_core::config::now;
use oauth_core::protocol::model::CodeGrant;
use oauth_core::protocol::pkce::Method;
use oauth_core::protocol::scope::Scopes;
use oauth_core::service::admin::{self, ClientSpec};
use oauth_core::storage::schema::TableNames;
use oauth_core::storage::Store;
use oauth_core::Settings;
use proxy::{Proxy, Tally};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

pub const COLD_RUNS: usize = 10;
pub const WARM_REQUESTS: usize = 200;
const PASSWORD_REQUESTS: usize = 20;
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// One process under test: how to start it and the request it is measured with.
pub struct Subject {
    pub name: &'static str,
    pub program: PathBuf,
    pub args: Vec<String>,
    pub event: Value,
    /// Extra environment for this subject only.
    pub env: Vec<(&'static str, &'static str)>,
}

/// What the cold-start runs of one subject measured.
#[derive(Debug, Clone, Default)]
pub struct ColdStart {
    pub init_ms: Spread,
    pub first_ms: Spread,
    pub warm_p50_ms: Spread,
    pub warm_p99_ms: Spread,
    pub max_rss_mib: Spread,
    pub cpu_us_per_request: Spread,
}

/// What one grant costs on a warm token function.
#[derive(Debug, Clone, Default)]
pub struct Grant {
    pub name: &'static str,
    pub requests: usize,
    pub cold: Tally,
    pub warm: Tally,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub cpu_us_per_request: f64,
}

pub struct Env {
    vars: Vec<(String, String)>,
}

fn repo_root() -> PathBuf {
    oauth_tests::repo_root().canonicalize().expect("repo root")
}

fn spawn(subject: &Subject, env: &Env, runtime_api: &str) -> (Child, Instant) {
    let mut cmd = Command::new(&subject.program);
    cmd.args(&subject.args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", runtime_api)
        .env("AWS_LAMBDA_FUNCTION_NAME", subject.name)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_LEVEL", "WARN")
        .envs(env.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .envs(subject.env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    // The peer resolves its packages next to its script.
    if let Some(dir) = subject.args.first().and_then(|a| Path::new(a).parent()) {
        cmd.current_dir(dir);
    }
    let started = Instant::now();
    (cmd.spawn().expect("spawn function"), started)
}

fn assert_ok(name: &str, answer: &Value) {
    let status = answer["statusCode"].as_u64().unwrap_or(200);
    let authorized = answer.get("isAuthorized").is_none_or(|a| a == true);
    assert!(
        (200..400).contains(&status) && authorized,
        "{name} answered {answer}"
    );
}

async fn cold_starts(subject: &Subject, env: &Env) -> ColdStart {
    let mut init = Vec::new();
    let mut first = Vec::new();
    let mut p50 = Vec::new();
    let mut p99 = Vec::new();
    let mut rss = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..COLD_RUNS {
        let mut emu = Emulator::start().await;
        let (child, started) = spawn(subject, env, &emu.addr);
        let pid = child.id().expect("pid");
        let ready = emu.wait_ready(Duration::from_secs(60)).await;
        init.push(ms(ready - started));
        let (took, answer) = emu.invoke(&subject.event).await;
        assert_ok(subject.name, &answer);
        first.push(ms(took));
        let cpu_before = measure::cpu_ns(pid);
        let mut warm = Vec::with_capacity(WARM_REQUESTS);
        for _ in 0..WARM_REQUESTS {
            let (took, answer) = emu.invoke(&subject.event).await;
            assert_ok(subject.name, &answer);
            warm.push(ms(took));
        }
        cpu.push((measure::cpu_ns(pid) - cpu_before) as f64 / 1000.0 / WARM_REQUESTS as f64);
        let warm = sorted(warm);
        p50.push(percentile(&warm, 50.0));
        p99.push(percentile(&warm, 99.0));
        rss.push(measure::max_rss_kib(pid) as f64 / 1024.0);
        drop(child);
    }
    ColdStart {
        init_ms: spread(&init),
        first_ms: spread(&first),
        warm_p50_ms: spread(&p50),
        warm_p99_ms: spread(&p99),
        max_rss_mib: spread(&rss),
        cpu_us_per_request: spread(&cpu),
    }
}

/// An API Gateway HTTP API (payload 2.0) event.
fn http_event(method: &str, path: &str, query: &str, headers: Value, body: Option<&str>) -> Value {
    json!({
        "version": "2.0",
        "routeKey": format!("ANY {path}"),
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012", "apiId": "bench", "domainName": "auth.example",
            "domainPrefix": "auth", "requestId": "bench", "routeKey": format!("ANY {path}"),
            "stage": "$default", "time": "24/Nov/2026:00:00:00 +0000", "timeEpoch": 0,
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "bench"}
        },
        "body": body.map(|b| STANDARD.encode(b)),
        "isBase64Encoded": body.is_some(),
    })
}

fn token_event(basic: &str, form: &str) -> Value {
    http_event(
        "POST",
        "/oauth2/token",
        "",
        json!({"content-type": "application/x-www-form-urlencoded", "authorization": basic, "host": "auth.example"}),
        Some(form),
    )
}

fn authorizer_event(token: &str) -> Value {
    json!({
        "version": "2.0", "type": "REQUEST",
        "routeArn": "arn:aws:execute-api:us-east-1:123456789012:bench/$default/GET/orders",
        "identitySource": [format!("Bearer {token}")], "routeKey": "GET /orders",
        "rawPath": "/orders", "rawQueryString": "",
        "headers": {"authorization": format!("Bearer {token}")},
        "requestContext": {"http": {"method": "GET", "path": "/orders", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "bench"}}
    })
}

/// Runs `requests` token requests on one fresh token process; the first is the cold one.
async fn grant(
    name: &'static str,
    token: &Subject,
    env: &Env,
    proxy: &Proxy,
    requests: usize,
    mut next: impl FnMut(&Value) -> Value,
) -> Grant {
    let mut emu = Emulator::start().await;
    let (child, _) = spawn(token, env, &emu.addr);
    let pid = child.id().expect("pid");
    emu.wait_ready(Duration::from_secs(60)).await;
    proxy.take(); // the init's warm-up read is not the grant's
    let mut last = Value::Null;
    let event = next(&last);
    let (_, answer) = emu.invoke(&event).await;
    assert_ok(name, &answer);
    last = answer;
    let cold = proxy.take();
    let cpu_before = measure::cpu_ns(pid);
    let mut lat = Vec::with_capacity(requests);
    for _ in 0..requests {
        let event = next(&last);
        let (took, answer) = emu.invoke(&event).await;
        assert_ok(name, &answer);
        lat.push(ms(took));
        last = answer;
    }
    let cpu = (measure::cpu_ns(pid) - cpu_before) as f64 / 1000.0 / requests as f64;
    let warm = proxy.take();
    let lat = sorted(lat);
    drop(child);
    Grant {
        name,
        requests,
        cold,
        warm,
        p50_ms: percentile(&lat, 50.0),
        p99_ms: percentile(&lat, 99.0),
        cpu_us_per_request: cpu,
    }
}

fn body_json(answer: &Value) -> Value {
    answer["body"]
        .as_str()
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null)
}

fn binary(name: &str) -> PathBuf {
    let p = repo_root().join("target/release").join(name);
    assert!(
        p.exists(),
        "{} is missing: run `make bench`, which builds it",
        p.display()
    );
    p
}

/// Stripped binary size and the size of a Lambda zip holding it as `bootstrap`.
fn sizes(path: &Path) -> (u64, u64) {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let zip = repo_root().join("target/bench").join(format!(
        "{}.zip",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("f")
    ));
    let status = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z: z.write(sys.argv[1], 'bootstrap')",
        ])
        .arg(path)
        .arg(&zip)
        .status()
        .expect("python3");
    assert!(status.success(), "zip failed");
    (size, std::fs::metadata(&zip).map(|m| m.len()).unwrap_or(0))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let root = repo_root();
    std::fs::create_dir_all(root.join("target/bench")).expect("target/bench");
    println!("Starting DynamoDB Local and the counting proxy...");
    let ddb = oauth_tests::dynamodb_local().endpoint();
    let tables = TableNames::prefixed("bench-");
    let store = Store::new(oauth_tests::local_client(&ddb), tables.clone());
    store.create_tables().await.expect("tables");
    let proxy = Proxy::start(ddb.clone()).await;
    let production = Settings::default();

    let app = admin::create_client(
        &store,
        &ClientSpec {
            workspace: "default".into(),
            name: "bench".into(),
            redirect_uris: vec!["https://app.example/cb".into()],
            grant_types: [
                "client_credentials",
                "authorization_code",
                "refresh_token",
                "password",
            ]
            .map(String::from)
            .to_vec(),
            scope: Some("read write".into()),
            ..Default::default()
        },
        now(),
    )
    .await
    .expect("client");
    let (id, secret) = (
        app.client.client_id.clone(),
        app.client_secret.clone().expect("secret"),
    );
    let basic = format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")));
    let password = "correct horse battery";
    admin::create_user(
        &store,
        production.pbkdf2_iterations,
        "default",
        "bench",
        password,
        now(),
    )
    .await
    .expect("user");

    let env = Env {
        vars: oauth_tests::local_env(&proxy.endpoint, &tables)
            .into_iter()
            .chain([("ISSUER".into(), "https://auth.example".into())])
            .collect(),
    };

    // A long-lived access token for the authorizer.
    let issued = {
        let mut emu = Emulator::start().await;
        let subject = Subject {
            name: "token",
            program: binary("token"),
            args: vec![],
            event: Value::Null,
            env: vec![],
        };
        let (_child, _) = spawn(&subject, &env, &emu.addr);
        emu.wait_ready(Duration::from_secs(60)).await;
        let (_, answer) = emu
            .invoke(&token_event(&basic, "grant_type=client_credentials"))
            .await;
        body_json(&answer)["access_token"]
            .as_str()
            .expect("access token")
            .to_owned()
    };

    let cc = token_event(&basic, "grant_type=client_credentials");
    let node_dir = root.join("infra/bench/node-peer");
    let subjects = vec![
        Subject {
            name: "hello (floor)",
            program: binary("hello"),
            args: vec![],
            event: json!({"hello": "world"}),
            env: vec![],
        },
        Subject {
            name: "token",
            program: binary("token"),
            args: vec![],
            event: cc.clone(),
            env: vec![],
        },
        // The same function without the DynamoDB warm-up in init: what the warm-up costs.
        Subject {
            name: "token, no warm-up",
            program: binary("token"),
            args: vec![],
            event: cc.clone(),
            env: vec![("DYNAMODB_WARM_UP", "false")],
        },
        Subject {
            name: "authorize",
            program: binary("authorize"),
            args: vec![],
            event: http_event(
                "GET",
                "/oauth2/authorize",
                &format!("response_type=code&client_id={id}&state=s&code_challenge={CHALLENGE}"),
                json!({"host": "auth.example"}),
                None,
            ),
            env: vec![],
        },
        Subject {
            name: "authorizer",
            program: binary("authorizer"),
            args: vec![],
            event: authorizer_event(&issued),
            env: vec![],
        },
        Subject {
            name: "node-peer",
            program: PathBuf::from("node"),
            args: vec![node_dir.join("bootstrap.mjs").display().to_string()],
            event: cc.clone(),
            env: vec![],
        },
    ];
    let mut cold = Vec::new();
    for s in &subjects {
        println!(
            "Cold starts: {} ({COLD_RUNS} runs, {WARM_REQUESTS} warm requests each)...",
            s.name
        );
        cold.push((s.name, cold_starts(s, &env).await));
    }

    let token = &subjects[1];
    println!("Per grant...");
    let mut grants = Vec::new();
    grants.push(
        grant(
            "client_credentials",
            token,
            &env,
            &proxy,
            WARM_REQUESTS,
            |_| cc.clone(),
        )
        .await,
    );
    let mut codes = Vec::new();
    for _ in 0..=WARM_REQUESTS {
        let value = oauth_core::crypto::new_secret();
        let code = CodeGrant {
            workspace: "default".into(),
            client_id: id.clone(),
            redirect_uri: Some("https://app.example/cb".into()),
            scope: Scopes::parse("read").expect("scope"),
            username: "bench".into(),
            sub: "bench-sub".into(),
            challenge: Some((Method::S256, CHALLENGE.into())),
            grant_id: oauth_core::crypto::new_secret(),
            expires_at: now() + 3600,
            used: false,
        };
        store.put_code(&value, &code).await.expect("code");
        codes.push(value);
    }
    let mut codes = codes.into_iter();
    grants.push(
        grant("authorization_code", token, &env, &proxy, WARM_REQUESTS, |_| {
            let code = codes.next().expect("enough codes");
            token_event(
                &basic,
                &format!("grant_type=authorization_code&code={code}&redirect_uri=https://app.example/cb&code_verifier={VERIFIER}"),
            )
        })
        .await,
    );
    let login = format!(
        "grant_type=password&username=bench&password={}",
        password.replace(' ', "+")
    );
    let first_refresh = {
        let mut emu = Emulator::start().await;
        let (_child, _) = spawn(token, &env, &emu.addr);
        emu.wait_ready(Duration::from_secs(60)).await;
        let (_, answer) = emu.invoke(&token_event(&basic, &login)).await;
        body_json(&answer)["refresh_token"]
            .as_str()
            .expect("refresh token")
            .to_owned()
    };
    proxy.take();
    grants.push(
        grant(
            "refresh_token",
            token,
            &env,
            &proxy,
            WARM_REQUESTS,
            |last| {
                let rt = body_json(last)["refresh_token"]
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or(first_refresh.clone());
                token_event(
                    &basic,
                    &format!("grant_type=refresh_token&refresh_token={rt}"),
                )
            },
        )
        .await,
    );
    grants.push(
        grant("password", token, &env, &proxy, PASSWORD_REQUESTS, |_| {
            token_event(&basic, &login)
        })
        .await,
    );

    let sizes: Vec<(&str, u64, u64)> = ["hello", "token", "authorize", "authorizer"]
        .into_iter()
        .map(|n| {
            let (b, z) = sizes(&binary(n));
            (n, b, z)
        })
        .collect();

    let run = report::Run {
        cold,
        grants,
        sizes,
        pbkdf2_iterations: production.pbkdf2_iterations.get(),
    };
    report::write(&root, &run).expect("write BENCHMARKS.md");
    println!("Wrote BENCHMARKS.md and docs/bench-init.svg");
}
