"""authlib and requests-oauthlib, used as their users call them, against the running stack.

tests/tests/e2e/interop.rs registers the clients and the user, passes them in the INTEROP
environment variable (JSON), and runs this script; every check prints PASS or FAIL, and the
exit status is the number of failures. Nothing secret is printed.
"""

import json
import os
import re
import sys
import traceback

import requests
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from authlib.integrations.base_client.errors import OAuthError as AuthlibError
from oauthlib.oauth2 import BackendApplicationClient, LegacyApplicationClient
from oauthlib.oauth2.rfc6749.errors import InvalidGrantError
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session as OAuthlibSession

# oauthlib refuses plain http unless told; the stack runs on 127.0.0.1 without TLS.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

CFG = json.loads(os.environ["INTEROP"])
BASE = CFG["base_url"]
CB = CFG["redirect_uri"]
failures = []


def check(name):
    def run(fn):
        try:
            fn()
            print(f"PASS python {name}")
        except Exception as e:  # noqa: BLE001 - every failure is reported, none hidden
            failures.append(name)
            print(f"FAIL python {name}: {type(e).__name__}: {e}")
            traceback.print_exc(limit=3, file=sys.stdout)
        return fn

    return run


def sign_in(authorize_url):
    """A user at the login and consent pages, over HTTP; the redirect back to the client.

    Cookies are kept by hand: the server's __Host- cookies are Secure, which a cookie jar
    does not send to http://127.0.0.1.
    """
    jar = {}

    def send(method, url, data=None):
        cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
        r = requests.request(method, url, data=data, headers={"Cookie": cookie}, allow_redirects=False, timeout=120)
        for c in r.raw.headers.getlist("Set-Cookie"):
            name, _, rest = c.partition("=")
            jar[name] = rest.split(";")[0]
        return r

    def field(page, name):
        return re.search(f'name="{name}" value="([^"]*)"', page).group(1)

    login = send("GET", authorize_url)
    assert login.status_code == 200, login.text
    user = CFG["user"]
    form = {"step": "login", "csrf": field(login.text, "csrf"), "form": field(login.text, "form"), "username": user["username"], "password": user["password"]}
    assert send("POST", authorize_url, form).status_code == 303
    page = send("GET", authorize_url)
    if page.status_code == 302:
        return page.headers["Location"]
    form = {"step": "consent", "csrf": field(page.text, "csrf"), "form": field(page.text, "form"), "decision": "allow"}
    done = send("POST", authorize_url, form)
    assert done.status_code == 303, done.text
    return done.headers["Location"]


META = requests.get(f"{BASE}/.well-known/oauth-authorization-server", timeout=120).json()
CONF, PUBLIC, OTHER = CFG["confidential"], CFG["public"], CFG["no_introspect"]


@check("discovery: RFC 8414 metadata names every endpoint used below")
def _():
    assert META["issuer"] == CFG["issuer"], META["issuer"]
    for key in ["authorization_endpoint", "token_endpoint", "revocation_endpoint", "introspection_endpoint"]:
        assert META[key].startswith(CFG["issuer"]), key


def authlib_code_flow(client, method):
    s = AuthlibSession(
        client["id"],
        client.get("secret"),
        token_endpoint_auth_method=method,
        redirect_uri=CB,
        scope="read",
        code_challenge_method="S256",
    )
    verifier = os.urandom(32).hex()
    url, state = s.create_authorization_url(META["authorization_endpoint"], code_verifier=verifier)
    back = sign_in(url)
    token = s.fetch_token(META["token_endpoint"], authorization_response=back, code_verifier=verifier, state=state)
    assert token["token_type"] == "Bearer" and token["scope"] == "read", token.keys()
    return s, token


for label, client, method in [
    ("client_secret_basic", CONF, "client_secret_basic"),
    ("client_secret_post", CONF, "client_secret_post"),
    ("public (none)", PUBLIC, "none"),
]:

    @check(f"authlib: code + PKCE, {label}, then refresh")
    def _(client=client, method=method):
        s, token = authlib_code_flow(client, method)
        refreshed = s.refresh_token(META["token_endpoint"], refresh_token=token["refresh_token"])
        assert refreshed["access_token"] != token["access_token"]
        assert refreshed["refresh_token"] != token["refresh_token"], "rotated"


@check("authlib: client credentials, password, introspection, revocation")
def _():
    s = AuthlibSession(CONF["id"], CONF["secret"], scope="read")
    cc = s.fetch_token(META["token_endpoint"], grant_type="client_credentials")
    assert "refresh_token" not in cc
    user = CFG["user"]
    pw = s.fetch_token(META["token_endpoint"], username=user["username"], password=user["password"])
    assert pw["refresh_token"]
    active = s.introspect_token(META["introspection_endpoint"], token=pw["access_token"]).json()
    assert active["active"] is True and active["username"] == user["username"], active
    assert s.revoke_token(META["revocation_endpoint"], token=pw["refresh_token"]).status_code == 200
    gone = s.introspect_token(META["introspection_endpoint"], token=pw["access_token"]).json()
    assert gone == {"active": False}, gone


@check("authlib: errors arrive as OAuth errors (bad code, no introspection right)")
def _():
    s = AuthlibSession(CONF["id"], CONF["secret"], redirect_uri=CB)
    try:
        s.fetch_token(META["token_endpoint"], grant_type="authorization_code", code="not-a-code")
        raise AssertionError("a made-up code was accepted")
    except AuthlibError as e:
        assert e.error == "invalid_grant", e.error
    other = AuthlibSession(OTHER["id"], OTHER["secret"])
    refused = other.introspect_token(META["introspection_endpoint"], token="anything")
    assert refused.status_code == 403 and refused.json()["error"] == "unauthorized_client"


def oauthlib_code_flow(client, include_client_id, auth):
    s = OAuthlibSession(client["id"], redirect_uri=CB, scope=["read"], pkce="S256")
    url, _state = s.authorization_url(META["authorization_endpoint"])
    back = sign_in(url)
    token = s.fetch_token(
        META["token_endpoint"],
        authorization_response=back,
        include_client_id=include_client_id,
        client_secret=client.get("secret"),
        auth=auth,
    )
    assert token["scope"] == ["read"], token.keys()
    return s, token


@check("requests-oauthlib: code + PKCE, client_secret_basic, then refresh")
def _():
    s, token = oauthlib_code_flow(CONF, None, None)
    refreshed = s.refresh_token(META["token_endpoint"], auth=HTTPBasicAuth(CONF["id"], CONF["secret"]))
    assert refreshed["refresh_token"] != token["refresh_token"]


@check("requests-oauthlib: code + PKCE, client_secret_post")
def _():
    oauthlib_code_flow(CONF, True, False)


@check("requests-oauthlib: code + PKCE, public, then its default refresh (no client_id)")
def _():
    s, token = oauthlib_code_flow(PUBLIC, True, False)
    refreshed = s.refresh_token(META["token_endpoint"])
    assert refreshed["access_token"] != token["access_token"]


@check("requests-oauthlib: client credentials and password")
def _():
    cc = OAuthlibSession(client=BackendApplicationClient(client_id=CONF["id"]))
    token = cc.fetch_token(META["token_endpoint"], client_id=CONF["id"], client_secret=CONF["secret"])
    assert token["access_token"] and "refresh_token" not in token
    legacy = OAuthlibSession(client=LegacyApplicationClient(client_id=CONF["id"]))
    user = CFG["user"]
    token = legacy.fetch_token(
        META["token_endpoint"],
        username=user["username"],
        password=user["password"],
        client_id=CONF["id"],
        client_secret=CONF["secret"],
    )
    assert token["refresh_token"]


@check("requests-oauthlib: revocation (oauthlib's RFC 7009 request) ends the token's family")
def _():
    legacy = OAuthlibSession(client=LegacyApplicationClient(client_id=CONF["id"]))
    user = CFG["user"]
    token = legacy.fetch_token(
        META["token_endpoint"],
        username=user["username"],
        password=user["password"],
        client_id=CONF["id"],
        client_secret=CONF["secret"],
    )
    url, headers, body = legacy._client.prepare_token_revocation_request(
        META["revocation_endpoint"], token["refresh_token"], token_type_hint="refresh_token"
    )
    auth = HTTPBasicAuth(CONF["id"], CONF["secret"])
    revoked = requests.post(url, data=body, headers=headers, auth=auth, timeout=120)
    assert revoked.status_code == 200, revoked.status_code
    seen = requests.post(META["introspection_endpoint"], data={"token": token["access_token"]}, auth=auth, timeout=120)
    assert seen.json() == {"active": False}, seen.json()


@check("requests-oauthlib: a replayed code is InvalidGrantError")
def _():
    s = OAuthlibSession(CONF["id"], redirect_uri=CB)
    try:
        s.fetch_token(META["token_endpoint"], code="not-a-code", client_secret=CONF["secret"])
        raise AssertionError("a made-up code was accepted")
    except InvalidGrantError:
        pass


OIDC = CFG["oidc"]


@check("authlib (OIDC): openid-configuration, code + PKCE + nonce, ID token validated from the JWKS, userinfo")
def _():
    from authlib.common.security import generate_token
    from authlib.jose import JsonWebKey, jwt
    from authlib.oidc.core import CodeIDToken

    meta = requests.get(f"{BASE}/.well-known/openid-configuration", timeout=120).json()
    assert meta["issuer"] == CFG["issuer"] and meta["userinfo_endpoint"], meta.keys()
    s = AuthlibSession(
        OIDC["id"], OIDC["secret"], redirect_uri=CB, scope="openid profile email", code_challenge_method="S256"
    )
    verifier, nonce = generate_token(48), generate_token(20)
    url, state = s.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    back = sign_in(url)
    token = s.fetch_token(meta["token_endpoint"], authorization_response=back, code_verifier=verifier, state=state)
    keys = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=120).json())
    claims = jwt.decode(
        token["id_token"],
        keys,
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": meta["issuer"]}},
        claims_params={"nonce": nonce, "client_id": OIDC["id"], "access_token": token["access_token"]},
    )
    claims.validate()  # iss, sub, aud, exp, iat, nonce, at_hash
    info = s.get(meta["userinfo_endpoint"], timeout=120).json()
    assert info["sub"] == claims["sub"] and info["email"] == CFG["profile"]["email"], info


print(f"python: {len(failures)} failed")
sys.exit(len(failures))
