//! Resource indicators (RFC 8707): the `resource` a client names becomes its tokens' audience
//! (`aud`), if the client may ask for it; without one, the client's default audience.

use super::client::Client;
use super::error::{ErrorCode, OAuthError};

/// The audience of the tokens a request asks for. One `resource` at most (a repeated
/// parameter is refused before this, as every repeated parameter is); it must be an absolute
/// URI without a fragment (§2) that the client was registered for.
pub fn audience(requested: Option<&str>, client: &Client) -> Result<Vec<String>, OAuthError> {
    let Some(resource) = requested else {
        return Ok(client.policy.audience.clone());
    };
    let absolute = resource.split_once("://").is_some_and(|(scheme, rest)| {
        !scheme.is_empty()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
            && !rest.is_empty()
    });
    if !absolute || resource.contains('#') {
        return Err(OAuthError::new(
            ErrorCode::InvalidTarget,
            "resource must be an absolute URI without a fragment (RFC 8707 section 2)",
        ));
    }
    let p = &client.policy;
    if p.resources.iter().chain(&p.audience).any(|r| r == resource) {
        Ok(vec![resource.to_owned()])
    } else {
        Err(OAuthError::new(
            ErrorCode::InvalidTarget,
            "this client is not registered for the resource it names",
        ))
    }
}

/// A later request of the same grant (a code's exchange, a refresh) may name one of the
/// resources the grant was for, narrowing the audience to it, and no other.
pub fn narrow(requested: Option<&str>, granted: &[String]) -> Result<Vec<String>, OAuthError> {
    match requested {
        None => Ok(granted.to_vec()),
        Some(r) if granted.iter().any(|g| g == r) => Ok(vec![r.to_owned()]),
        Some(_) => Err(OAuthError::new(
            ErrorCode::InvalidTarget,
            "the resource was not part of this grant",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_becomes_the_audience_only_if_registered() {
        let mut c = Client::example();
        c.policy.audience = vec!["https://api.example".into()];
        c.policy.resources = vec!["https://billing.example".into()];
        assert_eq!(audience(None, &c).unwrap(), ["https://api.example"]);
        assert_eq!(
            audience(Some("https://billing.example"), &c).unwrap(),
            ["https://billing.example"]
        );
        assert_eq!(
            audience(Some("https://api.example"), &c).unwrap(),
            ["https://api.example"]
        );
        for bad in [
            "https://evil.example",
            "billing",
            "https://billing.example#x",
            "://x",
        ] {
            let e = audience(Some(bad), &c).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidTarget, "{bad}");
        }
    }

    #[test]
    fn a_later_request_narrows_and_never_widens() {
        let granted = vec![
            "https://a.example".to_owned(),
            "https://b.example".to_owned(),
        ];
        assert_eq!(narrow(None, &granted).unwrap(), granted);
        assert_eq!(
            narrow(Some("https://b.example"), &granted).unwrap(),
            ["https://b.example"]
        );
        assert!(narrow(Some("https://c.example"), &granted).is_err());
    }
}
