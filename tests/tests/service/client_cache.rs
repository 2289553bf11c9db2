//! The client cache, a decorator of the client store: with a fresh entry a grant reads only
//! the item its request names; a cached client still has its secret checked; and a client
//! deleted by another function stops working once the entry is `CLIENT_CACHE_SECONDS` old.

use async_trait::async_trait;
use oauth_core::clock::ManualClock;
use oauth_core::protocol::client::{Client, PreviousSecret};
use oauth_core::protocol::code_grant::CodeGrant;
use oauth_core::protocol::token_record::TokenStanding;
use oauth_core::store::memory::MemoryStore;
use oauth_core::store::{ClientStore, Login, LoginState, StoreResult, Stores};
use oauth_core::AppState;
use oauth_tests::call::post;
use oauth_tests::fixtures::*;
use oauth_tests::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Counts the reads that reach the client store behind the cache.
struct Counting {
    inner: Arc<MemoryStore>,
    reads: AtomicUsize,
}

impl Counting {
    fn read(&self) {
        self.reads.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl ClientStore for Counting {
    async fn create_client(&self, c: &Client) -> StoreResult<()> {
        self.inner.create_client(c).await
    }
    async fn create_clients(&self, c: &[Client]) -> StoreResult<()> {
        self.inner.create_clients(c).await
    }
    async fn client(&self, ws: &str, id: &str) -> StoreResult<Option<Arc<Client>>> {
        self.read();
        self.inner.client(ws, id).await
    }
    async fn clients(&self, ws: &str) -> StoreResult<Vec<Client>> {
        self.inner.clients(ws).await
    }
    async fn delete_client(&self, ws: &str, id: &str) -> StoreResult<()> {
        self.inner.delete_client(ws, id).await
    }
    async fn set_client_secret(
        &self,
        ws: &str,
        id: &str,
        d: &str,
        p: Option<&PreviousSecret>,
    ) -> StoreResult<()> {
        self.inner.set_client_secret(ws, id, d, p).await
    }
    async fn set_client_settings(&self, c: &Client) -> StoreResult<()> {
        self.inner.set_client_settings(c).await
    }
    async fn set_client_generation(&self, ws: &str, id: &str, g: u64) -> StoreResult<()> {
        self.inner.set_client_generation(ws, id, g).await
    }
    async fn client_and_code(
        &self,
        ws: &str,
        id: &str,
        code: &str,
    ) -> StoreResult<(Option<Arc<Client>>, Option<CodeGrant>)> {
        self.read();
        self.inner.client_and_code(ws, id, code).await
    }
    async fn client_and_token(
        &self,
        ws: &str,
        id: &str,
        token: &str,
    ) -> StoreResult<(Option<Arc<Client>>, Option<TokenStanding>)> {
        self.read();
        self.inner.client_and_token(ws, id, token).await
    }
    async fn client_and_login(
        &self,
        ws: &str,
        id: &str,
        login: &Login<'_>,
    ) -> StoreResult<(Option<Arc<Client>>, LoginState)> {
        self.read();
        self.inner.client_and_login(ws, id, login).await
    }
}

/// A state with a 300 s client cache over `backend`, whose client reads are counted.
fn cached(backend: &Arc<MemoryStore>, clock: &Arc<ManualClock>) -> (AppState, Arc<Counting>) {
    let counting = Arc::new(Counting {
        inner: backend.clone(),
        reads: AtomicUsize::new(0),
    });
    let mut stores = Stores::new(backend.clone());
    stores.clients = counting.clone();
    let settings = oauth_core::Settings {
        client_cache_seconds: 300,
        ..test_settings()
    };
    (AppState::new(stores, settings, clock.clone()), counting)
}

#[tokio::test]
async fn grants_read_the_code_token_or_user_alone_when_the_client_is_cached() {
    let backend = Arc::new(MemoryStore::default());
    let clock = Arc::new(ManualClock::new());
    let (state, counting) = cached(&backend, &clock);
    let r = register(
        &state.store,
        spec(&["authorization_code", "refresh_token", "password"]),
    )
    .await;
    add_user(&state.store, "default", "alice", "correct horse").await;
    let auth = creds(&r);
    for (round, reads) in [("cold cache", 1), ("warm cache", 0)] {
        let before = counting.reads.load(Ordering::SeqCst);
        let code = store_code(&state.store, &code_for(&r, &alice())).await;
        let exchanged = post(&state, Some(auth), &code_body(&code)).await;
        assert_eq!(exchanged.status, 200, "{round}: {}", exchanged.json);
        let refresh = exchanged.field("refresh_token");
        let body = format!("grant_type=refresh_token&refresh_token={refresh}");
        assert_eq!(post(&state, Some(auth), &body).await.status, 200, "{round}");
        let login = "grant_type=password&username=alice&password=correct+horse";
        assert_eq!(post(&state, Some(auth), login).await.status, 200, "{round}");
        let wrong = post(&state, Some((auth.0, "wrong")), &code_body(&code)).await;
        assert_eq!(
            wrong.status, 401,
            "{round}: a cached client still checks the secret"
        );
        let read = counting.reads.load(Ordering::SeqCst) - before;
        assert_eq!(
            read, reads,
            "{round}: reads of the client store behind the cache"
        );
    }
}

#[tokio::test]
async fn a_client_deleted_elsewhere_ends_when_the_cache_entry_is_old_enough() {
    let backend = Arc::new(MemoryStore::default());
    let clock = Arc::new(ManualClock::new());
    let (warm, _) = cached(&backend, &clock);
    let r = register(&warm.store, spec(&["client_credentials"])).await;
    let cc = "grant_type=client_credentials";
    assert_eq!(post(&warm, Some(creds(&r)), cc).await.status, 200);
    // Another function (the admin CLI) deletes the client in the shared backend.
    let other = Stores::new(backend.clone());
    let (ws, id) = (&r.client.workspace, &r.client.client_id);
    other.clients.delete_client(ws, id).await.unwrap();
    clock.advance(299);
    assert_eq!(
        post(&warm, Some(creds(&r)), cc).await.status,
        200,
        "within the cache's time the warm function still knows the client"
    );
    clock.advance(1);
    let gone = post(&warm, Some(creds(&r)), cc).await;
    assert_eq!((gone.status, gone.error()), (401, "invalid_client"));
}
