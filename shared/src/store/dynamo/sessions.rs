//! Sessions table: browser logins, under the digest of the cookie (whose value begins with the
//! subject, so the subject's marker is read with the session), and the pages' spent form ids.

use super::item::*;
use super::DynamoStore;
use crate::protocol::user::Session;
use crate::store::{secret_key, subject_key, SessionStore, StoreError, StoreResult};
use async_trait::async_trait;

#[async_trait]
impl SessionStore for DynamoStore {
    async fn put_session(&self, value: &str, session: &Session) -> StoreResult<()> {
        let mut item = id(secret_key(&session.workspace, value));
        item.extend([
            ("workspace".into(), s(&session.workspace)),
            ("username".into(), s(&session.username)),
            ("sub".into(), s(&session.sub)),
            ("auth_time".into(), n(session.auth_time)),
            ("expires_at".into(), n(session.expires_at)),
            ("generation".into(), n(session.generation)),
        ]);
        self.put(&self.tables.sessions, item, None).await
    }

    async fn spend_form(&self, workspace: &str, form: &str, expires_at: u64) -> StoreResult<bool> {
        let mut item = id(crate::store::form_key(workspace, form));
        item.insert("expires_at".into(), n(expires_at));
        // Kept past its TTL (DynamoDB deletes late, never early): a form id older than its
        // lifetime is refused as expired before it gets here.
        match self.put(&self.tables.sessions, item, Some("id")).await {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn release_form(&self, workspace: &str, form: &str) -> StoreResult<()> {
        let key = id(crate::store::form_key(workspace, form));
        self.delete(&self.tables.sessions, key, None).await
    }

    async fn end_session(&self, workspace: &str, value: &str) -> StoreResult<()> {
        let key = id(secret_key(workspace, value));
        self.delete(&self.tables.sessions, key, None).await
    }

    async fn session(&self, workspace: &str, value: &str) -> StoreResult<Option<(Session, u64)>> {
        let Some((sub, _)) = value.split_once('.') else {
            return Ok(None);
        };
        let (sessions, tokens) = (self.tables.sessions.as_str(), self.tables.tokens.as_str());
        let key = id(secret_key(workspace, value));
        let marker = id(subject_key(workspace, sub));
        let found = self
            .batch_get(vec![
                (sessions, key.clone(), false),
                (tokens, marker.clone(), true),
            ])
            .await?;
        let Some(item) = found.get(sessions, &key) else {
            return Ok(None);
        };
        let session = Session {
            workspace: req_s(item, "workspace")?,
            username: req_s(item, "username")?,
            sub: req_s(item, "sub")?,
            auth_time: req_n(item, "auth_time")?,
            expires_at: req_n(item, "expires_at")?,
            generation: opt_n(item, "generation")?.unwrap_or(0),
        };
        let current = found
            .get(tokens, &marker)
            .map_or(Ok(None), |m| opt_n(m, "generation"))?;
        Ok(Some((session, current.unwrap_or(0))))
    }
}
