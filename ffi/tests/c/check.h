/*
 * The check macros of the C tests (test_ffi.c, test_lifecycle.c, test_rsa_jwks.c): each check
 * counts as passed or failed, failures are printed with their line; main() prints the totals.
 * Also the small helpers more than one test needs (a base64url decoder for fixtures).
 * Plain C99 that also compiles as C++.
 */
#ifndef CT_TEST_CHECK_H
#define CT_TEST_CHECK_H

#include "ciphertoken.h"

#include <stdint.h>
#include <stdio.h>

static int passed;
static int failed;

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (cond) {                                                           \
            passed++;                                                         \
        } else {                                                              \
            failed++;                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                     \
    } while (0)

#define EXPECT(call, want) expect_status((call), (want), #call, __FILE__, __LINE__)

static inline void expect_status(ct_status got, ct_status want, const char *what, const char *file,
                                 int line) {
    if (got == want) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "%s:%d: %s\n    returned %u (%s), expected %u (%s)\n", file, line, what,
                (unsigned)got, ct_status_str(got), (unsigned)want, ct_status_str(want));
    }
}

#define U8(s) ((const uint8_t *)(s))

/* Whether all n bytes at p equal b. */
static inline int all_bytes(const void *p, size_t n, unsigned char b) {
    const unsigned char *q = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++) {
        if (q[i] != b) {
            return 0;
        }
    }
    return 1;
}

static inline int b64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

/* Decodes unpadded base64url; returns the length, or 0 on error. */
static inline size_t b64url_decode(const char *in, uint8_t *out, size_t cap) {
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;
    for (; *in != '\0'; in++) {
        int v = b64_value(*in);
        if (v < 0) return 0;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n == cap) return 0;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return n;
}

#endif
