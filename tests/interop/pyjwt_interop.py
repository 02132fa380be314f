"""PyJWT side of tests/pyjwt_interop.rs (run with the venv's python, see .ci/run).

Reads one JSON job on stdin:
  {"now": int, "keys": {alg: hex of secret / P-256 scalar / Ed25519 seed},
   "tokens": {alg: {"valid": token, "expired": token, "wrong_aud": token}}}
and prints one JSON object on stdout:
  {"verified": {alg: {case: {"ok": claims} | {"error": exception class name}}},
   "made": {alg: {"valid": token, "expired": token, "wrong_aud": token}}}

Tokens made here carry iss "pyjwt", aud "gateway", sub "py-device"; PyJWT checks the Rust
tokens with issuer "ciphertoken" and audience "gateway". PyJWT reads the real clock, so the
Rust side builds "valid" and "expired" around that same clock (expired by 600 s, far beyond
any leeway, and PyJWT is given none).
"""
import json
import sys

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519


def keys(alg, hex_material):
    raw = bytes.fromhex(hex_material)
    if alg.startswith("HS"):
        return raw, raw
    if alg == "ES256":
        private = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    elif alg == "EdDSA":
        private = ed25519.Ed25519PrivateKey.from_private_bytes(raw)
    else:
        raise ValueError(alg)
    return private, private.public_key()


def main():
    job = json.load(sys.stdin)
    now = job["now"]
    verified, made = {}, {}
    for alg, material in job["keys"].items():
        private, public = keys(alg, material)
        verified[alg] = {}
        for case, token in job["tokens"][alg].items():
            try:
                claims = jwt.decode(token, public, algorithms=[alg], audience="gateway",
                                    issuer="ciphertoken", leeway=0,
                                    options={"require": ["exp", "iss", "aud", "sub"]})
                verified[alg][case] = {"ok": claims}
            except jwt.PyJWTError as e:
                verified[alg][case] = {"error": type(e).__name__}
        base = {"iss": "pyjwt", "sub": "py-device", "aud": "gateway", "iat": now,
                "scope": ["read", "write"], "n": 7}
        made[alg] = {
            "valid": jwt.encode({**base, "exp": now + 600}, private, algorithm=alg,
                                headers={"kid": "py-" + alg}),
            "expired": jwt.encode({**base, "iat": now - 1200, "exp": now - 600}, private, algorithm=alg),
            "wrong_aud": jwt.encode({**base, "aud": "elsewhere", "exp": now + 600}, private, algorithm=alg),
        }
    json.dump({"verified": verified, "made": made, "pyjwt": jwt.__version__}, sys.stdout)


if __name__ == "__main__":
    main()
