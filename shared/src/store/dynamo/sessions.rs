//! Sessions table: browser logins, under the digest of the cookie.

use super::item::*;
use super::DynamoStore;
use crate::protocol::user::Session;
use crate::store::{secret_key, SessionStore, StoreResult};
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
        ]);
        self.put(&self.tables.sessions, item, None).await
    }

    async fn session(&self, workspace: &str, value: &str) -> StoreResult<Option<Session>> {
        let key = id(secret_key(workspace, value));
        let Some(item) = self.get(&self.tables.sessions, key, false).await? else {
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
}
