/*
 * A gateway verifies a device token and reads its claims without a JSON parser.
 *
 *   gateway <device public key, hex> <token>
 *
 * Exit status 0 when the token is accepted, 1 when it is rejected (with the reason).
 */
#include "ciphertoken.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define TOKEN_MAX 1024

static int reject(const char *what, ct_status s) {
    fprintf(stderr, "gateway: rejected: %s: %s (%u)\n", what, ct_status_str(s), (unsigned)s);
    return 1;
}

static size_t from_hex(const char *hex, uint8_t *out, size_t cap) {
    size_t n = 0;
    unsigned byte;
    while (hex[0] != '\0' && hex[1] != '\0' && n < cap && sscanf(hex, "%2x", &byte) == 1) {
        out[n++] = (uint8_t)byte;
        hex += 2;
    }
    return hex[0] == '\0' ? n : 0;
}

int main(int argc, char **argv) {
    static ct_key device_key;
    static ct_validation policy;
    static uint8_t claims[CT_VERIFY_CLAIMS_CAP(TOKEN_MAX)]; /* also the decoding buffer */
    uint8_t pub[65];
    char sub[64], fw[32];
    size_t pub_len, claims_len = 0, len = 0, token_len;
    uint64_t exp = 0;
    bool ota = false;
    uint64_t now = (uint64_t)time(NULL);
    ct_status s;

    if (argc != 3) {
        fprintf(stderr, "usage: gateway <device public key, hex> <token>\n");
        return 2;
    }
    token_len = strlen(argv[2]);
    if (token_len > TOKEN_MAX) return reject("token", CT_STATUS_TOO_LONG);
    pub_len = from_hex(argv[1], pub, sizeof pub);
    s = ct_key_es256_public(&device_key, pub, pub_len);
    if (s != CT_STATUS_OK) return reject("device key", s);

    /* exp required (default); aud must contain "gateway"; sub and iat must be present. */
    ct_validation_init(&policy);
    ct_validation_set_audience(&policy, CT_LIT("gateway"));
    ct_validation_set_required(&policy, CT_CLAIM_EXP | CT_CLAIM_IAT | CT_CLAIM_SUB);
    ct_validation_set_leeway(&policy, 30);

    s = ct_verify(&device_key, &policy, now, argv[2], token_len, claims, sizeof claims, &claims_len);
    if (s != CT_STATUS_OK) return reject("token", s);

    /* The claims are verified: read them with the getters. */
    if ((s = ct_claims_get_str(claims, claims_len, CT_LIT("sub"), sub, sizeof sub, &len)) != CT_STATUS_OK)
        return reject("sub", s);
    if ((s = ct_claims_get_str(claims, claims_len, CT_LIT("fw"), fw, sizeof fw, &len)) != CT_STATUS_OK)
        return reject("fw", s);
    if ((s = ct_claims_get_u64(claims, claims_len, CT_LIT("exp"), &exp)) != CT_STATUS_OK)
        return reject("exp", s);
    s = ct_claims_has_value(claims, claims_len, CT_LIT("roles"), CT_LIT("ota"), &ota);
    if (s != CT_STATUS_OK && s != CT_STATUS_CLAIM_NOT_FOUND) return reject("roles", s);

    printf("gateway: accepted %s (firmware %s), expires in %llu s, may update firmware: %s\n", sub, fw,
           (unsigned long long)(exp - now), ota ? "yes" : "no");
    printf("gateway: claims %s\n", (const char *)claims);
    return 0;
}
