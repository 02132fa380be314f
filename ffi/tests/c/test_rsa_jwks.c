/*
 * C tests of the RSA and JWK Set calls: ct_rsa_key (RS256..PS512 public keys), ct_verify_rsa,
 * ct_jwks (a JWK Set borrowing the caller's document) and ct_verify_with_jwks, against the
 * PyJWT-made tokens and JWK Sets of tests/data/jwk (tokens.json, google_like.json,
 * ms_like.json, mixed.json). Usage: test_rsa_jwks [DATA_DIR] (default tests/data). Prints one
 * line per failed check and "N passed, M failed"; the exit status is 0 only if nothing failed.
 */
#include "ciphertoken.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Before the fixtures' `exp` (2100-01-01). */
#define NOW 1700000000u

static const char *data_dir = "tests/data";

static char google[8192], ms[16384], mixed[16384], tokens[8192];
static size_t google_len, ms_len, mixed_len;

/* Reads tests/data/jwk/<name> into buf (NUL-terminated); returns its length, 0 on error. */
static size_t read_fixture(const char *name, char *buf, size_t cap) {
    char path[512];
    FILE *f;
    size_t n;
    snprintf(path, sizeof path, "%s/jwk/%s", data_dir, name);
    f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return 0;
    }
    n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    return n;
}

/* Copies the string value that follows `"name": "` in doc (from `from` on) into out. */
static size_t string_after(const char *doc, const char *name, char *out, size_t cap) {
    char pattern[128];
    const char *p;
    size_t n;
    snprintf(pattern, sizeof pattern, "\"%s\": \"", name);
    p = strstr(doc, pattern);
    if (p == NULL) {
        fprintf(stderr, "no %s in fixture\n", name);
        return 0;
    }
    p += strlen(pattern);
    n = strcspn(p, "\"");
    if (n >= cap) {
        return 0;
    }
    memcpy(out, p, n);
    out[n] = '\0';
    return n;
}

/* The modulus and exponent of the JWK with this kid in doc. */
static int rsa_members(const char *doc, const char *kid, uint8_t *n, size_t *n_len, uint8_t *e,
                       size_t *e_len) {
    char pattern[128], text[1024];
    const char *key;
    snprintf(pattern, sizeof pattern, "\"kid\": \"%s\"", kid);
    key = strstr(doc, pattern);
    if (key == NULL || string_after(key, "n", text, sizeof text) == 0) return 0;
    *n_len = b64url_decode(text, n, 600);
    if (string_after(key, "e", text, sizeof text) == 0) return 0;
    *e_len = b64url_decode(text, e, 16);
    return *n_len > 0 && *e_len > 0;
}

static size_t token(const char *name, char *out, size_t cap) {
    return string_after(tokens, name, out, cap);
}

static uint8_t claims[2048];
static size_t claims_len;

static void test_sizes(void) {
    CHECK(ct_rsa_key_size() == CT_RSA_KEY_SIZE && sizeof(ct_rsa_key) == CT_RSA_KEY_SIZE);
    CHECK(ct_jwks_size() == CT_JWKS_SIZE && sizeof(ct_jwks) == CT_JWKS_SIZE);
    /* A 4096-bit modulus fits the RSA key object. */
    CHECK(CT_RSA_KEY_SIZE >= 512 + 16);
}

static void test_rsa_key(void) {
    ct_rsa_key k, ps;
    ct_validation v;
    uint8_t n[600], e[16];
    size_t n_len = 0, e_len = 0, len;
    char t[1024];

    EXPECT(ct_validation_init(&v), CT_STATUS_OK);
    memset(&k, 0, sizeof k);
    CHECK(rsa_members(google, "a7d4f0c1e2b3", n, &n_len, e, &e_len));
    CHECK(n_len == 256 && e_len == 3);
    len = token("google_rs256", t, sizeof t);
    CHECK(len > 0);

    /* Arguments checked before anything else. */
    EXPECT(ct_rsa_key_public(NULL, CT_ALG_RS256, n, n_len, e, e_len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_rsa_key_public(&k, CT_ALG_RS256, NULL, n_len, e, e_len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_rsa_key_public(&k, CT_ALG_RS256, n, n_len, NULL, e_len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_rsa_key_public(&k, 1, n, n_len, e, e_len), CT_STATUS_UNSUPPORTED_ALGORITHM);
    EXPECT(ct_rsa_key_public(&k, CT_ALG_RS256, n, 128, e, e_len), CT_STATUS_KEY_TOO_SHORT);
    CHECK(all_bytes(&k, sizeof k, 0)); /* untouched on failure */
    EXPECT(ct_verify_rsa(&k, &v, NOW, t, len, claims, sizeof claims, &claims_len),
           CT_STATUS_UNINITIALIZED);

    EXPECT(ct_rsa_key_public(&k, CT_ALG_RS256, n, n_len, e, e_len), CT_STATUS_OK);
    claims_len = 0;
    EXPECT(ct_verify_rsa(&k, &v, NOW, t, len, claims, sizeof claims, &claims_len), CT_STATUS_OK);
    CHECK(claims_len > 0 && strstr((const char *)claims, "\"sub\":\"user-42\"") != NULL);

    /* Too small a claims buffer: the exact need, buffer untouched. */
    memset(claims, 0xAA, sizeof claims);
    claims_len = 0;
    EXPECT(ct_verify_rsa(&k, &v, NOW, t, len, claims, 16, &claims_len), CT_STATUS_BUFFER_TOO_SMALL);
    CHECK(claims_len == CT_VERIFY_CLAIMS_CAP(len));
    CHECK(all_bytes(claims, sizeof claims, 0xAA));
    EXPECT(ct_verify_rsa(&k, &v, NOW, t, len, claims, claims_len - 1, &claims_len),
           CT_STATUS_BUFFER_TOO_SMALL);
    CHECK(all_bytes(claims, sizeof claims, 0xAA));
    EXPECT(ct_verify_rsa(&k, &v, NOW, t, len, claims, claims_len, &claims_len), CT_STATUS_OK);

    /* A tampered signature (one character near the end changed). */
    t[len - 5] = t[len - 5] == 'A' ? 'B' : 'A';
    EXPECT(ct_verify_rsa(&k, &v, NOW, t, len, claims, sizeof claims, &claims_len),
           CT_STATUS_INVALID_SIGNATURE);
    CHECK(all_bytes(claims, CT_VERIFY_CLAIMS_CAP(len), 0)); /* nothing left behind */

    /* The same key bound to PS256 refuses an RS256 token; PS256 with its own token verifies. */
    EXPECT(ct_rsa_key_public(&ps, CT_ALG_PS256, n, n_len, e, e_len), CT_STATUS_OK);
    len = token("google_rs256", t, sizeof t);
    EXPECT(ct_verify_rsa(&ps, &v, NOW, t, len, claims, sizeof claims, &claims_len),
           CT_STATUS_ALGORITHM_MISMATCH);
    CHECK(rsa_members(ms, "nOo3ZDrODXEK1jKWhXslHR_KXEg", n, &n_len, e, &e_len));
    EXPECT(ct_rsa_key_public(&ps, CT_ALG_PS256, n, n_len, e, e_len), CT_STATUS_OK);
    len = token("ms_ps256", t, sizeof t);
    EXPECT(ct_verify_rsa(&ps, &v, NOW, t, len, claims, sizeof claims, &claims_len), CT_STATUS_OK);
    /* A 4096-bit key. */
    CHECK(rsa_members(ms, "l3sQ-50cCH4xBVZLHTGwnSR7680", n, &n_len, e, &e_len));
    CHECK(n_len == 512);
    EXPECT(ct_rsa_key_public(&ps, CT_ALG_RS256, n, n_len, e, e_len), CT_STATUS_OK);
    len = token("ms_rs256_4096", t, sizeof t);
    EXPECT(ct_verify_rsa(&ps, &v, NOW, t, len, claims, sizeof claims, &claims_len), CT_STATUS_OK);
    /* ...which is not the key of another token. */
    len = token("google_rs256", t, sizeof t);
    EXPECT(ct_verify_rsa(&ps, &v, NOW, t, len, claims, sizeof claims, &claims_len),
           CT_STATUS_INVALID_SIGNATURE);

    EXPECT(ct_verify_rsa(NULL, &v, NOW, t, len, claims, sizeof claims, &claims_len),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_verify_rsa(&k, &v, NOW, t, len, claims, sizeof claims, NULL), CT_STATUS_NULL_ARGUMENT);

    ct_rsa_key_wipe(&k);
    ct_rsa_key_wipe(&ps);
    ct_rsa_key_wipe(NULL);
    CHECK(all_bytes(&k, sizeof k, 0));
    EXPECT(ct_verify_rsa(&k, &v, NOW, t, len, claims, sizeof claims, &claims_len),
           CT_STATUS_UNINITIALIZED);
}

static void test_jwks(void) {
    ct_jwks set;
    ct_validation v;
    size_t loaded = 99, skipped = 99, len;
    char t[1024];
    static const char *mixed_tokens[] = {"mixed_ps256_3073", "mixed_es256", "mixed_eddsa",
                                         "mixed_eddsa_escaped_kid"};
    static const char private_doc[] =
        "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":"
        "\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\",\"d\":"
        "\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\"}]}";
    size_t i;

    EXPECT(ct_validation_init(&v), CT_STATUS_OK);
    memset(&set, 0, sizeof set);
    len = token("google_rs256", t, sizeof t);
    EXPECT(ct_verify_with_jwks(&set, &v, NOW, t, len, claims, sizeof claims, &claims_len),
           CT_STATUS_UNINITIALIZED);

    EXPECT(ct_jwks_load(NULL, U8(google), google_len, &loaded, &skipped), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_jwks_load(&set, NULL, google_len, &loaded, &skipped), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_jwks_load(&set, U8(google), google_len, NULL, &skipped), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_jwks_load(&set, U8(google), google_len, &loaded, NULL), CT_STATUS_NULL_ARGUMENT);
    CHECK(loaded == 99 && skipped == 99);

    /* Google-like set: both RS256 keys, selected by kid. */
    EXPECT(ct_jwks_load(&set, U8(google), google_len, &loaded, &skipped), CT_STATUS_OK);
    CHECK(loaded == 2 && skipped == 0);
    EXPECT(ct_verify_with_jwks(&set, &v, NOW, t, len, claims, sizeof claims, &claims_len), CT_STATUS_OK);
    CHECK(strstr((const char *)claims, "\"iss\":\"https://idp.example\"") != NULL);
    len = token("google_rs256_3072", t, sizeof t);
    EXPECT(ct_verify_with_jwks(&set, &v, NOW, t, len, claims, sizeof claims, &claims_len), CT_STATUS_OK);
    /* A kid that is not in the set. */
    len = token("ms_ps256", t, sizeof t);
    EXPECT(ct_verify_with_jwks(&set, &v, NOW, t, len, claims, sizeof claims, &claims_len),
           CT_STATUS_UNKNOWN_KEY);
    /* Tampered. */
    len = token("google_rs256", t, sizeof t);
    t[len - 5] = t[len - 5] == 'A' ? 'B' : 'A';
    EXPECT(ct_verify_with_jwks(&set, &v, NOW, t, len, claims, sizeof claims, &claims_len),
           CT_STATUS_INVALID_SIGNATURE);
    /* Buffer too small: the exact need, untouched. */
    len = token("google_rs256", t, sizeof t);
    memset(claims, 0xAA, sizeof claims);
    claims_len = 0;
    EXPECT(ct_verify_with_jwks(&set, &v, NOW, t, len, claims, 32, &claims_len),
           CT_STATUS_BUFFER_TOO_SMALL);
    CHECK(claims_len == CT_VERIFY_CLAIMS_CAP(len));
    CHECK(all_bytes(claims, sizeof claims, 0xAA));
    EXPECT(ct_verify_with_jwks(&set, &v, NOW, t, len, claims, claims_len - 1, &claims_len),
           CT_STATUS_BUFFER_TOO_SMALL);
    EXPECT(ct_verify_with_jwks(&set, &v, NOW, t, len, claims, claims_len, &claims_len), CT_STATUS_OK);
    /* NULL arguments; claims_out inside the borrowed document. */
    EXPECT(ct_verify_with_jwks(NULL, &v, NOW, t, len, claims, sizeof claims, &claims_len),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_verify_with_jwks(&set, NULL, NOW, t, len, claims, sizeof claims, &claims_len),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_verify_with_jwks(&set, &v, NOW, NULL, len, claims, sizeof claims, &claims_len),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_verify_with_jwks(&set, &v, NOW, t, len, (uint8_t *)google, 1024, &claims_len),
           CT_STATUS_INVALID_ARGUMENT);

    /* Microsoft-like set: PS256 and a 4096-bit RS256 key (no alg member). */
    EXPECT(ct_jwks_load(&set, U8(ms), ms_len, &loaded, &skipped), CT_STATUS_OK);
    CHECK(loaded == 2 && skipped == 0);
    len = token("ms_ps256", t, sizeof t);
    EXPECT(ct_verify_with_jwks(&set, &v, NOW, t, len, claims, sizeof claims, &claims_len), CT_STATUS_OK);
    len = token("ms_rs256_4096", t, sizeof t);
    EXPECT(ct_verify_with_jwks(&set, &v, NOW, t, len, claims, sizeof claims, &claims_len), CT_STATUS_OK);
    len = token("google_rs256", t, sizeof t);
    EXPECT(ct_verify_with_jwks(&set, &v, NOW, t, len, claims, sizeof claims, &claims_len),
           CT_STATUS_UNKNOWN_KEY);

    /* Mixed set: RSA-PSS (3073 bits), P-256, Ed25519 (escaped kid) kept; 8 keys skipped. */
    EXPECT(ct_jwks_load(&set, U8(mixed), mixed_len, &loaded, &skipped), CT_STATUS_OK);
    CHECK(loaded == 3 && skipped == 8);
    for (i = 0; i < sizeof mixed_tokens / sizeof mixed_tokens[0]; i++) {
        len = token(mixed_tokens[i], t, sizeof t);
        EXPECT(ct_verify_with_jwks(&set, &v, NOW, t, len, claims, sizeof claims, &claims_len),
               CT_STATUS_OK);
    }

    /* Documents refused: the object is wiped, not left on the earlier document. */
    EXPECT(ct_jwks_load(&set, U8("{\"keys\":[}"), 10, &loaded, &skipped), CT_STATUS_INVALID_JSON);
    CHECK(all_bytes(&set, sizeof set, 0));
    EXPECT(ct_verify_with_jwks(&set, &v, NOW, t, len, claims, sizeof claims, &claims_len),
           CT_STATUS_UNINITIALIZED);
    EXPECT(ct_jwks_load(&set, U8(private_doc), strlen(private_doc), &loaded, &skipped),
           CT_STATUS_INVALID_KEY);

    EXPECT(ct_jwks_load(&set, U8(google), google_len, &loaded, &skipped), CT_STATUS_OK);
    ct_jwks_wipe(&set);
    ct_jwks_wipe(NULL);
    CHECK(all_bytes(&set, sizeof set, 0));
}

int main(int argc, char **argv) {
    if (argc > 1) {
        data_dir = argv[1];
    }
    google_len = read_fixture("google_like.json", google, sizeof google);
    ms_len = read_fixture("ms_like.json", ms, sizeof ms);
    mixed_len = read_fixture("mixed.json", mixed, sizeof mixed);
    if (google_len == 0 || ms_len == 0 || mixed_len == 0 ||
        read_fixture("tokens.json", tokens, sizeof tokens) == 0) {
        return EXIT_FAILURE;
    }
    test_sizes();
    test_rsa_key();
    test_jwks();
    printf("test_rsa_jwks: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
