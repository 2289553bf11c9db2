// openid-client and simple-oauth2, used as their users call them, against the running stack.
//
// tests/tests/e2e/interop.rs registers the clients and the user, passes them in the INTEROP
// environment variable (JSON), and runs this script; every check prints PASS or FAIL, and the
// exit status is the number of failures. Nothing secret is printed.

import * as oidc from 'openid-client';
import * as jose from 'jose';
import { AuthorizationCode, ClientCredentials, ResourceOwnerPassword } from 'simple-oauth2';
import { createHash, randomBytes } from 'node:crypto';

const cfg = JSON.parse(process.env.INTEROP);
const { base_url: base, redirect_uri: cb, user } = cfg;
const [conf, pub, other] = [cfg.confidential, cfg.public, cfg.no_introspect];
let failures = 0;

async function check(name, fn) {
  try {
    await fn();
    console.log(`PASS node ${name}`);
  } catch (e) {
    failures += 1;
    console.log(`FAIL node ${name}: ${e?.name}: ${e?.message} ${e?.error ?? ''} ${e?.cause?.message ?? ''}`);
  }
}

function assert(ok, what) {
  if (!ok) throw new Error(`assertion failed: ${what}`);
}

// A user at the login and consent pages over HTTP, cookies kept by hand (the server's
// __Host- cookies are Secure); the redirect back to the client.
async function signIn(authorizeUrl) {
  const jar = new Map();
  const send = async (method, body) => {
    const headers = { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const r = await fetch(authorizeUrl, { method, headers, body, redirect: 'manual' });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return { status: r.status, location: r.headers.get('location'), text: await r.text() };
  };
  const field = (page, name) => page.match(new RegExp(`name="${name}" value="([^"]*)"`))[1];
  const login = await send('GET');
  assert(login.status === 200, `login page ${login.status}`);
  const form = new URLSearchParams({ step: 'login', csrf: field(login.text, 'csrf'), form: field(login.text, 'form'), ...user });
  assert((await send('POST', form)).status === 303, 'signed in');
  const page = await send('GET');
  if (page.status === 302) return page.location;
  const consent = new URLSearchParams({ step: 'consent', csrf: field(page.text, 'csrf'), form: field(page.text, 'form'), decision: 'allow' });
  const done = await send('POST', consent);
  assert(done.status === 303, `consented ${done.status}`);
  return done.location;
}

// RFC 8414 discovery (openid-client's `oauth2` algorithm); plain http is allowed for the
// local stack only.
async function configFor(client, auth) {
  return oidc.discovery(new URL(base), client.id, client.secret, auth, {
    algorithm: 'oauth2',
    execute: [oidc.allowInsecureRequests],
  });
}

async function openidCodeFlow(config) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: cb,
    scope: 'read',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const back = await signIn(url.href);
  return oidc.authorizationCodeGrant(config, new URL(back), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
}

await check('openid-client: discovery (RFC 8414)', async () => {
  const config = await configFor(conf, oidc.ClientSecretBasic(conf.secret));
  const meta = config.serverMetadata();
  assert(meta.issuer === cfg.issuer, 'issuer');
  assert(meta.token_endpoint && meta.introspection_endpoint && meta.revocation_endpoint, 'endpoints');
});

for (const [label, client, auth] of [
  ['client_secret_basic', conf, oidc.ClientSecretBasic(conf.secret)],
  ['client_secret_post', conf, oidc.ClientSecretPost(conf.secret)],
  ['public (none)', pub, oidc.None()],
]) {
  await check(`openid-client: code + PKCE, ${label}, then refresh`, async () => {
    const config = await configFor(client, auth);
    const tokens = await openidCodeFlow(config);
    assert(tokens.scope === 'read' && tokens.refresh_token, 'tokens');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
    assert(refreshed.refresh_token !== tokens.refresh_token, 'rotated');
  });
}

await check('openid-client: client credentials, password, introspection, revocation', async () => {
  const config = await configFor(conf, oidc.ClientSecretBasic(conf.secret));
  const cc = await oidc.clientCredentialsGrant(config, { scope: 'read' });
  assert(cc.access_token && cc.refresh_token === undefined, 'client credentials');
  const pw = await oidc.genericGrantRequest(config, 'password', { ...user, scope: 'read' });
  assert(pw.refresh_token, 'password');
  const active = await oidc.tokenIntrospection(config, pw.access_token);
  assert(active.active === true && active.username === user.username, 'active');
  await oidc.tokenRevocation(config, pw.refresh_token);
  const gone = await oidc.tokenIntrospection(config, pw.access_token);
  assert(gone.active === false, 'revoked with its family');
});

await check('openid-client: errors arrive as OAuth errors (bad code, no introspection right)', async () => {
  const config = await configFor(conf, oidc.ClientSecretBasic(conf.secret));
  try {
    await oidc.genericGrantRequest(config, 'authorization_code', { code: 'not-a-code', redirect_uri: cb });
    throw new Error('a made-up code was accepted');
  } catch (e) {
    assert(e.error === 'invalid_grant', `invalid_grant, got ${e.error}`);
  }
  const refusedConfig = await configFor(other, oidc.ClientSecretBasic(other.secret));
  try {
    await oidc.tokenIntrospection(refusedConfig, 'anything');
    throw new Error('introspection without the right was answered');
  } catch (e) {
    assert(e.error === 'unauthorized_client' && e.status === 403, `403, got ${e.status} ${e.error}`);
  }
});

const tokenHost = { tokenHost: base, tokenPath: '/oauth2/token', revokePath: '/oauth2/revoke' };
const host = { ...tokenHost, authorizePath: '/oauth2/authorize' };

for (const method of ['header', 'body']) {
  await check(`simple-oauth2: code + PKCE, credentials in the ${method}, then refresh and revoke`, async () => {
    const client = new AuthorizationCode({
      client: { id: conf.id, secret: conf.secret },
      auth: host,
      options: { authorizationMethod: method },
    });
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const url = client.authorizeURL({
      redirect_uri: cb,
      scope: 'read',
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const back = new URL(await signIn(url));
    const token = await client.getToken({ code: back.searchParams.get('code'), redirect_uri: cb, code_verifier: verifier });
    assert(token.token.refresh_token && !token.expired(), 'tokens');
    const refreshed = await token.refresh();
    assert(refreshed.token.access_token !== token.token.access_token, 'refreshed');
    await refreshed.revokeAll();
    assert(!(await isActive(refreshed.token.access_token)), 'revoked');
  });
}

// Whether the confidential client, which may introspect, still sees `token` as active.
async function isActive(token) {
  const r = await fetch(`${base}/oauth2/introspect`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${conf.id}:${conf.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token }),
  });
  return (await r.json()).active;
}

await check('simple-oauth2: code + PKCE, public client (no secret), refresh, then revokeAll', async () => {
  const client = new AuthorizationCode({
    client: { id: pub.id },
    auth: host,
    options: { authorizationMethod: 'body' },
  });
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const url = client.authorizeURL({ redirect_uri: cb, scope: 'read', state: 'st', code_challenge: challenge, code_challenge_method: 'S256' });
  const back = new URL(await signIn(url));
  const token = await client.getToken({ code: back.searchParams.get('code'), redirect_uri: cb, code_verifier: verifier });
  assert(token.token.refresh_token, 'tokens');
  const refreshed = await token.refresh();
  // A public client may not introspect, and another client may not see its tokens: the
  // refresh token's revocation shows at the token endpoint.
  await refreshed.revokeAll();
  try {
    await refreshed.refresh();
    throw new Error('a revoked refresh token was accepted');
  } catch (e) {
    assert(e.data?.payload?.error === 'invalid_grant', `refresh token revoked: ${e.message}`);
  }
});

await check('simple-oauth2: client credentials and password; a bad password is an error', async () => {
  const cc = new ClientCredentials({ client: { id: conf.id, secret: conf.secret }, auth: tokenHost });
  const t = await cc.getToken({ scope: 'read' });
  assert(t.token.access_token, 'client credentials');
  const ro = new ResourceOwnerPassword({ client: { id: conf.id, secret: conf.secret }, auth: tokenHost });
  const p = await ro.getToken({ ...user, scope: 'read' });
  assert(p.token.refresh_token, 'password');
  try {
    await ro.getToken({ username: user.username, password: 'wrong password', scope: 'read' });
    throw new Error('a wrong password was accepted');
  } catch (e) {
    assert(e.output?.statusCode === 400 && e.data?.payload?.error === 'invalid_grant', 'invalid_grant');
  }
});

// OpenID Connect, as an OpenID-certified relying party library does it: discovery of the
// openid-configuration, code + PKCE + nonce, the ID token validated (signature from the JWKS,
// iss, aud, exp, iat, nonce), UserInfo with the subject checked, refresh.
const rp = cfg.oidc;
let oidcTokens;
await check('openid-client (OIDC): discovery, code + PKCE + nonce, ID token, userinfo, refresh', async () => {
  const config = await oidc.discovery(new URL(base), rp.id, rp.secret, oidc.ClientSecretBasic(rp.secret), {
    execute: [oidc.allowInsecureRequests],
  });
  const meta = config.serverMetadata();
  assert(meta.userinfo_endpoint && meta.jwks_uri, 'OpenID metadata');
  const verifier = oidc.randomPKCECodeVerifier();
  const [nonce, state] = [oidc.randomNonce(), oidc.randomState()];
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: cb,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    state,
  });
  const back = await signIn(url.href);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(back), {
    pkceCodeVerifier: verifier,
    expectedNonce: nonce,
    expectedState: state,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  assert(claims.nonce === nonce && claims.sub && claims.auth_time, 'ID token claims');
  const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert(info.email === cfg.profile.email && info.name === cfg.profile.name && info.email_verified === true, 'userinfo');
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
  assert(refreshed.access_token && refreshed.refresh_token !== tokens.refresh_token, 'refresh');
  oidcTokens = { tokens, meta };
});

// jose verifies with the published JWKS alone, as a resource server or API Gateway would:
// the ID token, the RFC 9068 access token, and a JWT minted before a key rotation.
await check('jose: ID token and JWT access tokens verify with the JWKS, before and after a key rotation', async () => {
  const { tokens, meta } = oidcTokens;
  const jwks = await (await fetch(meta.jwks_uri)).json();
  const rsa = jwks.keys.filter((k) => k.alg === 'RS256');
  assert(rsa.length >= 2, `the replaced and the new RS256 key are both published (${rsa.length})`);
  const JWKS = jose.createRemoteJWKSet(new URL(meta.jwks_uri));
  const id = await jose.jwtVerify(tokens.id_token, JWKS, { issuer: meta.issuer, audience: rp.id });
  assert(id.protectedHeader.alg === 'RS256', 'RS256 ID token');
  const at = await jose.jwtVerify(tokens.access_token, JWKS, { issuer: meta.issuer, typ: 'at+jwt' });
  assert(at.payload.client_id === rp.id && at.payload.scope.includes('openid'), 'RFC 9068 claims');
  const old = await jose.jwtVerify(cfg.jwt_before_rotation, JWKS, { issuer: meta.issuer, audience: cfg.api, typ: 'at+jwt' });
  assert(old.payload.sub === rp.id, 'a client-credentials JWT from before the rotation');
  try {
    await jose.jwtVerify(tokens.id_token, JWKS, { issuer: meta.issuer, typ: 'at+jwt' });
    throw new Error('an ID token passed for an access token');
  } catch (e) {
    assert(e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED', `typ refused: ${e.code}`);
  }
});

// RP-initiated logout as openid-client builds it from discovery's end_session_endpoint: with
// the ID token as hint, the server sends the browser to the registered URI with the state.
await check('openid-client (OIDC): RP-initiated logout returns to the registered URI with the state', async () => {
  const { tokens } = oidcTokens;
  const config = await oidc.discovery(new URL(base), rp.id, rp.secret, oidc.ClientSecretBasic(rp.secret), {
    execute: [oidc.allowInsecureRequests],
  });
  const url = oidc.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: cfg.post_logout_redirect_uri,
    state: 'bye',
  });
  const r = await fetch(url, { redirect: 'manual' });
  assert(r.status === 302, `redirected: ${r.status}`);
  assert(r.headers.get('location') === `${cfg.post_logout_redirect_uri}?state=bye`, r.headers.get('location'));
});

console.log(`node: ${failures} failed`);
process.exit(failures);
