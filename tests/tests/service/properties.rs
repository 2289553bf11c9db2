//! No request should panic a function (the release profile aborts on panic, which kills the
//! instance). Property tests (`proptest`) over the parsers (form, Basic, redirect URIs, routes)
//! and whole Lambda events: built as JSON the way the runtime receives them, converted by
//! `http::lambda_event` as the functions do, answered by the real handlers, and the answer
//! converted back and serialized as the runtime would send it. A sample, not a proof.
//!
//! `make test` runs each property `PROPTEST_CASES` times (proptest's default, 256);
//! `make fuzz` runs a million of each.

use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use oauth_core::http::authorizer::authorize;
use oauth_core::http::lambda_event;
use oauth_core::http::routes::Function;
use oauth_core::protocol::{client_auth, form::Form, redirect_uri};
use oauth_core::service::admin::Registered;
use oauth_core::AppState;
use oauth_tests::browser::authorization_state;
use oauth_tests::call::basic;
use oauth_tests::fixtures::*;
use oauth_tests::*;
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::json;
use std::sync::OnceLock;

/// A state with a known client, user, code and session, so generated requests reach past the
/// first checks; and a runtime to drive the handlers from proptest's synchronous cases.
struct World {
    runtime: tokio::runtime::Runtime,
    state: AppState,
    app: Registered,
    code: String,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let state = authorization_state();
        let (app, code) = runtime.block_on(async {
            let every = [
                "authorization_code",
                "implicit",
                "refresh_token",
                "password",
                "client_credentials",
            ];
            let mut s = spec(&every);
            s.policy.introspect = true;
            let app = register(&state.store, s).await;
            add_user(&state.store, "default", "alice", "correct horse").await;
            let code = store_code(&state.store, &code_for(&app, &alice())).await;
            (app, code)
        });
        World {
            runtime,
            state,
            app,
            code,
        }
    })
}

fn config() -> Config {
    Config {
        failure_persistence: None,
        ..Config::default()
    }
}

/// Strings that mean something here, and some that are awkward for a parser.
fn word() -> impl Strategy<Value = String> {
    let w = world();
    let known: Vec<String> = [
        w.app.client.client_id.as_str(),
        w.app.client_secret.as_deref().unwrap_or(""),
        w.code.as_str(),
        "alice",
        "correct horse",
        CB,
        CHALLENGE,
        VERIFIER,
        "S256",
        "plain",
        "code",
        "token",
        "authorization_code",
        "refresh_token",
        "password",
        "client_credentials",
        "none login consent",
        "read write",
        "allow",
        "login",
        "consent",
        "%",
        "%zz",
        "%C3%A9",
        "%00",
        "+",
        "&",
        "=",
        "",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    prop_oneof![
        3 => proptest::sample::select(known),
        2 => "[ -~]{0,24}",
        1 => any::<String>(),
    ]
}

/// Parameter names of every endpoint, and some nobody uses.
fn name() -> impl Strategy<Value = String> {
    let names: Vec<String> = [
        "grant_type",
        "code",
        "redirect_uri",
        "code_verifier",
        "client_id",
        "client_secret",
        "refresh_token",
        "username",
        "password",
        "scope",
        "token",
        "token_type_hint",
        "response_type",
        "state",
        "code_challenge",
        "code_challenge_method",
        "prompt",
        "csrf",
        "step",
        "decision",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    prop_oneof![4 => proptest::sample::select(names), 1 => "[ -~]{0,8}"]
}

/// Requests that succeed as they are, for generated pairs to add to or repeat.
fn valid_forms() -> Vec<String> {
    let w = world();
    let id = &w.app.client.client_id;
    vec![
        "grant_type=client_credentials&scope=read".into(),
        "grant_type=password&username=alice&password=correct+horse".into(),
        format!(
            "grant_type=authorization_code&code={}&redirect_uri={CB}&code_verifier={VERIFIER}",
            w.code
        ),
        "grant_type=refresh_token&refresh_token=x".into(),
        "token=x&token_type_hint=refresh_token".into(),
        format!(
            "response_type=code&client_id={id}&redirect_uri={CB}&state=s&code_challenge={CHALLENGE}&code_challenge_method=S256"
        ),
        format!("response_type=token&client_id={id}&redirect_uri={CB}&prompt=none"),
    ]
}

/// `name=value&...`: a valid request with pairs added, or pairs alone; names repeat at times.
fn form_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (proptest::sample::select(valid_forms()), pairs())
            .prop_map(|(valid, more)| format!("{valid}&{more}")),
        pairs(),
    ]
}

fn pairs() -> impl Strategy<Value = String> {
    let pair = (name(), word()).prop_map(|(n, v)| format!("{n}={v}"));
    proptest::collection::vec(pair, 0..6).prop_map(|pairs| pairs.join("&"))
}

fn authorization_header() -> impl Strategy<Value = Option<String>> {
    let w = world();
    let id = w.app.client.client_id.clone();
    prop_oneof![
        Just(None),
        (word(), word()).prop_map(|(i, s)| Some(basic(&i, &s))),
        word().prop_map(move |s| Some(basic(&id, &s))),
        word().prop_map(|t| Some(format!("Bearer {t}"))),
        "[ -~]{0,40}".prop_map(|raw| Some(format!("Basic {raw}"))),
        any::<String>().prop_map(Some),
    ]
}

/// The paths of `function`, with a workspace or none, and others.
fn path(function: Function) -> impl Strategy<Value = String> {
    let paths: Vec<String> = oauth_core::http::routes::ROUTES
        .iter()
        .filter(|r| r.endpoint.function() == function)
        .map(|r| r.path.replace("{workspace}", "acme"))
        .collect();
    prop_oneof![
        8 => proptest::sample::select(paths),
        1 => "/[ -~]{0,30}",
        1 => any::<String>().prop_map(|s| format!("/{s}")),
    ]
}

/// An API Gateway HTTP API (payload 2.0) event for `function`, as JSON.
fn event(function: Function) -> impl Strategy<Value = String> {
    let method = prop_oneof![
        3 => Just("POST"),
        2 => Just("GET"),
        1 => proptest::sample::select(vec!["PUT", "HEAD", "OPTIONS", "DELETE"]),
    ];
    let content_type = proptest::option::weighted(
        0.9,
        prop_oneof![
            4 => Just("application/x-www-form-urlencoded".to_owned()),
            1 => Just("application/x-www-form-urlencoded; charset=ISO-8859-1".to_owned()),
            1 => Just("application/json".to_owned()),
            1 => "[ -~]{0,30}",
        ],
    );
    let cookies = proptest::collection::vec(
        prop_oneof![
            word().prop_map(|v| format!("__Host-session={v}")),
            word().prop_map(|v| format!("__Host-csrf={v}")),
            "[ -~]{0,30}",
        ],
        0..3,
    );
    // API Gateway base64-encodes bodies itself, so `isBase64Encoded` bodies are valid base64.
    let body = prop_oneof![
        form_text().prop_map(|b| (b, false)),
        form_text().prop_map(|b| (base64_encode(b.as_bytes()), true)),
        any::<Vec<u8>>().prop_map(|b| (base64_encode(&b), true)),
        any::<String>().prop_map(|b| (b, false)),
    ];
    let source = prop_oneof!["[0-9.]{1,15}", "[0-9a-f:]{2,39}", any::<String>()];
    (
        method,
        path(function),
        form_text(),
        authorization_header(),
        content_type,
        cookies,
        body,
        source,
    )
        .prop_map(|(method, path, query, auth, ct, cookies, body, source)| {
            let mut headers = serde_json::Map::new();
            if let Some(a) = auth {
                headers.insert("authorization".into(), json!(a));
            }
            if let Some(c) = ct {
                headers.insert("content-type".into(), json!(c));
            }
            json!({
                "version": "2.0",
                "routeKey": "$default",
                "rawPath": path,
                "rawQueryString": query,
                "cookies": cookies,
                "headers": headers,
                "requestContext": {
                    "accountId": "123456789012",
                    "apiId": "api",
                    "domainName": "auth.example",
                    "domainPrefix": "auth",
                    "http": {
                        "method": method,
                        "path": path,
                        "protocol": "HTTP/1.1",
                        "sourceIp": source,
                        "userAgent": "proptest"
                    },
                    "requestId": "id",
                    "routeKey": "$default",
                    "stage": "$default",
                    "time": "25/Nov/2026:00:00:00 +0000",
                    "timeEpoch": 0
                },
                "body": body.0,
                "isBase64Encoded": body.1
            })
            .to_string()
        })
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The event as the functions receive it. One the runtime cannot deserialize (a header value
/// that is not one) is the runtime's error, answered before any function code runs.
fn request(event: &str) -> Option<lambda_http::Request> {
    let event: ApiGatewayV2httpRequest = serde_json::from_str(event).ok()?;
    Some(lambda_event::request(event))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn form_parsing_never_panics(bytes in any::<Vec<u8>>(), text in form_text()) {
        let _ = Form::parse(&bytes);
        let _ = Form::parse_keeping_first(&bytes);
        let _ = Form::parse(text.as_bytes());
        let _ = Form::parse_keeping_first(text.as_bytes());
    }

    #[test]
    fn basic_credentials_never_panic(header in authorization_header(), body in form_text()) {
        if let Ok(form) = Form::parse(body.as_bytes()) {
            let _ = client_auth::presented(header.as_deref(), &form, Some("named"));
        }
    }

    #[test]
    fn redirect_uris_and_routes_never_panic(uri in prop_oneof![word(), "[a-z]{1,6}://[ -~]{0,30}"], path in path(Function::Token)) {
        let _ = redirect_uri::validate_registration(&uri);
        let _ = redirect_uri::origin(&uri);
        let _ = redirect_uri::choose(std::slice::from_ref(&uri), Some(&uri));
        let _ = redirect_uri::choose(&[CB.to_owned()], Some(&uri));
        let _ = oauth_core::http::routes::resolve(&path);
    }

    #[test]
    fn no_event_panics_the_token_function(event in event(Function::Token)) {
        let w = world();
        if let Some(req) = request(&event) {
            let resp = w.runtime.block_on(oauth_core::http::token_function::handle(&w.state, req));
            prop_assert!(resp.status().as_u16() < 500 || resp.status().as_u16() == 503, "{event}");
            prop_assert!(serde_json::to_string(&lambda_event::response(resp)).is_ok());
        }
    }

    #[test]
    fn no_event_panics_the_authorize_function(event in event(Function::Authorize)) {
        let w = world();
        if let Some(req) = request(&event) {
            let resp = w.runtime.block_on(oauth_core::http::authorization::handle(&w.state, req));
            prop_assert!(resp.status().as_u16() < 500, "{event}");
            prop_assert!(serde_json::to_string(&lambda_event::response(resp)).is_ok());
        }
    }

    #[test]
    fn no_event_panics_the_authorizer(header in authorization_header()) {
        let w = world();
        let mut event = json!({
            "version": "2.0",
            "type": "REQUEST",
            "routeArn": "arn:aws:execute-api:us-east-1:123456789012:api/$default/GET/orders",
            "routeKey": "GET /orders",
            "rawPath": "/orders",
            "rawQueryString": "",
            "headers": {},
            "requestContext": {"http": {"method": "GET", "path": "/orders", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "proptest"}}
        });
        if let Some(h) = header {
            event["headers"]["authorization"] = json!(h);
        }
        // A header value the runtime cannot read never reaches the function.
        if let Ok(event) = serde_json::from_value(event) {
            let _ = w.runtime.block_on(authorize(&w.state, "default", &event));
        }
    }
}

/// Why the functions convert events themselves: `lambda_http`'s conversion panics on a raw `"`
/// in the query (aws-lambda-rust-runtime#489). Should this start failing, `lambda_http` has
/// been fixed and `http::lambda_event` could give way to `lambda_http::run`.
#[test]
fn lambda_http_s_own_conversion_panics_where_ours_does_not() {
    let event = json!({
        "version": "2.0",
        "rawPath": "/oauth2/authorize",
        "rawQueryString": "state=\"",
        "headers": {},
        "requestContext": {"http": {"method": "GET"}},
        "isBase64Encoded": false
    })
    .to_string();
    let theirs = std::panic::catch_unwind(|| lambda_http::request::from_str(&event));
    assert!(theirs.is_err(), "lambda_http no longer panics here");
    let ours = request(&event).expect("an event");
    assert_eq!(ours.uri().query(), Some("state=%22"));
}
