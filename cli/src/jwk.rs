//! Single JSON Web Keys (RFC 7517) in and out, for the key types the core implements: `EC`
//! P-256 (RFC 7518 §6.2), `OKP` Ed25519 (RFC 8037 §2), `oct` (RFC 7518 §6.4) and `RSA` public
//! keys (RFC 7518 §6.3.1, verify only), and RFC 7638 thumbprints.
//!
//! This parser handles the command's own keys, private ones included (the core's
//! `ciphertoken::jwk` imports public keys only). `verify` hands a JWK Set to the core's
//! `JwkSet`; other commands take a set only when it holds one key. RSA thumbprints and public
//! JWKs are the core's. Secret members (`d`, `k`) are read into zeroizing strings and written
//! into zeroizing buffers.

use crate::exit::{CliError, Result};
use crate::keys::{fixed, fixed_secret, AlgArg, Key, Loaded, Material};
// Key members (`d`, `k`, and the public ones alike) go through the constant-time codec: no
// table indexed by a secret character, no branch on one (SECURITY.md, constant-time model).
use ciphertoken::hazmat::base64ct as base64url;
use ciphertoken::Algorithm;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// One JWK, or (with `keys`) a JWK Set. Unknown members are ignored (RFC 7517 §4);
/// duplicate members are an error. (No `serde(flatten)`: it would buffer `d`/`k` in
/// non-zeroizing copies.)
#[derive(Deserialize, Default)]
struct Jwk {
    keys: Option<Vec<Jwk>>,
    kty: Option<String>,
    crv: Option<String>,
    x: Option<String>,
    y: Option<String>,
    d: Option<Zeroizing<String>>,
    k: Option<Zeroizing<String>>,
    n: Option<String>,
    e: Option<String>,
    /// RSA private members (RFC 7518 §6.3.2): only their presence matters.
    p: Option<serde::de::IgnoredAny>,
    q: Option<serde::de::IgnoredAny>,
    alg: Option<String>,
    kid: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
}

/// Parses a JWK or a JWK Set.
pub fn parse(bytes: &[u8], alg: Option<AlgArg>) -> Result<Loaded> {
    let doc: Jwk = serde_json::from_slice(bytes).map_err(|e| CliError::key(format!("bad JWK JSON: {e}")))?;
    match &doc.keys {
        Some(keys) => {
            if doc.kty.is_some() {
                return Err(CliError::key("a JWK Set must not also be a JWK"));
            }
            if keys.is_empty() {
                return Err(CliError::key("the JWK Set has no keys"));
            }
            let keys = keys
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    from_jwk(k, alg).map_err(|e| CliError::key(format!("JWK Set key {i}: {}", e.message)))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Loaded::Set(keys))
        }
        None => from_jwk(&doc, alg).map(Loaded::One),
    }
}

pub(crate) fn b64(field: &str, text: &str) -> Result<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(vec![0u8; base64url::decoded_len_max(text.len())]);
    let n = base64url::decode(text.as_bytes(), &mut buf)
        .map_err(|_| CliError::key(format!("JWK `{field}` is not canonical unpadded base64url")))?
        .len();
    buf.truncate(n);
    Ok(buf)
}

fn required<'a>(field: &str, value: &'a Option<String>) -> Result<&'a str> {
    value.as_deref().ok_or_else(|| CliError::key(format!("JWK lacks `{field}`")))
}

fn from_jwk(jwk: &Jwk, alg_arg: Option<AlgArg>) -> Result<Key> {
    if jwk.keys.is_some() {
        return Err(CliError::key("a JWK Set cannot be nested in a JWK Set"));
    }
    let kty = required("kty", &jwk.kty)?;
    if let Some(u) = &jwk.use_ {
        if u != "sig" {
            return Err(CliError::key(format!("JWK `use` is {u:?}, not \"sig\"")));
        }
    }
    // RFC 7517 §4.4: `alg`, when present, names the algorithm the key is for.
    let jwk_alg = match &jwk.alg {
        Some(name) => Some(
            Algorithm::from_name(name)
                .ok_or_else(|| CliError::key(format!("unsupported JWK alg {name:?}")))?,
        ),
        None => None,
    };
    let key = match kty {
        "EC" => {
            let crv = required("crv", &jwk.crv)?;
            if crv != "P-256" {
                return Err(CliError::key(format!("unsupported EC curve {crv:?} (P-256 only)")));
            }
            // RFC 7518 §6.2.1.2/§6.2.1.3: x and y are the full 32 bytes each.
            let x: [u8; 32] = fixed(&b64("x", required("x", &jwk.x)?)?)?;
            let y: [u8; 32] = fixed(&b64("y", required("y", &jwk.y)?)?)?;
            let mut point = [0u8; 65];
            point[0] = 4;
            point[1..33].copy_from_slice(&x);
            point[33..].copy_from_slice(&y);
            match &jwk.d {
                Some(d) => {
                    let key = Key::new(Material::Es256Private(fixed_secret(&b64("d", d)?)?))?;
                    if key.public_bytes()?.as_deref() != Some(&point[..]) {
                        return Err(CliError::key("JWK `d` does not match `x`/`y`"));
                    }
                    key
                }
                None => Key::new(Material::Es256Public(point))?,
            }
        }
        "OKP" => {
            let crv = required("crv", &jwk.crv)?;
            if crv != "Ed25519" {
                return Err(CliError::key(format!("unsupported OKP curve {crv:?} (Ed25519 only)")));
            }
            let x: [u8; 32] = fixed(&b64("x", required("x", &jwk.x)?)?)?;
            match &jwk.d {
                Some(d) => {
                    let key = Key::new(Material::Ed25519Private(fixed_secret(&b64("d", d)?)?))?;
                    if key.public_bytes()?.as_deref() != Some(&x[..]) {
                        return Err(CliError::key("JWK `d` does not match `x`"));
                    }
                    key
                }
                None => Key::new(Material::Ed25519Public(x))?,
            }
        }
        "oct" => {
            let k = jwk.k.as_ref().ok_or_else(|| CliError::key("JWK lacks `k`"))?;
            let alg = match (jwk_alg, alg_arg) {
                (Some(a), _) => a,
                (None, Some(a)) => a.algorithm(),
                (None, None) => {
                    return Err(CliError::key("an `oct` JWK without `alg` needs --alg hs256|hs384|hs512"));
                }
            };
            if !alg.is_hmac() {
                return Err(CliError::key(format!("an `oct` key cannot be used for {alg}")));
            }
            Key::new(Material::Hmac { alg, secret: b64("k", k)? })?
        }
        "RSA" => {
            if jwk.d.is_some() || jwk.p.is_some() || jwk.q.is_some() {
                return Err(CliError::key(crate::keys::RSA_VERIFY_ONLY));
            }
            if let Some(a) = jwk_alg.filter(|a| !a.is_rsa()) {
                return Err(CliError::key(format!("JWK alg {a} does not fit an RSA key")));
            }
            let n = b64("n", required("n", &jwk.n)?)?;
            let e = b64("e", required("e", &jwk.e)?)?;
            Key::rsa(&n, &e, jwk_alg)?
        }
        other => return Err(CliError::key(format!("unsupported JWK kty {other:?} (EC, OKP, RSA, oct)"))),
    };
    if let Some(a) = jwk_alg {
        if Some(a) != key.alg() {
            return Err(CliError::key(format!("JWK alg {a} does not fit a {kty} key")));
        }
    }
    let mut key = key;
    if let Some(kid) = &jwk.kid {
        ciphertoken::KeyId::new(kid).map_err(|e| CliError::key_material(e, "JWK kid"))?;
        key.kid = Some(kid.clone());
    }
    Ok(key)
}

fn enc(bytes: &[u8]) -> Zeroizing<String> {
    let len = base64url::encoded_len(bytes.len()).unwrap_or(0);
    let mut buf = Zeroizing::new(vec![0u8; len]);
    let n = base64url::encode(bytes, &mut buf).unwrap_or(0);
    Zeroizing::new(String::from_utf8_lossy(buf.get(..n).unwrap_or_default()).into_owned())
}

/// The members RFC 7638 §3.2 requires, as `(name, value)` in lexicographic order.
fn required_members(key: &Key) -> Result<Vec<(&'static str, Zeroizing<String>)>> {
    let s = |v: &str| Zeroizing::new(v.to_owned());
    Ok(match &key.material {
        Material::Hmac { secret, .. } => vec![("k", enc(secret)), ("kty", s("oct"))],
        Material::Es256Private(_) | Material::Es256Public(_) => {
            let p = key.public_bytes()?.unwrap_or_default();
            let (x, y) = (p.get(1..33).unwrap_or_default(), p.get(33..65).unwrap_or_default());
            vec![("crv", s("P-256")), ("kty", s("EC")), ("x", enc(x)), ("y", enc(y))]
        }
        Material::Ed25519Private(_) | Material::Ed25519Public(_) => {
            let p = key.public_bytes()?.unwrap_or_default();
            vec![("crv", s("Ed25519")), ("kty", s("OKP")), ("x", enc(&p))]
        }
        Material::RsaPublic { key: rsa, .. } => {
            let (mut n, mut e) = ([0u8; 512], [0u8; 8]);
            let n = rsa.write_modulus(&mut n).map_err(|err| CliError::key_material(err, "RSA modulus"))?;
            let e = rsa.write_exponent(&mut e).map_err(|err| CliError::key_material(err, "RSA exponent"))?;
            vec![("e", enc(e)), ("kty", s("RSA")), ("n", enc(n))]
        }
    })
}

/// The core's RFC 7638 thumbprint (`ciphertoken::jwk::thumbprint_b64`) of a public key.
pub fn core_thumbprint<'k>(vk: impl Into<ciphertoken::KeyRef<'k>>) -> Result<String> {
    let mut out = [0u8; 43];
    let text = ciphertoken::jwk::thumbprint_b64(vk, &mut out)
        .map_err(|e| CliError::key_material(e, "thumbprint"))?;
    Ok(text.to_owned())
}

/// RFC 7638 §3: base64url(SHA-256(the required members, sorted, no white space)). Every
/// value here is base64url or a fixed name, so no JSON escaping is needed (§3.3).
pub fn thumbprint(key: &Key) -> Result<String> {
    if let Some(rsa) = key.rsa_key() {
        // The algorithm is not part of the thumbprint (RFC 7638 §3.2): any RSA one builds it.
        let alg = key.alg().unwrap_or(Algorithm::RS256);
        let vk = ciphertoken::RsaVerifyingKey::from_public(alg, rsa.clone())
            .map_err(|e| CliError::key_material(e, "RSA key"))?;
        return core_thumbprint(&vk);
    }
    let members = required_members(key)?;
    // Reserved up front: a growing String would leave unzeroized copies of `k` behind.
    let mut json = Zeroizing::new(String::with_capacity(512));
    json.push('{');
    for (i, (name, value)) in members.iter().enumerate() {
        // push_str only: no temporary copies of `k`.
        json.push_str(if i > 0 { ",\"" } else { "\"" });
        json.push_str(name);
        json.push_str("\":\"");
        json.push_str(value);
        json.push('"');
    }
    json.push('}');
    let digest = Sha256::digest(json.as_bytes());
    Ok(enc(&digest).to_string())
}

/// The key as a JWK with `kid` (the key's own, else its thumbprint), `alg` and `use`.
pub fn to_jwk(key: &Key) -> Result<Zeroizing<String>> {
    let mut members: Vec<(&str, Zeroizing<String>)> = Vec::new();
    let quoted = |v: &str| Zeroizing::new(format!("\"{v}\""));
    // Fixed order: kty first, as people read it.
    let required = required_members(key)?;
    let kty = required.iter().find(|(n, _)| *n == "kty").map(|(_, v)| v.to_string()).unwrap_or_default();
    members.push(("kty", quoted(&kty)));
    for (name, value) in &required {
        if *name != "kty" {
            members.push((name, quoted(value)));
        }
    }
    match &key.material {
        Material::Es256Private(s) | Material::Ed25519Private(s) => members.push(("d", quoted(&enc(&s[..])))),
        _ => {}
    }
    let kid = key.kid_or_thumbprint()?;
    let kid_json = serde_json::to_string(&kid).map_err(|e| CliError::internal(e.to_string()))?;
    members.push(("kid", Zeroizing::new(kid_json)));
    if let Some(alg) = key.alg() {
        members.push(("alg", quoted(alg.name())));
    }
    members.push(("use", quoted("sig")));
    let mut out = Zeroizing::new(String::with_capacity(1024));
    out.push_str("{\n");
    for (i, (name, value)) in members.iter().enumerate() {
        out.push_str("  \"");
        out.push_str(name);
        out.push_str("\": ");
        out.push_str(value);
        out.push_str(if i + 1 < members.len() { ",\n" } else { "\n" });
    }
    out.push_str("}\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8037_a3_thumbprint() {
        // RFC 8037 A.3: the thumbprint of the A.2 public key.
        let jwk = br#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        let Loaded::One(key) = parse(jwk, None).unwrap() else { panic!("one key") };
        assert_eq!(thumbprint(&key).unwrap(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    }

    #[test]
    fn rfc8037_a1_private_key_matches_its_public_key() {
        let jwk = br#"{"kty":"OKP","crv":"Ed25519",
            "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
            "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        let Loaded::One(key) = parse(jwk, None).unwrap() else { panic!("one key") };
        assert!(key.is_secret());
        let tampered = br#"{"kty":"OKP","crv":"Ed25519",
            "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
            "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURg"}"#;
        assert!(parse(tampered, None).is_err());
    }

    /// Differential: the command's own RFC 7638 thumbprint of P-256 and Ed25519 keys (private
    /// and public) equals the core's `ciphertoken::jwk::thumbprint_b64`.
    #[test]
    fn thumbprints_equal_the_cores() {
        use rand_core::{OsRng, RngCore};
        let mut keys = Vec::new();
        let rfc = br#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        let Loaded::One(rfc_key) = parse(rfc, None).unwrap() else { panic!("one key") };
        keys.push(rfc_key);
        for _ in 0..16 {
            let mut seed = [0u8; 32];
            OsRng.fill_bytes(&mut seed);
            keys.push(Key::new(Material::Ed25519Private(Zeroizing::new(seed))).unwrap());
            // A uniform 32-byte string is a valid P-256 scalar with overwhelming probability.
            if let Ok(k) = Key::new(Material::Es256Private(Zeroizing::new(seed))) {
                keys.push(k);
            }
        }
        let mut checked = 0;
        for key in &keys {
            for k in [key.public().unwrap().unwrap(), Key { material: clone(&key.material), kid: None }] {
                let ours = thumbprint(&k).unwrap();
                assert_eq!(ours, core_thumbprint(&k.verifying_key().unwrap()).unwrap(), "{:?}", k.alg());
                assert_eq!(ours.len(), 43);
                checked += 1;
            }
        }
        assert!(checked >= 60, "{checked}");
        assert_eq!(thumbprint(&keys[0]).unwrap(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    }

    fn clone(m: &Material) -> Material {
        match m {
            Material::Es256Private(s) => Material::Es256Private(s.clone()),
            Material::Ed25519Private(s) => Material::Ed25519Private(s.clone()),
            Material::Es256Public(p) => Material::Es256Public(*p),
            Material::Ed25519Public(p) => Material::Ed25519Public(*p),
            _ => panic!("not an EC/OKP key"),
        }
    }

    #[test]
    fn duplicate_members_and_bad_base64_are_refused() {
        assert!(parse(br#"{"kty":"oct","alg":"HS256","k":"AAAA","k":"BBBB"}"#, None).is_err());
        let padded = br#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo="}"#;
        assert!(parse(padded, None).is_err());
    }
}
