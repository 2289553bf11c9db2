//! The store contract: one suite, run against the in-memory adapter and the DynamoDB adapter
//! (on DynamoDB Local), so the two cannot drift. Each case names the semantics it holds them
//! to: conditions, single use, rotation, lockout counting, expiry checked on writes.

mod accounts;
mod grants;
mod keys;
mod registration;

use oauth_core::jose::Alg;
use oauth_core::protocol::client::{Client, ClientPolicy, GrantType, PreviousSecret, TokenFormat};
use oauth_core::protocol::code_grant::CodeGrant;
use oauth_core::protocol::login::{Attempts, Throttle};
use oauth_core::protocol::pkce::Method;
use oauth_core::protocol::scope::Scopes;
use oauth_core::protocol::token_record::{GrantFamily, TokenKind, TokenRecord};
use oauth_core::protocol::user::{Consent, Profile, Session, User};
use oauth_core::store::{AccountChange, Login, Rotation, StoreError, Stores};
use oauth_tests::fixtures::CHALLENGE;
use oauth_tests::now;
use std::sync::Arc;

macro_rules! contract {
    ($($module:ident::$case:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    super::$module::$case(oauth_core::store::Stores::memory()).await
                }
            )*
        }
        mod dynamodb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let backend = oauth_tests::fresh_dynamo().await;
                    super::$module::$case(oauth_core::store::Stores::new(backend)).await
                }
            )*
        }
    };
}

contract!(
    accounts::clients_round_trip_under_their_conditions,
    accounts::a_client_is_read_with_the_item_its_request_names,
    accounts::failed_logins_count_per_pair_and_block,
    accounts::tokens_sessions_and_consents_round_trip,
    accounts::secrets_are_looked_up_in_their_own_workspace_only,
    accounts::account_changes_end_tokens_sessions_and_consents,
    accounts::a_client_generation_ends_its_tokens,
    accounts::a_settings_change_keeps_credentials_and_generation,
    accounts::roles_are_stored_and_setting_them_ends_nothing,
    accounts::a_form_is_spent_once_even_when_sent_at_once,
    accounts::a_lock_admits_a_few_checks_however_many_arrive_at_once,
    accounts::workspace_settings_round_trip_and_stay_in_their_workspace,
    grants::a_code_is_redeemed_once,
    grants::concurrent_redemptions_have_one_winner,
    grants::refresh_rotation_and_the_grace_retry_are_single_use,
    grants::a_kept_refresh_token_stays_current_until_its_family_ends,
    grants::a_revoked_family_rotates_no_more_and_loses_its_tokens,
    grants::a_family_starts_only_while_the_login_holds,
    grants::a_redemption_checks_its_user_and_client_are_not_revoked,
    registration::an_initial_access_token_admits_as_many_clients_as_it_has_uses,
    registration::racing_registrations_never_exceed_the_uses,
    registration::clients_are_created_all_or_nothing_and_grants_revoked,
    keys::the_keyring_is_written_whole_under_a_version_check,
);

const THROTTLE: Throttle = Throttle {
    threshold: 5,
    lock_seconds: 900,
};

/// A login attempt on `username` from `source`.
fn pair(username: &'static str, source: &'static str) -> Login<'static> {
    Login { username, source }
}

fn failed<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::ConditionFailed))
}

fn client(id: &str, public: bool) -> Client {
    Client {
        workspace: "w".into(),
        client_id: id.into(),
        name: "App".into(),
        secret_digest: (!public).then(|| "digest".into()),
        previous_secret: None,
        registration_token_digest: None,
        owner: None,
        redirect_uris: vec![
            "https://a.example/cb".into(),
            "https://a.example/cb2".into(),
        ],
        grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
        scopes: Scopes::parse("read write").unwrap(),
        policy: ClientPolicy {
            first_party: true,
            allow_plain_pkce: true,
            introspect: !public,
            access_token_ttl: Some(120),
            refresh_token_ttl: None,
            refresh_grace: 5,
            audience: vec!["https://api.example".into()],
            serves: vec!["https://other.example".into()],
            require_pkce: true,
            keep_refresh_token: !public,
            access_token_format: TokenFormat::Jwt,
            resources: vec!["https://billing.example".into()],
            id_token_alg: Some(Alg::ES256),
            post_logout_redirect_uris: vec!["https://a.example/bye".into()],
            links: oauth_core::protocol::client::ClientLinks {
                homepage: Some("https://a.example".into()),
                privacy: None,
                terms: Some("https://a.example/terms".into()),
            },
        },
        created_at: 1,
        generation: 11,
    }
}

fn user(name: &str) -> User {
    let mut u = User::new("w", name, &format!("sub-{name}"), "hash".into());
    u.profile = Profile {
        name: Some(format!("{name} Example")),
        email: Some(format!("{name}@example.com")),
        email_verified: true,
    };
    u
}

fn code(expires_at: u64) -> CodeGrant {
    CodeGrant {
        workspace: "w".into(),
        client_id: "c".into(),
        redirect_uri: Some("https://a.example/cb".into()),
        scope: Scopes::parse("read").unwrap(),
        username: "u".into(),
        sub: "sub-u".into(),
        challenge: Some((Method::S256, CHALLENGE.into())),
        grant_id: oauth_core::crypto::new_secret(),
        expires_at,
        used: false,
        user_generation: 0,
        audience: vec!["https://api.example".into()],
        nonce: Some("n-0S6_WzA2Mj".into()),
        auth_time: 42,
    }
}

fn family(grant_id: &str) -> GrantFamily {
    GrantFamily {
        workspace: "w".into(),
        grant_id: grant_id.into(),
        expires_at: now() + 3600,
    }
}

fn token(kind: TokenKind, grant_id: Option<&str>, expires_at: u64) -> TokenRecord {
    TokenRecord {
        kind,
        workspace: "w".into(),
        client_id: "c".into(),
        username: Some("u".into()),
        sub: Some("sub-u".into()),
        scope: Scopes::parse("read").unwrap(),
        grant_id: grant_id.map(str::to_owned),
        issued_at: now(),
        expires_at,
        rotated_at: None,
        family_expires_at: grant_id.map(|_| now() + 3600),
        grace_used: false,
        successors: vec![],
        user_generation: 0,
        audience: vec!["https://api.example".into()],
        jwt: false,
        client_generation: 0,
    }
}

fn session(expires_at: u64) -> Session {
    Session {
        workspace: "w".into(),
        username: "u".into(),
        sub: "sub-u".into(),
        auth_time: 5,
        expires_at,
        generation: 0,
    }
}

/// A fresh secret (codes).
fn secret() -> String {
    oauth_core::crypto::new_secret()
}

/// A value for `t`, named as the server names it.
fn value_of(t: &TokenRecord) -> String {
    oauth_tests::fixtures::token_value(t)
}

/// The record of the token `value`, as the store reads it.
async fn read(s: &Stores, value: &str) -> Option<TokenRecord> {
    s.tokens.token("w", value).await.unwrap().map(|st| st.token)
}

/// Client `c` of workspace `w`, which the tokens of [`token`] belong to, at generation 0.
async fn client_c(s: &Stores) {
    let c = Client {
        generation: 0,
        ..client("c", false)
    };
    s.clients.create_client(&c).await.unwrap();
}
