//! Where the authorization endpoint sends the browser back (RFC 6749 §4.1.2, §4.2.2 and their
//! error forms; RFC 9207 `iss`).

use super::authorization_request::ReturnTo;
use super::error::OAuthError;

/// The client's redirect URI with `params`, `state` and RFC 9207's `iss`, in its query or
/// (implicit) its fragment.
pub fn success_url(to: &ReturnTo, params: Vec<(&str, String)>, issuer: &str) -> String {
    redirect_url(to, params, issuer)
}

/// The client's redirect URI with an error (§4.1.2.1, §4.2.2.1).
pub fn error_url(to: &ReturnTo, error: &OAuthError, issuer: &str) -> String {
    let params = vec![
        ("error", error.code.as_str().to_owned()),
        ("error_description", error.description.clone()),
    ];
    redirect_url(to, params, issuer)
}

fn redirect_url(to: &ReturnTo, mut params: Vec<(&str, String)>, issuer: &str) -> String {
    if let Some(state) = &to.state {
        params.push(("state", state.clone()));
    }
    params.push(("iss", issuer.to_owned()));
    let encoded = serde_urlencoded::to_string(&params).unwrap_or_default();
    let separator = if to.in_fragment {
        '#'
    } else if to.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{}{separator}{encoded}", to.redirect_uri)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::error::ErrorCode;

    fn to(uri: &str, fragment: bool) -> ReturnTo {
        ReturnTo {
            redirect_uri: uri.into(),
            in_fragment: fragment,
            state: Some("a b&c".into()),
        }
    }

    #[test]
    fn return_urls_encode_and_place_parameters() {
        let e = OAuthError::new(ErrorCode::AccessDenied, "no");
        assert_eq!(
            error_url(&to("https://a/cb", false), &e, "https://as"),
            "https://a/cb?error=access_denied&error_description=no&state=a+b%26c&iss=https%3A%2F%2Fas"
        );
        assert!(error_url(&to("https://a/cb?x=1", false), &e, "i")
            .starts_with("https://a/cb?x=1&error="));
        assert!(error_url(&to("https://a/cb", true), &e, "i").starts_with("https://a/cb#error="));
        assert_eq!(
            success_url(&to("https://a/cb", false), vec![("code", "k".into())], "i"),
            "https://a/cb?code=k&state=a+b%26c&iss=i"
        );
    }
}
