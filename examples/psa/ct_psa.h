/*
 * ct_psa.h: a ct_signer callback over the PSA Crypto API (Arm PSA Certified Crypto API 1.x:
 * mbedTLS >= 2.28, TF-M, Zephyr, nRF Connect SDK). The private key stays in the PSA key
 * store (in TF-M, in the secure partition); the firmware only holds its key id.
 *
 * Copy this file into the firmware. Usage:
 *     struct ct_psa_key dev = { key_id };
 *     ct_signer_init(&signer, CT_ALG_ES256, pub, pub_len, CT_LIT("kid"), 0, ct_psa_sign, &dev);
 * ES256: the key needs PSA_KEY_USAGE_SIGN_HASH and PSA_ALG_ECDSA(PSA_ALG_SHA_256) (or the
 * deterministic PSA_ALG_DETERMINISTIC_ECDSA); psa_sign_hash returns raw r||s, the JWS format.
 * HS256: a PSA_KEY_TYPE_HMAC key with PSA_KEY_USAGE_SIGN_MESSAGE and
 * PSA_ALG_HMAC(PSA_ALG_SHA_256), signed with psa_mac_compute.
 * Ed25519 (psa_sign_message with PSA_ALG_PURE_EDDSA) needs a PSA implementation that has it
 * (TF-M 2.x, mbedTLS 3.x with a driver); mbedTLS 2.28 does not.
 */
#ifndef CT_PSA_H
#define CT_PSA_H

#include "ciphertoken.h"

#include <psa/crypto.h>

/* The callback's context: the PSA key and, for ES256, the signature algorithm. */
struct ct_psa_key {
    psa_key_id_t id;
    psa_algorithm_t alg; /* 0: PSA_ALG_ECDSA(PSA_ALG_SHA_256) / PSA_ALG_HMAC(PSA_ALG_SHA_256) */
    psa_status_t last_status; /* the last PSA status, for diagnostics */
};

/* ct_sign_fn over PSA: ES256 gets the SHA-256 digest (psa_sign_hash), HS256 the message. */
static inline ct_status ct_psa_sign(void *ctx, uint32_t alg, const uint8_t *input, size_t input_len,
                                    uint8_t *sig_out, size_t sig_cap, size_t *sig_len) {
    struct ct_psa_key *key = (struct ct_psa_key *)ctx;
    psa_status_t st;
    if (alg == CT_ALG_ES256) {
        psa_algorithm_t a = key->alg ? key->alg : PSA_ALG_ECDSA(PSA_ALG_SHA_256);
        st = psa_sign_hash(key->id, a, input, input_len, sig_out, sig_cap, sig_len);
    } else if (alg == CT_ALG_HS256) {
        psa_algorithm_t a = key->alg ? key->alg : PSA_ALG_HMAC(PSA_ALG_SHA_256);
        st = psa_mac_compute(key->id, a, input, input_len, sig_out, sig_cap, sig_len);
    } else {
        st = PSA_ERROR_NOT_SUPPORTED;
    }
    key->last_status = st;
    /* Any non-zero status: the library returns CT_STATUS_SIGNER_FAILED. */
    return st == PSA_SUCCESS ? CT_STATUS_OK : CT_STATUS_INVALID_KEY;
}

#endif
