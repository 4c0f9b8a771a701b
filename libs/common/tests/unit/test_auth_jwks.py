"""RS256 tokens verified against a JWKS served over HTTP, as in production (a local server, no network)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from mediabill_common.auth import JwtVerifier
from mediabill_common.auth.verify import InvalidToken


@pytest.fixture(scope="module")
def jwks_server():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield key, f"http://127.0.0.1:{server.server_port}/jwks.json"
    server.shutdown()


def _rs256(key, kid: str = "k1", **claims) -> str:
    payload = {"sub": "svc-a", "roles": ["billing-manager"], "exp": int(time.time()) + 60, **claims}
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


def test_rs256_token_signed_by_a_published_key_is_accepted(jwks_server):
    key, url = jwks_server
    verifier = JwtVerifier(hs256_secret=None, jwks_url=url, issuer="https://idp.example", audience="mediabill")
    principal = verifier.verify(_rs256(key, iss="https://idp.example", aud="mediabill"))
    assert principal.sub == "svc-a" and "billing-analyst" in principal.roles


def test_rs256_token_from_another_key_or_issuer_is_refused(jwks_server):
    key, url = jwks_server
    verifier = JwtVerifier(hs256_secret=None, jwks_url=url, issuer="https://idp.example", audience="mediabill")
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(InvalidToken):
        verifier.verify(_rs256(other, iss="https://idp.example", aud="mediabill"))
    with pytest.raises(InvalidToken):
        verifier.verify(_rs256(key, iss="https://evil.example", aud="mediabill"))
    with pytest.raises(InvalidToken):
        verifier.verify(_rs256(key, kid="unknown", iss="https://idp.example", aud="mediabill"))


def test_hs256_token_is_refused_when_only_a_jwks_is_configured(jwks_server):
    _, url = jwks_server
    verifier = JwtVerifier(hs256_secret=None, jwks_url=url)
    token = jwt.encode({"sub": "x", "roles": [], "exp": int(time.time()) + 60}, "guess" * 8, algorithm="HS256")
    with pytest.raises(InvalidToken, match="not accepted"):
        verifier.verify(token)
