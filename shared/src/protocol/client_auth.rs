//! Client authentication (RFC 6749 §2.3): `client_secret_basic`, `client_secret_post`, and
//! `none` for public clients.

use super::client::Client;
use super::error::OAuthError;
use super::form::{decode_component, Form};
use base64::{engine::general_purpose::STANDARD, Engine};

/// The credentials a request presented, before they are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub client_id: String,
    pub secret: Option<String>,
    /// The Basic secret as sent, where percent-decoding changed it: many clients
    /// (requests' `HTTPBasicAuth`, curl `-u`) do not form-encode as RFC 6749 §2.3.1 asks,
    /// which matters only for a secret with `+` or `%` in it (an imported one).
    pub secret_as_sent: Option<String>,
}

/// Longest client id we look up: DynamoDB refuses longer keys, and no registered id is near it.
pub const MAX_CLIENT_ID: usize = 256;

/// Reads the `Authorization` header and the body; exactly one method may carry a secret.
/// `named` is the client a refresh token's value names: RFC 6749 §6 asks a public client for
/// no authentication, so one that sends the refresh token alone is taken to be that client
/// (and authenticating it as `none` then requires it to be public).
pub fn presented(
    authorization: Option<&str>,
    form: &Form,
    named: Option<&str>,
) -> Result<Presented, OAuthError> {
    let body_id = form.get("client_id");
    let body_secret = form.get("client_secret");
    let presented = match authorization {
        None => Presented {
            client_id: body_id
                .or(named.filter(|_| body_secret.is_none()))
                .ok_or_else(|| {
                    OAuthError::invalid_client(
                        "client authentication required: HTTP Basic or client_id in the body",
                    )
                })?
                .to_owned(),
            secret: body_secret.map(str::to_owned),
            secret_as_sent: None,
        },
        Some(header) => {
            let (client_id, secret, secret_as_sent) = parse_basic(header)?;
            if body_secret.is_some() {
                return Err(OAuthError::invalid_request(
                    "client credentials in both the Authorization header and the body: use one method",
                ));
            }
            if body_id.is_some_and(|b| b != client_id) {
                return Err(OAuthError::invalid_request(
                    "client_id in the body differs from the one in the Authorization header",
                ));
            }
            Presented {
                client_id,
                secret: Some(secret).filter(|s| !s.is_empty()),
                secret_as_sent,
            }
        }
    };
    if presented.client_id.len() > MAX_CLIENT_ID {
        return Err(OAuthError::client_authentication_failed());
    }
    Ok(presented)
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))`, decoded per RFC 6749 §2.3.1; and the
/// secret as sent where decoding changed it.
fn parse_basic(header: &str) -> Result<(String, String, Option<String>), OAuthError> {
    let malformed = || OAuthError::invalid_client("malformed HTTP Basic credentials");
    let (scheme, encoded) = header.trim().split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::invalid_client(
            "unsupported Authorization scheme: use HTTP Basic",
        ));
    }
    let raw = STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
    let text = String::from_utf8(raw).map_err(|_| malformed())?;
    let (id, secret) = text.split_once(':').ok_or_else(malformed)?;
    let id = decode_component(id).map_err(|_| malformed())?;
    let as_sent = secret;
    // A secret with a stray `%` was not encoded at all: it is taken as sent.
    let secret = decode_component(as_sent).unwrap_or_else(|_| as_sent.to_owned());
    if id.is_empty() {
        return Err(malformed());
    }
    let as_sent = (secret != as_sent).then(|| as_sent.to_owned());
    Ok((id, secret, as_sent))
}

/// Checks presented credentials against the registered client (`None`: no such client).
/// Every failure reads the same to the caller, so client ids cannot be probed.
pub fn authenticate<C: std::ops::Deref<Target = Client>>(
    presented: &Presented,
    client: Option<C>,
    now: u64,
) -> Result<C, OAuthError> {
    let ok = match (&client, &presented.secret) {
        (Some(c), Some(secret)) => {
            // Both forms checked when they differ, so the time taken says nothing.
            let decoded = c.accepts_secret(secret, now);
            let as_sent = presented
                .secret_as_sent
                .as_ref()
                .is_some_and(|s| c.accepts_secret(s, now));
            decoded | as_sent
        }
        (Some(c), None) => c.is_public(),
        (None, _) => false,
    };
    match client {
        Some(client) if ok => Ok(client),
        _ => Err(OAuthError::client_authentication_failed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto;

    fn basic(id: &str, secret: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
    }

    fn client(secret: Option<&str>) -> Client {
        Client {
            client_id: "app".into(),
            secret_digest: secret.map(crypto::digest),
            ..Client::example()
        }
    }

    #[test]
    fn basic_parts_are_form_urldecoded() {
        let p = presented(Some(&basic("my%20app", "s%3Ac+r")), &Form::default(), None).unwrap();
        assert_eq!(p.client_id, "my app");
        assert_eq!(p.secret.as_deref(), Some("s:c r"));
    }

    #[test]
    fn header_and_body_secret_is_invalid_request() {
        let form = Form::parse(b"client_secret=x").unwrap();
        let err = presented(Some(&basic("a", "b")), &form, None).unwrap_err();
        assert_eq!(err.code.as_str(), "invalid_request");
    }

    #[test]
    fn malformed_or_foreign_schemes_are_invalid_client() {
        for header in ["Basic !!!", "Bearer abc", "Basic", &basic("", "x")] {
            let err = presented(Some(header), &Form::default(), None).unwrap_err();
            assert_eq!(err.code.as_str(), "invalid_client", "{header}");
        }
        let long = basic(&"x".repeat(MAX_CLIENT_ID + 1), "s");
        assert_eq!(
            presented(Some(&long), &Form::default(), None).unwrap_err(),
            OAuthError::client_authentication_failed()
        );
    }

    #[test]
    fn secrets_are_checked_against_the_digest() {
        let c = client(Some("s3cret"));
        let good = presented(Some(&basic("app", "s3cret")), &Form::default(), None).unwrap();
        assert!(authenticate(&good, Some(&c), 0).is_ok());
        let bad = presented(Some(&basic("app", "nope")), &Form::default(), None).unwrap();
        assert_eq!(
            authenticate(&bad, Some(&c), 0).unwrap_err(),
            OAuthError::client_authentication_failed()
        );
        let post = presented(None, &Form::parse(b"client_id=app").unwrap(), None).unwrap();
        assert!(
            authenticate(&post, Some(&c), 0).is_err(),
            "confidential needs a secret"
        );
        assert!(
            authenticate(&post, Some(&client(None)), 0).is_ok(),
            "public: none"
        );
        assert_eq!(
            authenticate::<&Client>(&post, None, 0).unwrap_err(),
            OAuthError::client_authentication_failed(),
            "an unknown client reads like a wrong secret"
        );
    }

    #[test]
    fn a_public_client_presenting_a_secret_fails() {
        let p = presented(
            None,
            &Form::parse(b"client_id=app&client_secret=x").unwrap(),
            None,
        )
        .unwrap();
        assert!(authenticate(&p, Some(&client(None)), 0).is_err());
    }

    #[test]
    fn the_client_a_refresh_token_names_stands_in_for_none_presented() {
        let alone = presented(None, &Form::default(), Some("spa")).unwrap();
        assert_eq!(
            (alone.client_id.as_str(), alone.secret.as_deref()),
            ("spa", None)
        );
        assert!(
            authenticate(&alone, Some(&client(None)), 0).is_ok(),
            "public"
        );
        let confidential = client(Some(&crypto::digest("s")));
        assert!(authenticate(&alone, Some(&confidential), 0).is_err());
        let body = Form::parse(b"client_id=other").unwrap();
        let named = presented(None, &body, Some("spa")).unwrap();
        assert_eq!(named.client_id, "other", "what the client says wins");
        let secret_only = Form::parse(b"client_secret=s").unwrap();
        assert!(presented(None, &secret_only, Some("spa")).is_err());
    }

    /// RFC 6749 §2.3.1 asks for form-encoding inside Basic; requests and curl send the secret
    /// as it is. An imported secret with `+` or `%` works either way.
    #[test]
    fn a_basic_secret_is_accepted_encoded_or_as_sent() {
        let secret = "legacy+secret/with%2Fodd chars";
        let c = client(Some(secret));
        let encoded = "legacy%2Bsecret%2Fwith%252Fodd+chars";
        for sent in [encoded, secret] {
            let p = presented(Some(&basic("app", sent)), &Form::default(), None).unwrap();
            assert!(authenticate(&p, Some(&c), 0).is_ok(), "{sent}");
        }
        let wrong = presented(Some(&basic("app", "legacy secret")), &Form::default(), None);
        assert!(authenticate(&wrong.unwrap(), Some(&c), 0).is_err());
    }

    #[test]
    fn a_replaced_secret_is_accepted_until_its_overlap_ends() {
        let mut c = client(Some("new-secret"));
        c.previous_secret = Some(crate::protocol::client::PreviousSecret {
            digest: crypto::digest("old-secret"),
            until: 100,
        });
        let old = presented(Some(&basic("app", "old-secret")), &Form::default(), None).unwrap();
        let new = presented(Some(&basic("app", "new-secret")), &Form::default(), None).unwrap();
        assert!(authenticate(&old, Some(&c), 99).is_ok());
        assert!(
            authenticate(&old, Some(&c), 100).is_err(),
            "the overlap is over"
        );
        assert!(authenticate(&new, Some(&c), 100).is_ok());
    }
}
