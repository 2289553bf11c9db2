//! Validation of an authorization request (RFC 6749 §3.1, §4.1.1, §4.1.2.1, §4.2.1; RFC 7636
//! §4.3; RFC 9700 §2.1): which errors may be redirected, and the request the rest of the flow
//! trusts.

use super::error::{ErrorCode, OAuthError};
use super::form::Form;
use super::model::{Client, GrantType};
use super::pkce::{self, Method};
use super::scope::Scopes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    Code,
    Token,
}

/// Where, and how, the client is sent back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnTo {
    pub redirect_uri: String,
    /// Implicit responses travel in the fragment (§4.2.2), others in the query.
    pub in_fragment: bool,
    pub state: Option<String>,
}

/// A validated authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub response_type: ResponseType,
    pub return_to: ReturnTo,
    /// Whether the request named `redirect_uri` (then the token request must repeat it).
    pub redirect_uri_named: bool,
    pub scope: Scopes,
    pub challenge: Option<(Method, String)>,
    /// `prompt=login`: authenticate again even with a session.
    pub force_login: bool,
}

/// An authorization error and where it may be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Before the client and its redirect URI are verified: an error page, never a redirect.
    Page(OAuthError),
    /// After: back to the client with `error`, `error_description` and `state`.
    Redirect(ReturnTo, OAuthError),
}

/// The `client_id` of a request, needed before anything else can be checked.
pub fn client_id(params: &Form, repeated: &[String]) -> Result<String, OAuthError> {
    if repeated.iter().any(|p| p == "client_id") {
        return Err(OAuthError::invalid_request("client_id is repeated"));
    }
    match params.get("client_id") {
        Some(id) if id.len() <= super::client_auth::MAX_CLIENT_ID => Ok(id.to_owned()),
        Some(_) => Err(OAuthError::invalid_request("unknown client_id")),
        None => Err(OAuthError::invalid_request("client_id is missing")),
    }
}

/// Validates the request of a known client. `repeated` names the parameters sent twice.
pub fn validate(
    params: &Form,
    repeated: &[String],
    client: &Client,
) -> Result<AuthorizationRequest, Rejection> {
    let page = |d: &str| Rejection::Page(OAuthError::invalid_request(d));
    if repeated.iter().any(|p| p == "redirect_uri") {
        return Err(page("redirect_uri is repeated"));
    }
    let (redirect_uri, named) = match params.get("redirect_uri") {
        Some(uri) if client.redirect_uris.iter().any(|r| r == uri) => (uri.to_owned(), true),
        Some(_) => {
            return Err(page(
                "redirect_uri is not registered for this client (exact match required)",
            ))
        }
        None => match client.redirect_uris.as_slice() {
            [only] => (only.clone(), false),
            [] => return Err(page("this client has no redirect URI registered")),
            _ => {
                return Err(page(
                    "redirect_uri is required: this client has several registered",
                ))
            }
        },
    };
    let response_type = params.get("response_type");
    let return_to = ReturnTo {
        redirect_uri,
        in_fragment: response_type == Some("token"),
        state: params.get("state").map(str::to_owned),
    };
    let back = |e: OAuthError| Rejection::Redirect(return_to.clone(), e);

    if let Some(name) = repeated.first() {
        return Err(back(OAuthError::invalid_request(format!(
            "parameter {name:?} is repeated"
        ))));
    }
    let response_type = match response_type {
        Some("code") => ResponseType::Code,
        Some("token") => ResponseType::Token,
        None => {
            return Err(back(OAuthError::invalid_request(
                "response_type is missing",
            )))
        }
        Some(other) => {
            return Err(back(OAuthError::new(
                ErrorCode::UnsupportedResponseType,
                format!("response_type {other:?} is not supported; use code or token"),
            )))
        }
    };
    let grant = match response_type {
        ResponseType::Code => GrantType::AuthorizationCode,
        ResponseType::Token => GrantType::Implicit,
    };
    if !client.allows(grant) {
        return Err(back(OAuthError::unauthorized_client(format!(
            "this client is not registered for the {} grant",
            grant.as_str()
        ))));
    }
    let scope = Scopes::resolve(params.get("scope"), &client.scopes).map_err(back)?;
    let challenge = match response_type {
        ResponseType::Code => pkce_challenge(params, client).map_err(back)?,
        ResponseType::Token => None,
    };
    Ok(AuthorizationRequest {
        response_type,
        return_to,
        redirect_uri_named: named,
        scope,
        challenge,
        force_login: params
            .get("prompt")
            .is_some_and(|p| p.split(' ').any(|v| v == "login")),
    })
}

/// `code_challenge` and its method: S256 when the method is omitted (stricter than RFC 7636's
/// `plain` default), `plain` only for clients registered for it, required of public clients.
fn pkce_challenge(params: &Form, client: &Client) -> Result<Option<(Method, String)>, OAuthError> {
    let Some(challenge) = params.get("code_challenge") else {
        if client.is_public() {
            return Err(OAuthError::invalid_request(
                "code_challenge is required: public clients must use PKCE (S256)",
            ));
        }
        if params.contains("code_challenge_method") {
            return Err(OAuthError::invalid_request(
                "code_challenge_method without code_challenge",
            ));
        }
        return Ok(None);
    };
    let method = Method::parse(params.get("code_challenge_method").unwrap_or("S256"))?;
    if method == Method::Plain && !client.allow_plain_pkce {
        return Err(OAuthError::invalid_request(
            "code_challenge_method plain is not allowed for this client; use S256",
        ));
    }
    if !pkce::is_valid_verifier(challenge) {
        return Err(OAuthError::invalid_request(
            "code_challenge must be 43-128 characters of A-Z a-z 0-9 - . _ ~",
        ));
    }
    Ok(Some((method, challenge.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn client(uris: &[&str], public: bool) -> Client {
        Client {
            secret_digest: (!public).then(|| "d".into()),
            redirect_uris: uris.iter().map(|u| u.to_string()).collect(),
            grant_types: vec![GrantType::AuthorizationCode],
            scopes: Scopes::parse("read write").unwrap(),
            ..Client::example()
        }
    }

    fn run(query: &str, c: &Client) -> Result<AuthorizationRequest, Rejection> {
        let (form, repeated) = Form::parse_keeping_first(query.as_bytes()).unwrap();
        validate(&form, &repeated, c)
    }

    fn kind(r: Result<AuthorizationRequest, Rejection>) -> Result<(), (&'static str, String)> {
        match r {
            Ok(_) => Ok(()),
            Err(Rejection::Page(e)) => Err(("page", e.code.as_str().to_owned())),
            Err(Rejection::Redirect(to, e)) => {
                assert_eq!(to.state.as_deref(), Some("s"), "state is echoed");
                Err(("redirect", e.code.as_str().to_owned()))
            }
        }
    }

    /// (case, query, client, expected: Ok or where the error goes and its code)
    type Case<'a> = (&'a str, String, &'a Client, Result<(), (&'a str, String)>);

    #[test]
    fn validation_table() {
        let one = client(&["https://a/cb"], false);
        let two = client(&["https://a/cb", "https://a/cb2"], false);
        let public = client(&["https://a/cb"], true);
        let pk = format!("code_challenge={CHALLENGE}");
        let err = |w: &'static str, c: &str| Err((w, c.to_owned()));
        let cases: Vec<Case> = vec![
            ("minimal", "response_type=code&state=s".into(), &one, Ok(())),
            (
                "named uri",
                "response_type=code&redirect_uri=https://a/cb2&state=s".into(),
                &two,
                Ok(()),
            ),
            (
                "several uris, none named",
                "response_type=code&state=s".into(),
                &two,
                err("page", "invalid_request"),
            ),
            (
                "unregistered uri",
                "response_type=code&redirect_uri=https://evil/cb&state=s".into(),
                &one,
                err("page", "invalid_request"),
            ),
            (
                "prefix of a registered uri",
                "response_type=code&redirect_uri=https://a/c&state=s".into(),
                &one,
                err("page", "invalid_request"),
            ),
            (
                "repeated redirect_uri",
                "response_type=code&redirect_uri=https://a/cb&redirect_uri=https://a/cb&state=s"
                    .into(),
                &one,
                err("page", "invalid_request"),
            ),
            (
                "repeated scope",
                "response_type=code&scope=read&scope=write&state=s".into(),
                &one,
                err("redirect", "invalid_request"),
            ),
            (
                "no response_type",
                "state=s".into(),
                &one,
                err("redirect", "invalid_request"),
            ),
            (
                "bad response_type",
                "response_type=id_token&state=s".into(),
                &one,
                err("redirect", "unsupported_response_type"),
            ),
            (
                "implicit not registered",
                "response_type=token&state=s".into(),
                &one,
                err("redirect", "unauthorized_client"),
            ),
            (
                "scope outside",
                "response_type=code&scope=admin&state=s".into(),
                &one,
                err("redirect", "invalid_scope"),
            ),
            (
                "public without pkce",
                "response_type=code&state=s".into(),
                &public,
                err("redirect", "invalid_request"),
            ),
            (
                "public with pkce",
                format!("response_type=code&{pk}&state=s"),
                &public,
                Ok(()),
            ),
            (
                "plain not allowed",
                format!("response_type=code&{pk}&code_challenge_method=plain&state=s"),
                &public,
                err("redirect", "invalid_request"),
            ),
            (
                "short challenge",
                "response_type=code&code_challenge=abc&state=s".into(),
                &public,
                err("redirect", "invalid_request"),
            ),
            (
                "method without challenge",
                "response_type=code&code_challenge_method=S256&state=s".into(),
                &one,
                err("redirect", "invalid_request"),
            ),
        ];
        for (name, query, c, want) in cases {
            assert_eq!(kind(run(&query, c)), want, "{name}");
        }
    }

    #[test]
    fn defaults_and_fragment() {
        let mut c = client(&["https://a/cb"], false);
        let r = run(
            &format!("response_type=code&code_challenge={CHALLENGE}&scope=*"),
            &c,
        )
        .unwrap();
        assert_eq!(
            r.challenge,
            Some((Method::S256, CHALLENGE.to_owned())),
            "S256 by default"
        );
        assert_eq!(r.scope.to_wire(), "read write");
        assert!(!r.redirect_uri_named && !r.return_to.in_fragment);
        c.grant_types.push(GrantType::Implicit);
        let t = run("response_type=token&prompt=login", &c).unwrap();
        assert!(t.return_to.in_fragment && t.force_login && t.challenge.is_none());
        c.allow_plain_pkce = true;
        let p = run(
            &format!("response_type=code&code_challenge={CHALLENGE}&code_challenge_method=plain"),
            &c,
        )
        .unwrap();
        assert_eq!(p.challenge.unwrap().0, Method::Plain);
    }
}
