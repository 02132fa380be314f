#!/usr/bin/env python3
"""Regenerates the JWK Set fixtures and the tokens signed for them (tests/jwk.rs).

Run with the PyJWT + cryptography venv that .ci/run builds:
    target/pyenv/bin/python tests/data/jwk/make_fixtures.py
The outputs are committed, so the tests need no Python. Key material: the RSA test keys of
tests/data/rsa, plus a P-256 and an Ed25519 key derived from fixed values below (test-only).
"""
import base64
import datetime
import json
import pathlib

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

HERE = pathlib.Path(__file__).resolve().parent
RSA_DIR = HERE.parent / "rsa"
EXP = 4102444800  # 2100-01-01


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def uint(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def rsa_key(name):
    return serialization.load_pem_private_key((RSA_DIR / f"{name}.pem").read_bytes(), None)


def rsa_jwk(key, **extra):
    pub = key.public_key().public_numbers()
    return {"kty": "RSA", **extra, "n": b64(uint(pub.n)), "e": b64(uint(pub.e))}


def self_signed_x5c(key, cn):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    return [base64.b64encode(der).decode()], b64(hashes.Hash(hashes.SHA1()).finalize())


k2048, k3072, k4096, k3073 = (rsa_key(n) for n in ["key_2048", "key_3072", "key_4096", "key_3073"])
p256 = ec.derive_private_key(0x1F2E3D4C5B6A79880102030405060708090A0B0C0D0E0F101112131415161718, ec.SECP256R1())
ed = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
p256_pub = p256.public_key().public_numbers()
ed_x = ed.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

# Shaped like a large provider's certs endpoint: RSA, kid, alg, use.
google_like = {
    "keys": [
        rsa_jwk(k2048, kid="a7d4f0c1e2b3", alg="RS256", use="sig"),
        rsa_jwk(k3072, kid="9c1b2e3f4d5a", alg="RS256", use="sig"),
    ]
}

# Shaped like an enterprise provider's: x5c chains and x5t, an issuer member, no alg.
x5c, x5t = self_signed_x5c(k2048, "idp.example")
ms_like = {
    "keys": [
        {**rsa_jwk(k2048, kid="nOo3ZDrODXEK1jKWhXslHR_KXEg", use="sig"), "x5t": x5t, "x5c": x5c,
         "issuer": "https://login.example/tenant/v2.0"},
        {**rsa_jwk(k4096, kid="l3sQ-50cCH4xBVZLHTGwnSR7680", use="sig"), "x5t": x5t, "x5c": x5c,
         "issuer": "https://login.example/tenant/v2.0"},
    ]
}

# A mixed set: what the importer must keep, skip and count.
mixed = {
    "keys": [
        rsa_jwk(k3073, kid="rsa-ps", alg="PS256", use="sig"),
        {"kty": "EC", "crv": "P-256", "kid": "ec-1", "use": "sig",
         "x": b64(p256_pub.x.to_bytes(32, "big")), "y": b64(p256_pub.y.to_bytes(32, "big"))},
        {"kty": "OKP", "crv": "Ed25519", "kid": "k\u00e9y/ed", "key_ops": ["verify"], "x": b64(ed_x)},
        # Skipped: encryption key, key_ops without verify, unknown kty, unsupported curves/algs.
        rsa_jwk(k2048, kid="enc-1", use="enc", alg="RSA-OAEP-256"),
        rsa_jwk(k2048, kid="ops-1", key_ops=["encrypt", "wrapKey"]),
        {"kty": "AKP", "alg": "ML-DSA-44", "kid": "pq-1", "pub": b64(b"\x01" * 32)},
        {"kty": "EC", "crv": "P-384", "kid": "ec-384", "x": b64(b"\x02" * 48), "y": b64(b"\x03" * 48)},
        {"kty": "OKP", "crv": "X25519", "kid": "x-1", "x": b64(b"\x04" * 32)},
        rsa_jwk(k2048, kid="rs1", alg="RS1"),
        # Skipped: too small an RSA key (1024 bits), a kid over 64 bytes.
        {"kty": "RSA", "kid": "small", "n": b64(uint((1 << 1023) + 1234567)), "e": "AQAB"},
        rsa_jwk(k2048, kid="x" * 65),
    ]
}

for name, doc in [("google_like", google_like), ("ms_like", ms_like), ("mixed", mixed)]:
    (HERE / f"{name}.json").write_text(json.dumps(doc, indent=2, ensure_ascii=True) + "\n")

# Tokens, signed by PyJWT with each kid (claims: iss, sub, exp).
claims = {"iss": "https://idp.example", "sub": "user-42", "exp": EXP}
tokens = {
    "google_rs256": jwt.encode(claims, k2048, algorithm="RS256", headers={"kid": "a7d4f0c1e2b3"}),
    "google_rs256_3072": jwt.encode(claims, k3072, algorithm="RS256", headers={"kid": "9c1b2e3f4d5a"}),
    "ms_rs256_4096": jwt.encode(claims, k4096, algorithm="RS256", headers={"kid": "l3sQ-50cCH4xBVZLHTGwnSR7680"}),
    "ms_ps256": jwt.encode(claims, k2048, algorithm="PS256", headers={"kid": "nOo3ZDrODXEK1jKWhXslHR_KXEg"}),
    "mixed_ps256_3073": jwt.encode(claims, k3073, algorithm="PS256", headers={"kid": "rsa-ps"}),
    "mixed_es256": jwt.encode(claims, p256, algorithm="ES256", headers={"kid": "ec-1"}),
    "mixed_eddsa": jwt.encode(claims, ed, algorithm="EdDSA", headers={"kid": "k\u00e9y/ed"}),
    # The same key, the kid spelled with other escapes in the header.
    "mixed_eddsa_escaped_kid": None,
}
header = {"alg": "EdDSA", "typ": "JWT", "kid": "k\u00e9y/ed"}
hdr_json = '{"alg":"EdDSA","typ":"JWT","kid":"k\\u00e9y\\/ed"}'
payload_json = json.dumps(claims, separators=(",", ":"))
signing_input = f"{b64(hdr_json.encode())}.{b64(payload_json.encode())}"
tokens["mixed_eddsa_escaped_kid"] = f"{signing_input}.{b64(ed.sign(signing_input.encode()))}"
(HERE / "tokens.json").write_text(json.dumps(tokens, indent=2) + "\n")
print("wrote", ", ".join(sorted(p.name for p in HERE.glob("*.json"))))
