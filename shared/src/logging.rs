//! Logs: JSON lines in Lambda (`AWS_LAMBDA_LOG_FORMAT=JSON`), one span per request. Nothing
//! secret reaches a log at any level: the Lambda runtime logs every raw event (bodies with
//! passwords and client secrets, `Authorization` headers) at TRACE, and the AWS SDK and the
//! HTTP stack log requests at DEBUG and TRACE; those targets are held at INFO (the runtime's
//! event log at DEBUG) whatever level is asked for. The server's own logs never carry a
//! token, code, secret or password.

use lambda_http::tracing::subscriber::filter::{EnvFilter, LevelFilter};
use std::str::FromStr;

/// Targets that would log secrets below these levels.
const CAPPED: [&str; 9] = [
    "lambda_runtime::layers::api_response=debug",
    "lambda_http=info",
    "aws_smithy_runtime=info",
    "aws_smithy_http_client=info",
    "aws_sigv4=info",
    "aws_config=info",
    "hyper=info",
    "hyper_util=info",
    "rustls=info",
];

/// The filter for `level` (e.g. `TRACE`), with the capped targets.
pub fn filter(level: &str) -> EnvFilter {
    let level = LevelFilter::from_str(level).unwrap_or(LevelFilter::INFO);
    let mut filter = EnvFilter::default().add_directive(level.into());
    for cap in CAPPED {
        if let Ok(directive) = cap.parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// Installs the subscriber the functions log through.
pub fn init(settings: &crate::config::LogSettings) {
    let collector = lambda_http::tracing::subscriber::fmt()
        .with_target(false)
        .without_time()
        .with_env_filter(filter(&settings.level));
    if settings.json {
        collector.json().init()
    } else {
        collector.init()
    }
}
