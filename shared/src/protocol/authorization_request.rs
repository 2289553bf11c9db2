//! Validation of an authorization request (RFC 6749 §3.1, §4.1.1, §4.1.2.1, §4.2.1; RFC 7636
//! §4.3; RFC 9700 §2.1): which errors may be redirected, and the request the rest of the flow
//! trusts.

use super::client::{Client, GrantType};
use super::deployment::Deployment;
use super::error::{ErrorCode, OAuthError};
use super::form::{repeated_parameter, Form};
use super::pkce::{self, Method};
use super::redirect_uri;
use super::scope::Scopes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    Code,
    Token,
    /// OpenID Connect implicit (Core §3.2): an ID token alone.
    IdToken,
    /// OpenID Connect implicit: an ID token and an access token.
    IdTokenToken,
}

impl ResponseType {
    /// The grant a client must be registered for to ask for this response.
    pub fn grant(self) -> GrantType {
        match self {
            Self::Code => GrantType::AuthorizationCode,
            Self::Token | Self::IdToken | Self::IdTokenToken => GrantType::Implicit,
        }
    }

    /// Whether the answer travels in the fragment (every implicit response, §4.2.2).
    pub fn in_fragment(self) -> bool {
        self != Self::Code
    }

    /// Whether an ID token is part of the answer (OpenID Connect's implicit responses).
    pub fn has_id_token(self) -> bool {
        matches!(self, Self::IdToken | Self::IdTokenToken)
    }
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
    pub prompt: Prompt,
    /// RFC 8707: the audience of the tokens (the `resource`, or the client's default).
    pub audience: Vec<String>,
    /// OpenID Connect: echoed in the ID token.
    pub nonce: Option<String>,
    /// OpenID Connect `max_age`: a sign-in older than this many seconds must be done again.
    pub max_age: Option<u64>,
}

/// Longest `nonce` kept (it is stored with the code and echoed in the ID token).
pub const MAX_NONCE: usize = 512;

/// The `prompt` parameter (OpenID Connect Core §3.1.2.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prompt {
    /// No page may be shown: answer `login_required` or `consent_required` instead.
    pub none: bool,
    /// Sign in again, even with a session (`login`, or `select_account`: one account per
    /// browser here).
    pub login: bool,
    /// Ask for consent, even if it was given before.
    pub consent: bool,
}

impl Prompt {
    /// Space-delimited values; `none` may not be combined with another, and unknown values
    /// are ignored.
    pub fn parse(raw: Option<&str>) -> Result<Self, OAuthError> {
        let mut p = Self::default();
        for value in raw.unwrap_or("").split(' ').filter(|v| !v.is_empty()) {
            match value {
                "none" => p.none = true,
                "login" | "select_account" => p.login = true,
                "consent" => p.consent = true,
                _ => {}
            }
        }
        if p.none && (p.login || p.consent) {
            return Err(OAuthError::invalid_request(
                "prompt=none cannot be combined with another prompt value",
            ));
        }
        Ok(p)
    }
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
        Some(_) => Err(OAuthError::unknown_client()),
        None => Err(OAuthError::invalid_request("client_id is missing")),
    }
}

/// Validates the request of a known client. `repeated` names the parameters sent twice.
pub fn validate(
    params: &Form,
    repeated: &[String],
    client: &Client,
    deployment: &Deployment,
) -> Result<AuthorizationRequest, Rejection> {
    let page = |d: &str| Rejection::Page(OAuthError::invalid_request(d));
    if repeated.iter().any(|p| p == "redirect_uri") {
        return Err(page("redirect_uri is repeated"));
    }
    let chosen =
        redirect_uri::choose(&client.redirect_uris, params.get("redirect_uri")).map_err(page)?;
    let response_type = params.get("response_type");
    let return_to = ReturnTo {
        redirect_uri: chosen.uri,
        in_fragment: parse_response_type(response_type).is_ok_and(|t| t.in_fragment()),
        state: params.get("state").map(str::to_owned),
    };
    let back = |e: OAuthError| Rejection::Redirect(return_to.clone(), e);
    if let Some(name) = repeated.first() {
        return Err(back(repeated_parameter(name)));
    }
    let response_type = parse_response_type(response_type).map_err(back)?;
    deployment
        .ensure_response_type(response_type.grant())
        .map_err(back)?;
    client.ensure_allows(response_type.grant()).map_err(back)?;
    let scope = Scopes::resolve(params.get("scope"), &client.scopes).map_err(back)?;
    // OpenID Connect only when asked for by name (Core §3.1.2.1), never through a default or
    // `*`: an ID token is for a client that will validate it.
    let named_openid = params
        .get("scope")
        .is_some_and(|s| s.split(' ').any(|v| v == "openid"));
    let scope = if named_openid {
        scope
    } else {
        scope.without("openid")
    };
    // Named, and granted (`*` resolves to what the client has, which may lack it).
    let named_openid = named_openid && scope.iter().any(|s| s == "openid");
    // Core §3.2.2.1: an implicit ID token is for a request that asked for openid, with a
    // nonce (it has no other protection against replay).
    if response_type.has_id_token() && !named_openid {
        return Err(back(OAuthError::invalid_request(
            "response_type id_token needs the openid scope",
        )));
    }
    if response_type.has_id_token() && params.get("nonce").is_none() {
        return Err(back(OAuthError::invalid_request(
            "response_type id_token needs a nonce (OpenID Connect Core 3.2.2.1)",
        )));
    }
    let prompt = Prompt::parse(params.get("prompt")).map_err(back)?;
    // Discovery says no request objects: one sent anyway is refused, not ignored (its nonce or
    // redirect_uri would be lost silently).
    for (param, code) in [
        ("request", ErrorCode::RequestNotSupported),
        ("request_uri", ErrorCode::RequestUriNotSupported),
    ] {
        if params.get(param).is_some() {
            return Err(back(OAuthError::new(
                code,
                "request objects are not supported; send the parameters in the query",
            )));
        }
    }
    let challenge = match response_type {
        ResponseType::Code => pkce::challenge(params, client, deployment).map_err(back)?,
        _ => None,
    };
    let audience = super::resource::audience(params.get("resource"), client).map_err(back)?;
    let nonce = params.get("nonce").map(str::to_owned);
    if nonce.as_ref().is_some_and(|n| n.len() > MAX_NONCE) {
        return Err(back(OAuthError::invalid_request(
            "nonce is longer than 512 characters",
        )));
    }
    let max_age = match params.get("max_age") {
        None => None,
        Some(raw) => Some(raw.parse::<u64>().map_err(|_| {
            back(OAuthError::invalid_request(
                "max_age must be a number of seconds",
            ))
        })?),
    };
    Ok(AuthorizationRequest {
        response_type,
        return_to,
        redirect_uri_named: chosen.named,
        scope,
        challenge,
        prompt,
        audience,
        nonce,
        max_age,
    })
}

impl AuthorizationRequest {
    /// Whether a sign-in at `auth_time` is recent enough at `now` for this request's
    /// `max_age` (OpenID Connect Core §3.1.2.1).
    pub fn accepts_sign_in(&self, auth_time: u64, now: u64) -> bool {
        self.max_age
            .is_none_or(|max| now.saturating_sub(auth_time) <= max)
    }
}

fn parse_response_type(raw: Option<&str>) -> Result<ResponseType, OAuthError> {
    // Space-delimited, in any order (OAuth 2.0 Multiple Response Type Encoding Practices).
    let mut parts: Vec<&str> = raw
        .unwrap_or("")
        .split(' ')
        .filter(|p| !p.is_empty())
        .collect();
    parts.sort_unstable();
    match (raw, parts.as_slice()) {
        (None, _) => Err(OAuthError::invalid_request("response_type is missing")),
        (_, ["code"]) => Ok(ResponseType::Code),
        (_, ["token"]) => Ok(ResponseType::Token),
        (_, ["id_token"]) => Ok(ResponseType::IdToken),
        (_, ["id_token", "token"]) => Ok(ResponseType::IdTokenToken),
        _ => Err(OAuthError::new(
            ErrorCode::UnsupportedResponseType,
            "this response_type is not supported; use code, token, id_token or id_token token",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_values() {
        let p = |raw| Prompt::parse(Some(raw));
        assert_eq!(
            p("login consent").unwrap(),
            Prompt {
                none: false,
                login: true,
                consent: true
            }
        );
        assert!(p("none").unwrap().none);
        assert!(p("select_account").unwrap().login);
        assert_eq!(p("unknown").unwrap(), Prompt::default());
        assert!(p("none login").is_err());
    }

    use crate::protocol::pkce::rfc7636_example::CHALLENGE;

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
        validate(&form, &repeated, c, &Deployment::parse(None, true).unwrap())
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

    /// (case, query, which client: one URI / two URIs / public, where the error goes and
    /// its code: "" for no error)
    const CASES: &[(&str, &str, &str, (&str, &str))] = &[
        ("minimal", "response_type=code", "one", ("", "")),
        (
            "named uri",
            "response_type=code&redirect_uri=https://a/cb2",
            "two",
            ("", ""),
        ),
        (
            "several uris, none named",
            "response_type=code",
            "two",
            ("page", "invalid_request"),
        ),
        (
            "unregistered uri",
            "response_type=code&redirect_uri=https://evil/cb",
            "one",
            ("page", "invalid_request"),
        ),
        (
            "prefix of a registered uri",
            "response_type=code&redirect_uri=https://a/c",
            "one",
            ("page", "invalid_request"),
        ),
        (
            "repeated redirect_uri",
            "response_type=code&redirect_uri=https://a/cb&redirect_uri=https://a/cb",
            "one",
            ("page", "invalid_request"),
        ),
        (
            "repeated scope",
            "response_type=code&scope=read&scope=write",
            "one",
            ("redirect", "invalid_request"),
        ),
        (
            "no response_type",
            "",
            "one",
            ("redirect", "invalid_request"),
        ),
        (
            "bad response_type",
            "response_type=code+id_token",
            "one",
            ("redirect", "unsupported_response_type"),
        ),
        (
            "a request object",
            "response_type=code&request=eyJ.e30.",
            "one",
            ("redirect", "request_not_supported"),
        ),
        (
            "a request_uri",
            "response_type=code&request_uri=https://a/r",
            "one",
            ("redirect", "request_uri_not_supported"),
        ),
        (
            "implicit id_token, not registered for implicit",
            "response_type=id_token&scope=read&nonce=n",
            "one",
            ("redirect", "unauthorized_client"),
        ),
        (
            "implicit not registered",
            "response_type=token",
            "one",
            ("redirect", "unauthorized_client"),
        ),
        (
            "scope outside",
            "response_type=code&scope=admin",
            "one",
            ("redirect", "invalid_scope"),
        ),
        (
            "public without pkce",
            "response_type=code",
            "public",
            ("redirect", "invalid_request"),
        ),
        (
            "public with pkce",
            "response_type=code&{pk}",
            "public",
            ("", ""),
        ),
        (
            "plain not allowed",
            "response_type=code&code_challenge={c}&code_challenge_method=plain",
            "public",
            ("redirect", "invalid_request"),
        ),
        (
            "method omitted means plain (RFC 7636 §4.3), not allowed here",
            "response_type=code&code_challenge={c}",
            "public",
            ("redirect", "invalid_request"),
        ),
        (
            "short challenge",
            "response_type=code&code_challenge=abc",
            "public",
            ("redirect", "invalid_request"),
        ),
        (
            "method without challenge",
            "response_type=code&code_challenge_method=S256",
            "one",
            ("redirect", "invalid_request"),
        ),
    ];

    #[test]
    fn validation_table() {
        let one = client(&["https://a/cb"], false);
        let two = client(&["https://a/cb", "https://a/cb2"], false);
        let public = client(&["https://a/cb"], true);
        for (name, query, which, (place, code)) in CASES {
            let c = match *which {
                "one" => &one,
                "two" => &two,
                _ => &public,
            };
            let query = format!("{query}&state=s")
                .replace("{pk}", "code_challenge={c}&code_challenge_method=S256")
                .replace("{c}", CHALLENGE);
            let want = if place.is_empty() {
                Ok(())
            } else {
                Err((*place, code.to_string()))
            };
            assert_eq!(kind(run(&query, c)), want, "{name}");
        }
    }

    #[test]
    fn defaults_and_fragment() {
        let mut c = client(&["https://a/cb"], false);
        let r = run(
            &format!(
                "response_type=code&code_challenge={CHALLENGE}&code_challenge_method=S256&scope=*"
            ),
            &c,
        )
        .unwrap();
        assert_eq!(r.challenge, Some((Method::S256, CHALLENGE.to_owned())));
        assert_eq!(r.scope.to_wire(), "read write");
        assert!(!r.redirect_uri_named && !r.return_to.in_fragment);
        c.grant_types.push(GrantType::Implicit);
        let t = run("response_type=token&prompt=login", &c).unwrap();
        assert!(t.return_to.in_fragment && t.prompt.login && t.challenge.is_none());
        c.policy.allow_plain_pkce = true;
        let p = run(
            &format!("response_type=code&code_challenge={CHALLENGE}"),
            &c,
        )
        .unwrap();
        assert_eq!(p.challenge.unwrap().0, Method::Plain, "plain by default");
    }

    #[test]
    fn a_confidential_client_registered_for_pkce_must_send_a_challenge() {
        let mut c = client(&["https://a/cb"], false);
        c.policy.require_pkce = true;
        assert_eq!(
            kind(run("response_type=code&state=s", &c)),
            Err(("redirect", "invalid_request".into()))
        );
        let with = format!(
            "response_type=code&state=s&code_challenge={CHALLENGE}&code_challenge_method=S256"
        );
        assert!(run(&with, &c).is_ok());
    }
}
