//! Clients table: one item per (workspace, client_id).

use super::item::*;
use super::{conditional, Store, StoreError};
use crate::protocol::model::{Client, GrantType};
use crate::protocol::scope::Scopes;

fn to_item(c: &Client) -> Item {
    let mut item = Item::from([
        ("workspace".into(), s(&c.workspace)),
        ("client_id".into(), s(&c.client_id)),
        ("name".into(), s(&c.name)),
        (
            "redirect_uris".into(),
            list(c.redirect_uris.iter().cloned()),
        ),
        (
            "grant_types".into(),
            list(c.grant_types.iter().map(|g| g.as_str())),
        ),
        ("scopes".into(), list(c.scopes.iter().map(str::to_owned))),
        ("first_party".into(), b(c.first_party)),
        ("allow_plain_pkce".into(), b(c.allow_plain_pkce)),
        ("introspect".into(), b(c.introspect)),
        ("refresh_grace".into(), n(c.refresh_grace)),
        ("created_at".into(), n(c.created_at)),
    ]);
    put_opt(&mut item, "secret_digest", c.secret_digest.as_ref().map(s));
    put_opt(&mut item, "access_token_ttl", c.access_token_ttl.map(n));
    put_opt(&mut item, "refresh_token_ttl", c.refresh_token_ttl.map(n));
    item
}

pub(super) fn from_item(item: &Item) -> Result<Client, StoreError> {
    Ok(Client {
        workspace: req_s(item, "workspace")?,
        client_id: req_s(item, "client_id")?,
        name: req_s(item, "name")?,
        secret_digest: opt_s(item, "secret_digest"),
        redirect_uris: str_list(item, "redirect_uris"),
        grant_types: str_list(item, "grant_types")
            .iter()
            .filter_map(|g| GrantType::parse(g))
            .collect(),
        scopes: Scopes::from_stored(str_list(item, "scopes")),
        first_party: bool_or_false(item, "first_party"),
        allow_plain_pkce: bool_or_false(item, "allow_plain_pkce"),
        introspect: bool_or_false(item, "introspect"),
        access_token_ttl: opt_n(item, "access_token_ttl")?,
        refresh_token_ttl: opt_n(item, "refresh_token_ttl")?,
        refresh_grace: opt_n(item, "refresh_grace")?.unwrap_or(0),
        created_at: req_n(item, "created_at")?,
    })
}

impl Store {
    /// Registers a client; `ConditionFailed` if the id is taken in its workspace.
    pub async fn create_client(&self, client: &Client) -> Result<(), StoreError> {
        self.db
            .put_item()
            .table_name(&self.tables.clients)
            .set_item(Some(to_item(client)))
            .condition_expression("attribute_not_exists(client_id)")
            .send()
            .await
            .map_err(conditional)?;
        Ok(())
    }

    pub async fn client(
        &self,
        workspace: &str,
        client_id: &str,
    ) -> Result<Option<Client>, StoreError> {
        let out = self
            .db
            .get_item()
            .table_name(&self.tables.clients)
            .key("workspace", s(workspace))
            .key("client_id", s(client_id))
            .send()
            .await?;
        out.item.as_ref().map(from_item).transpose()
    }

    pub async fn clients(&self, workspace: &str) -> Result<Vec<Client>, StoreError> {
        let items = self
            .workspace_items(&self.tables.clients, workspace)
            .await?;
        items.iter().map(from_item).collect()
    }

    /// Deletes a client; `ConditionFailed` if there was none.
    pub async fn delete_client(&self, workspace: &str, client_id: &str) -> Result<(), StoreError> {
        let table = &self.tables.clients;
        self.delete_in_workspace(table, workspace, ("client_id", client_id))
            .await
    }

    /// Replaces a confidential client's secret digest; `ConditionFailed` for a missing or public client.
    pub async fn set_client_secret(
        &self,
        workspace: &str,
        client_id: &str,
        digest: &str,
    ) -> Result<(), StoreError> {
        self.db
            .update_item()
            .table_name(&self.tables.clients)
            .key("workspace", s(workspace))
            .key("client_id", s(client_id))
            .update_expression("SET secret_digest = :d")
            .condition_expression("attribute_exists(secret_digest)")
            .expression_attribute_values(":d", s(digest))
            .send()
            .await
            .map_err(conditional)?;
        Ok(())
    }
}
