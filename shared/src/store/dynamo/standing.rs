//! A token's standing, read in one round trip: the token, the markers of its family and its
//! subject, and its client, all keyed by what the token's value names (`protocol::token_value`).
//! And the same standing checked by a write (a code's redemption).

use super::clients::client_key;
use super::item::*;
use super::tokens::{from_item, generation_is};
use super::{built, DynamoStore};
use crate::protocol::client::Client;
use crate::protocol::token_record::TokenStanding;
use crate::protocol::token_value::TokenName;
use crate::store::{grant_key, secret_key, subject_key, NewToken, StoreResult};
use aws_sdk_dynamodb::types::{ConditionCheck, TransactWriteItem};
use std::sync::Arc;

/// The keys a token's value names (tokens table: the token, its family's and its subject's
/// markers; clients table: its client).
struct Keys {
    token: Item,
    family: Option<Item>,
    subject: Option<Item>,
    client: Item,
}

impl Keys {
    fn of(workspace: &str, value: &str, name: &TokenName) -> Self {
        Self {
            token: id(secret_key(workspace, value)),
            family: name.grant_id.as_ref().map(|g| id(grant_key(workspace, g))),
            subject: name.sub.as_ref().map(|s| id(subject_key(workspace, s))),
            client: client_key(workspace, &name.client_id),
        }
    }
}

impl DynamoStore {
    /// The token named by `value` with its standing, and (`also`) another client, all in one
    /// `BatchGetItem`.
    pub(super) async fn standing(
        &self,
        workspace: &str,
        value: &str,
        also: Option<&str>,
    ) -> StoreResult<(Option<Arc<Client>>, Option<TokenStanding>)> {
        let (tokens, clients) = (self.tables.tokens.as_str(), self.tables.clients.as_str());
        let name = TokenName::parse(value);
        let keys = name.as_ref().map(|n| Keys::of(workspace, value, n));
        let mut wanted: Vec<(&str, Item, bool)> = Vec::new();
        wanted.extend(also.map(|c| (clients, client_key(workspace, c), false)));
        if let Some(k) = &keys {
            wanted.push((clients, k.client.clone(), false));
            let markers = [Some(&k.token), k.family.as_ref(), k.subject.as_ref()];
            wanted.extend(
                markers
                    .into_iter()
                    .flatten()
                    .map(|m| (tokens, m.clone(), true)),
            );
        }
        if wanted.is_empty() {
            return Ok((None, None));
        }
        let found = self.batch_get(wanted).await?;
        let other = also
            .map(|c| found.client(clients, workspace, c))
            .transpose()?
            .flatten();
        let (Some(name), Some(k)) = (name, keys) else {
            return Ok((other, None));
        };
        let Some(token) = found
            .get(tokens, &k.token)
            .map(from_item)
            .transpose()?
            .flatten()
        else {
            return Ok((other, None));
        };
        let marker = |key: &Option<Item>| key.as_ref().map(|key| found.get(tokens, key));
        // A marker outlives every token of its family: one that is gone is revoked.
        let family_revoked =
            marker(&k.family).map(|m| m.is_none_or(|m| bool_or_false(m, "revoked")));
        let subject_generation = match marker(&k.subject) {
            Some(m) => Some(m.map_or(Ok(None), |m| opt_n(m, "generation"))?.unwrap_or(0)),
            None => None,
        };
        let standing = TokenStanding {
            token,
            family_revoked,
            subject_generation,
            client: found.client(clients, workspace, &name.client_id)?,
        };
        Ok((other, Some(standing)))
    }

    /// Conditions that the first token's user and client have not had their tokens revoked
    /// since it was minted, as items of a transaction.
    pub(super) fn issuers_alive_ops(
        &self,
        tokens: &[NewToken<'_>],
    ) -> StoreResult<Vec<TransactWriteItem>> {
        let Some((_, t)) = tokens.first() else {
            return Ok(vec![]);
        };
        let mut checks = Vec::new();
        if let Some(sub) = &t.sub {
            let key = id(subject_key(&t.workspace, sub));
            checks.push((
                self.tables.tokens.as_str(),
                key,
                generation_is(t.user_generation).to_owned(),
                t.user_generation,
            ));
        }
        let client = format!(
            "attribute_exists(client_id) AND ({})",
            generation_is(t.client_generation)
        );
        checks.push((
            self.tables.clients.as_str(),
            client_key(&t.workspace, &t.client_id),
            client,
            t.client_generation,
        ));
        checks
            .into_iter()
            .map(|(table, key, condition, g)| {
                let check = ConditionCheck::builder()
                    .table_name(table)
                    .set_key(Some(key))
                    .condition_expression(condition)
                    .expression_attribute_values(":g", n(g))
                    .build();
                Ok(TransactWriteItem::builder()
                    .condition_check(built(check)?)
                    .build())
            })
            .collect()
    }
}
