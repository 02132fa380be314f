//! `keygen` and `key pub|thumbprint|convert|export-c`.

use crate::exit::{CliError, Result};
use crate::io::{self, Dest};
use crate::keys::{AlgArg, Key, KeyArgs, Material, OutFormat};
use crate::Ctx;
use ciphertoken::hazmat::base64url;
use ciphertoken::{min_hmac_secret_len, Algorithm, SigningKey};
use clap::{Args, Subcommand};
use rand_core::{OsRng, RngCore};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Algorithm of the new key
    #[arg(long, value_enum, ignore_case = true)]
    alg: AlgArg,
    /// Encoding of the private key [default: pem for es256/ed25519, jwk for HMAC]
    #[arg(long, value_enum)]
    format: Option<OutFormat>,
    /// Write the private key here (created 0600, never overwritten without --force)
    /// [default: stdout]
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Also write the public key here, in the same format
    #[arg(long, value_name = "PATH")]
    pub_out: Option<PathBuf>,
    /// Overwrite existing files
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Print the public key of a private key
    Pub(ConvertArgs),
    /// Print the RFC 7638 JWK thumbprint (the kid keygen and sign use)
    Thumbprint {
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Re-encode a key (a private key stays private)
    Convert(ConvertArgs),
    /// A C header with the public key as a byte array and NAME_KID/NAME_ALG/NAME_LEN
    /// defines, for firmware
    ExportC(ExportCArgs),
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    #[command(flatten)]
    key: KeyArgs,
    /// Output encoding
    #[arg(long, value_enum, default_value_t = OutFormat::Pem)]
    to: OutFormat,
    /// Write here instead of stdout (0600 when secret; never overwritten without --force)
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Overwrite an existing file
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Args)]
pub struct ExportCArgs {
    #[command(flatten)]
    key: KeyArgs,
    /// C identifier of the array; the defines are NAME_KID, NAME_ALG, NAME_LEN in upper case
    #[arg(long)]
    name: String,
    /// Export secret material instead: the HMAC secret, or the private scalar/seed for a device
    /// that signs. Refused without this flag
    #[arg(long)]
    secret: bool,
    /// Write here instead of stdout (0600 with --secret; never overwritten without --force)
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Overwrite an existing file
    #[arg(long)]
    force: bool,
}

/// Fresh key material from the OS RNG.
fn generate(alg: AlgArg) -> Result<Key> {
    if alg.algorithm().is_rsa() {
        return Err(CliError::usage(
            "ciphertoken does not make RSA keys: RSA is verify-only here (tokens from identity \
             providers); use es256 or ed25519 for your own keys",
        ));
    }
    let rng_error = |e: rand_core::Error| CliError::io(format!("OS random number generator: {e}"));
    let algorithm = alg.algorithm();
    let material = match alg {
        AlgArg::Hs256 | AlgArg::Hs384 | AlgArg::Hs512 => {
            // RFC 7518 §3.2: a secret as long as the hash output.
            let mut secret = Zeroizing::new(vec![0u8; min_hmac_secret_len(algorithm)]);
            ciphertoken::secret_key_with_size(&mut OsRng, &mut secret)
                .map_err(|e| CliError::io(format!("OS random number generator: {e}")))?;
            Material::Hmac { alg: algorithm, secret }
        }
        AlgArg::Es256 => {
            // A uniform 32-byte string is a valid scalar unless it is 0 or ≥ n (p < 2^-32).
            let mut scalar = Zeroizing::new([0u8; 32]);
            let mut tries = 0;
            loop {
                OsRng.try_fill_bytes(&mut scalar[..]).map_err(rng_error)?;
                if SigningKey::es256(&scalar[..]).is_ok() {
                    break;
                }
                tries += 1;
                if tries == 16 {
                    return Err(CliError::io("the OS RNG keeps returning invalid P-256 scalars"));
                }
            }
            Material::Es256Private(scalar)
        }
        AlgArg::Ed25519 => {
            let mut seed = Zeroizing::new([0u8; 32]);
            OsRng.try_fill_bytes(&mut seed[..]).map_err(rng_error)?;
            Material::Ed25519Private(seed)
        }
        AlgArg::Rs256 | AlgArg::Rs384 | AlgArg::Rs512 | AlgArg::Ps256 | AlgArg::Ps384 | AlgArg::Ps512 => {
            return Err(CliError::internal("RSA keygen refused above"));
        }
    };
    let mut key = Key::new(material)?;
    key.kid = Some(key.thumbprint()?);
    Ok(key)
}

fn json_text(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

/// The encoded key as a JSON value: text formats as strings (a JWK as an object), binary
/// ones as base64url.
fn encoded_json(bytes: &[u8], binary: bool, format: OutFormat) -> Value {
    if binary {
        // Key bytes (a DER private key, a raw secret): the constant-time encoder.
        let mut buf = vec![0u8; base64url::encoded_len(bytes.len()).unwrap_or(0)];
        let n = ciphertoken::hazmat::base64ct::encode(bytes, &mut buf).unwrap_or(0);
        return Value::String(String::from_utf8_lossy(buf.get(..n).unwrap_or_default()).into_owned());
    }
    let text = String::from_utf8_lossy(bytes).into_owned();
    if format == OutFormat::Jwk {
        if let Ok(v) = serde_json::from_str(&text) {
            return v;
        }
    }
    Value::String(text)
}

fn format_name(f: OutFormat) -> &'static str {
    match f {
        OutFormat::Pem => "pem",
        OutFormat::Pkcs8 => "pkcs8",
        OutFormat::Sec1 => "sec1",
        OutFormat::Jwk => "jwk",
        OutFormat::Raw => "raw",
    }
}

/// Writes `key` as `format` to `out` (or stdout); returns the JSON description.
fn emit_key(ctx: Ctx, key: &Key, format: OutFormat, out: Option<&Path>, force: bool) -> Result<Value> {
    let enc = key.encode(format)?;
    let secret = key.is_secret();
    let mut v = json!({
        "alg": key.alg().map(Algorithm::name),
        "kid": key.kid_or_thumbprint()?,
        "format": format_name(format),
        "private": secret,
    });
    match out {
        Some(path) => {
            io::write_output(&Dest { path: Some(path), force, secret, binary: enc.binary }, &enc.bytes)?;
            v["file"] = Value::String(path.display().to_string());
            let mode = if secret { " (mode 0600)" } else { "" };
            let what = if secret { "private" } else { "public" };
            io::note(&format!(
                "ciphertoken: wrote {} {what} key to {}{mode}",
                key.alg_name(),
                path.display()
            ));
        }
        None if ctx.json => {
            v["key"] = encoded_json(&enc.bytes, enc.binary, format);
        }
        None => io::write_output(&Dest { path: None, force, secret, binary: enc.binary }, &enc.bytes)?,
    }
    Ok(v)
}

pub fn keygen(ctx: Ctx, a: &KeygenArgs) -> Result<()> {
    let format =
        a.format.unwrap_or(if a.alg.algorithm().is_hmac() { OutFormat::Jwk } else { OutFormat::Pem });
    let key = generate(a.alg)?;
    key.encode(format)?; // refuse an impossible format before touching any file
    let public = key.public()?;
    if a.pub_out.is_some() && public.is_none() {
        return Err(CliError::usage("an HMAC secret has no public key (--pub-out)"));
    }
    let mut v = emit_key(ctx, &key, format, a.out.as_deref(), a.force)?;
    if let (Some(path), Some(public)) = (a.pub_out.as_deref(), public.as_ref()) {
        let pv = emit_key(ctx, public, format, Some(path), a.force)?;
        v["public_file"] = pv["file"].clone();
    }
    if let Some(public) = &public {
        v["public_jwk"] = encoded_json(&public.encode(OutFormat::Jwk)?.bytes, false, OutFormat::Jwk);
    }
    let kid = key.kid_or_thumbprint()?;
    if ctx.json {
        io::print_line(&json_text(&v))
    } else if a.out.is_some() {
        io::print_line(&kid)
    } else {
        io::note(&format!("ciphertoken: {} key, kid {kid}", key.alg_name()));
        Ok(())
    }
}

pub fn key(ctx: Ctx, cmd: &KeyCommand) -> Result<()> {
    match cmd {
        KeyCommand::Pub(a) => {
            let key = a.key.load()?;
            let public = key.public()?.ok_or_else(|| CliError::key("an HMAC secret has no public key"))?;
            let mut v = emit_key(ctx, &public, a.to, a.out.as_deref(), a.force)?;
            if ctx.json {
                add_rsa_info(&public, &mut v);
                io::print_line(&json_text(&v))?;
            } else {
                note_rsa_info(&public, None);
            }
            Ok(())
        }
        KeyCommand::Convert(a) => {
            let key = a.key.load()?;
            let v = emit_key(ctx, &key, a.to, a.out.as_deref(), a.force)?;
            if ctx.json {
                io::print_line(&json_text(&v))?;
            }
            Ok(())
        }
        KeyCommand::Thumbprint { key } => {
            let key = key.load()?;
            let thumbprint = key.thumbprint()?;
            if ctx.json {
                let mut v = json!({ "alg": key.alg().map(Algorithm::name), "thumbprint": thumbprint,
                                    "kid": key.kid });
                add_rsa_info(&key, &mut v);
                io::print_line(&json_text(&v))
            } else {
                note_rsa_info(&key, Some(&thumbprint));
                io::print_line(&thumbprint)
            }
        }
        KeyCommand::ExportC(a) => export_c(ctx, a),
    }
}

/// For an RSA key: `kty`, `bits` and `e` in the JSON description (the thumbprint, i.e. the
/// `kid` of a key without one, is the core's, see [`crate::jwk::thumbprint`]).
fn add_rsa_info(key: &Key, v: &mut Value) {
    if let Some((bits, e)) = key.rsa_info() {
        v["kty"] = "RSA".into();
        v["bits"] = bits.into();
        v["e"] = e.into();
    }
}

/// For an RSA key: its size, exponent and thumbprint on stderr (stdout stays the data).
fn note_rsa_info(key: &Key, thumbprint: Option<&str>) {
    let Some((bits, e)) = key.rsa_info() else { return };
    let thumbprint = match thumbprint {
        Some(t) => t.to_owned(),
        None => key.thumbprint().unwrap_or_default(),
    };
    let alg = key.alg().map_or_else(|| "no alg: verify needs --alg".to_owned(), |a| a.name().to_owned());
    io::note(&format!("ciphertoken: RSA {bits}-bit public key, e = {e}, {alg}, thumbprint {thumbprint}"));
}

fn is_c_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 63
}

/// A C string literal: printable ASCII as is (but `"`, `\` and `?`, against trigraphs),
/// everything else as a three-digit octal escape.
fn c_string(s: &str) -> String {
    let mut out = String::from("\"");
    for b in s.bytes() {
        if (0x20..0x7f).contains(&b) && !matches!(b, b'"' | b'\\' | b'?') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("\\{b:03o}"));
        }
    }
    out.push('"');
    out
}

fn c_loader(key: &Key, secret: bool) -> &'static str {
    match (key.alg().unwrap_or(Algorithm::EdDSA), secret) {
        (Algorithm::HS256, _) => "ct_key_hs256",
        (Algorithm::HS384, _) => "ct_key_hs384",
        (Algorithm::HS512, _) => "ct_key_hs512",
        (Algorithm::ES256, true) => "ct_key_es256_private",
        (Algorithm::ES256, false) => "ct_key_es256_public",
        (_, true) => "ct_key_ed25519_private",
        (_, false) => "ct_key_ed25519_public",
    }
}

fn export_c(ctx: Ctx, a: &ExportCArgs) -> Result<()> {
    if !is_c_identifier(&a.name) {
        return Err(CliError::usage(format!(
            "--name {:?} is not a C identifier ([A-Za-z_][A-Za-z0-9_]*)",
            a.name
        )));
    }
    let key = a.key.load()?;
    if key.is_rsa() {
        return Err(CliError::key(
            "export-c does not export RSA keys yet (ct_key_rs256_public and friends take n and e)",
        ));
    }
    let bytes: Zeroizing<Vec<u8>> = match (key.is_hmac(), a.secret) {
        (true, false) => {
            return Err(CliError::key(
                "refusing to export an HMAC secret as C source: anyone who reads the firmware can \
                 forge tokens. Pass --secret if the secret really belongs in this firmware",
            ));
        }
        (false, false) => Zeroizing::new(key.public_bytes()?.unwrap_or_default()),
        (_, true) if !key.is_secret() => {
            return Err(CliError::key("--secret: this is a public key; it has no secret to export"));
        }
        (_, true) => key.raw()?,
    };
    let upper = a.name.to_ascii_uppercase();
    let kid = key.kid_or_thumbprint()?;
    let alg = key.alg_name();
    let loader = c_loader(&key, a.secret);
    // Reserved up front: a growing String would leave unzeroized copies of a secret behind.
    let mut c = Zeroizing::new(String::with_capacity(2048 + 6 * bytes.len()));
    let what = match (a.secret, key.is_hmac()) {
        (false, _) => "public key",
        (true, true) => "HMAC SECRET",
        (true, false) => "PRIVATE KEY",
    };
    c.push_str(&format!("/* Generated by `ciphertoken key export-c`: {alg} {what}, kid {kid}.\n"));
    if a.secret {
        c.push_str(
            " *\n * SECRET: whoever reads this file or the firmware image can sign tokens as this key.\n \
             * Keep it out of version control and out of logs; build it into protected flash only.\n",
        );
    } else {
        c.push_str(" * Public: safe to embed and to publish.\n");
    }
    c.push_str(&format!(
        " *\n * Load it into a caller-allocated key (#include \"ciphertoken.h\"; static ct_key key;):\n \
         *   {loader}(&key, {name}, {upper}_LEN);\n *   ct_key_set_kid(&key, CT_LIT({upper}_KID));\n */\n",
        name = a.name
    ));
    c.push_str(&format!("#ifndef {upper}_H\n#define {upper}_H\n\n#include <stdint.h>\n\n"));
    c.push_str(&format!("#define {upper}_ALG {}\n", c_string(alg)));
    c.push_str(&format!("#define {upper}_KID {}\n", c_string(&kid)));
    c.push_str(&format!("#define {upper}_LEN {}\n\n", bytes.len()));
    c.push_str(&format!("static const uint8_t {}[{upper}_LEN] = {{\n", a.name));
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for chunk in bytes.chunks(12) {
        // Byte by byte into the zeroizing buffer: no temporary copies of a secret.
        c.push_str("   ");
        for b in chunk {
            c.push_str(" 0x");
            c.push(char::from(HEX[usize::from(b >> 4)]));
            c.push(char::from(HEX[usize::from(b & 15)]));
            c.push(',');
        }
        c.push('\n');
    }
    c.push_str(&format!("}};\n\n#endif /* {upper}_H */\n"));

    let dest = Dest { path: a.out.as_deref(), force: a.force, secret: a.secret, binary: false };
    if ctx.json {
        if let Some(path) = a.out.as_deref() {
            io::write_output(&dest, c.as_bytes())?;
            let v = json!({"name": a.name, "alg": alg, "kid": kid, "len": bytes.len(), "secret": a.secret,
                           "file": path.display().to_string()});
            return io::print_line(&json_text(&v));
        }
        let v = json!({"name": a.name, "alg": alg, "kid": kid, "len": bytes.len(), "secret": a.secret,
                       "c": c.as_str()});
        return io::print_line(&json_text(&v));
    }
    io::write_output(&dest, c.as_bytes())?;
    if let Some(path) = a.out.as_deref() {
        io::note(&format!("ciphertoken: wrote {alg} {what} as C to {}", path.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_identifiers() {
        assert!(is_c_identifier("device_key"));
        assert!(is_c_identifier("_k1"));
        assert!(!is_c_identifier("1key"));
        assert!(!is_c_identifier("key-1"));
        assert!(!is_c_identifier(""));
    }

    #[test]
    fn c_strings_escape_quotes_and_trigraphs() {
        assert_eq!(c_string("a\"b\\c??=é"), "\"a\\042b\\134c\\077\\077=\\303\\251\"");
        assert_eq!(c_string("kPrK_qmx-1"), "\"kPrK_qmx-1\"");
    }
}
