"""PY014: an unverified decode in a module that also checks signatures most likely reads a
claim (the issuer, the owner) before the verified decode: shown as information, for a
reviewer to confirm. Alone, it keeps its critical severity."""

from __future__ import annotations

from prodready.config import Config
from prodready.engine import scan
from prodready.model import Severity
from prodready.testing import write_tree

PEEK = '''\
import jwt

def is_ours(token):
    payload = jwt.decode(token, options={"verify_signature": False})
    return payload.get("owner") == "shop"
'''
VERIFY = '''
def load_user(token, key):
    return jwt.decode(token, key, algorithms=["RS256"])["sub"]
'''


def _findings(tmp_path, text, **config):
    write_tree(tmp_path, {"app/auth.py": text})
    result = scan(tmp_path, Config.model_validate({"select": ["PY014"], **config}), jobs=1,
                  use_cache=False)
    return result.findings


def test_alone_an_unverified_decode_is_critical(tmp_path):
    [finding] = _findings(tmp_path, PEEK)
    assert finding.severity is Severity.CRITICAL


def test_beside_a_verified_decode_it_is_information(tmp_path):
    [finding] = _findings(tmp_path, PEEK + VERIFY)
    assert finding.severity is Severity.INFO and finding.line == 4
    assert "also decodes tokens with their signature checked" in finding.message


def test_a_configured_severity_wins(tmp_path):
    [finding] = _findings(tmp_path, PEEK + VERIFY, severity={"PY014": "high"})
    assert finding.severity is Severity.HIGH


ID_TOKEN_FROM_PROVIDER = '''\
import jwt


class GoogleTokens:
    def claims(self):
        id_token = self.id_token
        return jwt.decode(jwt=id_token, options={"verify_signature": False})
'''
ID_TOKEN_FROM_CLIENT = '''\
import jwt


def google_login(request):
    id_token = request.data["id_token"]
    return jwt.decode(id_token, options={"verify_signature": False})["email"]
'''


def test_an_id_token_from_the_token_endpoint_is_informational(tmp_path):
    [finding] = _findings(tmp_path / "provider", ID_TOKEN_FROM_PROVIDER)
    assert finding.severity is Severity.INFO and "ID token" in finding.message
    # one a client posts can be forged: the decode stays critical
    [finding] = _findings(tmp_path / "client", ID_TOKEN_FROM_CLIENT)
    assert finding.severity is Severity.CRITICAL


EXPIRY = '''\
import time

import jwt


class Client:
    def token(self):
        self._token = self.authenticate()
        claims = jwt.decode(self._token, options={"verify_signature": False})
        self._expires_at = claims["exp"]
        return self._token

    def expired(self, token):
        return time.time() > jwt.decode(token, options={"verify_signature": False})["exp"]

    def expired_soon(self, token):
        decoded = jwt.decode(token, options={"verify_signature": False})
        exp = decoded.get("exp")
        return exp is not None and time.time() > exp

    def user(self, token):
        claims = jwt.decode(token, options={"verify_signature": False})
        return claims["exp"], claims["sub"]

    def valid(self, token):
        payload = jwt.decode(token, options={"verify_signature": False})
        if not payload or "exp" not in payload:
            return False
        return payload["exp"] > time.time()

    def owner(self, token):
        payload = jwt.decode(token, options={"verify_signature": False})
        if "exp" in payload:
            return payload
'''


def test_an_unverified_decode_that_reads_only_the_expiry_is_information(tmp_path):
    found = _findings(tmp_path, EXPIRY)
    assert [(f.line, f.severity) for f in found] == [
        (9, Severity.INFO), (14, Severity.INFO), (17, Severity.INFO), (22, Severity.CRITICAL),
        (26, Severity.INFO), (32, Severity.CRITICAL)]


ISSUER_PEEK = '''\
import jwt


def mint(request):
    claims = jwt.decode(request.body, options={"verify_signature": False})
    issuer = claims["iss"]
    return PUBLISHERS[issuer].verify(request.body)
'''


def test_a_peek_at_the_issuer_alone_is_information(tmp_path):
    [finding] = _findings(tmp_path, ISSUER_PEEK)
    assert finding.severity is Severity.INFO and "issuer is read" in finding.message


def test_a_peek_that_reads_other_claims_stays_critical(tmp_path):
    text = ISSUER_PEEK.replace('return PUBLISHERS', 'user = claims["sub"]\n    return PUBLISHERS')
    [finding] = _findings(tmp_path, text)
    assert finding.severity is Severity.CRITICAL


LOCAL_DECODER = '''\
from authlib.jose import JsonWebToken


def parse(token, algorithms, load_key):
    jwt = JsonWebToken(algorithms)
    return jwt.decode(token, key=load_key)
'''


def test_a_local_decoder_that_shadows_the_module_decodes_as_its_class(tmp_path):
    assert _findings(tmp_path, LOCAL_DECODER) == []
    module_decode = LOCAL_DECODER.replace("from authlib.jose import JsonWebToken", "import jwt")
    module_decode = module_decode.replace("    jwt = JsonWebToken(algorithms)\n", "")
    [finding] = _findings(tmp_path, module_decode)
    assert "without algorithms=" in finding.message


FETCHED = '''\
import jwt
import requests


def traction_token(url, key):
    response = requests.post(url, json={"api_key": key}, timeout=5)
    token = response.json().get("token")
    jwt.decode(token, options={"verify_signature": False})
    return token


def cached_token(app):
    if not (decoded := jwt.decode(app.api_token, options={"verify_signature": False})):
        return None
    return decoded["exp"]


def login(request):
    token = request.json()["token"]
    return jwt.decode(token, options={"verify_signature": False})
'''


def test_a_token_the_function_fetched_itself_or_whose_expiry_it_reads_is_information(
        tmp_path):
    found = _findings(tmp_path, FETCHED)
    assert [(f.line, f.severity) for f in found] == [
        (8, Severity.INFO), (13, Severity.INFO), (20, Severity.CRITICAL)]
    assert "fetched itself" in found[0].message
