//! `make bench`: cold start, warm latency, memory, CPU, DynamoDB round trips, size and cost of
//! each function, beside a bare `lambda_runtime` hello-world (the floor) and a Node.js peer,
//! all measured in one run under the same Runtime API emulator and DynamoDB Local.
//! Writes BENCHMARKS.md and docs/bench-init.svg.
// A measurement harness: a failed step ends the run with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod events;
mod measure;
mod proxy;
mod report;
mod runs;
mod signing;

use base64::{engine::general_purpose::STANDARD, Engine};
use events::{authorize_event, authorizer_event, body_json, token_event};
use oauth_core::clock::{Clock, SystemClock};
use oauth_core::jose::Alg;
use oauth_core::protocol::client::{ClientPolicy, TokenFormat};
use oauth_core::protocol::code_grant::CodeGrant;
use oauth_core::protocol::pkce::rfc7636_example::{CHALLENGE, VERIFIER};
use oauth_core::protocol::pkce::Method;
use oauth_core::protocol::scope::Scopes;
use oauth_core::sealing::KmsSealer;
use oauth_core::service::admin::{self, ClientSpec};
use oauth_core::service::keys;
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

/// The data the bench runs on: one client with every grant, one whose access tokens are JWTs,
/// one user, signing keys sealed by the KMS emulator, and the store.
struct Fixture {
    store: DynamoStore,
    client_id: String,
    /// `Authorization: Basic …` of the client.
    basic: String,
    /// The same for the client whose access tokens are JWTs (RFC 9068).
    jwt_basic: String,
    /// What a function that signs needs: the KMS key and the emulator's endpoint.
    kms: Vec<(&'static str, String)>,
    env: Env,
    proxy: Proxy,
}

/// Basic credentials of a new client of `spec`.
async fn client(store: &DynamoStore, spec: &ClientSpec) -> (String, String) {
    let app = admin::create_client(store, spec, now())
        .await
        .expect("client");
    let secret = app.client_secret.expect("secret");
    let id = app.client.client_id;
    let basic = format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")));
    (id, basic)
}

/// An RS256 and an ES256 key, sealed by the KMS emulator as a rotation does; the environment
/// that lets a function open them.
async fn signing_keys(store: &DynamoStore) -> Vec<(&'static str, String)> {
    let endpoint = local_stack::moto_kms().endpoint();
    let kms = local_stack::local_kms_client(&endpoint);
    let key = kms.create_key().send().await.expect("KMS key");
    let key_id = key.key_metadata().expect("metadata").key_id().to_owned();
    let sealer = KmsSealer::new(kms, &key_id);
    let timing = Settings::default().key_timing();
    for alg in [Alg::RS256, Alg::ES256] {
        let pkcs8 = keys::generate(alg).expect("key");
        keys::rotate(store, &sealer, (alg, &pkcs8), now(), timing)
            .await
            .expect("rotate");
    }
    vec![
        ("SIGNING_KMS_KEY_ID", key_id),
        ("AWS_ENDPOINT_URL_KMS", endpoint),
    ]
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
    let (client_id, basic) = client(&store, &spec).await;
    let jwt_spec = ClientSpec {
        name: "bench-jwt".into(),
        redirect_uris: vec![],
        grant_types: vec!["client_credentials".into()],
        policy: ClientPolicy {
            access_token_format: TokenFormat::Jwt,
            ..Default::default()
        },
        ..spec
    };
    let (_, jwt_basic) = client(&store, &jwt_spec).await;
    let iterations = Settings::default().pbkdf2_iterations;
    admin::create_user(&store, iterations, "default", "bench", PASSWORD, now())
        .await
        .expect("user");
    let kms = signing_keys(&store).await;
    let vars = local_stack::local_env(&proxy.endpoint, &tables)
        .into_iter()
        .chain([("ISSUER".into(), "https://auth.example".into())])
        .collect();
    Fixture {
        basic,
        jwt_basic,
        client_id,
        kms,
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

/// One request to a fresh token process (that signs); its answer's JSON body.
async fn one_token_request(f: &Fixture, basic: &str, form: &str) -> Value {
    let token = signing_token(f, "token", Value::Null);
    let mut p = start(&token, &f.env).await;
    let (_, answer) = p.invoke("token", &token_event(basic, form)).await;
    body_json(&answer)
}

/// The token function as deployed with signing keys: it opens them in init.
fn signing_token(f: &Fixture, name: &'static str, event: Value) -> Subject {
    Subject {
        env: f.kms.clone(),
        ..Subject::release(name, binary("token"), event)
    }
}

/// The functions, the floor and the peer, each with the request it is measured with.
fn subjects(f: &Fixture, access_token: &str, jwt: &str) -> Vec<Subject> {
    let cc = token_event(&f.basic, "grant_type=client_credentials");
    let jwt_cc = token_event(&f.jwt_basic, "grant_type=client_credentials");
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
            env: vec![("DYNAMODB_WARM_UP", "false".into())],
            ..Subject::release("token, no warm-up", binary("token"), cc.clone())
        },
        // With signing keys: its init also reads the keyring and opens the keys with KMS.
        signing_token(f, "token, keys loaded, JWT", jwt_cc),
        Subject::release("authorize", binary("authorize"), authorize_event(&query)),
        Subject::release(
            "authorizer",
            binary("authorizer"),
            authorizer_event(access_token),
        ),
        Subject::release(
            "authorizer, JWT",
            binary("authorizer"),
            authorizer_event(jwt),
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
async fn grants(f: &Fixture) -> Vec<Grant> {
    let token = &signing_token(f, "token", Value::Null);
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
    let first = one_token_request(f, basic, &login).await["refresh_token"]
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
    let jwt_cc = token_event(&f.jwt_basic, "grant_type=client_credentials");
    out.push(
        grant(
            "client_credentials, JWT",
            token,
            env,
            proxy,
            WARM_REQUESTS,
            |_| jwt_cc.clone(),
        )
        .await,
    );
    out
}

/// The authorizer's verdicts on an opaque token and on a JWT: DynamoDB calls, latency, CPU.
async fn verdicts(f: &Fixture, opaque: &str, jwt: &str) -> Vec<Grant> {
    let (env, proxy) = (&f.env, &f.proxy);
    let mut out = Vec::new();
    for (name, token) in [("opaque token", opaque), ("JWT", jwt)] {
        let authorizer = Subject::release(name, binary("authorizer"), Value::Null);
        let event = authorizer_event(token);
        out.push(
            grant(name, &authorizer, env, proxy, WARM_REQUESTS, |_| {
                event.clone()
            })
            .await,
        );
    }
    out
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let root = repo_root();
    std::fs::create_dir_all(root.join("target/bench")).expect("target/bench");
    println!("Starting DynamoDB Local and the counting proxy...");
    let f = fixture().await;
    // Long-lived access tokens for the authorizer: an opaque one and a JWT.
    let cc = "grant_type=client_credentials";
    let access = one_token_request(&f, &f.basic, cc).await["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();
    let jwt = one_token_request(&f, &f.jwt_basic, cc).await["access_token"]
        .as_str()
        .expect("JWT access token")
        .to_owned();
    let subjects = subjects(&f, &access, &jwt);
    let mut cold: Vec<(&'static str, ColdStart)> = Vec::new();
    for s in &subjects {
        println!(
            "Cold starts: {} ({COLD_RUNS} runs, {WARM_REQUESTS} warm requests each)...",
            s.name
        );
        cold.push((s.name, cold_starts(s, &f.env).await));
    }
    println!("Per grant...");
    let grants = grants(&f).await;
    println!("The authorizer's DynamoDB calls...");
    let verdicts = verdicts(&f, &access, &jwt).await;
    println!("Signing and verifying in-process...");
    let signing = signing::costs();
    let sizes = ["hello", "token", "authorize", "authorizer", "rotate-keys"]
        .into_iter()
        .map(|n| {
            let (b, z) = sizes(&binary(n));
            (n, b, z)
        })
        .collect();
    let run = report::Run {
        cold,
        grants,
        verdicts,
        signing,
        sizes,
        pbkdf2_iterations: Settings::default().pbkdf2_iterations.get(),
    };
    report::write(&root, &run).expect("write BENCHMARKS.md");
    println!("Wrote BENCHMARKS.md and docs/bench-init.svg");
}
