//! Registered claims (RFC 7519 §4.1), parsed by the library from the verified payload.

use crate::codec::json::{self, JsonStr, Value};
use crate::{Claim, Error, UnixSeconds};

/// The `aud` claim: one string or an array of strings (RFC 7519 §4.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience<'a> {
    /// `"aud": "x"`.
    One(JsonStr<'a>),
    /// `"aud": ["x", "y"]` (the array's JSON text; every element is a string).
    Many(&'a str),
}

impl<'a> Audience<'a> {
    /// The audience values.
    pub fn iter(&self) -> impl Iterator<Item = JsonStr<'a>> + 'a {
        let (one, many) = match *self {
            Audience::One(s) => (Some(s), None),
            Audience::Many(text) => (None, Some(text)),
        };
        one.into_iter().chain(many.into_iter().flat_map(|text| {
            json::array_elements(text).filter_map(|v| match v {
                Ok(Value::String(s)) => Some(s),
                _ => None,
            })
        }))
    }

    /// Whether `aud` contains `value` exactly (never a prefix or substring match).
    pub fn contains(&self, value: &str) -> bool {
        self.iter().any(|s| s.eq_str(value))
    }
}

/// The registered claims of a verified token, borrowing the decoded payload.
///
/// Time claims are whole seconds; a string, fraction, negative or overflowing value is an
/// error, never "absent" (it cannot be smuggled past validation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegisteredClaims<'a> {
    /// `iss`.
    pub iss: Option<JsonStr<'a>>,
    /// `sub`.
    pub sub: Option<JsonStr<'a>>,
    /// `aud`.
    pub aud: Option<Audience<'a>>,
    /// `exp`.
    pub exp: Option<UnixSeconds>,
    /// `nbf`.
    pub nbf: Option<UnixSeconds>,
    /// `iat`.
    pub iat: Option<UnixSeconds>,
    /// `jti`.
    pub jti: Option<JsonStr<'a>>,
    /// `type`: `access` or `refresh` for tokens of the life cycle.
    pub token_type: Option<JsonStr<'a>>,
    /// `ver`: the subject's token version when the token was issued.
    pub ver: Option<u64>,
    /// `fam`: the refresh-token family (login session) the token belongs to.
    pub fam: Option<JsonStr<'a>>,
}

fn string(claim: Claim, value: Value<'_>) -> Result<JsonStr<'_>, Error> {
    match value {
        Value::String(s) => Ok(s),
        _ => Err(Error::InvalidClaim(claim)),
    }
}

fn integer(claim: Claim, value: Value<'_>) -> Result<u64, Error> {
    match value {
        Value::Number(n) => json::parse_u64(n).ok_or(Error::InvalidClaim(claim)),
        _ => Err(Error::InvalidClaim(claim)),
    }
}

impl<'a> RegisteredClaims<'a> {
    /// Parses the registered claims of a decoded payload, validating the whole payload as a
    /// strict JSON object (no duplicates, bounded depth).
    ///
    /// # Errors
    /// [`Error::InvalidJson`], [`Error::InvalidClaim`].
    ///
    /// ```
    /// use ciphertoken::{Claim, Error, RegisteredClaims};
    /// let c = RegisteredClaims::parse(br#"{"sub":"dev-1","exp":1700000000,"aud":["a","b"]}"#)?;
    /// assert_eq!(c.exp, Some(1_700_000_000));
    /// assert!(c.aud.unwrap().contains("b"));
    /// assert_eq!(RegisteredClaims::parse(br#"{"exp":"1700000000"}"#),
    ///            Err(Error::InvalidClaim(Claim::ExpirationTime)));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn parse(json: &'a [u8]) -> Result<RegisteredClaims<'a>, Error> {
        let mut c = RegisteredClaims::default();
        json::parse_object(json, |name, value| {
            let Some(raw) = name.as_str() else {
                // Registered names never need escapes, but `"\u0065xp"` is still `exp`.
                return c.member_escaped(name, value);
            };
            c.member(raw, value)
        })?;
        Ok(c)
    }

    fn member_escaped(&mut self, name: JsonStr<'a>, value: Value<'a>) -> Result<(), Error> {
        let mut buf = [0u8; 8];
        match name.unescape_into(&mut buf) {
            Ok(plain) => {
                let mut copy = [0u8; 8];
                let len = plain.len();
                crate::copy_bytes(copy.get_mut(..len).ok_or(Error::InvalidJson)?, plain.as_bytes());
                let plain = core::str::from_utf8(copy.get(..len).ok_or(Error::InvalidJson)?)
                    .map_err(|_| Error::InvalidJson)?;
                self.member(plain, value)
            }
            // Longer than any registered name: an application claim.
            Err(_) => Ok(()),
        }
    }

    fn member(&mut self, name: &str, value: Value<'a>) -> Result<(), Error> {
        match name {
            "iss" => self.iss = Some(string(Claim::Issuer, value)?),
            "sub" => self.sub = Some(string(Claim::Subject, value)?),
            "jti" => self.jti = Some(string(Claim::JwtId, value)?),
            "type" => self.token_type = Some(string(Claim::TokenType, value)?),
            "fam" => self.fam = Some(string(Claim::Family, value)?),
            "exp" => self.exp = Some(integer(Claim::ExpirationTime, value)?),
            "nbf" => self.nbf = Some(integer(Claim::NotBefore, value)?),
            "iat" => self.iat = Some(integer(Claim::IssuedAt, value)?),
            "ver" => self.ver = Some(integer(Claim::Version, value)?),
            "aud" => {
                self.aud = Some(match value {
                    Value::String(s) => Audience::One(s),
                    Value::Array(text) => {
                        for item in json::array_elements(text) {
                            if !matches!(item?, Value::String(_)) {
                                return Err(Error::InvalidClaim(Claim::Audience));
                            }
                        }
                        Audience::Many(text)
                    }
                    _ => return Err(Error::InvalidClaim(Claim::Audience)),
                });
            }
            _ => {}
        }
        Ok(())
    }

    /// Whether the claim is present.
    pub fn has(&self, claim: Claim) -> bool {
        match claim {
            Claim::Issuer => self.iss.is_some(),
            Claim::Subject => self.sub.is_some(),
            Claim::Audience => self.aud.is_some(),
            Claim::ExpirationTime => self.exp.is_some(),
            Claim::NotBefore => self.nbf.is_some(),
            Claim::IssuedAt => self.iat.is_some(),
            Claim::JwtId => self.jti.is_some(),
            Claim::TokenType => self.token_type.is_some(),
            Claim::Version => self.ver.is_some(),
            Claim::Family => self.fam.is_some(),
        }
    }
}
