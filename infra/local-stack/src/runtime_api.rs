//! A minimal Lambda Runtime API on loopback: the function's runtime polls
//! `GET /2018-06-01/runtime/invocation/next` and posts its answer to
//! `.../invocation/{id}/response`; the caller hands out one event at a time and times it.

// Test and bench support: a failed step ends the run with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, Mutex as AsyncMutex};

type Reply = oneshot::Sender<Result<Bytes, Bytes>>;

struct Shared {
    events: AsyncMutex<mpsc::Receiver<(String, Bytes, Reply)>>,
    pending: Mutex<HashMap<String, Reply>>,
    first_poll: Mutex<Option<Instant>>,
    polled: tokio::sync::Notify,
}

/// One emulator per function process.
pub struct Emulator {
    pub addr: String,
    shared: Arc<Shared>,
    events: mpsc::Sender<(String, Bytes, Reply)>,
    next_id: u64,
}

impl Emulator {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let (tx, rx) = mpsc::channel(1);
        let shared = Arc::new(Shared {
            events: AsyncMutex::new(rx),
            pending: Mutex::new(HashMap::new()),
            first_poll: Mutex::new(None),
            polled: tokio::sync::Notify::new(),
        });
        let s = shared.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| serve(s.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Self {
            addr,
            shared,
            events: tx,
            next_id: 0,
        }
    }

    /// Waits for the runtime's first poll: the end of its init.
    pub async fn wait_ready(&self, within: Duration) -> Instant {
        let deadline = tokio::time::sleep(within);
        tokio::pin!(deadline);
        loop {
            if let Some(at) = *self.shared.first_poll.lock().expect("lock") {
                return at;
            }
            tokio::select! {
                _ = self.shared.polled.notified() => {}
                _ = &mut deadline => panic!("the function never polled for an invocation"),
            }
        }
    }

    /// Hands `event` to the function and waits for its answer; returns it with the latency.
    pub async fn invoke(&mut self, event: &serde_json::Value) -> (Duration, serde_json::Value) {
        self.next_id += 1;
        let id = format!("bench-{}", self.next_id);
        let (tx, rx) = oneshot::channel();
        let body = Bytes::from(serde_json::to_vec(event).expect("event"));
        let start = Instant::now();
        self.events
            .send((id, body, tx))
            .await
            .expect("emulator alive");
        let answer = tokio::time::timeout(Duration::from_secs(60), rx)
            .await
            .expect("function answered within 60 s")
            .expect("answer");
        let took = start.elapsed();
        let bytes = match answer {
            Ok(b) => b,
            Err(e) => panic!(
                "the function reported an error: {}",
                String::from_utf8_lossy(&e)
            ),
        };
        (
            took,
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        )
    }
}

fn text(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = status;
    r
}

async fn serve(
    s: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    let body = req.into_body().collect().await?.to_bytes();
    let rest = path.strip_prefix("/2018-06-01/runtime/").unwrap_or("");
    if method == Method::GET && rest == "invocation/next" {
        {
            let mut first = s.first_poll.lock().expect("lock");
            if first.is_none() {
                *first = Some(Instant::now());
            }
        }
        s.polled.notify_waiters();
        let Some((id, event, reply)) = s.events.lock().await.recv().await else {
            return Ok(text(StatusCode::GONE, Bytes::new()));
        };
        s.pending.lock().expect("lock").insert(id.clone(), reply);
        let mut r = text(StatusCode::OK, event);
        let h = r.headers_mut();
        h.insert("lambda-runtime-aws-request-id", id.parse().expect("id"));
        h.insert(
            "lambda-runtime-deadline-ms",
            deadline_ms().parse().expect("deadline"),
        );
        h.insert(
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:us-east-1:123456789012:function:bench"
                .parse()
                .expect("arn"),
        );
        h.insert(
            "lambda-runtime-trace-id",
            "Root=1-00000000-000000000000000000000000"
                .parse()
                .expect("trace"),
        );
        h.insert("content-type", "application/json".parse().expect("ct"));
        return Ok(r);
    }
    if method == Method::POST {
        if let Some(id) = rest
            .strip_prefix("invocation/")
            .and_then(|r| r.strip_suffix("/response"))
        {
            if let Some(reply) = s.pending.lock().expect("lock").remove(id) {
                let _ = reply.send(Ok(body));
            }
            return Ok(text(StatusCode::ACCEPTED, Bytes::new()));
        }
        if let Some(id) = rest
            .strip_prefix("invocation/")
            .and_then(|r| r.strip_suffix("/error"))
        {
            if let Some(reply) = s.pending.lock().expect("lock").remove(id) {
                let _ = reply.send(Err(body));
            }
            return Ok(text(StatusCode::ACCEPTED, Bytes::new()));
        }
        if rest == "init/error" {
            panic!("init error: {}", String::from_utf8_lossy(&body));
        }
    }
    Ok(text(StatusCode::NOT_FOUND, Bytes::new()))
}

fn deadline_ms() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (now.as_millis() + 60_000).to_string()
}
