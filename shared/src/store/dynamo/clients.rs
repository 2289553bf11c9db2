//! Clients table: one item per (workspace, client_id).

use super::item::*;
use super::{built, codes, DynamoStore};
use crate::jose::Alg;
use crate::protocol::client::{
    Client, ClientLinks, ClientPolicy, GrantType, PreviousSecret, TokenFormat,
};
use crate::protocol::code_grant::CodeGrant;
use crate::protocol::token_record::TokenStanding;
use crate::store::{
    secret_key, ClientStore, Login, LoginState, StoreError, StoreResult, MAX_CLIENTS_AT_ONCE,
};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use std::sync::Arc;

pub(super) fn to_item(c: &Client) -> Item {
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
        ("first_party".into(), b(c.policy.first_party)),
        ("allow_plain_pkce".into(), b(c.policy.allow_plain_pkce)),
        ("introspect".into(), b(c.policy.introspect)),
        ("refresh_grace".into(), n(c.policy.refresh_grace)),
        ("created_at".into(), n(c.created_at)),
        ("generation".into(), n(c.generation)),
    ]);
    put_scope(&mut item, &c.scopes);
    put_opt(&mut item, "secret_digest", c.secret_digest.as_ref().map(s));
    put_opt(&mut item, "owner", c.owner.as_ref().map(s));
    put_opt(
        &mut item,
        "registration_token_digest",
        c.registration_token_digest.as_ref().map(s),
    );
    if let Some(p) = &c.previous_secret {
        item.insert("previous_secret_digest".into(), s(&p.digest));
        item.insert("previous_secret_until".into(), n(p.until));
    }
    put_opt(
        &mut item,
        "access_token_ttl",
        c.policy.access_token_ttl.map(n),
    );
    put_opt(
        &mut item,
        "refresh_token_ttl",
        c.policy.refresh_token_ttl.map(n),
    );
    item.insert("audience".into(), list(c.policy.audience.iter().cloned()));
    item.insert("serves".into(), list(c.policy.serves.iter().cloned()));
    item.insert("require_pkce".into(), b(c.policy.require_pkce));
    item.insert("keep_refresh_token".into(), b(c.policy.keep_refresh_token));
    item.insert(
        "access_token_format".into(),
        s(c.policy.access_token_format.as_str()),
    );
    item.insert("resources".into(), list(c.policy.resources.iter().cloned()));
    item.insert(
        "post_logout_redirect_uris".into(),
        list(c.policy.post_logout_redirect_uris.iter().cloned()),
    );
    put_opt(
        &mut item,
        "id_token_alg",
        c.policy.id_token_alg.map(|a| s(a.as_str())),
    );
    let links = &c.policy.links;
    put_opt(&mut item, "client_uri", links.homepage.clone().map(s));
    put_opt(&mut item, "policy_uri", links.privacy.clone().map(s));
    put_opt(&mut item, "tos_uri", links.terms.clone().map(s));
    item
}

pub(super) fn from_item(item: &Item) -> StoreResult<Client> {
    Ok(Client {
        workspace: req_s(item, "workspace")?,
        client_id: req_s(item, "client_id")?,
        name: req_s(item, "name")?,
        secret_digest: opt_s(item, "secret_digest"),
        registration_token_digest: opt_s(item, "registration_token_digest"),
        owner: opt_s(item, "owner"),
        previous_secret: match (
            opt_s(item, "previous_secret_digest"),
            opt_n(item, "previous_secret_until")?,
        ) {
            (Some(digest), Some(until)) => Some(PreviousSecret { digest, until }),
            _ => None,
        },
        redirect_uris: str_list(item, "redirect_uris"),
        grant_types: str_list(item, "grant_types")
            .iter()
            .filter_map(|g| GrantType::parse(g))
            .collect(),
        scopes: scope(item),
        policy: ClientPolicy {
            first_party: bool_or_false(item, "first_party"),
            allow_plain_pkce: bool_or_false(item, "allow_plain_pkce"),
            introspect: bool_or_false(item, "introspect"),
            access_token_ttl: opt_n(item, "access_token_ttl")?,
            refresh_token_ttl: opt_n(item, "refresh_token_ttl")?,
            refresh_grace: opt_n(item, "refresh_grace")?.unwrap_or(0),
            audience: str_list(item, "audience"),
            serves: str_list(item, "serves"),
            require_pkce: bool_or_false(item, "require_pkce"),
            keep_refresh_token: bool_or_false(item, "keep_refresh_token"),
            // Items written before these settings existed read as the defaults.
            access_token_format: opt_s(item, "access_token_format")
                .and_then(|f| TokenFormat::parse(&f))
                .unwrap_or_default(),
            resources: str_list(item, "resources"),
            post_logout_redirect_uris: str_list(item, "post_logout_redirect_uris"),
            id_token_alg: opt_s(item, "id_token_alg").and_then(|a| Alg::parse(&a)),
            links: ClientLinks {
                homepage: opt_s(item, "client_uri"),
                privacy: opt_s(item, "policy_uri"),
                terms: opt_s(item, "tos_uri"),
            },
        },
        created_at: req_n(item, "created_at")?,
        generation: opt_n(item, "generation")?.unwrap_or(0),
    })
}

/// Attributes a settings change leaves alone: the key, and what only credential and token
/// changes write.
const NOT_SETTINGS: [&str; 9] = [
    "workspace",
    "client_id",
    "owner",
    "secret_digest",
    "registration_token_digest",
    "previous_secret_digest",
    "previous_secret_until",
    "created_at",
    "generation",
];

/// Settings that are left out of the item when unset (so a change must remove them).
const OPTIONAL_SETTINGS: [&str; 7] = [
    SCOPE,
    "access_token_ttl",
    "refresh_token_ttl",
    "id_token_alg",
    "client_uri",
    "policy_uri",
    "tos_uri",
];

impl DynamoStore {
    /// One `UpdateItem` that sets every settings attribute and removes the unset optional
    /// ones, on condition the client exists.
    async fn set_settings(&self, client: &Client) -> StoreResult<()> {
        let item = to_item(client);
        let unset: Vec<&str> = OPTIONAL_SETTINGS
            .into_iter()
            .filter(|k| !item.contains_key(*k))
            .collect();
        let mut request = self
            .db
            .update_item()
            .table_name(&self.tables.clients)
            .set_key(Some(client_key(&client.workspace, &client.client_id)))
            .condition_expression("attribute_exists(client_id)");
        let mut sets = Vec::new();
        for (i, (name, value)) in item
            .into_iter()
            .filter(|(k, _)| !NOT_SETTINGS.contains(&k.as_str()))
            .enumerate()
        {
            sets.push(format!("#s{i} = :s{i}"));
            request = request
                .expression_attribute_names(format!("#s{i}"), name)
                .expression_attribute_values(format!(":s{i}"), value);
        }
        let mut expression = format!("SET {}", sets.join(", "));
        if !unset.is_empty() {
            let removes: Vec<String> = (0..unset.len()).map(|i| format!("#r{i}")).collect();
            expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
            for (i, name) in unset.iter().enumerate() {
                request = request.expression_attribute_names(format!("#r{i}"), *name);
            }
        }
        request
            .update_expression(expression)
            .send()
            .await
            .map_err(super::conditional)?;
        Ok(())
    }
}

pub(super) fn client_key(workspace: &str, client_id: &str) -> Item {
    key([("workspace", workspace), ("client_id", client_id)])
}

#[async_trait]
impl ClientStore for DynamoStore {
    async fn create_client(&self, client: &Client) -> StoreResult<()> {
        let table = &self.tables.clients;
        self.put(table, to_item(client), Some("client_id")).await
    }

    async fn create_clients(&self, clients: &[Client]) -> StoreResult<()> {
        if clients.len() > MAX_CLIENTS_AT_ONCE {
            return Err(StoreError::ConditionFailed);
        }
        let puts = clients.iter().map(|c| {
            let put = Put::builder()
                .table_name(&self.tables.clients)
                .set_item(Some(to_item(c)))
                .condition_expression("attribute_not_exists(client_id)");
            Ok(TransactWriteItem::builder()
                .put(built(put.build())?)
                .build())
        });
        self.transact(puts.collect::<StoreResult<_>>()?).await
    }

    async fn client(&self, workspace: &str, client_id: &str) -> StoreResult<Option<Arc<Client>>> {
        let key = client_key(workspace, client_id);
        let item = self.get(&self.tables.clients, key, false).await?;
        Ok(item.as_ref().map(from_item).transpose()?.map(Arc::new))
    }

    async fn clients(&self, workspace: &str) -> StoreResult<Vec<Client>> {
        let items = self
            .workspace_items(&self.tables.clients, workspace)
            .await?;
        items.iter().map(from_item).collect()
    }

    async fn delete_client(&self, workspace: &str, client_id: &str) -> StoreResult<()> {
        let key = client_key(workspace, client_id);
        self.delete(&self.tables.clients, key, Some("client_id"))
            .await
    }

    async fn set_client_secret(
        &self,
        workspace: &str,
        client_id: &str,
        digest: &str,
        previous: Option<&PreviousSecret>,
    ) -> StoreResult<()> {
        let key = client_key(workspace, client_id);
        let table = &self.tables.clients;
        let Some(p) = previous else {
            let update = (
                "SET secret_digest = :d REMOVE previous_secret_digest, previous_secret_until",
                "attribute_exists(secret_digest)",
            );
            return self
                .update_if(table, key, update, [(":d", s(digest))])
                .await;
        };
        // The overlap keeps the secret being replaced, not one a concurrent rotation set.
        let update = (
            "SET secret_digest = :d, previous_secret_digest = :p, previous_secret_until = :u",
            "secret_digest = :p",
        );
        let values = [(":d", s(digest)), (":p", s(&p.digest)), (":u", n(p.until))];
        self.update_if(table, key, update, values).await
    }

    async fn set_client_settings(&self, client: &Client) -> StoreResult<()> {
        self.set_settings(client).await
    }

    async fn set_client_generation(
        &self,
        workspace: &str,
        client_id: &str,
        generation: u64,
    ) -> StoreResult<()> {
        let key = client_key(workspace, client_id);
        let update = ("SET generation = :g", "attribute_exists(client_id)");
        let table = &self.tables.clients;
        self.update_if(table, key, update, [(":g", n(generation))])
            .await
    }

    async fn client_and_code(
        &self,
        workspace: &str,
        client_id: &str,
        code: &str,
    ) -> StoreResult<(Option<Arc<Client>>, Option<CodeGrant>)> {
        let key = id(secret_key(workspace, code));
        let (c, k) = self
            .client_and(workspace, client_id, &self.tables.codes, key)
            .await?;
        Ok((c, k.as_ref().map(codes::from_item).transpose()?))
    }

    async fn client_and_token(
        &self,
        workspace: &str,
        client_id: &str,
        token: &str,
    ) -> StoreResult<(Option<Arc<Client>>, Option<TokenStanding>)> {
        self.standing(workspace, token, Some(client_id)).await
    }

    async fn client_and_login(
        &self,
        workspace: &str,
        client_id: &str,
        login: &Login<'_>,
    ) -> StoreResult<(Option<Arc<Client>>, LoginState)> {
        let clients = self.tables.clients.as_str();
        let key = client_key(workspace, client_id);
        let (state, client) = self
            .read_login(workspace, login, Some((clients, key)))
            .await?;
        let client = client.as_ref().map(from_item).transpose()?.map(Arc::new);
        Ok((client, state))
    }
}

impl DynamoStore {
    /// A client and the item `key` of `table` (strongly consistent), in one round trip.
    async fn client_and(
        &self,
        workspace: &str,
        client_id: &str,
        table: &str,
        key: Item,
    ) -> StoreResult<(Option<Arc<Client>>, Option<Item>)> {
        let clients = &self.tables.clients;
        let wanted = vec![
            (clients.as_str(), client_key(workspace, client_id), false),
            (table, key.clone(), true),
        ];
        let found = self.batch_get(wanted).await?;
        let client = found.client(clients, workspace, client_id)?;
        Ok((client, found.get(table, &key).cloned()))
    }
}
