/*
 * A device proves who it is: it signs a short-lived ES256 token with its private key.
 *
 *   device                 prints a token valid for 5 minutes
 *   device --public-key    prints the device's public key (SEC1, hex) for the gateway
 *
 * No heap, no RNG (ES256 nonces are derived per RFC 6979), buffers sized at compile time.
 */
#include "ciphertoken.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Demo only (the example key of RFC 7515 A.3): a real device keeps its P-256 private
 * scalar in protected storage. */
static const uint8_t DEVICE_SCALAR[32] = {
    0x8e, 0x9b, 0x10, 0x9e, 0x71, 0x90, 0x98, 0xbf, 0x98, 0x04, 0x87, 0xdf, 0x1f, 0x5d, 0x77, 0xe9,
    0xcb, 0x29, 0x60, 0x6e, 0xbe, 0xd2, 0x26, 0x3b, 0x5f, 0x57, 0xc2, 0x13, 0xdf, 0x84, 0xf4, 0xb2,
};

#define CLAIMS_MAX 256

static int fail(const char *what, ct_status s) {
    fprintf(stderr, "device: %s: %s (%u)\n", what, ct_status_str(s), (unsigned)s);
    return 1;
}

int main(int argc, char **argv) {
    static ct_key key; /* caller-allocated: CT_KEY_SIZE bytes, no heap */
    char claims[CLAIMS_MAX];
    char token[CT_MAX_TOKEN_LEN(CLAIMS_MAX)];
    size_t token_len = 0;
    unsigned long long now = (unsigned long long)time(NULL);
    int n;
    ct_status s;

    s = ct_key_es256_private(&key, DEVICE_SCALAR, sizeof DEVICE_SCALAR);
    if (s != CT_STATUS_OK) return fail("key", s);
    s = ct_key_set_kid(&key, CT_LIT("sensor-7-2026"));
    if (s != CT_STATUS_OK) return fail("kid", s);

    if (argc > 1 && strcmp(argv[1], "--public-key") == 0) {
        uint8_t pub[65];
        size_t pub_len = 0, i;
        s = ct_key_public_key(&key, pub, sizeof pub, &pub_len);
        if (s != CT_STATUS_OK) return fail("public key", s);
        for (i = 0; i < pub_len; i++) printf("%02x", pub[i]);
        printf("\n");
        ct_key_wipe(&key);
        return 0;
    }

    n = snprintf(claims, sizeof claims,
                 "{\"iss\":\"sensor-7\",\"sub\":\"sensor-7\",\"aud\":\"gateway\",\"iat\":%llu,"
                 "\"exp\":%llu,\"fw\":\"1.4.2\",\"roles\":[\"telemetry\",\"ota\"]}",
                 now, now + 300);
    if (n < 0 || (size_t)n >= sizeof claims) {
        fprintf(stderr, "device: claims too long\n");
        return 1;
    }
    s = ct_sign(&key, (const uint8_t *)claims, (size_t)n, token, sizeof token, &token_len);
    ct_key_wipe(&key); /* the private key is no longer needed in RAM */
    if (s != CT_STATUS_OK) return fail("sign", s);
    printf("%s\n", token);
    return 0;
}
