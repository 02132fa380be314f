//! `sign`, `verify`, `inspect` and `size`.

use crate::claims::{self, ClaimsArgs};
use crate::exit::{CliError, Exit, Result};
use crate::io;
use crate::keys::{AlgArg, ForVerify, Key, KeyArgs, Material, RSA_NEEDS_ALG};
use crate::time::{self, TimeArg};
use crate::Ctx;
use ciphertoken::hazmat::{base64url, decode_header};
use ciphertoken::jwk::{JwkSet, KeyType};
use ciphertoken::{
    max_token_len, sign_json, verify_registered, verify_scratch_len, Algorithm, Error as CoreError,
    FixedClock, RegisteredClaims, RequiredClaims, SigningKey, SystemClock, Validation,
};
use clap::{Args, ValueEnum};
use serde::Serialize;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    claims: ClaimsArgs,
    /// The header's kid [default: the JWK's kid, else the key's RFC 7638 thumbprint]
    #[arg(long)]
    kid: Option<String>,
    /// No kid in the header
    #[arg(long, conflicts_with = "kid")]
    no_kid: bool,
    #[command(flatten)]
    pkcs11: crate::pkcs11::Pkcs11Args,
    #[cfg(feature = "tpm")]
    #[command(flatten)]
    tpm: crate::tpm::TpmArgs,
}

/// A registered claim that `--require` can name (bits shared with the C ABI's CT_CLAIM_*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReqClaim {
    Exp,
    Nbf,
    Iat,
    Iss,
    Aud,
    Sub,
    Jti,
}

impl ReqClaim {
    fn bits(self) -> RequiredClaims {
        match self {
            ReqClaim::Exp => RequiredClaims::EXP,
            ReqClaim::Nbf => RequiredClaims::NBF,
            ReqClaim::Iat => RequiredClaims::IAT,
            ReqClaim::Iss => RequiredClaims::ISS,
            ReqClaim::Aud => RequiredClaims::AUD,
            ReqClaim::Sub => RequiredClaims::SUB,
            ReqClaim::Jti => RequiredClaims::JTI,
        }
    }
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The token; absent or `-`: read it from stdin
    token: Option<String>,
    #[command(flatten)]
    key: KeyArgs,
    /// Expected issuer (`iss` becomes required)
    #[arg(long)]
    iss: Option<String>,
    /// Expected audience (`aud` becomes required); repeat to accept any of several
    #[arg(long)]
    aud: Vec<String>,
    /// Accept a token with an `aud` although no --aud is given (refused by default)
    #[arg(long, conflicts_with = "aud")]
    any_aud: bool,
    /// Expected subject (`sub` becomes required)
    #[arg(long)]
    sub: Option<String>,
    /// Claims that must be present, comma-separated (exp is required unless --no-exp)
    #[arg(long, value_enum, value_delimiter = ',', value_name = "CLAIM,...")]
    require: Vec<ReqClaim>,
    /// Accept tokens without `exp` (a present `exp` is still checked)
    #[arg(long)]
    no_exp: bool,
    /// Seconds of clock skew tolerated on exp, nbf and iat
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    leeway: u64,
    /// Verify as of this time, e.g. to simulate a device clock: Unix seconds or +/-offset
    /// [default: the system clock]
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    now: Option<TimeArg>,
    /// Required `typ` header, e.g. at+jwt [default: absent or JWT]
    #[arg(long)]
    typ: Option<String>,
    /// No summary on stderr
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The token; absent or `-`: read it from stdin
    token: Option<String>,
    /// Show times relative to this time [default: the system clock]
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    now: Option<TimeArg>,
}

#[derive(Debug, Args)]
pub struct SizeArgs {
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    claims: ClaimsArgs,
    /// The kid the header will carry [default: the key's kid or thumbprint; with --alg and no
    /// key, a 43-character thumbprint]
    #[arg(long)]
    kid: Option<String>,
    /// No kid in the header
    #[arg(long, conflicts_with = "kid")]
    no_kid: bool,
}

/// The token from the argument or stdin, without surrounding white space.
fn read_token(arg: Option<&str>, key: &KeyArgs) -> Result<String> {
    let text = match arg {
        Some(t) if t != "-" => {
            if t.split('.').count() != 3 && std::path::Path::new(t).is_file() {
                return Err(CliError::usage(format!(
                    "TOKEN is the token itself, not a file: read {t} through stdin (< {t})"
                )));
            }
            t.to_owned()
        }
        _ => {
            if key.reads_stdin() {
                return Err(CliError::usage("the key and the token cannot both come from stdin"));
            }
            if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                io::note("ciphertoken: reading the token from stdin (end with Ctrl-D)");
            }
            let bytes = io::read_input("-", "token")?;
            String::from_utf8(bytes.to_vec()).map_err(|_| CliError::token(CoreError::Malformed))?
        }
    };
    let token = text.trim().to_owned();
    if token.is_empty() {
        return Err(CliError::new(Exit::Malformed, "no token (empty input)"));
    }
    Ok(token)
}

fn with_kid(key: &Key, sk: SigningKey, kid: Option<&str>, no_kid: bool) -> Result<SigningKey> {
    if no_kid {
        return Ok(sk);
    }
    let kid = match kid {
        Some(k) => k.to_owned(),
        None => key.kid_or_thumbprint()?,
    };
    sk.with_kid(&kid)
        .map_err(|e| CliError::usage(format!("kid {kid:?}: {e} (1 to 64 bytes, no control characters)")))
}

fn sign_to_string(sk: &SigningKey, claims_json: &str) -> Result<String> {
    let mut buf = vec![0u8; max_token_len(claims_json.len())];
    let token = sign_json(sk, claims_json.as_bytes(), &mut buf).map_err(CliError::signing)?;
    Ok(token.to_owned())
}

fn raw_json(text: &str) -> Result<Box<RawValue>> {
    RawValue::from_string(text.to_owned()).map_err(|e| CliError::internal(e.to_string()))
}

fn print_json<T: Serialize>(v: &T) -> Result<()> {
    io::print_line(&serde_json::to_string_pretty(v).map_err(|e| CliError::internal(e.to_string()))?)
}

pub fn sign(ctx: Ctx, a: &SignArgs) -> Result<()> {
    if a.key.reads_stdin() && a.claims.reads_stdin() {
        return Err(CliError::usage("the key and the claims cannot both come from stdin"));
    }
    if a.pkcs11.pkcs11.is_some() {
        return sign_pkcs11(ctx, a);
    }
    #[cfg(feature = "tpm")]
    if a.tpm.tpm.is_some() {
        return sign_tpm(ctx, a);
    }
    let key = a.key.load()?;
    let sk = with_kid(&key, key.signing_key()?, a.kid.as_deref(), a.no_kid)?;
    let claims_json = claims::build(&a.claims, true)?;
    let token = sign_to_string(&sk, &claims_json)?;
    print_signed(ctx, &token, sk.algorithm(), sk.kid(), &claims_json)
}

/// `sign --pkcs11 URI`: the key stays in the token (see pkcs11.rs).
fn sign_pkcs11(ctx: Ctx, a: &SignArgs) -> Result<()> {
    if a.key.given() {
        return Err(CliError::usage("--pkcs11 names the key: no --key-file or --key-env with it"));
    }
    let claims_json = claims::build(&a.claims, true)?;
    let key = crate::pkcs11::open(&a.pkcs11, a.key.alg)?;
    let kid = match (&a.kid, a.no_kid) {
        (_, true) => None,
        (Some(kid), _) => Some(kid.clone()),
        (None, false) => key.default_kid()?,
    };
    let signer = key.into_signer(kid)?;
    let mut buf = vec![0u8; max_token_len(claims_json.len())];
    let token = sign_json(&signer, claims_json.as_bytes(), &mut buf).map_err(CliError::signing)?;
    print_signed(
        ctx,
        token,
        ciphertoken::JwsSigner::algorithm(&signer),
        ciphertoken::JwsSigner::kid(&signer),
        &claims_json,
    )
}

/// `sign --tpm TCTI --tpm-handle H`: the key stays in the TPM (see tpm.rs).
#[cfg(feature = "tpm")]
fn sign_tpm(ctx: Ctx, a: &SignArgs) -> Result<()> {
    if a.key.given() || a.pkcs11.pkcs11.is_some() {
        return Err(CliError::usage("--tpm names the key: no --key-file, --key-env or --pkcs11 with it"));
    }
    let claims_json = claims::build(&a.claims, true)?;
    let key = crate::tpm::open(&a.tpm)?;
    let kid = match (&a.kid, a.no_kid) {
        (_, true) => None,
        (Some(kid), _) => Some(kid.clone()),
        (None, false) => Some(key.default_kid()?),
    };
    let signer = key.into_signer(kid)?;
    let mut buf = vec![0u8; max_token_len(claims_json.len())];
    let token = sign_json(&signer, claims_json.as_bytes(), &mut buf).map_err(CliError::signing)?;
    let (alg, kid) = (ciphertoken::JwsSigner::algorithm(&signer), ciphertoken::JwsSigner::kid(&signer));
    print_signed(ctx, token, alg, kid, &claims_json)
}

fn print_signed(
    ctx: Ctx,
    token: &str,
    alg: ciphertoken::Algorithm,
    kid: Option<&str>,
    claims_json: &str,
) -> Result<()> {
    if ctx.json {
        #[derive(Serialize)]
        struct Out<'a> {
            token: &'a str,
            alg: &'a str,
            kid: Option<&'a str>,
            claims: Box<RawValue>,
        }
        print_json(&Out { token, alg: alg.name(), kid, claims: raw_json(claims_json)? })
    } else {
        io::print_line(token)
    }
}

/// The most keys `verify` takes from a JWK Set (the rest are skipped and counted).
const JWKS_CAPACITY: usize = 64;

/// The key for `token` from a JWK Set document, chosen by the core's [`JwkSet`]: the public
/// keys it can use (others skipped and counted), then by the token's `kid`, then by its `alg`.
/// The algorithm is the JWK's `alg`, else `--alg`, else the one `EC`/`OKP` keys have; an RSA
/// (or `oct`) key without `alg` needs `--alg` (the token's header never decides alone).
fn key_from_set(
    token: &str,
    doc: &[u8],
    what: &str,
    alg_arg: Option<AlgArg>,
) -> Result<ciphertoken::AnyVerifyingKey> {
    let in_set = |message: String| CliError::key(format!("{what}: {message}"));
    // A published set holds public keys only; a local set may also hold the operator's own
    // HMAC (`oct`) keys, as single JWKs may: accepted from a set only with a warning, and
    // never with private members of asymmetric keys (the core refuses those either way).
    let public = JwkSet::<JWKS_CAPACITY>::from_public(doc);
    let set = match public {
        Err(CoreError::InvalidKey) => JwkSet::<JWKS_CAPACITY>::from_trusted(doc).inspect(|_| {
            io::note(&format!(
                "ciphertoken: warning: {what}: the JWK Set holds secret `oct` keys; taken as your own \
                 trusted set (a published JWK Set must never hold them)"
            ))
        }),
        other => other,
    };
    let set = set.map_err(|e| {
        let message = match e {
            CoreError::TooLong => format!("the JWK Set is over {} bytes", ciphertoken::jwk::MAX_JWKS_LEN),
            CoreError::InvalidJson => format!(
                "not a JWK Set: strict JSON (no duplicate members) with a `keys` array, at most {} levels deep",
                ciphertoken::jwk::MAX_JWKS_DEPTH
            ),
            CoreError::InvalidKey => "the JWK Set holds private key members (d, p, q, dp, dq, qi or oth): \
                 verify takes public keys only (ciphertoken key pub --to jwk gives them)"
                .to_owned(),
            other => describe_core(other),
        };
        CliError { message: format!("{what}: {message}"), ..CliError::key_material(e, what) }
    })?;
    let skipped = set.skipped();
    let skipped_note = if skipped.total() == 0 {
        String::new()
    } else {
        format!(
            " ({} key(s) skipped: {} not for signatures, {} unusable here, {} over the capacity of {JWKS_CAPACITY})",
            skipped.total(),
            skipped.not_for_signatures,
            skipped.unusable,
            skipped.over_capacity
        )
    };
    if set.keys().is_empty() {
        return Err(in_set(format!("the JWK Set has no usable key{skipped_note}")));
    }
    let mut scratch = vec![0u8; verify_scratch_len(token.len())];
    let header = decode_header(token.as_bytes(), &mut scratch).map_err(CliError::token)?;
    let kid = header.kid.map(|k| k.chars().collect::<String>());
    let jwk = set.select(&header).map_err(|e| {
        let message = match (e, &kid) {
            (CoreError::AlgorithmMismatch, Some(kid)) => format!(
                "the key with the token's kid {kid:?} does not take the token's alg {} (the key decides)",
                header.alg
            ),
            (_, Some(kid)) => {
                format!("no usable key in the JWK Set has the token's kid {kid:?}{skipped_note}")
            }
            (_, None) => format!(
                "the token has no kid and not exactly one key of the JWK Set takes its alg {}{skipped_note}",
                header.alg
            ),
        };
        CliError { message, ..CliError::token(e) }
    })?;
    let alg = match (jwk.algorithm(), alg_arg.map(AlgArg::algorithm)) {
        (Some(mine), Some(want)) if mine != want => {
            return Err(in_set(format!("--alg {want} does not match the selected key's alg {mine}")));
        }
        (Some(mine), _) => mine,
        (None, Some(want)) => want,
        (None, None) => match jwk.key_type() {
            KeyType::P256 => Algorithm::ES256,
            KeyType::Ed25519 => Algorithm::EdDSA,
            KeyType::Rsa => return Err(in_set(format!("the selected JWK has no alg; {RSA_NEEDS_ALG}"))),
            _ => return Err(in_set("the selected JWK has no alg: pass --alg".to_owned())),
        },
    };
    jwk.verifying_key(alg).map_err(|e| match e {
        CoreError::AlgorithmMismatch => in_set(format!("--alg {alg} does not fit the selected key")),
        other => CliError::key_material(other, &format!("{what}: the selected key")),
    })
}

fn describe_core(e: CoreError) -> String {
    crate::exit::describe(e)
}

/// The decoded header segment's JSON text (only called on a verified or parsed token).
fn segment_text(token: &str, index: usize) -> Option<String> {
    let seg = token.split('.').nth(index)?;
    let mut buf = vec![0u8; base64url::decoded_len_max(seg.len())];
    let bytes = base64url::decode(seg.as_bytes(), &mut buf).ok()?;
    String::from_utf8(bytes.to_vec()).ok()
}

pub fn verify(ctx: Ctx, a: &VerifyArgs) -> Result<()> {
    if !a.key.given() {
        return Err(CliError::usage(
            "verify needs a key: --key-file PATH|- or --key-env VAR (a token is never accepted unverified)",
        ));
    }
    if a.no_exp && a.require.contains(&ReqClaim::Exp) {
        return Err(CliError::usage("--no-exp contradicts --require exp"));
    }
    let token = read_token(a.token.as_deref(), &a.key)?;
    let vk = match a.key.load_for_verify()? {
        ForVerify::One(key) => key.verifying_key()?,
        ForVerify::Set { doc, what } => key_from_set(&token, &doc, &what, a.key.alg)?,
    };
    let vk = &vk;

    let mut required = if a.no_exp { RequiredClaims::NONE } else { RequiredClaims::EXP };
    for r in &a.require {
        required = required | r.bits();
    }
    let audiences: Vec<&str> = a.aud.iter().map(String::as_str).collect();
    let mut v = Validation::new().required(required).leeway(a.leeway);
    if let Some(iss) = &a.iss {
        v = v.issuer(iss);
    }
    if let Some(sub) = &a.sub {
        v = v.subject(sub);
    }
    match audiences.as_slice() {
        [] => {}
        [one] => v = v.audience(one),
        many => v = v.audiences(many),
    }
    if a.any_aud {
        v = v.allow_unexpected_audience();
    }
    if let Some(typ) = &a.typ {
        v = v.header_type(typ);
    }

    let mut scratch = Zeroizing::new(vec![0u8; verify_scratch_len(token.len())]);
    let now = match a.now {
        Some(t) => Some(time::reference_now(Some(t))?),
        None => None,
    };
    let result = match now {
        Some(now) => verify_registered(token.as_bytes(), vk, &v, &FixedClock(now), &mut scratch),
        None => verify_registered(token.as_bytes(), vk, &v, &SystemClock, &mut scratch),
    };
    let (header, registered, payload) = result.map_err(CliError::token)?;
    let payload =
        std::str::from_utf8(payload).map_err(|_| CliError::token(CoreError::InvalidJson))?.to_owned();
    let alg = header.alg.name();
    let kid = header.kid.map(|k| k.chars().collect::<String>());
    let exp = registered.exp;

    if ctx.json {
        #[derive(Serialize)]
        struct Out<'a> {
            verified: bool,
            alg: &'a str,
            kid: Option<&'a str>,
            header: Box<RawValue>,
            claims: Box<RawValue>,
        }
        let header_json = segment_text(&token, 0).unwrap_or_else(|| "null".to_owned());
        print_json(&Out {
            verified: true,
            alg,
            kid: kid.as_deref(),
            header: raw_json(&header_json)?,
            claims: raw_json(&payload)?,
        })?;
    } else {
        io::print_line(&payload)?;
    }
    if !a.quiet && !ctx.json {
        let now = match now {
            Some(n) => n,
            None => time::system_now()?,
        };
        let expiry = match exp {
            Some(exp) => format!("expires {} ({})", time::rfc3339(exp), time::relative(exp, now)),
            None => "no exp".to_owned(),
        };
        let kid = kid.map(|k| format!(", kid {k}")).unwrap_or_default();
        io::note(&format!("ciphertoken: verified: {alg} signature valid{kid}; claims accepted; {expiry}"));
    }
    Ok(())
}

/// The unmistakable banner of `inspect`.
const UNVERIFIED: &str =
    "UNVERIFIED: the signature has NOT been checked; do not trust or act on this content";

pub fn inspect(ctx: Ctx, a: &InspectArgs) -> Result<()> {
    let token = read_token(a.token.as_deref(), &KeyArgs::none())?;
    io::note(&format!("ciphertoken: WARNING: {UNVERIFIED}"));
    let now = time::reference_now(a.now)?;

    let mut problems: Vec<CoreError> = Vec::new();
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(CliError {
            message: format!("malformed token: {} segments, a JWS has three non-empty ones", parts.len()),
            ..CliError::token(CoreError::Malformed)
        });
    }
    let header_text = segment_text(&token, 0);
    let payload_text = segment_text(&token, 1);
    let mut sig_buf = vec![0u8; base64url::decoded_len_max(parts[2].len())];
    let sig_len = base64url::decode(parts[2].as_bytes(), &mut sig_buf).map(<[u8]>::len).ok();

    // The core's own strict parsers decide what is wrong.
    let mut scratch = vec![0u8; verify_scratch_len(token.len())];
    let header = decode_header(token.as_bytes(), &mut scratch).map_err(|e| problems.push(e)).ok();
    let (alg, kid) = match header {
        Some(h) => (Some(h.alg.name()), h.kid.map(|k| k.chars().collect::<String>())),
        None => (None, None),
    };
    let mut registered = RegisteredClaims::default();
    match &payload_text {
        Some(text) => match RegisteredClaims::parse(text.as_bytes()) {
            Ok(r) => registered = r,
            Err(e) => problems.push(e),
        },
        None => problems.push(CoreError::InvalidBase64),
    }
    if sig_len.is_none() {
        problems.push(CoreError::InvalidBase64);
    }
    let times: Vec<(&str, u64)> = [("exp", registered.exp), ("nbf", registered.nbf), ("iat", registered.iat)]
        .into_iter()
        .filter_map(|(n, t)| t.map(|t| (n, t)))
        .collect();

    if ctx.json {
        /// The segment's JSON exactly as decoded; a string when it is not JSON.
        #[derive(Serialize)]
        #[serde(untagged)]
        enum Segment {
            Json(Box<RawValue>),
            Text(String),
        }
        let as_json = |t: &Option<String>| {
            t.as_ref().map(|text| match RawValue::from_string(text.clone()) {
                Ok(raw) => Segment::Json(raw),
                Err(_) => Segment::Text(text.clone()),
            })
        };
        #[derive(Serialize)]
        struct Time {
            unix: u64,
            utc: String,
            relative: String,
        }
        #[derive(Serialize)]
        struct Out<'a> {
            verified: bool,
            warning: &'a str,
            alg: Option<&'a str>,
            kid: Option<&'a str>,
            header: Option<Segment>,
            claims: Option<Segment>,
            times: std::collections::BTreeMap<&'a str, Time>,
            signature_len: Option<usize>,
            problems: Vec<String>,
        }
        let times = times
            .iter()
            .map(|(n, t)| (*n, Time { unix: *t, utc: time::rfc3339(*t), relative: time::relative(*t, now) }))
            .collect();
        print_json(&Out {
            verified: false,
            warning: UNVERIFIED,
            alg,
            kid: kid.as_deref(),
            header: as_json(&header_text),
            claims: as_json(&payload_text),
            times,
            signature_len: sig_len,
            problems: problems.iter().map(|e| e.to_string()).collect(),
        })?;
    } else {
        let mut text = format!("=== {UNVERIFIED} ===\n");
        text.push_str(&format!("header:    {}\n", header_text.as_deref().unwrap_or("(not base64url UTF-8)")));
        text.push_str(&format!(
            "claims:    {}\n",
            payload_text.as_deref().unwrap_or("(not base64url UTF-8)")
        ));
        for (name, t) in &times {
            text.push_str(&format!(
                "{name}:       {t} = {} ({})\n",
                time::rfc3339(*t),
                time::relative(*t, now)
            ));
        }
        match sig_len {
            Some(n) => text.push_str(&format!("signature: {n} bytes (NOT checked)\n")),
            None => text.push_str("signature: (not base64url)\n"),
        }
        for p in &problems {
            text.push_str(&format!("problem:   {p}\n"));
        }
        io::print_line(&io::printable(text.trim_end_matches('\n')))?;
    }
    match problems.first() {
        Some(e) => Err(CliError {
            message: format!("the core parser refuses this token: {}", crate::exit::describe(*e)),
            ..CliError::token(*e)
        }),
        None => Ok(()),
    }
}

/// A throw-away key of `alg`, for sizes: a token's length depends on the algorithm and the
/// kid only.
fn size_key(a: &SizeArgs) -> Result<(SigningKey, Option<String>)> {
    if a.key.given() {
        let key = a.key.load()?;
        let sk = match key.material {
            Material::Es256Public(_) | Material::Ed25519Public(_) => {
                placeholder(key.alg().unwrap_or(Algorithm::EdDSA))?
            }
            Material::RsaPublic { .. } => return Err(rsa_has_no_size()),
            _ => key.signing_key()?,
        };
        let kid =
            if a.no_kid { None } else { Some(a.kid.clone().map_or_else(|| key.kid_or_thumbprint(), Ok)?) };
        return Ok((sk, kid));
    }
    let Some(alg) = a.key.alg else {
        return Err(CliError::usage("size needs --alg ALG or a key (--key-file/--key-env)"));
    };
    let kid = if a.no_kid { None } else { Some(a.kid.clone().unwrap_or_else(|| "k".repeat(43))) };
    Ok((placeholder(alg.algorithm())?, kid))
}

fn rsa_has_no_size() -> CliError {
    CliError::usage("size: RSA is verify-only here, and ciphertoken does not sign RS*/PS* tokens")
}

fn placeholder(alg: ciphertoken::Algorithm) -> Result<SigningKey> {
    if alg.is_rsa() {
        return Err(rsa_has_no_size());
    }
    let bytes = [0x5a_u8; 64];
    let key = match alg {
        ciphertoken::Algorithm::ES256 => SigningKey::es256(&bytes[..32]),
        ciphertoken::Algorithm::EdDSA => SigningKey::ed25519(&bytes[..32]),
        other => SigningKey::hmac(other, &bytes[..ciphertoken::min_hmac_secret_len(other)]),
    };
    key.map_err(|e| CliError::internal(format!("placeholder key: {e}")))
}

pub fn size(ctx: Ctx, a: &SizeArgs) -> Result<()> {
    if a.key.reads_stdin() && a.claims.reads_stdin() {
        return Err(CliError::usage("the key and the claims cannot both come from stdin"));
    }
    let (sk, kid) = size_key(a)?;
    let sk = match &kid {
        Some(kid) => sk.with_kid(kid).map_err(|e| CliError::usage(format!("kid {kid:?}: {e}")))?,
        None => sk,
    };
    let claims_json = claims::build(&a.claims, false)?;
    if !claims_json.contains("\"exp\"") && !a.claims.no_exp {
        io::note("ciphertoken: note: these claims have no exp; `sign` needs --exp or --no-exp");
    }
    let claims_len = claims_json.len();
    let token_len = sign_to_string(&sk, &claims_json)?.len();
    let any = max_token_len(claims_len);
    let scratch = verify_scratch_len(token_len);
    let alg = sk.algorithm().name();
    let kid_len = kid.as_ref().map_or(0, String::len);
    if ctx.json {
        #[derive(Serialize)]
        struct Out<'a> {
            alg: &'a str,
            kid_len: usize,
            claims_json_len: usize,
            token_len: usize,
            max_token_len: usize,
            verify_scratch_len: usize,
            ct_sign_out_cap: usize,
            ct_max_token_len: usize,
            ct_verify_claims_cap: usize,
            claims: Box<RawValue>,
        }
        return print_json(&Out {
            alg,
            kid_len,
            claims_json_len: claims_len,
            token_len,
            max_token_len: any,
            verify_scratch_len: scratch,
            ct_sign_out_cap: token_len + 1,
            ct_max_token_len: any.saturating_add(1),
            ct_verify_claims_cap: scratch,
            claims: raw_json(&claims_json)?,
        });
    }
    // The C API writes a NUL after the token (ct_sign) and decodes into claims_out
    // (ct_verify), so its capacities are the token + 1 and the Rust verify scratch size.
    let rows = [
        (claims_len, "claims JSON", "the payload ct_verify returns in claims_out (plus a NUL)".to_owned()),
        (token_len, "token", format!("exact: {alg} with a kid of {kid_len} bytes")),
        (token_len + 1, "ct_sign out_cap", "the token and its NUL".to_owned()),
        (
            any.saturating_add(1),
            "any key",
            format!(
                "CT_MAX_TOKEN_LEN({claims_len}): any alg and kid, NUL included (Rust max_token_len: {any})"
            ),
        ),
        (
            scratch,
            "verify buffer",
            format!(
                "CT_VERIFY_CLAIMS_CAP({token_len}) for ct_verify; verify_scratch_len({token_len}) in Rust"
            ),
        ),
    ];
    let mut text = String::new();
    for (n, what, note) in rows {
        text.push_str(&format!("{what:<16}{n:>6} bytes  {note}\n"));
    }
    io::print_line(text.trim_end_matches('\n'))
}

impl KeyArgs {
    /// No key: for commands whose token must not be read alongside a key from stdin.
    fn none() -> KeyArgs {
        KeyArgs {
            key_file: None,
            key_env: None,
            key_format: crate::keys::InFormat::Auto,
            alg: None,
            public: false,
        }
    }
}
