//! Dynamic client registration (RFC 7591) and its management (RFC 7592): client metadata read
//! and checked, and a registered client's metadata as those endpoints answer it. No I/O.
//! Descriptions name the field at fault and never echo a value.

use super::client::{self, Client, GrantType};
use super::deployment::Deployment;
use super::error::OAuthError;
use super::redirect_uri;
use super::scope::Scopes;
use serde_json::{json, Map, Value};

/// How the client authenticates at the token endpoint (RFC 7591 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    None,
    ClientSecretBasic,
    ClientSecretPost,
}

impl AuthMethod {
    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "none" => Some(Self::None),
            "client_secret_basic" => Some(Self::ClientSecretBasic),
            "client_secret_post" => Some(Self::ClientSecretPost),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
        }
    }

    /// What a stored client says: public clients use `none`; a confidential one is shown
    /// `client_secret_basic`, which it may use as well as `client_secret_post`.
    pub fn of(client: &Client) -> Self {
        if client.is_public() {
            Self::None
        } else {
            Self::ClientSecretBasic
        }
    }
}

/// An initial access token (RFC 7591 §3): what opens registration in a workspace, for a time
/// and a number of clients, and the scopes the clients it registers may have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationGrant {
    pub workspace: String,
    pub expires_at: u64,
    pub uses_left: u64,
    pub scope: Scopes,
}

impl RegistrationGrant {
    /// "No limit" on uses, as stored: far beyond what anyone registers.
    pub const UNLIMITED: u64 = 1 << 53;

    pub fn is_usable(&self, now: u64) -> bool {
        self.expires_at > now && self.uses_left > 0
    }
}

/// Client metadata as a registration or update request sends it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientMetadata {
    pub client_name: Option<String>,
    pub redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub auth_method: AuthMethod,
    pub scope: Option<Scopes>,
    /// `client_uri`, `policy_uri`, `tos_uri`: shown on the consent page.
    pub links: client::ClientLinks,
    /// An update (RFC 7592 §2.2) names the client, and may repeat its secret.
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

impl ClientMetadata {
    pub fn is_public(&self) -> bool {
        self.auth_method == AuthMethod::None
    }
}

fn metadata(d: &str) -> OAuthError {
    OAuthError::invalid_client_metadata(d)
}

fn string<'v>(body: &'v Map<String, Value>, field: &str) -> Result<Option<&'v str>, OAuthError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(metadata(&format!("{field} must be a string"))),
    }
}

fn strings<'v>(
    body: &'v Map<String, Value>,
    field: &str,
) -> Result<Option<Vec<&'v str>>, OAuthError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str())
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(|| metadata(&format!("{field} must be an array of strings"))),
        Some(_) => Err(metadata(&format!("{field} must be an array of strings"))),
    }
}

/// Reads a JSON body of client metadata (RFC 7591 §2). Fields this server does not use are
/// ignored (§2: "MUST ignore"); those it uses are checked against each other and against what
/// the deployment offers. The password grant is for clients an operator registers only.
pub fn parse(body: &[u8], deployment: &Deployment) -> Result<ClientMetadata, OAuthError> {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return Err(metadata(
            "the body must be a JSON object of client metadata (RFC 7591 section 2)",
        ));
    };
    let grant_types = grant_types(&body, deployment)?;
    check_response_types(&body, &grant_types)?;
    let auth_method = match string(&body, "token_endpoint_auth_method")? {
        None => AuthMethod::ClientSecretBasic,
        Some(m) => AuthMethod::parse(m).ok_or_else(|| {
            metadata("token_endpoint_auth_method must be none, client_secret_basic or client_secret_post")
        })?,
    };
    if auth_method == AuthMethod::None && grant_types.contains(&GrantType::ClientCredentials) {
        return Err(metadata(
            "client_credentials needs a client secret: token_endpoint_auth_method none cannot use it",
        ));
    }
    let redirect_uris = redirect_uris(&body, &grant_types)?;
    let client_name = string(&body, "client_name")?.map(str::trim);
    if let Some(problem) = client_name.and_then(client::name_problem) {
        return Err(metadata(&format!("client_name: {problem}")));
    }
    let scope = string(&body, "scope")?
        .map(|s| Scopes::parse(s).map_err(|_| metadata("scope is not a valid scope list")))
        .transpose()?;
    let links = client::ClientLinks {
        homepage: string(&body, "client_uri")?.map(str::to_owned),
        privacy: string(&body, "policy_uri")?.map(str::to_owned),
        terms: string(&body, "tos_uri")?.map(str::to_owned),
    };
    if let Some(problem) = links.problem() {
        return Err(metadata(problem));
    }
    Ok(ClientMetadata {
        client_name: client_name.map(str::to_owned),
        links,
        redirect_uris,
        grant_types,
        auth_method,
        scope,
        client_id: string(&body, "client_id")?.map(str::to_owned),
        client_secret: string(&body, "client_secret")?.map(str::to_owned),
    })
}

/// Default `authorization_code` (§2); each named grant known, offered, and not `password`.
fn grant_types(
    body: &Map<String, Value>,
    deployment: &Deployment,
) -> Result<Vec<GrantType>, OAuthError> {
    let names = strings(body, "grant_types")?.unwrap_or_else(|| vec!["authorization_code"]);
    let mut grants = Vec::new();
    for name in names {
        let grant = GrantType::parse(name)
            .filter(|g| *g != GrantType::Password && deployment.enables(*g))
            .ok_or_else(|| {
                metadata("grant_types may hold authorization_code, implicit, refresh_token and client_credentials, where this server offers them")
            })?;
        if !grants.contains(&grant) {
            grants.push(grant);
        }
    }
    if grants.is_empty() {
        return Err(metadata("grant_types must not be empty"));
    }
    Ok(grants)
}

/// §2.1: `code` goes with `authorization_code`, `token` with `implicit` (default `code`).
fn check_response_types(body: &Map<String, Value>, grants: &[GrantType]) -> Result<(), OAuthError> {
    let named = strings(body, "response_types")?;
    let expected = GrantType::response_types(|g| grants.contains(&g));
    let consistent = match named {
        None => true,
        Some(types) => {
            types.iter().all(|t| expected.contains(t)) && expected.iter().all(|e| types.contains(e))
        }
    };
    if consistent {
        Ok(())
    } else {
        Err(metadata(
            "response_types must match grant_types: code for authorization_code, token for implicit (RFC 7591 section 2.1)",
        ))
    }
}

/// Required where the client redirects; each registrable (RFC 6749 §3.1.2, RFC 8252).
fn redirect_uris(
    body: &Map<String, Value>,
    grants: &[GrantType],
) -> Result<Vec<String>, OAuthError> {
    let uris = strings(body, "redirect_uris")
        .map_err(|_| OAuthError::invalid_redirect_uri("redirect_uris must be an array of strings"))?
        .unwrap_or_default();
    if let Some(problem) = client::redirect_count_problem(uris.len(), grants) {
        return Err(OAuthError::invalid_redirect_uri(format!(
            "redirect_uris: {problem}"
        )));
    }
    let mut kept: Vec<String> = Vec::new();
    for (i, uri) in uris.into_iter().enumerate() {
        if let Some(problem) = redirect_uri::registration_problem(uri) {
            return Err(OAuthError::invalid_redirect_uri(format!(
                "redirect_uris[{i}]: {problem}"
            )));
        }
        if !kept.iter().any(|k| k == uri) {
            kept.push(uri.to_owned());
        }
    }
    Ok(kept)
}

/// A client's registered metadata, as registration (RFC 7591 §3.2.1) and reads (RFC 7592
/// §3) answer it; the caller adds the secret and the registration token where it has them.
pub fn client_information(client: &Client, configuration_uri: &str) -> Value {
    let grant_types: Vec<&str> = client.grant_types.iter().map(|g| g.as_str()).collect();
    let response_types = GrantType::response_types(|g| client.allows(g));
    let mut info = json!({
        "client_id": client.client_id,
        "client_id_issued_at": client.created_at,
        "client_name": client.name,
        "redirect_uris": client.redirect_uris,
        "grant_types": grant_types,
        "response_types": response_types,
        "token_endpoint_auth_method": AuthMethod::of(client).as_str(),
        "registration_client_uri": configuration_uri,
    });
    if !client.scopes.is_empty() {
        info["scope"] = json!(client.scopes.to_wire());
    }
    let links = &client.policy.links;
    for (field, value) in [
        ("client_uri", &links.homepage),
        ("policy_uri", &links.privacy),
        ("tos_uri", &links.terms),
    ] {
        if let Some(uri) = value {
            info[field] = json!(uri);
        }
    }
    if !client.is_public() {
        // §3.2.1: required with a secret; 0 means it does not expire.
        info["client_secret_expires_at"] = json!(0);
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::error::ErrorCode;

    fn parse_json(v: Value) -> Result<ClientMetadata, OAuthError> {
        parse(v.to_string().as_bytes(), &Deployment::default())
    }

    #[test]
    fn defaults_are_rfc_7591s() {
        let m = parse_json(json!({"redirect_uris": ["https://app.example/cb"]})).unwrap();
        assert_eq!(m.grant_types, vec![GrantType::AuthorizationCode]);
        assert_eq!(m.auth_method, AuthMethod::ClientSecretBasic);
        assert_eq!((m.client_name, m.scope), (None, None));
    }

    fn error_cases() -> Vec<(Value, ErrorCode)> {
        let cb = json!(["https://app.example/cb"]);
        vec![
            (json!([1]), ErrorCode::InvalidClientMetadata),
            (
                json!({"redirect_uris": "https://app.example/cb"}),
                ErrorCode::InvalidRedirectUri,
            ),
            (json!({}), ErrorCode::InvalidRedirectUri),
            (
                json!({"redirect_uris": ["http://app.example/cb"]}),
                ErrorCode::InvalidRedirectUri,
            ),
            (
                json!({"redirect_uris": ["https://app.example/cb#x"]}),
                ErrorCode::InvalidRedirectUri,
            ),
            (
                json!({"redirect_uris": cb, "grant_types": ["password"]}),
                ErrorCode::InvalidClientMetadata,
            ),
            (
                json!({"redirect_uris": cb, "grant_types": ["magic"]}),
                ErrorCode::InvalidClientMetadata,
            ),
            (
                json!({"redirect_uris": cb, "grant_types": []}),
                ErrorCode::InvalidClientMetadata,
            ),
            (
                json!({"redirect_uris": cb, "response_types": ["token"]}),
                ErrorCode::InvalidClientMetadata,
            ),
            (
                json!({"redirect_uris": cb, "token_endpoint_auth_method": "private_key_jwt"}),
                ErrorCode::InvalidClientMetadata,
            ),
            (
                json!({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "none"}),
                ErrorCode::InvalidClientMetadata,
            ),
            (
                json!({"redirect_uris": cb, "client_name": ""}),
                ErrorCode::InvalidClientMetadata,
            ),
            (
                json!({"redirect_uris": cb, "client_name": 7}),
                ErrorCode::InvalidClientMetadata,
            ),
            (
                json!({"redirect_uris": cb, "scope": "a\"b"}),
                ErrorCode::InvalidClientMetadata,
            ),
        ]
    }

    #[test]
    fn each_metadata_error() {
        for (body, code) in error_cases() {
            let e = parse_json(body.clone()).unwrap_err();
            assert_eq!(e.code, code, "{body}");
            assert!(
                !e.description.contains("app.example"),
                "never echoed: {body}"
            );
        }
    }

    #[test]
    fn unknown_metadata_is_ignored_and_types_agree() {
        let m = parse_json(json!({
            "redirect_uris": ["https://app.example/cb"],
            "grant_types": ["authorization_code", "implicit", "refresh_token"],
            "response_types": ["token", "code"],
            "logo_uri": "https://app.example/logo.png",
            "token_endpoint_auth_method": "none",
        }))
        .unwrap();
        assert!(m.is_public());
        assert_eq!(m.grant_types.len(), 3);
        let cc = parse_json(json!({"grant_types": ["client_credentials"]})).unwrap();
        assert!(cc.redirect_uris.is_empty(), "no redirect needed");
    }
}
