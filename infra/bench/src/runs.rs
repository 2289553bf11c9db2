//! Running a function under the Runtime API emulator: cold starts, and series of grants on one
//! warm process.

use crate::measure::{self, ms, percentile, sorted, spread, Spread};
use crate::proxy::{Proxy, Tally};
use local_stack::runtime_api::Emulator;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

pub(crate) const COLD_RUNS: usize = 10;
pub(crate) const WARM_REQUESTS: usize = 200;

/// One process under test: how to start it and the request it is measured with.
pub(crate) struct Subject {
    pub(crate) name: &'static str,
    pub(crate) program: PathBuf,
    pub(crate) args: Vec<String>,
    pub(crate) event: Value,
    /// Extra environment for this subject only.
    pub(crate) env: Vec<(&'static str, String)>,
}

impl Subject {
    /// A binary of `target/release`, measured with `event`.
    pub(crate) fn release(name: &'static str, binary: PathBuf, event: Value) -> Self {
        Self {
            name,
            program: binary,
            args: vec![],
            event,
            env: vec![],
        }
    }
}

/// What the cold-start runs of one subject measured.
#[derive(Debug, Clone, Default)]
pub(crate) struct ColdStart {
    pub(crate) init_ms: Spread,
    pub(crate) first_ms: Spread,
    pub(crate) warm_p50_ms: Spread,
    pub(crate) warm_p99_ms: Spread,
    pub(crate) max_rss_mib: Spread,
    pub(crate) cpu_us_per_request: Spread,
}

/// What one grant costs on a warm token function.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grant {
    pub(crate) name: &'static str,
    pub(crate) requests: usize,
    pub(crate) cold: Tally,
    pub(crate) warm: Tally,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    pub(crate) cpu_us_per_request: f64,
}

/// The environment every subject gets (DynamoDB endpoint, tables, issuer).
pub(crate) struct Env {
    pub(crate) vars: Vec<(String, String)>,
}

/// A started process with its emulator, ready for invocations.
pub(crate) struct Running {
    pub(crate) emu: Emulator,
    /// Killed when dropped.
    _child: Child,
    pub(crate) pid: u32,
    /// From spawn to the runtime's first `next` call.
    pub(crate) init: Duration,
}

/// Starts `subject` under a fresh emulator and waits until its init is done.
pub(crate) async fn start(subject: &Subject, env: &Env) -> Running {
    let emu = Emulator::start().await;
    let mut cmd = Command::new(&subject.program);
    cmd.args(&subject.args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", &emu.addr)
        .env("AWS_LAMBDA_FUNCTION_NAME", subject.name)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_LEVEL", "WARN")
        .envs(env.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .envs(subject.env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    // The peer resolves its packages next to its script.
    if let Some(dir) = subject.args.first().and_then(|a| Path::new(a).parent()) {
        cmd.current_dir(dir);
    }
    let started = Instant::now();
    let child = cmd.spawn().expect("spawn function");
    let pid = child.id().expect("pid");
    let ready = emu.wait_ready(Duration::from_secs(60)).await;
    Running {
        emu,
        _child: child,
        pid,
        init: ready - started,
    }
}

impl Running {
    /// Invokes once; asserts a successful answer.
    pub(crate) async fn invoke(&mut self, name: &str, event: &Value) -> (Duration, Value) {
        let (took, answer) = self.emu.invoke(event).await;
        let status = answer["statusCode"].as_u64().unwrap_or(200);
        let authorized = answer.get("isAuthorized").is_none_or(|a| a == true);
        assert!(
            (200..400).contains(&status) && authorized,
            "{name} answered {answer}"
        );
        (took, answer)
    }

    /// `n` invocations made by `next` (given the previous answer): latencies in ms, and the
    /// CPU per request in microseconds.
    pub(crate) async fn series(
        &mut self,
        name: &str,
        n: usize,
        last: &mut Value,
        mut next: impl FnMut(&Value) -> Value,
    ) -> (Vec<f64>, f64) {
        let cpu_before = measure::cpu_ns(self.pid);
        let mut latencies = Vec::with_capacity(n);
        for _ in 0..n {
            let (took, answer) = self.invoke(name, &next(last)).await;
            latencies.push(ms(took));
            *last = answer;
        }
        let cpu = (measure::cpu_ns(self.pid) - cpu_before) as f64 / 1000.0 / n as f64;
        (sorted(latencies), cpu)
    }
}

/// Cold starts of `subject`, each followed by a first and `WARM_REQUESTS` warm requests.
pub(crate) async fn cold_starts(subject: &Subject, env: &Env) -> ColdStart {
    let mut runs: [Vec<f64>; 6] = Default::default();
    for _ in 0..COLD_RUNS {
        let mut p = start(subject, env).await;
        let (first, _) = p.invoke(subject.name, &subject.event).await;
        let mut last = Value::Null;
        let event = subject.event.clone();
        let (warm, cpu) = p
            .series(subject.name, WARM_REQUESTS, &mut last, |_| event.clone())
            .await;
        let rss = measure::max_rss_kib(p.pid) as f64 / 1024.0;
        let readings = [
            ms(p.init),
            ms(first),
            percentile(&warm, 50.0),
            percentile(&warm, 99.0),
            rss,
            cpu,
        ];
        for (run, reading) in runs.iter_mut().zip(readings) {
            run.push(reading);
        }
    }
    let [init, first, p50, p99, rss, cpu] = runs.map(|r| spread(&r));
    ColdStart {
        init_ms: init,
        first_ms: first,
        warm_p50_ms: p50,
        warm_p99_ms: p99,
        max_rss_mib: rss,
        cpu_us_per_request: cpu,
    }
}

/// Runs `requests` requests on one fresh process of `token` (a token function, or the
/// authorizer); the first is the cold one.
pub(crate) async fn grant(
    name: &'static str,
    token: &Subject,
    env: &Env,
    proxy: &Proxy,
    requests: usize,
    mut next: impl FnMut(&Value) -> Value,
) -> Grant {
    let mut p = start(token, env).await;
    proxy.take(); // the init's warm-up read is not the grant's
    let (_, first) = p.invoke(name, &next(&Value::Null)).await;
    let cold = proxy.take();
    let mut last = first;
    let (lat, cpu) = p.series(name, requests, &mut last, next).await;
    Grant {
        name,
        requests,
        cold,
        warm: proxy.take(),
        p50_ms: percentile(&lat, 50.0),
        p99_ms: percentile(&lat, 99.0),
        cpu_us_per_request: cpu,
    }
}
