//! Codes, tokens and grant families, in memory: every transaction checks all its conditions
//! before it changes anything.

use super::{by_secret, require, Data, GrantMarker, MemoryStore};
use crate::protocol::code_grant::CodeGrant;
use crate::protocol::token_record::{GrantFamily, TokenRecord, TokenStanding};
use crate::protocol::user::User;
use crate::store::{grant_key, secret_key, CodeStore, NewToken, Rotation, StoreResult, TokenStore};
use async_trait::async_trait;

/// None of `tokens` exists yet, and the family is new: the conditions of starting a family.
fn can_start(data: &Data, family: &GrantFamily, tokens: &[NewToken<'_>]) -> bool {
    !data
        .grants
        .contains_key(&grant_key(&family.workspace, &family.grant_id))
        && can_add(data, tokens)
}

/// The first token's user and client have not had their tokens revoked since it was minted.
fn issuers_alive(data: &Data, tokens: &[NewToken<'_>]) -> bool {
    tokens.first().is_none_or(|(_, t)| {
        let user_ok = t
            .sub
            .as_ref()
            .is_none_or(|s| data.subject_generation(&t.workspace, s) == t.user_generation);
        let client = data.client_generation(&t.workspace, &t.client_id);
        user_ok && client == Some(t.client_generation)
    })
}

fn can_add(data: &Data, tokens: &[NewToken<'_>]) -> bool {
    tokens
        .iter()
        .all(|(v, t)| !data.tokens.contains_key(&secret_key(&t.workspace, v)))
}

fn add(data: &mut Data, tokens: &[NewToken<'_>]) {
    for (value, t) in tokens {
        data.tokens
            .insert(secret_key(&t.workspace, value), (*t).clone());
    }
}

fn start(data: &mut Data, family: &GrantFamily, tokens: &[NewToken<'_>]) {
    let key = grant_key(&family.workspace, &family.grant_id);
    data.grants.insert(key, GrantMarker { revoked: false });
    add(data, tokens);
}

#[async_trait]
impl CodeStore for MemoryStore {
    async fn put_code(&self, value: &str, code: &CodeGrant) -> StoreResult<()> {
        let mut data = self.data()?;
        let key = secret_key(&code.workspace, value);
        require(!data.codes.contains_key(&key))?;
        data.codes.insert(key, code.clone());
        Ok(())
    }

    async fn code(&self, workspace: &str, value: &str) -> StoreResult<Option<CodeGrant>> {
        Ok(by_secret(&self.data()?.codes, workspace, value))
    }

    async fn redeem_code(
        &self,
        value: &str,
        now: u64,
        family: &GrantFamily,
        tokens: &[NewToken<'_>],
    ) -> StoreResult<()> {
        let mut data = self.data()?;
        let key = secret_key(&family.workspace, value);
        let redeemable = data
            .codes
            .get(&key)
            .is_some_and(|c| !c.used && c.expires_at > now);
        require(redeemable && can_start(&data, family, tokens) && issuers_alive(&data, tokens))?;
        if let Some(c) = data.codes.get_mut(&key) {
            c.used = true;
            c.expires_at = family.expires_at;
        }
        start(&mut data, family, tokens);
        Ok(())
    }
}

#[async_trait]
impl TokenStore for MemoryStore {
    async fn client_now_and_token(
        &self,
        workspace: &str,
        client_id: &str,
        value: &str,
    ) -> StoreResult<(
        Option<std::sync::Arc<crate::protocol::client::Client>>,
        Option<TokenStanding>,
    )> {
        crate::store::ClientStore::client_and_token(self, workspace, client_id, value).await
    }

    async fn put_token(&self, value: &str, token: &TokenRecord) -> StoreResult<()> {
        let key = secret_key(&token.workspace, value);
        self.data()?.tokens.insert(key, token.clone());
        Ok(())
    }

    async fn token(&self, workspace: &str, value: &str) -> StoreResult<Option<TokenStanding>> {
        Ok(self.data()?.standing(workspace, value))
    }

    async fn delete_token(&self, workspace: &str, value: &str) -> StoreResult<()> {
        self.data()?.tokens.remove(&secret_key(workspace, value));
        Ok(())
    }

    async fn start_family(
        &self,
        family: &GrantFamily,
        tokens: &[NewToken<'_>],
        (user, source): (&User, &str),
        now: u64,
    ) -> StoreResult<()> {
        let mut data = self.data()?;
        let same = tokens
            .first()
            .is_none_or(|(_, t)| t.user_generation == user.generation);
        require(same && data.login_holds(user, source, now) && can_start(&data, family, tokens))?;
        data.clear_attempts(user, source);
        start(&mut data, family, tokens);
        Ok(())
    }

    async fn rotate_refresh(
        &self,
        workspace: &str,
        old_value: &str,
        grant_id: &str,
        rotation: Rotation,
        now: u64,
        tokens: &[NewToken<'_>],
    ) -> StoreResult<()> {
        let mut data = self.data()?;
        let old_key = secret_key(workspace, old_value);
        let retirable = data.tokens.get(&old_key).is_some_and(|t| {
            t.expires_at > now
                && match &rotation {
                    Rotation::Fresh | Rotation::Kept => t.rotated_at.is_none(),
                    Rotation::GraceRetry { rotated_at, .. } => {
                        t.rotated_at == Some(*rotated_at) && !t.grace_used
                    }
                }
        });
        let successors_unused = match &rotation {
            Rotation::Fresh | Rotation::Kept => true,
            Rotation::GraceRetry { successors, .. } => successors
                .iter()
                .all(|k| data.tokens.get(k).is_none_or(|t| t.rotated_at.is_none())),
        };
        let alive = data
            .grants
            .get(&grant_key(workspace, grant_id))
            .is_some_and(|g| !g.revoked);
        require(retirable && successors_unused && alive && can_add(&data, tokens))?;
        if let Rotation::GraceRetry { successors, .. } = &rotation {
            for k in successors {
                data.tokens.remove(k);
            }
        }
        let new_keys = tokens
            .iter()
            .map(|(v, t)| secret_key(&t.workspace, v))
            .collect();
        if let Some(t) = data.tokens.get_mut(&old_key) {
            match rotation {
                Rotation::Kept => {}
                Rotation::Fresh => {
                    t.rotated_at = Some(now);
                    t.successors = new_keys;
                }
                Rotation::GraceRetry { .. } => {
                    t.grace_used = true;
                    t.successors = new_keys;
                }
            }
        }
        add(&mut data, tokens);
        Ok(())
    }

    async fn revoke_family(
        &self,
        workspace: &str,
        grant_id: &str,
        _keep_marker_until: u64,
    ) -> StoreResult<()> {
        let mut data = self.data()?;
        data.grants.insert(
            grant_key(workspace, grant_id),
            GrantMarker { revoked: true },
        );
        data.tokens
            .retain(|_, t| !(t.workspace == workspace && t.grant_id.as_deref() == Some(grant_id)));
        Ok(())
    }
}
