/*
 * An installed-package consumer: built against `cargo xtask install --prefix DIR` only (the
 * header and library found through pkg-config or CMake's find_package, never the source
 * tree). Signs an HS256 token, verifies it, and checks that a tampered one is refused and
 * that the linked library is the version the header declares. Exit status 0 on success.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <ciphertoken.h>

static int failures;

static void expect(int ok, const char *what, ct_status st) {
    printf("%s %s (%s)\n", ok ? "PASS" : "FAIL", what, ct_status_str(st));
    if (!ok) {
        failures++;
    }
}

int main(void) {
    static const uint8_t secret[32] = "consumer test secret, 32 bytes!";
    static const char claims[] = "{\"sub\":\"consumer\",\"exp\":2000000000}";
    ct_key key;
    ct_validation v;
    char token[256];
    uint8_t out[128];
    size_t token_len = 0, out_len = 0;

    expect(strcmp(ct_version(), CT_VERSION_STRING) == 0, "library version matches the header", CT_STATUS_OK);
    ct_status st = ct_key_hs256(&key, secret, sizeof secret);
    expect(st == CT_STATUS_OK, "HS256 key", st);
    st = ct_validation_init(&v);
    expect(st == CT_STATUS_OK, "validation policy", st);
    st = ct_sign(&key, (const uint8_t *)claims, sizeof claims - 1, token, sizeof token, &token_len);
    expect(st == CT_STATUS_OK, "sign", st);
    st = ct_verify(&key, &v, 1900000000u, token, token_len, out, sizeof out, &out_len);
    expect(st == CT_STATUS_OK && out_len == sizeof claims - 1 && memcmp(out, claims, out_len) == 0,
           "verify returns the signed claims", st);
    token[token_len - 2] = token[token_len - 2] == 'A' ? 'B' : 'A';
    st = ct_verify(&key, &v, 1900000000u, token, token_len, out, sizeof out, &out_len);
    expect(st == CT_STATUS_INVALID_SIGNATURE, "tampered signature refused", st);
    ct_key_wipe(&key);
    printf("consumer: %s, %d failed\n", ct_version(), failures);
    return failures == 0 ? 0 : 1;
}
