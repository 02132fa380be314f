"""Tests of the ctypes binding (examples/python/ciphertoken.py) over libciphertoken.so.

Run by `cargo xtask test` (CIPHERTOKEN_LIB points at the debug build); by hand:
    cargo build -p ciphertoken-ffi && python3 examples/python/test_ciphertoken.py
"""

import base64
import json
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ciphertoken as ct  # noqa: E402

DATA = Path(__file__).resolve().parent.parent.parent / "tests" / "data"

EXPIRED = 10
NOT_YET_VALID = 11
ALGORITHM_MISMATCH = 6
INVALID_SIGNATURE = 9
INVALID_AUDIENCE = 16
VERIFY_ONLY_KEY = 22
KEY_TOO_SHORT = 20
INVALID_JSON = 3


def vector(file, name):
    for line in (DATA / file).read_text().splitlines():
        if line.startswith(name + " = "):
            return line[len(name) + 3:]
    raise KeyError(name)


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Binding(unittest.TestCase):
    CLAIMS = {"iss": "dev", "sub": "sensor-7", "aud": "api", "exp": 2_000_000_000, "roles": ["a", "b"]}

    def keys(self):
        """(signing key, verifying key) for each of the five algorithms."""
        secret = bytes(range(64))
        scalar = b64url(vector("rfc7515_a3_es256.txt", "jwk_d"))
        es = ct.Key.es256_private(scalar)
        ed = ct.Key.ed25519_private(scalar)
        hs = [ct.Key.hs256(secret[:32]), ct.Key.hs384(secret[:48]), ct.Key.hs512(secret)]
        return [(k, k) for k in hs] + [(es, es.public()), (ed, ed.public())]

    def test_version(self):
        self.assertRegex(ct.version(), r"^\d+\.\d+\.\d+")

    def test_round_trip_all_algorithms(self):
        policy = ct.Validation(audience="api")
        algs = []
        for signer, verifier in self.keys():
            token = ct.sign(signer, self.CLAIMS)
            header = json.loads(b64url(token.split(".")[0]))
            algs.append(header["alg"])
            self.assertEqual(ct.verify(verifier, token, policy, now=1_900_000_000), self.CLAIMS)
            # Deterministic signatures.
            self.assertEqual(ct.sign(signer, self.CLAIMS), token)
        self.assertEqual(algs, ["HS256", "HS384", "HS512", "ES256", "EdDSA"])

    def test_rejections(self):
        (hs, _), _, _, (es, es_pub), (ed, ed_pub) = self.keys()
        policy = ct.Validation(audience="api")
        token = ct.sign(es, self.CLAIMS)
        cases = [
            (es_pub, token, policy, 2_000_000_000, EXPIRED),
            (ed_pub, token, policy, 1, ALGORITHM_MISMATCH),
            (hs, token, policy, 1, ALGORITHM_MISMATCH),
            (es_pub, token, ct.Validation(audience="other"), 1, INVALID_AUDIENCE),
            (es_pub, token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB"), policy, 1, INVALID_SIGNATURE),
        ]
        for key, tok, pol, now, status in cases:
            with self.assertRaises(ct.CiphertokenError) as caught:
                ct.verify(key, tok, pol, now)
            self.assertEqual(caught.exception.status, status, str(caught.exception))
        nbf = ct.sign(es, {"nbf": 100, "exp": 200})
        with self.assertRaises(ct.CiphertokenError) as caught:
            ct.verify(es_pub, nbf, ct.Validation(), now=50)
        self.assertEqual(caught.exception.status, NOT_YET_VALID)
        with self.assertRaises(ct.CiphertokenError) as caught:
            ct.sign(es_pub, self.CLAIMS)
        self.assertEqual(caught.exception.status, VERIFY_ONLY_KEY)
        with self.assertRaises(ct.CiphertokenError) as caught:
            ct.sign(es, b'{"sub":"a","sub":"b"}')
        self.assertEqual(caught.exception.status, INVALID_JSON)
        with self.assertRaises(ct.CiphertokenError) as caught:
            ct.Key.hs256(b"short")
        self.assertEqual(caught.exception.status, KEY_TOO_SHORT)

    def test_rfc7515_a1(self):
        key = ct.Key.hs256(b64url(vector("rfc7515_a1_hs256.txt", "jwk_k")))
        token = vector("rfc7515_a1_hs256.txt", "token")
        claims = ct.verify(key, token, ct.Validation(), now=1_300_819_379)
        self.assertEqual(claims, {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True})

    def test_kid_and_buffer_retry(self):
        key = ct.Key.hs256(bytes(32)).with_kid("k-" + "x" * 60)
        long_claims = {"exp": 2_000_000_000, "data": "y" * 500}
        token = ct.sign(key, long_claims)  # starts at 64 bytes: BUFFER_TOO_SMALL, then retries
        self.assertEqual(json.loads(b64url(token.split(".")[0]))["kid"], "k-" + "x" * 60)
        self.assertEqual(ct.verify(key, token, ct.Validation(), now=1), long_claims)

    def test_escaped_strings_round_trip(self):
        key = ct.Key.hs256(bytes(range(32)))
        claims = {"sub": "d\u00e9v \"7\" \\ \U0001F600", "exp": 2_000_000_000}
        token = ct.sign(key, json.dumps(claims))  # ensure_ascii: \u escapes in the JSON
        self.assertEqual(ct.verify(key, token, ct.Validation(subject=claims["sub"]), now=1), claims)


if __name__ == "__main__":
    unittest.main(verbosity=2)
