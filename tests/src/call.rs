//! Calling the token function's handler directly, as Lambda would.

use base64::{engine::general_purpose::STANDARD, Engine};
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2CustomAuthorizerV2Request;
use lambda_http::http::HeaderMap;
use lambda_http::{Body, Request};
use oauth_core::AppState;
use serde_json::Value;

pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub json: Value,
}

impl Reply {
    pub fn error(&self) -> &str {
        self.json["error"].as_str().unwrap_or("")
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// A string field of the JSON body.
    pub fn field(&self, name: &str) -> String {
        self.json[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} in {}", self.json))
            .to_owned()
    }
}

pub fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

/// A form POST; the body arrives base64-encoded, as API Gateway sends it.
pub fn form_post(path: &str, authorization: Option<&str>, body: &str) -> Request {
    let mut b = lambda_http::http::Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(a) = authorization {
        b = b.header("authorization", a);
    }
    b.body(Body::Binary(body.as_bytes().to_vec()))
        .expect("request")
}

/// `req` as API Gateway delivers it from `source_ip`.
pub fn from(source_ip: &str, req: Request) -> Request {
    use lambda_http::aws_lambda_events::apigw::{
        ApiGatewayV2httpRequestContext, ApiGatewayV2httpRequestContextHttpDescription,
    };
    use lambda_http::request::RequestContext;
    use lambda_http::RequestExt;
    let mut http = ApiGatewayV2httpRequestContextHttpDescription::default();
    http.source_ip = Some(source_ip.to_owned());
    let mut context = ApiGatewayV2httpRequestContext::default();
    context.http = http;
    req.with_request_context(RequestContext::ApiGatewayV2(context))
}

/// A GET without a body.
pub fn get(path: &str) -> Request {
    lambda_http::http::Request::builder()
        .method("GET")
        .uri(path)
        .body(Body::Empty)
        .expect("request")
}

/// Any request to the token function (token, revoke, introspect, metadata).
pub async fn token(state: &AppState, req: Request) -> Reply {
    let resp = oauth_core::http::token_function::handle(state, req).await;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes: &[u8] = match resp.body() {
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => &[],
    };
    let json = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        json,
    }
}

/// `POST /oauth2/token` with a form body and optional Basic credentials.
pub async fn post(state: &AppState, auth: Option<(&str, &str)>, body: &str) -> Reply {
    post_to(state, "/oauth2/token", auth, body).await
}

/// A form POST to any path of the token function.
pub async fn post_to(
    state: &AppState,
    path: &str,
    auth: Option<(&str, &str)>,
    body: &str,
) -> Reply {
    let a = auth.map(|(i, s)| basic(i, s));
    token(state, form_post(path, a.as_deref(), body)).await
}

/// An API Gateway HTTP API authorizer request (payload 2.0) carrying `authorization`.
pub fn authorizer_event(authorization: Option<&str>) -> ApiGatewayV2CustomAuthorizerV2Request {
    let mut headers = serde_json::Map::new();
    if let Some(a) = authorization {
        headers.insert("authorization".into(), serde_json::json!(a));
    }
    serde_json::from_value(serde_json::json!({
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": "arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/GET/orders",
        "identitySource": [authorization.unwrap_or("")],
        "routeKey": "GET /orders",
        "rawPath": "/orders",
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {"http": {"method": "GET", "path": "/orders", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "test"}}
    }))
    .expect("authorizer event")
}

/// A request with a JSON body (or none) and an optional bearer token, to any path of the
/// token function: the registration endpoints (RFC 7591, RFC 7592).
pub async fn json_request(
    state: &AppState,
    (method, path): (&str, &str),
    bearer: Option<&str>,
    body: Option<&Value>,
) -> Reply {
    let mut b = lambda_http::http::Request::builder()
        .method(method)
        .uri(path);
    if let Some(token) = bearer {
        b = b.header("authorization", format!("Bearer {token}"));
    }
    let body = match body {
        Some(v) => {
            b = b.header("content-type", "application/json");
            Body::Text(v.to_string())
        }
        None => Body::Empty,
    };
    token(state, b.body(body).expect("request")).await
}
