/*
 * ctgrind through the C ABI: libciphertoken.a under valgrind memcheck with every secret a C
 * caller hands over (HMAC secret, P-256 scalar, Ed25519 seed) marked undefined
 * (VALGRIND_MAKE_MEM_UNDEFINED). Any branch or address computed from a secret is reported;
 * `cargo xtask ct` runs this with --error-exitcode. The library declassifies only what is
 * public by design (see src/ct.rs); this program declassifies nothing: it checks that the
 * token, the public key and the verified claims come out fully defined
 * (VALGRIND_CHECK_MEM_IS_DEFINED reports any undefined byte).
 */
#include <valgrind/memcheck.h>

#include "ciphertoken.h"

#include <stdio.h>
#include <string.h>

static const char CLAIMS[] = "{\"sub\":\"device-7\",\"exp\":1900000000}";
static int failures;

#define EXPECT_OK(call)                                                                  \
    do {                                                                                 \
        ct_status s_ = (call);                                                           \
        if (s_ != CT_STATUS_OK) {                                                        \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, ct_status_str(s_)); \
            failures++;                                                                  \
            return;                                                                      \
        }                                                                                \
    } while (0)

typedef ct_status (*make_fn)(ct_key *, const uint8_t *, size_t);

static void check_case(const char *name, make_fn make, size_t len, int symmetric) {
    uint8_t secret[64];
    ct_key key;
    ct_validation v;
    char token[1024];
    uint8_t claims[256], pub[65];
    size_t token_len = 0, claims_len = 0, pub_len = 0, i;
    unsigned before = VALGRIND_COUNT_ERRORS;

    for (i = 0; i < len; i++) {
        secret[i] = (uint8_t)(i * 37 + 11) | 1;
    }
    VALGRIND_MAKE_MEM_UNDEFINED(secret, len);
    EXPECT_OK(make(&key, secret, len));
    EXPECT_OK(ct_sign(&key, (const uint8_t *)CLAIMS, strlen(CLAIMS), token, sizeof token, &token_len));
    (void)VALGRIND_CHECK_MEM_IS_DEFINED(token, token_len);
    EXPECT_OK(ct_validation_init(&v));
    EXPECT_OK(ct_verify(&key, &v, 1800000000u, token, token_len, claims, sizeof claims, &claims_len));
    (void)VALGRIND_CHECK_MEM_IS_DEFINED(claims, claims_len);
    /* A forged signature is refused, in constant time up to the answer. */
    token[token_len - 2] = token[token_len - 2] == 'A' ? 'B' : 'A';
    if (ct_verify(&key, &v, 1800000000u, token, token_len, claims, sizeof claims, &claims_len) !=
        CT_STATUS_INVALID_SIGNATURE) {
        fprintf(stderr, "%s: a forged token verified\n", name);
        failures++;
    }
    if (!symmetric) {
        EXPECT_OK(ct_key_public_key(&key, pub, sizeof pub, &pub_len));
        (void)VALGRIND_CHECK_MEM_IS_DEFINED(pub, pub_len);
    }
    ct_key_wipe(&key);
    printf("  %-7s C %s\n", VALGRIND_COUNT_ERRORS == before ? "ok" : "REPORTS", name);
}

int main(void) {
    printf("ctgrind C ABI%s\n", RUNNING_ON_VALGRIND ? "" : " (not under valgrind: results only)");
    check_case("HS256 ct_key_hs256 + ct_sign + ct_verify", ct_key_hs256, 32, 1);
    check_case("HS384 ct_key_hs384 + ct_sign + ct_verify", ct_key_hs384, 48, 1);
    check_case("HS512 ct_key_hs512 + ct_sign + ct_verify", ct_key_hs512, 64, 1);
    check_case("ES256 ct_key_es256_private + ct_sign + ct_key_public_key", ct_key_es256_private, 32, 0);
    check_case("Ed25519 ct_key_ed25519_private + ct_sign + ct_key_public_key", ct_key_ed25519_private, 32, 0);
    if (failures > 0 || VALGRIND_COUNT_ERRORS > 0) {
        printf("ctgrind C ABI: %d failure(s), %u memcheck report(s)\n", failures, VALGRIND_COUNT_ERRORS);
        return 1;
    }
    printf("ctgrind C ABI: every case constant-time\n");
    return 0;
}
