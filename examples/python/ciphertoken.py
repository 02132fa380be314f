"""A ctypes binding of libciphertoken.so (the ciphertoken C ABI): sign and verify JWTs.

Standard library only. The shared library is found through $CIPHERTOKEN_LIB, else
target/release or target/debug of this repository (`cargo build -p ciphertoken-ffi`).

    from ciphertoken import Key, Validation, sign, verify
    key = Key.es256_private(scalar)            # 32-byte P-256 private scalar
    token = sign(key, {"sub": "sensor-7", "exp": 2000000000})
    claims = verify(key.public(), token, Validation(audience=None), now=1900000000)
"""

import ctypes
import json
import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_ROOT = _HERE.parent.parent


def _find_library():
    env = os.environ.get("CIPHERTOKEN_LIB")
    if env:
        return env
    for profile in ("release", "debug"):
        candidate = _ROOT / "target" / profile / "libciphertoken.so"
        if candidate.exists():
            return str(candidate)
    raise OSError("libciphertoken.so not found: build it with `cargo build -p ciphertoken-ffi` "
                  "or set CIPHERTOKEN_LIB")


_lib = ctypes.CDLL(_find_library())

_u8p = ctypes.POINTER(ctypes.c_uint8)
_size_p = ctypes.POINTER(ctypes.c_size_t)
_status = ctypes.c_uint32

# Status codes used below (the full list is in include/ciphertoken.h).
STATUS_OK = 0
STATUS_BUFFER_TOO_SMALL = 19

_SIGNATURES = {
    "ct_status_str": (ctypes.c_char_p, [_status]),
    "ct_version": (ctypes.c_char_p, []),
    "ct_key_size": (ctypes.c_size_t, []),
    "ct_validation_size": (ctypes.c_size_t, []),
    "ct_max_token_len": (ctypes.c_size_t, [ctypes.c_size_t]),
    "ct_verify_claims_cap": (ctypes.c_size_t, [ctypes.c_size_t]),
    "ct_key_hs256": (_status, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]),
    "ct_key_hs384": (_status, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]),
    "ct_key_hs512": (_status, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]),
    "ct_key_es256_private": (_status, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]),
    "ct_key_es256_public": (_status, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]),
    "ct_key_ed25519_private": (_status, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]),
    "ct_key_ed25519_public": (_status, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]),
    "ct_key_set_kid": (_status, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]),
    "ct_key_public_key": (_status, [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, _size_p]),
    "ct_key_wipe": (None, [ctypes.c_void_p]),
    "ct_validation_init": (_status, [ctypes.c_void_p]),
    "ct_validation_set_issuer": (_status, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]),
    "ct_validation_set_audience": (_status, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]),
    "ct_validation_set_subject": (_status, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]),
    "ct_validation_set_leeway": (_status, [ctypes.c_void_p, ctypes.c_uint32]),
    "ct_validation_set_required": (_status, [ctypes.c_void_p, ctypes.c_uint32]),
    "ct_sign": (_status, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p,
                          ctypes.c_size_t, _size_p]),
    "ct_verify": (_status, [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_char_p,
                            ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t, _size_p]),
}
for _name, (_restype, _argtypes) in _SIGNATURES.items():
    _fn = getattr(_lib, _name)
    _fn.restype = _restype
    _fn.argtypes = _argtypes

# CT_CLAIM_* bits for Validation(required=...).
CLAIM_EXP, CLAIM_NBF, CLAIM_IAT, CLAIM_ISS, CLAIM_AUD, CLAIM_SUB, CLAIM_JTI = (1 << i for i in range(7))


class CiphertokenError(Exception):
    """A call failed; `status` is the ct_status number, str() its description."""

    def __init__(self, status, what):
        self.status = status
        super().__init__(f"{what}: {_lib.ct_status_str(status).decode()} ({status})")


def _check(status, what):
    if status != STATUS_OK:
        raise CiphertokenError(status, what)


def version():
    return _lib.ct_version().decode()


def _storage(size):
    # uint64_t words: the alignment the C ABI asks for.
    return (ctypes.c_uint64 * ((size + 7) // 8))()


class Key:
    """A ct_key in memory owned by Python; wiped when closed or collected."""

    def __init__(self, constructor, material):
        self._buf = _storage(_lib.ct_key_size())
        _check(getattr(_lib, constructor)(self._buf, bytes(material), len(material)), constructor)

    @classmethod
    def hs256(cls, secret):
        return cls("ct_key_hs256", secret)

    @classmethod
    def hs384(cls, secret):
        return cls("ct_key_hs384", secret)

    @classmethod
    def hs512(cls, secret):
        return cls("ct_key_hs512", secret)

    @classmethod
    def es256_private(cls, scalar):
        return cls("ct_key_es256_private", scalar)

    @classmethod
    def es256_public(cls, sec1):
        return cls("ct_key_es256_public", sec1)

    @classmethod
    def ed25519_private(cls, seed):
        return cls("ct_key_ed25519_private", seed)

    @classmethod
    def ed25519_public(cls, public_key):
        return cls("ct_key_ed25519_public", public_key)

    def with_kid(self, kid):
        raw = kid.encode()
        _check(_lib.ct_key_set_kid(self._buf, raw, len(raw)), "ct_key_set_kid")
        return self

    def public_key_bytes(self):
        out = (ctypes.c_uint8 * 65)()
        n = ctypes.c_size_t(0)
        _check(_lib.ct_key_public_key(self._buf, out, len(out), ctypes.byref(n)), "ct_key_public_key")
        return bytes(out[: n.value])

    def public(self):
        """The verify-only key of an ES256 or Ed25519 private key."""
        raw = self.public_key_bytes()
        return Key.es256_public(raw) if len(raw) == 65 else Key.ed25519_public(raw)

    def close(self):
        """Wipes the key (all its bytes are zeroed); it cannot be used afterwards."""
        buf, self._buf = getattr(self, "_buf", None), None
        if buf is not None and _lib is not None:
            _lib.ct_key_wipe(buf)

    def __del__(self):
        self.close()

    @property
    def _as_parameter_(self):
        if self._buf is None:
            raise ValueError("key is closed")
        return ctypes.cast(self._buf, ctypes.c_void_p)


class Validation:
    """A ct_validation: exp required by default, optional expected iss/aud/sub."""

    def __init__(self, issuer=None, audience=None, subject=None, leeway=0, required=None):
        self._buf = _storage(_lib.ct_validation_size())
        _check(_lib.ct_validation_init(self._buf), "ct_validation_init")
        for setter, value in (("issuer", issuer), ("audience", audience), ("subject", subject)):
            if value is not None:
                raw = value.encode()
                fn = getattr(_lib, "ct_validation_set_" + setter)
                _check(fn(self._buf, raw, len(raw)), "ct_validation_set_" + setter)
        _check(_lib.ct_validation_set_leeway(self._buf, leeway), "ct_validation_set_leeway")
        if required is not None:
            _check(_lib.ct_validation_set_required(self._buf, required), "ct_validation_set_required")

    @property
    def _as_parameter_(self):
        return ctypes.cast(self._buf, ctypes.c_void_p)


def sign(key, claims):
    """Signs `claims` (a dict, or JSON bytes/str signed as given); returns the token (str).

    Starts with a small buffer and retries once with the size the library reports, which
    exercises CT_STATUS_BUFFER_TOO_SMALL; ct_max_token_len() would give a bound up front.
    """
    if isinstance(claims, dict):
        claims = json.dumps(claims, separators=(",", ":"))
    if isinstance(claims, str):
        claims = claims.encode()
    cap = 64
    while True:
        out = ctypes.create_string_buffer(cap)
        n = ctypes.c_size_t(0)
        status = _lib.ct_sign(key, claims, len(claims), out, cap, ctypes.byref(n))
        if status == STATUS_BUFFER_TOO_SMALL and n.value > cap:
            cap = n.value
            continue
        _check(status, "ct_sign")
        return out.raw[: n.value].decode()


def verify(key, token, validation, now):
    """Verifies `token` at Unix time `now` (0: unknown); returns the claims as a dict."""
    raw = token.encode() if isinstance(token, str) else bytes(token)
    cap = _lib.ct_verify_claims_cap(len(raw))
    out = ctypes.create_string_buffer(max(cap, 1))
    n = ctypes.c_size_t(0)
    _check(_lib.ct_verify(key, validation, now, raw, len(raw), out, cap, ctypes.byref(n)), "ct_verify")
    return json.loads(out.raw[: n.value])
