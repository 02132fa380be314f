/*
 * ciphertoken from C on a microcontroller: libciphertoken.a (thumbv7em-none-eabihf) linked
 * with arm-none-eabi-gcc through include/ciphertoken.h, run under QEMU mps2-an386.
 *
 * Signs and verifies HS256, ES256 and EdDSA tokens at a time read from a monotonic clock
 * over SysTick anchored to a Unix time; checks that a tampered token, an expired token, a
 * token for another algorithm and an unknown time are refused with the right status; prints
 * each operation's stack high-water mark and instruction count (SysTick ticks x 40 under
 * `-icount shift=0`). Exit status 0 only if every check held. Run with `cargo xtask qemu c`.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ciphertoken.h"

/* --- A monotonic clock over SysTick ------------------------------------------------------ */

#define SYST_CSR (*(volatile uint32_t *)0xE000E010)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018)
#define SYST_RELOAD 0x00FFFFFFu
#define TICKS_PER_SECOND 25000000u /* mps2-an386: SYSCLK 25 MHz */
/* Under -icount shift=0 one instruction takes 1 ns: a 25 MHz tick is 40 instructions. */
#define INSTRUCTIONS_PER_TICK 40u

static volatile uint32_t wraps;

void SysTick_Handler(void) { wraps = wraps + 1; }

static void ticks_init(void) {
    SYST_RVR = SYST_RELOAD;
    SYST_CVR = 0;
    SYST_CSR = 7; /* enable, interrupt on wrap, core clock */
}

/* Ticks since ticks_init(), 64 bits wide (the wrap interrupt counts the high bits). */
static uint64_t ticks(void) {
    uint32_t before, current, after;
    do {
        before = wraps;
        current = SYST_CVR;
        after = wraps;
    } while (before != after);
    return ((uint64_t)before << 24) | (SYST_RELOAD - current);
}

/* Unix time = the time learned at boot (from a gateway, NTP, GNSS...) + elapsed ticks. */
static uint64_t anchor_ticks, anchor_unix;

static void clock_sync(uint64_t unix_now) {
    anchor_ticks = ticks();
    anchor_unix = unix_now;
}

static uint64_t now_unix(void) { return anchor_unix + (ticks() - anchor_ticks) / TICKS_PER_SECOND; }

/* --- Stack high-water marks ---------------------------------------------------------------- */

extern uint32_t __stack_limit;
#define PAINT 0x5AC35AC3u

static inline uintptr_t stack_pointer(void) {
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

/* Paints the free stack (below this function's frame) with PAINT. */
__attribute__((noinline)) static void paint(void) {
    uintptr_t top = stack_pointer() & ~(uintptr_t)3;
    for (volatile uint32_t *p = &__stack_limit; (uintptr_t)p < top; p++) {
        *p = PAINT;
    }
}

/* Bytes used below `base` since paint(). */
static size_t stack_used(uintptr_t base) {
    volatile uint32_t *p = &__stack_limit;
    while ((uintptr_t)p < base && *p == PAINT) {
        p++;
    }
    return base - (uintptr_t)p;
}

struct cost {
    size_t stack;
    uint64_t instructions;
};

/* Runs `expr` on a freshly painted stack and records its stack use and instructions. */
#define MEASURE(c, expr)                                                   \
    do {                                                                   \
        paint();                                                           \
        uintptr_t base_ = stack_pointer();                                 \
        uint64_t t0_ = ticks();                                            \
        expr;                                                              \
        uint64_t t1_ = ticks();                                            \
        (c).stack = stack_used(base_);                                     \
        (c).instructions = (t1_ - t0_) * INSTRUCTIONS_PER_TICK;            \
    } while (0)

/* Decimal digits of `v` in `buf` (newlib-nano's printf, which firmware links for size, has no
 * %llu). */
static const char *u64_dec(char buf[21], uint64_t v) {
    char *p = buf + 20;
    *p = '\0';
    do {
        *--p = (char)('0' + (char)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    return p;
}

/* --- Checks ---------------------------------------------------------------------------------- */

static unsigned passed, failed;

static void check(int ok, const char *what, ct_status status) {
    if (ok) {
        passed++;
        printf("PASS %s (%s)\n", what, ct_status_str(status));
    } else {
        failed++;
        printf("FAIL %s (%s, %u)\n", what, ct_status_str(status), (unsigned)status);
    }
}

static const uint8_t HS256_SECRET[32] = "device-7 shared secret, 32 bytes";
/* RFC 6979 A.2.5's P-256 key pair. */
static const uint8_t ES256_SCALAR[32] = {
    0xc9, 0xaf, 0xa9, 0xd8, 0x45, 0xba, 0x75, 0x16, 0x6b, 0x5c, 0x21, 0x57, 0x67, 0xb1, 0xd6, 0x93,
    0x4e, 0x50, 0xc3, 0xdb, 0x36, 0xe8, 0x9b, 0x12, 0x7b, 0x8a, 0x62, 0x2b, 0x12, 0x0f, 0x67, 0x21};
static const uint8_t ES256_SEC1[65] = {
    0x04, 0x60, 0xfe, 0xd4, 0xba, 0x25, 0x5a, 0x9d, 0x31, 0xc9, 0x61, 0xeb, 0x74, 0xc6, 0x35,
    0x6d, 0x68, 0xc0, 0x49, 0xb8, 0x92, 0x3b, 0x61, 0xfa, 0x6c, 0xe6, 0x69, 0x62, 0x2e, 0x60,
    0xf2, 0x9f, 0xb6, 0x79, 0x03, 0xfe, 0x10, 0x08, 0xb8, 0xbc, 0x99, 0xa4, 0x1a, 0xe9, 0xe9,
    0x56, 0x28, 0xbc, 0x64, 0xf2, 0xf1, 0xb2, 0x0c, 0x2d, 0x7e, 0x9f, 0x51, 0x77, 0xa3, 0xc2,
    0x94, 0xd4, 0x46, 0x22, 0x99};
/* RFC 8032 7.1 test 1's Ed25519 key pair. */
static const uint8_t ED25519_SEED[32] = {
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
static const uint8_t ED25519_PUBLIC[32] = {
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a};

typedef ct_status (*key_ctor)(ct_key *key, const uint8_t *bytes, size_t len);

struct algorithm {
    const char *name;
    key_ctor private_key;
    const uint8_t *private_bytes;
    size_t private_len;
    key_ctor public_key;
    const uint8_t *public_bytes;
    size_t public_len;
};

static const struct algorithm ALGORITHMS[] = {
    {"HS256", ct_key_hs256, HS256_SECRET, 32, ct_key_hs256, HS256_SECRET, 32},
    {"ES256", ct_key_es256_private, ES256_SCALAR, 32, ct_key_es256_public, ES256_SEC1, 65},
    {"EdDSA", ct_key_ed25519_private, ED25519_SEED, 32, ct_key_ed25519_public, ED25519_PUBLIC, 32},
};

#define CLAIMS_MAX 160
/* Buffers sized at compile time with the header's macros. */
static char token[CT_MAX_TOKEN_LEN(CLAIMS_MAX)];
static char tampered[CT_MAX_TOKEN_LEN(CLAIMS_MAX)];
static uint8_t claims_out[CT_VERIFY_CLAIMS_CAP(CT_MAX_TOKEN_LEN(CLAIMS_MAX))];

static struct {
    const char *what;
    struct cost cost;
} rows[8];
static unsigned row_count;

static void record(const char *what, struct cost c) {
    if (row_count < sizeof rows / sizeof rows[0]) {
        rows[row_count].what = what;
        rows[row_count].cost = c;
        row_count++;
    }
}

static void exercise(const struct algorithm *alg, const ct_validation *v) {
    static char label[8][48];
    static unsigned labels;
    ct_key private_key, public_key;
    ct_status st = alg->private_key(&private_key, alg->private_bytes, alg->private_len);
    check(st == CT_STATUS_OK, alg->name, st);
    st = alg->public_key(&public_key, alg->public_bytes, alg->public_len);
    check(st == CT_STATUS_OK, "public key", st);

    char claims[CLAIMS_MAX];
    uint64_t now = now_unix();
    char iat_dec[21], exp_dec[21];
    int n = snprintf(claims, sizeof claims,
                     "{\"iss\":\"device-7\",\"sub\":\"sensor-42\",\"aud\":\"gateway\",\"iat\":%s,\"exp\":%s}",
                     u64_dec(iat_dec, now), u64_dec(exp_dec, now + 600));
    size_t token_len = 0;
    struct cost sign_cost, verify_cost;
    MEASURE(sign_cost, st = ct_sign(&private_key, (const uint8_t *)claims, (size_t)n, token, sizeof token, &token_len));
    check(st == CT_STATUS_OK && token_len == strlen(token), "sign", st);
    printf("     %s token, %u bytes: %.40s...\n", alg->name, (unsigned)token_len, token);

    size_t claims_len = 0;
    MEASURE(verify_cost, st = ct_verify(&public_key, v, now_unix(), token, token_len, claims_out,
                                        sizeof claims_out, &claims_len));
    char sub[16];
    size_t sub_len = 0;
    uint64_t exp = 0;
    int same = st == CT_STATUS_OK && claims_len == (size_t)n && memcmp(claims_out, claims, (size_t)n) == 0 &&
               ct_claims_get_str(claims_out, claims_len, CT_LIT("sub"), sub, sizeof sub, &sub_len) == CT_STATUS_OK &&
               strcmp(sub, "sensor-42") == 0 &&
               ct_claims_get_u64(claims_out, claims_len, CT_LIT("exp"), &exp) == CT_STATUS_OK && exp == now + 600;
    check(same, "verify: payload as signed, sub and exp read back", st);

    if (labels + 2 <= 8) {
        snprintf(label[labels], sizeof label[0], "%s ct_sign", alg->name);
        record(label[labels++], sign_cost);
        snprintf(label[labels], sizeof label[0], "%s ct_verify", alg->name);
        record(label[labels++], verify_cost);
    }

    /* One payload character changed in the middle (still canonical base64url). */
    memcpy(tampered, token, token_len + 1);
    const char *first_dot = strchr(tampered, '.');
    const char *second_dot = first_dot ? strchr(first_dot + 1, '.') : NULL;
    if (first_dot && second_dot) {
        char *c = tampered + (first_dot - tampered) + (second_dot - first_dot) / 2;
        *c = *c == 'A' ? 'B' : 'A';
    }
    st = ct_verify(&public_key, v, now_unix(), tampered, token_len, claims_out, sizeof claims_out, &claims_len);
    check(st == CT_STATUS_INVALID_SIGNATURE, "tampered payload refused", st);

    /* An hour later the 10-minute token has expired. */
    st = ct_verify(&public_key, v, now_unix() + 3600, token, token_len, claims_out, sizeof claims_out, &claims_len);
    check(st == CT_STATUS_EXPIRED, "expired token refused", st);

    ct_key_wipe(&private_key);
    ct_key_wipe(&public_key);
}

int main(void) {
    ticks_init();
    printf("ciphertoken %s from C (arm-none-eabi-gcc, libciphertoken.a) on Cortex-M4F, QEMU mps2-an386\n",
           ct_version());
    printf("ct_key %u B, ct_validation %u B, token buffer %u B, claims buffer %u B\n",
           (unsigned)ct_key_size(), (unsigned)ct_validation_size(), (unsigned)sizeof token,
           (unsigned)sizeof claims_out);
    clock_sync(1767225600u); /* 2026-01-01T00:00:00Z, as learned at boot */

    ct_validation v;
    ct_status st = ct_validation_init(&v);
    check(st == CT_STATUS_OK, "validation policy", st);
    st = ct_validation_set_issuer(&v, CT_LIT("device-7"));
    check(st == CT_STATUS_OK, "expected issuer", st);
    st = ct_validation_set_audience(&v, CT_LIT("gateway"));
    check(st == CT_STATUS_OK, "expected audience", st);
    st = ct_validation_set_leeway(&v, 30);
    check(st == CT_STATUS_OK, "leeway", st);

    for (size_t i = 0; i < sizeof ALGORITHMS / sizeof ALGORITHMS[0]; i++) {
        printf("--- %s\n", ALGORITHMS[i].name);
        exercise(&ALGORITHMS[i], &v);
    }

    /* An HS256 token presented with an Ed25519 key; a verification without a known time. */
    ct_key hs, ed;
    size_t token_len = 0, claims_len = 0;
    char claims[CLAIMS_MAX];
    uint64_t now = now_unix();
    char exp_dec[21];
    int n = snprintf(claims, sizeof claims, "{\"iss\":\"device-7\",\"aud\":\"gateway\",\"exp\":%s}",
                     u64_dec(exp_dec, now + 600));
    ct_key_hs256(&hs, HS256_SECRET, 32);
    ct_key_ed25519_public(&ed, ED25519_PUBLIC, 32);
    st = ct_sign(&hs, (const uint8_t *)claims, (size_t)n, token, sizeof token, &token_len);
    check(st == CT_STATUS_OK, "HS256 sign", st);
    st = ct_verify(&ed, &v, now, token, token_len, claims_out, sizeof claims_out, &claims_len);
    check(st == CT_STATUS_ALGORITHM_MISMATCH, "HS256 token with an EdDSA key refused", st);
    st = ct_verify(&hs, &v, 0, token, token_len, claims_out, sizeof claims_out, &claims_len);
    check(st == CT_STATUS_TIME_UNAVAILABLE, "time unknown (now = 0) refused", st);

    printf("\n| operation (C) | stack (B) | instructions |\n|---|---:|---:|\n");
    for (unsigned i = 0; i < row_count; i++) {
        char dec[21];
        printf("| %s | %u | %s |\n", rows[i].what, (unsigned)rows[i].cost.stack,
               u64_dec(dec, rows[i].cost.instructions));
    }
    printf("\nRESULT: %u checks passed, %u failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
