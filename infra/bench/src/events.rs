//! The events each function is invoked with, as API Gateway sends them.

use base64::{engine::general_purpose::STANDARD, Engine};
use serde_json::{json, Value};

/// An API Gateway HTTP API (payload 2.0) event.
pub(crate) fn http_event(
    method: &str,
    path: &str,
    query: &str,
    headers: Value,
    body: Option<&str>,
) -> Value {
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

/// A token request with HTTP Basic credentials and a form body.
pub(crate) fn token_event(basic: &str, form: &str) -> Value {
    http_event(
        "POST",
        "/oauth2/token",
        "",
        json!({"content-type": "application/x-www-form-urlencoded", "authorization": basic, "host": "auth.example"}),
        Some(form),
    )
}

/// A GET of the authorization endpoint (the login page).
pub(crate) fn authorize_event(query: &str) -> Value {
    http_event(
        "GET",
        "/oauth2/authorize",
        query,
        json!({"host": "auth.example"}),
        None,
    )
}

/// An HTTP API Lambda authorizer (payload 2.0) request carrying `token`.
pub(crate) fn authorizer_event(token: &str) -> Value {
    json!({
        "version": "2.0", "type": "REQUEST",
        "routeArn": "arn:aws:execute-api:us-east-1:123456789012:bench/$default/GET/orders",
        "identitySource": [format!("Bearer {token}")], "routeKey": "GET /orders",
        "rawPath": "/orders", "rawQueryString": "",
        "headers": {"authorization": format!("Bearer {token}")},
        "requestContext": {"http": {"method": "GET", "path": "/orders", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "bench"}}
    })
}

/// The JSON body of a function's HTTP answer.
pub(crate) fn body_json(answer: &Value) -> Value {
    answer["body"]
        .as_str()
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null)
}
