//! PEM (RFC 7468), PKCS#8 (RFC 5208/5958), SPKI (RFC 5280 §4.1.2.7) and SEC1 (RFC 5915)
//! encodings of P-256 (RFC 5480) and Ed25519 (RFC 8410) keys, and RSA public keys (SPKI with
//! rsaEncryption, PKCS#1 `RSAPublicKey`, RFC 8017 A.1.1) for verification. Command-line only:
//! none of this reaches the core's dependency graph.

use crate::exit::{CliError, Result};
use crate::keys::{fixed, fixed_secret, Key, Material, RSA_VERIFY_ONLY};
use der::asn1::{BitStringRef, ObjectIdentifier, OctetStringRef};
use der::pem::LineEnding;
use der::{Decode, Encode};
use p256::pkcs8::EncodePrivateKey;
use pkcs8::{AlgorithmIdentifierRef, PrivateKeyInfo, SecretDocument};
use spki::SubjectPublicKeyInfoRef;
use zeroize::Zeroizing;

/// id-Ed25519 (RFC 8410 §3).
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// id-ecPublicKey (RFC 5480 §2.1.1).
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// secp256r1 (RFC 5480 §2.1.1.1).
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// rsaEncryption (RFC 8017 A.1).
const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

fn unsupported_oid(oid: ObjectIdentifier) -> CliError {
    if oid == RSA {
        CliError::key(RSA_VERIFY_ONLY)
    } else {
        CliError::key(format!("unsupported key algorithm OID {oid} (P-256, Ed25519, RSA public keys)"))
    }
}

/// A PKCS#1 `RSAPublicKey` (RFC 8017 A.1.1): `SEQUENCE { modulus INTEGER, publicExponent
/// INTEGER }`, prepared by the core.
fn from_pkcs1_public(der: &[u8]) -> Result<Key> {
    let key = pkcs1::RsaPublicKey::from_der(der)
        .map_err(|e| CliError::key(format!("bad PKCS#1 RSA public key: {e}")))?;
    Key::rsa(key.modulus.as_bytes(), key.public_exponent.as_bytes(), None)
}

/// The PKCS#1 `RSAPublicKey` DER of an RSA key.
fn pkcs1_public_der(key: &Key) -> Result<Vec<u8>> {
    let rsa = key.rsa_key().ok_or_else(|| CliError::internal("not an RSA key"))?;
    let (mut n, mut e) = ([0u8; 512], [0u8; 8]);
    let n = rsa.write_modulus(&mut n).map_err(|e| CliError::key_material(e, "RSA modulus"))?;
    let e = rsa.write_exponent(&mut e).map_err(|e| CliError::key_material(e, "RSA exponent"))?;
    let public = pkcs1::RsaPublicKey {
        modulus: der::asn1::UintRef::new(n).map_err(der_error)?,
        public_exponent: der::asn1::UintRef::new(e).map_err(der_error)?,
    };
    public.to_der().map_err(der_error)
}

/// The PEM blocks of `text`: `(label, whole block)`.
fn pem_blocks(text: &str) -> Vec<(&str, &str)> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(begin) = rest.find("-----BEGIN ") {
        let after = &rest[begin + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else { break };
        let label = &after[..label_end];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = rest[begin..].find(&end_marker) else { break };
        let stop = begin + end + end_marker.len();
        blocks.push((label, &rest[begin..stop]));
        rest = &rest[stop..];
    }
    blocks
}

/// Reads the first key block of a PEM file (skipping `EC PARAMETERS`, as OpenSSL writes it
/// before `EC PRIVATE KEY`).
pub fn from_pem(bytes: &[u8]) -> Result<Key> {
    let text = std::str::from_utf8(bytes).map_err(|_| CliError::key("PEM is not UTF-8 text"))?;
    let blocks = pem_blocks(text);
    let Some((label, block)) = blocks.into_iter().find(|(label, _)| *label != "EC PARAMETERS") else {
        return Err(CliError::key("no PEM block found"));
    };
    let (_, der) = der::pem::decode_vec(block.as_bytes())
        .map_err(|e| CliError::key(format!("bad PEM ({label}): {e}")))?;
    let der = Zeroizing::new(der);
    match label {
        "PRIVATE KEY" => from_pkcs8(&der),
        "EC PRIVATE KEY" => from_sec1(&der),
        "PUBLIC KEY" => from_spki(&der),
        "ENCRYPTED PRIVATE KEY" => Err(CliError::key(
            "encrypted PKCS#8 keys are not supported; decrypt first (openssl pkcs8 -in K -out K2)",
        )),
        "RSA PUBLIC KEY" => from_pkcs1_public(&der),
        "RSA PRIVATE KEY" => Err(CliError::key(RSA_VERIFY_ONLY)),
        other => Err(CliError::key(format!("unsupported PEM block `{other}`"))),
    }
}

/// Reads DER: PKCS#8, SPKI, SEC1 or a PKCS#1 RSA public key, whichever parses.
pub fn from_der(der: &[u8]) -> Result<Key> {
    if let Ok(pki) = PrivateKeyInfo::from_der(der) {
        return from_private_key_info(&pki);
    }
    if let Ok(spki) = SubjectPublicKeyInfoRef::from_der(der) {
        return from_spki_ref(&spki);
    }
    if let Ok(key) = from_sec1(der) {
        return Ok(key);
    }
    if pkcs1::RsaPublicKey::from_der(der).is_ok() {
        return from_pkcs1_public(der);
    }
    Err(CliError::key("not a DER PKCS#8, SPKI, SEC1 or PKCS#1 RSA public key"))
}

fn from_pkcs8(der: &[u8]) -> Result<Key> {
    let pki = PrivateKeyInfo::from_der(der).map_err(|e| CliError::key(format!("bad PKCS#8: {e}")))?;
    from_private_key_info(&pki)
}

fn from_private_key_info(pki: &PrivateKeyInfo<'_>) -> Result<Key> {
    let oid = pki.algorithm.oid;
    if oid == EC_PUBLIC_KEY {
        let curve = pki.algorithm.parameters_oid().ok();
        if curve != Some(SECP256R1) {
            return Err(CliError::key("only P-256 (secp256r1) EC keys are supported"));
        }
        return from_ec_private_key(pki.private_key, "P-256 PKCS#8");
    }
    if oid == ED25519 {
        // RFC 8410 §7: no parameters; privateKey is an OCTET STRING holding CurvePrivateKey,
        // itself an OCTET STRING of the 32-byte seed.
        if pki.algorithm.parameters.is_some() {
            return Err(CliError::key("Ed25519 PKCS#8 must not carry algorithm parameters (RFC 8410 §3)"));
        }
        let inner = OctetStringRef::from_der(pki.private_key)
            .map_err(|e| CliError::key(format!("bad Ed25519 CurvePrivateKey: {e}")))?;
        let key = Key::new(Material::Ed25519Private(fixed_secret(inner.as_bytes())?))?;
        // PKCS#8 v2 (RFC 5958) may embed the public key: it must be this seed's.
        if let Some(public) = pki.public_key {
            if key.public_bytes()?.as_deref() != Some(public) {
                return Err(CliError::key("the PKCS#8 public key does not match the private key"));
            }
        }
        return Ok(key);
    }
    Err(unsupported_oid(oid))
}

fn from_sec1(der: &[u8]) -> Result<Key> {
    from_ec_private_key(der, "SEC1 EC key")
}

/// A P-256 key from a SEC1 `ECPrivateKey` (RFC 5915 §3; also the payload of PKCS#8
/// `id-ecPublicKey`). The scalar goes straight to the core, whose range check is constant
/// time (`p256::SecretKey::from_*_der` branches on it and compares the embedded public key
/// with a derived one in variable time, which `cargo xtask ct` reports). The embedded public
/// key, when present, must be this scalar's (public data, compared after derivation).
fn from_ec_private_key(der: &[u8], what: &str) -> Result<Key> {
    let ec = sec1::EcPrivateKey::try_from(der).map_err(|e| CliError::key(format!("bad {what}: {e}")))?;
    if let Some(params) = ec.parameters {
        if params.named_curve() != Some(SECP256R1) {
            return Err(CliError::key("only P-256 (secp256r1) EC keys are supported"));
        }
    }
    // RFC 5915 §3: privateKey is ceiling(log2(n)/8) = 32 bytes for P-256.
    let key = Key::new(Material::Es256Private(fixed_secret(ec.private_key)?))?;
    if let Some(public) = ec.public_key {
        if key.public_bytes()?.as_deref() != Some(public) {
            return Err(CliError::key("the embedded public key does not match the private key"));
        }
    }
    Ok(key)
}

fn from_spki(der: &[u8]) -> Result<Key> {
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|e| CliError::key(format!("bad SPKI: {e}")))?;
    from_spki_ref(&spki)
}

fn from_spki_ref(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<Key> {
    let oid = spki.algorithm.oid;
    let bits =
        spki.subject_public_key.as_bytes().ok_or_else(|| CliError::key("SPKI key is not whole bytes"))?;
    if oid == EC_PUBLIC_KEY {
        if spki.algorithm.parameters_oid().ok() != Some(SECP256R1) {
            return Err(CliError::key("only P-256 (secp256r1) EC keys are supported"));
        }
        let vk = ciphertoken::VerifyingKey::es256_sec1(bits)
            .map_err(|e| CliError::key_material(e, "bad P-256 public point"))?;
        let mut point = [0u8; 65];
        vk.public_key_bytes(&mut point).map_err(|e| CliError::key_material(e, "public key"))?;
        return Key::new(Material::Es256Public(point));
    }
    if oid == ED25519 {
        return Key::new(Material::Ed25519Public(fixed(bits)?));
    }
    if oid == RSA {
        // RFC 3279 §2.3.1: the parameters are NULL (absent is tolerated, as OpenSSL does).
        if spki.algorithm.parameters.is_some_and(|p| !p.is_null()) {
            return Err(CliError::key("rsaEncryption SPKI parameters must be NULL (RFC 3279 §2.3.1)"));
        }
        return from_pkcs1_public(bits);
    }
    Err(unsupported_oid(oid))
}

fn der_error(e: impl std::fmt::Display) -> CliError {
    CliError::internal(format!("DER encoding failed: {e}"))
}

/// PKCS#8 DER of a private key, SPKI DER of a public key.
pub fn to_der(key: &Key) -> Result<Zeroizing<Vec<u8>>> {
    match &key.material {
        Material::Es256Private(s) => {
            let sk =
                p256::SecretKey::from_slice(&s[..]).map_err(|_| CliError::key("invalid P-256 scalar"))?;
            let doc: SecretDocument = sk.to_pkcs8_der().map_err(der_error)?;
            Ok(Zeroizing::new(doc.as_bytes().to_vec()))
        }
        Material::Ed25519Private(s) => {
            let doc = ed25519_pkcs8(s)?;
            Ok(Zeroizing::new(doc.as_bytes().to_vec()))
        }
        Material::Es256Public(_) | Material::Ed25519Public(_) | Material::RsaPublic { .. } => {
            Ok(Zeroizing::new(spki_der(key)?))
        }
        Material::Hmac { .. } => Err(hmac_has_no_der()),
    }
}

fn hmac_has_no_der() -> CliError {
    CliError::usage("an HMAC secret has no PEM/PKCS#8/SEC1 form; use --format jwk or raw")
}

fn ed25519_pkcs8(seed: &[u8; 32]) -> Result<SecretDocument> {
    let inner = Zeroizing::new(OctetStringRef::new(seed).and_then(|o| o.to_der()).map_err(der_error)?);
    let algorithm = AlgorithmIdentifierRef { oid: ED25519, parameters: None };
    SecretDocument::try_from(PrivateKeyInfo::new(algorithm, &inner)).map_err(der_error)
}

fn spki_der(key: &Key) -> Result<Vec<u8>> {
    let public = match key.material {
        Material::RsaPublic { .. } => pkcs1_public_der(key)?,
        _ => key.public_bytes()?.ok_or_else(hmac_has_no_der)?,
    };
    let params;
    let algorithm = match key.material {
        Material::RsaPublic { .. } => {
            params = der::asn1::AnyRef::from(der::asn1::Null);
            AlgorithmIdentifierRef { oid: RSA, parameters: Some(params) }
        }
        Material::Es256Private(_) | Material::Es256Public(_) => {
            params = der::asn1::AnyRef::from(&SECP256R1);
            AlgorithmIdentifierRef { oid: EC_PUBLIC_KEY, parameters: Some(params) }
        }
        _ => AlgorithmIdentifierRef { oid: ED25519, parameters: None },
    };
    let spki = SubjectPublicKeyInfoRef {
        algorithm,
        subject_public_key: BitStringRef::from_bytes(&public).map_err(der_error)?,
    };
    spki.to_der().map_err(der_error)
}

/// PEM: PKCS#8 `PRIVATE KEY` or SPKI `PUBLIC KEY`.
pub fn to_pem(key: &Key) -> Result<Zeroizing<String>> {
    match &key.material {
        Material::Es256Private(s) => {
            let sk =
                p256::SecretKey::from_slice(&s[..]).map_err(|_| CliError::key("invalid P-256 scalar"))?;
            sk.to_pkcs8_pem(LineEnding::LF).map_err(der_error)
        }
        Material::Ed25519Private(s) => {
            ed25519_pkcs8(s)?.to_pem("PRIVATE KEY", LineEnding::LF).map_err(der_error)
        }
        Material::Es256Public(_) | Material::Ed25519Public(_) | Material::RsaPublic { .. } => {
            let der = spki_der(key)?;
            der::pem::encode_string("PUBLIC KEY", LineEnding::LF, &der).map(Zeroizing::new).map_err(der_error)
        }
        Material::Hmac { .. } => Err(hmac_has_no_der()),
    }
}

/// SEC1 `EC PRIVATE KEY` PEM (RFC 5915) of a P-256 scalar.
pub fn to_sec1_pem(scalar: &[u8; 32]) -> Result<Zeroizing<String>> {
    let sk = p256::SecretKey::from_slice(scalar).map_err(|_| CliError::key("invalid P-256 scalar"))?;
    sk.to_sec1_pem(LineEnding::LF).map_err(der_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_blocks_skip_parameters_and_keep_order() {
        let text = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n\
                    junk\n-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
        let blocks = pem_blocks(text);
        assert_eq!(blocks.iter().map(|b| b.0).collect::<Vec<_>>(), ["EC PARAMETERS", "EC PRIVATE KEY"]);
        assert!(blocks[1].1.ends_with("-----END EC PRIVATE KEY-----"));
    }

    #[test]
    fn ed25519_pkcs8_matches_rfc8410_layout() {
        // RFC 8410 §10.3: 302e020100300506032b657004220420 || seed.
        let doc = ed25519_pkcs8(&[0x11; 32]).unwrap();
        let mut expected = vec![
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
        ];
        expected.extend_from_slice(&[0x11; 32]);
        assert_eq!(doc.as_bytes(), &expected[..]);
    }
}
