//! The claim policy. It fails closed: `exp` is required by default, and naming an expected
//! value makes its claim required.

use crate::jws::header::{eq_ignore_ascii_case, Header};
use crate::jwt::claims::RegisteredClaims;
use crate::{Claim, Clock, Error, UnixSeconds};

/// The longest token accepted by default, in bytes.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 8 * 1024;

/// A set of registered claims that must be present. The bits are shared with the C ABI
/// (`CT_CLAIM_*`).
///
/// ```
/// use ciphertoken::RequiredClaims;
/// let r = RequiredClaims::EXP | RequiredClaims::JTI;
/// assert!(r.contains(RequiredClaims::JTI) && !r.contains(RequiredClaims::SUB));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequiredClaims(u32);

impl RequiredClaims {
    /// Nothing required (present time claims are still checked).
    pub const NONE: RequiredClaims = RequiredClaims(0);
    /// `exp`.
    pub const EXP: RequiredClaims = RequiredClaims(1 << 0);
    /// `nbf`.
    pub const NBF: RequiredClaims = RequiredClaims(1 << 1);
    /// `iat`.
    pub const IAT: RequiredClaims = RequiredClaims(1 << 2);
    /// `iss`.
    pub const ISS: RequiredClaims = RequiredClaims(1 << 3);
    /// `aud`.
    pub const AUD: RequiredClaims = RequiredClaims(1 << 4);
    /// `sub`.
    pub const SUB: RequiredClaims = RequiredClaims(1 << 5);
    /// `jti`.
    pub const JTI: RequiredClaims = RequiredClaims(1 << 6);
    /// Every bit defined above.
    pub const ALL: RequiredClaims = RequiredClaims(0x7f);

    const CLAIMS: [(RequiredClaims, Claim); 7] = [
        (RequiredClaims::EXP, Claim::ExpirationTime),
        (RequiredClaims::NBF, Claim::NotBefore),
        (RequiredClaims::IAT, Claim::IssuedAt),
        (RequiredClaims::ISS, Claim::Issuer),
        (RequiredClaims::AUD, Claim::Audience),
        (RequiredClaims::SUB, Claim::Subject),
        (RequiredClaims::JTI, Claim::JwtId),
    ];

    /// The set from its bits, or `None` if an unknown bit is set.
    pub const fn from_bits(bits: u32) -> Option<RequiredClaims> {
        if bits & !RequiredClaims::ALL.0 == 0 {
            Some(RequiredClaims(bits))
        } else {
            None
        }
    }

    /// The bits of the set.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether every claim of `other` is in the set.
    pub const fn contains(self, other: RequiredClaims) -> bool {
        self.0 & other.0 == other.0
    }
}

impl core::ops::BitOr for RequiredClaims {
    type Output = RequiredClaims;
    fn bitor(self, rhs: RequiredClaims) -> RequiredClaims {
        RequiredClaims(self.0 | rhs.0)
    }
}

#[derive(Debug, Clone, Copy)]
enum Expected<'a> {
    Nothing,
    One(&'a str),
    AnyOf(&'a [&'a str]),
}

/// How a token's header and registered claims are validated.
///
/// ```
/// use ciphertoken::Validation;
/// let v = Validation::new().issuer("gw").audience("api").leeway(30);
/// # let _ = v;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Validation<'a> {
    required: RequiredClaims,
    leeway: u64,
    issuer: Option<&'a str>,
    audience: Expected<'a>,
    allow_unexpected_audience: bool,
    subject: Option<&'a str>,
    token_type: Option<&'a str>,
    header_typ: Option<&'a str>,
    max_token_len: usize,
}

impl Default for Validation<'_> {
    fn default() -> Self {
        Validation::new()
    }
}

impl<'a> Validation<'a> {
    /// Safe defaults: `exp` required, no leeway, `typ` absent or `JWT`, tokens up to
    /// [`DEFAULT_MAX_TOKEN_LEN`] bytes, and a token with an `aud` is refused (no audience
    /// expected).
    pub const fn new() -> Validation<'a> {
        Validation {
            required: RequiredClaims::EXP,
            leeway: 0,
            issuer: None,
            audience: Expected::Nothing,
            allow_unexpected_audience: false,
            subject: None,
            token_type: None,
            header_typ: None,
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
        }
    }

    /// Replaces the set of required claims. `RequiredClaims::NONE` turns off the `exp`
    /// requirement; a present `exp`, `nbf` or `iat` is still checked.
    pub const fn required(mut self, claims: RequiredClaims) -> Self {
        self.required = claims;
        self
    }

    /// Seconds of clock skew tolerated on `exp`, `nbf` and `iat`.
    pub const fn leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds;
        self
    }

    /// The expected `iss`; makes `iss` required.
    pub const fn issuer(mut self, iss: &'a str) -> Self {
        self.issuer = Some(iss);
        self
    }

    /// The expected audience; `aud` becomes required and must contain it.
    pub const fn audience(mut self, aud: &'a str) -> Self {
        self.audience = Expected::One(aud);
        self
    }

    /// Acceptable audiences; `aud` becomes required and must contain at least one of them.
    pub const fn audiences(mut self, any_of: &'a [&'a str]) -> Self {
        self.audience = Expected::AnyOf(any_of);
        self
    }

    /// Accept tokens that carry an `aud` when no audience is expected (refused by default,
    /// RFC 7519 §4.1.3).
    pub const fn allow_unexpected_audience(mut self) -> Self {
        self.allow_unexpected_audience = true;
        self
    }

    /// The expected `sub`; makes `sub` required.
    pub const fn subject(mut self, sub: &'a str) -> Self {
        self.subject = Some(sub);
        self
    }

    /// The expected `type` claim (`access` or `refresh`); makes it required.
    pub const fn token_type(mut self, token_type: &'a str) -> Self {
        self.token_type = Some(token_type);
        self
    }

    /// The required `typ` header (compared case-insensitively, RFC 7515 §4.1.9), e.g.
    /// `at+jwt`. By default `typ` may be absent or `JWT`.
    pub const fn header_type(mut self, typ: &'a str) -> Self {
        self.header_typ = Some(typ);
        self
    }

    /// The longest token accepted, in bytes.
    pub const fn max_token_len(mut self, bytes: usize) -> Self {
        self.max_token_len = bytes;
        self
    }

    /// The configured maximum token length.
    pub const fn token_len_limit(&self) -> usize {
        self.max_token_len
    }

    pub(crate) fn check_header(&self, header: &Header<'_>) -> Result<(), Error> {
        match (self.header_typ, header.typ) {
            (None, None) => Ok(()),
            (None, Some(typ)) if eq_ignore_ascii_case(typ, "JWT") => Ok(()),
            (Some(want), Some(typ)) if eq_ignore_ascii_case(typ, want) => Ok(()),
            _ => Err(Error::InvalidTokenType),
        }
    }

    /// Validates registered claims against this policy at the clock's time.
    ///
    /// The clock is read only when a time claim is present or required.
    ///
    /// # Errors
    /// [`Error::MissingClaim`], [`Error::Expired`], [`Error::NotYetValid`],
    /// [`Error::IssuedInFuture`], [`Error::InvalidIssuer`], [`Error::InvalidAudience`],
    /// [`Error::InvalidSubject`], [`Error::WrongTokenUse`], [`Error::TimeUnavailable`].
    ///
    /// ```
    /// use ciphertoken::{Error, FixedClock, RegisteredClaims, Validation};
    /// let claims = RegisteredClaims::parse(br#"{"exp":100}"#)?;
    /// assert_eq!(Validation::new().validate(&claims, &FixedClock(99)), Ok(()));
    /// assert_eq!(Validation::new().validate(&claims, &FixedClock(100)), Err(Error::Expired));
    /// assert_eq!(Validation::new().leeway(5).validate(&claims, &FixedClock(104)), Ok(()));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn validate<C: Clock + ?Sized>(&self, claims: &RegisteredClaims<'_>, clock: &C) -> Result<(), Error> {
        for (bit, claim) in RequiredClaims::CLAIMS {
            if self.required.contains(bit) && !claims.has(claim) {
                return Err(Error::MissingClaim(claim));
            }
        }

        if claims.exp.is_some() || claims.nbf.is_some() || claims.iat.is_some() {
            let now: UnixSeconds = clock.now()?;
            // RFC 7519 §4.1.4: the current time MUST be before `exp`.
            if let Some(exp) = claims.exp {
                if now >= exp.saturating_add(self.leeway) {
                    return Err(Error::Expired);
                }
            }
            // RFC 7519 §4.1.5: not accepted before `nbf`.
            if let Some(nbf) = claims.nbf {
                if now.saturating_add(self.leeway) < nbf {
                    return Err(Error::NotYetValid);
                }
            }
            // RFC 7519 §4.1.6 gives `iat` no rule; a token from the future is refused.
            if let Some(iat) = claims.iat {
                if iat > now.saturating_add(self.leeway) {
                    return Err(Error::IssuedInFuture);
                }
            }
        }

        if let Some(want) = self.issuer {
            let iss = claims.iss.ok_or(Error::MissingClaim(Claim::Issuer))?;
            if !iss.eq_str(want) {
                return Err(Error::InvalidIssuer);
            }
        }

        // RFC 7519 §4.1.3: a principal that does not find itself in `aud` MUST reject.
        match (self.audience, claims.aud) {
            (Expected::Nothing, None) => {}
            (Expected::Nothing, Some(_)) => {
                if !self.allow_unexpected_audience {
                    return Err(Error::InvalidAudience);
                }
            }
            (_, None) => return Err(Error::MissingClaim(Claim::Audience)),
            (Expected::One(want), Some(aud)) => {
                if !aud.contains(want) {
                    return Err(Error::InvalidAudience);
                }
            }
            (Expected::AnyOf(wants), Some(aud)) => {
                if !wants.iter().any(|w| aud.contains(w)) {
                    return Err(Error::InvalidAudience);
                }
            }
        }

        if let Some(want) = self.subject {
            let sub = claims.sub.ok_or(Error::MissingClaim(Claim::Subject))?;
            if !sub.eq_str(want) {
                return Err(Error::InvalidSubject);
            }
        }

        if let Some(want) = self.token_type {
            let t = claims.token_type.ok_or(Error::MissingClaim(Claim::TokenType))?;
            if !t.eq_str(want) {
                return Err(Error::WrongTokenUse);
            }
        }
        Ok(())
    }
}
