//! A login → refresh → logout story with access/refresh pairs, rotation, reuse detection,
//! revocation, token versions and a key rotation. Run with `cargo run --example lifecycle`.

use ciphertoken::lifecycle::{hours, minutes, CipherToken, Subject};
use ciphertoken::{Error, NoVersions, RevocationList, SigningKey, SystemClock};
use rand_core::OsRng;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
struct App<'a> {
    role: &'a str,
}

fn main() -> Result<(), Error> {
    // A fresh 256-bit secret from the OS RNG, and the issuer/verifier around it.
    let mut secret = [0u8; 32];
    let secret = ciphertoken::secret_key_with_size(&mut OsRng, &mut secret)?;
    let key = SigningKey::hs256(secret)?.with_kid("2026-11")?;
    let mut ct = CipherToken::<_, 2>::new(key, SystemClock)?.access_ttl(minutes(10)).issuer("auth.example");
    let mut revoked = RevocationList::<64>::new();
    let (mut access, mut refresh, mut scratch) = ([0u8; 512], [0u8; 512], [0u8; 512]);

    // 1. Login: a pair of tokens.
    let login =
        ct.issue_pair(&mut OsRng, Subject::new("alice"), &App { role: "admin" }, &mut access, &mut refresh)?;
    println!("login   access  {}\n        refresh {}", login.access, login.refresh);
    let refresh_1 = String::from(login.refresh);
    let ok = ct.verify_access::<App, _, _>(login.access, &revoked, &NoVersions, &mut scratch)?;
    println!("verify  role={} (access token accepted)", ok.claims().role);

    // 2. Refresh: single use, same family.
    let (mut a2, mut r2, mut s2) = ([0u8; 512], [0u8; 512], [0u8; 512]);
    let next = ct.rotation::<App, _, _, _>(
        &refresh_1,
        &mut revoked,
        &NoVersions,
        &mut OsRng,
        &mut s2,
        &mut a2,
        &mut r2,
    )?;
    println!("refresh new pair in family {}", next.family);
    let refresh_2 = String::from(next.refresh);

    // 3. A thief replays the old refresh token: the whole family is revoked.
    let (mut a3, mut r3, mut s3) = ([0u8; 512], [0u8; 512], [0u8; 512]);
    let replay = ct.rotation::<App, _, _, _>(
        &refresh_1,
        &mut revoked,
        &NoVersions,
        &mut OsRng,
        &mut s3,
        &mut a3,
        &mut r3,
    );
    println!("replay  {:?}", replay.err());
    let after = ct.rotation::<App, _, _, _>(
        &refresh_2,
        &mut revoked,
        &NoVersions,
        &mut OsRng,
        &mut s3,
        &mut a3,
        &mut r3,
    );
    println!("family  {:?} (even the legitimate refresh token is refused now)", after.err());

    // 4. Key rotation without downtime: new tokens use the new key, old ones verify for an hour.
    ct.rotate_key(SigningKey::hs256(&[0x5a; 32])?.with_kid("2026-12")?, hours(1))?;
    let login =
        ct.issue_pair(&mut OsRng, Subject::new("alice"), &App { role: "admin" }, &mut access, &mut refresh)?;
    let header = ciphertoken::hazmat::decode_header(login.access.as_bytes(), &mut scratch)?;
    println!("rotated new tokens carry kid {:?}", header.kid.and_then(|k| k.as_str()));

    // 5. Logout: revoke the access token (until it expires) and the family.
    let access_3 = String::from(login.access);
    ct.revoke(&access_3, &mut revoked, &mut scratch)?;
    ct.revoke_family(login.family.as_str(), &mut revoked)?;
    let gone = ct.verify_access::<App, _, _>(&access_3, &revoked, &NoVersions, &mut scratch);
    println!("logout  {:?}; {} entries in the revocation list", gone.err(), revoked.len());
    Ok(())
}
