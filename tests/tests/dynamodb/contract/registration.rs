//! Initial access tokens: stored once, read back, and spent one use per registration in the
//! registration's own transaction; never more registrations than uses, even racing.

use super::*;
use oauth_core::protocol::registration::RegistrationGrant;

fn grant(uses_left: u64, expires_at: u64) -> RegistrationGrant {
    RegistrationGrant {
        workspace: "w".into(),
        expires_at,
        uses_left,
        scope: Scopes::parse("read write").unwrap(),
    }
}

fn registered(id: &str) -> Client {
    Client {
        client_id: id.into(),
        registration_token_digest: Some("rat-digest".into()),
        ..client(id, false)
    }
}

pub(super) async fn an_initial_access_token_admits_as_many_clients_as_it_has_uses(s: Stores) {
    let r = &s.registrations;
    let g = grant(2, now() + 600);
    r.put_registration_grant("iat", &g).await.unwrap();
    assert!(
        failed(r.put_registration_grant("iat", &g).await),
        "one per value"
    );
    assert_eq!(
        r.registration_grant("w", "iat").await.unwrap(),
        Some(g.clone())
    );
    assert_eq!(
        r.registration_grant("other", "iat").await.unwrap(),
        None,
        "per workspace"
    );
    assert_eq!(r.registration_grant("w", "nope").await.unwrap(), None);

    r.register_client(&registered("a"), "iat", now())
        .await
        .unwrap();
    let stored = s.clients.client("w", "a").await.unwrap().unwrap();
    assert_eq!(*stored, registered("a"));
    assert!(
        failed(r.register_client(&registered("a"), "iat", now()).await),
        "id taken"
    );
    let left = r.registration_grant("w", "iat").await.unwrap().unwrap();
    assert_eq!(left.uses_left, 1, "a failed registration spends nothing");
    r.register_client(&registered("b"), "iat", now())
        .await
        .unwrap();
    assert!(
        failed(r.register_client(&registered("c"), "iat", now()).await),
        "used up"
    );
    assert!(s.clients.client("w", "c").await.unwrap().is_none());

    r.put_registration_grant("old", &grant(5, now() - 1))
        .await
        .unwrap();
    assert!(
        failed(r.register_client(&registered("d"), "old", now()).await),
        "expired"
    );
    assert!(
        failed(r.register_client(&registered("e"), "nope", now()).await),
        "unknown"
    );
    assert!(s.clients.client("w", "e").await.unwrap().is_none());
}

pub(super) async fn racing_registrations_never_exceed_the_uses(s: Stores) {
    let r = s.registrations.clone();
    r.put_registration_grant("iat", &grant(3, now() + 600))
        .await
        .unwrap();
    let racers = (0..8).map(|i| {
        let r = r.clone();
        tokio::spawn(async move {
            r.register_client(&registered(&format!("c{i}")), "iat", now())
                .await
        })
    });
    let mut won = 0;
    for racer in racers {
        match racer.await.unwrap() {
            Ok(()) => won += 1,
            Err(e) => assert!(matches!(e, StoreError::ConditionFailed), "{e:?}"),
        }
    }
    let left = r
        .registration_grant("w", "iat")
        .await
        .unwrap()
        .unwrap()
        .uses_left;
    let clients = s.clients.clients("w").await.unwrap().len() as u64;
    assert!((1..=3).contains(&won), "{won} registrations");
    assert_eq!((left, clients), (3 - won, won));
}

/// A bulk import writes every client or none; an initial access token can be ended.
pub(super) async fn clients_are_created_all_or_nothing_and_grants_revoked(s: Stores) {
    s.clients.create_client(&registered("taken")).await.unwrap();
    let batch = [registered("n1"), registered("taken"), registered("n2")];
    assert!(failed(s.clients.create_clients(&batch).await));
    for id in ["n1", "n2"] {
        assert!(
            s.clients.client("w", id).await.unwrap().is_none(),
            "{id}: nothing written"
        );
    }
    s.clients
        .create_clients(&[registered("n1"), registered("n2")])
        .await
        .unwrap();
    assert_eq!(
        *s.clients.client("w", "n2").await.unwrap().unwrap(),
        registered("n2")
    );

    let r = &s.registrations;
    r.put_registration_grant("iat", &grant(5, now() + 600))
        .await
        .unwrap();
    r.delete_registration_grant("w", "iat").await.unwrap();
    assert!(
        failed(r.delete_registration_grant("w", "iat").await),
        "gone"
    );
    assert!(failed(
        r.register_client(&registered("late"), "iat", now()).await
    ));
}
