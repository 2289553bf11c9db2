//! `make bench`: cold start, warm latency, memory, CPU, DynamoDB round trips, size and cost of
//! each function, beside a bare `lambda_runtime` hello-world (the floor) and a Node.js peer,
//! all measured in one run under the same Runtime API emulator and DynamoDB Local.
//! Writes BENCHMARKS.md and docs/bench-init.svg.
// A measurement harness: a failed step ends the run with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod emulator;
mod events;
mod measure;
mod proxy;
mod report;
mod runs;

use base64::{engine::general_purpose::STANDARD, Engine};
use events::{authorize_event, authorizer_event, body_json, token_event};
use oauth_core::clock::{Clock, SystemClock};
use oauth_core::protocol::code_grant::CodeGrant;
use oauth_core::protocol::pkce::rfc7636_example::{CHALLENGE, VERIFIER};
use oauth_core::protocol::pkce::Method;
use oauth_core::protocol::scope::Scopes;
use oauth_core::service::admin::{self, ClientSpec};
use oauth_core::store::dynamo::schema::TableNames;
use oauth_core::store::dynamo::DynamoStore;
use oauth_core::store::CodeStore;
use oauth_core::Settings;
use proxy::Proxy;
use runs::{cold_starts, grant, start, ColdStart, Env, Grant, Subject, COLD_RUNS, WARM_REQUESTS};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const PASSWORD_REQUESTS: usize = 20;
const PASSWORD: &str = "correct horse battery";
const CALLBACK: &str = "https://app.example/cb";

fn repo_root() -> PathBuf {
    local_stack::repo_root().canonicalize().expect("repo root")
}

fn now() -> u64 {
    SystemClock.now()
}

/// The data the bench runs on: one client with every grant, one user, and the store.
struct Fixture {
    store: DynamoStore,
    client_id: String,
    /// `Authorization: Basic …` of the client.
    basic: String,
    env: Env,
    proxy: Proxy,
}

async fn fixture() -> Fixture {
    let ddb = local_stack::dynamodb_local().endpoint();
    let tables = TableNames::prefixed("bench-");
    let store = DynamoStore::new(local_stack::local_client(&ddb), tables.clone());
    store.create_tables().await.expect("tables");
    let proxy = Proxy::start(ddb).await;
    let grants = [
        "client_credentials",
        "authorization_code",
        "refresh_token",
        "password",
    ];
    let spec = ClientSpec {
        workspace: "default".into(),
        name: "bench".into(),
        redirect_uris: vec![CALLBACK.into()],
        grant_types: grants.map(String::from).to_vec(),
        scope: Some("read write".into()),
        ..Default::default()
    };
    let app = admin::create_client(&store, &spec, now())
        .await
        .expect("client");
    let secret = app.client_secret.expect("secret");
    let iterations = Settings::default().pbkdf2_iterations;
    admin::create_user(&store, iterations, "default", "bench", PASSWORD, now())
        .await
        .expect("user");
    let vars = local_stack::local_env(&proxy.endpoint, &tables)
        .into_iter()
        .chain([("ISSUER".into(), "https://auth.example".into())])
        .collect();
    let client_id = app.client.client_id;
    Fixture {
        basic: format!("Basic {}", STANDARD.encode(format!("{client_id}:{secret}"))),
        client_id,
        store,
        env: Env { vars },
        proxy,
    }
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
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("f");
    let zip = repo_root().join("target/bench").join(format!("{name}.zip"));
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

/// One request to a fresh token process; its answer's JSON body.
async fn one_token_request(f: &Fixture, form: &str) -> Value {
    let token = Subject::release("token", binary("token"), Value::Null);
    let mut p = start(&token, &f.env).await;
    let (_, answer) = p.invoke("token", &token_event(&f.basic, form)).await;
    body_json(&answer)
}

/// The functions, the floor and the peer, each with the request it is measured with.
fn subjects(f: &Fixture, access_token: &str) -> Vec<Subject> {
    let cc = token_event(&f.basic, "grant_type=client_credentials");
    let query = format!(
        "response_type=code&client_id={}&state=s&code_challenge={CHALLENGE}&code_challenge_method=S256",
        f.client_id
    );
    let node = repo_root().join("infra/bench/node-peer/bootstrap.mjs");
    vec![
        Subject::release("hello (floor)", binary("hello"), json!({"hello": "world"})),
        Subject::release("token", binary("token"), cc.clone()),
        // The same function without the DynamoDB warm-up in init: what the warm-up costs.
        Subject {
            env: vec![("DYNAMODB_WARM_UP", "false")],
            ..Subject::release("token, no warm-up", binary("token"), cc.clone())
        },
        Subject::release("authorize", binary("authorize"), authorize_event(&query)),
        Subject::release(
            "authorizer",
            binary("authorizer"),
            authorizer_event(access_token),
        ),
        Subject {
            args: vec![node.display().to_string()],
            ..Subject::release("node-peer", PathBuf::from("node"), cc)
        },
    ]
}

/// `n` codes for the bench user, stored as the authorization endpoint would.
async fn codes(f: &Fixture, n: usize) -> Vec<String> {
    let mut values = Vec::with_capacity(n);
    for _ in 0..n {
        let value = oauth_core::crypto::new_secret();
        let code = CodeGrant {
            workspace: "default".into(),
            client_id: f.client_id.clone(),
            redirect_uri: Some(CALLBACK.into()),
            scope: Scopes::parse("read").expect("scope"),
            username: "bench".into(),
            sub: "bench-sub".into(),
            challenge: Some((Method::S256, CHALLENGE.into())),
            grant_id: oauth_core::crypto::new_secret(),
            expires_at: now() + 3600,
            used: false,
            user_generation: 0,
            audience: vec![],
            nonce: None,
            auth_time: now(),
        };
        f.store.put_code(&value, &code).await.expect("code");
        values.push(value);
    }
    values
}

/// Each grant on a warm token function: round trips, latency, CPU.
async fn grants(f: &Fixture, token: &Subject) -> Vec<Grant> {
    let (env, proxy, basic) = (&f.env, &f.proxy, f.basic.as_str());
    let cc = token_event(basic, "grant_type=client_credentials");
    let mut out = vec![
        grant(
            "client_credentials",
            token,
            env,
            proxy,
            WARM_REQUESTS,
            |_| cc.clone(),
        )
        .await,
    ];
    let mut codes = codes(f, WARM_REQUESTS + 1).await.into_iter();
    out.push(
        grant("authorization_code", token, env, proxy, WARM_REQUESTS, |_| {
            let code = codes.next().expect("enough codes");
            let form = format!("grant_type=authorization_code&code={code}&redirect_uri={CALLBACK}&code_verifier={VERIFIER}");
            token_event(basic, &form)
        })
        .await,
    );
    let login = format!(
        "grant_type=password&username=bench&password={}",
        PASSWORD.replace(' ', "+")
    );
    let first = one_token_request(f, &login).await["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_owned();
    proxy.take();
    out.push(
        grant("refresh_token", token, env, proxy, WARM_REQUESTS, |last| {
            let rt = body_json(last)["refresh_token"].as_str().map(str::to_owned);
            let rt = rt.unwrap_or_else(|| first.clone());
            token_event(
                basic,
                &format!("grant_type=refresh_token&refresh_token={rt}"),
            )
        })
        .await,
    );
    out.push(
        grant("password", token, env, proxy, PASSWORD_REQUESTS, |_| {
            token_event(basic, &login)
        })
        .await,
    );
    out
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let root = repo_root();
    std::fs::create_dir_all(root.join("target/bench")).expect("target/bench");
    println!("Starting DynamoDB Local and the counting proxy...");
    let f = fixture().await;
    // A long-lived access token for the authorizer.
    let access = one_token_request(&f, "grant_type=client_credentials").await["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();
    let subjects = subjects(&f, &access);
    let mut cold: Vec<(&'static str, ColdStart)> = Vec::new();
    for s in &subjects {
        println!(
            "Cold starts: {} ({COLD_RUNS} runs, {WARM_REQUESTS} warm requests each)...",
            s.name
        );
        cold.push((s.name, cold_starts(s, &f.env).await));
    }
    println!("Per grant...");
    let grants = grants(&f, &subjects[1]).await;
    let sizes = ["hello", "token", "authorize", "authorizer"]
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
        pbkdf2_iterations: Settings::default().pbkdf2_iterations.get(),
    };
    report::write(&root, &run).expect("write BENCHMARKS.md");
    println!("Wrote BENCHMARKS.md and docs/bench-init.svg");
}
