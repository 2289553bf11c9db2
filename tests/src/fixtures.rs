//! Shared fixtures: the clients, users and codes the tests build on.

use crate::now;
use oauth_core::protocol::code_grant::CodeGrant;
use oauth_core::protocol::pkce::Method;
use oauth_core::protocol::scope::Scopes;
use oauth_core::protocol::user::Owner;
use oauth_core::service::admin::{ClientSpec, Registered};

pub use oauth_core::protocol::pkce::rfc7636_example::{CHALLENGE, VERIFIER};

/// The redirect URI of the test clients.
pub const CB: &str = "https://app.example/cb";
/// A second registered redirect URI.
pub const CB2: &str = "https://app.example/cb2";

/// A confidential client of the default workspace with `grants`, scopes `read write`, and
/// two redirect URIs.
pub fn spec(grants: &[&str]) -> ClientSpec {
    ClientSpec {
        workspace: "default".into(),
        name: "Test app".into(),
        redirect_uris: vec![CB.into(), CB2.into()],
        grant_types: grants.iter().map(|g| g.to_string()).collect(),
        scope: Some("read write".into()),
        ..Default::default()
    }
}

pub fn alice() -> Owner {
    Owner {
        username: "alice".into(),
        sub: "sub-alice".into(),
        generation: 0,
    }
}

/// A code for `r`, issued to `owner` for `read`, bound to [`CB`] and the RFC 7636 challenge.
pub fn code_for(r: &Registered, owner: &Owner) -> CodeGrant {
    CodeGrant {
        workspace: r.client.workspace.clone(),
        client_id: r.client.client_id.clone(),
        redirect_uri: Some(CB.into()),
        scope: Scopes::parse("read").unwrap(),
        username: owner.username.clone(),
        sub: owner.sub.clone(),
        challenge: Some((Method::S256, CHALLENGE.into())),
        grant_id: oauth_core::crypto::new_secret(),
        expires_at: now() + 60,
        used: false,
        user_generation: owner.generation,
        audience: vec![],
        nonce: None,
        auth_time: 0,
    }
}

/// The token request body that redeems `code` as [`code_for`] bound it.
pub fn code_body(code: &str) -> String {
    format!("grant_type=authorization_code&code={code}&redirect_uri={CB}&code_verifier={VERIFIER}")
}

/// `(client_id, client_secret)` of a confidential client.
pub fn creds(r: &Registered) -> (&str, &str) {
    (&r.client.client_id, r.client_secret.as_deref().unwrap())
}

/// A value for `record` as the server mints one: the name its standing is read by (client,
/// subject, family) and a fresh secret.
pub fn token_value(record: &oauth_core::protocol::token_record::TokenRecord) -> String {
    let name = oauth_core::protocol::token_value::TokenName {
        client_id: record.client_id.clone(),
        sub: record.sub.clone(),
        grant_id: record.grant_id.clone(),
    };
    name.value(&oauth_core::crypto::new_secret())
}

/// A session cookie's value as the server mints one: the subject, then a fresh secret.
pub fn session_value(sub: &str) -> String {
    format!("{sub}.{}", oauth_core::crypto::new_secret())
}
