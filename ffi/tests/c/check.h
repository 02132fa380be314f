/*
 * The check macros of the C tests (test_ffi.c, test_lifecycle.c): each check counts as
 * passed or failed, failures are printed with their line; main() prints the totals.
 * Plain C99 that also compiles as C++.
 */
#ifndef CT_TEST_CHECK_H
#define CT_TEST_CHECK_H

#include "ciphertoken.h"

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

#endif
