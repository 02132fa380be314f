/*
 * C tests of the token life cycle through the C ABI: ct_revocation_list, ct_key_set and
 * ct_verify_with_key_set, ct_issuer (pairs, verification, rotation with reuse detection,
 * logout, versions, key rotation), the random and version callbacks, ct_secret_generate.
 *
 * Plain C99 that also compiles as C++ (the Makefile builds it both ways, under ASan+UBSan
 * and under valgrind). Prints one line per failed check and "N passed, M failed" at the
 * end; the exit status is 0 only if nothing failed.
 */
#include "ciphertoken.h"
#include "check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A time after every token of the tests was issued (2027-01-15). */
#define T0 1800000000u

/* A status the version callback returns when its "database" is down. */
#define VERSIONS_DOWN 4242u

/* ---------------------------------------------------------------------------------------
 * Callbacks
 * ------------------------------------------------------------------------------------- */

/* A deterministic random source (splitmix64) for reproducible tests. NEVER for real keys:
 * use a hardware TRNG or getrandom(). */
typedef struct {
    uint64_t state;
    unsigned calls;
    int fail; /* non-zero: every call fails */
} test_rng;

static ct_status rng_fill(void *ctx, uint8_t *out, size_t len) {
    test_rng *r = (test_rng *)ctx;
    size_t i;
    r->calls++;
    if (r->fail) {
        return CT_STATUS_INVALID_ARGUMENT; /* any status but CT_STATUS_OK is a failure */
    }
    for (i = 0; i < len; i++) {
        uint64_t z;
        r->state += 0x9e3779b97f4a7c15ull;
        z = r->state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        out[i] = (uint8_t)(z ^ (z >> 31));
    }
    return CT_STATUS_OK;
}

/* Token versions: `sub` is tracked at `current`, other subjects are not tracked. */
typedef struct {
    const char *sub;
    uint64_t current;
    int mode; /* 0: answer; 1: fail with VERSIONS_DOWN; 2: return OK without setting anything */
    unsigned calls;
} test_versions;

static ct_status versions_fn(void *ctx, const char *sub, size_t sub_len, uint64_t *current, bool *tracked) {
    test_versions *v = (test_versions *)ctx;
    v->calls++;
    if (sub[sub_len] != '\0') {
        return 999; /* the library promises a NUL-terminated copy */
    }
    if (v->mode == 1) {
        return VERSIONS_DOWN;
    }
    if (v->mode == 2) {
        return CT_STATUS_OK;
    }
    if (strlen(v->sub) == sub_len && memcmp(v->sub, sub, sub_len) == 0) {
        *current = v->current;
        *tracked = true;
    } else {
        *tracked = false;
    }
    return CT_STATUS_OK;
}

/* ---------------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------------- */

/* An HS256 key of 32 bytes `byte`, with `kid` unless NULL. */
static void hs_key(ct_key *k, uint8_t byte, const char *kid) {
    uint8_t secret[32];
    memset(secret, byte, sizeof secret);
    EXPECT(ct_key_hs256(k, secret, sizeof secret), CT_STATUS_OK);
    if (kid != NULL) {
        EXPECT(ct_key_set_kid(k, kid, strlen(kid)), CT_STATUS_OK);
    }
}

/* An ES256 private key (scalar: 32 bytes `byte`) and its public key, with `kid` unless NULL. */
static void es256_keys(ct_key *priv, ct_key *pub, uint8_t byte, const char *kid) {
    uint8_t scalar[32], sec1[65];
    size_t n = 0;
    memset(scalar, byte, sizeof scalar);
    EXPECT(ct_key_es256_private(priv, scalar, sizeof scalar), CT_STATUS_OK);
    EXPECT(ct_key_public_key(priv, sec1, sizeof sec1, &n), CT_STATUS_OK);
    EXPECT(ct_key_es256_public(pub, sec1, n), CT_STATUS_OK);
    if (kid != NULL) {
        EXPECT(ct_key_set_kid(priv, kid, strlen(kid)), CT_STATUS_OK);
        EXPECT(ct_key_set_kid(pub, kid, strlen(kid)), CT_STATUS_OK);
    }
}

/* An issuer signing with `k`, with iss "auth" and aud "api". */
static void make_issuer(ct_issuer *is, const ct_key *k) {
    memset(is, 0, sizeof *is);
    EXPECT(ct_issuer_init(is, k), CT_STATUS_OK);
    EXPECT(ct_issuer_set_issuer(is, CT_LIT("auth")), CT_STATUS_OK);
    EXPECT(ct_issuer_set_audience(is, CT_LIT("api")), CT_STATUS_OK);
}

static void make_list(ct_revocation_list *l) {
    memset(l, 0, sizeof *l);
    EXPECT(ct_revocation_list_init(l), CT_STATUS_OK);
}

typedef struct {
    char access[1024];
    size_t access_len;
    char refresh[1024];
    size_t refresh_len;
} pair_t;

static const char *APP_CLAIMS = "{\"role\":\"ops\",\"n\":[1, 2.50, {\"x\":null}],\"s\":\"a\\u00e9\"}";

static ct_status issue_pair(const ct_issuer *is, uint64_t now, test_rng *rng, const char *sub, const uint64_t *ver,
                            pair_t *p) {
    return ct_issuer_issue_pair(is, now, rng_fill, rng, sub, sub == NULL ? 0 : strlen(sub), ver, U8(APP_CLAIMS),
                                strlen(APP_CLAIMS), p->access, sizeof p->access, &p->access_len, p->refresh,
                                sizeof p->refresh, &p->refresh_len);
}

/* The claims of the last successful verification. */
static uint8_t claims[2048];
static size_t claims_len;

static ct_status verify_access(const ct_issuer *is, uint64_t now, const ct_revocation_list *l, test_versions *v,
                               const char *token) {
    return ct_issuer_verify_access(is, now, l, v != NULL ? versions_fn : NULL, v, token, strlen(token), claims,
                                   sizeof claims, &claims_len);
}

static ct_status verify_refresh(const ct_issuer *is, uint64_t now, const ct_revocation_list *l,
                                test_versions *v, const char *token) {
    return ct_issuer_verify_refresh(is, now, l, v != NULL ? versions_fn : NULL, v, token, strlen(token), claims,
                                    sizeof claims, &claims_len);
}

static ct_status rotate(const ct_issuer *is, uint64_t now, ct_revocation_list *l, test_versions *v, test_rng *rng,
                        const char *refresh, pair_t *out) {
    uint8_t scratch[1024];
    ct_status s = ct_issuer_rotate(is, now, l, v != NULL ? versions_fn : NULL, v, rng_fill, rng, refresh,
                                   strlen(refresh), scratch, sizeof scratch, out->access, sizeof out->access,
                                   &out->access_len, out->refresh, sizeof out->refresh, &out->refresh_len);
    CHECK(all_bytes(scratch, sizeof scratch, 0)); /* the decoding buffer is always erased */
    return s;
}

/* Whether the string claim `name` of the last verified claims equals `want`. */
static int claim_is(const char *name, const char *want) {
    char text[256];
    size_t len = 0;
    return ct_claims_get_str(claims, claims_len, name, strlen(name), text, sizeof text, &len) == CT_STATUS_OK &&
           strcmp(text, want) == 0;
}

static uint64_t claim_u64(const char *name) {
    uint64_t u = 0;
    EXPECT(ct_claims_get_u64(claims, claims_len, name, strlen(name), &u), CT_STATUS_OK);
    return u;
}

/* Copies the string claim `name` of the last verified claims to out (NUL-terminated). */
static void claim_copy(const char *name, char *out, size_t cap) {
    size_t len = 0;
    EXPECT(ct_claims_get_str(claims, claims_len, name, strlen(name), out, cap, &len), CT_STATUS_OK);
}

/* ---------------------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------------------- */

struct align_probe_u64 {
    char c;
    uint64_t u;
};
struct align_probe_list {
    char c;
    ct_revocation_list l;
};
struct align_probe_set {
    char c;
    ct_key_set s;
};
struct align_probe_issuer {
    char c;
    ct_issuer i;
};

static void test_sizes(void) {
    CHECK(ct_revocation_list_size() == CT_REVOCATION_LIST_SIZE);
    CHECK(sizeof(ct_revocation_list) == CT_REVOCATION_LIST_SIZE);
    CHECK(ct_key_set_size() == CT_KEY_SET_SIZE);
    CHECK(sizeof(ct_key_set) == CT_KEY_SET_SIZE);
    CHECK(ct_issuer_size() == CT_ISSUER_SIZE);
    CHECK(sizeof(ct_issuer) == CT_ISSUER_SIZE);
    CHECK(offsetof(struct align_probe_list, l) == offsetof(struct align_probe_u64, u));
    CHECK(offsetof(struct align_probe_set, s) == offsetof(struct align_probe_u64, u));
    CHECK(offsetof(struct align_probe_issuer, i) == offsetof(struct align_probe_u64, u));
    CHECK(CT_REVOCATION_LIST_CAPACITY == 64 && CT_KEY_SET_CAPACITY == 4 && CT_ISSUER_MAX_KEYS == 4);
    CHECK(CT_ISSUER_DEFAULT_ACCESS_TTL == 10 * 60 && CT_ISSUER_DEFAULT_REFRESH_TTL == 7 * 24 * 3600);
    CHECK(CT_RANDOM_ID_LEN == 22 && CT_MAX_SUBJECT_LEN == 256 && CT_REVOCATION_MAX_ID_LEN == 64);
}

static void test_null_arguments(void) {
    ct_key k, pub;
    ct_key_set set;
    ct_revocation_list list;
    ct_issuer is;
    ct_validation v;
    test_rng rng = {1, 0, 0};
    test_versions vers = {"alice", 1, 0, 0};
    pair_t p;
    uint8_t buf[1024], scratch[1024];
    char text[1024];
    size_t len = 0, n = 0, tl;
    bool b = false;
    uint64_t ver = 1;
    const char *tok;
    memset(&set, 0, sizeof set);
    make_list(&list);
    hs_key(&k, 1, "k1");
    hs_key(&pub, 2, "k2");
    make_issuer(&is, &k);
    memset(&v, 0, sizeof v);
    EXPECT(ct_validation_init(&v), CT_STATUS_OK);
    EXPECT(ct_validation_set_audience(&v, CT_LIT("api")), CT_STATUS_OK);
    EXPECT(ct_key_set_init(&set), CT_STATUS_OK);
    EXPECT(ct_key_set_insert(&set, &k), CT_STATUS_OK);
    EXPECT(issue_pair(&is, T0, &rng, "alice", &ver, &p), CT_STATUS_OK);
    tok = p.access;
    tl = strlen(tok);

    /* Revocation list. */
    EXPECT(ct_revocation_list_init(NULL), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_revocation_list_revoke(NULL, CT_REVOKED_TOKEN, "j", 1, T0, T0), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_revocation_list_revoke(&list, CT_REVOKED_TOKEN, NULL, 1, T0, T0), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_revocation_list_revoke(&list, CT_REVOKED_TOKEN, NULL, 0, T0, T0), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_revocation_list_is_revoked(NULL, CT_REVOKED_TOKEN, "j", 1, T0, &b), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_TOKEN, NULL, 1, T0, &b), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_TOKEN, "j", 1, T0, NULL), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_revocation_list_reclaim(NULL, T0, &n), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_revocation_list_reclaim(&list, T0, NULL), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_revocation_list_len(NULL, &n), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_revocation_list_len(&list, NULL), CT_STATUS_NULL_ARGUMENT);

    /* Key set. */
    EXPECT(ct_key_set_init(NULL), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_set_insert(NULL, &k), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_set_insert(&set, NULL), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_set_retire(NULL, "k1", 2, T0), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_set_retire(&set, NULL, 2, T0), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_set_remove(NULL, "k1", 2), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_set_remove(&set, NULL, 2), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_set_prune(NULL, T0, &n), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_set_prune(&set, T0, NULL), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_set_len(NULL, &n), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_key_set_len(&set, NULL), CT_STATUS_NULL_ARGUMENT);
    ct_key_set_wipe(NULL); /* no crash */
    EXPECT(ct_verify_with_key_set(NULL, &v, T0, tok, tl, buf, sizeof buf, &len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_verify_with_key_set(&set, NULL, T0, tok, tl, buf, sizeof buf, &len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_verify_with_key_set(&set, &v, T0, NULL, tl, buf, sizeof buf, &len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_verify_with_key_set(&set, &v, T0, tok, tl, NULL, sizeof buf, &len), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_verify_with_key_set(&set, &v, T0, tok, tl, buf, sizeof buf, NULL), CT_STATUS_NULL_ARGUMENT);

    /* Secrets. */
    EXPECT(ct_secret_generate(NULL, &rng, buf, 32), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_secret_generate(rng_fill, &rng, NULL, 32), CT_STATUS_NULL_ARGUMENT);

    /* Issuer: object and settings. */
    EXPECT(ct_issuer_init(NULL, &k), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_init(&is, NULL), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_set_access_ttl(NULL, 60), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_set_refresh_ttl(NULL, 60), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_set_leeway(NULL, 5), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_set_issuer(NULL, "a", 1), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_set_issuer(&is, NULL, 1), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_set_audience(NULL, "a", 1), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_set_audience(&is, NULL, 1), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_rotate_key(NULL, T0, &pub, 60), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_rotate_key(&is, T0, NULL, 60), CT_STATUS_NULL_ARGUMENT);
    ct_issuer_wipe(NULL); /* no crash */

    /* Issuing: sub, ver and random (issue_access) may be NULL; nothing else. */
    EXPECT(ct_issuer_issue_access(NULL, T0, NULL, NULL, NULL, 0, NULL, U8("{}"), 2, text, sizeof text, &len),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_issue_access(&is, T0, NULL, NULL, NULL, 0, NULL, NULL, 2, text, sizeof text, &len),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_issue_access(&is, T0, NULL, NULL, NULL, 0, NULL, U8("{}"), 2, NULL, sizeof text, &len),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_issue_access(&is, T0, NULL, NULL, NULL, 0, NULL, U8("{}"), 2, text, sizeof text, NULL),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_issue_access(&is, T0, NULL, NULL, NULL, 0, NULL, U8("{}"), 2, text, sizeof text, &len),
           CT_STATUS_OK);
#define PAIR_ARGS(is_, rnd, claims_, ao, al, ro, rl)                                                          \
    (is_), T0, (rnd), &rng, "alice", 5, &ver, (claims_), 2, (ao), sizeof p.access, (al), (ro), sizeof p.refresh, \
        (rl)
    EXPECT(ct_issuer_issue_pair(PAIR_ARGS(NULL, rng_fill, U8("{}"), p.access, &p.access_len, p.refresh,
                                          &p.refresh_len)),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_issue_pair(PAIR_ARGS(&is, NULL, U8("{}"), p.access, &p.access_len, p.refresh,
                                          &p.refresh_len)),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_issue_pair(PAIR_ARGS(&is, rng_fill, NULL, p.access, &p.access_len, p.refresh,
                                          &p.refresh_len)),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_issue_pair(PAIR_ARGS(&is, rng_fill, U8("{}"), NULL, &p.access_len, p.refresh,
                                          &p.refresh_len)),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_issue_pair(PAIR_ARGS(&is, rng_fill, U8("{}"), p.access, NULL, p.refresh, &p.refresh_len)),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_issue_pair(PAIR_ARGS(&is, rng_fill, U8("{}"), p.access, &p.access_len, NULL,
                                          &p.refresh_len)),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_issue_pair(PAIR_ARGS(&is, rng_fill, U8("{}"), p.access, &p.access_len, p.refresh, NULL)),
           CT_STATUS_NULL_ARGUMENT);
#undef PAIR_ARGS

    /* Verifying: the list and the version callback may be NULL. */
    EXPECT(ct_issuer_verify_access(NULL, T0, NULL, NULL, NULL, tok, tl, buf, sizeof buf, &len),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_verify_access(&is, T0, NULL, NULL, NULL, NULL, tl, buf, sizeof buf, &len),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_verify_access(&is, T0, NULL, NULL, NULL, tok, tl, NULL, sizeof buf, &len),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_verify_access(&is, T0, NULL, NULL, NULL, tok, tl, buf, sizeof buf, NULL),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_verify_access(&is, T0, NULL, NULL, NULL, tok, tl, buf, sizeof buf, &len), CT_STATUS_OK);
    EXPECT(ct_issuer_verify_access(&is, T0, &list, versions_fn, &vers, tok, tl, buf, sizeof buf, &len),
           CT_STATUS_OK);
    EXPECT(ct_issuer_verify_refresh(NULL, T0, NULL, NULL, NULL, p.refresh, p.refresh_len, buf, sizeof buf, &len),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_verify_refresh(&is, T0, NULL, NULL, NULL, NULL, p.refresh_len, buf, sizeof buf, &len),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_verify_refresh(&is, T0, NULL, NULL, NULL, p.refresh, p.refresh_len, NULL, sizeof buf, &len),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_verify_refresh(&is, T0, NULL, NULL, NULL, p.refresh, p.refresh_len, buf, sizeof buf, NULL),
           CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_verify_refresh(&is, T0, NULL, NULL, NULL, p.refresh, p.refresh_len, buf, sizeof buf, &len),
           CT_STATUS_OK);

    /* Rotation: everything but the version callback. */
    {
        pair_t o;
        const char *r = p.refresh;
        size_t rl = p.refresh_len;
#define ROT(is_, l, rnd, tok_, scr, ao, al, ro, rl_)                                                            \
    ct_issuer_rotate((is_), T0, (l), NULL, NULL, (rnd), &rng, (tok_), rl, (scr), sizeof scratch, (ao),           \
                     sizeof o.access, (al), (ro), sizeof o.refresh, (rl_))
        EXPECT(ROT(NULL, &list, rng_fill, r, scratch, o.access, &o.access_len, o.refresh, &o.refresh_len),
               CT_STATUS_NULL_ARGUMENT);
        EXPECT(ROT(&is, NULL, rng_fill, r, scratch, o.access, &o.access_len, o.refresh, &o.refresh_len),
               CT_STATUS_NULL_ARGUMENT);
        EXPECT(ROT(&is, &list, NULL, r, scratch, o.access, &o.access_len, o.refresh, &o.refresh_len),
               CT_STATUS_NULL_ARGUMENT);
        EXPECT(ROT(&is, &list, rng_fill, NULL, scratch, o.access, &o.access_len, o.refresh, &o.refresh_len),
               CT_STATUS_NULL_ARGUMENT);
        EXPECT(ROT(&is, &list, rng_fill, r, NULL, o.access, &o.access_len, o.refresh, &o.refresh_len),
               CT_STATUS_NULL_ARGUMENT);
        EXPECT(ROT(&is, &list, rng_fill, r, scratch, NULL, &o.access_len, o.refresh, &o.refresh_len),
               CT_STATUS_NULL_ARGUMENT);
        EXPECT(ROT(&is, &list, rng_fill, r, scratch, o.access, NULL, o.refresh, &o.refresh_len),
               CT_STATUS_NULL_ARGUMENT);
        EXPECT(ROT(&is, &list, rng_fill, r, scratch, o.access, &o.access_len, NULL, &o.refresh_len),
               CT_STATUS_NULL_ARGUMENT);
        EXPECT(ROT(&is, &list, rng_fill, r, scratch, o.access, &o.access_len, o.refresh, NULL),
               CT_STATUS_NULL_ARGUMENT);
#undef ROT
        /* None of the refused calls used the token up. */
        EXPECT(ct_revocation_list_len(&list, &n), CT_STATUS_OK);
        CHECK(n == 0);
    }

    /* Logout. */
    EXPECT(ct_issuer_revoke(NULL, T0, &list, tok, tl, scratch, sizeof scratch), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_revoke(&is, T0, NULL, tok, tl, scratch, sizeof scratch), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_revoke(&is, T0, &list, NULL, tl, scratch, sizeof scratch), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_revoke(&is, T0, &list, tok, tl, NULL, sizeof scratch), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_revoke_family(NULL, T0, &list, "f", 1), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_revoke_family(&is, T0, NULL, "f", 1), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_issuer_revoke_family(&is, T0, &list, NULL, 1), CT_STATUS_NULL_ARGUMENT);
    EXPECT(ct_revocation_list_len(&list, &n), CT_STATUS_OK);
    CHECK(n == 0 && b == false);

    ct_issuer_wipe(&is);
    ct_key_set_wipe(&set);
    ct_key_wipe(&k);
    ct_key_wipe(&pub);
}

static void test_uninitialized_and_wipe(void) {
    ct_revocation_list list;
    ct_key_set set;
    ct_issuer is;
    ct_key k, blank;
    test_rng rng = {2, 0, 0};
    size_t n = 0;
    bool b = false;
    char text[512];
    uint8_t buf[512];
    hs_key(&k, 3, "k3");
    memset(&blank, 0, sizeof blank);

    /* Zeroed and garbage storage: CT_STATUS_UNINITIALIZED, never a crash. */
    memset(&list, 0, sizeof list);
    EXPECT(ct_revocation_list_len(&list, &n), CT_STATUS_UNINITIALIZED);
    EXPECT(ct_revocation_list_revoke(&list, CT_REVOKED_TOKEN, "j", 1, T0, T0), CT_STATUS_UNINITIALIZED);
    memset(&list, 0xA5, sizeof list);
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_TOKEN, "j", 1, T0, &b), CT_STATUS_UNINITIALIZED);
    EXPECT(ct_revocation_list_reclaim(&list, T0, &n), CT_STATUS_UNINITIALIZED);

    memset(&set, 0xA5, sizeof set);
    EXPECT(ct_key_set_insert(&set, &k), CT_STATUS_UNINITIALIZED);
    EXPECT(ct_key_set_len(&set, &n), CT_STATUS_UNINITIALIZED);
    EXPECT(ct_key_set_init(&set), CT_STATUS_OK);
    EXPECT(ct_key_set_insert(&set, &blank), CT_STATUS_UNINITIALIZED); /* an uninitialized key */
    EXPECT(ct_key_set_insert(&set, &k), CT_STATUS_OK);
    ct_key_set_wipe(&set);
    CHECK(all_bytes(&set, sizeof set, 0)); /* every byte, the HMAC secret included */
    EXPECT(ct_key_set_retire(&set, CT_LIT("k3"), T0), CT_STATUS_UNINITIALIZED);
    EXPECT(ct_key_set_remove(&set, CT_LIT("k3")), CT_STATUS_UNINITIALIZED);
    EXPECT(ct_key_set_prune(&set, T0, &n), CT_STATUS_UNINITIALIZED);
    ct_key_set_wipe(&set); /* twice is harmless */

    memset(&is, 0, sizeof is);
    EXPECT(ct_issuer_init(&is, &blank), CT_STATUS_UNINITIALIZED);
    CHECK(all_bytes(&is, sizeof is, 0)); /* untouched on failure */
    EXPECT(ct_issuer_set_access_ttl(&is, 60), CT_STATUS_UNINITIALIZED);
    EXPECT(ct_issuer_set_issuer(&is, CT_LIT("auth")), CT_STATUS_UNINITIALIZED);
    EXPECT(ct_issuer_issue_access(&is, T0, NULL, NULL, NULL, 0, NULL, U8("{}"), 2, text, sizeof text, &n),
           CT_STATUS_UNINITIALIZED);
    EXPECT(ct_issuer_init(&is, &k), CT_STATUS_OK);
    EXPECT(ct_issuer_issue_access(&is, T0, rng_fill, &rng, NULL, 0, NULL, U8("{}"), 2, text, sizeof text, &n),
           CT_STATUS_OK);
    ct_issuer_wipe(&is);
    CHECK(all_bytes(&is, sizeof is, 0));
    EXPECT(ct_issuer_verify_access(&is, T0, NULL, NULL, NULL, text, n, buf, sizeof buf, &n),
           CT_STATUS_UNINITIALIZED);
    EXPECT(ct_issuer_rotate_key(&is, T0, &k, 60), CT_STATUS_UNINITIALIZED);
    ct_key_wipe(&k);
}

static void test_secret_generate(void) {
    test_rng rng = {3, 0, 0};
    uint8_t a[64], b[64];
    ct_key k;
    memset(a, 0x5A, sizeof a);
    /* At least 32 bytes: the callback is not even asked for fewer. */
    EXPECT(ct_secret_generate(rng_fill, &rng, a, 31), CT_STATUS_KEY_TOO_SHORT);
    EXPECT(ct_secret_generate(rng_fill, &rng, a, 0), CT_STATUS_KEY_TOO_SHORT);
    CHECK(rng.calls == 0 && all_bytes(a, sizeof a, 0x5A));
    EXPECT(ct_secret_generate(rng_fill, &rng, a, 32), CT_STATUS_OK);
    CHECK(rng.calls == 1 && !all_bytes(a, 32, 0x5A) && all_bytes(a + 32, 32, 0x5A));
    EXPECT(ct_secret_generate(rng_fill, &rng, b, 64), CT_STATUS_OK);
    CHECK(memcmp(a, b, 32) != 0);
    EXPECT(ct_key_hs256(&k, a, 32), CT_STATUS_OK);
    EXPECT(ct_key_hs512(&k, b, 64), CT_STATUS_OK);
    /* A failing source: CT_STATUS_RANDOM_UNAVAILABLE and zeros, never a partial secret. */
    rng.fail = 1;
    memset(a, 0x5A, sizeof a);
    EXPECT(ct_secret_generate(rng_fill, &rng, a, 48), CT_STATUS_RANDOM_UNAVAILABLE);
    CHECK(all_bytes(a, 48, 0) && all_bytes(a + 48, 16, 0x5A));
    ct_key_wipe(&k);
}

static void test_revocation_list(void) {
    ct_revocation_list list;
    char id[80];
    size_t n = 0;
    bool b = false;
    int i, all_live = 1;
    make_list(&list);

    EXPECT(ct_revocation_list_revoke(&list, CT_REVOKED_TOKEN, CT_LIT("jti-1"), T0 + 100, T0), CT_STATUS_OK);
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_TOKEN, CT_LIT("jti-1"), T0, &b), CT_STATUS_OK);
    CHECK(b == true);
    /* Exact ids only (no prefix match), and per kind. */
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_TOKEN, CT_LIT("jti-"), T0, &b), CT_STATUS_OK);
    CHECK(b == false);
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_FAMILY, CT_LIT("jti-1"), T0, &b), CT_STATUS_OK);
    CHECK(b == false);
    /* Revoked until its expiry, inclusive. */
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_TOKEN, CT_LIT("jti-1"), T0 + 100, &b), CT_STATUS_OK);
    CHECK(b == true);
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_TOKEN, CT_LIT("jti-1"), T0 + 101, &b), CT_STATUS_OK);
    CHECK(b == false);
    /* Revoking again extends, never shortens. */
    EXPECT(ct_revocation_list_revoke(&list, CT_REVOKED_TOKEN, CT_LIT("jti-1"), T0 + 200, T0), CT_STATUS_OK);
    EXPECT(ct_revocation_list_revoke(&list, CT_REVOKED_TOKEN, CT_LIT("jti-1"), T0 + 50, T0), CT_STATUS_OK);
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_TOKEN, CT_LIT("jti-1"), T0 + 150, &b), CT_STATUS_OK);
    CHECK(b == true);
    EXPECT(ct_revocation_list_len(&list, &n), CT_STATUS_OK);
    CHECK(n == 1);

    /* Bad arguments change nothing. */
    memset(id, 'x', sizeof id);
    EXPECT(ct_revocation_list_revoke(&list, CT_REVOKED_TOKEN, id, CT_REVOCATION_MAX_ID_LEN + 1, T0 + 1, T0),
           CT_STATUS_TOO_LONG);
    EXPECT(ct_revocation_list_revoke(&list, CT_REVOKED_TOKEN, id, 0, T0 + 1, T0), CT_STATUS_INVALID_CLAIM);
    EXPECT(ct_revocation_list_revoke(&list, 7, id, 1, T0 + 1, T0), CT_STATUS_INVALID_ARGUMENT);
    EXPECT(ct_revocation_list_revoke(&list, CT_REVOKED_TOKEN, "\xff", 1, T0 + 1, T0), CT_STATUS_INVALID_UTF8);
    EXPECT(ct_revocation_list_revoke(&list, CT_REVOKED_TOKEN, id, 1, T0 + 1, 0), CT_STATUS_TIME_UNAVAILABLE);
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_TOKEN, CT_LIT("jti-1"), 0, &b), CT_STATUS_TIME_UNAVAILABLE);
    EXPECT(ct_revocation_list_reclaim(&list, 0, &n), CT_STATUS_TIME_UNAVAILABLE);
    /* An id inside the list object itself is refused rather than aliased. */
    EXPECT(ct_revocation_list_revoke(&list, CT_REVOKED_TOKEN, (const char *)&list + 100, 4, T0 + 1, T0),
           CT_STATUS_INVALID_ARGUMENT);
    EXPECT(ct_revocation_list_len(&list, &n), CT_STATUS_OK);
    CHECK(n == 1);
    EXPECT(ct_revocation_list_revoke(&list, CT_REVOKED_TOKEN, id, CT_REVOCATION_MAX_ID_LEN, T0 + 1, T0),
           CT_STATUS_OK);

    /* Full of live entries: CT_STATUS_STORE_FULL, and every live entry is kept. */
    make_list(&list);
    for (i = 0; i < CT_REVOCATION_LIST_CAPACITY; i++) {
        snprintf(id, sizeof id, "id-%d", i);
        EXPECT(ct_revocation_list_revoke(&list, i % 2 ? CT_REVOKED_FAMILY : CT_REVOKED_TOKEN, id, strlen(id),
                                         T0 + 100 + (uint64_t)i, T0),
               CT_STATUS_OK);
    }
    EXPECT(ct_revocation_list_revoke(&list, CT_REVOKED_TOKEN, CT_LIT("one-more"), T0 + 1000, T0 + 100),
           CT_STATUS_STORE_FULL);
    EXPECT(ct_revocation_list_len(&list, &n), CT_STATUS_OK);
    CHECK(n == CT_REVOCATION_LIST_CAPACITY);
    for (i = 0; i < CT_REVOCATION_LIST_CAPACITY; i++) {
        snprintf(id, sizeof id, "id-%d", i);
        b = false;
        EXPECT(ct_revocation_list_is_revoked(&list, i % 2 ? CT_REVOKED_FAMILY : CT_REVOKED_TOKEN, id, strlen(id),
                                             T0 + 100, &b),
               CT_STATUS_OK);
        all_live = all_live && b;
    }
    CHECK(all_live);
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_TOKEN, CT_LIT("one-more"), T0 + 100, &b), CT_STATUS_OK);
    CHECK(b == false);
    /* Once "id-0" has expired (at T0+100), its slot is reclaimed for a new entry. */
    EXPECT(ct_revocation_list_revoke(&list, CT_REVOKED_TOKEN, CT_LIT("one-more"), T0 + 1000, T0 + 101),
           CT_STATUS_OK);
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_TOKEN, CT_LIT("one-more"), T0 + 101, &b), CT_STATUS_OK);
    CHECK(b == true);
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_TOKEN, CT_LIT("id-0"), T0 + 99, &b), CT_STATUS_OK);
    CHECK(b == false); /* forgotten: it could not verify any more anyway */
    EXPECT(ct_revocation_list_len(&list, &n), CT_STATUS_OK);
    CHECK(n == CT_REVOCATION_LIST_CAPACITY);

    /* Reclaim drops only expired entries. */
    EXPECT(ct_revocation_list_reclaim(&list, T0 + 150, &n), CT_STATUS_OK);
    CHECK(n == 49); /* id-1 .. id-49 expired before T0+150 (id-0 went above); id-50 at T0+150 */
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_TOKEN, CT_LIT("id-50"), T0 + 150, &b), CT_STATUS_OK);
    CHECK(b == true);
    EXPECT(ct_revocation_list_reclaim(&list, T0 + 1001, &n), CT_STATUS_OK);
    CHECK(n == CT_REVOCATION_LIST_CAPACITY - 49);
    EXPECT(ct_revocation_list_len(&list, &n), CT_STATUS_OK);
    CHECK(n == 0);
}

/* Signs claims with a key (ct_sign), for the key-set tests. */
static ct_status sign_with(const ct_key *k, const char *claims_json, char *out, size_t cap) {
    size_t len = 0;
    return ct_sign(k, U8(claims_json), strlen(claims_json), out, cap, &len);
}

static ct_status verify_set(const ct_key_set *set, const ct_validation *v, uint64_t now, const char *token) {
    return ct_verify_with_key_set(set, v, now, token, strlen(token), claims, sizeof claims, &claims_len);
}

static void test_key_set(void) {
    ct_key h1, h2, h3, h4, h5, nokid, ec, ec_pub, mismatch;
    ct_key_set set;
    ct_validation v;
    char t1[512], t2[512], tec[512], tnokid[512], tmis[512], tnotime[512];
    uint8_t out[512];
    size_t n = 0, len = 0, needed = 0;
    const char *body = "{\"sub\":\"dev\",\"exp\":2000000000}";
    hs_key(&h1, 1, "h1");
    hs_key(&h2, 2, "h2");
    hs_key(&h3, 3, "h3");
    hs_key(&h4, 4, "h4");
    hs_key(&h5, 5, "h5");
    hs_key(&nokid, 6, NULL);
    es256_keys(&ec, &ec_pub, 0x11, "ec1");
    /* An HS256 key claiming the public key's kid: its token must not pass for ES256. */
    hs_key(&mismatch, 7, "ec1");
    memset(&v, 0, sizeof v);
    EXPECT(ct_validation_init(&v), CT_STATUS_OK);
    EXPECT(sign_with(&h1, body, t1, sizeof t1), CT_STATUS_OK);
    EXPECT(sign_with(&h2, body, t2, sizeof t2), CT_STATUS_OK);
    EXPECT(sign_with(&ec, body, tec, sizeof tec), CT_STATUS_OK);
    EXPECT(sign_with(&nokid, body, tnokid, sizeof tnokid), CT_STATUS_OK);
    EXPECT(sign_with(&mismatch, body, tmis, sizeof tmis), CT_STATUS_OK);
    EXPECT(sign_with(&h1, "{\"sub\":\"no time\"}", tnotime, sizeof tnotime), CT_STATUS_OK);

    /* A single key without kid is allowed; a second key then is not. */
    memset(&set, 0, sizeof set);
    EXPECT(ct_key_set_init(&set), CT_STATUS_OK);
    EXPECT(ct_key_set_insert(&set, &nokid), CT_STATUS_OK);
    EXPECT(verify_set(&set, &v, T0, tnokid), CT_STATUS_OK);
    EXPECT(ct_key_set_insert(&set, &h1), CT_STATUS_INVALID_KEY_ID);
    EXPECT(ct_key_set_len(&set, &n), CT_STATUS_OK);
    CHECK(n == 1);

    /* Several keys, each with a distinct kid, up to the capacity. */
    EXPECT(ct_key_set_init(&set), CT_STATUS_OK);
    EXPECT(ct_key_set_insert(&set, &h1), CT_STATUS_OK);
    EXPECT(ct_key_set_insert(&set, &nokid), CT_STATUS_INVALID_KEY_ID);
    EXPECT(ct_key_set_insert(&set, &h1), CT_STATUS_INVALID_KEY_ID); /* duplicate kid */
    EXPECT(ct_key_set_insert(&set, &h2), CT_STATUS_OK);
    EXPECT(ct_key_set_insert(&set, &ec_pub), CT_STATUS_OK);
    EXPECT(ct_key_set_insert(&set, &h3), CT_STATUS_OK);
    EXPECT(ct_key_set_insert(&set, &h4), CT_STATUS_STORE_FULL);
    EXPECT(ct_key_set_len(&set, &n), CT_STATUS_OK);
    CHECK(n == CT_KEY_SET_CAPACITY);

    /* The kid selects the key; claims come out as with ct_verify. */
    EXPECT(verify_set(&set, &v, T0, t1), CT_STATUS_OK);
    CHECK(claims_len == strlen(body) && memcmp(claims, body, claims_len) == 0 && claims[claims_len] == 0);
    EXPECT(verify_set(&set, &v, T0, t2), CT_STATUS_OK);
    EXPECT(verify_set(&set, &v, T0, tec), CT_STATUS_OK);
    EXPECT(verify_set(&set, &v, T0, tmis), CT_STATUS_ALGORITHM_MISMATCH);
    /* No kid with several usable keys: refused, never "try them all". */
    EXPECT(verify_set(&set, &v, T0, tnokid), CT_STATUS_UNKNOWN_KEY);
    {
        char t5[512];
        EXPECT(sign_with(&h5, body, t5, sizeof t5), CT_STATUS_OK);
        EXPECT(verify_set(&set, &v, T0, t5), CT_STATUS_UNKNOWN_KEY);
        /* A known kid with a wrong signature. */
        t1[strlen(t1) - 2] = t1[strlen(t1) - 2] == 'A' ? 'B' : 'A';
        EXPECT(verify_set(&set, &v, T0, t1), CT_STATUS_INVALID_SIGNATURE);
        EXPECT(sign_with(&h1, body, t1, sizeof t1), CT_STATUS_OK);
    }

    /* Output buffer: exact need reported, nothing written; after a rejection the decoding
     * region is zeroed. */
    memset(out, 0x5A, sizeof out);
    EXPECT(ct_verify_with_key_set(&set, &v, T0, t1, strlen(t1), out, 10, &needed), CT_STATUS_BUFFER_TOO_SMALL);
    CHECK(needed > strlen(body) && needed <= CT_VERIFY_CLAIMS_CAP(strlen(t1)) && all_bytes(out, sizeof out, 0x5A));
    EXPECT(ct_verify_with_key_set(&set, &v, T0, t1, strlen(t1), out, needed, &len), CT_STATUS_OK);
    CHECK(len == strlen(body) && memcmp(out, body, len) == 0 && all_bytes(out + len, needed - len, 0));
    CHECK(all_bytes(out + needed, sizeof out - needed, 0x5A));
    memset(out, 0x5A, sizeof out);
    EXPECT(ct_verify_with_key_set(&set, &v, 2000000000u, t1, strlen(t1), out, sizeof out, &len), CT_STATUS_EXPIRED);
    CHECK(all_bytes(out, CT_VERIFY_CLAIMS_CAP(strlen(t1)), 0));
    EXPECT(ct_verify_with_key_set(&set, &v, T0, t1, strlen(t1), (uint8_t *)t1 + 4, 100, &len),
           CT_STATUS_INVALID_ARGUMENT);

    /* Rotation window: h1 is accepted while now < T0+100, then only the others. */
    EXPECT(ct_key_set_retire(&set, CT_LIT("h1"), T0 + 100), CT_STATUS_OK);
    EXPECT(ct_key_set_retire(&set, CT_LIT("h9"), T0 + 100), CT_STATUS_UNKNOWN_KEY);
    EXPECT(verify_set(&set, &v, T0 + 99, t1), CT_STATUS_OK);
    EXPECT(verify_set(&set, &v, T0 + 100, t1), CT_STATUS_UNKNOWN_KEY);
    EXPECT(verify_set(&set, &v, T0 + 100, t2), CT_STATUS_OK);
    /* Without the time, no window can be judged open. */
    EXPECT(ct_validation_set_required(&v, 0), CT_STATUS_OK);
    EXPECT(verify_set(&set, &v, T0, tnotime), CT_STATUS_OK);
    EXPECT(verify_set(&set, &v, 0, tnotime), CT_STATUS_UNKNOWN_KEY);
    EXPECT(ct_validation_set_required(&v, CT_CLAIM_EXP), CT_STATUS_OK);
    /* Prune drops closed windows only. */
    EXPECT(ct_key_set_prune(&set, T0 + 99, &n), CT_STATUS_OK);
    CHECK(n == 0);
    EXPECT(ct_key_set_prune(&set, T0 + 100, &n), CT_STATUS_OK);
    CHECK(n == 1);
    EXPECT(ct_key_set_prune(&set, 0, &n), CT_STATUS_TIME_UNAVAILABLE);
    EXPECT(verify_set(&set, &v, T0, t1), CT_STATUS_UNKNOWN_KEY);
    EXPECT(ct_key_set_insert(&set, &h4), CT_STATUS_OK); /* room again */
    EXPECT(ct_key_set_remove(&set, CT_LIT("ec1")), CT_STATUS_OK);
    EXPECT(ct_key_set_remove(&set, CT_LIT("ec1")), CT_STATUS_UNKNOWN_KEY);
    EXPECT(verify_set(&set, &v, T0, tec), CT_STATUS_UNKNOWN_KEY);
    EXPECT(ct_key_set_len(&set, &n), CT_STATUS_OK);
    CHECK(n == 3);

    /* A token without kid is accepted when exactly one key is usable. */
    EXPECT(ct_key_set_init(&set), CT_STATUS_OK);
    EXPECT(ct_key_set_insert(&set, &h1), CT_STATUS_OK);
    EXPECT(ct_key_set_insert(&set, &h2), CT_STATUS_OK);
    {
        char t_h2_nokid[512];
        ct_key h2_nokid;
        hs_key(&h2_nokid, 2, NULL); /* h2's secret, no kid in its header */
        EXPECT(sign_with(&h2_nokid, body, t_h2_nokid, sizeof t_h2_nokid), CT_STATUS_OK);
        EXPECT(verify_set(&set, &v, T0, t_h2_nokid), CT_STATUS_UNKNOWN_KEY);
        EXPECT(ct_key_set_retire(&set, CT_LIT("h1"), T0), CT_STATUS_OK);
        EXPECT(verify_set(&set, &v, T0, t_h2_nokid), CT_STATUS_OK);
        ct_key_wipe(&h2_nokid);
    }

    ct_key_set_wipe(&set);
    ct_key_wipe(&h1);
    ct_key_wipe(&h2);
    ct_key_wipe(&h3);
    ct_key_wipe(&h4);
    ct_key_wipe(&h5);
    ct_key_wipe(&nokid);
    ct_key_wipe(&ec);
    ct_key_wipe(&ec_pub);
    ct_key_wipe(&mismatch);
}

static void test_issuer_settings_and_claims(void) {
    ct_key k, pub, other_key;
    ct_issuer is, other;
    test_rng rng = {4, 0, 0};
    char token[1024], long_sub[CT_MAX_SUBJECT_LEN + 2];
    size_t len = 0;
    uint64_t ver = 3;
    pair_t p;
    hs_key(&k, 9, "k9");

    /* A public key cannot sign. */
    es256_keys(&other_key, &pub, 0x22, NULL);
    memset(&is, 0, sizeof is);
    EXPECT(ct_issuer_init(&is, &pub), CT_STATUS_VERIFY_ONLY_KEY);
    CHECK(all_bytes(&is, sizeof is, 0));
    EXPECT(ct_issuer_init(&is, &other_key), CT_STATUS_OK);
    make_issuer(&is, &k);
    EXPECT(ct_issuer_set_access_ttl(&is, 0), CT_STATUS_INVALID_ARGUMENT);
    EXPECT(ct_issuer_set_refresh_ttl(&is, 0), CT_STATUS_INVALID_ARGUMENT);
    memset(long_sub, 'a', sizeof long_sub);
    EXPECT(ct_issuer_set_issuer(&is, long_sub, CT_VALIDATION_MAX_VALUE_LEN + 1), CT_STATUS_TOO_LONG);
    EXPECT(ct_issuer_set_audience(&is, long_sub, 0), CT_STATUS_INVALID_ARGUMENT);
    EXPECT(ct_issuer_set_issuer(&is, "\xc3", 1), CT_STATUS_INVALID_UTF8);

    /* Defaults: 10-minute access tokens, 7-day refresh tokens; registered claims first. */
    EXPECT(issue_pair(&is, T0, &rng, "alice", &ver, &p), CT_STATUS_OK);
    CHECK(p.access_len == strlen(p.access) && p.refresh_len == strlen(p.refresh));
    EXPECT(verify_access(&is, T0, NULL, NULL, p.access), CT_STATUS_OK);
    CHECK(claim_is("type", "access") && claim_is("sub", "alice") && claim_is("iss", "auth") &&
          claim_is("aud", "api"));
    CHECK(claim_u64("iat") == T0 && claim_u64("exp") == T0 + CT_ISSUER_DEFAULT_ACCESS_TTL && claim_u64("ver") == 3);
    {
        char jti[64], fam[64];
        claim_copy("jti", jti, sizeof jti);
        claim_copy("fam", fam, sizeof fam);
        CHECK(strlen(jti) == CT_RANDOM_ID_LEN && strlen(fam) == CT_RANDOM_ID_LEN && strcmp(jti, fam) != 0);
    }
    /* The application's claims follow, each value verbatim (spacing, number text, escapes). */
    CHECK(strstr((const char *)claims, "\"type\":\"access\",\"ver\":3,\"role\":\"ops\",\"n\":[1, 2.50, {\"x\":null}],"
                                       "\"s\":\"a\\u00e9\"}") != NULL);
    EXPECT(verify_refresh(&is, T0, NULL, NULL, p.refresh), CT_STATUS_OK);
    CHECK(claim_is("type", "refresh") && claim_u64("exp") == T0 + CT_ISSUER_DEFAULT_REFRESH_TTL);
    /* An access token is not a refresh token, and vice versa. */
    EXPECT(verify_access(&is, T0, NULL, NULL, p.refresh), CT_STATUS_WRONG_TOKEN_USE);
    EXPECT(verify_refresh(&is, T0, NULL, NULL, p.access), CT_STATUS_WRONG_TOKEN_USE);
    /* Time: unknown, expired, not yet issued. */
    EXPECT(verify_access(&is, 0, NULL, NULL, p.access), CT_STATUS_TIME_UNAVAILABLE);
    EXPECT(verify_access(&is, T0 + 600, NULL, NULL, p.access), CT_STATUS_EXPIRED);
    EXPECT(verify_access(&is, T0 - 1, NULL, NULL, p.access), CT_STATUS_ISSUED_IN_FUTURE);
    EXPECT(ct_issuer_set_leeway(&is, 30), CT_STATUS_OK);
    EXPECT(verify_access(&is, T0 + 620, NULL, NULL, p.access), CT_STATUS_OK);
    EXPECT(verify_access(&is, T0 - 1, NULL, NULL, p.access), CT_STATUS_OK);
    /* Custom lifetimes. */
    EXPECT(ct_issuer_set_access_ttl(&is, 300), CT_STATUS_OK);
    EXPECT(ct_issuer_set_refresh_ttl(&is, 3600), CT_STATUS_OK);
    EXPECT(issue_pair(&is, T0, &rng, "alice", NULL, &p), CT_STATUS_OK);
    EXPECT(verify_access(&is, T0, NULL, NULL, p.access), CT_STATUS_OK);
    CHECK(claim_u64("exp") == T0 + 300);
    EXPECT(ct_claims_get_u64(claims, claims_len, CT_LIT("ver"), &ver), CT_STATUS_CLAIM_NOT_FOUND);
    EXPECT(verify_refresh(&is, T0, NULL, NULL, p.refresh), CT_STATUS_OK);
    CHECK(claim_u64("exp") == T0 + 3600);

    /* Another issuer name or audience with the same key: refused. */
    make_issuer(&other, &k);
    EXPECT(ct_issuer_set_issuer(&other, CT_LIT("auth2")), CT_STATUS_OK);
    EXPECT(verify_access(&other, T0, NULL, NULL, p.access), CT_STATUS_INVALID_ISSUER);
    make_issuer(&other, &k);
    EXPECT(ct_issuer_set_audience(&other, CT_LIT("api2")), CT_STATUS_OK);
    EXPECT(verify_access(&other, T0, NULL, NULL, p.access), CT_STATUS_INVALID_AUDIENCE);
    /* Another key: the kid is unknown; the same kid with another secret: bad signature. */
    {
        ct_key k2;
        hs_key(&k2, 10, "k10");
        make_issuer(&other, &k2);
        EXPECT(verify_access(&other, T0, NULL, NULL, p.access), CT_STATUS_UNKNOWN_KEY);
        hs_key(&k2, 10, "k9");
        make_issuer(&other, &k2);
        EXPECT(verify_access(&other, T0, NULL, NULL, p.access), CT_STATUS_INVALID_SIGNATURE);
        ct_key_wipe(&k2);
    }

    /* A standalone access token: without `random`, no jti; subject and version optional. */
    EXPECT(ct_issuer_issue_access(&is, T0, NULL, NULL, NULL, 0, NULL, U8("{\"a\":1}"), 7, token, sizeof token, &len),
           CT_STATUS_OK);
    EXPECT(verify_access(&is, T0, NULL, NULL, token), CT_STATUS_OK);
    EXPECT(ct_claims_get_str(claims, claims_len, CT_LIT("jti"), long_sub, sizeof long_sub, &len),
           CT_STATUS_CLAIM_NOT_FOUND);
    EXPECT(ct_claims_get_str(claims, claims_len, CT_LIT("sub"), long_sub, sizeof long_sub, &len),
           CT_STATUS_CLAIM_NOT_FOUND);
    EXPECT(ct_claims_get_str(claims, claims_len, CT_LIT("fam"), long_sub, sizeof long_sub, &len),
           CT_STATUS_CLAIM_NOT_FOUND);
    CHECK(claim_u64("a") == 1);
    EXPECT(ct_issuer_issue_access(&is, T0, rng_fill, &rng, CT_LIT("bob"), &ver, U8("{}"), 2, token, sizeof token,
                                  &len),
           CT_STATUS_OK);
    EXPECT(verify_access(&is, T0, NULL, NULL, token), CT_STATUS_OK);
    CHECK(claim_is("sub", "bob"));
    claim_copy("jti", long_sub, sizeof long_sub);
    CHECK(strlen(long_sub) == CT_RANDOM_ID_LEN);

    /* Application claims: one strict JSON object without registered names. */
#define ISSUE(json) \
    ct_issuer_issue_access(&is, T0, NULL, NULL, NULL, 0, NULL, U8(json), strlen(json), token, sizeof token, &len)
    memset(token, 0x5A, sizeof token);
    len = 777;
    EXPECT(ISSUE("{\"exp\":1}"), CT_STATUS_INVALID_CLAIM);
    EXPECT(ISSUE("{\"s\\u0075b\":\"mallory\"}"), CT_STATUS_INVALID_CLAIM); /* "sub", escaped */
    EXPECT(ISSUE("{\"ok\":1,\"fam\":\"f\"}"), CT_STATUS_INVALID_CLAIM);
    EXPECT(ISSUE("{\"type\":\"refresh\"}"), CT_STATUS_INVALID_CLAIM);
    EXPECT(ISSUE("{\"a\":1,\"a\":2}"), CT_STATUS_INVALID_JSON);
    EXPECT(ISSUE("[1]"), CT_STATUS_INVALID_JSON);
    EXPECT(ISSUE("{\"a\":"), CT_STATUS_INVALID_JSON);
    EXPECT(ISSUE("{\"a\":\"\xff\"}"), CT_STATUS_INVALID_JSON);
    EXPECT(ISSUE(""), CT_STATUS_INVALID_JSON);
    CHECK(len == 777 && all_bytes(token, sizeof token, 0x5A));
    EXPECT(ISSUE(" { } "), CT_STATUS_OK);
#undef ISSUE
    /* Subjects: non-empty UTF-8 of at most CT_MAX_SUBJECT_LEN bytes. */
    memset(long_sub, 's', sizeof long_sub);
    EXPECT(ct_issuer_issue_access(&is, T0, NULL, NULL, long_sub, CT_MAX_SUBJECT_LEN + 1, NULL, U8("{}"), 2, token,
                                  sizeof token, &len),
           CT_STATUS_TOO_LONG);
    EXPECT(ct_issuer_issue_access(&is, T0, NULL, NULL, long_sub, CT_MAX_SUBJECT_LEN, NULL, U8("{}"), 2, token,
                                  sizeof token, &len),
           CT_STATUS_OK);
    EXPECT(verify_access(&is, T0, NULL, NULL, token), CT_STATUS_OK);
    EXPECT(ct_issuer_issue_access(&is, T0, NULL, NULL, long_sub, 0, NULL, U8("{}"), 2, token, sizeof token, &len),
           CT_STATUS_INVALID_ARGUMENT);
    EXPECT(ct_issuer_issue_access(&is, T0, NULL, NULL, "\xe2\x82", 2, NULL, U8("{}"), 2, token, sizeof token, &len),
           CT_STATUS_INVALID_UTF8);
    EXPECT(ct_issuer_issue_access(&is, 0, NULL, NULL, NULL, 0, NULL, U8("{}"), 2, token, sizeof token, &len),
           CT_STATUS_TIME_UNAVAILABLE);
    /* Outputs may not overlap inputs. */
    memcpy(token, "{}", 2);
    EXPECT(ct_issuer_issue_access(&is, T0, NULL, NULL, NULL, 0, NULL, U8(token), 2, token + 1, 500, &len),
           CT_STATUS_INVALID_ARGUMENT);
    EXPECT(ct_issuer_issue_access(&is, T0, NULL, NULL, NULL, 0, NULL, U8("{}"), 2, (char *)&is, 100, &len),
           CT_STATUS_INVALID_ARGUMENT);

    ct_issuer_wipe(&is);
    ct_issuer_wipe(&other);
    ct_key_wipe(&k);
    ct_key_wipe(&pub);
    ct_key_wipe(&other_key);
}

static void test_buffers_and_random_failures(void) {
    ct_key k;
    ct_issuer is;
    ct_revocation_list list;
    test_rng rng = {5, 0, 0};
    pair_t p, o;
    char token[1024];
    size_t len = 0, alen = 0, rlen = 0, n = 0;
    unsigned calls;
    hs_key(&k, 11, "k11");
    make_issuer(&is, &k);
    make_list(&list);

    /* Access token: exact capacity (NUL included), buffer untouched when short. */
    memset(token, 0x5A, sizeof token);
    EXPECT(ct_issuer_issue_access(&is, T0, rng_fill, &rng, CT_LIT("alice"), NULL, U8("{}"), 2, token, 10, &len),
           CT_STATUS_BUFFER_TOO_SMALL);
    CHECK(len > 100 && all_bytes(token, sizeof token, 0x5A));
    n = len;
    EXPECT(ct_issuer_issue_access(&is, T0, rng_fill, &rng, CT_LIT("alice"), NULL, U8("{}"), 2, token, n - 1, &len),
           CT_STATUS_BUFFER_TOO_SMALL);
    CHECK(len == n);
    EXPECT(ct_issuer_issue_access(&is, T0, rng_fill, &rng, CT_LIT("alice"), NULL, U8("{}"), 2, token, n, &len),
           CT_STATUS_OK);
    CHECK(len == n - 1 && token[len] == '\0' && all_bytes(token + n, sizeof token - n, 0x5A));

    /* Pair: one short buffer gives both needs; nothing written, no random number drawn. */
    memset(&p, 0x5A, sizeof p);
    calls = rng.calls;
    EXPECT(ct_issuer_issue_pair(&is, T0, rng_fill, &rng, CT_LIT("alice"), NULL, U8("{}"), 2, p.access, 10, &alen,
                                p.refresh, sizeof p.refresh, &rlen),
           CT_STATUS_BUFFER_TOO_SMALL);
    CHECK(alen > 100 && rlen > 100 && rng.calls == calls);
    CHECK(all_bytes(p.access, sizeof p.access, 0x5A) && all_bytes(p.refresh, sizeof p.refresh, 0x5A));
    n = rlen;
    EXPECT(ct_issuer_issue_pair(&is, T0, rng_fill, &rng, CT_LIT("alice"), NULL, U8("{}"), 2, p.access,
                                sizeof p.access, &alen, p.refresh, n - 1, &rlen),
           CT_STATUS_BUFFER_TOO_SMALL);
    CHECK(rlen == n && all_bytes(p.access, sizeof p.access, 0x5A) && rng.calls == calls);
    EXPECT(ct_issuer_issue_pair(&is, T0, rng_fill, &rng, CT_LIT("alice"), NULL, U8("{}"), 2, p.access, alen,
                                &p.access_len, p.refresh, rlen, &p.refresh_len),
           CT_STATUS_OK);
    CHECK(p.access_len == alen - 1 && p.refresh_len == rlen - 1 && rng.calls > calls);
    CHECK(p.access[p.access_len] == '\0' && p.refresh[p.refresh_len] == '\0');
    /* The two outputs may not overlap. */
    EXPECT(ct_issuer_issue_pair(&is, T0, rng_fill, &rng, CT_LIT("alice"), NULL, U8("{}"), 2, o.access,
                                sizeof o.access, &alen, o.access + 100, 500, &rlen),
           CT_STATUS_INVALID_ARGUMENT);

    /* A failing random source. */
    rng.fail = 1;
    memset(&o, 0x5A, sizeof o);
    EXPECT(issue_pair(&is, T0, &rng, "alice", NULL, &o), CT_STATUS_RANDOM_UNAVAILABLE);
    CHECK(all_bytes(&o, sizeof o, 0x5A));
    EXPECT(ct_issuer_issue_access(&is, T0, rng_fill, &rng, NULL, 0, NULL, U8("{}"), 2, token, sizeof token, &len),
           CT_STATUS_RANDOM_UNAVAILABLE);

    /* Rotation fails before using the token up: after a random failure or short buffers the
     * same refresh token still rotates. */
    EXPECT(rotate(&is, T0 + 5, &list, NULL, &rng, p.refresh, &o), CT_STATUS_RANDOM_UNAVAILABLE);
    rng.fail = 0;
    EXPECT(ct_revocation_list_len(&list, &n), CT_STATUS_OK);
    CHECK(n == 0);
    {
        uint8_t scratch[1024];
        memset(&o, 0x5A, sizeof o);
        calls = rng.calls;
        EXPECT(ct_issuer_rotate(&is, T0 + 5, &list, NULL, NULL, rng_fill, &rng, p.refresh, p.refresh_len, scratch,
                                sizeof scratch, o.access, sizeof o.access, &alen, o.refresh, 20, &rlen),
               CT_STATUS_BUFFER_TOO_SMALL);
        CHECK(alen > 100 && rlen > 100 && rng.calls == calls && all_bytes(&o, sizeof o, 0x5A));
        CHECK(all_bytes(scratch, sizeof scratch, 0));
        /* The scratch buffer must hold the decoded token. */
        EXPECT(ct_issuer_rotate(&is, T0 + 5, &list, NULL, NULL, rng_fill, &rng, p.refresh, p.refresh_len, scratch,
                                CT_VERIFY_CLAIMS_CAP(p.refresh_len) - 1, o.access, sizeof o.access, &alen,
                                o.refresh, sizeof o.refresh, &rlen),
               CT_STATUS_INVALID_ARGUMENT);
        /* ...and may not overlap the token. */
        memcpy(scratch, p.refresh, p.refresh_len);
        EXPECT(ct_issuer_rotate(&is, T0 + 5, &list, NULL, NULL, rng_fill, &rng, (const char *)scratch,
                                p.refresh_len, scratch + 1, sizeof scratch - 1, o.access, sizeof o.access, &alen,
                                o.refresh, sizeof o.refresh, &rlen),
               CT_STATUS_INVALID_ARGUMENT);
        EXPECT(ct_revocation_list_len(&list, &n), CT_STATUS_OK);
        CHECK(n == 0);
        EXPECT(ct_issuer_rotate(&is, T0 + 5, &list, NULL, NULL, rng_fill, &rng, p.refresh, p.refresh_len, scratch,
                                CT_VERIFY_CLAIMS_CAP(p.refresh_len), o.access, alen, &o.access_len, o.refresh, rlen,
                                &o.refresh_len),
               CT_STATUS_OK);
        CHECK(o.access_len == alen - 1 && o.refresh_len == rlen - 1);
        CHECK(all_bytes(scratch, CT_VERIFY_CLAIMS_CAP(p.refresh_len), 0));
    }
    EXPECT(ct_revocation_list_len(&list, &n), CT_STATUS_OK);
    CHECK(n == 1);

    ct_issuer_wipe(&is);
    ct_key_wipe(&k);
}

/* The whole story: login, use, refresh, reuse of a stolen refresh token, family revoked. */
static void test_login_refresh_reuse(void) {
    ct_key k;
    ct_issuer is;
    ct_revocation_list list;
    test_rng rng = {6, 0, 0};
    pair_t login, second, third, other;
    char fam[64], fam2[64], jti[64], jti2[64];
    size_t n = 0;
    bool b = false;
    uint64_t ver = 7;
    hs_key(&k, 12, "k12");
    make_issuer(&is, &k);
    make_list(&list);

    /* Login. */
    EXPECT(issue_pair(&is, T0, &rng, "alice", &ver, &login), CT_STATUS_OK);
    EXPECT(issue_pair(&is, T0, &rng, "bob", NULL, &other), CT_STATUS_OK);
    EXPECT(verify_access(&is, T0 + 1, &list, NULL, login.access), CT_STATUS_OK);
    claim_copy("fam", fam, sizeof fam);
    EXPECT(verify_refresh(&is, T0 + 1, &list, NULL, login.refresh), CT_STATUS_OK);
    claim_copy("jti", jti, sizeof jti);

    /* Refresh: a new pair of the same family, same subject, version and claims. */
    EXPECT(rotate(&is, T0 + 60, &list, NULL, &rng, login.refresh, &second), CT_STATUS_OK);
    CHECK(second.access_len == strlen(second.access) && second.refresh_len == strlen(second.refresh));
    CHECK(strcmp(second.refresh, login.refresh) != 0);
    EXPECT(verify_access(&is, T0 + 61, &list, NULL, second.access), CT_STATUS_OK);
    claim_copy("fam", fam2, sizeof fam2);
    CHECK(strcmp(fam, fam2) == 0);
    CHECK(claim_is("sub", "alice") && claim_u64("ver") == 7 && claim_u64("iat") == T0 + 60);
    CHECK(strstr((const char *)claims, "\"ver\":7,\"role\":\"ops\",\"n\":[1, 2.50, {\"x\":null}],\"s\":\"a\\u00e9\"}") !=
          NULL);
    EXPECT(verify_refresh(&is, T0 + 61, &list, NULL, second.refresh), CT_STATUS_OK);
    claim_copy("jti", jti2, sizeof jti2);
    CHECK(strcmp(jti, jti2) != 0 && claim_u64("exp") == T0 + 60 + CT_ISSUER_DEFAULT_REFRESH_TTL);
    /* The used refresh token is recorded until it expires; an access token cannot rotate. */
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_TOKEN, jti, strlen(jti), T0 + 61, &b), CT_STATUS_OK);
    CHECK(b == true);
    EXPECT(verify_refresh(&is, T0 + 61, &list, NULL, login.refresh), CT_STATUS_REVOKED);
    EXPECT(rotate(&is, T0 + 62, &list, NULL, &rng, second.access, &third), CT_STATUS_WRONG_TOKEN_USE);
    /* The old access token stays valid until it expires (it was not stolen). */
    EXPECT(verify_access(&is, T0 + 62, &list, NULL, login.access), CT_STATUS_OK);

    /* Reuse: the first refresh token again (an attacker's copy) revokes the whole family. */
    EXPECT(rotate(&is, T0 + 120, &list, NULL, &rng, login.refresh, &third), CT_STATUS_REFRESH_TOKEN_REUSED);
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_FAMILY, fam, strlen(fam), T0 + 120, &b), CT_STATUS_OK);
    CHECK(b == true);
    EXPECT(ct_revocation_list_len(&list, &n), CT_STATUS_OK);
    CHECK(n == 2);
    /* Everything of that login is refused now, including the legitimate newest pair. */
    EXPECT(verify_access(&is, T0 + 121, &list, NULL, login.access), CT_STATUS_REVOKED);
    EXPECT(verify_access(&is, T0 + 121, &list, NULL, second.access), CT_STATUS_REVOKED);
    EXPECT(verify_refresh(&is, T0 + 121, &list, NULL, second.refresh), CT_STATUS_REVOKED);
    EXPECT(rotate(&is, T0 + 121, &list, NULL, &rng, second.refresh, &third), CT_STATUS_REVOKED);
    EXPECT(rotate(&is, T0 + 121, &list, NULL, &rng, login.refresh, &third), CT_STATUS_REVOKED);
    /* Until the family's longest refresh token has expired. */
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_FAMILY, fam, strlen(fam),
                                         T0 + 120 + CT_ISSUER_DEFAULT_REFRESH_TTL, &b),
           CT_STATUS_OK);
    CHECK(b == true);
    /* Verifying without the list does not know about revocations. */
    EXPECT(verify_access(&is, T0 + 121, NULL, NULL, second.access), CT_STATUS_OK);
    /* Other logins are unaffected. */
    EXPECT(verify_access(&is, T0 + 121, &list, NULL, other.access), CT_STATUS_OK);
    EXPECT(rotate(&is, T0 + 121, &list, NULL, &rng, other.refresh, &third), CT_STATUS_OK);

    /* A full list: the rotation is refused (the token cannot be recorded as used). */
    {
        int i;
        char id[32];
        pair_t fresh;
        make_list(&list);
        for (i = 0; i < CT_REVOCATION_LIST_CAPACITY; i++) {
            snprintf(id, sizeof id, "live-%d", i);
            EXPECT(ct_revocation_list_revoke(&list, CT_REVOKED_TOKEN, id, strlen(id), T0 + 9999, T0), CT_STATUS_OK);
        }
        EXPECT(issue_pair(&is, T0, &rng, "carol", NULL, &fresh), CT_STATUS_OK);
        EXPECT(rotate(&is, T0 + 1, &list, NULL, &rng, fresh.refresh, &third), CT_STATUS_STORE_FULL);
        EXPECT(ct_revocation_list_reclaim(&list, T0 + 10000, &n), CT_STATUS_OK);
        CHECK(n == CT_REVOCATION_LIST_CAPACITY);
        EXPECT(rotate(&is, T0 + 1, &list, NULL, &rng, fresh.refresh, &third), CT_STATUS_OK);
    }
    ct_issuer_wipe(&is);
    ct_key_wipe(&k);
}

static void test_logout(void) {
    ct_key k;
    ct_issuer is;
    ct_revocation_list list;
    test_rng rng = {7, 0, 0};
    pair_t p, o;
    char fam[64], token[1024];
    uint8_t scratch[1024];
    size_t len = 0;
    hs_key(&k, 13, "k13");
    make_issuer(&is, &k);
    make_list(&list);
    EXPECT(issue_pair(&is, T0, &rng, "alice", NULL, &p), CT_STATUS_OK);

    /* Logout of one token: its jti, until it expires. */
    memset(scratch, 0x5A, sizeof scratch);
    EXPECT(ct_issuer_revoke(&is, T0 + 1, &list, p.access, p.access_len, scratch, sizeof scratch), CT_STATUS_OK);
    CHECK(all_bytes(scratch, sizeof scratch, 0));
    EXPECT(verify_access(&is, T0 + 2, &list, NULL, p.access), CT_STATUS_REVOKED);
    EXPECT(verify_refresh(&is, T0 + 2, &list, NULL, p.refresh), CT_STATUS_OK);
    /* A token without jti cannot be revoked alone; a forged one not at all. */
    EXPECT(ct_issuer_issue_access(&is, T0, NULL, NULL, NULL, 0, NULL, U8("{}"), 2, token, sizeof token, &len),
           CT_STATUS_OK);
    EXPECT(ct_issuer_revoke(&is, T0 + 1, &list, token, len, scratch, sizeof scratch), CT_STATUS_MISSING_CLAIM);
    token[len - 3] = token[len - 3] == 'A' ? 'B' : 'A';
    EXPECT(ct_issuer_revoke(&is, T0 + 1, &list, token, len, scratch, sizeof scratch), CT_STATUS_INVALID_SIGNATURE);
    EXPECT(ct_issuer_revoke(&is, T0 + 1, &list, token, len, scratch, CT_VERIFY_CLAIMS_CAP(len) - 1),
           CT_STATUS_INVALID_ARGUMENT);
    EXPECT(ct_issuer_revoke(&is, 0, &list, p.refresh, p.refresh_len, scratch, sizeof scratch),
           CT_STATUS_TIME_UNAVAILABLE);

    /* Logout everywhere of this login: its family. */
    EXPECT(verify_refresh(&is, T0 + 2, &list, NULL, p.refresh), CT_STATUS_OK);
    claim_copy("fam", fam, sizeof fam);
    EXPECT(ct_issuer_revoke_family(&is, T0 + 3, &list, fam, strlen(fam)), CT_STATUS_OK);
    EXPECT(verify_refresh(&is, T0 + 4, &list, NULL, p.refresh), CT_STATUS_REVOKED);
    EXPECT(rotate(&is, T0 + 4, &list, NULL, &rng, p.refresh, &o), CT_STATUS_REVOKED);
    EXPECT(ct_issuer_revoke_family(&is, T0 + 3, &list, fam, 0), CT_STATUS_INVALID_CLAIM);
    EXPECT(ct_issuer_revoke_family(&is, 0, &list, fam, strlen(fam)), CT_STATUS_TIME_UNAVAILABLE);
    ct_issuer_wipe(&is);
    ct_key_wipe(&k);
}

static void test_token_versions(void) {
    ct_key k;
    ct_issuer is;
    ct_revocation_list list;
    test_rng rng = {8, 0, 0};
    test_versions vers = {"alice", 1, 0, 0};
    pair_t p, o, bob;
    uint64_t one = 1, two = 2;
    hs_key(&k, 14, "k14");
    make_issuer(&is, &k);
    make_list(&list);
    EXPECT(issue_pair(&is, T0, &rng, "alice", &one, &p), CT_STATUS_OK);
    EXPECT(issue_pair(&is, T0, &rng, "bob", NULL, &bob), CT_STATUS_OK);

    EXPECT(verify_access(&is, T0, &list, &vers, p.access), CT_STATUS_OK);
    CHECK(vers.calls == 1);
    /* Password change: the application bumps alice's version; older tokens fail. */
    vers.current = 2;
    EXPECT(verify_access(&is, T0, &list, &vers, p.access), CT_STATUS_STALE_VERSION);
    EXPECT(verify_refresh(&is, T0, &list, &vers, p.refresh), CT_STATUS_STALE_VERSION);
    EXPECT(rotate(&is, T0 + 1, &list, &vers, &rng, p.refresh, &o), CT_STATUS_STALE_VERSION);
    /* A new login at the new version works; untracked subjects are not checked. */
    EXPECT(issue_pair(&is, T0 + 2, &rng, "alice", &two, &p), CT_STATUS_OK);
    EXPECT(verify_access(&is, T0 + 2, &list, &vers, p.access), CT_STATUS_OK);
    EXPECT(rotate(&is, T0 + 3, &list, &vers, &rng, p.refresh, &o), CT_STATUS_OK);
    EXPECT(verify_access(&is, T0 + 3, &list, &vers, o.access), CT_STATUS_OK);
    CHECK(claim_u64("ver") == 2);
    EXPECT(verify_access(&is, T0 + 3, &list, &vers, bob.access), CT_STATUS_OK);
    /* A tracked subject whose token has no version: refused. */
    vers.sub = "bob";
    EXPECT(verify_access(&is, T0 + 3, &list, &vers, bob.access), CT_STATUS_MISSING_CLAIM);
    /* The callback's own failure is returned as is; the outputs are not left filled. */
    vers.mode = 1;
    memset(claims, 0x5A, sizeof claims);
    EXPECT(verify_access(&is, T0 + 3, &list, &vers, o.access), VERSIONS_DOWN);
    CHECK(all_bytes(claims, CT_VERIFY_CLAIMS_CAP(o.access_len), 0));
    EXPECT(rotate(&is, T0 + 4, &list, &vers, &rng, o.refresh, &p), VERSIONS_DOWN);
    /* A callback that sets nothing refuses (fail closed). */
    vers.mode = 2;
    EXPECT(verify_access(&is, T0 + 3, &list, &vers, o.access), CT_STATUS_STALE_VERSION);
    /* Without a callback, versions are not checked. */
    EXPECT(verify_access(&is, T0 + 3, &list, NULL, o.access), CT_STATUS_OK);
    ct_issuer_wipe(&is);
    ct_key_wipe(&k);
}

static void test_key_rotation(void) {
    ct_key k1, k2, k3, k4, k5, nokid, priv, pub;
    ct_issuer is;
    ct_revocation_list list;
    ct_key_set only_k2;
    ct_validation v;
    test_rng rng = {9, 0, 0};
    pair_t a, b, o;
    hs_key(&k1, 21, "2026-10");
    hs_key(&k2, 22, "2026-11");
    hs_key(&k3, 23, "2026-12");
    hs_key(&k4, 24, "2027-01");
    hs_key(&k5, 25, "2027-02");
    hs_key(&nokid, 26, NULL);
    make_issuer(&is, &k1);
    make_list(&list);
    EXPECT(ct_issuer_set_access_ttl(&is, 24 * 3600), CT_STATUS_OK);
    EXPECT(issue_pair(&is, T0, &rng, "alice", NULL, &a), CT_STATUS_OK);

    /* Refused rotations leave the issuer as it was. */
    EXPECT(ct_issuer_rotate_key(&is, T0, &nokid, 3600), CT_STATUS_INVALID_KEY_ID);
    EXPECT(ct_issuer_rotate_key(&is, T0, &k1, 3600), CT_STATUS_INVALID_KEY_ID); /* same kid */
    es256_keys(&priv, &pub, 0x33, "pub");
    EXPECT(ct_issuer_rotate_key(&is, T0, &pub, 3600), CT_STATUS_VERIFY_ONLY_KEY);
    EXPECT(ct_issuer_rotate_key(&is, 0, &k2, 3600), CT_STATUS_TIME_UNAVAILABLE);
    EXPECT(verify_access(&is, T0, &list, NULL, a.access), CT_STATUS_OK);

    /* Rotate to k2 with a one-hour window. */
    EXPECT(ct_issuer_rotate_key(&is, T0, &k2, 3600), CT_STATUS_OK);
    EXPECT(issue_pair(&is, T0 + 10, &rng, "alice", NULL, &b), CT_STATUS_OK);
    /* New tokens are signed with k2 (a set holding only k2 accepts them). */
    memset(&only_k2, 0, sizeof only_k2);
    EXPECT(ct_key_set_init(&only_k2), CT_STATUS_OK);
    EXPECT(ct_key_set_insert(&only_k2, &k2), CT_STATUS_OK);
    memset(&v, 0, sizeof v);
    EXPECT(ct_validation_init(&v), CT_STATUS_OK);
    EXPECT(ct_validation_set_audience(&v, CT_LIT("api")), CT_STATUS_OK);
    EXPECT(verify_set(&only_k2, &v, T0 + 10, b.access), CT_STATUS_OK);
    EXPECT(verify_set(&only_k2, &v, T0 + 10, a.access), CT_STATUS_UNKNOWN_KEY);
    /* During the window both keys verify (refresh rotation included). */
    EXPECT(verify_access(&is, T0 + 10, &list, NULL, a.access), CT_STATUS_OK);
    EXPECT(verify_access(&is, T0 + 10, &list, NULL, b.access), CT_STATUS_OK);
    EXPECT(verify_access(&is, T0 + 3599, &list, NULL, a.access), CT_STATUS_OK);
    /* After it, only the new key. */
    EXPECT(verify_access(&is, T0 + 3600, &list, NULL, a.access), CT_STATUS_UNKNOWN_KEY);
    EXPECT(verify_refresh(&is, T0 + 3600, &list, NULL, a.refresh), CT_STATUS_UNKNOWN_KEY);
    EXPECT(rotate(&is, T0 + 3600, &list, NULL, &rng, a.refresh, &o), CT_STATUS_UNKNOWN_KEY);
    EXPECT(verify_access(&is, T0 + 3600, &list, NULL, b.access), CT_STATUS_OK);
    EXPECT(rotate(&is, T0 + 3600, &list, NULL, &rng, b.refresh, &o), CT_STATUS_OK);

    /* At most CT_ISSUER_MAX_KEYS keys in use: k2 (current), then k3, k4 within windows. */
    EXPECT(ct_issuer_rotate_key(&is, T0 + 4000, &k3, 3600), CT_STATUS_OK);
    EXPECT(ct_issuer_rotate_key(&is, T0 + 4001, &k4, 3600), CT_STATUS_OK);
    EXPECT(ct_issuer_rotate_key(&is, T0 + 4002, &k5, 3600), CT_STATUS_OK); /* k2, k3, k4 + k5 */
    EXPECT(ct_issuer_rotate_key(&is, T0 + 4003, &k1, 3600), CT_STATUS_STORE_FULL);
    EXPECT(issue_pair(&is, T0 + 4004, &rng, "alice", NULL, &a), CT_STATUS_OK);
    EXPECT(ct_key_set_init(&only_k2), CT_STATUS_OK);
    EXPECT(ct_key_set_insert(&only_k2, &k5), CT_STATUS_OK);
    EXPECT(verify_set(&only_k2, &v, T0 + 4004, a.access), CT_STATUS_OK); /* still signing with k5 */
    EXPECT(verify_access(&is, T0 + 4004, &list, NULL, o.access), CT_STATUS_OK); /* k2's window */
    /* Once the windows have closed there is room again. */
    EXPECT(ct_issuer_rotate_key(&is, T0 + 8000, &k1, 60), CT_STATUS_OK);
    EXPECT(verify_access(&is, T0 + 8000, &list, NULL, o.access), CT_STATUS_UNKNOWN_KEY);
    EXPECT(verify_access(&is, T0 + 8000, &list, NULL, a.access), CT_STATUS_OK);
    EXPECT(verify_access(&is, T0 + 8060, &list, NULL, a.access), CT_STATUS_UNKNOWN_KEY);

    /* An issuer whose key has no kid cannot rotate (its tokens could not be told apart). */
    make_issuer(&is, &nokid);
    EXPECT(ct_issuer_rotate_key(&is, T0, &k2, 60), CT_STATUS_INVALID_KEY_ID);
    EXPECT(issue_pair(&is, T0, &rng, "alice", NULL, &a), CT_STATUS_OK);
    EXPECT(verify_access(&is, T0, &list, NULL, a.access), CT_STATUS_OK);

    /* ES256 and EdDSA issuers work the same way. */
    {
        uint8_t seed[32];
        ct_key ec, ed;
        memset(seed, 0x44, sizeof seed);
        EXPECT(ct_key_es256_private(&ec, seed, sizeof seed), CT_STATUS_OK);
        EXPECT(ct_key_set_kid(&ec, CT_LIT("ec")), CT_STATUS_OK);
        EXPECT(ct_key_ed25519_private(&ed, seed, sizeof seed), CT_STATUS_OK);
        EXPECT(ct_key_set_kid(&ed, CT_LIT("ed")), CT_STATUS_OK);
        make_issuer(&is, &ec);
        EXPECT(issue_pair(&is, T0, &rng, "alice", NULL, &a), CT_STATUS_OK);
        EXPECT(ct_issuer_rotate_key(&is, T0, &ed, 600), CT_STATUS_OK);
        EXPECT(issue_pair(&is, T0, &rng, "alice", NULL, &b), CT_STATUS_OK);
        EXPECT(verify_access(&is, T0 + 1, &list, NULL, a.access), CT_STATUS_OK);
        EXPECT(verify_access(&is, T0 + 1, &list, NULL, b.access), CT_STATUS_OK);
        EXPECT(rotate(&is, T0 + 2, &list, NULL, &rng, a.refresh, &o), CT_STATUS_OK);
        EXPECT(verify_access(&is, T0 + 600, &list, NULL, b.access), CT_STATUS_EXPIRED);
        EXPECT(verify_refresh(&is, T0 + 600, &list, NULL, a.refresh), CT_STATUS_UNKNOWN_KEY);
        EXPECT(verify_refresh(&is, T0 + 600, &list, NULL, o.refresh), CT_STATUS_OK);
        ct_key_wipe(&ec);
        ct_key_wipe(&ed);
    }

    ct_issuer_wipe(&is);
    ct_key_set_wipe(&only_k2);
    ct_key_wipe(&k1);
    ct_key_wipe(&k2);
    ct_key_wipe(&k3);
    ct_key_wipe(&k4);
    ct_key_wipe(&k5);
    ct_key_wipe(&nokid);
    ct_key_wipe(&priv);
    ct_key_wipe(&pub);
}

int main(void) {
    test_sizes();
    test_null_arguments();
    test_uninitialized_and_wipe();
    test_secret_generate();
    test_revocation_list();
    test_key_set();
    test_issuer_settings_and_claims();
    test_buffers_and_random_failures();
    test_login_refresh_reuse();
    test_logout();
    test_token_versions();
    test_key_rotation();
    printf("test_lifecycle: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
