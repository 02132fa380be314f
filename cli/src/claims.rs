//! Building the claims JSON for `sign` and `size`: the caller's object, checked by the core's
//! strict parser, with the registered claims from flags merged in. Values the caller wrote
//! are kept byte for byte and in their order; a flag replaces a member of the same name.

use crate::exit::{CliError, Result};
use crate::io;
use crate::time::{reference_now, TimeArg};
use ciphertoken::{Error as CoreError, RegisteredClaims};
use clap::Args;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;

#[derive(Debug, Clone, Args)]
pub struct ClaimsArgs {
    /// Claims: a JSON object from a file, or `-` for stdin [default: {}]
    #[arg(long, value_name = "PATH|-")]
    pub claims: Option<String>,
    /// Subject (`sub`)
    #[arg(long)]
    pub sub: Option<String>,
    /// Issuer (`iss`)
    #[arg(long)]
    pub iss: Option<String>,
    /// Audience (`aud`); repeat for an array
    #[arg(long)]
    pub aud: Vec<String>,
    /// Expiry (`exp`): +10m, +1h, +1d, or Unix seconds; required unless the claims have one
    /// or --no-exp is given
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub exp: Option<TimeArg>,
    /// Sign a token without `exp` (never expires: think twice)
    #[arg(long, conflicts_with = "exp")]
    pub no_exp: bool,
    /// Not before (`nbf`): +5m, -1m, or Unix seconds
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub nbf: Option<TimeArg>,
    /// Issued at (`iat`) [default: now, unless the claims have one]
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub iat: Option<TimeArg>,
    /// Leave `iat` out
    #[arg(long, conflicts_with = "iat")]
    pub no_iat: bool,
    /// Token id (`jti`)
    #[arg(long)]
    pub jti: Option<String>,
    /// A random 128-bit `jti` from the OS RNG
    #[arg(long, conflicts_with = "jti")]
    pub random_jti: bool,
    /// The time that relative times and `iat` count from [default: the system clock]
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub now: Option<TimeArg>,
}

impl ClaimsArgs {
    pub fn reads_stdin(&self) -> bool {
        self.claims.as_deref() == Some("-")
    }
}

/// The members of a JSON object, in order, values unparsed.
struct Members(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Members, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(V)
    }
}

impl Members {
    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    fn set(&mut self, name: &str, json: String) -> Result<()> {
        let value = RawValue::from_string(json).map_err(|e| CliError::internal(e.to_string()))?;
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name.to_owned(), value)),
        }
        Ok(())
    }

    fn to_json(&self) -> Result<String> {
        let mut out = String::from("{");
        for (i, (name, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&json_string(name)?);
            out.push(':');
            out.push_str(value.get());
        }
        out.push('}');
        Ok(out)
    }
}

fn json_string(s: &str) -> Result<String> {
    serde_json::to_string(s).map_err(|e| CliError::internal(e.to_string()))
}

/// Explains why the core's strict parser refused the caller's claims.
pub fn claims_error(e: CoreError) -> CliError {
    let message = match e {
        CoreError::InvalidClaim(c) => match c.name() {
            "exp" | "nbf" | "iat" | "ver" => {
                format!("claim `{}` must be a non-negative integer (Unix seconds)", c.name())
            }
            "aud" => "claim `aud` must be a string or an array of strings".to_owned(),
            name => format!("claim `{name}` must be a string"),
        },
        CoreError::InvalidJson => "claims must be one strict JSON object (no duplicate members, depth ≤ 16, \
                                   ≤ 64 members per object, valid UTF-8)"
            .to_owned(),
        other => other.to_string(),
    };
    CliError { exit: crate::exit::Exit::Usage, message: format!("bad claims: {message}"), core: Some(e) }
}

/// The claims JSON to sign. `require_exp`: refuse claims without `exp` (sign) or not (size).
pub fn build(args: &ClaimsArgs, require_exp: bool) -> Result<String> {
    let input = match &args.claims {
        Some(path) => Some(io::read_input(path, "claims")?),
        None => None,
    };
    let raw: &[u8] = input.as_deref().map_or(b"{}", |v| v.as_slice());
    RegisteredClaims::parse(raw).map_err(claims_error)?;
    let mut members: Members =
        serde_json::from_slice(raw).map_err(|e| CliError::usage(format!("bad claims JSON: {e}")))?;

    let now = reference_now(args.now)?;
    if let Some(iss) = &args.iss {
        members.set("iss", json_string(iss)?)?;
    }
    if let Some(sub) = &args.sub {
        members.set("sub", json_string(sub)?)?;
    }
    match args.aud.as_slice() {
        [] => {}
        [one] => members.set("aud", json_string(one)?)?,
        many => {
            members.set("aud", serde_json::to_string(many).map_err(|e| CliError::internal(e.to_string()))?)?
        }
    }
    if let Some(exp) = args.exp {
        members.set("exp", exp.resolve(now)?.to_string())?;
    }
    if let Some(nbf) = args.nbf {
        members.set("nbf", nbf.resolve(now)?.to_string())?;
    }
    match args.iat {
        Some(iat) => members.set("iat", iat.resolve(now)?.to_string())?,
        None if !args.no_iat && !members.has("iat") => members.set("iat", now.to_string())?,
        None => {}
    }
    if let Some(jti) = &args.jti {
        members.set("jti", json_string(jti)?)?;
    } else if args.random_jti {
        let id = ciphertoken::RandomId::generate(&mut rand_core::OsRng)
            .map_err(|e| CliError::io(format!("OS random number generator: {e}")))?;
        members.set("jti", json_string(id.as_str())?)?;
    }
    if require_exp && !args.no_exp && !members.has("exp") {
        return Err(CliError::usage(
            "the claims have no `exp`: pass --exp (e.g. --exp +10m), or --no-exp for a token that never expires",
        ));
    }
    let json = members.to_json()?;
    RegisteredClaims::parse(json.as_bytes()).map_err(claims_error)?;
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        c: ClaimsArgs,
    }

    fn args(a: &[&str]) -> ClaimsArgs {
        T::parse_from(std::iter::once("t").chain(a.iter().copied())).c
    }

    #[test]
    fn flags_become_registered_claims() {
        let json = build(
            &args(&["--now", "1000", "--sub", "d\"1", "--aud", "a", "--aud", "b", "--exp", "+10m"]),
            true,
        )
        .unwrap();
        assert_eq!(json, r#"{"sub":"d\"1","aud":["a","b"],"exp":1600,"iat":1000}"#);
    }

    #[test]
    fn exp_is_required_unless_waived() {
        assert_eq!(build(&args(&["--now", "5"]), true).unwrap_err().exit, crate::exit::Exit::Usage);
        assert_eq!(build(&args(&["--now", "5", "--no-exp", "--no-iat"]), true).unwrap(), "{}");
        assert_eq!(build(&args(&["--now", "5", "--no-iat"]), false).unwrap(), "{}");
    }
}
