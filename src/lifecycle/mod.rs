//! The token life cycle: access/refresh pairs, refresh rotation with reuse detection,
//! revocation, token versions and key rotation, bundled in [`CipherToken`].

pub(crate) mod revocation;

use crate::codec::json::{self, JsonStr, Value};
use crate::codec::ser::{self, Counter, Sink};
use crate::jwt::claims::RegisteredClaims;
use crate::jwt::sign::{sign_with, ClaimsCheck};
use crate::jwt::verify::{verify_token, VerifiedToken};
use crate::keys::secret::{RandomId, RANDOM_ID_LEN};
use crate::lifecycle::revocation::{RevocationStore, Revoked, VersionSource, MAX_REVOKED_ID_LEN};
use crate::{
    Claim, Clock, Error, JwsSigner, KeySet, RequiredClaims, SigningKey, UnixSeconds, Validation, Verified,
};
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};

/// `n` seconds.
pub const fn seconds(n: u64) -> u64 {
    n
}
/// `n` minutes, in seconds (saturating).
pub const fn minutes(n: u64) -> u64 {
    n.saturating_mul(60)
}
/// `n` hours, in seconds (saturating).
pub const fn hours(n: u64) -> u64 {
    n.saturating_mul(3_600)
}
/// `n` days, in seconds (saturating).
pub const fn days(n: u64) -> u64 {
    n.saturating_mul(86_400)
}

/// The default access-token lifetime: 10 minutes.
pub const DEFAULT_ACCESS_TTL: u64 = minutes(10);
/// The default refresh-token lifetime: 7 days.
pub const DEFAULT_REFRESH_TTL: u64 = days(7);

/// The `type` claim of access tokens.
pub const ACCESS: &str = "access";
/// The `type` claim of refresh tokens.
pub const REFRESH: &str = "refresh";

/// The longest `sub` (in bytes, decoded) of the life cycle: issuing refuses longer subjects
/// ([`Error::TooLong`]), verifying refuses them ([`Error::InvalidClaim`]).
pub const MAX_SUBJECT_LEN: usize = 256;

/// What an issued token says about its subject.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subject<'a> {
    /// `sub`, if any.
    pub sub: Option<&'a str>,
    /// `ver`: the subject's token version, if versions are tracked.
    pub ver: Option<u64>,
}

impl<'a> Subject<'a> {
    /// A subject with `sub`.
    pub const fn new(sub: &'a str) -> Self {
        Subject { sub: Some(sub), ver: None }
    }

    /// The same subject with a token version.
    pub const fn version(mut self, ver: u64) -> Self {
        self.ver = Some(ver);
        self
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a str>,
    iat: UnixSeconds,
    exp: UnixSeconds,
    #[serde(skip_serializing_if = "Option::is_none")]
    jti: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fam: Option<&'a str>,
    #[serde(rename = "type")]
    token_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ver: Option<u64>,
}

/// Application claims, written after the registered ones in the same JSON object.
trait AppClaims {
    /// The length of the envelope and these claims as one object.
    fn merged_len(&self, envelope: &Envelope<'_>) -> Result<usize, Error>;
    /// Writes the envelope and these claims as one object.
    fn write_merged<S: Sink>(&self, envelope: &Envelope<'_>, sink: &mut S) -> Result<(), Error>;
}

/// The members of a `Serialize` value (which must serialize as a JSON object).
struct Serialized<'t, T: ?Sized>(&'t T);

impl<T: Serialize + ?Sized> AppClaims for Serialized<'_, T> {
    fn merged_len(&self, envelope: &Envelope<'_>) -> Result<usize, Error> {
        ser::merged_len(envelope, self.0)
    }
    fn write_merged<S: Sink>(&self, envelope: &Envelope<'_>, sink: &mut S) -> Result<(), Error> {
        ser::to_sink_merged(envelope, self.0, sink)
    }
}

/// Every registered claim: the envelope owns these names.
const REGISTERED: [Claim; 10] = [
    Claim::Issuer,
    Claim::Subject,
    Claim::Audience,
    Claim::ExpirationTime,
    Claim::NotBefore,
    Claim::IssuedAt,
    Claim::JwtId,
    Claim::TokenType,
    Claim::Version,
    Claim::Family,
];

fn registered(name: JsonStr<'_>) -> Option<Claim> {
    REGISTERED.into_iter().find(|c| name.eq_str(c.name()))
}

/// The members of a JSON object's text, copied verbatim: the C ABI's application claims.
struct JsonMembers<'j> {
    object: &'j [u8],
    /// Leaves out members with registered names (a rotation renews those).
    skip_registered: bool,
}

impl<'j> JsonMembers<'j> {
    /// Application claims given as text: one strict JSON object (no duplicate names, bounded
    /// depth) that uses no registered name ([`Error::InvalidClaim`] names the first one).
    fn new(object: &'j [u8]) -> Result<Self, Error> {
        json::parse_object(object, |name, _| {
            registered(name).map_or(Ok(()), |c| Err(Error::InvalidClaim(c)))
        })?;
        Ok(JsonMembers { object, skip_registered: false })
    }
}

impl AppClaims for JsonMembers<'_> {
    fn merged_len(&self, envelope: &Envelope<'_>) -> Result<usize, Error> {
        let mut counter = Counter(0);
        self.write_merged(envelope, &mut counter)?;
        Ok(counter.0)
    }

    fn write_merged<S: Sink>(&self, envelope: &Envelope<'_>, sink: &mut S) -> Result<(), Error> {
        ser::to_sink_open(envelope, sink)?;
        json::parse_object(self.object, |name, value| {
            if self.skip_registered && registered(name).is_some() {
                return Ok(());
            }
            sink.put(b",\"")?;
            sink.put(name.raw().as_bytes())?;
            sink.put(b"\":")?;
            match value {
                Value::Null => sink.put(b"null"),
                Value::Bool(true) => sink.put(b"true"),
                Value::Bool(false) => sink.put(b"false"),
                Value::Number(text) | Value::Array(text) | Value::Object(text) => sink.put(text.as_bytes()),
                Value::String(text) => {
                    sink.put(b"\"")?;
                    sink.put(text.raw().as_bytes())?;
                    sink.put(b"\"")
                }
            }
        })?;
        sink.put(b"}")
    }
}

/// The ids of a new pair: its family (kept by a rotation) and the two `jti`s.
struct PairIds {
    family: RandomId,
    access: RandomId,
    refresh: RandomId,
}

impl PairIds {
    fn generate<R: RngCore + CryptoRng + ?Sized>(
        rng: &mut R,
        family: Option<RandomId>,
    ) -> Result<Self, Error> {
        let family = match family {
            Some(f) => f,
            None => RandomId::generate(rng)?,
        };
        Ok(PairIds { family, access: RandomId::generate(rng)?, refresh: RandomId::generate(rng)? })
    }
}

/// Application claims for tokens that carry none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoClaims {}

/// A freshly issued access/refresh pair.
#[derive(Debug, Clone, Copy)]
pub struct TokenPair<'a, 'r> {
    /// The access token.
    pub access: &'a str,
    /// The refresh token.
    pub refresh: &'r str,
    /// The refresh token's `jti`.
    pub refresh_jti: RandomId,
    /// The login's family id (`fam`), shared by every token issued through rotation.
    pub family: RandomId,
}

/// An issuer and verifier of access and refresh tokens.
///
/// It bundles the current signing key, the verification [`KeySet`] (of up to `K` keys, for
/// key rotation without downtime), the clock, the lifetimes and the claim policy.
///
/// ```
/// # #[cfg(feature = "hs")] {
/// use ciphertoken::lifecycle::{minutes, CipherToken, NoClaims, Subject};
/// use ciphertoken::{Error, FixedClock, NoVersions, RevocationList, SigningKey};
/// # struct Rng(u64);
/// # impl rand_core::RngCore for Rng {
/// #     fn next_u32(&mut self) -> u32 { self.next_u64() as u32 }
/// #     fn next_u64(&mut self) -> u64 { self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); self.0 >> 11 }
/// #     fn fill_bytes(&mut self, d: &mut [u8]) { rand_core::impls::fill_bytes_via_next(self, d) }
/// #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { self.fill_bytes(d); Ok(()) }
/// # }
/// # impl rand_core::CryptoRng for Rng {}
/// # let mut rng = Rng(7);
/// let key = SigningKey::hs256(&[9; 32])?.with_kid("k1")?;
/// let ct = CipherToken::<_, 2>::new(key, FixedClock(1_000))?.access_ttl(minutes(5)).issuer("auth");
/// let (mut a, mut r, mut scratch) = ([0u8; 400], [0u8; 400], [0u8; 400]);
/// let pair = ct.issue_pair(&mut rng, Subject::new("alice"), &NoClaims {}, &mut a, &mut r)?;
/// let mut revoked = RevocationList::<16>::new();
/// let access = ct.verify_access::<NoClaims, _, _>(pair.access, &revoked, &NoVersions, &mut scratch)?;
/// assert!(access.registered().sub.unwrap().eq_str("alice"));
/// // A refresh token is not an access token.
/// assert_eq!(ct.verify_access::<NoClaims, _, _>(pair.refresh, &revoked, &NoVersions, &mut scratch).err(),
///            Some(Error::WrongTokenUse));
/// # }
/// # Ok::<(), ciphertoken::Error>(())
/// ```
#[derive(Debug)]
pub struct CipherToken<'c, C: Clock, const K: usize, G: JwsSigner = SigningKey> {
    signing: G,
    keys: KeySet<K>,
    clock: C,
    access_ttl: u64,
    refresh_ttl: u64,
    leeway: u64,
    issuer: Option<&'c str>,
    audience: Option<&'c str>,
}

impl<'c, C: Clock, const K: usize, G: JwsSigner> CipherToken<'c, C, K, G> {
    /// An issuer/verifier signing with `signing` (whose verifying key joins the key set):
    /// a [`SigningKey`], or a key in hardware ([`ExternalKey`](crate::ExternalKey), named as
    /// the fourth type parameter: `CipherToken::<_, 2, ExternalKey<MyDevice>>::new`).
    ///
    /// # Errors
    /// [`Error::StoreFull`] when `K` is 0; [`Error::UnsupportedAlgorithm`] for an HMAC key
    /// held in hardware (the issuer verifies its own tokens in software).
    pub fn new(signing: G, clock: C) -> Result<Self, Error> {
        let mut keys = KeySet::new();
        keys.insert(signing.verifier()?)?;
        Ok(CipherToken {
            signing,
            keys,
            clock,
            access_ttl: DEFAULT_ACCESS_TTL,
            refresh_ttl: DEFAULT_REFRESH_TTL,
            leeway: 0,
            issuer: None,
            audience: None,
        })
    }

    /// The access-token lifetime in seconds (default 10 minutes; 5–15 is typical).
    pub fn access_ttl(mut self, seconds: u64) -> Self {
        self.access_ttl = seconds;
        self
    }

    /// The refresh-token lifetime in seconds (default 7 days).
    pub fn refresh_ttl(mut self, seconds: u64) -> Self {
        self.refresh_ttl = seconds;
        self
    }

    /// Clock skew tolerated when verifying (default 0).
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds;
        self
    }

    /// `iss` written into every token and required when verifying.
    pub fn issuer(mut self, iss: &'c str) -> Self {
        self.issuer = Some(iss);
        self
    }

    /// `aud` written into every token and required when verifying.
    pub fn audience(mut self, aud: &'c str) -> Self {
        self.audience = Some(aud);
        self
    }

    /// The verification keys.
    pub fn keys(&self) -> &KeySet<K> {
        &self.keys
    }

    /// The access-token lifetime in seconds.
    pub fn access_ttl_seconds(&self) -> u64 {
        self.access_ttl
    }

    /// The refresh-token lifetime in seconds: the longest any token of a family can live.
    pub fn refresh_ttl_seconds(&self) -> u64 {
        self.refresh_ttl
    }

    /// The leeway in seconds.
    pub fn leeway_seconds(&self) -> u64 {
        self.leeway
    }

    /// The verification keys, to add keys or restore a saved set (the C ABI rebuilds its
    /// issuer this way for each call). Keep the signing key's verifying key in the set, or
    /// the tokens it signs will not verify.
    pub fn keys_mut(&mut self) -> &mut KeySet<K> {
        &mut self.keys
    }

    /// The clock.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// Rotates the signing key: new tokens are signed with `next` (which needs a `kid`
    /// distinct from the others); tokens of the previous key keep verifying for `grace`
    /// seconds, then only the new key is accepted.
    ///
    /// # Errors
    /// [`Error::InvalidKeyId`], [`Error::StoreFull`], [`Error::TimeUnavailable`].
    pub fn rotate_key(&mut self, next: G, grace: u64) -> Result<(), Error> {
        let now = self.clock.now()?;
        self.keys.prune(now);
        let old_kid = self.signing.kid().ok_or(Error::InvalidKeyId)?;
        let mut old = heapless::String::<{ crate::MAX_KID_LEN }>::new();
        old.push_str(old_kid).map_err(|_| Error::InvalidKeyId)?;
        self.keys.insert(next.verifier()?)?;
        self.keys.retire(&old, now.saturating_add(grace))?;
        self.signing = next;
        Ok(())
    }

    fn issue<'o, M: AppClaims + ?Sized>(
        &self,
        token_type: &str,
        subject: Subject<'_>,
        ids: (Option<&str>, Option<&str>),
        ttl: u64,
        claims: &M,
        out: &'o mut [u8],
    ) -> Result<&'o str, Error> {
        if subject.sub.is_some_and(|s| s.len() > MAX_SUBJECT_LEN) {
            return Err(Error::TooLong);
        }
        // Never issue a token whose ids no revocation store could check: an id longer than
        // `MAX_REVOKED_ID_LEN` (the fixed list's and the C list's capacity) or empty could
        // not be revoked, and the token would stay valid until it expires (fail-open).
        check_issued_id(ids.0, Claim::JwtId)?;
        check_issued_id(ids.1, Claim::Family)?;
        let now = self.clock.now()?;
        let envelope = Envelope {
            iss: self.issuer,
            sub: subject.sub,
            aud: self.audience,
            iat: now,
            exp: now.saturating_add(ttl),
            jti: ids.0,
            fam: ids.1,
            token_type,
            ver: subject.ver,
        };
        // The application's members follow the registered ones in the same object.
        let len = claims.merged_len(&envelope)?;
        sign_with(&self.signing, len, |sink| claims.write_merged(&envelope, sink), ClaimsCheck::Strict, out)
    }

    /// The length of the token [`issue`](Self::issue) would write.
    fn token_len<M: AppClaims + ?Sized>(
        &self,
        token_type: &str,
        subject: Subject<'_>,
        ids: (Option<&str>, Option<&str>),
        ttl: u64,
        claims: &M,
    ) -> Result<usize, Error> {
        match self.issue(token_type, subject, ids, ttl, claims, &mut []) {
            Ok(token) => Ok(token.len()),
            Err(Error::BufferTooSmall { needed }) => Ok(needed),
            Err(e) => Err(e),
        }
    }

    /// Checks that a pair fits `access_out` and `refresh_out` before anything is generated,
    /// revoked or written; `needed` receives both token lengths (ids have a fixed length).
    fn reserve<M: AppClaims + ?Sized>(
        &self,
        subject: Subject<'_>,
        claims: &M,
        outs: (&[u8], &[u8]),
        needed: &mut [usize; 2],
    ) -> Result<(), Error> {
        const ID: &str = "AAAAAAAAAAAAAAAAAAAAAA";
        const _: () = assert!(ID.len() == RANDOM_ID_LEN);
        let ids = (Some(ID), Some(ID));
        let access = self.token_len(ACCESS, subject, ids, self.access_ttl, claims)?;
        let refresh = self.token_len(REFRESH, subject, ids, self.refresh_ttl, claims)?;
        *needed = [access, refresh];
        for (len, cap) in [(access, outs.0.len()), (refresh, outs.1.len())] {
            if cap < len {
                return Err(Error::BufferTooSmall { needed: len });
            }
        }
        Ok(())
    }

    /// Issues an access token (`"type":"access"`, `iat`, `exp`, and `sub`, `ver`, `iss`,
    /// `aud` when set) carrying the application's `claims` (which must not use registered
    /// names). Access tokens get a `jti` when `jti` is given: 1 to [`MAX_REVOKED_ID_LEN`]
    /// bytes, so that any revocation store can record it (a token that cannot be revoked is
    /// never issued).
    ///
    /// # Errors
    /// [`Error::TimeUnavailable`], [`Error::BufferTooSmall`], [`Error::ClaimsSerialization`],
    /// [`Error::TooLong`] for a `jti` over [`MAX_REVOKED_ID_LEN`] bytes or a `sub` over
    /// [`MAX_SUBJECT_LEN`], [`Error::InvalidClaim`] for an empty `jti`.
    pub fn issue_access<'o, T: Serialize + ?Sized>(
        &self,
        subject: Subject<'_>,
        jti: Option<&str>,
        claims: &T,
        out: &'o mut [u8],
    ) -> Result<&'o str, Error> {
        self.issue(ACCESS, subject, (jti, None), self.access_ttl, &Serialized(claims), out)
    }

    /// For the C ABI: [`issue_access`](Self::issue_access) with the application claims as the
    /// text of a JSON object, validated strictly and copied verbatim after the registered
    /// claims; a member with a registered name gives [`Error::InvalidClaim`].
    ///
    /// # Errors
    /// As [`issue_access`](Self::issue_access), plus [`Error::InvalidJson`], [`Error::InvalidClaim`].
    #[doc(hidden)]
    pub fn issue_access_json<'o>(
        &self,
        subject: Subject<'_>,
        jti: Option<&str>,
        claims_json: &[u8],
        out: &'o mut [u8],
    ) -> Result<&'o str, Error> {
        let members = JsonMembers::new(claims_json)?;
        self.issue(ACCESS, subject, (jti, None), self.access_ttl, &members, out)
    }

    /// Issues a new login: an access token and a refresh token (unique `jti`, new family).
    /// Both buffers are checked before anything is generated or written: a short one gives
    /// [`Error::BufferTooSmall`] with the size it needs and leaves both untouched.
    ///
    /// # Errors
    /// As [`issue_access`](Self::issue_access), plus [`Error::RandomUnavailable`].
    pub fn issue_pair<'a, 'r, T: Serialize + ?Sized, R: RngCore + CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        subject: Subject<'_>,
        claims: &T,
        access_out: &'a mut [u8],
        refresh_out: &'r mut [u8],
    ) -> Result<TokenPair<'a, 'r>, Error> {
        self.reserve(subject, &Serialized(claims), (access_out, refresh_out), &mut [0; 2])?;
        let ids = PairIds::generate(rng, None)?;
        self.issue_in_family(&ids, subject, &Serialized(claims), access_out, refresh_out)
    }

    /// For the C ABI: [`issue_pair`](Self::issue_pair) with the application claims as JSON
    /// text (as [`issue_access_json`](Self::issue_access_json)); `needed` receives the two
    /// token lengths once they are known (before anything is generated or written).
    ///
    /// # Errors
    /// As [`issue_pair`](Self::issue_pair), plus [`Error::InvalidJson`], [`Error::InvalidClaim`].
    #[doc(hidden)]
    pub fn issue_pair_json<'a, 'r, R: RngCore + CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        subject: Subject<'_>,
        claims_json: &[u8],
        (access_out, refresh_out): (&'a mut [u8], &'r mut [u8]),
        needed: &mut [usize; 2],
    ) -> Result<TokenPair<'a, 'r>, Error> {
        let members = JsonMembers::new(claims_json)?;
        self.reserve(subject, &members, (access_out, refresh_out), needed)?;
        let ids = PairIds::generate(rng, None)?;
        self.issue_in_family(&ids, subject, &members, access_out, refresh_out)
    }

    fn issue_in_family<'a, 'r, M: AppClaims + ?Sized>(
        &self,
        ids: &PairIds,
        subject: Subject<'_>,
        claims: &M,
        access_out: &'a mut [u8],
        refresh_out: &'r mut [u8],
    ) -> Result<TokenPair<'a, 'r>, Error> {
        let fam = Some(ids.family.as_str());
        let access_id = (Some(ids.access.as_str()), fam);
        let access_len = self.issue(ACCESS, subject, access_id, self.access_ttl, claims, access_out)?.len();
        let refresh_id = (Some(ids.refresh.as_str()), fam);
        let refresh = match self.issue(REFRESH, subject, refresh_id, self.refresh_ttl, claims, refresh_out) {
            Ok(refresh) => refresh,
            Err(e) => {
                // No partial output: the access token goes too.
                access_out.get_mut(..access_len).unwrap_or_default().fill(0);
                return Err(e);
            }
        };
        let access_out: &'a [u8] = access_out;
        let access = access_out.get(..access_len).ok_or(Error::Malformed)?;
        let access = core::str::from_utf8(access).map_err(|_| Error::Malformed)?;
        Ok(TokenPair { access, refresh, refresh_jti: ids.refresh, family: ids.family })
    }

    fn validation(&self, token_type: &'static str) -> Validation<'c> {
        let mut v = Validation::new()
            .required(RequiredClaims::EXP | RequiredClaims::IAT)
            .leeway(self.leeway)
            .token_type(token_type);
        if let Some(iss) = self.issuer {
            v = v.issuer(iss);
        }
        if let Some(aud) = self.audience {
            v = v.audience(aud);
        }
        v
    }

    /// Verifies `token` as a token of `token_type` ([`ACCESS`] or [`REFRESH`]) against the
    /// key set, the claim policy, the revocation store (its `jti` and family) and the
    /// subject's token version: the life cycle's adapter over [`crate::verify_token`], which
    /// [`verify_access`](Self::verify_access), [`verify_refresh`](Self::verify_refresh) and
    /// the C ABI's `ct_issuer_verify_*` use. It returns the verified token (header,
    /// registered claims, where the payload lies in `scratch`).
    ///
    /// # Errors
    /// As [`verify_access`](Self::verify_access); [`Error::WrongTokenUse`] for a token of
    /// the other type.
    pub fn verify_as<'s, S, V>(
        &self,
        token: &[u8],
        token_type: &'static str,
        store: &S,
        versions: &V,
        scratch: &'s mut [u8],
    ) -> Result<VerifiedToken<'s>, Error>
    where
        S: RevocationStore + ?Sized,
        V: VersionSource + ?Sized,
    {
        let now = self.clock.now()?;
        let validation = self.validation(token_type);
        let verified = verify_token(token, &self.keys.at(now), &validation, &self.clock, scratch)?;
        self.check_registered(verified.registered(), store, versions, now)?;
        Ok(verified)
    }

    /// The checks after the signature and the claim policy: the revocation store (`jti` and
    /// family) and the subject's token version.
    fn check_registered<S, V>(
        &self,
        claims: &RegisteredClaims<'_>,
        store: &S,
        versions: &V,
        now: UnixSeconds,
    ) -> Result<(), Error>
    where
        S: RevocationStore + ?Sized,
        V: VersionSource + ?Sized,
    {
        // An id that cannot be looked up is refused, never skipped (fail closed): a token
        // carrying a `jti` or `fam` longer than `MAX_REVOKED_ID_LEN` (decoded) or empty
        // could never have been revoked, so accepting it would bypass revocation.
        let mut buf = [0u8; MAX_REVOKED_ID_LEN];
        if let Some(jti) = claims.jti {
            let jti = checkable_id(jti, Claim::JwtId, &mut buf)?;
            if store.is_revoked(Revoked::Token(jti), now)? {
                return Err(Error::Revoked);
            }
        }
        if let Some(fam) = family(claims)? {
            let fam = checkable_id(fam, Claim::Family, &mut buf)?;
            if store.is_revoked(Revoked::Family(fam), now)? {
                return Err(Error::Revoked);
            }
        }
        check_version(claims, versions)
    }

    /// Verifies an access token: signature (key chosen by `kid` from the key set), claims
    /// (`type` must be `access`; `exp`/`iat` required; `iss`/`aud` when configured),
    /// revocation of its `jti` and family, and its `ver` against `versions`.
    ///
    /// # Errors
    /// Any verification error; [`Error::WrongTokenUse`] for a refresh token;
    /// [`Error::Revoked`]; [`Error::StaleVersion`].
    pub fn verify_access<'s, T, S, V>(
        &self,
        token: impl AsRef<[u8]>,
        store: &S,
        versions: &V,
        scratch: &'s mut [u8],
    ) -> Result<Verified<'s, T>, Error>
    where
        T: Deserialize<'s>,
        S: RevocationStore + ?Sized,
        V: VersionSource + ?Sized,
    {
        self.verify_as(token.as_ref(), ACCESS, store, versions, scratch)?.deserialize()
    }

    /// Verifies a refresh token (without using it); an access token is refused here.
    ///
    /// # Errors
    /// As [`verify_access`](Self::verify_access).
    pub fn verify_refresh<'s, T, S, V>(
        &self,
        token: impl AsRef<[u8]>,
        store: &S,
        versions: &V,
        scratch: &'s mut [u8],
    ) -> Result<Verified<'s, T>, Error>
    where
        T: Deserialize<'s>,
        S: RevocationStore + ?Sized,
        V: VersionSource + ?Sized,
    {
        self.verify_as(token.as_ref(), REFRESH, store, versions, scratch)?.deserialize()
    }

    /// Verifies any token of this issuer (access or refresh) and returns its verified
    /// registered and application claims. No revocation or version check.
    ///
    /// # Errors
    /// Any verification error.
    pub fn decode<'s, T: Deserialize<'s>>(
        &self,
        token: impl AsRef<[u8]>,
        scratch: &'s mut [u8],
    ) -> Result<Verified<'s, T>, Error> {
        let now = self.clock.now()?;
        let mut validation = Validation::new().required(RequiredClaims::EXP).leeway(self.leeway);
        if let Some(iss) = self.issuer {
            validation = validation.issuer(iss);
        }
        if let Some(aud) = self.audience {
            validation = validation.audience(aud);
        }
        verify_token(token.as_ref(), &self.keys.at(now), &validation, &self.clock, scratch)?.deserialize()
    }

    /// Uses a refresh token: verifies it, revokes it (single use) and issues a new pair in
    /// the same family, carrying the same subject, version and application claims.
    ///
    /// Presenting a refresh token that was already used revokes its whole family — every
    /// access and refresh token of that login — and returns [`Error::RefreshTokenReused`]
    /// (reuse detection, OAuth 2.0 Security BCP, RFC 9700 §4.14.2).
    ///
    /// # Errors
    /// Any verification error; [`Error::Revoked`] for a revoked family;
    /// [`Error::RefreshTokenReused`]; [`Error::StoreFull`] (no new pair is issued when the
    /// old token could not be recorded as used).
    #[allow(clippy::too_many_arguments)]
    pub fn rotation<'s, 'a, 'r, T, S, V, R>(
        &self,
        refresh_token: impl AsRef<[u8]>,
        store: &mut S,
        versions: &V,
        rng: &mut R,
        scratch: &'s mut [u8],
        access_out: &'a mut [u8],
        refresh_out: &'r mut [u8],
    ) -> Result<TokenPair<'a, 'r>, Error>
    where
        T: Deserialize<'s> + Serialize,
        S: RevocationStore + ?Sized,
        V: VersionSource + ?Sized,
        R: RngCore + CryptoRng + ?Sized,
    {
        let now = self.clock.now()?;
        let verified: Verified<'s, T> = verify_token(
            refresh_token.as_ref(),
            &self.keys.at(now),
            &self.rotation_validation(),
            &self.clock,
            scratch,
        )?
        .deserialize()?;
        let claims = *verified.registered();
        let app_claims = verified.into_claims();
        let used = UsedRefresh { claims: &claims, now };
        self.rotate(
            used,
            &Serialized(&app_claims),
            store,
            versions,
            rng,
            (access_out, refresh_out),
            &mut [0; 2],
        )
    }

    /// For the C ABI: [`rotation`](Self::rotation) carrying the application claims of the
    /// presented token as JSON text (its members without registered names, verbatim);
    /// `needed` receives the two token lengths once they are known (before the presented
    /// token is used up).
    ///
    /// # Errors
    /// As [`rotation`](Self::rotation).
    #[doc(hidden)]
    pub fn rotation_json<'a, 'r, S, V, R>(
        &self,
        refresh_token: &[u8],
        (store, versions, rng): (&mut S, &V, &mut R),
        scratch: &mut [u8],
        outs: (&'a mut [u8], &'r mut [u8]),
        needed: &mut [usize; 2],
    ) -> Result<TokenPair<'a, 'r>, Error>
    where
        S: RevocationStore + ?Sized,
        V: VersionSource + ?Sized,
        R: RngCore + CryptoRng + ?Sized,
    {
        let now = self.clock.now()?;
        let (_, claims, payload) = verify_token(
            refresh_token,
            &self.keys.at(now),
            &self.rotation_validation(),
            &self.clock,
            scratch,
        )?
        .into_parts();
        let carried = JsonMembers { object: payload, skip_registered: true };
        self.rotate(UsedRefresh { claims: &claims, now }, &carried, store, versions, rng, outs, needed)
    }

    fn rotation_validation(&self) -> Validation<'c> {
        self.validation(REFRESH).required(RequiredClaims::EXP | RequiredClaims::IAT | RequiredClaims::JTI)
    }

    /// The rotation after the presented refresh token verified: family and reuse checks,
    /// then (once the new pair is known to fit and its ids are generated) the single use.
    #[allow(clippy::too_many_arguments)]
    fn rotate<'a, 'r, M, S, V, R>(
        &self,
        used: UsedRefresh<'_, '_>,
        app_claims: &M,
        store: &mut S,
        versions: &V,
        rng: &mut R,
        (access_out, refresh_out): (&'a mut [u8], &'r mut [u8]),
        needed: &mut [usize; 2],
    ) -> Result<TokenPair<'a, 'r>, Error>
    where
        M: AppClaims + ?Sized,
        S: RevocationStore + ?Sized,
        V: VersionSource + ?Sized,
        R: RngCore + CryptoRng + ?Sized,
    {
        let (claims, now) = (used.claims, used.now);
        let mut jti_buf = [0u8; MAX_REVOKED_ID_LEN];
        let mut fam_buf = [0u8; MAX_REVOKED_ID_LEN];
        let jti = claims
            .jti
            .ok_or(Error::MissingClaim(Claim::JwtId))?
            .unescape_into(&mut jti_buf)
            .map_err(|_| Error::InvalidClaim(Claim::JwtId))?;
        let fam_str = family(claims)?.ok_or(Error::MissingClaim(Claim::Family))?;
        let fam = fam_str.unescape_into(&mut fam_buf).map_err(|_| Error::InvalidClaim(Claim::Family))?;
        let family_id = parse_random_id(fam)?;

        if store.is_revoked(Revoked::Family(fam), now)? {
            return Err(Error::Revoked);
        }
        check_version(claims, versions)?;
        // Every token of the family expires by now + refresh_ttl (+ leeway).
        let family_expiry = now.saturating_add(self.refresh_ttl).saturating_add(self.leeway);
        if store.is_revoked(Revoked::Token(jti), now)? {
            store.revoke(Revoked::Family(fam), family_expiry, now)?;
            return Err(Error::RefreshTokenReused);
        }
        let exp = claims.exp.ok_or(Error::MissingClaim(Claim::ExpirationTime))?;

        let mut sub_buf = [0u8; MAX_SUBJECT_LEN];
        let sub = match claims.sub {
            Some(s) => Some(s.unescape_into(&mut sub_buf)?),
            None => None,
        };
        let subject = Subject { sub, ver: claims.ver };
        // Whatever can fail without the store (buffer sizes, random ids) fails before the
        // presented token is used up, so a failed call leaves the login usable.
        self.reserve(subject, app_claims, (access_out, refresh_out), needed)?;
        let ids = PairIds::generate(rng, Some(family_id))?;
        store.revoke(Revoked::Token(jti), exp.saturating_add(self.leeway), now)?;
        self.issue_in_family(&ids, subject, app_claims, access_out, refresh_out)
    }

    /// Revokes a verified token of this issuer (logout): its `jti` until it expires.
    ///
    /// # Errors
    /// Any verification error; [`Error::MissingClaim`] without `jti`; [`Error::StoreFull`].
    pub fn revoke<S: RevocationStore + ?Sized>(
        &self,
        token: impl AsRef<[u8]>,
        store: &mut S,
        scratch: &mut [u8],
    ) -> Result<(), Error> {
        let now = self.clock.now()?;
        let verified: Verified<'_, serde::de::IgnoredAny> = self.decode(token, scratch)?;
        let claims = verified.registered();
        let mut buf = [0u8; MAX_REVOKED_ID_LEN];
        let jti = checkable_id(claims.jti.ok_or(Error::MissingClaim(Claim::JwtId))?, Claim::JwtId, &mut buf)?;
        let exp = claims.exp.ok_or(Error::MissingClaim(Claim::ExpirationTime))?;
        store.revoke(Revoked::Token(jti), exp.saturating_add(self.leeway), now)
    }

    /// Revokes a whole login (every token of a family) until its longest possible lifetime.
    ///
    /// # Errors
    /// [`Error::StoreFull`], [`Error::TimeUnavailable`].
    pub fn revoke_family<S: RevocationStore + ?Sized>(
        &self,
        family: &str,
        store: &mut S,
    ) -> Result<(), Error> {
        let now = self.clock.now()?;
        let until = now.saturating_add(self.refresh_ttl).saturating_add(self.leeway);
        store.revoke(Revoked::Family(family), until, now)
    }
}

/// A refresh token presented for rotation, verified at `now`.
#[derive(Clone, Copy)]
struct UsedRefresh<'c, 's> {
    claims: &'c RegisteredClaims<'s>,
    now: UnixSeconds,
}

fn family<'a>(claims: &RegisteredClaims<'a>) -> Result<Option<crate::JsonStr<'a>>, Error> {
    Ok(claims.fam)
}

/// Refuses an id given to [`CipherToken`] for a new token that no revocation store could
/// record: empty, or longer than [`MAX_REVOKED_ID_LEN`] bytes ([`Error::TooLong`]).
fn check_issued_id(id: Option<&str>, claim: Claim) -> Result<(), Error> {
    match id {
        Some("") => Err(Error::InvalidClaim(claim)),
        Some(id) if id.len() > MAX_REVOKED_ID_LEN => Err(Error::TooLong),
        _ => Ok(()),
    }
}

/// Decodes a verified token's `jti`/`fam` for a revocation lookup: an id that is empty or
/// longer than [`MAX_REVOKED_ID_LEN`] bytes gives [`Error::InvalidClaim`] (it cannot have
/// been revoked, so it must not be accepted).
fn checkable_id<'b>(id: crate::JsonStr<'_>, claim: Claim, buf: &'b mut [u8]) -> Result<&'b str, Error> {
    match id.unescape_into(buf) {
        Ok("") | Err(_) => Err(Error::InvalidClaim(claim)),
        Ok(text) => Ok(text),
    }
}

fn parse_random_id(text: &str) -> Result<RandomId, Error> {
    RandomId::parse(text).ok_or(Error::InvalidClaim(Claim::Family))
}

fn check_version<V: VersionSource + ?Sized>(
    claims: &RegisteredClaims<'_>,
    versions: &V,
) -> Result<(), Error> {
    let Some(sub) = claims.sub else { return Ok(()) };
    let mut buf = [0u8; MAX_SUBJECT_LEN];
    let Ok(sub) = sub.unescape_into(&mut buf) else { return Err(Error::InvalidClaim(Claim::Subject)) };
    if let Some(current) = versions.current_version(sub)? {
        let ver = claims.ver.ok_or(Error::MissingClaim(Claim::Version))?;
        if ver < current {
            return Err(Error::StaleVersion);
        }
    }
    Ok(())
}
