//! Keys in a PKCS#11 token (an HSM, a smart card, SoftHSM2): `sign --pkcs11 URI` and
//! `pkcs11-public URI`.
//!
//! The key is named by an RFC 7512 `pkcs11:` URI; the private key never leaves the token:
//! the token signs through the core's external-signer seam (`ExternalKey`), which checks
//! every signature (length, `r`/`s` range, `S < L`, and a verification against the public
//! key read from the token; for HMAC a second MAC) before a token is printed.
//!
//! The PIN comes from `--pin-file PATH|-`, `--pin-env VAR` or the URI's `pin-source`
//! (a file), never from argv: a URI carrying `pin-value` is refused.
//!
//! ES256 signs the SHA-256 digest with `CKM_ECDSA` (PKCS#11 returns raw `r‖s`, the JWS
//! format), EdDSA the message with `CKM_EDDSA` (Ed25519), HS256/384/512 with
//! `CKM_SHA256_HMAC`/`CKM_SHA384_HMAC`/`CKM_SHA512_HMAC` on a generic-secret or HMAC key.
//!
//! The URI parser is written here (no crate parses RFC 7512): percent-decoding, one
//! attribute at most once, unknown attributes refused (RFC 7512 §2.3: an unknown path
//! attribute must not be ignored).

use crate::exit::{CliError, Result};
use crate::keys::AlgArg;
use ciphertoken::{Algorithm, Error as CoreError, ExternalKey, ExternalSigner, VerifyingKey};
use clap::Args;
use cryptoki::context::{CInitializeArgs, Pkcs11};
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use std::path::PathBuf;
use zeroize::Zeroizing;

/// The options of a command that uses a key in a PKCS#11 token.
#[derive(Debug, Args, Clone, Default)]
pub struct Pkcs11Args {
    /// Sign with a key in a PKCS#11 token (HSM, smart card, SoftHSM2), named by an RFC 7512
    /// URI, e.g. `pkcs11:token=dev;object=signing-key;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so`
    #[arg(long, value_name = "URI")]
    pub pkcs11: Option<String>,
    /// The PKCS#11 module (shared library) [default: the URI's module-path, else $PKCS11_MODULE]
    #[arg(long, value_name = "PATH", requires = "pkcs11")]
    pub pkcs11_module: Option<PathBuf>,
    /// File holding the token's user PIN (its first line), `-` for stdin
    #[arg(long, value_name = "PATH", requires = "pkcs11", conflicts_with = "pin_env")]
    pub pin_file: Option<String>,
    /// Environment variable holding the token's user PIN
    #[arg(long, value_name = "VAR", requires = "pkcs11")]
    pub pin_env: Option<String>,
}

/// A parsed `pkcs11:` URI (RFC 7512 §2.3).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Uri {
    pub token: Option<String>,
    pub manufacturer: Option<String>,
    pub serial: Option<String>,
    pub model: Option<String>,
    pub slot_id: Option<u64>,
    pub object: Option<String>,
    pub id: Option<Vec<u8>>,
    pub class: Option<Class>,
    pub module_path: Option<String>,
    pub pin_source: Option<String>,
}

/// The URI's `type` attribute, for the kinds of object that can sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Private,
    Secret,
}

fn uri_error(message: impl Into<String>) -> CliError {
    CliError::usage(format!("pkcs11 URI: {}", message.into()))
}

/// RFC 3986 §2.1 percent-decoding of one attribute value.
fn pct_decode(value: &str) -> Result<Vec<u8>> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or_else(|| uri_error("truncated %-escape"))?;
            let hex = std::str::from_utf8(hex).map_err(|_| uri_error("bad %-escape"))?;
            let b = u8::from_str_radix(hex, 16).map_err(|_| uri_error(format!("bad %-escape %{hex}")))?;
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

fn text(value: &str, name: &str) -> Result<String> {
    String::from_utf8(pct_decode(value)?).map_err(|_| uri_error(format!("{name} is not UTF-8")))
}

impl Uri {
    /// Parses a `pkcs11:` URI. Path attributes (`;`-separated) select the token and the
    /// object; query attributes (`&`-separated) the module and the PIN source.
    pub fn parse(uri: &str) -> Result<Uri> {
        let rest =
            uri.strip_prefix("pkcs11:").ok_or_else(|| uri_error("must start with `pkcs11:` (RFC 7512)"))?;
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        let mut u = Uri::default();
        let mut seen = std::collections::HashSet::new();
        let attrs = path.split(';').filter(|a| !a.is_empty()).map(|a| (a, true));
        let attrs = attrs.chain(
            query.into_iter().flat_map(|q| q.split('&')).filter(|a| !a.is_empty()).map(|a| (a, false)),
        );
        for (attr, in_path) in attrs {
            let (name, value) =
                attr.split_once('=').ok_or_else(|| uri_error(format!("`{attr}` has no `=`")))?;
            if !seen.insert(name.to_owned()) {
                return Err(uri_error(format!("`{name}` appears twice")));
            }
            match (name, in_path) {
                ("token", true) => u.token = Some(text(value, name)?),
                ("manufacturer", true) => u.manufacturer = Some(text(value, name)?),
                ("serial", true) => u.serial = Some(text(value, name)?),
                ("model", true) => u.model = Some(text(value, name)?),
                ("slot-id", true) => {
                    u.slot_id =
                        Some(text(value, name)?.parse().map_err(|_| uri_error("slot-id is not a number"))?)
                }
                ("object", true) => u.object = Some(text(value, name)?),
                ("id", true) => u.id = Some(pct_decode(value)?),
                ("type", true) => {
                    u.class = Some(match value {
                        "private" => Class::Private,
                        "secret-key" => Class::Secret,
                        other => {
                            return Err(uri_error(format!(
                                "type={other} cannot sign (private or secret-key)"
                            )))
                        }
                    })
                }
                ("module-path", false) => u.module_path = Some(text(value, name)?),
                ("pin-source", false) => u.pin_source = Some(text(value, name)?),
                ("pin-value", false) => {
                    return Err(uri_error(
                        "pin-value puts the PIN on the command line: use --pin-file, --pin-env or pin-source",
                    ))
                }
                (other, true) => {
                    return Err(uri_error(format!(
                        "path attribute `{other}` is not supported (an unknown attribute must not be ignored)"
                    )))
                }
                (other, false) => {
                    return Err(uri_error(format!("query attribute `{other}` is not supported")))
                }
            }
        }
        if u.object.is_none() && u.id.is_none() {
            return Err(uri_error("name the key with `object=` (its label) and/or `id=`"));
        }
        Ok(u)
    }
}

fn p11(what: &str) -> impl Fn(cryptoki::error::Error) -> CliError + '_ {
    move |e| CliError::key(format!("pkcs11: {what}: {e}"))
}

/// The PIN: --pin-file, --pin-env or the URI's pin-source (a file path or `file:` URI).
fn pin(args: &Pkcs11Args, uri: &Uri) -> Result<Option<Zeroizing<String>>> {
    let from_file = |path: &str| -> Result<Zeroizing<String>> {
        let bytes = crate::io::read_input(path, "PIN")?;
        let text = std::str::from_utf8(&bytes).map_err(|_| CliError::key("the PIN is not UTF-8"))?;
        Ok(Zeroizing::new(text.lines().next().unwrap_or_default().to_owned()))
    };
    if let Some(path) = &args.pin_file {
        return from_file(path).map(Some);
    }
    if let Some(var) = &args.pin_env {
        let value = std::env::var(var)
            .map_err(|_| CliError::key(format!("environment variable {var} is not set")))?;
        return Ok(Some(Zeroizing::new(value)));
    }
    if let Some(source) = &uri.pin_source {
        let path = source.strip_prefix("file://").or_else(|| source.strip_prefix("file:")).unwrap_or(source);
        return from_file(path).map(Some);
    }
    Ok(None)
}

/// A key in a token, behind an open, logged-in session.
pub struct TokenKey {
    session: Session,
    key: ObjectHandle,
    alg: Algorithm,
    public: Vec<u8>,
    kid: Option<String>,
    label: Option<String>,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKey").field("alg", &self.alg).field("label", &self.label).finish_non_exhaustive()
    }
}

impl ExternalSigner for TokenKey {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    fn public_key(&self) -> &[u8] {
        &self.public
    }

    fn sign(&self, input: &[u8], signature: &mut [u8]) -> std::result::Result<usize, CoreError> {
        let eddsa = EddsaParams::new(EddsaSignatureScheme::Pure);
        let mechanism = match self.alg {
            Algorithm::ES256 => Mechanism::Ecdsa,
            Algorithm::EdDSA => Mechanism::Eddsa(eddsa),
            Algorithm::HS256 => Mechanism::Sha256Hmac,
            Algorithm::HS384 => Mechanism::Sha384Hmac,
            Algorithm::HS512 => Mechanism::Sha512Hmac,
            _ => return Err(CoreError::UnsupportedAlgorithm),
        };
        let sig = self.session.sign(&mechanism, self.key, input).map_err(|_| CoreError::SignerFailed)?;
        let out = signature.get_mut(..sig.len()).ok_or(CoreError::SignerFailed)?;
        out.copy_from_slice(&sig);
        Ok(sig.len())
    }
}

/// DER OID of prime256v1 / secp256r1 (RFC 5480 §2.1.1.1), as CKA_EC_PARAMS holds it.
const P256_PARAMS: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// DER OID of Ed25519 (RFC 8410 §3), or the PKCS#11 3.0 printable string "edwards25519".
const ED25519_OID: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
const ED25519_NAME: &[u8] = b"\x13\x0cedwards25519";

/// CKA_EC_POINT: a DER OCTET STRING around the point (PKCS#11 2.40 §2.3.3), or (some
/// modules) the bare point.
fn unwrap_point(point: &[u8], len: usize) -> Option<Vec<u8>> {
    match point {
        [0x04, n, rest @ ..] if usize::from(*n) == len && rest.len() == len => Some(rest.to_vec()),
        bare if bare.len() == len => Some(bare.to_vec()),
        _ => None,
    }
}

/// Opens the token the URI names, logs in and finds the key.
pub fn open(args: &Pkcs11Args, alg_arg: Option<AlgArg>) -> Result<TokenKey> {
    let uri_text = args.pkcs11.as_deref().ok_or_else(|| CliError::usage("no --pkcs11 URI"))?;
    let uri = Uri::parse(uri_text)?;
    let module = args
        .pkcs11_module
        .clone()
        .or_else(|| uri.module_path.as_ref().map(PathBuf::from))
        .or_else(|| std::env::var_os("PKCS11_MODULE").map(PathBuf::from))
        .ok_or_else(|| {
            CliError::usage(
                "no PKCS#11 module: add ?module-path=... to the URI, --pkcs11-module or $PKCS11_MODULE",
            )
        })?;
    let ctx = Pkcs11::new(&module)
        .map_err(|e| CliError::key(format!("pkcs11: cannot load {}: {e}", module.display())))?;
    ctx.initialize(CInitializeArgs::OsThreads).map_err(p11("C_Initialize"))?;

    let mut found = Vec::new();
    for slot in ctx.get_slots_with_token().map_err(p11("C_GetSlotList"))? {
        let info = ctx.get_token_info(slot).map_err(p11("C_GetTokenInfo"))?;
        let matches =
            |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have.trim_end());
        if matches(&uri.token, info.label())
            && matches(&uri.manufacturer, info.manufacturer_id())
            && matches(&uri.serial, info.serial_number())
            && matches(&uri.model, info.model())
            && uri.slot_id.is_none_or(|id| id == slot.id())
        {
            found.push((slot, info.login_required()));
        }
    }
    let (slot, login_required) = match found.as_slice() {
        [one] => *one,
        [] => return Err(CliError::key("pkcs11: no token matches the URI")),
        _ => {
            return Err(CliError::key(
                "pkcs11: several tokens match the URI: add token=, serial= or slot-id=",
            ))
        }
    };
    let session = ctx.open_ro_session(slot).map_err(p11("C_OpenSession"))?;
    match pin(args, &uri)? {
        Some(pin) => {
            let pin = AuthPin::new(pin.as_str().into());
            session.login(UserType::User, Some(&pin)).map_err(p11("C_Login"))?;
        }
        None if login_required => {
            return Err(CliError::usage(
                "pkcs11: the token needs a PIN: --pin-file PATH|-, --pin-env VAR or pin-source= in the URI",
            ))
        }
        None => {}
    }

    let mut template = Vec::new();
    if let Some(label) = &uri.object {
        template.push(Attribute::Label(label.as_bytes().to_vec()));
    }
    if let Some(id) = &uri.id {
        template.push(Attribute::Id(id.clone()));
    }
    let classes: &[ObjectClass] = match uri.class {
        Some(Class::Private) => &[ObjectClass::PRIVATE_KEY],
        Some(Class::Secret) => &[ObjectClass::SECRET_KEY],
        None => &[ObjectClass::PRIVATE_KEY, ObjectClass::SECRET_KEY],
    };
    let mut keys = Vec::new();
    for class in classes {
        let mut t = template.clone();
        t.push(Attribute::Class(*class));
        for handle in session.find_objects(&t).map_err(p11("C_FindObjects"))? {
            keys.push((handle, *class));
        }
    }
    let (key, class) = match keys.as_slice() {
        [one] => *one,
        [] => return Err(CliError::key("pkcs11: no private or secret key matches the URI")),
        _ => return Err(CliError::key("pkcs11: several keys match the URI: add id= or type=")),
    };
    let attrs = session
        .get_attributes(key, &[AttributeType::KeyType, AttributeType::Label, AttributeType::Id])
        .map_err(p11("C_GetAttributeValue"))?;
    let (mut key_type, mut label, mut id) = (None, None, None);
    for a in attrs {
        match a {
            Attribute::KeyType(t) => key_type = Some(t),
            Attribute::Label(l) => label = String::from_utf8(l).ok(),
            Attribute::Id(i) => id = Some(i),
            _ => {}
        }
    }
    let key_type = key_type.ok_or_else(|| CliError::key("pkcs11: the key has no CKA_KEY_TYPE"))?;

    let (alg, public) = if class == ObjectClass::SECRET_KEY {
        let implied = if key_type == KeyType::SHA256_HMAC {
            Some(Algorithm::HS256)
        } else if key_type == KeyType::SHA384_HMAC {
            Some(Algorithm::HS384)
        } else if key_type == KeyType::SHA512_HMAC {
            Some(Algorithm::HS512)
        } else if key_type == KeyType::GENERIC_SECRET {
            None
        } else {
            return Err(CliError::key(format!("pkcs11: a secret key of type {key_type} cannot sign JWTs")));
        };
        let alg = match (implied, alg_arg.map(AlgArg::algorithm)) {
            (Some(a), None) => a,
            (None, None) => Algorithm::HS256,
            (i, Some(a)) if a.is_hmac() && i.is_none_or(|i| i == a) => a,
            (_, Some(a)) => {
                return Err(CliError::usage(format!("--alg {} does not fit this HMAC key", a.name())))
            }
        };
        (alg, Vec::new())
    } else {
        // The public half: the public key object with the same CKA_ID (else label).
        let mut t = vec![Attribute::Class(ObjectClass::PUBLIC_KEY)];
        match (&id, &label) {
            (Some(id), _) if !id.is_empty() => t.push(Attribute::Id(id.clone())),
            (_, Some(l)) => t.push(Attribute::Label(l.as_bytes().to_vec())),
            _ => {
                return Err(CliError::key(
                    "pkcs11: the key has neither CKA_ID nor CKA_LABEL to find its public key",
                ))
            }
        }
        let pubs = session.find_objects(&t).map_err(p11("C_FindObjects"))?;
        let [public] = pubs.as_slice() else {
            return Err(CliError::key("pkcs11: no single public key object with the private key's id"));
        };
        let attrs = session
            .get_attributes(*public, &[AttributeType::EcParams, AttributeType::EcPoint])
            .map_err(p11("C_GetAttributeValue"))?;
        let (mut params, mut point) = (Vec::new(), Vec::new());
        for a in attrs {
            match a {
                Attribute::EcParams(p) => params = p,
                Attribute::EcPoint(p) => point = p,
                _ => {}
            }
        }
        let (alg, len) = if key_type == KeyType::EC && params == P256_PARAMS {
            (Algorithm::ES256, 65)
        } else if key_type == KeyType::EC_EDWARDS && (params == ED25519_OID || params == ED25519_NAME) {
            (Algorithm::EdDSA, 32)
        } else {
            return Err(CliError::key(format!(
                "pkcs11: key type {key_type} with these curve parameters is not ES256 (P-256) or Ed25519"
            )));
        };
        if let Some(a) = alg_arg {
            if a.algorithm() != alg {
                return Err(CliError::usage(format!(
                    "--alg {} does not fit this {} key",
                    a.algorithm().name(),
                    alg.name()
                )));
            }
        }
        let public = unwrap_point(&point, len)
            .ok_or_else(|| CliError::key("pkcs11: CKA_EC_POINT is not a valid point encoding"))?;
        (alg, public)
    };
    // The session keeps the module loaded (and finalizes it when dropped).
    drop(ctx);
    Ok(TokenKey { session, key, alg, public, kid: None, label })
}

impl TokenKey {
    /// The key's algorithm.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The public key, as the core reads it (ES256 / EdDSA; `None` for HMAC).
    pub fn verifying_key(&self) -> Result<Option<VerifyingKey>> {
        let vk = match self.alg {
            Algorithm::ES256 => VerifyingKey::es256_sec1(&self.public),
            Algorithm::EdDSA => VerifyingKey::ed25519(&self.public),
            _ => return Ok(None),
        };
        vk.map(Some).map_err(|e| CliError::key_material(e, "public key in the token"))
    }

    /// The default kid: the RFC 7638 thumbprint of the public key (as `key pub` prints for
    /// the exported key), for HMAC the object's label.
    pub fn default_kid(&self) -> Result<Option<String>> {
        match self.verifying_key()? {
            Some(vk) => crate::jwk::core_thumbprint(&vk).map(Some),
            None => Ok(self.label.clone()),
        }
    }

    /// The signer with its kid, behind the core's checks.
    pub fn into_signer(mut self, kid: Option<String>) -> Result<ExternalKey<TokenKey>> {
        self.kid = kid;
        ExternalKey::new(self).map_err(|e| CliError::key_material(e, "key in the token"))
    }
}

/// `ciphertoken pkcs11-public --pkcs11 URI`: the token's public key as a JWK (with its
/// thumbprint as kid), for `verify --key-file`.
pub fn public(ctx: crate::Ctx, args: &Pkcs11Args) -> Result<()> {
    let key = open(args, None)?;
    let vk = key.verifying_key()?.ok_or_else(|| {
        CliError::key("pkcs11: an HMAC key has no public key (its secret stays in the token)")
    })?;
    let kid = crate::jwk::core_thumbprint(&vk)?;
    let vk = vk.with_kid(&kid).map_err(|e| CliError::key_material(e, "kid"))?;
    let mut buf = [0u8; 512];
    let jwk =
        ciphertoken::jwk::write_public_jwk(&vk, &mut buf).map_err(|e| CliError::key_material(e, "JWK"))?;
    if ctx.json {
        crate::io::print_line(&format!(
            "{{\"alg\":\"{}\",\"kid\":\"{kid}\",\"jwk\":{jwk}}}",
            key.alg().name()
        ))
    } else {
        crate::io::print_line(jwk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_attributes() {
        let u = Uri::parse(
            "pkcs11:token=My%20Token;object=sign%3bkey;id=%01%02;type=private?module-path=/usr/lib/x.so&pin-source=file:/run/pin",
        )
        .unwrap();
        assert_eq!(u.token.as_deref(), Some("My Token"));
        assert_eq!(u.object.as_deref(), Some("sign;key"));
        assert_eq!(u.id, Some(vec![1, 2]));
        assert_eq!(u.class, Some(Class::Private));
        assert_eq!(u.module_path.as_deref(), Some("/usr/lib/x.so"));
        assert_eq!(u.pin_source.as_deref(), Some("file:/run/pin"));
    }

    #[test]
    fn uri_refusals() {
        for bad in [
            "pkcs12:object=a",
            "pkcs11:object=a?pin-value=1234",
            "pkcs11:object=a;object=b",
            "pkcs11:object=a;colour=red",
            "pkcs11:object=a?foo=bar",
            "pkcs11:object=%zz",
            "pkcs11:object=%4",
            "pkcs11:token=t",
            "pkcs11:object=a;type=cert",
            "pkcs11:object",
            "pkcs11:slot-id=x;object=a",
        ] {
            assert!(Uri::parse(bad).is_err(), "{bad}");
        }
        let e = Uri::parse("pkcs11:object=a?pin-value=1234").unwrap_err();
        assert!(!e.message.contains("1234"), "the PIN is not echoed: {}", e.message);
    }

    #[test]
    fn points() {
        let mut der = vec![0x04, 0x41];
        der.extend([4u8; 65]);
        assert_eq!(unwrap_point(&der, 65), Some(vec![4u8; 65]));
        assert_eq!(unwrap_point(&[7u8; 32], 32), Some(vec![7u8; 32]));
        assert_eq!(unwrap_point(&[0x04, 0x20, 1, 2], 32), None);
    }
}
