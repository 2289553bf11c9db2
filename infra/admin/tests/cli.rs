//! `oauth-admin` as an operator runs it, against DynamoDB Local: bad input is a clear error
//! and writes nothing; secrets are shown once and stored as digests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use oauth_core::store::dynamo::DynamoStore;
use oauth_core::store::TokenStore;
use oauth_tests::{dynamodb_local, fresh_dynamo, local_env, raw_items};
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn admin(store: &DynamoStore, args: &[&str], stdin: Option<&str>) -> Output {
    admin_with(store, args, stdin, &[])
}

fn admin_with(
    store: &DynamoStore,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oauth-admin"))
        .args(args)
        .envs(local_env(&dynamodb_local().endpoint(), store.tables()))
        .envs(env.iter().copied())
        .env("PBKDF2_ITERATIONS", "1000")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("oauth-admin runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn bad_input_is_a_clear_error_and_writes_nothing() {
    let store = fresh_dynamo().await;
    let cases: [(&str, &[&str]); 5] = [
        (
            "unknown grant type",
            &[
                "client",
                "create",
                "--name",
                "a",
                "--redirect-uri",
                "https://a.example/cb",
                "--grant-type",
                "magic",
            ],
        ),
        (
            "http redirect off loopback",
            &[
                "client",
                "create",
                "--name",
                "a",
                "--redirect-uri",
                "http://a.example/cb",
            ],
        ),
        (
            "malformed redirect",
            &[
                "client",
                "create",
                "--name",
                "a",
                "--redirect-uri",
                "not a uri",
            ],
        ),
        (
            "bad workspace",
            &[
                "client",
                "create",
                "--workspace",
                "Bad_WS",
                "--name",
                "a",
                "--grant-type",
                "client_credentials",
            ],
        ),
        (
            "public client_credentials",
            &[
                "client",
                "create",
                "--name",
                "a",
                "--public",
                "--grant-type",
                "client_credentials",
            ],
        ),
    ];
    for (name, args) in cases {
        let out = admin(&store, args, None);
        assert!(!out.status.success(), "{name}");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("oauth-admin: "),
            "{name}"
        );
    }
    let short = admin(
        &store,
        &["user", "create", "--username", "bob", "--password-stdin"],
        Some("short\n"),
    );
    assert!(!short.status.success(), "a too-short password");
    assert!(raw_items(&store.tables().clients).await.is_empty());
    assert!(raw_items(&store.tables().users).await.is_empty());
}

#[tokio::test]
async fn clients_users_and_secrets() {
    let store = fresh_dynamo().await;
    let created = json(&admin(
        &store,
        &[
            "client",
            "create",
            "--workspace",
            "acme",
            "--name",
            "Billing",
            "--grant-type",
            "client_credentials",
            "--scope",
            "read write",
            "--access-token-ttl",
            "120",
        ],
        None,
    ));
    let id = created["client_id"].as_str().unwrap().to_owned();
    let secret = created["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(created["scope"], "read write");
    assert_eq!(created["access_token_ttl"], 120);

    let shown = json(&admin(
        &store,
        &["client", "show", "--workspace", "acme", &id],
        None,
    ));
    assert_eq!(shown["client_id"], id.as_str());
    assert!(
        shown.get("client_secret").is_none(),
        "the secret is shown once only"
    );
    let listed = json(&admin(
        &store,
        &["client", "list", "--workspace", "acme"],
        None,
    ));
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let other_ws = json(&admin(&store, &["client", "list"], None));
    assert!(other_ws.as_array().unwrap().is_empty());

    let rotated = json(&admin(
        &store,
        &["client", "rotate-secret", "--workspace", "acme", &id],
        None,
    ));
    let new_secret = rotated["client_secret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    let stored = format!("{:?}", raw_items(&store.tables().clients).await);
    assert!(
        !stored.contains(&secret) && !stored.contains(new_secret),
        "only digests are stored"
    );

    let user = json(&admin(
        &store,
        &[
            "user",
            "create",
            "--workspace",
            "acme",
            "--username",
            "bob",
            "--password-stdin",
        ],
        Some("correct horse\n"),
    ));
    assert_eq!(user["username"], "bob");
    let users = format!("{:?}", raw_items(&store.tables().users).await);
    assert!(users.contains("pbkdf2-sha256$1000$") && !users.contains("correct horse"));
    let duplicate = admin(
        &store,
        &[
            "user",
            "create",
            "--workspace",
            "acme",
            "--username",
            "bob",
            "--password-stdin",
        ],
        Some("another one\n"),
    );
    assert!(!duplicate.status.success(), "a duplicate user is refused");

    json(&admin(
        &store,
        &["client", "delete", "--workspace", "acme", &id],
        None,
    ));
    let gone = admin(
        &store,
        &["client", "show", "--workspace", "acme", &id],
        None,
    );
    assert!(!gone.status.success());
}

#[tokio::test]
async fn token_show_and_revoke() {
    use oauth_core::protocol::scope::Scopes;
    use oauth_core::protocol::token_record::{TokenKind, TokenRecord};
    let store = fresh_dynamo().await;
    let svc = oauth_core::protocol::client::Client {
        client_id: "svc".into(),
        ..oauth_core::protocol::client::Client::example()
    };
    oauth_core::store::ClientStore::create_client(&*store, &svc)
        .await
        .unwrap();
    let now = oauth_tests::now();
    let record = TokenRecord {
        kind: TokenKind::Access,
        workspace: "default".into(),
        client_id: "svc".into(),
        username: None,
        sub: None,
        scope: Scopes::parse("read").unwrap(),
        grant_id: None,
        issued_at: now,
        expires_at: now + 60,
        rotated_at: None,
        family_expires_at: None,
        grace_used: false,
        successors: vec![],
        user_generation: 0,
        client_generation: 0,
        audience: vec![],
        jwt: false,
    };
    let value = oauth_tests::fixtures::token_value(&record);
    store.put_token(&value, &record).await.unwrap();
    let shown = json(&admin(
        &store,
        &["token", "show", "-"],
        Some(&format!("{value}\n")),
    ));
    assert_eq!(
        (
            shown["kind"].as_str(),
            shown["client_id"].as_str(),
            shown["active"].as_bool()
        ),
        (Some("access"), Some("svc"), Some(true))
    );
    assert!(
        !String::from_utf8_lossy(&admin(&store, &["token", "show", &value], None).stdout)
            .contains(&value),
        "the value is not printed back"
    );
    json(&admin(&store, &["token", "revoke", &value], None));
    let after = admin(&store, &["token", "show", &value], None);
    assert!(!after.status.success(), "revoked");
}

/// New clients must use PKCE unless registered `--pkce-optional`; `client update` changes
/// settings (audience, resources served, PKCE, introspection) and keeps the id and secret.
#[tokio::test]
async fn pkce_by_default_and_settings_updated_in_place() {
    let store = fresh_dynamo().await;
    let cc = ["--grant-type", "client_credentials", "--name", "rs"];
    let strict = json(&admin(
        &store,
        &[&["client", "create"], &cc[..]].concat(),
        None,
    ));
    assert_eq!(strict["require_pkce"], true, "the default for new clients");
    let optional_args = [&["client", "create", "--pkce-optional"], &cc[..]].concat();
    let optional = json(&admin(&store, &optional_args, None));
    assert_eq!(optional["require_pkce"], false);

    let id = strict["client_id"].as_str().unwrap();
    let updated = json(&admin(
        &store,
        &[
            "client",
            "update",
            id,
            "--serves",
            "https://api.example",
            "--audience",
            "https://api.example",
            "--introspect",
            "--pkce-optional",
            "--name",
            "Resource server",
        ],
        None,
    ));
    assert_eq!(updated["client_id"], id);
    assert_eq!(updated["name"], "Resource server");
    assert_eq!(
        updated["serves"],
        serde_json::json!(["https://api.example"])
    );
    assert_eq!(updated["introspect"], true);
    assert_eq!(updated["require_pkce"], false);
    assert_eq!(
        updated["grant_types"],
        serde_json::json!(["client_credentials"])
    );
    let client = oauth_core::store::ClientStore::client(&*store, "default", id)
        .await
        .unwrap()
        .unwrap();
    let secret = strict["client_secret"].as_str().unwrap();
    assert_eq!(
        client.secret_digest.as_deref(),
        Some(oauth_core::crypto::digest(secret).as_str()),
        "the secret stays"
    );
    let refused = admin(
        &store,
        &[
            "client",
            "update",
            id,
            "--redirect-uri",
            "http://a.example/cb",
        ],
        None,
    );
    assert!(!refused.status.success(), "checked as a registration is");
    let missing = admin(
        &store,
        &["client", "update", "nobody", "--introspect"],
        None,
    );
    assert!(!missing.status.success());

    assert_eq!(updated["refresh_rotation"], "on", "the default");
    let off = ["client", "update", id, "--refresh-rotation", "off"];
    assert_eq!(json(&admin(&store, &off, None))["refresh_rotation"], "off");
    let public = [
        "client",
        "create",
        "--public",
        "--name",
        "spa",
        "--redirect-uri",
        "https://spa.example/cb",
        "--refresh-rotation",
        "off",
    ];
    let refused = admin(&store, &public, None);
    assert!(!refused.status.success(), "a public client always rotates");
}

/// A `GRANT_TYPES` that is set but empty is a mistake, not "every grant".
#[tokio::test]
async fn an_empty_grant_types_setting_is_refused() {
    let store = fresh_dynamo().await;
    let out = Command::new(env!("CARGO_BIN_EXE_oauth-admin"))
        .args(["client", "list"])
        .envs(local_env(&dynamodb_local().endpoint(), store.tables()))
        .env("GRANT_TYPES", " ")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("GRANT_TYPES"));
}

/// Migration with the same credentials: an existing id and secret imported (`--client-id
/// --client-secret-stdin`, or a JSON / CSV file) authenticate at the token endpoint, the
/// secret is stored as a digest and never printed; `rotate-secret --keep-old` overlaps.
#[tokio::test]
async fn clients_migrate_with_their_credentials() {
    use oauth_tests::call::post;
    let store = fresh_dynamo().await;
    let state = oauth_core::AppState::new(
        oauth_core::store::Stores::new(store.clone()),
        oauth_tests::test_settings(),
        std::sync::Arc::new(oauth_core::clock::SystemClock),
    );
    let cc = |id: &'static str, secret: String| {
        let state = state.clone();
        async move {
            let auth = Some((id, secret.as_str()));
            post(&state, auth, "grant_type=client_credentials")
                .await
                .status
        }
    };
    // `+` and `%`: it works whether the client form-encodes Basic or not.
    let legacy = "legacy+Secret%2F0123456789";
    let create = [
        "client",
        "create",
        "--client-id",
        "legacy-app",
        "--client-secret-stdin",
        "--grant-type",
        "client_credentials",
        "--name",
        "Legacy",
    ];
    let out = admin(&store, &create, Some(&format!("{legacy}\n")));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(legacy));
    let created = json(&out);
    assert_eq!(created["client_id"], "legacy-app");
    assert!(created.get("client_secret").is_none(), "never printed back");
    assert_eq!(cc("legacy-app", legacy.into()).await, 200);
    let again = admin(&store, &create, Some(&format!("{legacy}\n")));
    assert!(!again.status.success(), "the id exists");
    let short = [
        "client",
        "create",
        "--client-id",
        "x",
        "--client-secret-stdin",
        "--name",
        "X",
    ];
    assert!(!admin(&store, &short, Some("short\n")).status.success());

    let dir = std::env::temp_dir().join(format!("import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json_file = dir.join("clients.json");
    std::fs::write(
        &json_file,
        r#"[{"client_id": "svc-a", "client_secret": "svc-a-secret-0123456789", "name": "A",
             "grant_types": ["client_credentials"]},
            {"client_id": "spa", "name": "SPA", "public": true,
             "redirect_uris": ["https://spa.example/cb"]}]"#,
    )
    .unwrap();
    let csv_file = dir.join("clients.csv");
    std::fs::write(
        &csv_file,
        "client_id,client_secret,name,grant_types,refresh_rotation\n\
         svc-b,svc-b-secret-0123456789,B,client_credentials refresh_token,off\n\
         svc-c,,C,client_credentials,\n",
    )
    .unwrap();
    let bad_file = dir.join("bad.csv");
    std::fs::write(
        &bad_file,
        "client_id,client_secret,name,grant_types\n\
         svc-d,svc-d-secret-0123456789,D,client_credentials\n\
         svc-e,svc-e-secret-0123456789,E,magic\n",
    )
    .unwrap();
    let import = |f: &std::path::Path| {
        let path = f.to_str().unwrap().to_owned();
        admin(&store, &["client", "import", "--file", &path], None)
    };
    let refused = import(&bad_file);
    assert!(!refused.status.success());
    assert!(!String::from_utf8_lossy(&refused.stderr).contains("secret-0123"));
    let list = |out: &Output| json(out).as_array().unwrap().clone();
    assert_eq!(
        list(&admin(&store, &["client", "list"], None)).len(),
        1,
        "nothing written"
    );

    let from_json = list(&import(&json_file));
    assert_eq!(from_json.len(), 2);
    assert_eq!(from_json[1]["public"], true);
    assert!(from_json.iter().all(|c| c.get("client_secret").is_none()));
    let from_csv = list(&import(&csv_file));
    assert_eq!(from_csv[0]["refresh_rotation"], "off");
    assert!(from_csv[0].get("client_secret").is_none());
    let fresh = from_csv[1]["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(cc("svc-a", "svc-a-secret-0123456789".into()).await, 200);
    assert_eq!(cc("svc-b", "svc-b-secret-0123456789".into()).await, 200);
    assert_eq!(cc("svc-c", fresh).await, 200, "a new secret, printed once");
    assert!(!import(&json_file).status.success(), "they exist now");
    std::fs::remove_dir_all(&dir).ok();

    let keep = [
        "client",
        "rotate-secret",
        "legacy-app",
        "--keep-old",
        "3600",
    ];
    let rotated = json(&admin(&store, &keep, None));
    let second = rotated["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(cc("legacy-app", legacy.into()).await, 200, "the overlap");
    assert_eq!(cc("legacy-app", second.clone()).await, 200);
    let third = json(&admin(
        &store,
        &["client", "rotate-secret", "legacy-app"],
        None,
    ));
    let third = third["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(
        cc("legacy-app", legacy.into()).await,
        401,
        "no overlap: gone"
    );
    assert_eq!(cc("legacy-app", second).await, 401);
    assert_eq!(cc("legacy-app", third).await, 200);
    let too_long = [
        "client",
        "rotate-secret",
        "legacy-app",
        "--keep-old",
        "99999999",
    ];
    assert!(!admin(&store, &too_long, None).status.success());
}

/// `keys rotate` generates RS256 and ES256 keys, seals them with KMS (the emulator) and adds
/// them to the keyring; `keys list` shows their states and never key material; a second
/// rotation publishes the next keys ahead of their time.
#[tokio::test]
async fn keys_are_rotated_and_listed_without_their_private_halves() {
    let store = fresh_dynamo().await;
    let endpoint = local_stack::moto_kms().endpoint();
    let kms = local_stack::local_kms_client(&endpoint);
    let key = kms.create_key().send().await.unwrap();
    let key_id = key.key_metadata().unwrap().key_id().to_owned();
    let env = [
        ("SIGNING_KMS_KEY_ID", key_id.as_str()),
        ("AWS_ENDPOINT_URL_KMS", endpoint.as_str()),
    ];
    let no_kms = admin(&store, &["keys", "rotate"], None);
    assert!(!no_kms.status.success(), "no KMS key configured");

    let first = json(&admin_with(&store, &["keys", "rotate"], None, &env));
    let algs: Vec<&str> = first
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["alg"].as_str().unwrap())
        .collect();
    assert_eq!(algs, ["RS256", "ES256"]);
    assert!(
        first
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["state"] == "signing"),
        "the first keys sign at once"
    );
    let second = json(&admin_with(
        &store,
        &["keys", "rotate", "--alg", "RS256"],
        None,
        &env,
    ));
    assert_eq!(second[0]["state"], "next");

    let out = admin(&store, &["keys", "list"], None);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        !text.contains("sealed") && !text.contains("\"d\""),
        "{text}"
    );
    let listed = json(&out);
    let states: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["signing", "signing", "next"]);
    let ring = oauth_core::store::KeyStore::keyring(&*store).await.unwrap();
    let rsa = &ring.keys[0].public_jwk;
    assert_eq!(
        (rsa["kty"].as_str(), rsa["alg"].as_str()),
        (Some("RSA"), Some("RS256"))
    );
    let n = rsa["n"].as_str().unwrap();
    assert_eq!(n.len(), 342, "a 2048-bit modulus");
}

/// What the lifecycle commands do to the stored account and client: `disable` disables,
/// `enable` enables, `revoke-tokens` moves the generation every token is checked against
/// (and `enable` does not), `client revoke-tokens` moves the client's.
#[tokio::test]
async fn lifecycle_commands_do_what_they_say() {
    use oauth_core::store::{ClientStore, UserStore};
    let store = fresh_dynamo().await;
    json(&admin(
        &store,
        &["user", "create", "--username", "carol", "--password-stdin"],
        Some("correct horse\n"),
    ));
    let user = || async { store.user("default", "carol").await.unwrap().unwrap() };
    let fresh = user().await;
    assert!(!fresh.disabled);
    json(&admin(
        &store,
        &["user", "disable", "--username", "carol"],
        None,
    ));
    let disabled = user().await;
    assert!(disabled.disabled, "disable disables");
    assert!(
        disabled.generation > fresh.generation,
        "and ends what the user held"
    );
    json(&admin(
        &store,
        &["user", "enable", "--username", "carol"],
        None,
    ));
    let enabled = user().await;
    assert!(!enabled.disabled, "enable enables");
    assert_eq!(
        enabled.generation, disabled.generation,
        "and revives nothing"
    );
    json(&admin(
        &store,
        &["user", "revoke-tokens", "--username", "carol"],
        None,
    ));
    let revoked = user().await;
    assert!(revoked.generation > enabled.generation && !revoked.disabled);

    let created = json(&admin(
        &store,
        &[
            "client",
            "create",
            "--name",
            "Svc",
            "--grant-type",
            "client_credentials",
        ],
        None,
    ));
    let id = created["client_id"].as_str().unwrap().to_owned();
    let before = store
        .client("default", &id)
        .await
        .unwrap()
        .unwrap()
        .generation;
    json(&admin(&store, &["client", "revoke-tokens", &id], None));
    let after = store
        .client("default", &id)
        .await
        .unwrap()
        .unwrap()
        .generation;
    assert_ne!(before, after, "client revoke-tokens ends its tokens");
    let rotated = json(&admin(
        &store,
        &["client", "rotate-secret", "--revoke-tokens", &id],
        None,
    ));
    assert!(rotated["client_secret"].is_string());
    let last = store
        .client("default", &id)
        .await
        .unwrap()
        .unwrap()
        .generation;
    assert_ne!(after, last, "rotate-secret --revoke-tokens ends them too");
}

/// OpenID Connect claims are set at creation and changed in place; a new address is
/// unverified unless the operator says otherwise, and nothing ends.
#[tokio::test]
async fn user_profiles_are_set_and_changed() {
    let store = fresh_dynamo().await;
    let created = json(&admin(
        &store,
        &[
            "user",
            "create",
            "--username",
            "dora",
            "--password-stdin",
            "--name",
            "Dora Explorer",
            "--email",
            "dora@example.com",
            "--email-verified",
            "true",
        ],
        Some("correct horse\n"),
    ));
    assert_eq!(
        (
            created["name"].as_str(),
            created["email_verified"].as_bool()
        ),
        (Some("Dora Explorer"), Some(true))
    );
    let updated = json(&admin(
        &store,
        &[
            "user",
            "update",
            "--username",
            "dora",
            "--email",
            "dora@new.example",
        ],
        None,
    ));
    assert_eq!(updated["email"], "dora@new.example");
    assert_eq!(
        updated["email_verified"], false,
        "a new address is unverified"
    );
    assert_eq!(updated["name"], "Dora Explorer", "the name stays");
    let bad = admin(
        &store,
        &[
            "user",
            "update",
            "--username",
            "dora",
            "--email",
            "not an address",
        ],
        None,
    );
    assert!(!bad.status.success());
    let nothing = admin(&store, &["user", "update", "--username", "dora"], None);
    assert!(!nothing.status.success(), "nothing to change is an error");
}

/// The token settings of a client: set at creation, changed in place by `update` (the others
/// stay), a bad post-logout URI refused.
#[tokio::test]
async fn token_settings_are_set_and_updated() {
    let store = fresh_dynamo().await;
    let created = json(&admin(
        &store,
        &[
            "client",
            "create",
            "--name",
            "RP",
            "--redirect-uri",
            "https://rp.example/cb",
            "--access-token-format",
            "jwt",
            "--resource",
            "https://api.example",
            "--id-token-alg",
            "ES256",
            "--post-logout-redirect-uri",
            "https://rp.example/bye",
        ],
        None,
    ));
    assert_eq!(created["access_token_format"], "jwt");
    assert_eq!(created["resources"][0], "https://api.example");
    assert_eq!(created["id_token_alg"], "ES256");
    assert_eq!(
        created["post_logout_redirect_uris"][0],
        "https://rp.example/bye"
    );
    let id = created["client_id"].as_str().unwrap();
    let updated = json(&admin(
        &store,
        &["client", "update", id, "--access-token-format", "opaque"],
        None,
    ));
    assert_eq!(updated["access_token_format"], "opaque");
    assert_eq!(updated["resources"][0], "https://api.example", "kept");
    assert_eq!(updated["id_token_alg"], "ES256", "kept");
    let bad = admin(
        &store,
        &[
            "client",
            "create",
            "--name",
            "Bad",
            "--redirect-uri",
            "https://rp.example/cb",
            "--post-logout-redirect-uri",
            "http://evil.example/bye",
        ],
        None,
    );
    assert!(
        !bad.status.success(),
        "http off loopback is refused for logout too"
    );
}

/// `workspace set|show` and `scope create|list|delete`: what they write is what the pages
/// read; a light accent, an unknown logo type and a bad scope name are refused and write
/// nothing.
#[tokio::test]
async fn workspace_branding_and_scope_descriptions() {
    use oauth_core::store::WorkspaceStore;
    let store = fresh_dynamo().await;
    let refused = |args: &[&str], says: &str| {
        let out = admin(&store, args, None);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            !out.status.success() && err.contains(says),
            "{args:?}: {err}"
        );
    };
    refused(
        &["workspace", "set", "--accent", "#8db4ff"],
        "too light for white text",
    );
    let page = std::env::temp_dir().join(format!("not-a-logo-{}.html", std::process::id()));
    std::fs::write(&page, "<html><script>alert(1)</script>").unwrap();
    refused(
        &["workspace", "set", "--logo-file", page.to_str().unwrap()],
        "PNG, JPEG, WebP or SVG",
    );
    refused(
        &[
            "scope",
            "create",
            "--name",
            "bad name",
            "--description",
            "x",
        ],
        "scope-token",
    );
    refused(
        &[
            "workspace",
            "set",
            "--workspace",
            "Bad_Name",
            "--display-name",
            "X",
        ],
        "workspace names",
    );
    assert_eq!(
        store.workspace_config("default").await.unwrap(),
        Default::default(),
        "nothing written"
    );

    let logo = std::env::temp_dir().join(format!("logo-{}.svg", std::process::id()));
    std::fs::write(&logo, "<svg xmlns='http://www.w3.org/2000/svg'/>").unwrap();
    let set = json(&admin(
        &store,
        &[
            "workspace",
            "set",
            "--workspace",
            "acme",
            "--display-name",
            "Acme",
            "--accent",
            "#1f5bd8",
            "--logo-file",
            logo.to_str().unwrap(),
            "--support",
            "mailto:help@acme.example",
        ],
        None,
    ));
    assert_eq!(set["logo"]["type"], "image/svg+xml");
    let create = [
        "scope",
        "create",
        "--workspace",
        "acme",
        "--name",
        "payments.admin",
        "--description",
        "Move money",
        "--sensitive",
    ];
    json(&admin(&store, &create, None));
    let shown = json(&admin(
        &store,
        &["workspace", "show", "--workspace", "acme"],
        None,
    ));
    assert_eq!(shown["display_name"], "Acme");
    assert_eq!(shown["scopes"][0]["sensitive"], true);
    let config = store.workspace_config("acme").await.unwrap();
    assert_eq!(config.branding.display_name.as_deref(), Some("Acme"));
    assert_eq!(config.scopes[0].description, "Move money");
    let app = json(&admin(
        &store,
        &[
            "client",
            "create",
            "--workspace",
            "acme",
            "--name",
            "Pay",
            "--redirect-uri",
            "https://pay.example/cb",
            "--client-uri",
            "https://pay.example",
            "--tos-uri",
            "https://pay.example/terms",
        ],
        None,
    ));
    assert_eq!(
        (
            app["client_uri"].as_str(),
            app["policy_uri"].as_str(),
            app["tos_uri"].as_str()
        ),
        (
            Some("https://pay.example"),
            None,
            Some("https://pay.example/terms")
        )
    );
    refused(
        &[
            "client",
            "create",
            "--workspace",
            "acme",
            "--name",
            "Bad",
            "--redirect-uri",
            "https://bad.example/cb",
            "--policy-uri",
            "ftp://bad.example",
        ],
        "https URLs",
    );
    let delete = [
        "scope",
        "delete",
        "--workspace",
        "acme",
        "--name",
        "payments.admin",
    ];
    json(&admin(&store, &delete, None));
    refused(&delete, "not found");
    assert!(store
        .workspace_config("acme")
        .await
        .unwrap()
        .scopes
        .is_empty());
}
