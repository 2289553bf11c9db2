//! Just enough of the W3C WebDriver protocol to drive headless Chromium through chromedriver
//! on loopback. (The WebDriver crates bring aws-lc, a C build, in through their TLS stack;
//! talking to a local driver needs none.)

use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// chromedriver on a free port, and one headless Chromium session.
pub struct Chrome {
    http: reqwest::Client,
    session: String,
    _driver: crate::Background,
}

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

impl Chrome {
    pub async fn start() -> Self {
        assert!(
            Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists(),
            "Chromium is not installed: run `make test` (apt-get install chromium chromium-driver)"
        );
        let port = crate::free_port();
        let mut cmd = Command::new(CHROMEDRIVER);
        cmd.arg(format!("--port={port}"));
        let log = crate::repo_root().join(format!("target/chromedriver-{port}.log"));
        let driver = crate::Background::start(cmd, &log);
        crate::wait_for_port(port, Duration::from_secs(30));
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(600))
            .build()
            .expect("http client");
        let base = format!("http://127.0.0.1:{port}");
        let profile = std::env::temp_dir().join(format!("oauth-chrome-{port}"));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=480,800",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        }}});
        let reply: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .expect("json");
        let session = reply["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {reply}"))
            .to_owned();
        Self {
            http,
            session: format!("{base}/session/{session}"),
            _driver: driver,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.session));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let reply: Value = req
            .send()
            .await
            .expect("webdriver")
            .json()
            .await
            .expect("json");
        if let Some(err) = reply["value"]["error"].as_str() {
            panic!("webdriver {path}: {err}: {}", reply["value"]["message"]);
        }
        reply["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    async fn element(&self, css: &str) -> String {
        let v = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_owned()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let id = self.element(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Runs `script` in the page (WebDriver's "execute script"; not subject to the page's
    /// CSP) and returns what it returns.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        let body = json!({ "script": script, "args": args });
        self.call(reqwest::Method::POST, "/execute/sync", Some(body))
            .await
    }

    /// Runs `script`, which calls its last argument with the result (WebDriver's "execute
    /// async script").
    pub async fn execute_async(&self, script: &str, args: Value) -> Value {
        let body = json!({ "script": script, "args": args });
        self.call(reqwest::Method::POST, "/execute/async", Some(body))
            .await
    }

    /// Resizes the window (a desktop, a phone).
    pub async fn set_window(&self, width: u32, height: u32) {
        let rect = json!({ "width": width, "height": height });
        self.call(reqwest::Method::POST, "/window/rect", Some(rect))
            .await;
    }

    /// A Chrome DevTools Protocol command through chromedriver (e.g. emulating forced colours).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let body = json!({ "cmd": cmd, "params": params });
        self.call(reqwest::Method::POST, "/goog/cdp/execute", Some(body))
            .await
    }

    /// Runs axe-core (injected from `axe_source`, the npm package's `axe.min.js`) on the page
    /// with the WCAG 2.0 and 2.1 A and AA rules; returns its violations.
    pub async fn axe(&self, axe_source: &str) -> Vec<Value> {
        self.execute(&format!("{axe_source}\nreturn true;"), json!([]))
            .await;
        let run = "const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
              .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.map(n => n.html)}))))
              .catch(e => done([{id: 'axe failed', help: String(e)}]));";
        let found = self.execute_async(run, json!([])).await;
        found.as_array().cloned().unwrap_or_default()
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        use base64::Engine;
        let b64 = self.call(reqwest::Method::GET, "/screenshot", None).await;
        base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or(""))
            .expect("base64 PNG")
    }

    /// Waits until the current URL starts with `prefix`.
    pub async fn wait_for_url(&self, prefix: &str, within: Duration) -> String {
        let start = std::time::Instant::now();
        loop {
            let url = self.url().await;
            if url.starts_with(prefix) {
                return url;
            }
            assert!(
                start.elapsed() < within,
                "still at {url}, waiting for {prefix}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the page source contains `text`, and returns it.
    pub async fn wait_for_text(&self, text: &str, within: Duration) -> String {
        let start = std::time::Instant::now();
        loop {
            let source = self.source().await;
            if source.contains(text) {
                return source;
            }
            assert!(
                start.elapsed() < within,
                "no {text:?} in the page: {source}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
