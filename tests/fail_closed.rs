//! No check fails open: every place where an id, a name or a value could not be checked
//! because it did not fit (a bounded buffer, a store's capacity) refuses the token instead
//! of skipping the check. One test per finding (see SECURITY.md, "No check fails open").

use ciphertoken::lifecycle::{CipherToken, NoClaims, Subject};
use ciphertoken::{
    sign_json, Claim, Error, FixedClock, NoVersions, RevocationList, RevocationStore, Revoked, SigningKey,
    MAX_REVOKED_ID_LEN,
};

const NOW: u64 = 1_800_000_000;

fn key() -> SigningKey {
    SigningKey::hs256(&[7; 32]).unwrap().with_kid("k1").unwrap()
}

fn issuer() -> CipherToken<'static, FixedClock, 2> {
    CipherToken::<_, 2>::new(key(), FixedClock(NOW)).unwrap()
}

/// An access token with the issuer's key, shape and policy but an arbitrary `jti`/`fam`
/// text (raw JSON, escapes allowed): what another issuer sharing the key, or an older
/// version of this library, could have signed.
fn forged_access(jti: Option<&str>, fam: Option<&str>) -> String {
    let mut json = format!(r#"{{"sub":"alice","iat":{NOW},"exp":{},"type":"access""#, NOW + 600);
    if let Some(j) = jti {
        json.push_str(&format!(r#","jti":"{j}""#));
    }
    if let Some(f) = fam {
        json.push_str(&format!(r#","fam":"{f}""#));
    }
    json.push('}');
    let mut out = [0u8; 1024];
    sign_json(&key(), json.as_bytes(), &mut out).unwrap().to_owned()
}

fn verify(ct: &CipherToken<'_, FixedClock, 2>, token: &str, store: &RevocationList<8>) -> Result<(), Error> {
    let mut scratch = [0u8; 1024];
    ct.verify_access::<NoClaims, _, _>(token, store, &NoVersions, &mut scratch).map(|_| ())
}

/// The issue's reproduction: a 100-byte `jti` was issued, could not be revoked
/// (`BufferTooSmall { needed: 100 }`) and kept verifying.
#[test]
fn an_id_no_store_can_hold_is_never_issued() {
    let ct = issuer();
    let mut out = [0u8; 1024];
    let long = "j".repeat(100);
    assert_eq!(
        ct.issue_access(Subject::new("alice"), Some(&long), &NoClaims {}, &mut out),
        Err(Error::TooLong)
    );
    assert_eq!(
        ct.issue_access_json(Subject::new("alice"), Some(&long), b"{}", &mut out),
        Err(Error::TooLong)
    );
    assert!(out.iter().all(|&b| b == 0), "nothing written on refusal");
    let edge = "j".repeat(MAX_REVOKED_ID_LEN + 1);
    assert_eq!(
        ct.issue_access(Subject::new("alice"), Some(&edge), &NoClaims {}, &mut out),
        Err(Error::TooLong)
    );
    // An empty id cannot be revoked either (stores refuse to record "").
    assert_eq!(
        ct.issue_access(Subject::new("alice"), Some(""), &NoClaims {}, &mut out),
        Err(Error::InvalidClaim(Claim::JwtId))
    );
}

#[test]
fn every_issued_id_can_be_revoked_up_to_the_limit() {
    let ct = issuer();
    let mut store = RevocationList::<8>::new();
    // The longest accepted id, multi-byte UTF-8 included (the limit is in bytes).
    for id in ["j".repeat(MAX_REVOKED_ID_LEN), "é".repeat(MAX_REVOKED_ID_LEN / 2), "a\"b\\c".into()] {
        let mut out = [0u8; 1024];
        let token =
            ct.issue_access(Subject::new("alice"), Some(&id), &NoClaims {}, &mut out).unwrap().to_owned();
        assert_eq!(verify(&ct, &token, &store), Ok(()));
        let mut scratch = [0u8; 1024];
        ct.revoke(&token, &mut store, &mut scratch).unwrap();
        assert_eq!(verify(&ct, &token, &store), Err(Error::Revoked), "{id}");
    }
}

#[test]
fn a_token_whose_jti_cannot_be_looked_up_is_refused() {
    let ct = issuer();
    let store = RevocationList::<8>::new();
    assert_eq!(verify(&ct, &forged_access(Some("short"), None), &store), Ok(()));
    let edge = "j".repeat(MAX_REVOKED_ID_LEN);
    assert_eq!(verify(&ct, &forged_access(Some(&edge), None), &store), Ok(()));
    let long = "j".repeat(100);
    let token = forged_access(Some(&long), None);
    assert_eq!(verify(&ct, &token, &store), Err(Error::InvalidClaim(Claim::JwtId)));
    let mut scratch = [0u8; 1024];
    assert_eq!(
        ct.revoke(&token, &mut RevocationList::<8>::new(), &mut scratch),
        Err(Error::InvalidClaim(Claim::JwtId))
    );
    // The limit is on the decoded id: 64 escaped characters (384 bytes of JSON) fit...
    let escaped = "\\u006a".repeat(MAX_REVOKED_ID_LEN);
    assert_eq!(verify(&ct, &forged_access(Some(&escaped), None), &store), Ok(()));
    // ...and 65 do not.
    let escaped = "\\u006a".repeat(MAX_REVOKED_ID_LEN + 1);
    assert_eq!(
        verify(&ct, &forged_access(Some(&escaped), None), &store),
        Err(Error::InvalidClaim(Claim::JwtId))
    );
    // An empty jti could never have been revoked.
    assert_eq!(verify(&ct, &forged_access(Some(""), None), &store), Err(Error::InvalidClaim(Claim::JwtId)));
}

#[test]
fn a_token_whose_family_cannot_be_looked_up_is_refused() {
    let ct = issuer();
    let store = RevocationList::<8>::new();
    let ok = "f".repeat(MAX_REVOKED_ID_LEN);
    assert_eq!(verify(&ct, &forged_access(Some("a"), Some(&ok)), &store), Ok(()));
    let long = "f".repeat(MAX_REVOKED_ID_LEN + 1);
    assert_eq!(
        verify(&ct, &forged_access(Some("a"), Some(&long)), &store),
        Err(Error::InvalidClaim(Claim::Family))
    );
    assert_eq!(verify(&ct, &forged_access(None, Some("")), &store), Err(Error::InvalidClaim(Claim::Family)));
    // Revoking a family id the list cannot hold is an error, never a silent no-op.
    let mut list = RevocationList::<8>::new();
    assert_eq!(ct.revoke_family(&long, &mut list), Err(Error::TooLong));
}

/// A store asked about an id it could never hold says so instead of "not revoked", so a
/// caller (the C list, an application checking by hand) cannot mistake it for a clean id.
#[test]
fn the_revocation_list_refuses_lookups_of_ids_it_cannot_hold() {
    let list = RevocationList::<8>::new();
    let long = "x".repeat(MAX_REVOKED_ID_LEN + 1);
    assert_eq!(list.is_revoked(Revoked::Token(&long), NOW), Err(Error::TooLong));
    assert_eq!(list.is_revoked(Revoked::Family(&long), NOW), Err(Error::TooLong));
    assert_eq!(list.is_revoked(Revoked::Token(""), NOW), Err(Error::InvalidClaim(Claim::JwtId)));
    assert_eq!(list.is_revoked(Revoked::Family(""), NOW), Err(Error::InvalidClaim(Claim::Family)));
    assert_eq!(list.is_revoked(Revoked::Token(&long[..MAX_REVOKED_ID_LEN]), NOW), Ok(false));
}

/// A registered claim name written with escapes is the registered claim (the claims parser
/// decodes names into a small buffer; a name too long for it is an application claim, which
/// is only right because every registered name is shorter than that buffer).
#[test]
fn escaped_registered_claim_names_are_still_checked() {
    let ct = issuer();
    let store = RevocationList::<8>::new();
    let expired = format!(r#"{{"sub":"alice","iat":{NOW},"\u0065xp":{},"type":"access"}}"#, NOW - 1);
    let mut out = [0u8; 1024];
    let token = sign_json(&key(), expired.as_bytes(), &mut out).unwrap().to_owned();
    assert_eq!(verify(&ct, &token, &store), Err(Error::Expired));
    let refresh = format!(r#"{{"sub":"alice","iat":{NOW},"exp":{},"\u0074ype":"refresh"}}"#, NOW + 60);
    let token = sign_json(&key(), refresh.as_bytes(), &mut out).unwrap().to_owned();
    assert_eq!(verify(&ct, &token, &store), Err(Error::WrongTokenUse));
    // A long escaped jti name is still `jti`, and its over-long value still refused.
    let long = format!(
        r#"{{"sub":"alice","iat":{NOW},"exp":{},"type":"access","\u006a\u0074\u0069":"{}"}}"#,
        NOW + 60,
        "j".repeat(65)
    );
    let token = sign_json(&key(), long.as_bytes(), &mut out).unwrap().to_owned();
    assert_eq!(verify(&ct, &token, &store), Err(Error::InvalidClaim(Claim::JwtId)));
}

/// A store without a length limit, like the Redis fleet's deny set (`redis/src/denyset.rs`
/// keys a `HashMap` by the id): the fleet recorded a long `jti` as revoked, but the core
/// skipped the look-up for ids over 64 bytes and accepted the revoked token. Now the core
/// refuses such a token before asking any store.
#[test]
fn a_store_without_a_length_limit_is_not_bypassed() {
    use std::cell::RefCell;
    use std::collections::HashSet;
    #[derive(Default)]
    struct Unbounded(RefCell<HashSet<(bool, String)>>);
    impl RevocationStore for Unbounded {
        fn revoke(&mut self, id: Revoked<'_>, _exp: u64, _now: u64) -> Result<(), Error> {
            let key = match id {
                Revoked::Token(s) => (false, s.to_owned()),
                Revoked::Family(s) => (true, s.to_owned()),
            };
            self.0.borrow_mut().insert(key);
            Ok(())
        }
        fn is_revoked(&self, id: Revoked<'_>, _now: u64) -> Result<bool, Error> {
            let key = match id {
                Revoked::Token(s) => (false, s.to_owned()),
                Revoked::Family(s) => (true, s.to_owned()),
            };
            Ok(self.0.borrow().contains(&key))
        }
    }
    let ct = issuer();
    let long = "j".repeat(100);
    let mut store = Unbounded::default();
    store.revoke(Revoked::Token(&long), NOW + 600, NOW).unwrap();
    let token = forged_access(Some(&long), None);
    let mut scratch = [0u8; 1024];
    let r = ct.verify_access::<NoClaims, _, _>(&token, &store, &NoVersions, &mut scratch).map(|_| ());
    assert_eq!(r, Err(Error::InvalidClaim(Claim::JwtId)), "a revoked token must never verify");
    // Short ids still go to the store and are found there.
    store.revoke(Revoked::Token("short"), NOW + 600, NOW).unwrap();
    let token = forged_access(Some("short"), None);
    let r = ct.verify_access::<NoClaims, _, _>(&token, &store, &NoVersions, &mut scratch).map(|_| ());
    assert_eq!(r, Err(Error::Revoked));
}
