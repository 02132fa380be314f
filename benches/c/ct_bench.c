/* The C ABI benchmark of `cargo xtask bench`: ciphertoken linked through libciphertoken.a
 * the way C gateways use it, on the same claim set, keys and validation as the Rust
 * benchmark (benches/src/lib.rs). Prints one line per operation: name, TAB, median ns/op.
 * Fixed key material: benchmarks are deterministic; these are not secrets. The RS256 token
 * below was signed once with benches/keys/rsa_2048.pem (openssl dgst -sha256 -sign). */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ciphertoken.h"

static const char RS256_TOKEN[] = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkZXZpY2UtN2YzYTljMjEiLCJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZS5jb20iLCJhdWQiOiJnYXRld2F5LWV1MSIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjo0MDAwMDAwMDAwLCJqdGkiOiIwMUo5WjNLOFE5UjJUNVY3VzFZNFo2QThCMCIsInNjb3BlIjoidGVsZW1ldHJ5OndyaXRlIGNvbmZpZzpyZWFkIn0.Z2iFfOtVdeSeta1PZvV0CIdrdGgVE8v6QwuAHOKSddHk4n9vcqGSvJEWQXJ2PIG-oYnV1vHxaf9KMZ93Vmp9gvmV-vDrTDWgJKJhbP3r_O4A5W5l8H8EyEn13Qz8jXLQPL6CEiNVgOTJjVxVSnm_SW9ukE6UD0tHF73RCAy7IrPc4qC3gFg9hCNorzRBRq4B9e2D65ZFCqZSwBfnDrvo7m1juzGn5E4u5gSe7zOs4iWjMBYqDjh3LhNENokUF2ka2dhSJxH1c8UArCSKjHSfBwQ2L9Fc7ds0kpucRD51CGRaUSKvkqZe5IdsBiMUrscAbAsYYcR2Q65mBvcNORb2WQ";
static const uint8_t RSA_N[] = {0xc4, 0x77, 0xf2, 0x77, 0x6b, 0xbd, 0x79, 0xa5, 0x2a, 0xfd, 0x64, 0x2c, 0x53, 0xfb, 0x08, 0x69, 0xc2, 0x15, 0xd9, 0x25, 0x95, 0x62, 0xbc, 0xf8, 0xc9, 0x83, 0x3b, 0xe6, 0x3c, 0x83, 0x60, 0x34, 0x22, 0xbd, 0x7e, 0x23, 0x8e, 0x1b, 0xa7, 0x0e, 0x76, 0x21, 0x19, 0x08, 0x66, 0x16, 0xd5, 0x8b, 0xab, 0x4e, 0x4d, 0x09, 0x0a, 0xdd, 0xfb, 0xd9, 0x73, 0x81, 0xd7, 0x82, 0xfd, 0xd6, 0x07, 0xeb, 0x06, 0x1c, 0x30, 0x5e, 0x4c, 0xa9, 0x74, 0xac, 0x3c, 0x37, 0x6b, 0x5c, 0xee, 0x42, 0xc1, 0xef, 0x96, 0x3a, 0x9c, 0x2f, 0x69, 0xb0, 0x89, 0x0c, 0xad, 0xa8, 0x52, 0x22, 0x7c, 0x02, 0x5a, 0x58, 0xa3, 0xd2, 0x17, 0x3c, 0x01, 0x27, 0x05, 0x83, 0xd8, 0xd5, 0xd3, 0x16, 0xb7, 0x9c, 0x89, 0x08, 0x3d, 0x93, 0x2f, 0x6e, 0xe3, 0x5f, 0xe7, 0xc3, 0x85, 0xa3, 0x61, 0x84, 0xbb, 0x6f, 0xe3, 0x43, 0x67, 0x92, 0x82, 0x51, 0x2e, 0x4f, 0xda, 0x68, 0x3b, 0x2d, 0xbf, 0xd9, 0xd9, 0x19, 0x2e, 0x3b, 0xe3, 0x1a, 0xaf, 0xfa, 0x5a, 0xd0, 0x5e, 0x6a, 0xc1, 0xc5, 0xa9, 0x1c, 0x0d, 0xeb, 0x96, 0x6c, 0x3a, 0x8d, 0x0d, 0x8e, 0x13, 0x2b, 0xce, 0xc5, 0x91, 0x50, 0xdc, 0xd9, 0xa9, 0xaf, 0xfb, 0xac, 0x91, 0x6c, 0xba, 0x35, 0xe7, 0xa3, 0xf6, 0x23, 0x7e, 0x68, 0xcb, 0xd3, 0xd4, 0x2e, 0x88, 0xc4, 0x2a, 0xfb, 0x80, 0xdf, 0x80, 0xd1, 0x60, 0x1b, 0xc3, 0xf6, 0x39, 0x8e, 0x79, 0x32, 0xa7, 0x78, 0xac, 0x03, 0xea, 0x3f, 0x69, 0x7f, 0xf8, 0x30, 0xb2, 0x9b, 0x11, 0xa9, 0xd6, 0xd1, 0x11, 0x15, 0xbf, 0x7d, 0x25, 0x77, 0x41, 0x7c, 0x11, 0x72, 0x3b, 0x36, 0x1b, 0xcb, 0x88, 0x1f, 0xa1, 0xce, 0x5a, 0xfd, 0x5b, 0xbb, 0x41, 0x9c, 0xa4, 0xb7, 0x93, 0xf6, 0xe3, 0xf0, 0xda, 0x20, 0x87, 0x45};
static const uint8_t RSA_E[] = {0x01, 0x00, 0x01};

static const char CLAIMS[] =
    "{\"sub\":\"device-7f3a9c21\",\"iss\":\"https://auth.example.com\",\"aud\":\"gateway-eu1\","
    "\"iat\":1700000000,\"exp\":4000000000,\"jti\":\"01J9Z3K8Q9R2T5V7W1Y4Z6A8B0\","
    "\"scope\":\"telemetry:write config:read\"}";
static const uint8_t HMAC_SECRET[32] = "bench-secret-0123456789abcdefgh!";
static const uint8_t P256_SCALAR[32] = {
    0xc9, 0xaf, 0xa9, 0xd8, 0x45, 0xba, 0x75, 0x16, 0x6b, 0x5c, 0x21, 0x57, 0x67, 0xb1, 0xd6, 0x93,
    0x4e, 0x50, 0xc3, 0xdb, 0x36, 0xe8, 0x9b, 0x12, 0x7b, 0x8a, 0x62, 0x2b, 0x12, 0x0f, 0x67, 0x21};
static const uint8_t ED25519_SEED[32] = {
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x7b, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
#define NOW 1700000100u

struct state {
    struct ct_key hs, es_priv, es_pub, ed_priv, ed_pub;
    struct ct_rsa_key rsa;
    struct ct_validation v;
    char hs_tok[1024], es_tok[1024], ed_tok[1024];
    size_t hs_len, es_len, ed_len;
    char out[1024];
    uint8_t claims_out[1024];
};

static void must(ct_status s, const char *what) {
    if (s != CT_STATUS_OK) {
        fprintf(stderr, "ct_bench: %s failed: %s\n", what, ct_status_str(s));
        exit(1);
    }
}

static ct_status sign_with(struct state *st, const struct ct_key *k) {
    size_t len;
    return ct_sign(k, (const uint8_t *)CLAIMS, strlen(CLAIMS), st->out, sizeof st->out, &len);
}
static ct_status verify_with(struct state *st, const struct ct_key *k, const char *tok, size_t n) {
    size_t len;
    return ct_verify(k, &st->v, NOW, tok, n, st->claims_out, sizeof st->claims_out, &len);
}
static ct_status op_hs_sign(struct state *st) { return sign_with(st, &st->hs); }
static ct_status op_hs_verify(struct state *st) { return verify_with(st, &st->hs, st->hs_tok, st->hs_len); }
static ct_status op_es_sign(struct state *st) { return sign_with(st, &st->es_priv); }
static ct_status op_es_verify(struct state *st) { return verify_with(st, &st->es_pub, st->es_tok, st->es_len); }
static ct_status op_ed_sign(struct state *st) { return sign_with(st, &st->ed_priv); }
static ct_status op_ed_verify(struct state *st) { return verify_with(st, &st->ed_pub, st->ed_tok, st->ed_len); }
static ct_status op_rsa_verify(struct state *st) {
    size_t len;
    return ct_verify_rsa(&st->rsa, &st->v, NOW, RS256_TOKEN, strlen(RS256_TOKEN), st->claims_out,
                         sizeof st->claims_out, &len);
}

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median over batches of the mean time per call; each batch lasts >= 1 ms. */
static double measure(ct_status (*op)(struct state *), struct state *st, double budget_ms) {
    must(op(st), "first call");
    long iters = 1;
    for (;;) {
        double t0 = now_ns();
        for (long i = 0; i < iters; i++) op(st);
        if (now_ns() - t0 >= 1e6) break;
        iters *= 2;
    }
    enum { MAX_BATCHES = 4001 };
    static double samples[MAX_BATCHES];
    int n = 0;
    double end = now_ns() + budget_ms * 1e6;
    while (n < MAX_BATCHES && (n < 11 || now_ns() < end)) {
        double t0 = now_ns();
        for (long i = 0; i < iters; i++) op(st);
        samples[n++] = (now_ns() - t0) / (double)iters;
    }
    qsort(samples, (size_t)n, sizeof samples[0], cmp);
    return samples[n / 2];
}

static size_t make_token(struct state *st, const struct ct_key *k, char *tok) {
    size_t len;
    must(ct_sign(k, (const uint8_t *)CLAIMS, strlen(CLAIMS), tok, 1024, &len), "ct_sign");
    return len;
}

static void public_of(const struct ct_key *priv, struct ct_key *pub, int es) {
    uint8_t pk[65];
    size_t n;
    must(ct_key_public_key(priv, pk, sizeof pk, &n), "ct_key_public_key");
    must(es ? ct_key_es256_public(pub, pk, n) : ct_key_ed25519_public(pub, pk, n), "public key");
}

int main(int argc, char **argv) {
    const char *only = getenv("CT_BENCH_ONLY");
    double budget = (argc > 1 && strcmp(argv[1], "--quick") == 0) ? 400.0 : 3000.0;
    static struct state st;
    must(ct_key_hs256(&st.hs, HMAC_SECRET, sizeof HMAC_SECRET), "ct_key_hs256");
    must(ct_key_es256_private(&st.es_priv, P256_SCALAR, 32), "ct_key_es256_private");
    must(ct_key_ed25519_private(&st.ed_priv, ED25519_SEED, 32), "ct_key_ed25519_private");
    public_of(&st.es_priv, &st.es_pub, 1);
    public_of(&st.ed_priv, &st.ed_pub, 0);
    must(ct_rsa_key_public(&st.rsa, CT_ALG_RS256, RSA_N, sizeof RSA_N, RSA_E, sizeof RSA_E), "ct_rsa_key_public");
    must(ct_validation_init(&st.v), "ct_validation_init");
    must(ct_validation_set_issuer(&st.v, "https://auth.example.com", 24), "issuer");
    must(ct_validation_set_audience(&st.v, "gateway-eu1", 11), "audience");
    st.hs_len = make_token(&st, &st.hs, st.hs_tok);
    st.es_len = make_token(&st, &st.es_priv, st.es_tok);
    st.ed_len = make_token(&st, &st.ed_priv, st.ed_tok);

    struct { const char *name; ct_status (*op)(struct state *); } ops[] = {
        {"HS256 sign", op_hs_sign},
        {"HS256 verify+validate", op_hs_verify},
        {"ES256 sign", op_es_sign},
        {"ES256 verify+validate", op_es_verify},
        {"EdDSA sign", op_ed_sign},
        {"EdDSA verify+validate", op_ed_verify},
        {"RS256 verify+validate", op_rsa_verify},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (only != NULL && strcmp(only, ops[i].name) != 0) continue;
        double ns = measure(ops[i].op, &st, budget);
        printf("%s\t%.1f\n", ops[i].name, ns);
        fflush(stdout);
    }
    return 0;
}
