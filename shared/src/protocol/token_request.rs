//! A token request's grant and its parameters (RFC 6749 §4.1.3, §4.3.2, §4.4.2, §6).

use super::client::GrantType;
use super::error::{ErrorCode, OAuthError};
use super::form::Form;

/// A parsed token request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantRequest {
    AuthorizationCode {
        code: String,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
    },
    RefreshToken {
        refresh_token: String,
        scope: Option<String>,
    },
    ClientCredentials {
        scope: Option<String>,
    },
    Password {
        username: String,
        password: String,
        scope: Option<String>,
    },
}

/// Longest username we look up (DynamoDB refuses keys over 1 KB; the admin CLI allows 256).
pub const MAX_USERNAME: usize = 256;

/// The grant a token request names, before its other parameters are read (so a grant the
/// deployment does not offer is `unsupported_grant_type` whatever else is missing).
pub fn grant_type(form: &Form) -> Result<GrantType, OAuthError> {
    match form.require("grant_type")? {
        // `code` is seed 001's spelling of the code exchange.
        "authorization_code" | "code" => Ok(GrantType::AuthorizationCode),
        "refresh_token" => Ok(GrantType::RefreshToken),
        "client_credentials" => Ok(GrantType::ClientCredentials),
        "password" => Ok(GrantType::Password),
        _ => Err(OAuthError::new(
            ErrorCode::UnsupportedGrantType,
            "this grant_type is not supported; use authorization_code, refresh_token, \
             client_credentials or password",
        )),
    }
}

impl GrantRequest {
    pub fn parse(form: &Form) -> Result<Self, OAuthError> {
        let owned = |name: &str| form.get(name).map(str::to_owned);
        let required = |name: &str| form.require(name).map(str::to_owned);
        match grant_type(form)? {
            GrantType::AuthorizationCode => Ok(Self::AuthorizationCode {
                code: required("code")?,
                redirect_uri: owned("redirect_uri"),
                code_verifier: owned("code_verifier"),
            }),
            GrantType::RefreshToken => Ok(Self::RefreshToken {
                refresh_token: required("refresh_token")?,
                scope: owned("scope"),
            }),
            GrantType::ClientCredentials => Ok(Self::ClientCredentials {
                scope: owned("scope"),
            }),
            GrantType::Password => Ok(Self::Password {
                username: username(form)?,
                password: required("password")?,
                scope: owned("scope"),
            }),
            GrantType::Implicit => Err(OAuthError::new(
                ErrorCode::UnsupportedGrantType,
                "implicit is a response_type of the authorization endpoint, not a grant_type",
            )),
        }
    }

    pub fn grant_type(&self) -> GrantType {
        match self {
            Self::AuthorizationCode { .. } => GrantType::AuthorizationCode,
            Self::RefreshToken { .. } => GrantType::RefreshToken,
            Self::ClientCredentials { .. } => GrantType::ClientCredentials,
            Self::Password { .. } => GrantType::Password,
        }
    }
}

/// The `username` of a password grant: required, and no longer than any user's can be (a
/// longer one cannot exist, and reads as wrong credentials).
fn username(form: &Form) -> Result<String, OAuthError> {
    let name = form.require("username")?;
    if name.len() > MAX_USERNAME {
        return Err(OAuthError::wrong_credentials());
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_type_parsing() {
        let parse =
            |b: &[u8]| GrantRequest::parse(&Form::parse(b).unwrap()).map_err(|e| e.code.as_str());
        assert!(matches!(
            parse(b"grant_type=code&code=x"),
            Ok(GrantRequest::AuthorizationCode { .. })
        ));
        assert_eq!(
            parse(b"grant_type=magic").unwrap_err(),
            "unsupported_grant_type"
        );
        assert_eq!(parse(b"code=x").unwrap_err(), "invalid_request");
        assert_eq!(
            parse(b"grant_type=password&username=u").unwrap_err(),
            "invalid_request"
        );
        let long = format!(
            "grant_type=password&password=p&username={}",
            "u".repeat(257)
        );
        assert_eq!(parse(long.as_bytes()).unwrap_err(), "invalid_grant");
    }
}
