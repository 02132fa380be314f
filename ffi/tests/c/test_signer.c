/*
 * ct_signer: the external-signer object, its callback contract and the checks on what the
 * callback returns (ct_sign_with_signer, ct_issuer_init_with_signer, ct_ecdsa_der_to_raw).
 *
 * The "device" here is a test double without a crypto library: for a known claims object it
 * answers with the signature of the same token signed by a software ct_key (deterministic
 * signatures: RFC 6979 for ES256, RFC 8032 for Ed25519, HMAC), optionally as DER or with an
 * injected fault. The real devices are tested in examples/psa (mbedTLS PSA Crypto, which
 * signs the digest it is given) and cli/tests/cli/pkcs11.rs (SoftHSM2).
 */
#include "check.h"

#include <string.h>

static const char CLAIMS[] = "{\"iss\":\"factory\",\"sub\":\"sensor-7\",\"exp\":2000000000}";

enum fault { OK, FAIL, SHORT, FLIP, ZERO_R, LONG_LEN };

struct device {
    ct_key key;          /* the "secret" inside the device */
    enum fault fault;
    int der;             /* answer in DER */
    int calls;
    uint32_t alg_seen;
    size_t input_len_seen;
    size_t cap_seen;
};

/* Raw r||s (64 bytes) to DER; returns the length. */
static size_t to_der(const uint8_t raw[64], uint8_t *out) {
    size_t n = 2, i;
    for (i = 0; i < 2; i++) {
        const uint8_t *x = raw + 32 * i;
        size_t skip = 0, len;
        while (skip < 31 && x[skip] == 0) skip++;
        len = 32 - skip;
        out[n++] = 0x02;
        if (x[skip] & 0x80) {
            out[n++] = (uint8_t)(len + 1);
            out[n++] = 0;
        } else {
            out[n++] = (uint8_t)len;
        }
        memcpy(out + n, x + skip, len);
        n += len;
    }
    out[0] = 0x30;
    out[1] = (uint8_t)(n - 2);
    return n;
}

static ct_status device_sign(void *ctx, uint32_t alg, const uint8_t *input, size_t input_len,
                             uint8_t *sig_out, size_t sig_cap, size_t *sig_len) {
    struct device *d = (struct device *)ctx;
    char token[CT_MAX_TOKEN_LEN(sizeof CLAIMS)];
    size_t token_len = 0, n;
    uint8_t sig[64];
    const char *dot;
    (void)input;
    d->calls++;
    d->alg_seen = alg;
    d->input_len_seen = input_len;
    d->cap_seen = sig_cap;
    if (d->fault == FAIL) {
        memset(sig_out, 0x5a, sig_cap); /* garbage left behind must not leak out */
        return CT_STATUS_INVALID_KEY;
    }
    /* A different library object (the device's own key): allowed by the contract. */
    if (ct_sign(&d->key, U8(CLAIMS), sizeof CLAIMS - 1, token, sizeof token, &token_len) != CT_STATUS_OK) {
        return CT_STATUS_INVALID_KEY;
    }
    dot = strrchr(token, '.');
    n = b64url_decode(dot + 1, sig, sizeof sig);
    if (d->fault == FLIP) sig[7] ^= 0x04;
    if (d->fault == ZERO_R) memset(sig, 0, 32);
    if (d->der) {
        uint8_t der[72];
        size_t der_len = to_der(sig, der);
        if (der_len > sig_cap) return CT_STATUS_BUFFER_TOO_SMALL;
        memcpy(sig_out, der, der_len);
        *sig_len = der_len;
        return CT_STATUS_OK;
    }
    if (n > sig_cap) return CT_STATUS_BUFFER_TOO_SMALL;
    memcpy(sig_out, sig, n);
    *sig_len = d->fault == SHORT ? n - 1 : d->fault == LONG_LEN ? sig_cap + 1 : n;
    return CT_STATUS_OK;
}

static const uint8_t SCALAR[32] = {
    0xc9, 0xaf, 0xa9, 0xd8, 0x45, 0xba, 0x75, 0x16, 0x6b, 0x5c, 0x21, 0x57, 0x67, 0xb1, 0xd6, 0x93,
    0x4e, 0x50, 0xc3, 0xdb, 0x36, 0xe8, 0x9b, 0x12, 0x7b, 0x8a, 0x62, 0x2b, 0x12, 0x0f, 0x67, 0x21};
static const uint8_t SEED[32] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6,
                                 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2};
static const uint8_t SECRET[33] = "0123456789abcdef0123456789abcdef";

/* The device's key (with the kid the signer announces) and its public key. */
static void make_device(struct device *d, uint32_t alg, uint8_t *pub, size_t *pub_len) {
    memset(d, 0, sizeof *d);
    *pub_len = 0;
    if (alg == CT_ALG_ES256) {
        EXPECT(ct_key_es256_private(&d->key, SCALAR, 32), CT_STATUS_OK);
    } else if (alg == CT_ALG_EDDSA) {
        EXPECT(ct_key_ed25519_private(&d->key, SEED, 32), CT_STATUS_OK);
    } else {
        EXPECT(ct_key_hs256(&d->key, SECRET, 32), CT_STATUS_OK);
    }
    EXPECT(ct_key_set_kid(&d->key, CT_LIT("se-0")), CT_STATUS_OK);
    if (alg != CT_ALG_HS256) {
        EXPECT(ct_key_public_key(&d->key, pub, 65, pub_len), CT_STATUS_OK);
    }
}

/* Signs CLAIMS through a signer on device d; checks the token equals the software one. */
static ct_status sign_via(struct device *d, uint32_t alg, uint32_t flags, char *out, size_t cap,
                          size_t *out_len) {
    ct_signer s;
    uint8_t pub[65];
    size_t pub_len;
    ct_status st;
    enum fault fault = d->fault;
    int der = d->der;
    make_device(d, alg, pub, &pub_len);
    d->fault = fault;
    d->der = der;
    EXPECT(ct_signer_init(&s, alg, pub_len ? pub : NULL, pub_len, CT_LIT("se-0"), flags, device_sign, d),
           CT_STATUS_OK);
    st = ct_sign_with_signer(&s, U8(CLAIMS), sizeof CLAIMS - 1, out, cap, out_len);
    ct_signer_wipe(&s);
    return st;
}

static void test_good_devices(void) {
    const uint32_t algs[3] = {CT_ALG_ES256, CT_ALG_EDDSA, CT_ALG_HS256};
    int i;
    for (i = 0; i < 3; i++) {
        struct device d;
        char token[CT_MAX_TOKEN_LEN(sizeof CLAIMS)], soft[CT_MAX_TOKEN_LEN(sizeof CLAIMS)];
        size_t len = 0, soft_len = 0, claims_len = 0;
        uint8_t claims[CT_VERIFY_CLAIMS_CAP(sizeof token)];
        ct_validation v;
        memset(&d, 0, sizeof d);
        EXPECT(sign_via(&d, algs[i], 0, token, sizeof token, &len), CT_STATUS_OK);
        EXPECT(ct_sign(&d.key, U8(CLAIMS), sizeof CLAIMS - 1, soft, sizeof soft, &soft_len), CT_STATUS_OK);
        CHECK(len == soft_len && memcmp(token, soft, len) == 0 && token[len] == '\0');
        CHECK(d.alg_seen == algs[i]);
        /* ES256 devices get the 32-byte digest; EdDSA and HMAC the signing input. */
        CHECK(algs[i] == CT_ALG_ES256 ? d.input_len_seen == 32
                                      : d.input_len_seen == (size_t)(strrchr(token, '.') - token));
        CHECK(d.cap_seen == (algs[i] == CT_ALG_HS256 ? 32u : 64u));
        CHECK(d.calls == (algs[i] == CT_ALG_HS256 ? 2 : 1)); /* HMAC: asked twice, compared */
        EXPECT(ct_validation_init(&v), CT_STATUS_OK);
        EXPECT(ct_verify(&d.key, &v, 1900000000u, token, len, claims, sizeof claims, &claims_len), CT_STATUS_OK);
        CHECK(claims_len == sizeof CLAIMS - 1);
        ct_key_wipe(&d.key);
    }
}

static void test_der_devices(void) {
    struct device d;
    char token[CT_MAX_TOKEN_LEN(sizeof CLAIMS)], soft[CT_MAX_TOKEN_LEN(sizeof CLAIMS)];
    size_t len = 0, soft_len = 0;
    memset(&d, 0, sizeof d);
    d.der = 1;
    EXPECT(sign_via(&d, CT_ALG_ES256, CT_SIGNER_DER, token, sizeof token, &len), CT_STATUS_OK);
    CHECK(d.cap_seen == CT_SIGNER_DER_MAX);
    EXPECT(ct_sign(&d.key, U8(CLAIMS), sizeof CLAIMS - 1, soft, sizeof soft, &soft_len), CT_STATUS_OK);
    CHECK(len == soft_len && memcmp(token, soft, len) == 0);
    /* A raw answer where DER is announced is refused. */
    d.der = 0;
    EXPECT(sign_via(&d, CT_ALG_ES256, CT_SIGNER_DER, token, sizeof token, &len), CT_STATUS_SIGNER_FAILED);
    ct_key_wipe(&d.key);
}

static void test_faulty_devices(void) {
    const enum fault faults[5] = {FAIL, SHORT, FLIP, ZERO_R, LONG_LEN};
    const uint32_t algs[3] = {CT_ALG_ES256, CT_ALG_EDDSA, CT_ALG_HS256};
    int i, j;
    for (j = 0; j < 3; j++) {
        for (i = 0; i < 5; i++) {
            struct device d;
            char token[CT_MAX_TOKEN_LEN(sizeof CLAIMS)];
            size_t len = 12345;
            if (faults[i] == ZERO_R && algs[j] != CT_ALG_ES256) continue;
            /* HMAC has no public key: a MAC that is wrong the same way twice (a wrong key
             * slot, not a glitch) cannot be detected by the device's own signer. */
            if (faults[i] == FLIP && algs[j] == CT_ALG_HS256) continue;
            memset(&d, 0, sizeof d);
            memset(token, 0x7e, sizeof token);
            d.fault = faults[i];
            EXPECT(sign_via(&d, algs[j], 0, token, sizeof token, &len), CT_STATUS_SIGNER_FAILED);
            CHECK(len == 12345);                            /* no length on failure */
            CHECK(strchr(token, '.') == NULL);              /* nothing of a token left */
            CHECK(memchr(token, 0x5a, sizeof token) == NULL); /* nor the device's garbage */
            ct_key_wipe(&d.key);
        }
    }
    /* CT_SIGNER_SHAPE_ONLY: a glitched bit gets through (what the default check prevents)... */
    {
        struct device d;
        char token[CT_MAX_TOKEN_LEN(sizeof CLAIMS)];
        size_t len = 0, claims_len = 0;
        uint8_t claims[CT_VERIFY_CLAIMS_CAP(sizeof token)];
        ct_validation v;
        memset(&d, 0, sizeof d);
        d.fault = FLIP;
        EXPECT(sign_via(&d, CT_ALG_ES256, CT_SIGNER_SHAPE_ONLY, token, sizeof token, &len), CT_STATUS_OK);
        EXPECT(ct_validation_init(&v), CT_STATUS_OK);
        EXPECT(ct_verify(&d.key, &v, 1900000000u, token, len, claims, sizeof claims, &claims_len),
               CT_STATUS_INVALID_SIGNATURE);
        /* ...but shape faults are still caught. */
        d.fault = ZERO_R;
        EXPECT(sign_via(&d, CT_ALG_ES256, CT_SIGNER_SHAPE_ONLY, token, sizeof token, &len),
               CT_STATUS_SIGNER_FAILED);
        ct_key_wipe(&d.key);
    }
}

static void test_object_contract(void) {
    struct device d;
    ct_signer s;
    uint8_t pub[65];
    size_t pub_len = 0, len = 0;
    char token[CT_MAX_TOKEN_LEN(sizeof CLAIMS)];
    CHECK(ct_signer_size() == CT_SIGNER_SIZE && sizeof(ct_signer) == CT_SIGNER_SIZE);
    make_device(&d, CT_ALG_ES256, pub, &pub_len);
    EXPECT(ct_signer_init(NULL, CT_ALG_ES256, pub, pub_len, NULL, 0, 0, device_sign, &d), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_signer_init(&s, CT_ALG_ES256, pub, pub_len, NULL, 0, 0, NULL, &d), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_signer_init(&s, CT_ALG_ES256, NULL, 65, NULL, 0, 0, device_sign, &d), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_signer_init(&s, CT_ALG_RS256, pub, pub_len, NULL, 0, 0, device_sign, &d),
           CT_STATUS_UNSUPPORTED_ALGORITHM);
    EXPECT(ct_signer_init(&s, 99, pub, pub_len, NULL, 0, 0, device_sign, &d), CT_STATUS_UNSUPPORTED_ALGORITHM);
    EXPECT(ct_signer_init(&s, CT_ALG_ES256, pub, pub_len, NULL, 0, 4, device_sign, &d), CT_STATUS_INVALID_ARGUMENT);
    EXPECT(ct_signer_init(&s, CT_ALG_EDDSA, pub, 32, NULL, 0, CT_SIGNER_DER, device_sign, &d),
           CT_STATUS_INVALID_ARGUMENT);
    EXPECT(ct_signer_init(&s, CT_ALG_ES256, pub, 64, NULL, 0, 0, device_sign, &d), CT_STATUS_INVALID_KEY);
    pub[20] ^= 1;
    EXPECT(ct_signer_init(&s, CT_ALG_ES256, pub, pub_len, NULL, 0, 0, device_sign, &d), CT_STATUS_INVALID_KEY);
    pub[20] ^= 1;
    EXPECT(ct_signer_init(&s, CT_ALG_HS256, pub, 32, NULL, 0, 0, device_sign, &d), CT_STATUS_INVALID_KEY);
    EXPECT(ct_signer_init(&s, CT_ALG_ES256, pub, pub_len, CT_LIT("a\nb"), 0, device_sign, &d),
           CT_STATUS_INVALID_KEY_ID);
    /* Never initialized (the failures above left it untouched) and wiped objects. */
    memset(&s, 0, sizeof s);
    EXPECT(ct_sign_with_signer(&s, U8(CLAIMS), sizeof CLAIMS - 1, token, sizeof token, &len), CT_STATUS_UNINITIALIZED);
    /* Without the kid the device's (test double's) token has, its signature covers another
     * header: the verification before release catches that. */
    EXPECT(ct_signer_init(&s, CT_ALG_ES256, pub, pub_len, NULL, 0, 0, device_sign, &d), CT_STATUS_OK);
    EXPECT(ct_sign_with_signer(&s, U8(CLAIMS), sizeof CLAIMS - 1, token, sizeof token, &len), CT_STATUS_SIGNER_FAILED);
    EXPECT(ct_signer_init(&s, CT_ALG_ES256, pub, pub_len, CT_LIT("se-0"), 0, device_sign, &d), CT_STATUS_OK);
    EXPECT(ct_sign_with_signer(NULL, U8(CLAIMS), sizeof CLAIMS - 1, token, sizeof token, &len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_sign_with_signer(&s, U8(CLAIMS), sizeof CLAIMS - 1, NULL, sizeof token, &len), CT_STATUS_NULL_ARGUMENT);
    /* Short buffer: the size needed, the device not called. */
    d.calls = 0;
    memset(token, 0x41, sizeof token);
    EXPECT(ct_sign_with_signer(&s, U8(CLAIMS), sizeof CLAIMS - 1, token, 20, &len), CT_STATUS_BUFFER_TOO_SMALL);
    CHECK(d.calls == 0 && all_bytes(token, sizeof token, 0x41));
    CHECK(len > 20 && len <= CT_MAX_TOKEN_LEN(sizeof CLAIMS - 1));
    EXPECT(ct_sign_with_signer(&s, U8(CLAIMS), sizeof CLAIMS - 1, token, len, &len), CT_STATUS_OK);
    /* Invalid claims: refused before the device is asked. */
    d.calls = 0;
    EXPECT(ct_sign_with_signer(&s, U8("{\"exp\":\"x\"}"), 11, token, sizeof token, &len), CT_STATUS_INVALID_CLAIM);
    CHECK(d.calls == 0);
    ct_signer_wipe(&s);
    CHECK(all_bytes(&s, sizeof s, 0));
    EXPECT(ct_sign_with_signer(&s, U8(CLAIMS), sizeof CLAIMS - 1, token, sizeof token, &len), CT_STATUS_UNINITIALIZED);
    ct_signer_wipe(NULL);
    CHECK(strcmp(ct_status_str(CT_STATUS_SIGNER_FAILED), "external signer failed") == 0);
    ct_key_wipe(&d.key);
}

static void test_issuer_refuses_hmac_signer(void) {
    struct device d;
    ct_signer s;
    ct_issuer issuer;
    uint8_t pub[65];
    size_t pub_len = 0;
    make_device(&d, CT_ALG_HS256, pub, &pub_len);
    EXPECT(ct_signer_init(&s, CT_ALG_HS256, NULL, 0, NULL, 0, 0, device_sign, &d), CT_STATUS_OK);
    EXPECT(ct_issuer_init_with_signer(&issuer, &s), CT_STATUS_UNSUPPORTED_ALGORITHM);
    EXPECT(ct_issuer_init_with_signer(NULL, &s), CT_STATUS_NULL_ARGUMENT);
    ct_signer_wipe(&s);
    EXPECT(ct_issuer_init_with_signer(&issuer, &s), CT_STATUS_UNINITIALIZED);
    ct_key_wipe(&d.key);
}

static void test_der_to_raw(void) {
    uint8_t raw[64], small[63];
    size_t n = 0;
    const uint8_t good[] = {0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80};
    const uint8_t padded[] = {0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x02};
    const uint8_t trailing[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x00};
    EXPECT(ct_ecdsa_der_to_raw(good, sizeof good, raw, sizeof raw, &n), CT_STATUS_OK);
    CHECK(n == 64 && raw[31] == 1 && raw[62] == 0 && raw[63] == 0x80 && all_bytes(raw, 31, 0));
    memset(raw, 0xee, sizeof raw);
    n = 7;
    EXPECT(ct_ecdsa_der_to_raw(padded, sizeof padded, raw, sizeof raw, &n), CT_STATUS_INVALID_SIGNATURE);
    EXPECT(ct_ecdsa_der_to_raw(trailing, sizeof trailing, raw, sizeof raw, &n), CT_STATUS_INVALID_SIGNATURE);
    CHECK(n == 7 && all_bytes(raw, sizeof raw, 0xee));
    EXPECT(ct_ecdsa_der_to_raw(good, sizeof good, small, sizeof small, &n), CT_STATUS_BUFFER_TOO_SMALL);
    CHECK(n == 64);
    EXPECT(ct_ecdsa_der_to_raw(NULL, 0, raw, sizeof raw, &n), CT_STATUS_NULL_ARGUMENT);
}

int main(void) {
    test_good_devices();
    test_der_devices();
    test_faulty_devices();
    test_object_contract();
    test_issuer_refuses_hmac_signer();
    test_der_to_raw();
    printf("test_signer: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
