//! Signs and verifies an HS256, an ES256 and an EdDSA token, and prints them with the
//! verified claims. Run with `cargo run --example quickstart`.

use ciphertoken::{sign, verify, Error, FixedClock, SigningKey, Validation};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
    scope: &'a str,
}

fn round_trip(name: &str, key: &SigningKey) -> Result<(), Error> {
    let now = 1_767_225_600; // 2026-01-01T00:00:00Z; a device would use its MonotonicClock.
    let claims = Claims {
        iss: "gateway-1",
        sub: "sensor-42",
        aud: "telemetry",
        iat: now,
        exp: now + 600,
        scope: "write",
    };

    // Sign into a buffer sized at compile time: no heap anywhere.
    let mut out = [0u8; ciphertoken::max_token_len(256)];
    let token = sign(key, &claims, &mut out)?;

    // Verify with a policy that fails closed: exp required, issuer and audience expected.
    let validation = Validation::new().issuer("gateway-1").audience("telemetry").leeway(30);
    let mut scratch = [0u8; 512];
    let verified =
        verify::<Claims, _>(token, &key.verifying_key(), &validation, &FixedClock(now + 60), &mut scratch)?;

    println!("{name} ({} bytes)\n  token:  {token}", token.len());
    println!(
        "  header: alg={} kid={:?}",
        verified.header().alg,
        verified.header().kid.and_then(|k| k.as_str())
    );
    println!("  claims: {:?}\n", verified.claims());

    // The same token an hour later is refused.
    let late =
        verify::<Claims, _>(token, &key.verifying_key(), &validation, &FixedClock(now + 3600), &mut scratch);
    assert_eq!(late.err(), Some(Error::Expired));
    Ok(())
}

fn main() -> Result<(), Error> {
    // Example key material only: generate real keys from a cryptographic RNG.
    let hs256 = SigningKey::hs256(b"quickstart-secret-of-32-bytes-or-more!")?.with_kid("hs-2026-11")?;
    let es256 = SigningKey::es256(&[0x11; 32])?.with_kid("es-2026-11")?;
    let eddsa = SigningKey::ed25519(&[0x22; 32])?.with_kid("ed-2026-11")?;
    round_trip("HS256", &hs256)?;
    round_trip("ES256", &es256)?;
    round_trip("EdDSA", &eddsa)?;
    println!("all three tokens signed, verified, and refused once expired");
    Ok(())
}
