//! Sessions table (browser logins, under the digest of the cookie) and consents table
//! (what a user allowed a client, remembered for a while).

use super::item::*;
use super::{secret_key, Store, StoreError};
use crate::protocol::model::Session;
use crate::protocol::scope::Scopes;

fn consent_key(workspace: &str, sub: &str, client_id: &str) -> String {
    format!("{workspace}#{sub}#{client_id}")
}

impl Store {
    pub async fn put_session(&self, value: &str, session: &Session) -> Result<(), StoreError> {
        self.db
            .put_item()
            .table_name(&self.tables.sessions)
            .item("id", s(secret_key(&session.workspace, value)))
            .item("workspace", s(&session.workspace))
            .item("username", s(&session.username))
            .item("sub", s(&session.sub))
            .item("auth_time", n(session.auth_time))
            .item("expires_at", n(session.expires_at))
            .send()
            .await?;
        Ok(())
    }

    pub async fn session(
        &self,
        workspace: &str,
        value: &str,
    ) -> Result<Option<Session>, StoreError> {
        let out = self
            .db
            .get_item()
            .table_name(&self.tables.sessions)
            .key("id", s(secret_key(workspace, value)))
            .send()
            .await?;
        let Some(item) = out.item else {
            return Ok(None);
        };
        Ok(Some(Session {
            workspace: req_s(&item, "workspace")?,
            username: req_s(&item, "username")?,
            sub: req_s(&item, "sub")?,
            auth_time: req_n(&item, "auth_time")?,
            expires_at: req_n(&item, "expires_at")?,
        }))
    }

    /// The scopes a user allowed a client, with when that consent ends.
    pub async fn consent(
        &self,
        workspace: &str,
        sub: &str,
        client_id: &str,
    ) -> Result<Option<(Scopes, u64)>, StoreError> {
        let out = self
            .db
            .get_item()
            .table_name(&self.tables.consents)
            .key("id", s(consent_key(workspace, sub, client_id)))
            .send()
            .await?;
        let Some(item) = out.item else {
            return Ok(None);
        };
        Ok(Some((
            Scopes::from_stored(str_list(&item, "scopes")),
            req_n(&item, "expires_at")?,
        )))
    }

    pub async fn put_consent(
        &self,
        workspace: &str,
        sub: &str,
        client_id: &str,
        scopes: &Scopes,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        self.db
            .put_item()
            .table_name(&self.tables.consents)
            .item("id", s(consent_key(workspace, sub, client_id)))
            .item("scopes", list(scopes.iter().map(str::to_owned)))
            .item("expires_at", n(expires_at))
            .send()
            .await?;
        Ok(())
    }
}
