/*
 * A device signs its identity token with a P-256 key held by PSA Crypto (here mbedTLS 2.28;
 * on a device TF-M, Zephyr or nRF Connect SDK): the firmware never sees the private key.
 * The gateway verifies with the public key the device exported at provisioning.
 *
 *     cargo build -p ciphertoken-ffi && make -C examples/psa run
 */
#include "ct_psa.h"

#include <stdio.h>
#include <string.h>

int main(void) {
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    struct ct_psa_key dev = {0, 0, 0};
    uint8_t pub[65];
    size_t pub_len = 0, token_len = 0, claims_len = 0;
    static const char claims[] = "{\"iss\":\"factory\",\"sub\":\"sensor-7\",\"exp\":2000000000}";
    char token[CT_MAX_TOKEN_LEN(sizeof claims)];
    uint8_t verified[CT_VERIFY_CLAIMS_CAP(sizeof token)];
    ct_signer signer;
    ct_key gateway_key;
    ct_validation v;
    ct_status st;

    /* Provisioning: a P-256 key generated inside the key store (volatile here; persistent
     * with psa_set_key_id on a device), usable only to sign hashes with ECDSA-SHA-256. */
    if (psa_crypto_init() != PSA_SUCCESS) return 1;
    psa_set_key_type(&attr, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
    psa_set_key_bits(&attr, 256);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_SIGN_HASH);
    psa_set_key_algorithm(&attr, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
    if (psa_generate_key(&attr, &dev.id) != PSA_SUCCESS) return 1;
    if (psa_export_public_key(dev.id, pub, sizeof pub, &pub_len) != PSA_SUCCESS) return 1;

    /* Device: the signer object wraps the PSA key id; every signature is verified against
     * the public key before the token is released. */
    st = ct_signer_init(&signer, CT_ALG_ES256, pub, pub_len, CT_LIT("device-7"), 0, ct_psa_sign, &dev);
    if (st == CT_STATUS_OK) st = ct_sign_with_signer(&signer, (const uint8_t *)claims, sizeof claims - 1,
                                                     token, sizeof token, &token_len);
    if (st != CT_STATUS_OK) {
        fprintf(stderr, "sign: %s (PSA status %d)\n", ct_status_str(st), (int)dev.last_status);
        return 1;
    }
    printf("token: %s\n", token);

    /* Gateway: the public key only. */
    st = ct_key_es256_public(&gateway_key, pub, pub_len);
    if (st == CT_STATUS_OK) st = ct_validation_init(&v);
    if (st == CT_STATUS_OK) st = ct_validation_set_issuer(&v, CT_LIT("factory"));
    if (st == CT_STATUS_OK) st = ct_verify(&gateway_key, &v, 1900000000u, token, token_len, verified,
                                           sizeof verified, &claims_len);
    printf("gateway: %s: %s\n", ct_status_str(st), st == CT_STATUS_OK ? (const char *)verified : "-");

    ct_signer_wipe(&signer);
    ct_key_wipe(&gateway_key);
    psa_destroy_key(dev.id);
    mbedtls_psa_crypto_free();
    return st == CT_STATUS_OK ? 0 : 1;
}
