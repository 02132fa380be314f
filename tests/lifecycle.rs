//! Token life cycle: each promise of the product guide, proven.

use ciphertoken::lifecycle::{days, hours, minutes, seconds, CipherToken, NoClaims, Subject};
use ciphertoken::lifecycle::{DEFAULT_ACCESS_TTL, DEFAULT_REFRESH_TTL};
use ciphertoken::{
    secret_key_with_size, Error, FixedClock, KeySet, NoRevocation, NoVersions, RandomId, RevocationList,
    RevocationStore, Revoked, Secret, SigningKey, VerifyingKey,
};
use core::cell::Cell;
use serde::{Deserialize, Serialize};

/// A deterministic test RNG (splitmix64). Tests only: never use this for real secrets.
struct TestRng(u64);

impl rand_core::RngCore for TestRng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand_core::impls::fill_bytes_via_next(self, dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl rand_core::CryptoRng for TestRng {}

/// An RNG that always fails.
struct BrokenRng;
impl rand_core::RngCore for BrokenRng {
    fn next_u32(&mut self) -> u32 {
        0
    }
    fn next_u64(&mut self) -> u64 {
        0
    }
    fn fill_bytes(&mut self, _dest: &mut [u8]) {}
    fn try_fill_bytes(&mut self, _dest: &mut [u8]) -> Result<(), rand_core::Error> {
        Err(rand_core::Error::from(core::num::NonZeroU32::new(rand_core::Error::CUSTOM_START).unwrap()))
    }
}
impl rand_core::CryptoRng for BrokenRng {}

/// A clock the test can move.
#[derive(Clone)]
struct TestClock<'a>(&'a Cell<u64>);
impl ciphertoken::Clock for TestClock<'_> {
    fn now(&self) -> Result<u64, Error> {
        Ok(self.0.get())
    }
}

const T0: u64 = 1_800_000_000;

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Roles<'a> {
    role: &'a str,
}

fn key(kid: &str, byte: u8) -> SigningKey {
    SigningKey::hs256(&[byte; 32]).unwrap().with_kid(kid).unwrap()
}

struct Bufs {
    a: [u8; 600],
    r: [u8; 600],
    s: [u8; 600],
}
fn bufs() -> Bufs {
    Bufs { a: [0; 600], r: [0; 600], s: [0; 600] }
}

#[test]
fn durations_and_default_ttls() {
    assert_eq!(seconds(5), 5);
    assert_eq!(minutes(10), 600);
    assert_eq!(hours(2), 7_200);
    assert_eq!(days(7), 604_800);
    assert_eq!(days(u64::MAX), u64::MAX); // saturates
    assert_eq!(DEFAULT_ACCESS_TTL, minutes(10));
    assert_eq!(DEFAULT_REFRESH_TTL, days(7));
}

#[test]
fn access_tokens_expire_after_access_ttl_and_refresh_after_refresh_ttl() {
    let now = Cell::new(T0);
    let ct = CipherToken::<_, 2>::new(key("k1", 1), TestClock(&now)).unwrap();
    let mut b = bufs();
    let pair =
        ct.issue_pair(&mut TestRng(1), Subject::new("alice"), &NoClaims {}, &mut b.a, &mut b.r).unwrap();
    let access: String = pair.access.into();
    let refresh: String = pair.refresh.into();
    let v = ct.verify_access::<NoClaims, _, _>(&access, &NoRevocation, &NoVersions, &mut b.s).unwrap();
    assert_eq!(v.registered().exp, Some(T0 + DEFAULT_ACCESS_TTL));
    assert_eq!(v.registered().iat, Some(T0));
    now.set(T0 + DEFAULT_ACCESS_TTL - 1);
    assert!(ct.verify_access::<NoClaims, _, _>(&access, &NoRevocation, &NoVersions, &mut b.s).is_ok());
    now.set(T0 + DEFAULT_ACCESS_TTL);
    assert_eq!(
        ct.verify_access::<NoClaims, _, _>(&access, &NoRevocation, &NoVersions, &mut b.s).err(),
        Some(Error::Expired)
    );
    assert!(ct.verify_refresh::<NoClaims, _, _>(&refresh, &NoRevocation, &NoVersions, &mut b.s).is_ok());
    now.set(T0 + DEFAULT_REFRESH_TTL);
    assert_eq!(
        ct.verify_refresh::<NoClaims, _, _>(&refresh, &NoRevocation, &NoVersions, &mut b.s).err(),
        Some(Error::Expired)
    );
}

#[test]
fn custom_ttls_issuer_audience_and_claims() {
    let ct = CipherToken::<_, 2>::new(key("k1", 1), FixedClock(T0))
        .unwrap()
        .access_ttl(minutes(5))
        .refresh_ttl(hours(12))
        .issuer("auth")
        .audience("api");
    let mut b = bufs();
    let pair = ct
        .issue_pair(
            &mut TestRng(2),
            Subject::new("bob").version(3),
            &Roles { role: "admin" },
            &mut b.a,
            &mut b.r,
        )
        .unwrap();
    let v = ct.verify_access::<Roles, _, _>(pair.access, &NoRevocation, &NoVersions, &mut b.s).unwrap();
    let c = v.registered();
    assert_eq!(c.exp, Some(T0 + 300));
    assert!(c.iss.unwrap().eq_str("auth"));
    assert!(c.aud.unwrap().contains("api"));
    assert!(c.sub.unwrap().eq_str("bob"));
    assert_eq!(c.ver, Some(3));
    assert!(c.token_type.unwrap().eq_str("access"));
    assert!(c.fam.unwrap().eq_str(pair.family.as_str()));
    assert_eq!(v.claims(), &Roles { role: "admin" });

    // The refresh token: unique jti, type refresh, refresh TTL.
    let r = ct.verify_refresh::<Roles, _, _>(pair.refresh, &NoRevocation, &NoVersions, &mut b.s).unwrap();
    assert!(r.registered().jti.unwrap().eq_str(pair.refresh_jti.as_str()));
    assert_eq!(r.registered().exp, Some(T0 + 12 * 3600));

    // Another issuer (same key, other iss) is refused.
    let other =
        CipherToken::<_, 2>::new(key("k1", 1), FixedClock(T0)).unwrap().issuer("evil").audience("api");
    let mut s2 = [0u8; 600];
    assert_eq!(
        other.verify_access::<Roles, _, _>(pair.access, &NoRevocation, &NoVersions, &mut s2).err(),
        Some(Error::InvalidIssuer)
    );
}

#[test]
fn access_and_refresh_tokens_are_not_interchangeable() {
    let ct = CipherToken::<_, 2>::new(key("k1", 1), FixedClock(T0)).unwrap();
    let mut b = bufs();
    let pair =
        ct.issue_pair(&mut TestRng(3), Subject::new("carol"), &NoClaims {}, &mut b.a, &mut b.r).unwrap();
    assert_eq!(
        ct.verify_access::<NoClaims, _, _>(pair.refresh, &NoRevocation, &NoVersions, &mut b.s).err(),
        Some(Error::WrongTokenUse)
    );
    assert_eq!(
        ct.verify_refresh::<NoClaims, _, _>(pair.access, &NoRevocation, &NoVersions, &mut b.s).err(),
        Some(Error::WrongTokenUse)
    );
    // Rotation refuses an access token.
    let mut store = RevocationList::<8>::new();
    let (mut a2, mut r2) = ([0u8; 600], [0u8; 600]);
    let res = ct.rotation::<NoClaims, _, _, _>(
        pair.access,
        &mut store,
        &NoVersions,
        &mut TestRng(4),
        &mut b.s,
        &mut a2,
        &mut r2,
    );
    assert_eq!(res.err(), Some(Error::WrongTokenUse));
    // decode accepts both and returns their claims.
    let mut s = [0u8; 600];
    assert!(ct.decode::<NoClaims>(pair.access, &mut s).is_ok());
    assert!(ct.decode::<NoClaims>(pair.refresh, &mut s).is_ok());
}

#[test]
fn rotation_is_single_use_and_reuse_revokes_the_family() {
    let now = Cell::new(T0);
    let ct = CipherToken::<_, 2>::new(key("k1", 1), TestClock(&now)).unwrap();
    let mut store = RevocationList::<16>::new();
    let mut rng = TestRng(5);
    let mut b = bufs();
    let pair =
        ct.issue_pair(&mut rng, Subject::new("dave"), &Roles { role: "user" }, &mut b.a, &mut b.r).unwrap();
    let first_refresh: String = pair.refresh.into();
    let first_access: String = pair.access.into();

    now.set(T0 + 60);
    let (mut a2, mut r2, mut s2) = ([0u8; 600], [0u8; 600], [0u8; 600]);
    let rotated = ct
        .rotation::<Roles, _, _, _>(
            &first_refresh,
            &mut store,
            &NoVersions,
            &mut rng,
            &mut s2,
            &mut a2,
            &mut r2,
        )
        .unwrap();
    assert_eq!(rotated.family, pair.family, "rotation stays in the login's family");
    assert_ne!(rotated.refresh_jti, pair.refresh_jti, "a new jti");
    let second_access: String = rotated.access.into();
    let second_refresh: String = rotated.refresh.into();
    // The application claims are carried over.
    let mut s = [0u8; 600];
    let v = ct.verify_access::<Roles, _, _>(&second_access, &store, &NoVersions, &mut s).unwrap();
    assert_eq!(v.claims(), &Roles { role: "user" });
    assert!(v.registered().sub.unwrap().eq_str("dave"));
    // The used refresh token is revoked.
    assert_eq!(
        ct.verify_refresh::<Roles, _, _>(&first_refresh, &store, &NoVersions, &mut s).err(),
        Some(Error::Revoked)
    );

    // Presenting the used refresh token again: reuse detected, family revoked.
    let (mut a3, mut r3, mut s3) = ([0u8; 600], [0u8; 600], [0u8; 600]);
    let reuse = ct.rotation::<Roles, _, _, _>(
        &first_refresh,
        &mut store,
        &NoVersions,
        &mut rng,
        &mut s3,
        &mut a3,
        &mut r3,
    );
    assert_eq!(reuse.err(), Some(Error::RefreshTokenReused));
    assert!(store.is_revoked(Revoked::Family(pair.family.as_str()), T0 + 60).unwrap());
    // Every token of the family is now refused, including the legitimately rotated ones.
    for t in [&first_access, &second_access] {
        assert_eq!(
            ct.verify_access::<Roles, _, _>(t, &store, &NoVersions, &mut s).err(),
            Some(Error::Revoked)
        );
    }
    let again = ct.rotation::<Roles, _, _, _>(
        &second_refresh,
        &mut store,
        &NoVersions,
        &mut rng,
        &mut s3,
        &mut a3,
        &mut r3,
    );
    assert_eq!(again.err(), Some(Error::Revoked));

    // Another login of the same subject is unaffected.
    let other =
        ct.issue_pair(&mut rng, Subject::new("dave"), &Roles { role: "user" }, &mut a3, &mut r3).unwrap();
    assert!(ct.verify_access::<Roles, _, _>(other.access, &store, &NoVersions, &mut s).is_ok());
}

#[test]
fn rotation_fails_closed_when_the_store_is_full() {
    let ct = CipherToken::<_, 2>::new(key("k1", 1), FixedClock(T0)).unwrap();
    let mut store = RevocationList::<1>::new();
    store.revoke(Revoked::Token("someone-else"), T0 + 1000, T0).unwrap();
    let mut rng = TestRng(6);
    let mut b = bufs();
    let pair = ct.issue_pair(&mut rng, Subject::new("erin"), &NoClaims {}, &mut b.a, &mut b.r).unwrap();
    let (mut a2, mut r2) = ([0u8; 600], [0u8; 600]);
    let res = ct.rotation::<NoClaims, _, _, _>(
        pair.refresh,
        &mut store,
        &NoVersions,
        &mut rng,
        &mut b.s,
        &mut a2,
        &mut r2,
    );
    assert_eq!(res.err(), Some(Error::StoreFull));
    assert!(store.is_revoked(Revoked::Token("someone-else"), T0).unwrap(), "the live entry is kept");
}

#[test]
fn revocation_list_keeps_live_entries_and_reclaims_expired_ones() {
    let mut list = RevocationList::<3>::new();
    list.revoke(Revoked::Token("a"), 100, 0).unwrap();
    list.revoke(Revoked::Token("b"), 200, 0).unwrap();
    list.revoke(Revoked::Family("f"), 300, 0).unwrap();
    assert_eq!(list.revoke(Revoked::Token("c"), 400, 100), Err(Error::StoreFull));
    for id in [Revoked::Token("a"), Revoked::Token("b"), Revoked::Family("f")] {
        assert!(list.is_revoked(id, 100).unwrap(), "{id:?} kept");
    }
    // Token "f" and family "a" are different keys.
    assert!(!list.is_revoked(Revoked::Token("f"), 0).unwrap());
    assert!(!list.is_revoked(Revoked::Family("a"), 0).unwrap());
    // Re-revoking an existing id needs no room and extends it.
    list.revoke(Revoked::Token("a"), 150, 100).unwrap();
    assert_eq!(list.len(), 3);
    // After "a" (150) has passed, its slot is reclaimed.
    list.revoke(Revoked::Token("c"), 400, 151).unwrap();
    assert!(!list.is_revoked(Revoked::Token("a"), 151).unwrap());
    assert!(list.is_revoked(Revoked::Token("c"), 151).unwrap());
    assert_eq!(list.reclaim(1_000), 3);
    assert!(list.is_empty());
    // Ids longer than the store can hold are refused, not truncated.
    let long = "x".repeat(ciphertoken::MAX_REVOKED_ID_LEN + 1);
    assert_eq!(list.revoke(Revoked::Token(&long), 10, 0), Err(Error::TooLong));
}

#[test]
fn logout_revokes_the_token_until_it_expires() {
    let now = Cell::new(T0);
    let ct = CipherToken::<_, 2>::new(key("k1", 1), TestClock(&now)).unwrap();
    let mut store = RevocationList::<4>::new();
    let mut b = bufs();
    let pair =
        ct.issue_pair(&mut TestRng(7), Subject::new("frank"), &NoClaims {}, &mut b.a, &mut b.r).unwrap();
    let access: String = pair.access.into();
    ct.revoke(&access, &mut store, &mut b.s).unwrap();
    assert_eq!(
        ct.verify_access::<NoClaims, _, _>(&access, &store, &NoVersions, &mut b.s).err(),
        Some(Error::Revoked)
    );
    // Logging out everywhere: the whole family.
    ct.revoke_family(pair.family.as_str(), &mut store).unwrap();
    assert_eq!(
        ct.verify_refresh::<NoClaims, _, _>(pair.refresh, &store, &NoVersions, &mut b.s).err(),
        Some(Error::Revoked)
    );
    // An access token without jti cannot be revoked by jti.
    let mut out = [0u8; 600];
    let no_jti: String = ct.issue_access(Subject::new("frank"), None, &NoClaims {}, &mut out).unwrap().into();
    assert_eq!(ct.revoke(&no_jti, &mut store, &mut b.s), Err(Error::MissingClaim(ciphertoken::Claim::JwtId)));
}

#[test]
fn a_version_bump_invalidates_older_tokens() {
    let current = Cell::new(1u64);
    let versions = |sub: &str| -> Result<Option<u64>, Error> {
        Ok(if sub == "grace" { Some(current.get()) } else { None })
    };
    let ct = CipherToken::<_, 2>::new(key("k1", 1), FixedClock(T0)).unwrap();
    let mut b = bufs();
    let mut out = [0u8; 600];
    let v1: String =
        ct.issue_access(Subject::new("grace").version(1), None, &NoClaims {}, &mut out).unwrap().into();
    assert!(ct.verify_access::<NoClaims, _, _>(&v1, &NoRevocation, &versions, &mut b.s).is_ok());
    current.set(2); // password change
    assert_eq!(
        ct.verify_access::<NoClaims, _, _>(&v1, &NoRevocation, &versions, &mut b.s).err(),
        Some(Error::StaleVersion)
    );
    let v2: String =
        ct.issue_access(Subject::new("grace").version(2), None, &NoClaims {}, &mut out).unwrap().into();
    assert!(ct.verify_access::<NoClaims, _, _>(&v2, &NoRevocation, &versions, &mut b.s).is_ok());
    // Versions are tracked for grace: a token without ver fails closed.
    let none: String = ct.issue_access(Subject::new("grace"), None, &NoClaims {}, &mut out).unwrap().into();
    assert_eq!(
        ct.verify_access::<NoClaims, _, _>(&none, &NoRevocation, &versions, &mut b.s).err(),
        Some(Error::MissingClaim(ciphertoken::Claim::Version))
    );
    // Rotation of a stale refresh token fails too.
    let mut store = RevocationList::<4>::new();
    current.set(2);
    let pair = ct
        .issue_pair(&mut TestRng(8), Subject::new("grace").version(2), &NoClaims {}, &mut b.a, &mut b.r)
        .unwrap();
    current.set(3);
    let (mut a2, mut r2) = ([0u8; 600], [0u8; 600]);
    let res = ct.rotation::<NoClaims, _, _, _>(
        pair.refresh,
        &mut store,
        &versions,
        &mut TestRng(9),
        &mut b.s,
        &mut a2,
        &mut r2,
    );
    assert_eq!(res.err(), Some(Error::StaleVersion));
}

#[test]
fn key_rotation_window_accepts_old_and_new_then_only_new() {
    let now = Cell::new(T0);
    let mut ct = CipherToken::<_, 2>::new(key("2026-10", 1), TestClock(&now)).unwrap();
    let mut out = [0u8; 600];
    let mut s = [0u8; 600];
    let old: String = ct.issue_access(Subject::new("heidi"), None, &NoClaims {}, &mut out).unwrap().into();
    ct.rotate_key(key("2026-11", 2), hours(1)).unwrap();
    let new: String = ct.issue_access(Subject::new("heidi"), None, &NoClaims {}, &mut out).unwrap().into();
    let header = |t: &str| {
        let mut buf = [0u8; 200];
        let h = ciphertoken::hazmat::decode_header(t.as_bytes(), &mut buf).unwrap();
        h.kid.unwrap().as_str().unwrap().to_string()
    };
    assert_eq!(header(&new), "2026-11", "signing uses the current key");
    assert_eq!(header(&old), "2026-10");
    // Inside the window both verify.
    now.set(T0 + 60);
    assert!(ct.verify_access::<NoClaims, _, _>(&old, &NoRevocation, &NoVersions, &mut s).is_ok());
    assert!(ct.verify_access::<NoClaims, _, _>(&new, &NoRevocation, &NoVersions, &mut s).is_ok());
    // After the window only the new key verifies. Tokens that live longer than the window
    // isolate the window from expiry.
    let mut long = CipherToken::<_, 2>::new(key("2026-10", 1), TestClock(&now)).unwrap().access_ttl(days(1));
    now.set(T0);
    let old_long: String =
        long.issue_access(Subject::new("heidi"), None, &NoClaims {}, &mut out).unwrap().into();
    long.rotate_key(key("2026-11", 2), hours(1)).unwrap();
    let new_long: String =
        long.issue_access(Subject::new("heidi"), None, &NoClaims {}, &mut out).unwrap().into();
    now.set(T0 + hours(1) - 1);
    assert!(long.verify_access::<NoClaims, _, _>(&old_long, &NoRevocation, &NoVersions, &mut s).is_ok());
    now.set(T0 + hours(1));
    assert_eq!(
        long.verify_access::<NoClaims, _, _>(&old_long, &NoRevocation, &NoVersions, &mut s).err(),
        Some(Error::UnknownKey)
    );
    assert!(long.verify_access::<NoClaims, _, _>(&new_long, &NoRevocation, &NoVersions, &mut s).is_ok());
    // Once the window has closed the old key's slot is reused; a capacity-2 set cannot
    // start a second window while one is open.
    long.rotate_key(key("2026-12", 3), hours(1)).unwrap();
    assert_eq!(long.rotate_key(key("2027-01", 4), hours(1)), Err(Error::StoreFull));
}

#[test]
fn token_without_kid_against_a_key_set() {
    let mut set = KeySet::<2>::new();
    let k1 = VerifyingKey::hs256(&[1; 32]).unwrap().with_kid("a").unwrap();
    set.insert(k1).unwrap();
    let mut buf = [0u8; 200];
    let mut out = [0u8; 300];
    let no_kid =
        ciphertoken::sign_json(&SigningKey::hs256(&[1; 32]).unwrap(), br#"{"exp":1}"#, &mut out).unwrap();
    let header = ciphertoken::hazmat::decode_header(no_kid.as_bytes(), &mut buf).unwrap();
    assert!(set.select(&header, 0).is_ok(), "one usable key: it is used");
    set.insert(VerifyingKey::hs256(&[2; 32]).unwrap().with_kid("b").unwrap()).unwrap();
    assert_eq!(set.select(&header, 0).err(), Some(Error::UnknownKey), "several keys: refused");
    // Duplicate or missing kids are refused in a multi-key set.
    let mut set = KeySet::<3>::new();
    set.insert(VerifyingKey::hs256(&[1; 32]).unwrap().with_kid("a").unwrap()).unwrap();
    assert_eq!(
        set.insert(VerifyingKey::hs256(&[2; 32]).unwrap().with_kid("a").unwrap()),
        Err(Error::InvalidKeyId)
    );
    assert_eq!(set.insert(VerifyingKey::hs256(&[2; 32]).unwrap()), Err(Error::InvalidKeyId));
}

#[test]
fn secrets_have_a_minimum_size_and_never_print() {
    let mut rng = TestRng(10);
    let mut small = [0u8; 31];
    assert_eq!(secret_key_with_size(&mut rng, &mut small).err(), Some(Error::KeyTooShort));
    let mut buf = [0u8; 64];
    let s = secret_key_with_size(&mut rng, &mut buf).unwrap();
    assert_eq!(s.len(), 64);
    assert!(s.iter().any(|&b| b != 0));
    assert!(SigningKey::hs512(s).is_ok());
    assert_eq!(SigningKey::hs256(&[7; 31]).err(), Some(Error::KeyTooShort));
    assert_eq!(secret_key_with_size(&mut BrokenRng, &mut [0u8; 32]).err(), Some(Error::RandomUnavailable));

    let secret = Secret::<64>::generate(&mut rng, 48).unwrap();
    let shown = format!("{secret:?} {secret}");
    assert!(!shown.contains(&format!("{:?}", secret.expose())));
    assert_eq!(shown, "Secret(48 bytes, ***) ***");
    let key = SigningKey::hs384(secret.expose()).unwrap().with_kid("k").unwrap();
    let dbg = format!("{key:?} {:?}", key.verifying_key());
    for b in secret.expose() {
        assert!(!dbg.contains(&format!("{b}, ")), "key bytes printed: {dbg}");
    }

    // Random ids: 22 base64url characters, distinct, parseable.
    let a = RandomId::generate(&mut rng).unwrap();
    let b = RandomId::generate(&mut rng).unwrap();
    assert_ne!(a, b);
    assert_eq!(a.as_str().len(), 22);
    assert_eq!(RandomId::parse(a.as_str()), Some(a));
    assert_eq!(RandomId::parse("short"), None);
    assert!(RandomId::generate(&mut BrokenRng).is_err());
}

#[test]
fn a_short_buffer_leaves_both_outputs_untouched_and_draws_no_random_bytes() {
    let ct = CipherToken::<_, 2>::new(key("k1", 1), FixedClock(T0)).unwrap();
    let mut rng = TestRng(20);
    let mut b = bufs();
    let full =
        ct.issue_pair(&mut rng, Subject::new("gus"), &Roles { role: "x" }, &mut b.a, &mut b.r).unwrap();
    let (access_len, refresh_len) = (full.access.len(), full.refresh.len());
    let state = rng.0;
    let (mut a, mut r) = ([0x5Au8; 600], [0x5Au8; 600]);
    let res =
        ct.issue_pair(&mut rng, Subject::new("gus"), &Roles { role: "x" }, &mut a, &mut r[..refresh_len - 1]);
    assert_eq!(res.err(), Some(Error::BufferTooSmall { needed: refresh_len }));
    let res =
        ct.issue_pair(&mut rng, Subject::new("gus"), &Roles { role: "x" }, &mut a[..access_len - 1], &mut r);
    assert_eq!(res.err(), Some(Error::BufferTooSmall { needed: access_len }));
    assert!(a.iter().chain(&r).all(|&x| x == 0x5A), "no partial output");
    assert_eq!(rng.0, state, "no random bytes spent on a call that cannot succeed");
    let exact = ct
        .issue_pair(
            &mut rng,
            Subject::new("gus"),
            &Roles { role: "x" },
            &mut a[..access_len],
            &mut r[..refresh_len],
        )
        .unwrap();
    assert_eq!((exact.access.len(), exact.refresh.len()), (access_len, refresh_len));
}

#[test]
fn a_failed_rotation_does_not_use_the_refresh_token_up() {
    let ct = CipherToken::<_, 2>::new(key("k1", 1), FixedClock(T0)).unwrap();
    let mut store = RevocationList::<4>::new();
    let mut rng = TestRng(21);
    let mut b = bufs();
    let pair =
        ct.issue_pair(&mut rng, Subject::new("hal"), &Roles { role: "y" }, &mut b.a, &mut b.r).unwrap();
    let (mut a2, mut r2) = ([0u8; 600], [0u8; 600]);
    // Outputs too small for the new pair.
    let res = ct.rotation::<Roles, _, _, _>(
        pair.refresh,
        &mut store,
        &NoVersions,
        &mut rng,
        &mut b.s,
        &mut a2[..40],
        &mut r2,
    );
    assert!(matches!(res, Err(Error::BufferTooSmall { needed }) if needed > 40));
    // No random numbers for the new ids.
    let res = ct.rotation::<Roles, _, _, _>(
        pair.refresh,
        &mut store,
        &NoVersions,
        &mut BrokenRng,
        &mut b.s,
        &mut a2,
        &mut r2,
    );
    assert_eq!(res.err(), Some(Error::RandomUnavailable));
    assert!(store.is_empty(), "the presented token was not recorded as used");
    let res = ct.rotation::<Roles, _, _, _>(
        pair.refresh,
        &mut store,
        &NoVersions,
        &mut rng,
        &mut b.s,
        &mut a2,
        &mut r2,
    );
    assert!(res.is_ok(), "the login survives: {:?}", res.err());
}

#[test]
fn subjects_longer_than_the_limit_are_refused_when_issuing() {
    use ciphertoken::lifecycle::MAX_SUBJECT_LEN;
    let ct = CipherToken::<_, 2>::new(key("k1", 1), FixedClock(T0)).unwrap();
    let long = "s".repeat(MAX_SUBJECT_LEN + 1);
    let mut out = [0u8; 1000];
    assert_eq!(
        ct.issue_access(Subject::new(&long), None, &NoClaims {}, &mut out).err(),
        Some(Error::TooLong)
    );
    let t = ct.issue_access(Subject::new(&long[1..]), None, &NoClaims {}, &mut out).unwrap();
    let mut s = [0u8; 1000];
    assert!(ct.verify_access::<NoClaims, _, _>(t, &NoRevocation, &NoVersions, &mut s).is_ok());
}

#[test]
fn keys_mut_adds_verification_keys() {
    let other = CipherToken::<_, 2>::new(key("other", 9), FixedClock(T0)).unwrap();
    let mut ct = CipherToken::<_, 2>::new(key("k1", 1), FixedClock(T0)).unwrap();
    let mut b = bufs();
    let t: String = other.issue_access(Subject::new("ivy"), None, &NoClaims {}, &mut b.a).unwrap().into();
    let verify = |ct: &CipherToken<'_, FixedClock, 2>, s: &mut [u8]| {
        ct.verify_access::<NoClaims, _, _>(&t, &NoRevocation, &NoVersions, s).map(|_| ()).err()
    };
    assert_eq!(verify(&ct, &mut b.s), Some(Error::UnknownKey));
    ct.keys_mut().insert(key("other", 9).verifying_key()).unwrap();
    assert_eq!(verify(&ct, &mut b.s), None);
}

#[test]
fn json_application_claims_are_validated_merged_verbatim_and_carried_by_rotation() {
    let ct = CipherToken::<_, 2>::new(key("k1", 1), FixedClock(T0)).unwrap().issuer("auth");
    let mut rng = TestRng(22);
    let mut b = bufs();
    let claims = br#"{ "role" : "ops", "n":[1, 2.50, {"x":null}], "s":"a\u00e9", "t":true }"#;
    let mut needed = [0; 2];
    let pair = ct
        .issue_pair_json(&mut rng, Subject::new("jo").version(4), claims, (&mut b.a, &mut b.r), &mut needed)
        .unwrap();
    assert_eq!(needed, [pair.access.len(), pair.refresh.len()]);
    let mut s = [0u8; 600];
    let payload =
        ct.verify_as(pair.access.as_bytes(), "access", &NoRevocation, &NoVersions, &mut s).unwrap().payload();
    let text = core::str::from_utf8(payload).unwrap();
    assert!(
        text.starts_with(r#"{"iss":"auth","sub":"jo","iat":1800000000,"exp":1800000600,"jti":""#),
        "{text}"
    );
    assert!(text.ends_with(
        r#","type":"access","ver":4,"role":"ops","n":[1, 2.50, {"x":null}],"s":"a\u00e9","t":true}"#
    ));
    let refresh: String = pair.refresh.into();
    assert_eq!(
        ct.verify_as(refresh.as_bytes(), "access", &NoRevocation, &NoVersions, &mut s).err(),
        Some(Error::WrongTokenUse)
    );

    // Rotation carries the application members (and renews the registered ones).
    let mut store = RevocationList::<4>::new();
    let (mut a2, mut r2) = ([0u8; 600], [0u8; 600]);
    let rotated = ct
        .rotation_json(
            refresh.as_bytes(),
            (&mut store, &NoVersions, &mut rng),
            &mut s,
            (&mut a2, &mut r2),
            &mut needed,
        )
        .unwrap();
    assert_eq!(rotated.family, pair.family);
    let mut s2 = [0u8; 600];
    let payload =
        ct.verify_as(rotated.access.as_bytes(), "access", &store, &NoVersions, &mut s2).unwrap().payload();
    let text = core::str::from_utf8(payload).unwrap();
    assert!(text.ends_with(
        r#","type":"access","ver":4,"role":"ops","n":[1, 2.50, {"x":null}],"s":"a\u00e9","t":true}"#
    ));
    assert_eq!(text.matches("\"jti\"").count(), 1, "registered members are not carried twice: {text}");

    // Registered names (also escaped) and non-objects are refused before anything is issued.
    for bad in [&br#"{"exp":1}"#[..], br#"{"a":1,"t\u0079pe":"refresh"}"#, br#"{"fam":"x"}"#] {
        let r = ct.issue_access_json(Subject::default(), None, bad, &mut b.a);
        assert!(matches!(r, Err(Error::InvalidClaim(_))), "{r:?}");
    }
    for bad in [&b"[1]"[..], b"{\"a\":1,\"a\":2}", b"{", b""] {
        assert_eq!(
            ct.issue_access_json(Subject::default(), None, bad, &mut b.a).err(),
            Some(Error::InvalidJson)
        );
    }
    let t = ct.issue_access_json(Subject::default(), None, b"{}", &mut b.a).unwrap();
    assert!(t.split('.').count() == 3);
}
