//! The keys the command handles, where they come from, and how their format is recognised.
//!
//! Key material is held in zeroizing buffers; the core's `SigningKey`/`VerifyingKey` zeroize
//! their own copies on drop. The algorithm always comes from the key (its PEM/DER OID, its
//! JWK `kty`/`crv`/`alg`, or `--alg` for raw bytes), never from a token.

use crate::exit::{CliError, Result};
use crate::{io, jwk, pkcs};
use ciphertoken::rsa::RsaPublicKey;
use ciphertoken::{
    Algorithm, AnyVerifyingKey, Error as CoreError, RsaVerifyingKey, SigningKey, VerifyingKey,
};
use clap::{Args, ValueEnum};
use zeroize::Zeroizing;

/// The algorithms the command can generate and use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AlgArg {
    Hs256,
    Hs384,
    Hs512,
    Es256,
    #[value(alias = "eddsa")]
    Ed25519,
    /// RSA keys are verify-only: `--alg` names the algorithm an RSA public key is for.
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Ps384,
    Ps512,
}

impl AlgArg {
    pub fn algorithm(self) -> Algorithm {
        match self {
            AlgArg::Hs256 => Algorithm::HS256,
            AlgArg::Hs384 => Algorithm::HS384,
            AlgArg::Hs512 => Algorithm::HS512,
            AlgArg::Es256 => Algorithm::ES256,
            AlgArg::Ed25519 => Algorithm::EdDSA,
            AlgArg::Rs256 => Algorithm::RS256,
            AlgArg::Rs384 => Algorithm::RS384,
            AlgArg::Rs512 => Algorithm::RS512,
            AlgArg::Ps256 => Algorithm::PS256,
            AlgArg::Ps384 => Algorithm::PS384,
            AlgArg::Ps512 => Algorithm::PS512,
        }
    }
}

/// Why an RSA key needs `--alg`: the key fixes the algorithm (RFC 8725 §3.1).
pub const RSA_NEEDS_ALG: &str = "an RSA key does not say which algorithm it is for: pass --alg \
     rs256|rs384|rs512|ps256|ps384|ps512 (the key fixes the algorithm, never the token's header; \
     RFC 8725 §3.1)";

/// The refusal of RSA private keys: verify only.
pub const RSA_VERIFY_ONLY: &str = "RSA keys are verify-only here: ciphertoken checks RS256..PS512 \
     tokens from identity providers but does not sign with RSA; give it the public key \
     (openssl pkey -in KEY -pubout)";

/// How a key is encoded on input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InFormat {
    /// PEM if it starts with `-----BEGIN`, JWK/JWKS if it is a JSON object, DER if it parses
    /// as PKCS#8/SPKI/SEC1, raw bytes otherwise (needs --alg).
    Auto,
    /// PEM: PKCS#8 `PRIVATE KEY`, SEC1 `EC PRIVATE KEY`, SPKI `PUBLIC KEY`, PKCS#1
    /// `RSA PUBLIC KEY`.
    Pem,
    /// DER: PKCS#8, SPKI, SEC1 or a PKCS#1 RSA public key.
    Der,
    /// A JWK (RFC 7517), or a JWK Set for `verify`.
    Jwk,
    /// Raw bytes: HMAC secret, P-256 scalar or SEC1 point, Ed25519 seed or public key.
    Raw,
}

/// How a key is encoded on output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    /// PEM: PKCS#8 `PRIVATE KEY` for private keys, SPKI `PUBLIC KEY` for public keys.
    Pem,
    /// DER: PKCS#8 for private keys, SPKI for public keys (binary).
    #[value(alias = "der")]
    Pkcs8,
    /// P-256 only: SEC1 `EC PRIVATE KEY` PEM (RFC 5915) for a private key, the uncompressed
    /// SEC1 point (65 bytes, binary) for a public key.
    Sec1,
    /// A JWK (RFC 7517/7518/8037) with `kid`, `alg` and `use`.
    Jwk,
    /// Raw bytes (binary): HMAC secret, P-256 scalar or SEC1 point, Ed25519 seed or public key.
    Raw,
}

/// Where the key comes from. Secrets are never accepted in argv.
#[derive(Debug, Clone, Args)]
pub struct KeyArgs {
    /// Key file: PEM, DER, JWK (or a JWK Set for verify) or raw bytes; `-` reads stdin
    #[arg(long, value_name = "PATH|-", conflicts_with = "key_env")]
    pub key_file: Option<String>,
    /// Name of an environment variable that holds the key (same formats as --key-file)
    #[arg(long, value_name = "VAR")]
    pub key_env: Option<String>,
    /// How the key is encoded
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = InFormat::Auto)]
    pub key_format: InFormat,
    /// Algorithm of a raw key, of an RSA public key (PEM/DER, or a JWK without `alg`) or of an
    /// `oct` JWK without `alg`; must match any other key
    #[arg(long = "alg", value_enum, value_name = "ALG", ignore_case = true)]
    pub alg: Option<AlgArg>,
    /// The raw key is a public key (an Ed25519 public key, or a P-256 point), not a private one
    #[arg(long)]
    pub public: bool,
}

impl KeyArgs {
    pub fn given(&self) -> bool {
        self.key_file.is_some() || self.key_env.is_some()
    }

    pub fn reads_stdin(&self) -> bool {
        self.key_file.as_deref() == Some("-")
    }

    fn read(&self) -> Result<(Zeroizing<Vec<u8>>, String)> {
        if let Some(path) = &self.key_file {
            let what = if path == "-" { "key from stdin".to_owned() } else { format!("key file {path}") };
            return Ok((io::read_input(path, "key")?, what));
        }
        if let Some(var) = &self.key_env {
            let value = std::env::var_os(var)
                .ok_or_else(|| CliError::key(format!("environment variable {var} is not set")))?;
            #[cfg(unix)]
            let bytes = {
                use std::os::unix::ffi::OsStringExt;
                Zeroizing::new(value.into_vec())
            };
            #[cfg(not(unix))]
            let bytes = Zeroizing::new(value.to_string_lossy().as_bytes().to_vec());
            if bytes.is_empty() {
                return Err(CliError::key(format!("environment variable {var} is empty")));
            }
            return Ok((bytes, format!("key from ${var}")));
        }
        Err(CliError::usage(
            "no key: pass --key-file PATH|- or --key-env VAR (keys are never taken from argv)",
        ))
    }

    /// Loads one key.
    pub fn load(&self) -> Result<Key> {
        match self.load_any()? {
            Loaded::One(k) => Ok(k),
            Loaded::Set(mut keys) if keys.len() == 1 => Ok(keys.remove(0)),
            Loaded::Set(keys) => Err(CliError::key(format!(
                "the JWK Set holds {} keys; only `verify` selects from a set (by the token's kid)",
                keys.len()
            ))),
        }
    }

    /// Like ssh: a secret in a file that others can read deserves a warning (not a refusal:
    /// the file may live on a volume without Unix permissions).
    fn warn_if_readable_by_others(&self) {
        #[cfg(unix)]
        if let Some(path) = self.key_file.as_deref().filter(|p| *p != "-") {
            use std::os::unix::fs::PermissionsExt;
            if let Ok(meta) = std::fs::metadata(path) {
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    io::note(&format!(
                        "ciphertoken: warning: {path} holds a secret key but has mode {mode:04o}; chmod 600 {path}"
                    ));
                }
            }
        }
    }

    /// Loads one key or a JWK Set.
    pub fn load_any(&self) -> Result<Loaded> {
        let (bytes, what) = self.read()?;
        self.decode_read(&bytes, &what)
    }

    fn decode_read(&self, bytes: &[u8], what: &str) -> Result<Loaded> {
        let mut loaded = decode(bytes, self.key_format, self.alg, self.public)
            .map_err(|e| CliError { message: format!("{what}: {}", e.message), ..e })?;
        let keys: Vec<&mut Key> = match &mut loaded {
            Loaded::One(k) => vec![k],
            Loaded::Set(ks) => ks.iter_mut().collect(),
        };
        if keys.iter().any(|k| k.is_secret()) {
            self.warn_if_readable_by_others();
        }
        if let Some(want) = self.alg {
            for k in keys {
                k.fix_alg(want.algorithm())
                    .map_err(|e| CliError { message: format!("{what}: {}", e.message), ..e })?;
            }
        }
        Ok(loaded)
    }

    /// Loads the key(s) for `verify`: one key, or a JWK Set document for the core's
    /// [`ciphertoken::jwk::JwkSet`] to select from.
    pub fn load_for_verify(&self) -> Result<ForVerify> {
        let (bytes, what) = self.read()?;
        if matches!(self.key_format, InFormat::Auto | InFormat::Jwk)
            && looks_like_json(&bytes)
            && is_jwk_set(&bytes)
        {
            return Ok(ForVerify::Set { doc: bytes, what });
        }
        match self.decode_read(&bytes, &what)? {
            Loaded::One(k) => Ok(ForVerify::One(k)),
            // Not reached: a set is recognised above.
            Loaded::Set(_) => Err(CliError::internal("JWK Set not recognised")),
        }
    }
}

/// Whether a JSON document is a JWK Set (has a `keys` member). Members are skipped, never
/// copied (a private JWK's `d` stays where it is).
fn is_jwk_set(bytes: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        keys: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_slice::<Probe>(bytes).is_ok_and(|p| p.keys.is_some())
}

/// What `verify` checks a token with.
pub enum ForVerify {
    One(Key),
    /// A JWK Set document (public keys), with a description of where it came from.
    Set {
        doc: Zeroizing<Vec<u8>>,
        what: String,
    },
}

/// One key, or a JWK Set.
pub enum Loaded {
    One(Key),
    Set(Vec<Key>),
}

/// Key material, normalised.
pub enum Material {
    Hmac {
        alg: Algorithm,
        secret: Zeroizing<Vec<u8>>,
    },
    /// A P-256 private scalar (big-endian).
    Es256Private(Zeroizing<[u8; 32]>),
    /// An uncompressed SEC1 P-256 point.
    Es256Public([u8; 65]),
    /// An Ed25519 seed (RFC 8032 §5.1.5).
    Ed25519Private(Zeroizing<[u8; 32]>),
    Ed25519Public([u8; 32]),
    /// An RSA public key (verify only) and the algorithm it is for, once known: PEM and DER
    /// carry none (`--alg` gives it), a JWK may carry `alg`.
    RsaPublic {
        alg: Option<Algorithm>,
        key: Box<RsaPublicKey>,
    },
}

/// A validated key and the `kid` its JWK carried, if any.
pub struct Key {
    pub material: Material,
    pub kid: Option<String>,
}

impl Key {
    pub fn new(material: Material) -> Result<Key> {
        let key = Key { material, kid: None };
        if let Material::RsaPublic { alg: None, .. } = key.material {
            // Prepared (so validated) by `Key::rsa`; no algorithm to check yet.
            return Ok(key);
        }
        // Validate now: every later use can rely on the material being accepted by the core.
        key.verifying_key()?;
        if key.is_secret() {
            key.signing_key()?;
        }
        Ok(key)
    }

    /// An RSA public key from its modulus and exponent (big-endian), prepared by the core
    /// (2048 to 4096 bits, odd modulus, odd exponent 3 <= e < 2^33).
    pub fn rsa(n: &[u8], e: &[u8], alg: Option<Algorithm>) -> Result<Key> {
        let key = RsaPublicKey::new(n, e).map_err(|err| match err {
            CoreError::KeyTooShort => CliError {
                message: format!(
                    "RSA key too short: {}-bit modulus; at least 2048 bits are required (RFC 7518 §3.3)",
                    bit_len(n)
                ),
                ..CliError::key_material(err, "RSA key")
            },
            other => CliError {
                message: format!(
                    "not an acceptable RSA public key ({other}): the modulus must be odd and of 2048 \
                     to 4096 bits ({} here), the exponent odd, at least 3 and below 2^33",
                    bit_len(n)
                ),
                ..CliError::key_material(other, "RSA key")
            },
        })?;
        if let Some(a) = alg.filter(|a| !a.is_rsa()) {
            return Err(CliError::key(format!("an RSA key cannot be used for {a} (RS256..PS512 only)")));
        }
        Key::new(Material::RsaPublic { alg, key: Box::new(key) })
    }

    /// The key's algorithm; `None` for an RSA key whose algorithm was not given yet.
    pub fn alg(&self) -> Option<Algorithm> {
        match &self.material {
            Material::Hmac { alg, .. } => Some(*alg),
            Material::Es256Private(_) | Material::Es256Public(_) => Some(Algorithm::ES256),
            Material::Ed25519Private(_) | Material::Ed25519Public(_) => Some(Algorithm::EdDSA),
            Material::RsaPublic { alg, .. } => *alg,
        }
    }

    /// The algorithm's name, or `RSA` for an RSA key without one.
    pub fn alg_name(&self) -> &'static str {
        self.alg().map_or("RSA", Algorithm::name)
    }

    /// Gives an RSA key without algorithm `want`; for every other key, checks that `want` is
    /// the key's algorithm.
    pub fn fix_alg(&mut self, want: Algorithm) -> Result<()> {
        if let Material::RsaPublic { alg: alg @ None, .. } = &mut self.material {
            if !want.is_rsa() {
                return Err(CliError::key(format!(
                    "--alg {want} does not fit an RSA key (rs256, rs384, rs512, ps256, ps384, ps512)"
                )));
            }
            *alg = Some(want);
            return Ok(());
        }
        match self.alg() {
            Some(mine) if mine == want => Ok(()),
            mine => Err(CliError::key(format!(
                "--alg {want} does not match the key's algorithm {}",
                mine.map_or("RSA", Algorithm::name)
            ))),
        }
    }

    /// The RSA modulus size in bits and the public exponent; `None` for other keys.
    pub fn rsa_info(&self) -> Option<(usize, u64)> {
        match &self.material {
            Material::RsaPublic { key, .. } => Some((key.modulus_bits(), key.exponent())),
            _ => None,
        }
    }

    /// The RSA public key, `None` for other keys.
    pub fn rsa_key(&self) -> Option<&RsaPublicKey> {
        match &self.material {
            Material::RsaPublic { key, .. } => Some(key),
            _ => None,
        }
    }

    pub fn is_rsa(&self) -> bool {
        matches!(self.material, Material::RsaPublic { .. })
    }

    /// HMAC secrets and private keys.
    pub fn is_secret(&self) -> bool {
        !matches!(
            self.material,
            Material::Es256Public(_) | Material::Ed25519Public(_) | Material::RsaPublic { .. }
        )
    }

    pub fn is_hmac(&self) -> bool {
        matches!(self.material, Material::Hmac { .. })
    }

    /// The key that signs (for a private key or an HMAC secret).
    pub fn signing_key(&self) -> Result<SigningKey> {
        let key = match &self.material {
            Material::Hmac { alg, secret } => SigningKey::hmac(*alg, secret),
            Material::Es256Private(s) => SigningKey::es256(&s[..]),
            Material::Ed25519Private(s) => SigningKey::ed25519(&s[..]),
            Material::Es256Public(_) | Material::Ed25519Public(_) => {
                return Err(CliError::key("this is a public key; signing needs the private key"));
            }
            Material::RsaPublic { .. } => return Err(CliError::key(RSA_VERIFY_ONLY)),
        };
        key.map_err(|e| CliError::key_material(e, "the key is not accepted"))
    }

    /// The key that verifies.
    pub fn verifying_key(&self) -> Result<AnyVerifyingKey> {
        let key = match &self.material {
            Material::Hmac { alg, secret } => VerifyingKey::hmac(*alg, secret).map(AnyVerifyingKey::Key),
            Material::Es256Public(p) => VerifyingKey::es256_sec1(p).map(AnyVerifyingKey::Key),
            Material::Ed25519Public(p) => VerifyingKey::ed25519(p).map(AnyVerifyingKey::Key),
            Material::Es256Private(_) | Material::Ed25519Private(_) => {
                return Ok(self.signing_key()?.verifying_key().into());
            }
            Material::RsaPublic { alg: Some(alg), key } => {
                RsaVerifyingKey::from_public(*alg, (**key).clone()).map(AnyVerifyingKey::Rsa)
            }
            Material::RsaPublic { alg: None, .. } => return Err(CliError::key(RSA_NEEDS_ALG)),
        };
        key.map_err(|e| CliError::key_material(e, "the key is not accepted"))
    }

    /// The public key's bytes (65-byte SEC1 point or 32-byte Ed25519 key); `None` for HMAC.
    pub fn public_bytes(&self) -> Result<Option<Vec<u8>>> {
        match &self.material {
            Material::Hmac { .. } => Ok(None),
            Material::RsaPublic { .. } => Err(rsa_has_no_raw_form()),
            Material::Es256Public(p) => Ok(Some(p.to_vec())),
            Material::Ed25519Public(p) => Ok(Some(p.to_vec())),
            Material::Es256Private(_) | Material::Ed25519Private(_) => {
                let vk = self.verifying_key()?;
                let mut buf = [0u8; 65];
                let n = vk.public_key_bytes(&mut buf).map_err(|e| CliError::key_material(e, "public key"))?;
                Ok(Some(buf.get(..n).unwrap_or_default().to_vec()))
            }
        }
    }

    /// The public half of an asymmetric key (keeping the `kid`); `None` for HMAC.
    pub fn public(&self) -> Result<Option<Key>> {
        if let Material::RsaPublic { alg, key } = &self.material {
            let material = Material::RsaPublic { alg: *alg, key: key.clone() };
            return Ok(Some(Key { material, kid: self.kid.clone() }));
        }
        let Some(bytes) = self.public_bytes()? else { return Ok(None) };
        let material = match self.alg() {
            Some(Algorithm::ES256) => Material::Es256Public(fixed(&bytes)?),
            _ => Material::Ed25519Public(fixed(&bytes)?),
        };
        Ok(Some(Key { material, kid: self.kid.clone() }))
    }

    /// The RFC 7638 JWK thumbprint (base64url SHA-256). For a private key it is the thumbprint
    /// of its public key, so the device's and the gateway's copies share one `kid`.
    pub fn thumbprint(&self) -> Result<String> {
        jwk::thumbprint(self)
    }

    /// The `kid` the key carries, else its thumbprint.
    pub fn kid_or_thumbprint(&self) -> Result<String> {
        match &self.kid {
            Some(kid) => Ok(kid.clone()),
            None => self.thumbprint(),
        }
    }

    /// The secret bytes (HMAC secret, scalar or seed) or the public bytes.
    pub fn raw(&self) -> Result<Zeroizing<Vec<u8>>> {
        Ok(match &self.material {
            Material::Hmac { secret, .. } => Zeroizing::new(secret.to_vec()),
            Material::Es256Private(s) | Material::Ed25519Private(s) => Zeroizing::new(s.to_vec()),
            Material::Es256Public(_) | Material::Ed25519Public(_) => {
                Zeroizing::new(self.public_bytes()?.unwrap_or_default())
            }
            Material::RsaPublic { .. } => return Err(rsa_has_no_raw_form()),
        })
    }

    /// The key encoded as `format`. Binary formats are flagged so they are kept off terminals.
    pub fn encode(&self, format: OutFormat) -> Result<Encoded> {
        let text =
            |s: Zeroizing<String>| Encoded { bytes: Zeroizing::new(s.as_bytes().to_vec()), binary: false };
        let bin = |b: Zeroizing<Vec<u8>>| Encoded { bytes: b, binary: true };
        match format {
            OutFormat::Jwk => Ok(text(jwk::to_jwk(self)?)),
            OutFormat::Raw => Ok(bin(self.raw()?)),
            OutFormat::Pem => Ok(text(pkcs::to_pem(self)?)),
            OutFormat::Pkcs8 => Ok(bin(pkcs::to_der(self)?)),
            OutFormat::Sec1 => match &self.material {
                Material::Es256Private(s) => Ok(text(pkcs::to_sec1_pem(s)?)),
                Material::Es256Public(p) => Ok(bin(Zeroizing::new(p.to_vec()))),
                _ => Err(CliError::usage("sec1 is a P-256 (ES256) format")),
            },
        }
    }
}

/// An encoded key.
pub struct Encoded {
    pub bytes: Zeroizing<Vec<u8>>,
    pub binary: bool,
}

fn rsa_has_no_raw_form() -> CliError {
    CliError::usage("an RSA key has no raw or SEC1 form; use pem, pkcs8 (SPKI DER) or jwk")
}

/// The length in bits of a big-endian unsigned integer.
fn bit_len(n: &[u8]) -> usize {
    let start = n.iter().position(|&b| b != 0).unwrap_or(n.len());
    let rest = n.get(start..).unwrap_or_default();
    match rest.first() {
        Some(top) => (rest.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
        None => 0,
    }
}

pub fn fixed<const N: usize>(bytes: &[u8]) -> Result<[u8; N]> {
    bytes
        .try_into()
        .map_err(|_| CliError::key(format!("expected {N} bytes of key material, got {}", bytes.len())))
}

pub fn fixed_secret(bytes: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
    let mut out = Zeroizing::new([0u8; 32]);
    if bytes.len() != 32 {
        return Err(CliError::key(format!("expected 32 bytes of private key material, got {}", bytes.len())));
    }
    out.copy_from_slice(bytes);
    Ok(out)
}

fn looks_like_json(bytes: &[u8]) -> bool {
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    bytes.get(start..).is_some_and(|rest| rest.starts_with(b"-----BEGIN "))
}

/// Decodes key bytes in `format`.
pub fn decode(bytes: &[u8], format: InFormat, alg: Option<AlgArg>, public: bool) -> Result<Loaded> {
    match format {
        InFormat::Pem => pkcs::from_pem(bytes).map(Loaded::One),
        InFormat::Der => pkcs::from_der(bytes).map(Loaded::One),
        InFormat::Jwk => jwk::parse(bytes, alg),
        InFormat::Raw => from_raw(bytes, alg, public).map(Loaded::One),
        InFormat::Auto => {
            if looks_like_pem(bytes) {
                return pkcs::from_pem(bytes).map(Loaded::One);
            }
            // A JSON object is a JWK, unless it is not JSON at all and --alg names a raw key
            // (a random HMAC secret may start with `{`).
            if looks_like_json(bytes)
                && (alg.is_none() || serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok())
            {
                return jwk::parse(bytes, alg);
            }
            if bytes.first() == Some(&0x30) {
                if let Ok(k) = pkcs::from_der(bytes) {
                    return Ok(Loaded::One(k));
                }
            }
            if alg.is_none() {
                return Err(CliError::key(
                    "not PEM, JWK or DER; a raw key needs --alg (and --public for a raw public key)",
                ));
            }
            from_raw(bytes, alg, public).map(Loaded::One)
        }
    }
}

fn from_raw(bytes: &[u8], alg: Option<AlgArg>, public: bool) -> Result<Key> {
    let Some(alg) = alg else {
        return Err(CliError::usage("a raw key needs --alg"));
    };
    let material = match (alg, public) {
        (AlgArg::Hs256 | AlgArg::Hs384 | AlgArg::Hs512, false) => {
            Material::Hmac { alg: alg.algorithm(), secret: Zeroizing::new(bytes.to_vec()) }
        }
        (AlgArg::Hs256 | AlgArg::Hs384 | AlgArg::Hs512, true) => {
            return Err(CliError::usage("an HMAC secret has no public key (--public)"));
        }
        (AlgArg::Es256, false) => Material::Es256Private(fixed_secret(bytes)?),
        (AlgArg::Es256, true) => {
            // Normalise a compressed point (33 bytes) to the uncompressed form.
            let vk = VerifyingKey::es256_sec1(bytes)
                .map_err(|e| CliError::key_material(e, "not a P-256 SEC1 point (33 or 65 bytes)"))?;
            let mut buf = [0u8; 65];
            vk.public_key_bytes(&mut buf).map_err(|e| CliError::key_material(e, "public key"))?;
            Material::Es256Public(buf)
        }
        (AlgArg::Ed25519, false) => Material::Ed25519Private(fixed_secret(bytes)?),
        (AlgArg::Ed25519, true) => Material::Ed25519Public(fixed(bytes)?),
        (
            AlgArg::Rs256 | AlgArg::Rs384 | AlgArg::Rs512 | AlgArg::Ps256 | AlgArg::Ps384 | AlgArg::Ps512,
            _,
        ) => {
            return Err(CliError::usage(
                "an RSA key has no raw form: give its public key as PEM (PUBLIC KEY or RSA PUBLIC KEY), \
                 DER or a JWK",
            ));
        }
    };
    Key::new(material)
}
