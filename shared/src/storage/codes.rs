//! Codes table: authorization codes under the digest of their value.

use super::item::*;
use super::{conditional, secret_key, Store, StoreError};
use crate::protocol::model::CodeGrant;
use crate::protocol::pkce;
use crate::protocol::scope::Scopes;

fn to_item(value: &str, c: &CodeGrant) -> Item {
    let mut item = Item::from([
        ("id".into(), s(secret_key(&c.workspace, value))),
        ("workspace".into(), s(&c.workspace)),
        ("client_id".into(), s(&c.client_id)),
        ("scope".into(), s(c.scope.to_wire())),
        ("username".into(), s(&c.username)),
        ("sub".into(), s(&c.sub)),
        ("grant_id".into(), s(&c.grant_id)),
        ("expires_at".into(), n(c.expires_at)),
        ("used".into(), b(c.used)),
    ]);
    put_opt(&mut item, "redirect_uri", c.redirect_uri.as_ref().map(s));
    if let Some((method, challenge)) = &c.challenge {
        item.insert("challenge".into(), s(challenge));
        item.insert("challenge_method".into(), s(method.as_str()));
    }
    item
}

pub(super) fn from_item(item: &Item) -> Result<CodeGrant, StoreError> {
    let challenge = match (opt_s(item, "challenge"), opt_s(item, "challenge_method")) {
        (Some(c), Some(m)) => Some((
            pkce::Method::parse(&m)
                .map_err(|_| StoreError::Backend("bad challenge_method".into()))?,
            c,
        )),
        _ => None,
    };
    Ok(CodeGrant {
        workspace: req_s(item, "workspace")?,
        client_id: req_s(item, "client_id")?,
        redirect_uri: opt_s(item, "redirect_uri"),
        scope: Scopes::parse(&req_s(item, "scope")?)
            .map_err(|_| StoreError::Backend("bad scope".into()))?,
        username: req_s(item, "username")?,
        sub: req_s(item, "sub")?,
        challenge,
        grant_id: req_s(item, "grant_id")?,
        expires_at: req_n(item, "expires_at")?,
        used: bool_or_false(item, "used"),
    })
}

impl Store {
    /// Stores a new code under the digest of `value`.
    pub async fn put_code(&self, value: &str, code: &CodeGrant) -> Result<(), StoreError> {
        self.db
            .put_item()
            .table_name(&self.tables.codes)
            .set_item(Some(to_item(value, code)))
            .condition_expression("attribute_not_exists(id)")
            .send()
            .await
            .map_err(conditional)?;
        Ok(())
    }

    /// The code, strongly consistent: a just-redeemed code must read as used.
    pub async fn code(
        &self,
        workspace: &str,
        value: &str,
    ) -> Result<Option<CodeGrant>, StoreError> {
        let out = self
            .db
            .get_item()
            .table_name(&self.tables.codes)
            .key("id", s(secret_key(workspace, value)))
            .consistent_read(true)
            .send()
            .await?;
        out.item.as_ref().map(from_item).transpose()
    }
}
