//! BENCHMARKS.md and its chart, from one run's figures.

use crate::measure::Spread;
use crate::runs::{ColdStart, Grant};
use crate::signing::Cost;
use std::fmt::Write;
use std::path::Path;

pub(crate) struct Run {
    pub(crate) cold: Vec<(&'static str, ColdStart)>,
    pub(crate) grants: Vec<Grant>,
    /// The authorizer on an opaque token and on a JWT.
    pub(crate) verdicts: Vec<Grant>,
    pub(crate) signing: Vec<Cost>,
    pub(crate) sizes: Vec<(&'static str, u64, u64)>,
    pub(crate) pbkdf2_iterations: u32,
}

// AWS list prices, us-east-1, as published on the price pages (not fetched at run time).
const PRICES_AS_OF: &str = "2024-11-01, the date of the last change we know of (DynamoDB \
    on-demand's reduction); they were written into the harness, not fetched, on 2026-11-24";
const LAMBDA_ARM_GB_SECOND: f64 = 0.000_013_333_4;
const LAMBDA_PER_MILLION: f64 = 0.20;
const HTTP_API_PER_MILLION: f64 = 1.00;
const DDB_READ_UNIT_PER_MILLION: f64 = 0.125;
const DDB_WRITE_UNIT_PER_MILLION: f64 = 0.625;
const COGNITO_M2M_PER_MILLION: f64 = 2_250.0;
const MEMORY_GB: f64 = 1.0;

fn cmd(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map(|kib| format!("{:.0} GiB", kib as f64 / 1024.0 / 1024.0))
        .unwrap_or_default();
    format!(
        "{} cores of {cpu}, {mem} RAM, {} ({}); {}; Node.js {}; DynamoDB Local 3.3.0 on {}",
        cmd("nproc", &[]),
        cmd("uname", &["-m"]),
        cmd("uname", &["-r"]),
        cmd("rustc", &["--version"]),
        cmd("node", &["--version"]),
        cmd("java", &["-version"])
            .lines()
            .next()
            .unwrap_or("Java 17"),
    )
}

fn s(x: &Spread, digits: usize) -> String {
    format!("{:.d$} ({:.d$}–{:.d$})", x.median, x.min, x.max, d = digits)
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**missed**"
    }
}

/// The median init of the subject named `name` (NaN if it was not run).
fn init_of(run: &Run, name: impl Fn(&str) -> bool) -> f64 {
    run.cold
        .iter()
        .find(|(n, _)| name(n))
        .map(|(_, c)| c.init_ms.median)
        .unwrap_or(f64::NAN)
}

/// The functions as deployed: not the floor, the peer, or the no-warm-up variant.
fn measured(name: &str) -> bool {
    !name.starts_with("hello") && name != "node-peer" && !name.contains("no warm-up")
}

pub(crate) fn write(root: &Path, run: &Run) -> std::io::Result<()> {
    let mut md = String::new();
    let floor = init_of(run, |n| n.starts_with("hello"));
    let node = init_of(run, |n| n == "node-peer");
    method(&mut md);
    cold_starts(&mut md, run, floor);
    per_grant(&mut md, run);
    verdicts(&mut md, run);
    signing(&mut md, run);
    sizes(&mut md, run);
    cost(&mut md, run);
    targets(&mut md, run, floor, node);
    jwt_targets(&mut md, run);
    meaning(&mut md, run, floor, node);
    std::fs::write(root.join("BENCHMARKS.md"), md)?;
    std::fs::create_dir_all(root.join("docs"))?;
    std::fs::write(root.join("docs/bench-init.svg"), chart(&run.cold))
}

fn method(md: &mut String) {
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(
        md,
        "Written by `make bench` on {} (`date -u`), on {}.\n",
        cmd("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        machine()
    );
    let _ = writeln!(md, "## Method\n");
    let _ = writeln!(
        md,
        "`make bench` builds the four functions and a bare `lambda_runtime` hello-world (the floor) in release \
         mode, installs the Node.js peer's packages, and runs `infra/bench` (`cargo run --release -p oauth-bench`). \
         The harness serves a minimal Lambda Runtime API on loopback and spawns each function with \
         `AWS_LAMBDA_RUNTIME_API` pointing at it: **init** is the time from spawn to the function's first \
         `GET /2018-06-01/runtime/invocation/next`; **first request** is the first invocation after that; **warm** \
         latency is measured over {} further invocations (p50, p99). Each subject is started {} times; tables show \
         the median over runs and, in brackets, the min–max. **Max RSS** is the process's `VmHWM`; **CPU** is the \
         function process's own CPU time (all threads, `/proc/<pid>/task/*/schedstat`) per warm request. \
         DynamoDB Local runs behind a counting proxy that tallies every call by operation, with the request units \
         AWS bills (items are under 1 KB; transactions cost two units per item). The peer is the client_credentials \
         grant as a Node.js handler with `@node-oauth/oauth2-server` and `@aws-sdk/client-dynamodb` on the same \
         tables, run by a Node loop over the same Runtime API (what AWS's Node runtime does). Latencies include \
         DynamoDB Local's own time (Java, SQLite, on the same 2 cores), which is slower than DynamoDB in a region.\n",
        crate::WARM_REQUESTS,
        crate::COLD_RUNS
    );
}

fn cold_starts(md: &mut String, run: &Run, floor: f64) {
    let _ = writeln!(md, "## Cold start, latency, memory\n");
    let _ = writeln!(md, "| function | init ms | init ÷ floor | first request ms | warm p50 ms | warm p99 ms | max RSS MiB | CPU µs / warm request |");
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
    for (name, c) in &run.cold {
        let _ = writeln!(
            md,
            "| {name} | {} | {:.2}× | {} | {} | {} | {} | {} |",
            s(&c.init_ms, 1),
            c.init_ms.median / floor,
            s(&c.first_ms, 2),
            s(&c.warm_p50_ms, 2),
            s(&c.warm_p99_ms, 2),
            s(&c.max_rss_mib, 1),
            s(&c.cpu_us_per_request, 0),
        );
    }
    let _ = writeln!(md, "\nThe measured request: hello: any event; token and node-peer: `grant_type=client_credentials` with HTTP Basic; authorize: `GET /oauth2/authorize` answered with the login page; authorizer: an active opaque bearer token; authorizer, JWT: an active JWT access token (RFC 9068) of the same workspace. \"token, no warm-up\" is the token function with `DYNAMODB_WARM_UP=false`: its init does not open the DynamoDB connection, and its first request does. \"token, keys loaded, JWT\" is the token function as deployed with signing keys (`SIGNING_KMS_KEY_ID`): its init also reads the keyring and opens an RS256 and an ES256 key with KMS (here moto's emulator, a Python process on the same cores, slower than KMS in a region), and it is measured with client_credentials for a client whose access tokens are JWTs. The other token subjects have no signing keys.\n");
    let _ = writeln!(
        md,
        "![Init time per function, median with min–max](docs/bench-init.svg)\n"
    );
}

/// A grant's cold DynamoDB calls by operation ("1 GetItem, 1 PutItem").
fn cold_operations(g: &Grant) -> String {
    let ops: Vec<String> = g
        .cold
        .by_operation
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect();
    ops.join(", ")
}

fn per_grant(md: &mut String, run: &Run) {
    let _ = writeln!(md, "## Per grant (token function)\n");
    let _ = writeln!(md, "One fresh token process per grant (with signing keys, as deployed): the first request runs with a cold client cache, the next ones warm. \"client_credentials, JWT\" is the same grant for a client whose access tokens are JWTs: signed in the function, nothing written. Password hashing uses the production {} PBKDF2 iterations.\n", run.pbkdf2_iterations);
    let _ = writeln!(md, "| grant | requests | DynamoDB calls, cold | DynamoDB calls / warm request | read + write units / warm request | warm p50 ms | warm p99 ms | CPU µs / request |");
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
    for g in &run.grants {
        let n = g.requests as f64;
        let _ = writeln!(
            md,
            "| {} | {} | {} ({}) | {:.2} | {:.2} + {:.2} | {:.2} | {:.2} | {:.0} |",
            g.name,
            g.requests,
            g.cold.calls,
            cold_operations(g),
            g.warm.calls as f64 / n,
            g.warm.read_units / n,
            g.warm.write_units / n,
            g.p50_ms,
            g.p99_ms,
            g.cpu_us_per_request
        );
    }
}

fn verdicts(md: &mut String, run: &Run) {
    let _ = writeln!(md, "\n## The authorizer: DynamoDB calls per verdict\n");
    let _ = writeln!(md, "One fresh authorizer process per kind of token: the first verdict is the cold one, then {} warm ones. An opaque token is looked up with its family's, subject's and client's standing in one `BatchGetItem`; a JWT is verified with the published keys, which a cold process reads once (the keyring, `GetItem`) and keeps for 5 minutes.\n", crate::WARM_REQUESTS);
    let _ = writeln!(md, "| token | DynamoDB calls, cold | DynamoDB calls / warm verdict | read units / warm verdict | warm p50 ms | warm p99 ms | CPU µs / verdict |");
    let _ = writeln!(md, "|---|---|---|---|---|---|---|");
    for g in &run.verdicts {
        let n = g.requests as f64;
        let _ = writeln!(
            md,
            "| {} | {} ({}) | {:.2} | {:.2} | {:.2} | {:.2} | {:.0} |",
            g.name,
            g.cold.calls,
            cold_operations(g),
            g.warm.calls as f64 / n,
            g.warm.read_units / n,
            g.p50_ms,
            g.p99_ms,
            g.cpu_us_per_request
        );
    }
}

fn signing(md: &mut String, run: &Run) {
    let _ = writeln!(md, "\n## Signing, in-process\n");
    let _ = writeln!(md, "The crypto alone, on one core of this machine (release build, `ring`; RSA keys are generated with the `rsa` crate): an RFC 9068 access token of eight claims signed with the function's key, verified against the published JWKS as the authorizer does, and a key generated as the scheduled rotation does. Median µs per operation over 20 batches of 100 (key generation: 10 single runs), min–max in brackets.\n");
    let _ = writeln!(md, "| operation | µs |");
    let _ = writeln!(md, "|---|---|");
    for c in &run.signing {
        let _ = writeln!(
            md,
            "| {} | {:.1} ({:.1}–{:.1}) |",
            c.name, c.us_median, c.us_min, c.us_max
        );
    }
}

fn sizes(md: &mut String, run: &Run) {
    let _ = writeln!(md, "\n## Size\n");
    let _ = writeln!(md, "Release profile (`lto`, `codegen-units = 1`, `strip`, `panic = \"abort\"`), built for this machine's architecture; the zip holds the binary as `bootstrap`, deflated.\n");
    let _ = writeln!(md, "| binary | stripped bytes | MiB | zip bytes |");
    let _ = writeln!(md, "|---|---|---|---|");
    for (name, bytes, zip) in &run.sizes {
        let _ = writeln!(
            md,
            "| {name} | {bytes} | {:.2} | {zip} |",
            *bytes as f64 / 1048576.0
        );
    }
}

fn cost(md: &mut String, run: &Run) {
    let _ = writeln!(md, "\n## Cost per million tokens\n");
    let _ = writeln!(
        md,
        "AWS list prices for us-east-1 as of {PRICES_AS_OF}: Lambda arm64 ${LAMBDA_ARM_GB_SECOND} per GB-s and ${LAMBDA_PER_MILLION:.2} per million requests; HTTP API ${HTTP_API_PER_MILLION:.2} per million requests; DynamoDB on-demand ${DDB_READ_UNIT_PER_MILLION} per million read units and ${DDB_WRITE_UNIT_PER_MILLION} per million write units (transactions at 2×, counted above); Cognito machine-to-machine ${:.2} per 1,000 token requests. Lambda duration is billed at the measured warm p50 (rounded up to the millisecond) at {MEMORY_GB} GB (1024 MB, the template's size). Measured on this x86_64 machine; Graviton differs.\n",
        COGNITO_M2M_PER_MILLION / 1000.0
    );
    let _ = writeln!(md, "| grant | Lambda | HTTP API | DynamoDB | total per million | Cognito M2M per million | Cognito ÷ ours |");
    let _ = writeln!(md, "|---|---|---|---|---|---|---|");
    for g in &run.grants {
        let n = g.requests as f64;
        let lambda =
            LAMBDA_PER_MILLION + g.p50_ms.ceil() / 1000.0 * MEMORY_GB * LAMBDA_ARM_GB_SECOND * 1e6;
        let ddb = g.warm.read_units / n * DDB_READ_UNIT_PER_MILLION
            + g.warm.write_units / n * DDB_WRITE_UNIT_PER_MILLION;
        let total = lambda + HTTP_API_PER_MILLION + ddb;
        let _ = writeln!(
            md,
            "| {} | ${lambda:.2} | ${HTTP_API_PER_MILLION:.2} | ${ddb:.2} | **${total:.2}** | ${COGNITO_M2M_PER_MILLION:.0} | {:.0}× |",
            g.name,
            COGNITO_M2M_PER_MILLION / total
        );
    }
}

fn targets(md: &mut String, run: &Run, floor: f64, node: f64) {
    let _ = writeln!(md, "\n## Targets\n");
    let _ = writeln!(md, "| target | measured | |");
    let _ = writeln!(md, "|---|---|---|");
    for (name, c) in run.cold.iter().filter(|(n, _)| measured(n)) {
        let ratio = c.init_ms.median / floor;
        let _ = writeln!(
            md,
            "| {name}: init ≤ 1.5× the floor | {ratio:.2}× | {} |",
            mark(ratio <= 1.5)
        );
        let faster = node / c.init_ms.median;
        let _ = writeln!(
            md,
            "| {name}: init ≥ 5× faster than the Node.js peer | {faster:.1}× | {} |",
            mark(faster >= 5.0)
        );
        let _ = writeln!(
            md,
            "| {name}: max RSS ≤ 32 MB | {:.1} MiB | {} |",
            c.max_rss_mib.max,
            mark(c.max_rss_mib.max * 1.048_576 <= 32.0)
        );
        let _ = writeln!(
            md,
            "| {name}: CPU per warm request well under 1 ms | {:.0} µs | {} |",
            c.cpu_us_per_request.median,
            mark(c.cpu_us_per_request.median < 500.0)
        );
    }
    for (name, bytes, _) in run.sizes.iter().filter(|(n, _, _)| *n != "hello") {
        let _ = writeln!(
            md,
            "| {name}: stripped binary ≤ 8 MB | {:.2} MB | {} |",
            *bytes as f64 / 1e6,
            mark(*bytes <= 8_000_000)
        );
    }
    for (g, limit) in run.grants.iter().zip([2.0, 2.0, 3.0, 3.0, 1.0]) {
        let cold = g.cold.calls as f64;
        let _ = writeln!(
            md,
            "| {}: DynamoDB round trips ≤ {limit} | {cold} cold, {:.2} warm | {} |",
            g.name,
            g.warm.calls as f64 / g.requests as f64,
            mark(cold <= limit)
        );
    }
}

fn jwt_targets(md: &mut String, run: &Run) {
    if let Some(g) = run.grants.iter().find(|g| g.name.ends_with("JWT")) {
        let writes = g.warm.write_units + g.cold.write_units;
        let _ = writeln!(
            md,
            "| {}: no DynamoDB write | {writes:.2} write units in {} requests | {} |",
            g.name,
            g.requests + 1,
            mark(writes == 0.0)
        );
    }
    if let Some(v) = run.verdicts.iter().find(|v| v.name == "JWT") {
        let _ = writeln!(
            md,
            "| authorizer on a JWT: DynamoDB calls per warm verdict = 0 | {} in {} verdicts | {} |",
            v.warm.calls,
            v.requests,
            mark(v.warm.calls == 0)
        );
    }
}

fn meaning(md: &mut String, run: &Run, floor: f64, node: f64) {
    let cold_of = |name: &str| {
        run.cold
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| c.clone())
            .unwrap_or_default()
    };
    let (warmed, bare) = (cold_of("token"), cold_of("token, no warm-up"));
    let (token, no_warm_up) = (warmed.init_ms.median, bare.init_ms.median);
    let fastest_ratio = run
        .cold
        .iter()
        .filter(|(n, _)| measured(n))
        .map(|(_, c)| node / c.init_ms.median)
        .fold(f64::INFINITY, f64::min);
    let _ = writeln!(md, "\n## What the numbers mean\n");
    let _ = writeln!(
        md,
        "- **Cold start.** Every function's init is at least {fastest_ratio:.0}× shorter than the Node.js peer's, with under a tenth of its memory. \
         The target of 1.5× the bare hello-world is missed: the token function's init is {token:.1} ms against the floor's {floor:.1} ms ({:.1}×). \
         {:.1} ms of it is the DynamoDB warm-up read that opens the connection during init: the same function without it starts in {no_warm_up:.1} ms ({:.1}× the floor), \
         and its first request then takes {:.2} ms instead of {:.2} ms (here without TLS; in AWS the first request would also pay the TLS handshake). \
         The rest is loading a binary about seven times the floor's and building the SDK client (configuration, credentials, TLS trust store). \
         What would close it: no warm-up (`DYNAMODB_WARM_UP=false`, moving the cost to the first request), or a leaner DynamoDB client than the AWS SDK.",
        token / floor,
        token - no_warm_up,
        no_warm_up / floor,
        bare.first_ms.median,
        warmed.first_ms.median,
    );
    let _ = writeln!(
        md,
        "- **Round trips.** Every grant that needs a client and one more item (a code, a refresh token, a user) reads both with one `BatchGetItem`, \
         and writes with one call (a transaction where more than one item changes): two round trips, one for client_credentials once the client \
         record is in the warm function's cache."
    );
    let keyed = cold_of("token, keys loaded, JWT");
    let sign_rs = run
        .signing
        .iter()
        .find(|c| c.name.starts_with("sign") && c.name.ends_with("RS256"))
        .map_or(f64::NAN, |c| c.us_median);
    let _ = writeln!(
        md,
        "- **JWT access tokens.** Loading the signing keys (one keyring read, two KMS decryptions) adds {:.1} ms to the token function's init \
         ({:.1} ms against {token:.1} ms, moto's KMS standing in for AWS's). An RS256 signature costs about {sign_rs:.0} µs of CPU; \
         a client_credentials JWT is signed in the function and written nowhere, so its only DynamoDB call is the client read that the warm cache skips.",
        keyed.init_ms.median - token,
        keyed.init_ms.median,
    );
    let _ = writeln!(
        md,
        "- **Cost.** DynamoDB dominates the user grants (the transactions bill two units per item), API Gateway the client_credentials grant; \
         Lambda's share is small because a warm request takes about a millisecond. Password grants spend most of their time in PBKDF2 \
         ({} iterations), by design.",
        run.pbkdf2_iterations
    );
}

/// Horizontal bars of the median init, with min–max whiskers.
fn chart(cold: &[(&'static str, ColdStart)]) -> String {
    let (left, width, row) = (150.0, 520.0, 34.0);
    let top = 40.0;
    let max = cold
        .iter()
        .map(|(_, c)| c.init_ms.max)
        .fold(0.0_f64, f64::max)
        * 1.1;
    let x = |v: f64| left + v / max * width;
    let height = top + row * cold.len() as f64 + 40.0;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="720" height="{height}" viewBox="0 0 720 {height}" font-family="sans-serif" font-size="13">
<rect width="720" height="{height}" fill="#fff"/>
<text x="10" y="22" font-size="15" font-weight="bold">Init (spawn to first poll of the Runtime API), ms: median, min–max</text>
"##
    );
    for (i, (name, c)) in cold.iter().enumerate() {
        let y = top + row * i as f64;
        let colour = if *name == "node-peer" {
            "#c0504d"
        } else if name.starts_with("hello") {
            "#7f7f7f"
        } else {
            "#1f5bd8"
        };
        let _ = write!(
            svg,
            r##"<text x="{tx}" y="{ty}" text-anchor="end">{name}</text>
<rect x="{left}" y="{y}" width="{w:.1}" height="20" fill="{colour}"/>
<line x1="{x1:.1}" x2="{x2:.1}" y1="{my}" y2="{my}" stroke="#000"/>
<line x1="{x1:.1}" x2="{x1:.1}" y1="{y4}" y2="{y16}" stroke="#000"/>
<line x1="{x2:.1}" x2="{x2:.1}" y1="{y4}" y2="{y16}" stroke="#000"/>
<text x="{lx:.1}" y="{ty}">{m:.1}</text>
"##,
            tx = left - 8.0,
            ty = y + 15.0,
            w = x(c.init_ms.median) - left,
            x1 = x(c.init_ms.min),
            x2 = x(c.init_ms.max),
            my = y + 10.0,
            y4 = y + 4.0,
            y16 = y + 16.0,
            lx = x(c.init_ms.max) + 6.0,
            m = c.init_ms.median,
        );
    }
    let axis_y = top + row * cold.len() as f64 + 5.0;
    let _ = write!(
        svg,
        r##"<line x1="{left}" x2="{r}" y1="{axis_y}" y2="{axis_y}" stroke="#999"/>
<text x="{left}" y="{t}" fill="#555">0</text><text x="{r}" y="{t}" text-anchor="end" fill="#555">{max:.0} ms</text>
</svg>
"##,
        r = left + width,
        t = axis_y + 16.0
    );
    svg
}
