//! API Gateway HTTP API events (payload 2.0) to requests and responses back, done here rather
//! than by `lambda_http::run`, whose conversion panics on a raw query holding a character
//! `http::Uri` refuses, such as `"` or a space (aws-lambda-rust-runtime#461, #489), or on a
//! body that is not base64 when it says it is. With `panic = "abort"` that kills the instance.
//! Here such characters are percent-encoded (in the path too), which keeps what each
//! parameter decodes to.

use lambda_http::aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use lambda_http::http::header::{HeaderValue, COOKIE, SET_COOKIE};
use lambda_http::http::{HeaderMap, Uri};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, Response};

/// The request an event describes. Never panics: what cannot be read is left out (a path that
/// still fails to parse becomes `/`, which no route serves, so it is answered 404).
pub fn request(event: ApiGatewayV2httpRequest) -> Request {
    let path = escape(event.raw_path.as_deref().unwrap_or(""), b"/");
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    let query = escape(event.raw_query_string.as_deref().unwrap_or(""), b"/?");
    let target = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    let mut req = Request::new(body(event.body.as_deref(), event.is_base64_encoded));
    *req.uri_mut() = target.parse().unwrap_or_else(|_| Uri::from_static("/"));
    *req.method_mut() = event.request_context.http.method.clone();
    *req.headers_mut() = event.headers;
    // API Gateway moves the Cookie header into `cookies`; put it back where it was.
    let cookies = event.cookies.unwrap_or_default().join("; ");
    if let Ok(v) = HeaderValue::from_str(&cookies) {
        if !cookies.is_empty() {
            req.headers_mut().insert(COOKIE, v);
        }
    }
    req.extensions_mut()
        .insert(RequestContext::ApiGatewayV2(event.request_context));
    req
}

/// The event's answer; `Set-Cookie` headers go to `cookies`, as API Gateway expects.
pub fn response(resp: Response<Body>) -> ApiGatewayV2httpResponse {
    let (parts, body) = resp.into_parts();
    let mut headers = parts.headers;
    let cookies = headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect();
    headers.remove(SET_COOKIE);
    let mut out = ApiGatewayV2httpResponse::default();
    out.status_code = i64::from(parts.status.as_u16());
    out.is_base64_encoded = matches!(body, Body::Binary(_));
    out.body = match body {
        Body::Empty => None,
        b => Some(b),
    };
    out.headers = headers;
    out.multi_value_headers = HeaderMap::new();
    out.cookies = cookies;
    out
}

fn body(raw: Option<&str>, base64_encoded: bool) -> Body {
    use base64::Engine;
    match raw {
        None | Some("") => Body::Empty,
        Some(b) if base64_encoded => base64::engine::general_purpose::STANDARD
            .decode(b)
            .map_or(Body::Empty, Body::Binary),
        Some(text) => Body::Text(text.to_owned()),
    }
}

/// `raw` with every byte outside RFC 3986's unreserved and sub-delimiter characters, `:`, `@`,
/// `%` and `extra` percent-encoded.
fn escape(raw: &str, extra: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    for &b in raw.as_bytes() {
        let keep =
            b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@%".contains(&b) || extra.contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http::Method;

    fn event(path: &str, query: &str) -> ApiGatewayV2httpRequest {
        let mut e = ApiGatewayV2httpRequest::default();
        e.raw_path = Some(path.into());
        e.raw_query_string = Some(query.into());
        e.request_context.http.method = Method::POST;
        e.cookies = Some(vec!["a=1".into(), "b=2".into()]);
        e.body = Some("Z3JhbnRfdHlwZT14".into());
        e.is_base64_encoded = true;
        e
    }

    #[test]
    fn characters_a_uri_refuses_are_percent_encoded() {
        let req = request(event("/oauth2/a b", "state=\"x y\"&n=é#f"));
        assert_eq!(req.uri().path(), "/oauth2/a%20b");
        assert_eq!(req.uri().query(), Some("state=%22x%20y%22&n=%C3%A9%23f"));
        assert_eq!(req.method(), Method::POST);
        assert_eq!(req.headers()[COOKIE], "a=1; b=2");
        assert!(matches!(req.body(), Body::Binary(b) if b == b"grant_type=x"));
    }

    #[test]
    fn a_body_that_is_not_base64_is_left_out() {
        let mut e = event("", "");
        e.body = Some("not base64!".into());
        let req = request(e);
        assert_eq!(req.uri().path(), "/");
        assert!(matches!(req.body(), Body::Empty));
    }

    #[test]
    fn set_cookie_goes_to_cookies() {
        let resp = Response::builder()
            .status(302)
            .header(SET_COOKIE, "a=1")
            .header(SET_COOKIE, "b=2")
            .header("location", "/x")
            .body(Body::Text("t".into()))
            .unwrap_or_default();
        let out = response(resp);
        assert_eq!(out.status_code, 302);
        assert_eq!(out.cookies, vec!["a=1", "b=2"]);
        assert!(out.headers.get(SET_COOKIE).is_none() && out.headers.contains_key("location"));
        assert!(!out.is_base64_encoded);
    }
}
