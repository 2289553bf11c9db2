//! Sending the browser on: 302 after a GET, 303 after a POST, with seed 000's JSON body on its
//! path.

use super::pages;
use crate::http::routes::Dialect;
use lambda_http::http::{header, HeaderValue, Method, StatusCode};
use lambda_http::{Body, Request, Response};
use serde::Serialize;

/// Seed 000's body of a redirect (`AuthorizeResponseDto`).
#[derive(Serialize)]
struct RedirectBody<'a> {
    url: &'a str,
    status: u16,
}

/// 302 for a GET, 303 after a POST; in seed 000's dialect with its `{url, status}` body.
pub(super) fn redirect_to(req: &Request, dialect: Dialect, location: &str) -> Response<Body> {
    let status = if req.method() == Method::POST {
        StatusCode::SEE_OTHER
    } else {
        StatusCode::FOUND
    };
    if dialect == Dialect::Rfc {
        return redirect(status, Body::Empty, location);
    }
    let body = serde_json::to_string(&RedirectBody {
        url: location,
        status: status.as_u16(),
    })
    .unwrap_or_default();
    let mut resp = redirect(status, Body::Text(body), location);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

pub(crate) fn see_other(location: &str) -> Response<Body> {
    redirect(StatusCode::SEE_OTHER, Body::Empty, location)
}

fn redirect(status: StatusCode, body: Body, location: &str) -> Response<Body> {
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    pages::protect(&mut resp);
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// The authorize URL again, with `prompt=login` (and `select_account`) dropped: after the
/// login it asked for, the next step must not ask again; `prompt=consent` stays.
pub(super) fn without_prompt(action: &str) -> String {
    let Some((path, query)) = action.split_once('?') else {
        return action.to_owned();
    };
    let kept: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        // A sign-in just made satisfies any max_age: keeping it could send the user back to
        // the login page (whole seconds) for ever.
        .filter(|p| !p.starts_with("max_age=") && *p != "max_age")
        .filter_map(|p| match p.strip_prefix("prompt=") {
            None if p == "prompt" => None,
            None => Some(p.to_owned()),
            Some(values) => {
                let left: Vec<&str> = values
                    .split(['+', ' '])
                    .filter(|v| !v.is_empty() && *v != "login" && *v != "select_account")
                    .collect();
                (!left.is_empty()).then(|| format!("prompt={}", left.join("+")))
            }
        })
        .collect();
    format!("{path}?{}", kept.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_is_dropped_and_the_rest_kept() {
        assert_eq!(
            without_prompt("/oauth2/authorize?client_id=a&prompt=login&state=x"),
            "/oauth2/authorize?client_id=a&state=x"
        );
        assert_eq!(without_prompt("/p?prompts=1"), "/p?prompts=1");
        assert_eq!(
            without_prompt("/p?a=1&prompt=login+consent"),
            "/p?a=1&prompt=consent"
        );
    }
}
