/*
 * PSA Crypto as a real external signer (mbedTLS 2.28's PSA API): volatile keys generated in
 * and imported into the key store sign through ct_signer (psa_sign_hash for ES256,
 * psa_mac_compute for HS256); ciphertoken verifies. Also the issuer, and failures of the
 * key store (destroyed key, key without the signing usage, wrong key) which must give
 * CT_STATUS_SIGNER_FAILED and no token.
 */
#include "ct_psa.h"
#include "../../ffi/tests/c/check.h"

#include <string.h>

static const char CLAIMS[] = "{\"iss\":\"factory\",\"sub\":\"sensor-7\",\"exp\":2000000000}";
static const uint8_t SCALAR[32] = {
    0xc9, 0xaf, 0xa9, 0xd8, 0x45, 0xba, 0x75, 0x16, 0x6b, 0x5c, 0x21, 0x57, 0x67, 0xb1, 0xd6, 0x93,
    0x4e, 0x50, 0xc3, 0xdb, 0x36, 0xe8, 0x9b, 0x12, 0x7b, 0x8a, 0x62, 0x2b, 0x12, 0x0f, 0x67, 0x21};

static psa_key_id_t ec_key(const uint8_t *import, psa_key_usage_t usage, psa_algorithm_t alg) {
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_key_id_t id = 0;
    psa_set_key_type(&attr, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
    psa_set_key_bits(&attr, 256);
    psa_set_key_usage_flags(&attr, usage);
    psa_set_key_algorithm(&attr, alg);
    if (import) {
        CHECK(psa_import_key(&attr, import, 32, &id) == PSA_SUCCESS);
    } else {
        CHECK(psa_generate_key(&attr, &id) == PSA_SUCCESS);
    }
    return id;
}

static int verify_es256(const uint8_t *pub, size_t pub_len, const char *token, size_t len) {
    ct_key k;
    ct_validation v;
    uint8_t claims[512];
    size_t claims_len = 0;
    ct_status st;
    EXPECT(ct_key_es256_public(&k, pub, pub_len), CT_STATUS_OK);
    EXPECT(ct_validation_init(&v), CT_STATUS_OK);
    st = ct_verify(&k, &v, 1900000000u, token, len, claims, sizeof claims, &claims_len);
    ct_key_wipe(&k);
    return st == CT_STATUS_OK && claims_len == sizeof CLAIMS - 1;
}

static void test_generated_key(void) {
    struct ct_psa_key dev = {0, 0, 0};
    uint8_t pub[65];
    size_t pub_len = 0, len = 0;
    char token[CT_MAX_TOKEN_LEN(sizeof CLAIMS)];
    ct_signer s;
    int i;
    dev.id = ec_key(NULL, PSA_KEY_USAGE_SIGN_HASH, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
    CHECK(psa_export_public_key(dev.id, pub, sizeof pub, &pub_len) == PSA_SUCCESS && pub_len == 65);
    EXPECT(ct_signer_init(&s, CT_ALG_ES256, pub, pub_len, CT_LIT("psa-1"), 0, ct_psa_sign, &dev), CT_STATUS_OK);
    for (i = 0; i < 5; i++) { /* randomized ECDSA: five different signatures, all valid */
        EXPECT(ct_sign_with_signer(&s, U8(CLAIMS), sizeof CLAIMS - 1, token, sizeof token, &len), CT_STATUS_OK);
        CHECK(verify_es256(pub, pub_len, token, len));
        CHECK(strstr(token, "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InBzYS0xIn0.") == token);
    }
    /* Compressed SEC1 public key (33 bytes) works as well. */
    {
        uint8_t c[33];
        c[0] = (uint8_t)(2 | (pub[64] & 1));
        memcpy(c + 1, pub + 1, 32);
        EXPECT(ct_signer_init(&s, CT_ALG_ES256, c, 33, NULL, 0, 0, ct_psa_sign, &dev), CT_STATUS_OK);
        EXPECT(ct_sign_with_signer(&s, U8(CLAIMS), sizeof CLAIMS - 1, token, sizeof token, &len), CT_STATUS_OK);
        CHECK(verify_es256(pub, pub_len, token, len));
    }
    ct_signer_wipe(&s);
    psa_destroy_key(dev.id);
}

static void test_imported_deterministic_key_matches_software(void) {
    struct ct_psa_key dev = {0, PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_256), 0};
    uint8_t pub[65];
    size_t pub_len = 0, len = 0, soft_len = 0;
    char token[CT_MAX_TOKEN_LEN(sizeof CLAIMS)], soft[CT_MAX_TOKEN_LEN(sizeof CLAIMS)];
    ct_signer s;
    ct_key k;
    dev.id = ec_key(SCALAR, PSA_KEY_USAGE_SIGN_HASH, dev.alg);
    CHECK(psa_export_public_key(dev.id, pub, sizeof pub, &pub_len) == PSA_SUCCESS);
    EXPECT(ct_signer_init(&s, CT_ALG_ES256, pub, pub_len, CT_LIT("psa-2"), 0, ct_psa_sign, &dev), CT_STATUS_OK);
    EXPECT(ct_sign_with_signer(&s, U8(CLAIMS), sizeof CLAIMS - 1, token, sizeof token, &len), CT_STATUS_OK);
    /* RFC 6979 in mbedTLS and in ciphertoken: the same token byte for byte. */
    EXPECT(ct_key_es256_private(&k, SCALAR, 32), CT_STATUS_OK);
    EXPECT(ct_key_set_kid(&k, CT_LIT("psa-2")), CT_STATUS_OK);
    EXPECT(ct_sign(&k, U8(CLAIMS), sizeof CLAIMS - 1, soft, sizeof soft, &soft_len), CT_STATUS_OK);
    CHECK(len == soft_len && memcmp(token, soft, len) == 0);
    ct_key_wipe(&k);
    ct_signer_wipe(&s);
    psa_destroy_key(dev.id);
}

static void test_hmac_key(void) {
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    struct ct_psa_key dev = {0, 0, 0};
    static const uint8_t secret[33] = "an HMAC secret kept in the store";
    char token[CT_MAX_TOKEN_LEN(sizeof CLAIMS)], soft[CT_MAX_TOKEN_LEN(sizeof CLAIMS)];
    size_t len = 0, soft_len = 0;
    ct_signer s;
    ct_key k;
    psa_set_key_type(&attr, PSA_KEY_TYPE_HMAC);
    psa_set_key_bits(&attr, 256);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_SIGN_MESSAGE);
    psa_set_key_algorithm(&attr, PSA_ALG_HMAC(PSA_ALG_SHA_256));
    CHECK(psa_import_key(&attr, secret, 32, &dev.id) == PSA_SUCCESS);
    EXPECT(ct_signer_init(&s, CT_ALG_HS256, NULL, 0, NULL, 0, 0, ct_psa_sign, &dev), CT_STATUS_OK);
    EXPECT(ct_sign_with_signer(&s, U8(CLAIMS), sizeof CLAIMS - 1, token, sizeof token, &len), CT_STATUS_OK);
    EXPECT(ct_key_hs256(&k, secret, 32), CT_STATUS_OK);
    EXPECT(ct_sign(&k, U8(CLAIMS), sizeof CLAIMS - 1, soft, sizeof soft, &soft_len), CT_STATUS_OK);
    CHECK(len == soft_len && memcmp(token, soft, len) == 0);
    ct_key_wipe(&k);
    ct_signer_wipe(&s);
    psa_destroy_key(dev.id);
}

static ct_status psa_random(void *ctx, uint8_t *out, size_t len) {
    (void)ctx;
    return psa_generate_random(out, len) == PSA_SUCCESS ? CT_STATUS_OK : CT_STATUS_RANDOM_UNAVAILABLE;
}

static void test_issuer(void) {
    struct ct_psa_key dev = {0, 0, 0};
    uint8_t pub[65], claims[1024];
    size_t pub_len = 0, a_len = 0, r_len = 0, claims_len = 0;
    char access[1024], refresh[1024];
    ct_signer s;
    ct_issuer issuer;
    dev.id = ec_key(NULL, PSA_KEY_USAGE_SIGN_HASH, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
    CHECK(psa_export_public_key(dev.id, pub, sizeof pub, &pub_len) == PSA_SUCCESS);
    EXPECT(ct_signer_init(&s, CT_ALG_ES256, pub, pub_len, CT_LIT("psa-issuer"), 0, ct_psa_sign, &dev), CT_STATUS_OK);
    EXPECT(ct_issuer_init_with_signer(&issuer, &s), CT_STATUS_OK);
    EXPECT(ct_issuer_set_issuer(&issuer, CT_LIT("auth")), CT_STATUS_OK);
    EXPECT(ct_issuer_issue_pair(&issuer, 1700000000u, psa_random, NULL, CT_LIT("alice"), NULL, U8("{}"), 2,
                                access, sizeof access, &a_len, refresh, sizeof refresh, &r_len),
           CT_STATUS_OK);
    EXPECT(ct_issuer_verify_access(&issuer, 1700000060u, NULL, NULL, NULL, access, a_len, claims, sizeof claims,
                                   &claims_len),
           CT_STATUS_OK);
    CHECK(strstr((const char *)claims, "\"sub\":\"alice\"") != NULL);
    EXPECT(ct_issuer_verify_refresh(&issuer, 1700000060u, NULL, NULL, NULL, refresh, r_len, claims, sizeof claims,
                                    &claims_len),
           CT_STATUS_OK);
    /* Rotation to a software key keeps the device's public key for the grace window. */
    {
        ct_key next;
        EXPECT(ct_key_es256_private(&next, SCALAR, 32), CT_STATUS_OK);
        EXPECT(ct_key_set_kid(&next, CT_LIT("soft-2")), CT_STATUS_OK);
        EXPECT(ct_issuer_rotate_key(&issuer, 1700000100u, &next, 600), CT_STATUS_OK);
        EXPECT(ct_issuer_verify_access(&issuer, 1700000200u, NULL, NULL, NULL, access, a_len, claims,
                                       sizeof claims, &claims_len),
               CT_STATUS_OK);
        ct_key_wipe(&next);
    }
    /* The device's key gone: the issuer's next token fails, without output. */
    EXPECT(ct_issuer_init_with_signer(&issuer, &s), CT_STATUS_OK);
    psa_destroy_key(dev.id);
    memset(access, 0x61, sizeof access);
    EXPECT(ct_issuer_issue_access(&issuer, 1700000000u, NULL, NULL, CT_LIT("alice"), NULL, U8("{}"), 2, access,
                                  sizeof access, &a_len),
           CT_STATUS_SIGNER_FAILED);
    CHECK(memchr(access, '.', sizeof access) == NULL);
    CHECK(dev.last_status == PSA_ERROR_INVALID_HANDLE);
    ct_issuer_wipe(&issuer);
    ct_signer_wipe(&s);
}

static void test_key_store_failures(void) {
    struct ct_psa_key dev = {0, 0, 0}, other = {0, 0, 0};
    uint8_t pub[65];
    size_t pub_len = 0, len = 77;
    char token[CT_MAX_TOKEN_LEN(sizeof CLAIMS)];
    ct_signer s;
    /* A key without the signing usage: PSA refuses, the library reports it. */
    dev.id = ec_key(NULL, PSA_KEY_USAGE_VERIFY_HASH, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
    CHECK(psa_export_public_key(dev.id, pub, sizeof pub, &pub_len) == PSA_SUCCESS);
    EXPECT(ct_signer_init(&s, CT_ALG_ES256, pub, pub_len, NULL, 0, 0, ct_psa_sign, &dev), CT_STATUS_OK);
    memset(token, 0x61, sizeof token);
    EXPECT(ct_sign_with_signer(&s, U8(CLAIMS), sizeof CLAIMS - 1, token, sizeof token, &len), CT_STATUS_SIGNER_FAILED);
    CHECK(dev.last_status == PSA_ERROR_NOT_PERMITTED);
    CHECK(len == 77 && memchr(token, '.', sizeof token) == NULL);
    /* The signer announces one key, the store signs with another (a wrong slot). */
    other.id = ec_key(NULL, PSA_KEY_USAGE_SIGN_HASH, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
    EXPECT(ct_signer_init(&s, CT_ALG_ES256, pub, pub_len, NULL, 0, 0, ct_psa_sign, &other), CT_STATUS_OK);
    EXPECT(ct_sign_with_signer(&s, U8(CLAIMS), sizeof CLAIMS - 1, token, sizeof token, &len), CT_STATUS_SIGNER_FAILED);
    CHECK(other.last_status == PSA_SUCCESS); /* the store signed; the check caught it */
    ct_signer_wipe(&s);
    psa_destroy_key(dev.id);
    psa_destroy_key(other.id);
}

int main(void) {
    CHECK(psa_crypto_init() == PSA_SUCCESS);
    test_generated_key();
    test_imported_deterministic_key_matches_software();
    test_hmac_key();
    test_issuer();
    test_key_store_failures();
    mbedtls_psa_crypto_free();
    printf("test_psa: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
