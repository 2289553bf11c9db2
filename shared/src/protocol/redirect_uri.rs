//! Redirect URI rules (RFC 6749 §3.1.2, RFC 8252 §7, RFC 9700 §2.1): what may be registered
//! (absolute, no fragment, `https`, `http` only on a loopback host, or a native app's
//! private-use scheme), and which registered URI a request names (exact string match).

/// The redirect URI an authorization request resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub uri: String,
    /// Whether the request named it (then the token request must repeat it, §4.1.3).
    pub named: bool,
}

/// Exact string match (RFC 9700 §2.1): a requested URI must equal a registered one; without
/// one, the client must have exactly one registered. The error is for a page, never a redirect.
pub fn choose(registered: &[String], requested: Option<&str>) -> Result<Chosen, &'static str> {
    match requested {
        Some(uri) if is_registered(registered, uri) => Ok(Chosen {
            uri: uri.to_owned(),
            named: true,
        }),
        Some(_) => Err("redirect_uri is not registered for this client (exact match required)"),
        None => match registered {
            [only] => Ok(Chosen {
                uri: only.clone(),
                named: false,
            }),
            [] => Err("this client has no redirect URI registered"),
            _ => Err("redirect_uri is required: this client has several registered"),
        },
    }
}

/// Whether `uri` is one of the registered URIs, character for character.
pub fn is_registered(registered: &[String], uri: &str) -> bool {
    registered.iter().any(|r| r == uri)
}

/// Why a URI may not be registered, or `Ok` if it may (for the operator: names the URI).
pub fn validate_registration(uri: &str) -> Result<(), String> {
    match registration_problem(uri) {
        Some(problem) => Err(format!("redirect URI {uri:?}: {problem}")),
        None => Ok(()),
    }
}

/// Why a URI may not be registered, in fixed words (for a client: nothing of the URI echoed).
pub fn registration_problem(uri: &str) -> Option<&'static str> {
    if uri.is_empty() || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("empty, or contains whitespace");
    }
    if uri.contains('#') {
        return Some("must not contain a fragment");
    }
    let Some((scheme, rest)) = uri.split_once(':') else {
        return Some("not an absolute URI");
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
    if !scheme_ok {
        return Some("malformed scheme");
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => host_of(rest).is_none().then_some("no host"),
        "http" => match host_of(rest) {
            Some(h) if is_loopback(h) => None,
            _ => {
                Some("plain http is only allowed for a loopback host (127.0.0.1, [::1], localhost)")
            }
        },
        // RFC 8252 §7.1: private-use schemes are reverse domain names.
        s if s.contains('.') && !rest.is_empty() => None,
        _ => Some("use https, http on loopback, or a reverse-domain private-use scheme"),
    }
}

/// The origin of a registered redirect URI, as a CSP source: `https://host[:port]`, or the
/// private-use scheme (`com.example.app:`).
pub fn origin(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once(':')?;
    let Some(after) = rest.strip_prefix("//") else {
        return Some(format!("{scheme}:"));
    };
    let authority = after.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    Some(format!("{scheme}://{host_port}"))
}

/// The host of `//host[:port]/...`, without the port.
fn host_of(rest: &str) -> Option<&str> {
    let authority = rest.strip_prefix("//")?.split(['/', '?']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        host_port.split_inclusive(']').next()?
    } else {
        host_port.split(':').next()?
    };
    Some(host).filter(|h| !h.is_empty())
}

pub fn is_loopback(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "[::1]" | "localhost")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            origin("https://a.example:8443/cb?x").as_deref(),
            Some("https://a.example:8443")
        );
        assert_eq!(
            origin("http://u@127.0.0.1:9/cb").as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(
            origin("com.example.app:/oauth").as_deref(),
            Some("com.example.app:")
        );
    }

    #[test]
    fn exact_match() {
        let two = ["https://a/cb".to_owned(), "https://a/cb2".to_owned()];
        assert_eq!(
            choose(&two, Some("https://a/cb2")).unwrap().uri,
            "https://a/cb2"
        );
        for near in [
            "https://a/c",
            "https://a/CB",
            "https://a/cb/",
            "https://a/cb?x",
        ] {
            assert!(choose(&two, Some(near)).is_err(), "{near}");
        }
        assert!(
            choose(&two, None).is_err(),
            "several registered, none named"
        );
        let one = &two[..1];
        assert_eq!(
            choose(one, None),
            Ok(Chosen {
                uri: "https://a/cb".into(),
                named: false
            })
        );
        assert!(choose(&[], None).is_err());
    }

    #[test]
    fn registration_rules() {
        for ok in [
            "https://app.example/cb",
            "https://app.example:8443/cb?x=1",
            "http://127.0.0.1:8080/cb",
            "http://localhost/cb",
            "http://[::1]:9/cb",
            "com.example.app:/oauth",
        ] {
            assert!(validate_registration(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/relative",
            "https://app.example/cb#frag",
            "http://app.example/cb",
            "http://127.0.0.1.evil.example/cb",
            "https:///nohost",
            "javascript:alert(1)",
            "https://app.example/c b",
        ] {
            assert!(validate_registration(bad).is_err(), "{bad}");
        }
    }
}
