/*
 * C tests of the ciphertoken C ABI (include/ciphertoken.h over libciphertoken.a).
 *
 * Plain C99 that also compiles as C++ (the Makefile builds it both ways, under
 * ASan+UBSan and under valgrind). Usage: test_ffi <dir of the RFC vector files>
 * (tests/data). Prints one line per failed check and "N passed, M failed" at the end;
 * the exit status is 0 only if nothing failed.
 */
#include "ciphertoken.h"
#include "check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------
 * RFC vector files (tests/data, `name = value` lines) and base64url.
 * ------------------------------------------------------------------------------------- */

static const char *data_dir = "tests/data";

/* Copies the unquoted value of `name` from the vector file into out (NUL-terminated). */
static int vector(const char *file, const char *name, char *out, size_t cap) {
    char path[512];
    char line[2048];
    size_t name_len = strlen(name);
    FILE *f;
    int found = 0;
    snprintf(path, sizeof path, "%s/%s", data_dir, file);
    f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return 0;
    }
    while (!found && fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, name, name_len) == 0 && strncmp(line + name_len, " = ", 3) == 0) {
            const char *v = line + name_len + 3;
            size_t n = strcspn(v, "\r\n");
            if (n < cap) {
                memcpy(out, v, n);
                out[n] = '\0';
                found = 1;
            }
        }
    }
    fclose(f);
    if (!found) {
        fprintf(stderr, "%s: no value %s\n", path, name);
    }
    return found;
}

/* A vector value that is base64url, decoded. */
static size_t vector_bytes(const char *file, const char *name, uint8_t *out, size_t cap) {
    char text[1024];
    return vector(file, name, text, sizeof text) ? b64url_decode(text, out, cap) : 0;
}

/* ---------------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------------- */

static const uint8_t SECRET64[64] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde";

static ct_status sign_text(const ct_key *key, const char *claims, char *out, size_t cap, size_t *len) {
    return ct_sign(key, U8(claims), strlen(claims), out, cap, len);
}

static ct_status verify_text(const ct_key *key, const ct_validation *v, uint64_t now, const char *token,
                             uint8_t *claims, size_t cap, size_t *len) {
    return ct_verify(key, v, now, token, strlen(token), claims, cap, len);
}

/* A default validation policy (exp required). */
static ct_validation policy(void) {
    ct_validation v;
    memset(&v, 0, sizeof v);
    if (ct_validation_init(&v) != CT_STATUS_OK) {
        failed++;
    }
    return v;
}

/* Makes the verifying key of a private key: its public key, or (HMAC) the key itself. */
static ct_status public_of(const ct_key *priv, int alg_is_es256, ct_key *pub) {
    uint8_t bytes[65];
    size_t len = 0;
    ct_status s = ct_key_public_key(priv, bytes, sizeof bytes, &len);
    if (s != CT_STATUS_OK) return s;
    return alg_is_es256 ? ct_key_es256_public(pub, bytes, len) : ct_key_ed25519_public(pub, bytes, len);
}

/* ---------------------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------------------- */

struct align_probe_key {
    char c;
    ct_key k;
};
struct align_probe_validation {
    char c;
    ct_validation v;
};
struct align_probe_u64 {
    char c;
    uint64_t u;
};

static void test_sizes_and_version(void) {
    char version[64];
    CHECK(ct_key_size() == CT_KEY_SIZE);
    CHECK(sizeof(ct_key) == CT_KEY_SIZE);
    CHECK(ct_validation_size() == CT_VALIDATION_SIZE);
    CHECK(sizeof(ct_validation) == CT_VALIDATION_SIZE);
    /* Aligned like uint64_t (8 on x86-64 and Arm EABI, 4 on i386 System V). */
    CHECK(offsetof(struct align_probe_key, k) == offsetof(struct align_probe_u64, u));
    CHECK(offsetof(struct align_probe_validation, v) == offsetof(struct align_probe_key, k));
    CHECK(sizeof(ct_status) == 4);
    CHECK(strcmp(ct_version(), CT_VERSION_STRING) == 0);
    snprintf(version, sizeof version, "%d.%d.%d", CT_VERSION_MAJOR, CT_VERSION_MINOR, CT_VERSION_PATCH);
    CHECK(strncmp(version, CT_VERSION_STRING, strlen(version)) == 0);
}

static void test_status_strings(void) {
    static const ct_status all[] = {
        CT_STATUS_OK, CT_STATUS_MALFORMED, CT_STATUS_INVALID_BASE64, CT_STATUS_INVALID_JSON,
        CT_STATUS_TOO_LONG, CT_STATUS_UNSUPPORTED_ALGORITHM, CT_STATUS_ALGORITHM_MISMATCH,
        CT_STATUS_UNSUPPORTED_CRITICAL, CT_STATUS_INVALID_TOKEN_TYPE, CT_STATUS_INVALID_SIGNATURE,
        CT_STATUS_EXPIRED, CT_STATUS_NOT_YET_VALID, CT_STATUS_ISSUED_IN_FUTURE, CT_STATUS_MISSING_CLAIM,
        CT_STATUS_INVALID_CLAIM, CT_STATUS_INVALID_ISSUER, CT_STATUS_INVALID_AUDIENCE,
        CT_STATUS_INVALID_SUBJECT, CT_STATUS_WRONG_TOKEN_USE, CT_STATUS_BUFFER_TOO_SMALL,
        CT_STATUS_KEY_TOO_SHORT, CT_STATUS_INVALID_KEY, CT_STATUS_VERIFY_ONLY_KEY,
        CT_STATUS_INVALID_KEY_ID, CT_STATUS_TIME_UNAVAILABLE, CT_STATUS_CLAIMS_SERIALIZATION,
        CT_STATUS_CLAIMS_DESERIALIZATION, CT_STATUS_REVOKED, CT_STATUS_REFRESH_TOKEN_REUSED,
        CT_STATUS_STALE_VERSION, CT_STATUS_STORE_FULL, CT_STATUS_UNKNOWN_KEY,
        CT_STATUS_RANDOM_UNAVAILABLE, CT_STATUS_INTERNAL, CT_STATUS_SIGNER_FAILED, CT_STATUS_NULL_ARGUMENT,
        CT_STATUS_INVALID_ARGUMENT,
        CT_STATUS_INVALID_UTF8, CT_STATUS_UNINITIALIZED, CT_STATUS_CLAIM_NOT_FOUND,
        CT_STATUS_CLAIM_WRONG_TYPE, CT_STATUS_CLAIM_OUT_OF_RANGE, CT_STATUS_EMBEDDED_NUL,
        CT_STATUS_PANIC,
    };
    static const ct_status unknown[] = {35, 99, 109, 1000, 0x7fffffffu, 0xffffffffu};
    size_t i, j;
    int distinct = 1, described = 1;
    for (i = 0; i < sizeof all / sizeof all[0]; i++) {
        const char *s = ct_status_str(all[i]);
        if (s == NULL || s[0] == '\0' || strcmp(s, "unknown status") == 0) described = 0;
        for (j = 0; j < i; j++) {
            if (all[i] == all[j]) distinct = 0;
        }
    }
    CHECK(distinct);
    CHECK(described);
    /* Core codes 1..34 are contiguous; ffi codes start at 100. */
    CHECK(CT_STATUS_RANDOM_UNAVAILABLE == 32 && CT_STATUS_INTERNAL == 33 && CT_STATUS_SIGNER_FAILED == 34 &&
          CT_STATUS_NULL_ARGUMENT == 100);
    for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *s = ct_status_str(unknown[i]);
        CHECK(s != NULL && strcmp(s, "unknown status") == 0);
    }
    CHECK(strcmp(ct_status_str(CT_STATUS_EXPIRED), "token expired") == 0);
    CHECK(strcmp(ct_status_str(CT_STATUS_OK), "ok") == 0);
}

static void test_null_arguments(void) {
    ct_key k;
    ct_validation v = policy();
    uint8_t buf[512];
    char text[512];
    size_t len = 0;
    uint64_t u = 0;
    bool b = false;
    const char *claims = "{\"sub\":\"a\",\"exp\":4000000000}";
    size_t claims_len = strlen(claims);
    const char *token;
    memset(&k, 0, sizeof k);
    EXPECT(ct_key_hs256(&k, SECRET64, 32), CT_STATUS_OK);
    EXPECT(sign_text(&k, claims, text, sizeof text, &len), CT_STATUS_OK);
    token = text;

    /* Key constructors: both pointers. */
    EXPECT(ct_key_hs256(NULL, SECRET64, 32), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_hs256(&k, NULL, 32), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_hs384(NULL, SECRET64, 48), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_hs384(&k, NULL, 48), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_hs512(NULL, SECRET64, 64), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_hs512(&k, NULL, 64), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_es256_private(NULL, SECRET64, 32), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_es256_private(&k, NULL, 32), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_es256_public(NULL, SECRET64, 65), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_es256_public(&k, NULL, 65), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_ed25519_private(NULL, SECRET64, 32), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_ed25519_private(&k, NULL, 32), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_ed25519_public(NULL, SECRET64, 32), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_ed25519_public(&k, NULL, 32), CT_STATUS_NULL_ARGUMENT);
    /* A NULL pointer wins even with a zero length. */
    EXPECT(ct_key_hs256(&k, NULL, 0), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_set_kid(NULL, "k", 1), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_set_kid(&k, NULL, 1), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_public_key(NULL, buf, sizeof buf, &len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_public_key(&k, NULL, sizeof buf, &len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_public_key(&k, buf, sizeof buf, NULL), CT_STATUS_NULL_ARGUMENT);
    ct_key_wipe(NULL); /* no crash */

    /* Validation. */
    EXPECT(ct_validation_init(NULL), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_validation_set_issuer(NULL, "i", 1), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_validation_set_issuer(&v, NULL, 1), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_validation_set_audience(NULL, "a", 1), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_validation_set_audience(&v, NULL, 1), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_validation_set_subject(NULL, "s", 1), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_validation_set_subject(&v, NULL, 1), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_validation_set_leeway(NULL, 1), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_validation_set_required(NULL, 0), CT_STATUS_NULL_ARGUMENT);

    /* Sign and verify. */
    EXPECT(ct_sign(NULL, U8(claims), claims_len, text, sizeof text, &len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_sign(&k, NULL, claims_len, text, sizeof text, &len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_sign(&k, U8(claims), claims_len, NULL, sizeof text, &len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_sign(&k, U8(claims), claims_len, text, sizeof text, NULL), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_verify(NULL, &v, 1, token, strlen(token), buf, sizeof buf, &len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_verify(&k, NULL, 1, token, strlen(token), buf, sizeof buf, &len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_verify(&k, &v, 1, NULL, strlen(token), buf, sizeof buf, &len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_verify(&k, &v, 1, token, strlen(token), NULL, sizeof buf, &len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_verify(&k, &v, 1, token, strlen(token), buf, sizeof buf, NULL), CT_STATUS_NULL_ARGUMENT);

    /* Claim getters. */
    EXPECT(ct_claims_get_str(NULL, claims_len, "sub", 3, text, sizeof text, &len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_claims_get_str(U8(claims), claims_len, NULL, 3, text, sizeof text, &len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_claims_get_str(U8(claims), claims_len, "sub", 3, NULL, sizeof text, &len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_claims_get_str(U8(claims), claims_len, "sub", 3, text, sizeof text, NULL), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_claims_get_u64(NULL, claims_len, "exp", 3, &u), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_claims_get_u64(U8(claims), claims_len, NULL, 3, &u), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_claims_get_u64(U8(claims), claims_len, "exp", 3, NULL), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_claims_get_bool(NULL, claims_len, "ok", 2, &b), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_claims_get_bool(U8(claims), claims_len, NULL, 2, &b), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_claims_get_bool(U8(claims), claims_len, "ok", 2, NULL), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_claims_has_value(NULL, claims_len, "sub", 3, "a", 1, &b), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_claims_has_value(U8(claims), claims_len, NULL, 3, "a", 1, &b), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_claims_has_value(U8(claims), claims_len, "sub", 3, NULL, 1, &b), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_claims_has_value(U8(claims), claims_len, "sub", 3, "a", 1, NULL), CT_STATUS_NULL_ARGUMENT);
    CHECK(u == 0 && b == false);
    ct_key_wipe(&k);
}

static void test_key_constructors(void) {
    ct_key k, other;
    uint8_t zero[65];
    uint8_t pub[65];
    uint8_t x[32], y[32], d[32];
    size_t len = 0;
    char kid[80];
    memset(zero, 0, sizeof zero);
    memset(&k, 0, sizeof k);

    /* HMAC secrets shorter than the hash output are refused (RFC 7518 §3.2). */
    EXPECT(ct_key_hs256(&k, SECRET64, 31), CT_STATUS_KEY_TOO_SHORT);
    EXPECT(ct_key_hs384(&k, SECRET64, 47), CT_STATUS_KEY_TOO_SHORT);
    EXPECT(ct_key_hs512(&k, SECRET64, 63), CT_STATUS_KEY_TOO_SHORT);
    /* A failed constructor leaves the storage untouched. */
    CHECK(all_bytes(&k, sizeof k, 0));
    EXPECT(ct_key_hs384(&k, SECRET64, 48), CT_STATUS_OK);
    EXPECT(ct_key_hs512(&k, SECRET64, 64), CT_STATUS_OK);

    /* ES256: 32-byte scalar in [1, n-1]; SEC1 public points of 65 or 33 bytes on the curve. */
    EXPECT(ct_key_es256_private(&k, SECRET64, 31), CT_STATUS_INVALID_KEY);
    EXPECT(ct_key_es256_private(&k, zero, 32), CT_STATUS_INVALID_KEY);
    EXPECT(ct_key_es256_public(&k, zero, 65), CT_STATUS_INVALID_KEY);
    EXPECT(ct_key_es256_public(&k, zero, 64), CT_STATUS_INVALID_KEY);
    CHECK(vector_bytes("rfc7515_a3_es256.txt", "jwk_x", x, sizeof x) == 32);
    CHECK(vector_bytes("rfc7515_a3_es256.txt", "jwk_y", y, sizeof y) == 32);
    CHECK(vector_bytes("rfc7515_a3_es256.txt", "jwk_d", d, sizeof d) == 32);
    pub[0] = 0x04;
    memcpy(pub + 1, x, 32);
    memcpy(pub + 33, y, 32);
    EXPECT(ct_key_es256_public(&k, pub, 65), CT_STATUS_OK);
    pub[64] ^= 1; /* off the curve */
    EXPECT(ct_key_es256_public(&k, pub, 65), CT_STATUS_INVALID_KEY);
    pub[64] ^= 1;

    /* The public key of the RFC's private key is the RFC's public key. */
    EXPECT(ct_key_es256_private(&k, d, 32), CT_STATUS_OK);
    {
        uint8_t out[65];
        memset(out, 0xAA, sizeof out);
        EXPECT(ct_key_public_key(&k, out, 64, &len), CT_STATUS_BUFFER_TOO_SMALL);
        CHECK(len == 65 && all_bytes(out, sizeof out, 0xAA));
        EXPECT(ct_key_public_key(&k, out, sizeof out, &len), CT_STATUS_OK);
        CHECK(len == 65 && memcmp(out, pub, 65) == 0);
    }

    /* Ed25519 (RFC 8037 A.1/A.2). */
    CHECK(vector_bytes("rfc8037_a4_eddsa.txt", "jwk_d", d, sizeof d) == 32);
    CHECK(vector_bytes("rfc8037_a4_eddsa.txt", "jwk_x", x, sizeof x) == 32);
    EXPECT(ct_key_ed25519_private(&k, d, 31), CT_STATUS_INVALID_KEY);
    EXPECT(ct_key_ed25519_private(&k, d, 32), CT_STATUS_OK);
    {
        uint8_t out[65];
        EXPECT(ct_key_public_key(&k, out, 31, &len), CT_STATUS_BUFFER_TOO_SMALL);
        CHECK(len == 32);
        EXPECT(ct_key_public_key(&k, out, sizeof out, &len), CT_STATUS_OK);
        CHECK(len == 32 && memcmp(out, x, 32) == 0);
    }
    EXPECT(ct_key_ed25519_public(&other, x, 31), CT_STATUS_INVALID_KEY);
    EXPECT(ct_key_ed25519_public(&other, x, 32), CT_STATUS_OK);
    {
        /* The identity point (y = 1) has small order: refused. */
        uint8_t identity[32];
        memset(identity, 0, sizeof identity);
        identity[0] = 1;
        EXPECT(ct_key_ed25519_public(&other, identity, 32), CT_STATUS_INVALID_KEY);
    }
    /* An HMAC secret is not public. */
    EXPECT(ct_key_hs256(&k, SECRET64, 32), CT_STATUS_OK);
    EXPECT(ct_key_public_key(&k, pub, sizeof pub, &len), CT_STATUS_INVALID_KEY);

    /* kid: 1..64 bytes of UTF-8 without control characters. */
    memset(kid, 'k', sizeof kid);
    EXPECT(ct_key_set_kid(&k, kid, 0), CT_STATUS_INVALID_KEY_ID);
    EXPECT(ct_key_set_kid(&k, kid, 65), CT_STATUS_INVALID_KEY_ID);
    EXPECT(ct_key_set_kid(&k, kid, 64), CT_STATUS_OK);
    EXPECT(ct_key_set_kid(&k, "a\nb", 3), CT_STATUS_INVALID_KEY_ID);
    EXPECT(ct_key_set_kid(&k, "\xff", 1), CT_STATUS_INVALID_UTF8);
    EXPECT(ct_key_set_kid(&other, "pub-1", 5), CT_STATUS_OK);
    /* A kid inside the key object itself is refused rather than aliased. */
    EXPECT(ct_key_set_kid(&k, (const char *)&k, 4), CT_STATUS_INVALID_ARGUMENT);

    /* Wiped, zeroed and garbage storage: CT_STATUS_UNINITIALIZED, never a crash. */
    ct_key_wipe(&k);
    CHECK(all_bytes(&k, sizeof k, 0));
    EXPECT(ct_key_set_kid(&k, "k", 1), CT_STATUS_UNINITIALIZED);
    EXPECT(ct_key_public_key(&k, pub, sizeof pub, &len), CT_STATUS_UNINITIALIZED);
    memset(&k, 0xA5, sizeof k);
    EXPECT(ct_key_set_kid(&k, "k", 1), CT_STATUS_UNINITIALIZED);
    ct_key_wipe(&k);
    CHECK(all_bytes(&k, sizeof k, 0));
    ct_key_wipe(&k); /* twice is harmless */
    ct_key_wipe(&other);
}

static void test_kid_in_header(void) {
    ct_key k;
    char token[512];
    char header_b64[256];
    uint8_t header[256];
    size_t len = 0, n;
    EXPECT(ct_key_hs256(&k, SECRET64, 32), CT_STATUS_OK);
    EXPECT(ct_key_set_kid(&k, "dev-\"1\"", 7), CT_STATUS_OK);
    EXPECT(sign_text(&k, "{\"exp\":4000000000}", token, sizeof token, &len), CT_STATUS_OK);
    n = strcspn(token, ".");
    CHECK(n < sizeof header_b64);
    memcpy(header_b64, token, n);
    header_b64[n] = '\0';
    n = b64url_decode(header_b64, header, sizeof header - 1);
    header[n] = '\0';
    CHECK(strcmp((const char *)header, "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"dev-\\\"1\\\"\"}") == 0);
    ct_key_wipe(&k);
}

/* Signs with every algorithm and verifies with the matching verifying key. */
static void test_round_trips(void) {
    static const char *claims = "{\"iss\":\"dev\",\"sub\":\"sensor-7\",\"exp\":2000000000,\"n\":1}";
    ct_key priv, pub;
    ct_validation v = policy();
    char token[512], token2[512];
    uint8_t out[512];
    size_t len = 0, len2 = 0, claims_len = 0;
    int alg;
    uint8_t scalar[32];
    CHECK(vector_bytes("rfc7515_a3_es256.txt", "jwk_d", scalar, sizeof scalar) == 32);
    for (alg = 0; alg < 5; alg++) {
        const ct_key *verifier = &priv;
        switch (alg) {
        case 0: EXPECT(ct_key_hs256(&priv, SECRET64, 32), CT_STATUS_OK); break;
        case 1: EXPECT(ct_key_hs384(&priv, SECRET64, 48), CT_STATUS_OK); break;
        case 2: EXPECT(ct_key_hs512(&priv, SECRET64, 64), CT_STATUS_OK); break;
        case 3:
            EXPECT(ct_key_es256_private(&priv, scalar, 32), CT_STATUS_OK);
            EXPECT(public_of(&priv, 1, &pub), CT_STATUS_OK);
            verifier = &pub;
            break;
        default:
            EXPECT(ct_key_ed25519_private(&priv, scalar, 32), CT_STATUS_OK);
            EXPECT(public_of(&priv, 0, &pub), CT_STATUS_OK);
            verifier = &pub;
            break;
        }
        memset(token, 0x55, sizeof token);
        EXPECT(sign_text(&priv, claims, token, sizeof token, &len), CT_STATUS_OK);
        CHECK(len == strlen(token) && len < ct_max_token_len(strlen(claims)));
        /* Deterministic: RFC 6979 for ES256, RFC 8032 for Ed25519; no RNG. */
        EXPECT(sign_text(&priv, claims, token2, sizeof token2, &len2), CT_STATUS_OK);
        CHECK(len2 == len && strcmp(token, token2) == 0);

        memset(out, 0x55, sizeof out);
        EXPECT(verify_text(verifier, &v, 1900000000u, token, out, sizeof out, &claims_len), CT_STATUS_OK);
        CHECK(claims_len == strlen(claims) && memcmp(out, claims, claims_len) == 0 && out[claims_len] == 0);
        /* The rest of the decoding region is zeroed, beyond it the buffer is untouched. */
        CHECK(all_bytes(out + claims_len, ct_verify_claims_cap(len) - claims_len, 0));
        CHECK(all_bytes(out + ct_verify_claims_cap(len), sizeof out - ct_verify_claims_cap(len), 0x55));
        /* A private key verifies its own tokens too. */
        EXPECT(verify_text(&priv, &v, 1900000000u, token, out, sizeof out, &claims_len), CT_STATUS_OK);
        /* A public key cannot sign. */
        if (verifier == &pub) {
            EXPECT(sign_text(&pub, claims, token2, sizeof token2, &len2), CT_STATUS_VERIFY_ONLY_KEY);
        }
        /* Altering any part breaks it. */
        token[len - 2] = token[len - 2] == 'A' ? 'B' : 'A';
        EXPECT(verify_text(verifier, &v, 1900000000u, token, out, sizeof out, &claims_len),
               CT_STATUS_INVALID_SIGNATURE);
        ct_key_wipe(&priv);
        ct_key_wipe(&pub);
    }
}

static void test_rfc_vectors(void) {
    ct_key k;
    ct_validation v = policy();
    char token[1024], payload_b64[512];
    uint8_t secret[64], payload[512], out[512], d[32], x[32], y[32], sec1[65];
    size_t payload_len, len = 0;
    uint64_t exp = 1300819380u;

    /* RFC 7515 A.1: HS256 with a 64-byte JWK key. */
    CHECK(vector("rfc7515_a1_hs256.txt", "token", token, sizeof token));
    CHECK(vector("rfc7515_a1_hs256.txt", "payload_b64", payload_b64, sizeof payload_b64));
    payload_len = b64url_decode(payload_b64, payload, sizeof payload);
    CHECK(vector_bytes("rfc7515_a1_hs256.txt", "jwk_k", secret, sizeof secret) == 64);
    EXPECT(ct_key_hs256(&k, secret, 64), CT_STATUS_OK);
    EXPECT(verify_text(&k, &v, exp - 1, token, out, sizeof out, &len), CT_STATUS_OK);
    CHECK(len == payload_len && memcmp(out, payload, len) == 0);
    EXPECT(verify_text(&k, &v, exp, token, out, sizeof out, &len), CT_STATUS_EXPIRED);
    /* The same token under HS384 is an algorithm mismatch, never a downgrade. */
    EXPECT(ct_key_hs384(&k, secret, 64), CT_STATUS_OK);
    EXPECT(verify_text(&k, &v, exp - 1, token, out, sizeof out, &len), CT_STATUS_ALGORITHM_MISMATCH);

    /* RFC 7515 A.3: ES256, with the public key (uncompressed and compressed) and the private key. */
    CHECK(vector("rfc7515_a3_es256.txt", "token", token, sizeof token));
    CHECK(vector_bytes("rfc7515_a3_es256.txt", "jwk_x", x, sizeof x) == 32);
    CHECK(vector_bytes("rfc7515_a3_es256.txt", "jwk_y", y, sizeof y) == 32);
    CHECK(vector_bytes("rfc7515_a3_es256.txt", "jwk_d", d, sizeof d) == 32);
    sec1[0] = 0x04;
    memcpy(sec1 + 1, x, 32);
    memcpy(sec1 + 33, y, 32);
    EXPECT(ct_key_es256_public(&k, sec1, 65), CT_STATUS_OK);
    EXPECT(verify_text(&k, &v, exp - 1, token, out, sizeof out, &len), CT_STATUS_OK);
    CHECK(len == payload_len && memcmp(out, payload, len) == 0);
    {
        uint8_t compressed[33];
        compressed[0] = (uint8_t)(0x02 | (y[31] & 1));
        memcpy(compressed + 1, x, 32);
        EXPECT(ct_key_es256_public(&k, compressed, 33), CT_STATUS_OK);
        EXPECT(verify_text(&k, &v, exp - 1, token, out, sizeof out, &len), CT_STATUS_OK);
    }
    EXPECT(ct_key_es256_private(&k, d, 32), CT_STATUS_OK);
    EXPECT(verify_text(&k, &v, exp - 1, token, out, sizeof out, &len), CT_STATUS_OK);
    /* An HS256 key given the ES256 token: mismatch (alg confusion is designed out). */
    EXPECT(ct_key_hs256(&k, secret, 64), CT_STATUS_OK);
    EXPECT(verify_text(&k, &v, exp - 1, token, out, sizeof out, &len), CT_STATUS_ALGORITHM_MISMATCH);

    /* RFC 8037 A.4: the Ed25519 signature verifies, but the payload is text, not a JWT. */
    CHECK(vector("rfc8037_a4_eddsa.txt", "token", token, sizeof token));
    CHECK(vector_bytes("rfc8037_a4_eddsa.txt", "jwk_x", x, sizeof x) == 32);
    EXPECT(ct_key_ed25519_public(&k, x, 32), CT_STATUS_OK);
    EXPECT(verify_text(&k, &v, exp - 1, token, out, sizeof out, &len), CT_STATUS_INVALID_JSON);
    token[strlen(token) - 3] = token[strlen(token) - 3] == 'A' ? 'B' : 'A';
    EXPECT(verify_text(&k, &v, exp - 1, token, out, sizeof out, &len), CT_STATUS_INVALID_SIGNATURE);
    ct_key_wipe(&k);
}

static void test_wrong_key_and_mismatch(void) {
    ct_key a, b;
    ct_validation v = policy();
    char token[512];
    uint8_t out[512], scalar[32];
    size_t len = 0;
    memset(scalar, 7, sizeof scalar);
    EXPECT(ct_key_hs256(&a, SECRET64, 32), CT_STATUS_OK);
    EXPECT(ct_key_hs256(&b, SECRET64 + 1, 32), CT_STATUS_OK);
    EXPECT(sign_text(&a, "{\"exp\":4000000000}", token, sizeof token, &len), CT_STATUS_OK);
    EXPECT(verify_text(&b, &v, 1, token, out, sizeof out, &len), CT_STATUS_INVALID_SIGNATURE);
    EXPECT(ct_key_ed25519_private(&b, scalar, 32), CT_STATUS_OK);
    EXPECT(verify_text(&b, &v, 1, token, out, sizeof out, &len), CT_STATUS_ALGORITHM_MISMATCH);

    EXPECT(ct_key_es256_private(&a, scalar, 32), CT_STATUS_OK);
    EXPECT(sign_text(&a, "{\"exp\":4000000000}", token, sizeof token, &len), CT_STATUS_OK);
    scalar[0] ^= 1;
    EXPECT(ct_key_es256_private(&b, scalar, 32), CT_STATUS_OK);
    EXPECT(verify_text(&b, &v, 1, token, out, sizeof out, &len), CT_STATUS_INVALID_SIGNATURE);
    EXPECT(ct_key_hs512(&b, SECRET64, 64), CT_STATUS_OK);
    EXPECT(verify_text(&b, &v, 1, token, out, sizeof out, &len), CT_STATUS_ALGORITHM_MISMATCH);
    ct_key_wipe(&a);
    ct_key_wipe(&b);
}

static ct_status sign_and_verify(const char *claims, const ct_validation *v, uint64_t now) {
    ct_key k;
    char token[1024];
    uint8_t out[1024];
    size_t len = 0;
    ct_status s;
    if (ct_key_hs256(&k, SECRET64, 32) != CT_STATUS_OK) return CT_STATUS_PANIC;
    s = sign_text(&k, claims, token, sizeof token, &len);
    if (s == CT_STATUS_OK) s = verify_text(&k, v, now, token, out, sizeof out, &len);
    ct_key_wipe(&k);
    return s;
}

static void test_time_claims(void) {
    ct_validation v = policy();
    const char *t = "{\"exp\":1000,\"nbf\":500,\"iat\":400}";
    EXPECT(sign_and_verify(t, &v, 999), CT_STATUS_OK);
    EXPECT(sign_and_verify(t, &v, 1000), CT_STATUS_EXPIRED);
    EXPECT(sign_and_verify(t, &v, 499), CT_STATUS_NOT_YET_VALID);
    EXPECT(sign_and_verify("{\"exp\":1000,\"iat\":900}", &v, 800), CT_STATUS_ISSUED_IN_FUTURE);
    /* now_unix = 0: the time is unknown, never 1970. */
    EXPECT(sign_and_verify(t, &v, 0), CT_STATUS_TIME_UNAVAILABLE);
    /* exp required by default. */
    EXPECT(sign_and_verify("{\"sub\":\"x\"}", &v, 999), CT_STATUS_MISSING_CLAIM);
    EXPECT(ct_validation_set_leeway(&v, 10), CT_STATUS_OK);
    EXPECT(sign_and_verify(t, &v, 1009), CT_STATUS_OK);
    EXPECT(sign_and_verify(t, &v, 1010), CT_STATUS_EXPIRED);
    EXPECT(sign_and_verify(t, &v, 490), CT_STATUS_OK);
    EXPECT(sign_and_verify(t, &v, 489), CT_STATUS_NOT_YET_VALID);
    /* Nothing required: a token without time claims needs no clock. */
    EXPECT(ct_validation_set_required(&v, 0), CT_STATUS_OK);
    EXPECT(sign_and_verify("{\"sub\":\"x\"}", &v, 0), CT_STATUS_OK);
    /* But a present exp is still checked. */
    EXPECT(sign_and_verify(t, &v, 5000), CT_STATUS_EXPIRED);
}

static void test_validation_policy(void) {
    ct_validation v = policy();
    char long_value[CT_VALIDATION_MAX_VALUE_LEN + 2];
    const char *full = "{\"iss\":\"gw\",\"aud\":[\"x\",\"api\"],\"sub\":\"dev-7\",\"exp\":4000000000}";
    memset(long_value, 'a', sizeof long_value);
    /* A token with aud is refused when no audience is expected (RFC 7519 §4.1.3). */
    EXPECT(sign_and_verify(full, &v, 1), CT_STATUS_INVALID_AUDIENCE);
    EXPECT(ct_validation_set_audience(&v, CT_LIT("api")), CT_STATUS_OK);
    EXPECT(sign_and_verify(full, &v, 1), CT_STATUS_OK);
    EXPECT(sign_and_verify("{\"exp\":4000000000}", &v, 1), CT_STATUS_MISSING_CLAIM);
    EXPECT(ct_validation_set_audience(&v, CT_LIT("ap")), CT_STATUS_OK);
    EXPECT(sign_and_verify(full, &v, 1), CT_STATUS_INVALID_AUDIENCE);
    EXPECT(ct_validation_set_audience(&v, CT_LIT("x")), CT_STATUS_OK);
    EXPECT(ct_validation_set_issuer(&v, CT_LIT("gw")), CT_STATUS_OK);
    EXPECT(sign_and_verify(full, &v, 1), CT_STATUS_OK);
    EXPECT(ct_validation_set_issuer(&v, CT_LIT("g")), CT_STATUS_OK);
    EXPECT(sign_and_verify(full, &v, 1), CT_STATUS_INVALID_ISSUER);
    EXPECT(ct_validation_set_issuer(&v, CT_LIT("gw")), CT_STATUS_OK);
    EXPECT(ct_validation_set_subject(&v, CT_LIT("dev-70")), CT_STATUS_OK);
    EXPECT(sign_and_verify(full, &v, 1), CT_STATUS_INVALID_SUBJECT);
    EXPECT(ct_validation_set_subject(&v, CT_LIT("dev-7")), CT_STATUS_OK);
    EXPECT(sign_and_verify(full, &v, 1), CT_STATUS_OK);
    EXPECT(ct_validation_set_required(&v, CT_CLAIM_EXP | CT_CLAIM_JTI), CT_STATUS_OK);
    EXPECT(sign_and_verify(full, &v, 1), CT_STATUS_MISSING_CLAIM);
    EXPECT(ct_validation_set_required(&v, 0x80), CT_STATUS_INVALID_ARGUMENT);
    EXPECT(ct_validation_set_required(&v, CT_CLAIM_EXP | CT_CLAIM_NBF | CT_CLAIM_IAT | CT_CLAIM_ISS |
                                              CT_CLAIM_AUD | CT_CLAIM_SUB | CT_CLAIM_JTI),
           CT_STATUS_OK);
    EXPECT(sign_and_verify("{\"iss\":\"gw\",\"aud\":\"x\",\"sub\":\"dev-7\",\"exp\":9,\"nbf\":1,\"iat\":1,"
                           "\"jti\":\"j\"}",
                           &v, 2),
           CT_STATUS_OK);

    /* Bounded, non-empty, UTF-8 values; a failed setter changes nothing. */
    EXPECT(ct_validation_set_issuer(&v, long_value, CT_VALIDATION_MAX_VALUE_LEN + 1), CT_STATUS_TOO_LONG);
    EXPECT(ct_validation_set_issuer(&v, long_value, 0), CT_STATUS_INVALID_ARGUMENT);
    EXPECT(ct_validation_set_subject(&v, "\xc3", 1), CT_STATUS_INVALID_UTF8);
    EXPECT(ct_validation_set_audience(&v, long_value, CT_VALIDATION_MAX_VALUE_LEN), CT_STATUS_OK);

    /* Uninitialized storage. */
    memset(&v, 0, sizeof v);
    EXPECT(ct_validation_set_leeway(&v, 1), CT_STATUS_UNINITIALIZED);
    EXPECT(ct_validation_set_issuer(&v, CT_LIT("gw")), CT_STATUS_UNINITIALIZED);
    EXPECT(ct_validation_set_required(&v, 0), CT_STATUS_UNINITIALIZED);
    EXPECT(sign_and_verify(full, &v, 1), CT_STATUS_UNINITIALIZED);
}

static void test_sign_errors_and_buffers(void) {
    static const char *claims = "{\"sub\":\"buffers\",\"exp\":4000000000}";
    ct_key k;
    char out[512];
    size_t len = 0, needed = 0;
    size_t claims_len = strlen(claims);
    EXPECT(ct_key_es256_private(&k, SECRET64, 32), CT_STATUS_OK);
    EXPECT(sign_text(&k, claims, out, sizeof out, &len), CT_STATUS_OK);
    needed = len + 1;
    CHECK(needed <= CT_MAX_TOKEN_LEN(strlen("{\"sub\":\"buffers\",\"exp\":4000000000}")));
    CHECK(ct_max_token_len(claims_len) == CT_MAX_TOKEN_LEN(claims_len));
    CHECK(ct_max_token_len(0) == CT_TOKEN_OVERHEAD && ct_max_token_len(1000) == CT_MAX_TOKEN_LEN(1000));
    /* One byte short (the NUL), and zero: the needed size, the buffer untouched. */
    memset(out, 0x5A, sizeof out);
    len = 0;
    EXPECT(sign_text(&k, claims, out, needed - 1, &len), CT_STATUS_BUFFER_TOO_SMALL);
    CHECK(len == needed && all_bytes(out, sizeof out, 0x5A));
    len = 0;
    EXPECT(sign_text(&k, claims, out, 0, &len), CT_STATUS_BUFFER_TOO_SMALL);
    CHECK(len == needed && all_bytes(out, sizeof out, 0x5A));
    EXPECT(sign_text(&k, claims, out, needed, &len), CT_STATUS_OK);
    CHECK(len == needed - 1 && out[len] == '\0' && all_bytes(out + needed, sizeof out - needed, 0x5A));

    /* Claims are checked before signing. */
    memset(out, 0x5A, sizeof out);
    len = 12345;
    EXPECT(sign_text(&k, "{\"sub\":\"a\",\"sub\":\"b\"}", out, sizeof out, &len), CT_STATUS_INVALID_JSON);
    EXPECT(sign_text(&k, "[1,2]", out, sizeof out, &len), CT_STATUS_INVALID_JSON);
    EXPECT(sign_text(&k, "{\"exp\":\"soon\"}", out, sizeof out, &len), CT_STATUS_INVALID_CLAIM);
    EXPECT(sign_text(&k, "{\"exp\":-1}", out, sizeof out, &len), CT_STATUS_INVALID_CLAIM);
    EXPECT(ct_sign(&k, U8("{\"a\":\"\xff\"}"), 9, out, sizeof out, &len), CT_STATUS_INVALID_JSON);
    CHECK(len == 12345 && all_bytes(out, sizeof out, 0x5A));
    /* The output may not overlap the claims. */
    memcpy(out, claims, claims_len);
    EXPECT(ct_sign(&k, U8(out), claims_len, out + 4, sizeof out - 4, &len), CT_STATUS_INVALID_ARGUMENT);
    /* Uninitialized key. */
    ct_key_wipe(&k);
    EXPECT(sign_text(&k, claims, out, sizeof out, &len), CT_STATUS_UNINITIALIZED);
}

static void test_verify_errors_and_buffers(void) {
    ct_key k;
    ct_validation v = policy();
    char token[10000];
    uint8_t out[10000];
    size_t len = 0, token_len = 0, needed = 0, claims_len = 0;
    const char *claims = "{\"sub\":\"verify\",\"exp\":4000000000}";
    EXPECT(ct_key_ed25519_private(&k, SECRET64, 32), CT_STATUS_OK);
    EXPECT(sign_text(&k, claims, token, sizeof token, &token_len), CT_STATUS_OK);

    /* Too small: the exact need, nothing written. */
    memset(out, 0x5A, sizeof out);
    EXPECT(ct_verify(&k, &v, 1, token, token_len, out, 10, &needed), CT_STATUS_BUFFER_TOO_SMALL);
    CHECK(needed > strlen(claims) && needed <= ct_verify_claims_cap(token_len));
    CHECK(ct_verify_claims_cap(token_len) == CT_VERIFY_CLAIMS_CAP(token_len));
    CHECK(all_bytes(out, sizeof out, 0x5A));
    EXPECT(ct_verify(&k, &v, 1, token, token_len, out, needed - 1, &len), CT_STATUS_BUFFER_TOO_SMALL);
    CHECK(len == needed && all_bytes(out, sizeof out, 0x5A));
    EXPECT(ct_verify(&k, &v, 1, token, token_len, out, needed, &claims_len), CT_STATUS_OK);
    CHECK(claims_len == strlen(claims) && memcmp(out, claims, claims_len) == 0 && out[claims_len] == 0);
    CHECK(all_bytes(out + needed, sizeof out - needed, 0x5A));

    /* After a rejection the decoding region is zeroed: no rejected payload is left behind. */
    memset(out, 0x5A, sizeof out);
    len = 777;
    EXPECT(ct_verify(&k, &v, 4000000000u, token, token_len, out, sizeof out, &len), CT_STATUS_EXPIRED);
    CHECK(len == 777 && all_bytes(out, ct_verify_claims_cap(token_len), 0));
    CHECK(all_bytes(out + ct_verify_claims_cap(token_len), sizeof out - ct_verify_claims_cap(token_len), 0x5A));

    /* Malformed tokens. */
    EXPECT(verify_text(&k, &v, 1, "abc.def", out, sizeof out, &len), CT_STATUS_MALFORMED);
    EXPECT(verify_text(&k, &v, 1, "a.b.c.d", out, sizeof out, &len), CT_STATUS_MALFORMED);
    EXPECT(verify_text(&k, &v, 1, "..", out, sizeof out, &len), CT_STATUS_MALFORMED);
    EXPECT(verify_text(&k, &v, 1, "eyJhbGciOiJFZERTQSJ9=.e30.AAAA", out, sizeof out, &len),
           CT_STATUS_INVALID_BASE64);
    /* {"alg":"none"} */
    EXPECT(verify_text(&k, &v, 1, "eyJhbGciOiJub25lIn0.e30.AAAA", out, sizeof out, &len),
           CT_STATUS_UNSUPPORTED_ALGORITHM);
    /* Longer than 8192 bytes. */
    memset(token, 'A', 8193);
    token[100] = '.';
    token[200] = '.';
    EXPECT(ct_verify(&k, &v, 1, token, 8193, out, sizeof out, &len), CT_STATUS_TOO_LONG);
    /* Output overlapping the token. */
    memcpy(out, "a.b.c", 5);
    EXPECT(ct_verify(&k, &v, 1, (const char *)out, 5, out + 2, 100, &len), CT_STATUS_INVALID_ARGUMENT);
    ct_key_wipe(&k);
    EXPECT(verify_text(&k, &v, 1, "a.b.c", out, sizeof out, &len), CT_STATUS_UNINITIALIZED);
}

static void test_claim_getters(void) {
    /* Escapes in names and values: \u00e9 is é (C3 A9), \" and \\ and \/ and \ud83d\ude00 (😀). */
    static const char *claims =
        "{\"sub\":\"d\\u00e9v\\\"7\\\\\",\"iss\":\"a\\/b\",\"emoji\":\"\\ud83d\\ude00\","
        "\"roles\":[\"admin\",\"ops\\u0021\",7,null],\"aud\":\"api\",\"n\":42,\"exp\":4000000000,"
        "\"neg\":-1,\"frac\":1.5,\"expo\":1e3,\"big\":18446744073709551616,\"max\":18446744073709551615,"
        "\"ok\":true,\"no\":false,\"nul\":\"a\\u0000b\",\"obj\":{\"x\":1},\"n\\u0061me\":\"escaped name\"}";
    ct_key k;
    ct_validation v = policy();
    char token[2048], text[64];
    uint8_t out[2048];
    size_t len = 0, token_len = 0, claims_len = 0;
    uint64_t u = 0;
    bool b = false;
    EXPECT(ct_key_hs512(&k, SECRET64, 64), CT_STATUS_OK);
    EXPECT(ct_validation_set_audience(&v, CT_LIT("api")), CT_STATUS_OK);
    EXPECT(sign_text(&k, claims, token, sizeof token, &token_len), CT_STATUS_OK);
    EXPECT(ct_verify(&k, &v, 1700000000u, token, token_len, out, sizeof out, &claims_len), CT_STATUS_OK);
    CHECK(claims_len == strlen(claims));

    EXPECT(ct_claims_get_str(out, claims_len, CT_LIT("sub"), text, sizeof text, &len), CT_STATUS_OK);
    CHECK(len == 7 && strcmp(text, "d\xc3\xa9v\"7\\") == 0);
    EXPECT(ct_claims_get_str(out, claims_len, CT_LIT("iss"), text, sizeof text, &len), CT_STATUS_OK);
    CHECK(len == 3 && strcmp(text, "a/b") == 0);
    EXPECT(ct_claims_get_str(out, claims_len, CT_LIT("emoji"), text, sizeof text, &len), CT_STATUS_OK);
    CHECK(len == 4 && strcmp(text, "\xf0\x9f\x98\x80") == 0);
    EXPECT(ct_claims_get_str(out, claims_len, CT_LIT("name"), text, sizeof text, &len), CT_STATUS_OK);
    CHECK(strcmp(text, "escaped name") == 0);
    /* Buffer too small: the capacity needed (NUL included), the buffer untouched. */
    memset(text, 0x5A, sizeof text);
    EXPECT(ct_claims_get_str(out, claims_len, CT_LIT("sub"), text, 7, &len), CT_STATUS_BUFFER_TOO_SMALL);
    CHECK(len == 8 && all_bytes(text, sizeof text, 0x5A));
    EXPECT(ct_claims_get_str(out, claims_len, CT_LIT("sub"), text, 8, &len), CT_STATUS_OK);
    CHECK(len == 7 && text[7] == '\0' && all_bytes(text + 8, sizeof text - 8, 0x5A));
    /* Errors are distinct. */
    EXPECT(ct_claims_get_str(out, claims_len, CT_LIT("nul"), text, sizeof text, &len), CT_STATUS_EMBEDDED_NUL);
    EXPECT(ct_claims_get_str(out, claims_len, CT_LIT("n"), text, sizeof text, &len), CT_STATUS_CLAIM_WRONG_TYPE);
    EXPECT(ct_claims_get_str(out, claims_len, CT_LIT("su"), text, sizeof text, &len), CT_STATUS_CLAIM_NOT_FOUND);
    EXPECT(ct_claims_get_str(out, claims_len, CT_LIT("x"), text, sizeof text, &len), CT_STATUS_CLAIM_NOT_FOUND);
    EXPECT(ct_claims_get_str(out, claims_len, "\xff", 1, text, sizeof text, &len), CT_STATUS_INVALID_UTF8);
    EXPECT(ct_claims_get_str(out, claims_len - 1, CT_LIT("sub"), text, sizeof text, &len), CT_STATUS_INVALID_JSON);
    EXPECT(ct_claims_get_str(out, claims_len, CT_LIT("sub"), (char *)out + 10, 20, &len), CT_STATUS_INVALID_ARGUMENT);

    /* Integers. */
    EXPECT(ct_claims_get_u64(out, claims_len, CT_LIT("n"), &u), CT_STATUS_OK);
    CHECK(u == 42);
    EXPECT(ct_claims_get_u64(out, claims_len, CT_LIT("exp"), &u), CT_STATUS_OK);
    CHECK(u == 4000000000u);
    EXPECT(ct_claims_get_u64(out, claims_len, CT_LIT("max"), &u), CT_STATUS_OK);
    CHECK(u == UINT64_MAX);
    u = 9;
    EXPECT(ct_claims_get_u64(out, claims_len, CT_LIT("neg"), &u), CT_STATUS_CLAIM_OUT_OF_RANGE);
    EXPECT(ct_claims_get_u64(out, claims_len, CT_LIT("frac"), &u), CT_STATUS_CLAIM_OUT_OF_RANGE);
    EXPECT(ct_claims_get_u64(out, claims_len, CT_LIT("expo"), &u), CT_STATUS_CLAIM_OUT_OF_RANGE);
    EXPECT(ct_claims_get_u64(out, claims_len, CT_LIT("big"), &u), CT_STATUS_CLAIM_OUT_OF_RANGE);
    EXPECT(ct_claims_get_u64(out, claims_len, CT_LIT("sub"), &u), CT_STATUS_CLAIM_WRONG_TYPE);
    EXPECT(ct_claims_get_u64(out, claims_len, CT_LIT("none"), &u), CT_STATUS_CLAIM_NOT_FOUND);
    CHECK(u == 9);

    /* Booleans. */
    EXPECT(ct_claims_get_bool(out, claims_len, CT_LIT("ok"), &b), CT_STATUS_OK);
    CHECK(b == true);
    EXPECT(ct_claims_get_bool(out, claims_len, CT_LIT("no"), &b), CT_STATUS_OK);
    CHECK(b == false);
    EXPECT(ct_claims_get_bool(out, claims_len, CT_LIT("n"), &b), CT_STATUS_CLAIM_WRONG_TYPE);
    EXPECT(ct_claims_get_bool(out, claims_len, CT_LIT("yes"), &b), CT_STATUS_CLAIM_NOT_FOUND);

    /* Membership in string-or-array claims, exact after unescaping. */
    EXPECT(ct_claims_has_value(out, claims_len, CT_LIT("roles"), CT_LIT("admin"), &b), CT_STATUS_OK);
    CHECK(b == true);
    EXPECT(ct_claims_has_value(out, claims_len, CT_LIT("roles"), CT_LIT("ops!"), &b), CT_STATUS_OK);
    CHECK(b == true);
    EXPECT(ct_claims_has_value(out, claims_len, CT_LIT("roles"), CT_LIT("adm"), &b), CT_STATUS_OK);
    CHECK(b == false);
    EXPECT(ct_claims_has_value(out, claims_len, CT_LIT("roles"), CT_LIT("7"), &b), CT_STATUS_OK);
    CHECK(b == false);
    EXPECT(ct_claims_has_value(out, claims_len, CT_LIT("aud"), CT_LIT("api"), &b), CT_STATUS_OK);
    CHECK(b == true);
    EXPECT(ct_claims_has_value(out, claims_len, CT_LIT("aud"), CT_LIT("apix"), &b), CT_STATUS_OK);
    CHECK(b == false);
    EXPECT(ct_claims_has_value(out, claims_len, CT_LIT("n"), CT_LIT("42"), &b), CT_STATUS_CLAIM_WRONG_TYPE);
    EXPECT(ct_claims_has_value(out, claims_len, CT_LIT("obj"), CT_LIT("x"), &b), CT_STATUS_CLAIM_WRONG_TYPE);
    EXPECT(ct_claims_has_value(out, claims_len, CT_LIT("groups"), CT_LIT("x"), &b), CT_STATUS_CLAIM_NOT_FOUND);
    EXPECT(ct_claims_has_value(out, claims_len, CT_LIT("roles"), "\xff", 1, &b), CT_STATUS_INVALID_UTF8);

    /* Duplicate names are rejected, never "last wins". */
    {
        const char *dup = "{\"admin\":false,\"adm\\u0069n\":true}";
        EXPECT(ct_claims_get_bool(U8(dup), strlen(dup), CT_LIT("admin"), &b), CT_STATUS_INVALID_JSON);
    }
    ct_key_wipe(&k);
}

int main(int argc, char **argv) {
    if (argc > 1) {
        data_dir = argv[1];
    }
    test_sizes_and_version();
    test_status_strings();
    test_null_arguments();
    test_key_constructors();
    test_kid_in_header();
    test_round_trips();
    test_rfc_vectors();
    test_wrong_key_and_mismatch();
    test_time_claims();
    test_validation_policy();
    test_sign_errors_and_buffers();
    test_verify_errors_and_buffers();
    test_claim_getters();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
