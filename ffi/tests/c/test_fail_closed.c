/*
 * No check fails open, through the C ABI (issue 21): a token whose `jti` or `fam` no
 * revocation store could hold (longer than CT_REVOCATION_MAX_ID_LEN, or empty) is refused by
 * ct_issuer_verify_access and ct_issuer_revoke, and ct_revocation_list_is_revoked reports
 * such an id as an error instead of "not revoked".
 */
#include "check.h"

#include <stdbool.h>
#include <string.h>

#define T0 1800000000ULL

static ct_key key;
static ct_issuer issuer;
static ct_revocation_list list;

/* An access token signed with the issuer's key carrying `jti` and `fam` (NULL: absent) of
 * the given lengths (`c` repeated), as another issuer sharing the key could have made. */
static size_t forge(char *out, size_t cap, size_t jti_len, size_t fam_len, int with_fam) {
    char claims[512], id[200];
    size_t len = 0;
    int n = sprintf(claims, "{\"sub\":\"alice\",\"iat\":%llu,\"exp\":%llu,\"type\":\"access\"", T0, T0 + 600);
    memset(id, 'j', jti_len);
    id[jti_len] = '\0';
    n += sprintf(claims + n, ",\"jti\":\"%s\"", id);
    if (with_fam) {
        memset(id, 'f', fam_len);
        id[fam_len] = '\0';
        n += sprintf(claims + n, ",\"fam\":\"%s\"", id);
    }
    strcpy(claims + n, "}");
    EXPECT(ct_sign(&key, U8(claims), strlen(claims), out, cap, &len), CT_STATUS_OK);
    return len;
}

static ct_status verify(const char *tok, size_t len, const ct_revocation_list *l) {
    uint8_t claims[1024];
    size_t n = 0;
    return ct_issuer_verify_access(&issuer, T0, l, NULL, NULL, tok, len, claims, sizeof claims, &n);
}

int main(void) {
    uint8_t secret[32], scratch[1024];
    char tok[1024], id[CT_REVOCATION_MAX_ID_LEN + 2];
    size_t len;
    bool revoked = true;

    memset(secret, 7, sizeof secret);
    EXPECT(ct_key_hs256(&key, secret, sizeof secret), CT_STATUS_OK);
    EXPECT(ct_key_set_kid(&key, "k1", 2), CT_STATUS_OK);
    EXPECT(ct_issuer_init(&issuer, &key), CT_STATUS_OK);
    EXPECT(ct_revocation_list_init(&list), CT_STATUS_OK);

    /* The longest storable id verifies, can be revoked, and is then refused. */
    len = forge(tok, sizeof tok, CT_REVOCATION_MAX_ID_LEN, 0, 0);
    EXPECT(verify(tok, len, &list), CT_STATUS_OK);
    EXPECT(ct_issuer_revoke(&issuer, T0, &list, tok, len, scratch, sizeof scratch), CT_STATUS_OK);
    EXPECT(verify(tok, len, &list), CT_STATUS_REVOKED);

    /* One byte more: could never be revoked, so it is refused, with or without a list. */
    len = forge(tok, sizeof tok, CT_REVOCATION_MAX_ID_LEN + 1, 0, 0);
    EXPECT(verify(tok, len, &list), CT_STATUS_INVALID_CLAIM);
    EXPECT(verify(tok, len, NULL), CT_STATUS_INVALID_CLAIM);
    EXPECT(ct_issuer_revoke(&issuer, T0, &list, tok, len, scratch, sizeof scratch), CT_STATUS_INVALID_CLAIM);
    len = forge(tok, sizeof tok, 100, 0, 0);
    EXPECT(verify(tok, len, &list), CT_STATUS_INVALID_CLAIM);
    len = forge(tok, sizeof tok, 0, 0, 0);
    EXPECT(verify(tok, len, &list), CT_STATUS_INVALID_CLAIM);

    /* The same for the family id. */
    len = forge(tok, sizeof tok, 8, CT_REVOCATION_MAX_ID_LEN, 1);
    EXPECT(verify(tok, len, &list), CT_STATUS_OK);
    len = forge(tok, sizeof tok, 8, CT_REVOCATION_MAX_ID_LEN + 1, 1);
    EXPECT(verify(tok, len, &list), CT_STATUS_INVALID_CLAIM);
    len = forge(tok, sizeof tok, 8, 0, 1);
    EXPECT(verify(tok, len, &list), CT_STATUS_INVALID_CLAIM);

    /* The list answers an id it could never hold with an error, never "not revoked". */
    memset(id, 'x', sizeof id);
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_TOKEN, id, CT_REVOCATION_MAX_ID_LEN + 1, T0, &revoked),
           CT_STATUS_TOO_LONG);
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_FAMILY, id, CT_REVOCATION_MAX_ID_LEN + 1, T0, &revoked),
           CT_STATUS_TOO_LONG);
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_TOKEN, id, 0, T0, &revoked), CT_STATUS_INVALID_CLAIM);
    CHECK(revoked); /* not written on error */
    EXPECT(ct_revocation_list_is_revoked(&list, CT_REVOKED_TOKEN, id, CT_REVOCATION_MAX_ID_LEN, T0, &revoked),
           CT_STATUS_OK);
    CHECK(!revoked);

    ct_key_wipe(&key);
    printf("test_fail_closed: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
