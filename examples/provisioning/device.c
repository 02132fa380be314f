/*
 * The provisioning walk-through's device (docs/c-firmware.md, "Provisioning a device key"):
 * signs a 5-minute ES256 token with the key that `ciphertoken key export-c --secret` baked
 * into device_key.h, and prints it. walkthrough.sh builds and runs it.
 */
#include "ciphertoken.h"
#include "device_key.h" /* from `ciphertoken key export-c --secret --name device_key` */

#include <stdio.h>
#include <time.h>

#define CLAIMS_MAX 160

int main(void) {
    static ct_key key; /* CT_KEY_SIZE bytes, no heap */
    char claims[CLAIMS_MAX];
    char token[CT_MAX_TOKEN_LEN(CLAIMS_MAX)];
    size_t len = 0;
    unsigned long long now = (unsigned long long)time(NULL);
    int n = snprintf(claims, sizeof claims,
                     "{\"iss\":\"sensor-7\",\"sub\":\"sensor-7\",\"aud\":\"gateway\","
                     "\"iat\":%llu,\"exp\":%llu,\"fw\":\"1.4.2\"}",
                     now, now + 300);
    ct_status s;
    if (n < 0 || (size_t)n >= sizeof claims) return 1;

    s = ct_key_es256_private(&key, device_key, DEVICE_KEY_LEN);
    if (s == CT_STATUS_OK) s = ct_key_set_kid(&key, CT_LIT(DEVICE_KEY_KID));
    if (s == CT_STATUS_OK) s = ct_sign(&key, (const uint8_t *)claims, (size_t)n, token, sizeof token, &len);
    ct_key_wipe(&key); /* the private key is no longer needed in RAM */
    if (s != CT_STATUS_OK) {
        fprintf(stderr, "device: %s\n", ct_status_str(s));
        return 1;
    }
    printf("%s\n", token);
    return 0;
}
