//! A DynamoDB as strict as the real service, in front of DynamoDB Local: a proxy that each test
//! switches on as it needs. DynamoDB Local updates indexes synchronously, serializes
//! transactions, never throttles and ignores IAM; DynamoDB does none of that.
//!
//! - **GSI lag**: items written in the last N ms are left out of `Query` results on an index.
//! - **Transaction conflicts**: a `PutItem`/`UpdateItem`/`DeleteItem` on an item that an
//!   in-flight `TransactWriteItems` holds gets `TransactionConflictException`, as DynamoDB
//!   documents; transactions can be held in flight for a while to make that reproducible.
//! - **Faults**: throttling, a 500, a connection reset, a hang, added latency, on the Nth call or
//!   on a named operation.
//! - **IAM**: every call is recorded as the (table or index, action) pairs IAM would check.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// When a fault applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// The Nth call through the harness from now (1 = the next one).
    Call(u64),
    /// Every call of this operation (`GetItem`, `TransactWriteItems`, ...).
    Operation(&'static str),
    /// Every call.
    Always,
}

/// What a fault does instead of (or before) forwarding the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// 400 `ThrottlingException`.
    Throttling,
    /// 400 `ProvisionedThroughputExceededException`.
    ProvisionedThroughputExceeded,
    /// 500 `InternalServerError`.
    InternalError,
    /// The connection is closed without an answer.
    Reset,
    /// No answer, ever.
    Hang,
    /// The call goes through after this delay.
    Latency(Duration),
}

#[derive(Debug, Clone)]
pub struct Fault {
    pub on: Trigger,
    pub kind: FaultKind,
    /// How many times it applies (`None`: while it is set).
    pub times: Option<u32>,
}

impl Fault {
    pub fn new(on: Trigger, kind: FaultKind) -> Self {
        Self {
            on,
            kind,
            times: None,
        }
    }

    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }
}

/// One call, as IAM sees it: the operation and every (resource, action) pair it is checked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub operation: String,
    /// (table name, or `table/index/name` for an index; `dynamodb:Action`).
    pub resources: Vec<(String, String)>,
}

#[derive(Default)]
struct State {
    gsi_lag: Option<Duration>,
    conflicts: bool,
    transaction_hold: Duration,
    faults: Vec<Fault>,
    calls: Vec<Call>,
    /// Calls since the last `reset`, for `Trigger::Call`.
    counted: u64,
    /// When each item (table, key) was last written: what a lagging index has not seen.
    written: HashMap<(String, String), Instant>,
    /// Items held by in-flight transactions.
    held: HashMap<(String, String), usize>,
    /// `TransactionConflictException`s answered so far.
    conflicts_injected: u64,
}

/// The strict DynamoDB: point a store at `endpoint`.
#[derive(Clone)]
pub struct Harness {
    pub endpoint: String,
    state: Arc<Mutex<State>>,
}

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

impl Harness {
    /// A harness in front of DynamoDB Local at `upstream`, with nothing switched on.
    pub fn start(upstream: String) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("non-blocking");
        let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
        let state = Arc::new(Mutex::new(State::default()));
        let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
        let shared = state.clone();
        std::thread::spawn(move || serve(listener, shared, client, upstream));
        Self { endpoint, state }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().expect("harness state"))
    }

    /// Items written in the last `lag` are left out of `Query` results on an index.
    pub fn gsi_lag(&self, lag: Duration) {
        self.with(|s| s.gsi_lag = Some(lag));
    }

    /// Single-item writes on items an in-flight transaction holds fail with
    /// `TransactionConflictException`; each transaction stays in flight `hold` longer.
    pub fn transaction_conflicts(&self, hold: Duration) {
        self.with(|s| {
            s.conflicts = true;
            s.transaction_hold = hold;
        });
    }

    pub fn fault(&self, fault: Fault) {
        self.with(|s| s.faults.push(fault));
    }

    /// Everything off, the call count and the record cleared.
    pub fn reset(&self) {
        self.with(|s| {
            s.gsi_lag = None;
            s.conflicts = false;
            s.transaction_hold = Duration::ZERO;
            s.faults.clear();
            s.calls.clear();
            s.counted = 0;
        });
    }

    /// How many writes were answered `TransactionConflictException` (a test that relies on
    /// conflicts checks they happened).
    pub fn conflicts_injected(&self) -> u64 {
        self.with(|s| s.conflicts_injected)
    }

    /// The calls recorded since the last `take_calls` or `reset`.
    pub fn take_calls(&self) -> Vec<Call> {
        self.with(|s| std::mem::take(&mut s.calls))
    }

    /// The (resource, action) pairs of the calls recorded since the last take.
    pub fn take_permissions(&self) -> BTreeSet<(String, String)> {
        self.take_calls()
            .into_iter()
            .flat_map(|c| c.resources)
            .collect()
    }
}

/// The proxy runs on a runtime of its own, so it outlives every test's runtime.
fn serve(
    listener: std::net::TcpListener,
    state: Arc<Mutex<State>>,
    client: HttpClient,
    upstream: String,
) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("harness runtime");
    rt.block_on(async move {
        let listener = TcpListener::from_std(listener).expect("listener");
        while let Ok((stream, _)) = listener.accept().await {
            let (state, client, upstream) = (state.clone(), client.clone(), upstream.clone());
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req| {
                    handle(state.clone(), client.clone(), upstream.clone(), req)
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
}

/// Why the proxy gives up on a connection (it is closed without an answer).
#[derive(Debug)]
struct Reset;

impl std::fmt::Display for Reset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset by the harness")
    }
}

impl std::error::Error for Reset {}

async fn handle(
    state: Arc<Mutex<State>>,
    client: HttpClient,
    upstream: String,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Box<dyn std::error::Error + Send + Sync>> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await?.to_bytes();
    let op = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.split('.').nth(1))
        .unwrap_or("?")
        .to_owned();
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let fault = {
        let mut s = state.lock().expect("harness state");
        s.counted += 1;
        s.calls.push(Call {
            operation: op.clone(),
            resources: resources(&op, &json),
        });
        next_fault(&mut s, &op)
    };
    match fault {
        Some(FaultKind::Throttling) => return Ok(error(400, "ThrottlingException")),
        Some(FaultKind::ProvisionedThroughputExceeded) => {
            return Ok(error(400, "ProvisionedThroughputExceededException"))
        }
        Some(FaultKind::InternalError) => return Ok(error(500, "InternalServerError")),
        Some(FaultKind::Reset) => return Err(Box::new(Reset)),
        Some(FaultKind::Hang) => std::future::pending::<()>().await,
        Some(FaultKind::Latency(d)) => tokio::time::sleep(d).await,
        None => {}
    }
    let keys = written_keys(&op, &json);
    if is_single_write(&op) && conflicts_with_a_transaction(&state, &keys) {
        return Ok(error(400, "TransactionConflictException"));
    }
    let hold = if op == "TransactWriteItems" {
        hold_items(&state, &keys)
    } else {
        None
    };
    if let Some(d) = hold {
        tokio::time::sleep(d).await;
    }
    let answer = forward(&client, &upstream, parts, body).await;
    if hold.is_some() {
        release_items(&state, &keys);
    }
    let (parts, body) = answer?;
    if parts.status.is_success() {
        remember_writes(&state, &keys);
    }
    let mut parts = parts;
    let body = lag_index(&state, &op, &json, body);
    // The body may have been rewritten: its length is the new one's.
    parts.headers.remove(hyper::header::CONTENT_LENGTH);
    Ok(Response::from_parts(parts, Full::new(body)))
}

async fn forward(
    client: &HttpClient,
    upstream: &str,
    parts: hyper::http::request::Parts,
    body: Bytes,
) -> Result<(hyper::http::response::Parts, Bytes), Box<dyn std::error::Error + Send + Sync>> {
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut out = Request::builder()
        .method(parts.method)
        .uri(format!("{upstream}{path}"));
    for (k, v) in &parts.headers {
        out = out.header(k, v);
    }
    let resp = client.request(out.body(Full::new(body))?).await?;
    let (parts, body) = resp.into_parts();
    Ok((parts, body.collect().await?.to_bytes()))
}

/// A DynamoDB error answer, as the service sends it.
fn error(status: u16, kind: &str) -> Response<Full<Bytes>> {
    let body = json!({
        "__type": format!("com.amazonaws.dynamodb.v20120810#{kind}"),
        "message": format!("{kind} (injected by the test harness)"),
    });
    let mut resp = Response::new(Full::new(Bytes::from(body.to_string())));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    resp.headers_mut().insert(
        "content-type",
        hyper::header::HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    resp
}

/// The fault for this call, if one applies (spending one of its `times`).
fn next_fault(s: &mut State, op: &str) -> Option<FaultKind> {
    let n = s.counted;
    let i = s.faults.iter().position(|f| match &f.on {
        Trigger::Call(k) => *k == n,
        Trigger::Operation(name) => *name == op,
        Trigger::Always => true,
    })?;
    let kind = s.faults[i].kind;
    if let Some(left) = s.faults[i].times.as_mut() {
        *left -= 1;
        if *left == 0 {
            s.faults.remove(i);
        }
    }
    Some(kind)
}

/// The (resource, action) pairs IAM checks for one call.
fn resources(op: &str, json: &Value) -> Vec<(String, String)> {
    let action = |a: &str| format!("dynamodb:{a}");
    let table = |j: &Value| j["TableName"].as_str().unwrap_or("?").to_owned();
    match op {
        "BatchGetItem" | "BatchWriteItem" => json["RequestItems"]
            .as_object()
            .map(|m| m.keys().map(|t| (t.clone(), action(op))).collect())
            .unwrap_or_default(),
        "TransactWriteItems" => json["TransactItems"]
            .as_array()
            .map(|items| items.iter().map(|i| transact_item(i, &action)).collect())
            .unwrap_or_default(),
        "Query" | "Scan" => match json["IndexName"].as_str() {
            Some(index) => vec![(format!("{}/index/{index}", table(json)), action(op))],
            None => vec![(table(json), action(op))],
        },
        _ => vec![(table(json), action(op))],
    }
}

fn transact_item(item: &Value, action: &impl Fn(&str) -> String) -> (String, String) {
    for (kind, name) in [
        ("Put", "PutItem"),
        ("Update", "UpdateItem"),
        ("Delete", "DeleteItem"),
        ("ConditionCheck", "ConditionCheckItem"),
    ] {
        if let Some(t) = item[kind]["TableName"].as_str() {
            return (t.to_owned(), action(name));
        }
    }
    ("?".into(), action("?"))
}

fn is_single_write(op: &str) -> bool {
    matches!(op, "PutItem" | "UpdateItem" | "DeleteItem")
}

/// An item's identity: its table and its key attributes alone (`store::dynamo::schema`: `id`
/// for the tables keyed by id, else `workspace` and the sort key), so that a full item, a
/// `Key` and a keys-only index entry of one item have the same identity.
fn item_key(table: &str, item: &Value) -> (String, String) {
    let attributes: &[&str] = if item["id"]["S"].is_string() {
        &["id"]
    } else {
        &["workspace", "client_id", "username"]
    };
    let key: Vec<String> = attributes
        .iter()
        .filter_map(|k| item[k]["S"].as_str().map(|v| format!("{k}={v}")))
        .collect();
    (table.to_owned(), key.join("&"))
}

/// The items a call writes (or, for a transaction, holds).
fn written_keys(op: &str, json: &Value) -> Vec<(String, String)> {
    let table = json["TableName"].as_str().unwrap_or("?");
    match op {
        "PutItem" => vec![item_key(table, &json["Item"])],
        "UpdateItem" | "DeleteItem" => vec![item_key(table, &json["Key"])],
        "TransactWriteItems" => json["TransactItems"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| {
                        let (kind, body) = i.as_object()?.iter().next()?;
                        let t = body["TableName"].as_str()?;
                        let item = if kind == "Put" {
                            &body["Item"]
                        } else {
                            &body["Key"]
                        };
                        Some(item_key(t, item))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        "BatchWriteItem" => json["RequestItems"]
            .as_object()
            .map(|m| {
                m.iter()
                    .flat_map(|(t, reqs)| {
                        reqs.as_array()
                            .cloned()
                            .unwrap_or_default()
                            .into_iter()
                            .map(|r| {
                                let item = if r["PutRequest"].is_object() {
                                    r["PutRequest"]["Item"].clone()
                                } else {
                                    r["DeleteRequest"]["Key"].clone()
                                };
                                item_key(t, &item)
                            })
                    })
                    .collect()
            })
            .unwrap_or_default(),
        _ => vec![],
    }
}

fn conflicts_with_a_transaction(state: &Mutex<State>, keys: &[(String, String)]) -> bool {
    let mut s = state.lock().expect("harness state");
    let conflict = s.conflicts && keys.iter().any(|k| s.held.contains_key(k));
    s.conflicts_injected += u64::from(conflict);
    conflict
}

/// Marks a transaction's items held; the time to keep it in flight, if conflicts are on.
fn hold_items(state: &Mutex<State>, keys: &[(String, String)]) -> Option<Duration> {
    let mut s = state.lock().expect("harness state");
    if !s.conflicts {
        return None;
    }
    for k in keys {
        *s.held.entry(k.clone()).or_default() += 1;
    }
    Some(s.transaction_hold)
}

fn release_items(state: &Mutex<State>, keys: &[(String, String)]) {
    let mut s = state.lock().expect("harness state");
    for k in keys {
        if let Some(n) = s.held.get_mut(k) {
            *n -= 1;
            if *n == 0 {
                s.held.remove(k);
            }
        }
    }
}

fn remember_writes(state: &Mutex<State>, keys: &[(String, String)]) {
    let mut s = state.lock().expect("harness state");
    let now = Instant::now();
    for k in keys {
        s.written.insert(k.clone(), now);
    }
}

/// A `Query` on an index, with the items written in the last `gsi_lag` left out.
fn lag_index(state: &Mutex<State>, op: &str, request: &Value, body: Bytes) -> Bytes {
    let s = state.lock().expect("harness state");
    let (Some(lag), "Query", Some(_)) = (s.gsi_lag, op, request["IndexName"].as_str()) else {
        return body;
    };
    let table = request["TableName"].as_str().unwrap_or("?");
    let Ok(mut answer) = serde_json::from_slice::<Value>(&body) else {
        return body;
    };
    let fresh = |item: &Value| {
        s.written
            .get(&item_key(table, item))
            .is_some_and(|at| at.elapsed() < lag)
    };
    if let Some(items) = answer["Items"].as_array_mut() {
        items.retain(|i| !fresh(i));
        let n = items.len();
        answer["Count"] = json!(n);
    }
    Bytes::from(answer.to_string())
}
