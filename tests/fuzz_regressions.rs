//! Regression tests for inputs found by the fuzz targets (`fuzz/`). Each names the target
//! and the seed kept in `fuzz/corpus/<target>/`.

mod common;

use ciphertoken::{Claim, Error, FixedClock, SigningKey, Validation};
use serde_json::json;

/// round_trip, `fuzz/corpus/round_trip/regression-exp-float-0`: claims whose `exp` is the
/// float `0.0` (serde_json keeps `0.0`). ciphertoken's serializer writes an integral float
/// as an integer, so the token carries `"exp":0`, a well-formed (long expired) time; a
/// float with a fraction is refused by `sign`, as its verifier would refuse it.
#[test]
fn integral_float_time_claims_are_written_as_integers() {
    let key = SigningKey::ed25519(&[9u8; 32]).unwrap().with_kid("n").unwrap();
    let vk = key.verifying_key();
    let mut out = [0u8; 512];
    let mut scratch = [0u8; 512];

    let token = ciphertoken::sign(&key, &json!({"exp": 0.0, "sub": ""}), &mut out).unwrap().to_owned();
    let payload = common::b64d(token.split('.').nth(1).unwrap());
    assert_eq!(payload, br#"{"exp":0,"sub":""}"#);
    let v = Validation::new();
    assert_eq!(
        ciphertoken::verify_registered(&token, &vk, &v, &FixedClock(1_700_000_000), &mut scratch).err(),
        Some(Error::Expired)
    );

    let token = ciphertoken::sign(&key, &json!({"exp": 1.8e9}), &mut out).unwrap().to_owned();
    let (_, claims, _) =
        ciphertoken::verify_registered(&token, &vk, &v, &FixedClock(1_700_000_000), &mut scratch).unwrap();
    assert_eq!(claims.exp, Some(1_800_000_000));

    for bad in [json!({"exp": 1.5}), json!({"exp": -0.0}), json!({"exp": 1e20})] {
        let needed = ciphertoken::token_len(&key, &bad).unwrap();
        let mut out = [0xA5u8; 512];
        assert_eq!(
            ciphertoken::sign(&key, &bad, &mut out),
            Err(Error::InvalidClaim(Claim::ExpirationTime)),
            "{bad}"
        );
        // The token's space is wiped, nothing beyond it is touched.
        assert!(out[..needed].iter().all(|&b| b == 0), "partial token left for {bad}");
        assert!(out[needed..].iter().all(|&b| b == 0xA5), "wrote past the token for {bad}");
    }
}
