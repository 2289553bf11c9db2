//! `oauth-admin client …`: registering and changing clients.

use crate::{now, Ctx, Ws};
use clap::{Args, Subcommand, ValueEnum};
use oauth_core::protocol::client::{Client, ClientPolicy, TokenFormat};
use oauth_core::service::admin::{self, AdminError, ClientSpec};
use serde_json::{json, Value};

#[derive(Subcommand)]
pub(crate) enum ClientCmd {
    /// Register a client; prints it as JSON, with the secret shown this once.
    Create(CreateClient),
    /// List a workspace's clients.
    List(Ws),
    /// Show one client.
    Show {
        #[command(flatten)]
        ws: Ws,
        client_id: String,
    },
    /// Change a client's settings; what is not named stays (its id, secret and tokens too).
    Update(UpdateClient),
    /// Delete a client.
    Delete {
        #[command(flatten)]
        ws: Ws,
        client_id: String,
    },
    /// Issue a new secret for a confidential client; the old one stops working, at once or
    /// after an overlap.
    RotateSecret {
        #[command(flatten)]
        ws: Ws,
        client_id: String,
        /// Also end every token issued to the client so far.
        #[arg(long)]
        revoke_tokens: bool,
        /// Keep accepting the old secret this many seconds (at most 30 days), so deployed
        /// clients can move to the new one.
        #[arg(long, value_name = "SECS", conflicts_with = "revoke_tokens")]
        keep_old: Option<u64>,
    },
    /// Import clients with their existing ids and secrets from a JSON or CSV file (see the
    /// README); all of them, or none if any entry is invalid or exists already.
    Import {
        #[command(flatten)]
        ws: Ws,
        /// `.json` (an array of objects) or `.csv` (a header row).
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// End every token issued to the client so far (the client itself stays).
    RevokeTokens {
        #[command(flatten)]
        ws: Ws,
        client_id: String,
    },
}

#[derive(Args)]
pub(crate) struct CreateClient {
    #[command(flatten)]
    ws: Ws,
    #[arg(long)]
    name: String,
    /// Allowed redirect URI (repeatable): https, http on loopback, or a private-use scheme.
    #[arg(long = "redirect-uri")]
    redirect_uris: Vec<String>,
    /// authorization_code, implicit, password, client_credentials, refresh_token (repeatable;
    /// default: authorization_code and refresh_token).
    #[arg(long = "grant-type")]
    grant_types: Vec<String>,
    /// Space-delimited scopes the client may request.
    #[arg(long)]
    scope: Option<String>,
    /// A public client (no secret; must use PKCE).
    #[arg(long)]
    public: bool,
    /// Skip the consent page.
    #[arg(long)]
    first_party: bool,
    /// Allow the PKCE `plain` method.
    #[arg(long)]
    allow_plain_pkce: bool,
    /// Allow calls to the introspection endpoint.
    #[arg(long)]
    introspect: bool,
    #[arg(long, value_name = "SECS")]
    access_token_ttl: Option<u64>,
    #[arg(long, value_name = "SECS")]
    refresh_token_ttl: Option<u64>,
    /// Seconds a rotated refresh token may still be retried (default 0).
    #[arg(long, value_name = "SECS")]
    refresh_grace: Option<u64>,
    /// The audience of the client's tokens (a resource identifier; repeatable).
    #[arg(long = "audience", value_name = "URI")]
    audience: Vec<String>,
    /// As a resource server, introspect tokens whose audience is this (repeatable).
    #[arg(long = "serves", value_name = "URI")]
    serves: Vec<String>,
    /// Let a confidential client skip PKCE (new clients must use it, as OAuth 2.1 asks).
    #[arg(long)]
    pkce_optional: bool,
    /// `off`: refresh answers the same refresh token, valid until it expires (confidential
    /// clients only; default `on`: every refresh rotates it).
    #[arg(long, value_name = "on|off")]
    refresh_rotation: Option<OnOff>,
    #[command(flatten)]
    tokens: TokenArgs,
    /// Keep an existing client id (migration) instead of generating one.
    #[arg(long)]
    client_id: Option<String>,
    /// With --client-id: read the client's existing secret from the first line of stdin
    /// (stored as a digest; never printed back).
    #[arg(long, requires = "client_id", conflicts_with = "public")]
    client_secret_stdin: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum OnOff {
    On,
    Off,
}

/// How the client's tokens look, and where logout may return (`create` sets them; `update`
/// replaces those it is given).
#[derive(Args)]
pub(crate) struct TokenArgs {
    /// Access tokens as `opaque` values (default) or `jwt` (RFC 9068, signed RS256).
    #[arg(long, value_enum)]
    access_token_format: Option<Format>,
    /// A resource (RFC 8707 `resource`) the client may ask tokens for (repeatable).
    #[arg(long = "resource", value_name = "URI")]
    resources: Vec<String>,
    /// How its ID tokens are signed (`id_token_signed_response_alg`; default RS256).
    #[arg(long, value_enum)]
    id_token_alg: Option<crate::keys::KeyAlg>,
    /// Where RP-initiated logout may send the browser afterwards (repeatable).
    #[arg(long = "post-logout-redirect-uri", value_name = "URI")]
    post_logout_redirect_uris: Vec<String>,
    /// The client's home page, linked from the consent page (RFC 7591 `client_uri`).
    #[arg(long, value_name = "URL")]
    client_uri: Option<String>,
    /// Its privacy policy (`policy_uri`), linked from the consent page.
    #[arg(long, value_name = "URL")]
    policy_uri: Option<String>,
    /// Its terms of service (`tos_uri`), linked from the consent page.
    #[arg(long, value_name = "URL")]
    tos_uri: Option<String>,
}

impl TokenArgs {
    fn apply(self, p: &mut ClientPolicy) {
        if !self.resources.is_empty() {
            p.resources = self.resources;
        }
        if !self.post_logout_redirect_uris.is_empty() {
            p.post_logout_redirect_uris = self.post_logout_redirect_uris;
        }
        if let Some(f) = self.access_token_format {
            p.access_token_format = f.into();
        }
        if let Some(alg) = self.id_token_alg {
            p.id_token_alg = Some(alg.into());
        }
        let links = &mut p.links;
        for (given, kept) in [
            (self.client_uri, &mut links.homepage),
            (self.policy_uri, &mut links.privacy),
            (self.tos_uri, &mut links.terms),
        ] {
            if given.is_some() {
                *kept = given;
            }
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    Opaque,
    Jwt,
}

impl From<Format> for TokenFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Opaque => TokenFormat::Opaque,
            Format::Jwt => TokenFormat::Jwt,
        }
    }
}

#[derive(Args)]
pub(crate) struct UpdateClient {
    #[command(flatten)]
    ws: Ws,
    client_id: String,
    #[arg(long)]
    name: Option<String>,
    /// Replaces the redirect URIs (repeatable).
    #[arg(long = "redirect-uri")]
    redirect_uris: Vec<String>,
    /// Replaces the grant types (repeatable).
    #[arg(long = "grant-type")]
    grant_types: Vec<String>,
    /// Replaces the scopes (space-delimited).
    #[arg(long)]
    scope: Option<String>,
    /// Replaces the audience of the client's tokens (repeatable).
    #[arg(long = "audience", value_name = "URI")]
    audience: Vec<String>,
    /// Replaces the resources it serves as a resource server (repeatable).
    #[arg(long = "serves", value_name = "URI")]
    serves: Vec<String>,
    /// Allow calls to the introspection endpoint.
    #[arg(long, conflicts_with = "no_introspect")]
    introspect: bool,
    #[arg(long)]
    no_introspect: bool,
    /// Require PKCE even though the client is confidential.
    #[arg(long, conflicts_with = "pkce_optional")]
    require_pkce: bool,
    #[arg(long)]
    pkce_optional: bool,
    /// `off`: refresh answers the same refresh token (confidential clients only).
    #[arg(long, value_name = "on|off")]
    refresh_rotation: Option<OnOff>,
    #[command(flatten)]
    tokens: TokenArgs,
}

/// `update`'s flags applied to the spec of the client as it is.
fn apply(u: UpdateClient, spec: &mut ClientSpec) {
    let replace = |list: Vec<String>, into: &mut Vec<String>| {
        if !list.is_empty() {
            *into = list;
        }
    };
    if let Some(name) = u.name {
        spec.name = name;
    }
    if u.scope.is_some() {
        spec.scope = u.scope;
    }
    replace(u.redirect_uris, &mut spec.redirect_uris);
    replace(u.grant_types, &mut spec.grant_types);
    replace(u.audience, &mut spec.policy.audience);
    replace(u.serves, &mut spec.policy.serves);
    if u.introspect || u.no_introspect {
        spec.policy.introspect = u.introspect;
    }
    if u.require_pkce || u.pkce_optional {
        spec.policy.require_pkce = u.require_pkce;
    }
    if let Some(rotation) = u.refresh_rotation {
        spec.policy.keep_refresh_token = matches!(rotation, OnOff::Off);
    }
    u.tokens.apply(&mut spec.policy);
}

fn client_json(c: &Client, secret: Option<&str>) -> Value {
    let mut v = json!({
        "workspace": c.workspace,
        "client_id": c.client_id,
        "name": c.name,
        "public": c.is_public(),
        "redirect_uris": c.redirect_uris,
        "grant_types": c.grant_types.iter().map(|g| g.as_str()).collect::<Vec<_>>(),
        "scope": c.scopes.to_wire(),
        "first_party": c.policy.first_party,
        "allow_plain_pkce": c.policy.allow_plain_pkce,
        "introspect": c.policy.introspect,
        "access_token_ttl": c.policy.access_token_ttl,
        "refresh_token_ttl": c.policy.refresh_token_ttl,
        "refresh_grace": c.policy.refresh_grace,
        "audience": c.policy.audience,
        "serves": c.policy.serves,
        "require_pkce": c.policy.require_pkce,
        "refresh_rotation": if c.policy.keep_refresh_token { "off" } else { "on" },
        "access_token_format": c.policy.access_token_format.as_str(),
        "resources": c.policy.resources,
        "post_logout_redirect_uris": c.policy.post_logout_redirect_uris,
        "client_uri": c.policy.links.homepage,
        "policy_uri": c.policy.links.privacy,
        "tos_uri": c.policy.links.terms,
        "id_token_alg": c.policy.id_token_alg().as_str(),
        "created_at": c.created_at,
    });
    if let Some(s) = secret {
        v["client_secret"] = json!(s);
    }
    v
}

/// An imported client: the secret is printed only when one was generated for it.
fn imported_json(i: &admin::Imported) -> Value {
    client_json(&i.client, i.new_secret.as_deref())
}

fn spec(c: CreateClient) -> ClientSpec {
    let mut spec = ClientSpec {
        workspace: c.ws.workspace,
        name: c.name,
        redirect_uris: c.redirect_uris,
        grant_types: c.grant_types,
        scope: c.scope,
        public: c.public,
        policy: ClientPolicy {
            first_party: c.first_party,
            allow_plain_pkce: c.allow_plain_pkce,
            introspect: c.introspect,
            access_token_ttl: c.access_token_ttl,
            refresh_token_ttl: c.refresh_token_ttl,
            refresh_grace: c.refresh_grace.unwrap_or(0),
            audience: c.audience,
            serves: c.serves,
            require_pkce: !c.pkce_optional,
            keep_refresh_token: matches!(c.refresh_rotation, Some(OnOff::Off)),
            ..Default::default()
        },
        owner: None,
    };
    c.tokens.apply(&mut spec.policy);
    spec
}

pub(crate) async fn client(ctx: &Ctx, cmd: ClientCmd) -> Result<Value, AdminError> {
    let clients = &*ctx.stores.clients;
    match cmd {
        ClientCmd::Create(c) => match c.client_id.clone() {
            None => {
                let r = admin::create_client(clients, &spec(c), now()).await?;
                Ok(client_json(&r.client, r.client_secret.as_deref()))
            }
            Some(client_id) => {
                let secret = match c.client_secret_stdin {
                    true => Some(crate::read_secret("client secret", true)?),
                    false => None,
                };
                let credentials = admin::Credentials { client_id, secret };
                let entries = [(spec(c), credentials)];
                let mut imported = admin::import_clients(clients, &entries, now()).await?;
                Ok(imported_json(&imported.remove(0)))
            }
        },
        ClientCmd::Import { ws, file } => {
            let entries = crate::import::read(&file, &ws.workspace)?;
            let imported = admin::import_clients(clients, &entries, now()).await?;
            Ok(Value::Array(imported.iter().map(imported_json).collect()))
        }
        ClientCmd::Update(u) => {
            let (ws, id) = (u.ws.workspace.clone(), u.client_id.clone());
            let updated = admin::update_client(clients, &ws, &id, |spec| apply(u, spec)).await?;
            Ok(client_json(&updated, None))
        }
        ClientCmd::List(ws) => {
            let list = clients.clients(&ws.workspace).await?;
            Ok(Value::Array(
                list.iter().map(|c| client_json(c, None)).collect(),
            ))
        }
        ClientCmd::Show { ws, client_id } => match clients.client(&ws.workspace, &client_id).await?
        {
            Some(c) => Ok(client_json(&c, None)),
            None => Err(AdminError::NotFound(format!("client {client_id}"))),
        },
        ClientCmd::Delete { ws, client_id } => {
            admin::delete_client(clients, &ws.workspace, &client_id).await?;
            Ok(json!({ "deleted": client_id }))
        }
        ClientCmd::RotateSecret {
            ws,
            client_id,
            revoke_tokens,
            keep_old,
        } => {
            let key = (ws.workspace.as_str(), client_id.as_str());
            let secret = admin::rotate_secret(clients, key, keep_old, now()).await?;
            if revoke_tokens {
                admin::revoke_client_tokens(clients, &ws.workspace, &client_id).await?;
            }
            Ok(
                json!({ "client_id": client_id, "client_secret": secret, "tokens_revoked": revoke_tokens, "old_secret_valid_for": keep_old.unwrap_or(0) }),
            )
        }
        ClientCmd::RevokeTokens { ws, client_id } => {
            admin::revoke_client_tokens(clients, &ws.workspace, &client_id).await?;
            Ok(json!({ "client_id": client_id, "tokens_revoked": true }))
        }
    }
}
