//! A counting proxy in front of DynamoDB Local: every request the functions send is forwarded
//! and tallied by operation, with the request units AWS would bill for it.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

/// What passed through since the last reset.
#[derive(Debug, Default, Clone)]
pub(crate) struct Tally {
    pub(crate) calls: u64,
    pub(crate) by_operation: BTreeMap<String, u64>,
    /// Read and write request units, assuming items under 1 KB (ours are).
    pub(crate) read_units: f64,
    pub(crate) write_units: f64,
}

pub(crate) struct Proxy {
    pub(crate) endpoint: String,
    tally: Arc<Mutex<Tally>>,
}

impl Proxy {
    pub(crate) async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
        let tally = Arc::new(Mutex::new(Tally::default()));
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let t = tally.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (t, client, upstream) = (t.clone(), client.clone(), upstream.clone());
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| {
                        forward(t.clone(), client.clone(), upstream.clone(), req)
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Self { endpoint, tally }
    }

    pub(crate) fn take(&self) -> Tally {
        std::mem::take(&mut *self.tally.lock().expect("lock"))
    }
}

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

async fn forward(
    tally: Arc<Mutex<Tally>>,
    client: HttpClient,
    upstream: String,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await?.to_bytes();
    let op = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.split('.').nth(1))
        .unwrap_or("?")
        .to_owned();
    count(&tally, &op, &body);
    let uri = format!(
        "{upstream}{}",
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
    );
    let mut out = Request::builder().method(parts.method).uri(uri);
    for (k, v) in &parts.headers {
        out = out.header(k, v);
    }
    let resp = client
        .request(out.body(Full::new(body)).expect("request"))
        .await
        .expect("DynamoDB Local answers");
    let (parts, body) = resp.into_parts();
    let body = body.collect().await?.to_bytes();
    Ok(Response::from_parts(parts, Full::new(body)))
}

fn count(tally: &Mutex<Tally>, op: &str, body: &[u8]) {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let consistent = json["ConsistentRead"].as_bool() == Some(true);
    let (r, w) = match op {
        "GetItem" => (if consistent { 1.0 } else { 0.5 }, 0.0),
        "Query" => (if consistent { 1.0 } else { 0.5 }, 0.0),
        "PutItem" | "UpdateItem" | "DeleteItem" => (0.0, 1.0),
        // Each key is billed as a read of its own (found or not), by its table's consistency.
        "BatchGetItem" => {
            let units = json["RequestItems"].as_object().map(|m| {
                m.values()
                    .map(|t| {
                        let keys = t["Keys"].as_array().map_or(0, Vec::len) as f64;
                        let each = if t["ConsistentRead"].as_bool() == Some(true) {
                            1.0
                        } else {
                            0.5
                        };
                        keys * each
                    })
                    .sum::<f64>()
            });
            (units.unwrap_or(0.0), 0.0)
        }
        "BatchWriteItem" => {
            let n = json["RequestItems"].as_object().map(|m| {
                m.values()
                    .map(|v| v.as_array().map_or(0, Vec::len))
                    .sum::<usize>()
            });
            (0.0, n.unwrap_or(0) as f64)
        }
        // Transactions cost two units per item: writes in write units, checks in read units.
        "TransactWriteItems" => {
            let items = json["TransactItems"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let checks = items
                .iter()
                .filter(|i| i.get("ConditionCheck").is_some())
                .count() as f64;
            (2.0 * checks, 2.0 * (items.len() as f64 - checks))
        }
        _ => (0.0, 0.0),
    };
    let mut t = tally.lock().expect("lock");
    t.calls += 1;
    *t.by_operation.entry(op.to_owned()).or_default() += 1;
    t.read_units += r;
    t.write_units += w;
}
