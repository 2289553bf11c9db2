//! Sessions table (browser logins, under the digest of the cookie) and consents table
//! (what a user allowed a client, remembered for a while).

use super::item::*;
use super::{secret_key, Store, StoreError};
use crate::protocol::model::Session;
use crate::protocol::scope::Scopes;
use aws_sdk_dynamodb::types::AttributeValue;

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
        let scopes = item
            .get("scopes")
            .and_then(|v| v.as_ss().ok())
            .cloned()
            .unwrap_or_default();
        Ok(Some((
            Scopes::from_stored(scopes),
            req_n(&item, "expires_at")?,
        )))
    }

    /// Adds `scopes` to what the user allowed the client (a string set: allowing `write`
    /// later keeps `read`), and renews the consent until `expires_at`.
    pub async fn add_consent(
        &self,
        workspace: &str,
        sub: &str,
        client_id: &str,
        scopes: &Scopes,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        let mut update = self
            .db
            .update_item()
            .table_name(&self.tables.consents)
            .key("id", s(consent_key(workspace, sub, client_id)))
            .expression_attribute_values(":e", n(expires_at));
        // DynamoDB has no empty sets: a consent to no scope only renews the item.
        update = if scopes.is_empty() {
            update.update_expression("SET expires_at = :e")
        } else {
            let set = AttributeValue::Ss(scopes.iter().map(str::to_owned).collect());
            update
                .update_expression("SET expires_at = :e ADD scopes :s")
                .expression_attribute_values(":s", set)
        };
        update.send().await?;
        Ok(())
    }
}
