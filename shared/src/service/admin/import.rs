//! Migrating clients with the credentials they already have: the same `client_id` and
//! secret (stored as a digest, as always), one at a time or in bulk. Every entry is checked,
//! and every id looked up, before anything is written.

use super::{build_client, AdminError, ClientSpec};
use crate::crypto;
use crate::protocol::client::Client;
use crate::protocol::client_auth::MAX_CLIENT_ID;
use crate::store::{ClientStore, StoreError, MAX_CLIENTS_AT_ONCE};
use std::collections::HashSet;

/// Shortest secret accepted from elsewhere: secrets are stored as a fast digest, which is
/// safe only for values too long to guess.
pub const MIN_IMPORTED_SECRET: usize = 16;
const MAX_IMPORTED_SECRET: usize = 512;

/// The credentials a client already has. `secret` is `None` for a public client, or for a
/// confidential one that is given a new secret (keeping its id).
#[derive(Clone)]
pub struct Credentials {
    pub client_id: String,
    pub secret: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// A client that was imported, and the secret it was given where none was imported.
#[derive(Debug)]
pub struct Imported {
    pub client: Client,
    pub new_secret: Option<String>,
}

/// RFC 6749 Appendix A: ids and secrets are VSCHARs (printable ASCII).
fn vschars(value: &str) -> bool {
    value.bytes().all(|b| (0x20..=0x7e).contains(&b)) && value.trim() == value
}

fn check(spec: &ClientSpec, c: &Credentials) -> Result<(), AdminError> {
    let invalid = |m: String| Err(AdminError::Invalid(m));
    if c.client_id.is_empty() || c.client_id.len() > MAX_CLIENT_ID || !vschars(&c.client_id) {
        return invalid(format!(
            "client ids are 1-{MAX_CLIENT_ID} printable ASCII characters, without surrounding spaces"
        ));
    }
    match (&c.secret, spec.public) {
        (Some(_), true) => invalid(format!(
            "client {}: a public client has no secret",
            c.client_id
        )),
        (Some(s), false)
            if !(MIN_IMPORTED_SECRET..=MAX_IMPORTED_SECRET).contains(&s.len()) || !vschars(s) =>
        {
            invalid(format!(
                "client {}: secrets are {MIN_IMPORTED_SECRET}-{MAX_IMPORTED_SECRET} printable ASCII characters",
                c.client_id
            ))
        }
        _ => Ok(()),
    }
}

/// The client `spec` describes, under the imported id and secret.
pub fn build_imported(
    spec: &ClientSpec,
    credentials: &Credentials,
    now: u64,
) -> Result<Imported, AdminError> {
    check(spec, credentials)?;
    let built = build_client(spec, now)?;
    let new_secret = built.client_secret.filter(|_| credentials.secret.is_none());
    let secret = credentials.secret.as_deref().or(new_secret.as_deref());
    let client = Client {
        client_id: credentials.client_id.clone(),
        secret_digest: secret.map(crypto::digest),
        ..built.client
    };
    Ok(Imported { client, new_secret })
}

/// Imports every entry, or nothing: when any is invalid, repeats an id, or names a client
/// that exists, nothing is written; the write itself is one transaction (so at most
/// [`MAX_CLIENTS_AT_ONCE`] entries per import).
pub async fn import_clients(
    store: &dyn ClientStore,
    entries: &[(ClientSpec, Credentials)],
    now: u64,
) -> Result<Vec<Imported>, AdminError> {
    if entries.is_empty() || entries.len() > MAX_CLIENTS_AT_ONCE {
        return Err(AdminError::Invalid(format!(
            "an import holds 1 to {MAX_CLIENTS_AT_ONCE} clients: split a larger file"
        )));
    }
    let mut seen = HashSet::new();
    let mut imported = Vec::with_capacity(entries.len());
    for (spec, credentials) in entries {
        let built = build_imported(spec, credentials, now)?;
        let key = (
            built.client.workspace.clone(),
            built.client.client_id.clone(),
        );
        if !seen.insert(key) {
            return Err(AdminError::Invalid(format!(
                "client {} appears twice",
                credentials.client_id
            )));
        }
        imported.push(built);
    }
    for i in &imported {
        if store
            .client(&i.client.workspace, &i.client.client_id)
            .await?
            .is_some()
        {
            return Err(exists(&i.client));
        }
    }
    let clients: Vec<Client> = imported.iter().map(|i| i.client.clone()).collect();
    match store.create_clients(&clients).await {
        Ok(()) => Ok(imported),
        Err(StoreError::ConditionFailed) => Err(AdminError::Exists(
            "one of the clients (created meanwhile): nothing was imported".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

fn exists(c: &Client) -> AdminError {
    AdminError::Exists(format!(
        "client {} in workspace {}",
        c.client_id, c.workspace
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(public: bool) -> ClientSpec {
        ClientSpec {
            workspace: "default".into(),
            name: "Legacy".into(),
            redirect_uris: vec!["https://app.example/cb".into()],
            public,
            ..Default::default()
        }
    }

    fn creds(id: &str, secret: Option<&str>) -> Credentials {
        Credentials {
            client_id: id.into(),
            secret: secret.map(Into::into),
        }
    }

    #[test]
    fn the_imported_secret_is_stored_as_its_digest() {
        let secret = "an-existing-secret-of-some-length";
        let i = build_imported(&spec(false), &creds("legacy-app", Some(secret)), 1).unwrap();
        assert_eq!(i.client.client_id, "legacy-app");
        assert_eq!(i.client.secret_digest, Some(crypto::digest(secret)));
        assert!(i.new_secret.is_none());
        let kept_id = build_imported(&spec(false), &creds("legacy-app", None), 1).unwrap();
        let fresh = kept_id.new_secret.unwrap();
        assert_eq!(kept_id.client.secret_digest, Some(crypto::digest(&fresh)));
    }

    #[test]
    fn bad_credentials_are_refused() {
        let long = "x".repeat(MAX_CLIENT_ID + 1);
        let cases = [
            (spec(false), creds("", None)),
            (spec(false), creds(" padded", None)),
            (spec(false), creds("tab\there", None)),
            (spec(false), creds(&long, None)),
            (spec(false), creds("ok", Some("short"))),
            (
                spec(false),
                creds("ok", Some("non-ascii-secret-é-long-enough")),
            ),
            (
                spec(true),
                creds("ok", Some("a-secret-for-a-public-client")),
            ),
        ];
        for (s, c) in cases {
            assert!(build_imported(&s, &c, 1).is_err(), "{c:?}");
        }
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let shown = format!("{:?}", creds("id", Some("the-secret-value-here")));
        assert!(!shown.contains("the-secret-value-here"), "{shown}");
    }
}
