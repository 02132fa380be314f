//! An independent model of what ciphertoken must accept, built on serde_json and the RFCs.
//!
//! - [`strict_object`]: RFC 8259 JSON (serde_json's grammar) plus ciphertoken's documented
//!   limits: one object, depth ≤ 16, ≤ 64 members per object, no duplicate names after
//!   unescaping (RFC 7515 §4, RFC 7519 §4).
//! - [`header`]: the JOSE header rules of `Header::parse` (RFC 7515 §4.1, RFC 7797, RFC 8725).
//! - [`claims`]: registered claim types (RFC 7519 §4.1): strings, whole non-negative seconds.
//! - [`Policy`]: the validation rules of `Validation` (RFC 7519 §4.1.3–4.1.6).

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// `ciphertoken::hazmat::json::MAX_DEPTH`: the top-level object is depth 1.
pub const MAX_DEPTH: usize = 16;
/// `ciphertoken::hazmat::json::MAX_MEMBERS`.
pub const MAX_MEMBERS: usize = 64;

/// A JSON value as the model sees it (objects keep their member order).
#[derive(Debug, Clone, PartialEq)]
pub enum J {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A non-negative integer that fits in 64 bits, written without fraction or exponent.
    U64(u64),
    /// Any other number (negative, fraction, exponent, too large).
    OtherNumber,
    /// A string, unescaped.
    Str(String),
    /// An array.
    Arr(Vec<J>),
    /// An object.
    Obj(Vec<(String, J)>),
}

impl J {
    /// The member `name` of an object.
    pub fn get(&self, name: &str) -> Option<&J> {
        match self {
            J::Obj(members) => members.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// The model's verdict on a JSON document.
#[derive(Debug, Clone, PartialEq)]
pub enum Strict {
    /// A strict JSON object.
    Valid(J),
    /// Not acceptable.
    Invalid,
    /// serde_json cannot tell (a number outside f64's range, which it refuses to parse but
    /// RFC 8259 allows): no assertion is made.
    Unknown,
}

#[derive(Clone, Copy)]
struct Level(usize);

impl<'de> DeserializeSeed<'de> for Level {
    type Value = J;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<J, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Level {
    type Value = J;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<J, E> {
        Ok(J::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<J, E> {
        Ok(J::Bool(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<J, E> {
        Ok(J::U64(v))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<J, E> {
        Ok(J::OtherNumber)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<J, E> {
        Ok(J::OtherNumber)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<J, E> {
        Ok(J::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<J, E> {
        Ok(J::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<J, A::Error> {
        let inner = Level(self.0 + 1);
        if inner.0 > MAX_DEPTH {
            return Err(de::Error::custom("model: too deep"));
        }
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(inner)? {
            items.push(v);
        }
        Ok(J::Arr(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<J, A::Error> {
        let inner = Level(self.0 + 1);
        if inner.0 > MAX_DEPTH {
            return Err(de::Error::custom("model: too deep"));
        }
        let mut members: Vec<(String, J)> = Vec::new();
        while let Some(k) = map.next_key::<String>()? {
            if members.len() == MAX_MEMBERS {
                return Err(de::Error::custom("model: too many members"));
            }
            if members.iter().any(|(seen, _)| *seen == k) {
                return Err(de::Error::custom("model: duplicate member"));
            }
            let v = map.next_value_seed(inner)?;
            members.push((k, v));
        }
        Ok(J::Obj(members))
    }
}

/// The model's verdict on `bytes` as one strict JSON object.
pub fn strict_object(bytes: &[u8]) -> Strict {
    let mut d = serde_json::Deserializer::from_slice(bytes);
    let result = Level(0).deserialize(&mut d).and_then(|v| d.end().map(|()| v));
    match result {
        Ok(v @ J::Obj(_)) => Strict::Valid(v),
        Ok(_) => Strict::Invalid,
        Err(e) if e.to_string().starts_with("number out of range") => Strict::Unknown,
        Err(_) => Strict::Invalid,
    }
}

/// The algorithms this build implements for signing and verifying.
pub const OUR_ALGS: [&str; 5] = ["HS256", "HS384", "HS512", "ES256", "EdDSA"];
/// RSA names: recognised by the header parser when the core knows them (feature-dependent).
pub const RSA_ALGS: [&str; 6] = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

/// The header fields the model derives.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderModel {
    /// `alg`.
    pub alg: String,
    /// `kid`.
    pub kid: Option<String>,
    /// `typ`.
    pub typ: Option<String>,
}

/// The model's verdict on a header object.
#[derive(Debug, Clone, PartialEq)]
pub enum HeaderVerdict {
    /// `Header::parse` must accept it, with these fields.
    Accept(HeaderModel),
    /// `Header::parse` must refuse it.
    Refuse,
    /// It depends on the build (an RSA `alg`, known with the `rsa` feature).
    DependsOnBuild,
}

/// The verdict on a header object.
pub fn header(obj: &J) -> HeaderVerdict {
    let J::Obj(members) = obj else { return HeaderVerdict::Refuse };
    let mut alg = None;
    let mut kid = None;
    let mut typ = None;
    let mut rsa = false;
    for (name, value) in members {
        match (name.as_str(), value) {
            ("alg", J::Str(s)) if OUR_ALGS.contains(&s.as_str()) => alg = Some(s.clone()),
            ("alg", J::Str(s)) if RSA_ALGS.contains(&s.as_str()) => {
                rsa = true;
                alg = Some(s.clone());
            }
            ("alg", _) => return HeaderVerdict::Refuse,
            // RFC 7515 §4.1.11: no extension is understood, so any `crit` is refused.
            ("crit", _) => return HeaderVerdict::Refuse,
            // RFC 7797 §3: only the default `b64: true` is supported.
            ("b64", J::Bool(true)) => {}
            ("b64", _) => return HeaderVerdict::Refuse,
            ("kid", J::Str(s)) => kid = Some(s.clone()),
            ("kid", _) => return HeaderVerdict::Refuse,
            ("typ", J::Str(s)) => typ = Some(s.clone()),
            ("typ", _) => return HeaderVerdict::Refuse,
            // RFC 7519 §5.2: `cty: JWT` announces a nested token, which is not supported.
            ("cty", J::Str(s)) if s.eq_ignore_ascii_case("JWT") => return HeaderVerdict::Refuse,
            ("cty", J::Str(_)) => {}
            ("cty", _) => return HeaderVerdict::Refuse,
            _ => {}
        }
    }
    let Some(alg) = alg else { return HeaderVerdict::Refuse };
    if rsa {
        return HeaderVerdict::DependsOnBuild;
    }
    HeaderVerdict::Accept(HeaderModel { alg, kid, typ })
}

/// The registered claims the model derives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimsModel {
    /// `iss`.
    pub iss: Option<String>,
    /// `sub`.
    pub sub: Option<String>,
    /// `jti`.
    pub jti: Option<String>,
    /// `type`.
    pub token_type: Option<String>,
    /// `fam`.
    pub fam: Option<String>,
    /// `exp`.
    pub exp: Option<u64>,
    /// `nbf`.
    pub nbf: Option<u64>,
    /// `iat`.
    pub iat: Option<u64>,
    /// `ver`.
    pub ver: Option<u64>,
    /// `aud`, as a list.
    pub aud: Option<Vec<String>>,
}

/// The registered claims of a strict object, or `None` when one is malformed.
pub fn claims(obj: &J) -> Option<ClaimsModel> {
    let J::Obj(members) = obj else { return None };
    let mut c = ClaimsModel::default();
    for (name, value) in members {
        let string = || match value {
            J::Str(s) => Some(s.clone()),
            _ => None,
        };
        let seconds = || match value {
            J::U64(n) => Some(*n),
            _ => None,
        };
        match name.as_str() {
            "iss" => c.iss = Some(string()?),
            "sub" => c.sub = Some(string()?),
            "jti" => c.jti = Some(string()?),
            "type" => c.token_type = Some(string()?),
            "fam" => c.fam = Some(string()?),
            "exp" => c.exp = Some(seconds()?),
            "nbf" => c.nbf = Some(seconds()?),
            "iat" => c.iat = Some(seconds()?),
            "ver" => c.ver = Some(seconds()?),
            "aud" => {
                c.aud = Some(match value {
                    J::Str(s) => vec![s.clone()],
                    J::Arr(items) => items
                        .iter()
                        .map(|i| match i {
                            J::Str(s) => Some(s.clone()),
                            _ => None,
                        })
                        .collect::<Option<Vec<_>>>()?,
                    _ => return None,
                });
            }
            _ => {}
        }
    }
    Some(c)
}

/// Validation policies the fuzzers pick from, each with its ciphertoken equivalent.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Required claims: exp, nbf, iat, iss, aud, sub, jti (the `RequiredClaims` bits).
    pub required: u32,
    /// Leeway in seconds.
    pub leeway: u64,
    /// Expected `iss`.
    pub issuer: Option<&'static str>,
    /// Acceptable audiences (`None`: no audience expected).
    pub audience: Option<&'static [&'static str]>,
    /// Whether an `aud` is accepted when none is expected.
    pub allow_unexpected_audience: bool,
    /// Expected `sub`.
    pub subject: Option<&'static str>,
    /// Expected `type` claim.
    pub token_type: Option<&'static str>,
    /// Required `typ` header (`None`: absent or `JWT`).
    pub header_typ: Option<&'static str>,
}

/// The number of policies [`Policy::pick`] chooses from.
pub const POLICIES: usize = 5;

impl Policy {
    /// Policy number `i % POLICIES`.
    pub fn pick(i: usize) -> Policy {
        let base = Policy {
            required: 1,
            leeway: 0,
            issuer: None,
            audience: None,
            allow_unexpected_audience: false,
            subject: None,
            token_type: None,
            header_typ: None,
        };
        match i % POLICIES {
            0 => Policy { required: 0, allow_unexpected_audience: true, ..base },
            1 => base,
            2 => Policy {
                issuer: Some("joe"),
                audience: Some(&["api"]),
                subject: Some("dev"),
                leeway: 60,
                ..base
            },
            3 => Policy {
                required: 0x7f,
                header_typ: Some("at+jwt"),
                token_type: Some("access"),
                audience: Some(&["a", "api", "b"]),
                ..base
            },
            _ => Policy { required: 0, leeway: u64::MAX, ..base },
        }
    }

    /// The same policy as a `ciphertoken::Validation`.
    pub fn validation(&self) -> ciphertoken::Validation<'static> {
        let required = ciphertoken::RequiredClaims::from_bits(self.required)
            .unwrap_or_else(|| panic!("bad required bits {:#x}", self.required));
        let mut v = ciphertoken::Validation::new().required(required).leeway(self.leeway);
        if let Some(iss) = self.issuer {
            v = v.issuer(iss);
        }
        if let Some(aud) = self.audience {
            v = v.audiences(aud);
        }
        if self.allow_unexpected_audience {
            v = v.allow_unexpected_audience();
        }
        if let Some(sub) = self.subject {
            v = v.subject(sub);
        }
        if let Some(t) = self.token_type {
            v = v.token_type(t);
        }
        if let Some(t) = self.header_typ {
            v = v.header_type(t);
        }
        v
    }

    /// Whether the header's `typ` passes (RFC 7515 §4.1.9: compared case-insensitively).
    pub fn header_ok(&self, h: &HeaderModel) -> bool {
        match (self.header_typ, &h.typ) {
            (None, None) => true,
            (None, Some(t)) => t.eq_ignore_ascii_case("JWT"),
            (Some(want), Some(t)) => t.eq_ignore_ascii_case(want),
            (Some(_), None) => false,
        }
    }

    /// Whether the claims pass at `now`.
    pub fn claims_ok(&self, c: &ClaimsModel, now: u64) -> bool {
        let present = [
            c.exp.is_some(),
            c.nbf.is_some(),
            c.iat.is_some(),
            c.iss.is_some(),
            c.aud.is_some(),
            c.sub.is_some(),
            c.jti.is_some(),
        ];
        if present.iter().enumerate().any(|(bit, &has)| self.required & (1 << bit) != 0 && !has) {
            return false;
        }
        let (now, leeway) = (u128::from(now), u128::from(self.leeway));
        // RFC 7519 §4.1.4: now must be before exp (plus leeway).
        if c.exp.is_some_and(|exp| now >= u128::from(exp) + leeway) {
            return false;
        }
        // RFC 7519 §4.1.5.
        if c.nbf.is_some_and(|nbf| now + leeway < u128::from(nbf)) {
            return false;
        }
        if c.iat.is_some_and(|iat| u128::from(iat) > now + leeway) {
            return false;
        }
        if self.issuer.is_some_and(|want| c.iss.as_deref() != Some(want)) {
            return false;
        }
        // RFC 7519 §4.1.3.
        match (self.audience, &c.aud) {
            (None, None) => {}
            (None, Some(_)) => {
                if !self.allow_unexpected_audience {
                    return false;
                }
            }
            (Some(_), None) => return false,
            (Some(wants), Some(aud)) => {
                if !wants.iter().any(|w| aud.iter().any(|a| a == w)) {
                    return false;
                }
            }
        }
        if self.subject.is_some_and(|want| c.sub.as_deref() != Some(want)) {
            return false;
        }
        if self.token_type.is_some_and(|want| c.token_type.as_deref() != Some(want)) {
            return false;
        }
        true
    }
}

/// Checks a `ciphertoken::JsonStr` against the model's unescaped string.
pub fn same_str(ct: Option<ciphertoken::JsonStr<'_>>, model: &Option<String>) -> bool {
    match (ct, model) {
        (None, None) => true,
        (Some(s), Some(m)) => s.eq_str(m) && s.chars().collect::<String>() == *m,
        _ => false,
    }
}

/// Asserts that ciphertoken's registered claims equal the model's.
pub fn assert_same_claims(ct: &ciphertoken::RegisteredClaims<'_>, m: &ClaimsModel) {
    assert!(same_str(ct.iss, &m.iss), "iss: {:?} vs {:?}", ct.iss, m.iss);
    assert!(same_str(ct.sub, &m.sub), "sub: {:?} vs {:?}", ct.sub, m.sub);
    assert!(same_str(ct.jti, &m.jti), "jti: {:?} vs {:?}", ct.jti, m.jti);
    assert!(same_str(ct.token_type, &m.token_type), "type: {:?} vs {:?}", ct.token_type, m.token_type);
    assert!(same_str(ct.fam, &m.fam), "fam: {:?} vs {:?}", ct.fam, m.fam);
    assert_eq!(ct.exp, m.exp, "exp");
    assert_eq!(ct.nbf, m.nbf, "nbf");
    assert_eq!(ct.iat, m.iat, "iat");
    assert_eq!(ct.ver, m.ver, "ver");
    let aud: Option<Vec<String>> = ct.aud.map(|a| a.iter().map(|s| s.chars().collect()).collect());
    assert_eq!(aud, m.aud, "aud");
}
