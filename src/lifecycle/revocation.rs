//! Revocation of tokens by `jti` and of refresh-token families, in fixed capacity.

use crate::{Error, UnixSeconds};

/// The longest id (`jti` or family id) a [`RevocationList`] stores, in bytes.
pub const MAX_REVOKED_ID_LEN: usize = 64;

/// What is revoked: one token (by `jti`) or a whole refresh-token family (by `fam`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Revoked<'a> {
    /// A single token, by its `jti`.
    Token(&'a str),
    /// Every token of a login session, by its family id (`fam`).
    Family(&'a str),
}

/// A store of revoked tokens and families.
///
/// Entries must be kept at least until `expires_at` (after that the token could not verify
/// anyway); a store that cannot keep an entry must say so ([`Error::StoreFull`]) rather
/// than forget a live one.
pub trait RevocationStore {
    /// Records `id` as revoked until `expires_at`. Revoking twice is not an error.
    ///
    /// # Errors
    /// [`Error::StoreFull`] when no room can be made without dropping a live entry;
    /// [`Error::TooLong`] for an id the store cannot hold.
    fn revoke(&mut self, id: Revoked<'_>, expires_at: UnixSeconds, now: UnixSeconds) -> Result<(), Error>;

    /// Whether `id` is revoked at `now`.
    ///
    /// # Errors
    /// Store-specific (a remote store may be unreachable: fail closed).
    fn is_revoked(&self, id: Revoked<'_>, now: UnixSeconds) -> Result<bool, Error>;
}

impl<S: RevocationStore + ?Sized> RevocationStore for &mut S {
    fn revoke(&mut self, id: Revoked<'_>, expires_at: UnixSeconds, now: UnixSeconds) -> Result<(), Error> {
        (**self).revoke(id, expires_at, now)
    }
    fn is_revoked(&self, id: Revoked<'_>, now: UnixSeconds) -> Result<bool, Error> {
        (**self).is_revoked(id, now)
    }
}

/// A store that revokes nothing and can record nothing: for verifiers without revocation.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRevocation;

impl RevocationStore for NoRevocation {
    fn revoke(&mut self, _id: Revoked<'_>, _expires_at: UnixSeconds, _now: UnixSeconds) -> Result<(), Error> {
        Err(Error::StoreFull)
    }
    fn is_revoked(&self, _id: Revoked<'_>, _now: UnixSeconds) -> Result<bool, Error> {
        Ok(false)
    }
}

#[derive(Debug, Clone)]
struct Entry {
    family: bool,
    id: heapless::String<MAX_REVOKED_ID_LEN>,
    expires_at: UnixSeconds,
}

/// A fixed-capacity revocation list of `N` entries.
///
/// An entry is dropped only once `now` is past its `expires_at`; when every slot holds a
/// live entry, [`revoke`](RevocationStore::revoke) returns [`Error::StoreFull`]: it never
/// silently forgets a revoked token.
///
/// ```
/// use ciphertoken::{Error, RevocationList, RevocationStore, Revoked};
/// let mut list = RevocationList::<2>::new();
/// list.revoke(Revoked::Token("a"), 100, 0)?;
/// list.revoke(Revoked::Token("b"), 200, 0)?;
/// assert_eq!(list.revoke(Revoked::Token("c"), 300, 50), Err(Error::StoreFull));
/// assert!(list.is_revoked(Revoked::Token("a"), 50)?);
/// list.revoke(Revoked::Token("c"), 300, 101)?; // "a" expired at 100: its slot is reused
/// assert!(!list.is_revoked(Revoked::Token("a"), 101)?);
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct RevocationList<const N: usize> {
    entries: heapless::Vec<Entry, N>,
}

fn split(id: Revoked<'_>) -> (bool, &str) {
    match id {
        Revoked::Token(s) => (false, s),
        Revoked::Family(s) => (true, s),
    }
}

impl<const N: usize> RevocationList<N> {
    /// An empty list.
    pub const fn new() -> Self {
        RevocationList { entries: heapless::Vec::new() }
    }

    /// The number of entries held (live or not yet reclaimed).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list holds no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The capacity `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Drops every entry whose `expires_at` is before `now`; returns how many were dropped.
    pub fn reclaim(&mut self, now: UnixSeconds) -> usize {
        let before = self.entries.len();
        self.entries.retain(|e| e.expires_at >= now);
        before.saturating_sub(self.entries.len())
    }

    fn find(&self, family: bool, id: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.family == family && e.id.as_str() == id)
    }
}

impl<const N: usize> RevocationStore for RevocationList<N> {
    fn revoke(&mut self, id: Revoked<'_>, expires_at: UnixSeconds, now: UnixSeconds) -> Result<(), Error> {
        let (family, text) = split(id);
        if text.is_empty() {
            return Err(Error::InvalidClaim(crate::Claim::JwtId));
        }
        if let Some(i) = self.find(family, text) {
            if let Some(e) = self.entries.get_mut(i) {
                e.expires_at = e.expires_at.max(expires_at);
            }
            return Ok(());
        }
        let mut stored = heapless::String::new();
        stored.push_str(text).map_err(|_| Error::TooLong)?;
        if self.entries.is_full() {
            self.reclaim(now);
        }
        self.entries.push(Entry { family, id: stored, expires_at }).map_err(|_| Error::StoreFull)
    }

    /// # Errors
    /// An id this list could never hold (empty: [`Error::InvalidClaim`]; over
    /// [`MAX_REVOKED_ID_LEN`] bytes: [`Error::TooLong`]) is an error, not "not revoked":
    /// a caller that skipped the lookup on error would otherwise accept it (fail closed).
    fn is_revoked(&self, id: Revoked<'_>, now: UnixSeconds) -> Result<bool, Error> {
        let (family, text) = split(id);
        if text.is_empty() {
            return Err(Error::InvalidClaim(if family { crate::Claim::Family } else { crate::Claim::JwtId }));
        }
        if text.len() > MAX_REVOKED_ID_LEN {
            return Err(Error::TooLong);
        }
        Ok(self.find(family, text).and_then(|i| self.entries.get(i)).is_some_and(|e| e.expires_at >= now))
    }
}

/// The current token version of a subject (`ver` claim): logout-everywhere and password
/// changes bump it, and older tokens fail with [`Error::StaleVersion`].
pub trait VersionSource {
    /// The subject's current version, or `None` when versions are not tracked for it.
    ///
    /// # Errors
    /// Source-specific (fail closed).
    fn current_version(&self, subject: &str) -> Result<Option<u64>, Error>;
}

impl<F: Fn(&str) -> Result<Option<u64>, Error>> VersionSource for F {
    fn current_version(&self, subject: &str) -> Result<Option<u64>, Error> {
        self(subject)
    }
}

/// A version source that tracks no versions.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoVersions;

impl VersionSource for NoVersions {
    fn current_version(&self, _subject: &str) -> Result<Option<u64>, Error> {
        Ok(None)
    }
}
