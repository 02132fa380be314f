//! The gateway's local copy of the fleet's deny-set: a fixed-capacity store behind the
//! core's [`RevocationStore`] trait, plus the subjects' token versions.

use ciphertoken::{Error, RevocationStore, Revoked, UnixSeconds};
use std::collections::HashMap;

/// A fixed-capacity, hash-indexed deny-set: revoked `jti`s, revoked families and token
/// versions, `capacity` entries in all (allocated once, up front).
///
/// It follows the contract of the core's [`RevocationList`](ciphertoken::RevocationList)
/// (an entry lives until its `expires_at`; a store full of live entries refuses with
/// [`Error::StoreFull`] and never forgets a live one) with O(1) look-ups, because a
/// gateway's mirror holds tens of thousands of entries and is read on every request.
///
/// When an entry could not be stored, the set remembers until when the lost entry would
/// have lived; until then a miss is not an answer: [`is_revoked`](RevocationStore::is_revoked)
/// and [`version`](DenySet::version) return [`Error::StoreFull`] so that the caller asks
/// the authority (Redis) or fails closed — never open.
///
/// ```
/// use ciphertoken::{Error, RevocationStore, Revoked};
/// use ciphertoken_redis::DenySet;
/// let mut set = DenySet::with_capacity(1);
/// set.revoke(Revoked::Token("a"), 100, 0)?;
/// assert_eq!(set.revoke(Revoked::Token("b"), 200, 0), Err(Error::StoreFull));
/// assert!(set.is_revoked(Revoked::Token("a"), 50)?);
/// // "b" was lost: until t = 200 a miss cannot be trusted.
/// assert_eq!(set.is_revoked(Revoked::Token("c"), 50), Err(Error::StoreFull));
/// assert!(!set.is_revoked(Revoked::Token("c"), 201)?);
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DenySet {
    capacity: usize,
    tokens: HashMap<Box<str>, UnixSeconds>,
    families: HashMap<Box<str>, UnixSeconds>,
    versions: HashMap<Box<str>, (u64, UnixSeconds)>,
    /// The latest `expires_at` of an entry that could not be stored (0: none lost).
    lost_until: UnixSeconds,
    /// The `now` of the last full reclaim, so a full set is not rescanned on every insert.
    reclaimed_at: Option<UnixSeconds>,
}

impl DenySet {
    /// An empty set for up to `capacity` entries (revocations and versions together).
    pub fn with_capacity(capacity: usize) -> Self {
        // Spread the reservation: revocations dominate; versions are rare (bumps).
        DenySet {
            capacity,
            tokens: HashMap::with_capacity(capacity),
            families: HashMap::with_capacity(capacity / 4),
            versions: HashMap::with_capacity(capacity / 16),
            lost_until: 0,
            reclaimed_at: None,
        }
    }

    /// The capacity.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The number of entries held (live or not yet reclaimed).
    pub fn len(&self) -> usize {
        self.tokens.len().saturating_add(self.families.len()).saturating_add(self.versions.len())
    }

    /// Whether the set holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether an entry was lost to a full store and could still matter at `now`.
    pub fn is_incomplete(&self, now: UnixSeconds) -> bool {
        now <= self.lost_until
    }

    /// Drops every entry whose `expires_at` is before `now`; returns how many.
    pub fn reclaim(&mut self, now: UnixSeconds) -> usize {
        let before = self.len();
        self.tokens.retain(|_, exp| *exp >= now);
        self.families.retain(|_, exp| *exp >= now);
        self.versions.retain(|_, (_, exp)| *exp >= now);
        self.reclaimed_at = Some(now);
        before.saturating_sub(self.len())
    }

    /// Makes room for one entry, reclaiming at most once per second of `now`.
    fn room(&mut self, now: UnixSeconds) -> bool {
        if self.len() < self.capacity {
            return true;
        }
        if self.reclaimed_at != Some(now) {
            self.reclaim(now);
        }
        self.len() < self.capacity
    }

    fn lose(&mut self, expires_at: UnixSeconds) -> Error {
        self.lost_until = self.lost_until.max(expires_at);
        Error::StoreFull
    }

    /// Records that `subject`'s token version became `version`; the entry is needed until
    /// `expires_at` (the bump time plus the longest token lifetime: by then every token
    /// with an older version has expired). A lower version never replaces a higher one.
    ///
    /// # Errors
    /// [`Error::StoreFull`] (the loss is remembered, see the type's documentation).
    pub fn set_version(
        &mut self,
        subject: &str,
        version: u64,
        expires_at: UnixSeconds,
        now: UnixSeconds,
    ) -> Result<(), Error> {
        if expires_at < now {
            return Ok(());
        }
        if let Some((ver, exp)) = self.versions.get_mut(subject) {
            *ver = (*ver).max(version);
            *exp = (*exp).max(expires_at);
            return Ok(());
        }
        if !self.room(now) {
            return Err(self.lose(expires_at));
        }
        self.versions.insert(subject.into(), (version, expires_at));
        Ok(())
    }

    /// The subject's token version: `Some` when it was bumped within the longest token
    /// lifetime, `None` when no live token can be older than the current version.
    ///
    /// # Errors
    /// [`Error::StoreFull`] when the answer may have been lost to a full store.
    pub fn version(&self, subject: &str, now: UnixSeconds) -> Result<Option<u64>, Error> {
        match self.versions.get(subject) {
            // An expired entry is still a correct (if unneeded) answer.
            Some((ver, _)) => Ok(Some(*ver)),
            None if self.is_incomplete(now) => Err(Error::StoreFull),
            None => Ok(None),
        }
    }

    fn map<'s, 'i>(&'s self, id: Revoked<'i>) -> (&'s HashMap<Box<str>, UnixSeconds>, &'i str) {
        match id {
            Revoked::Token(s) => (&self.tokens, s),
            Revoked::Family(s) => (&self.families, s),
        }
    }
}

impl RevocationStore for DenySet {
    fn revoke(&mut self, id: Revoked<'_>, expires_at: UnixSeconds, now: UnixSeconds) -> Result<(), Error> {
        let (family, text) = match id {
            Revoked::Token(s) => (false, s),
            Revoked::Family(s) => (true, s),
        };
        if text.is_empty() {
            return Err(Error::InvalidClaim(if family {
                ciphertoken::Claim::Family
            } else {
                ciphertoken::Claim::JwtId
            }));
        }
        if expires_at < now {
            // The token can no longer verify: nothing to remember.
            return Ok(());
        }
        let map = if family { &mut self.families } else { &mut self.tokens };
        if let Some(exp) = map.get_mut(text) {
            *exp = (*exp).max(expires_at);
            return Ok(());
        }
        if !self.room(now) {
            return Err(self.lose(expires_at));
        }
        let map = if family { &mut self.families } else { &mut self.tokens };
        map.insert(text.into(), expires_at);
        Ok(())
    }

    fn is_revoked(&self, id: Revoked<'_>, now: UnixSeconds) -> Result<bool, Error> {
        let (map, text) = self.map(id);
        match map.get(text) {
            Some(exp) => Ok(*exp >= now),
            None if self.is_incomplete(now) => Err(Error::StoreFull),
            None => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_families_are_separate_namespaces() {
        let mut set = DenySet::with_capacity(4);
        set.revoke(Revoked::Token("x"), 10, 0).unwrap();
        assert!(set.is_revoked(Revoked::Token("x"), 10).unwrap());
        assert!(!set.is_revoked(Revoked::Family("x"), 10).unwrap());
        assert!(!set.is_revoked(Revoked::Token("x"), 11).unwrap(), "expired at 10");
    }

    #[test]
    fn revoking_again_extends_never_shortens() {
        let mut set = DenySet::with_capacity(1);
        set.revoke(Revoked::Family("f"), 100, 0).unwrap();
        set.revoke(Revoked::Family("f"), 50, 0).unwrap();
        assert!(set.is_revoked(Revoked::Family("f"), 100).unwrap());
        set.revoke(Revoked::Family("f"), 300, 0).unwrap();
        assert!(set.is_revoked(Revoked::Family("f"), 300).unwrap());
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn full_store_keeps_live_entries_and_reports_the_gap() {
        let mut set = DenySet::with_capacity(2);
        set.revoke(Revoked::Token("a"), 100, 0).unwrap();
        set.set_version("alice", 3, 500, 0).unwrap();
        assert_eq!(set.revoke(Revoked::Token("b"), 400, 10), Err(Error::StoreFull));
        assert!(set.is_revoked(Revoked::Token("a"), 10).unwrap());
        assert_eq!(set.version("alice", 10), Ok(Some(3)));
        // Misses are not answers until the lost entry would have expired.
        assert_eq!(set.is_revoked(Revoked::Token("b"), 10), Err(Error::StoreFull));
        assert_eq!(set.is_revoked(Revoked::Family("z"), 400), Err(Error::StoreFull));
        assert_eq!(set.version("bob", 400), Err(Error::StoreFull));
        assert_eq!(set.is_revoked(Revoked::Token("b"), 401), Ok(false));
        assert_eq!(set.version("bob", 401), Ok(None));
        // "a" expired at 100: its slot is reclaimed for a new entry.
        set.revoke(Revoked::Token("c"), 900, 101).unwrap();
        assert!(set.is_revoked(Revoked::Token("c"), 101).unwrap());
        // "a" is gone; while "b" is lost, a miss still cannot be trusted.
        assert_eq!(set.is_revoked(Revoked::Token("a"), 101), Err(Error::StoreFull));
    }

    #[test]
    fn versions_only_grow_and_expired_entries_are_skipped() {
        let mut set = DenySet::with_capacity(4);
        set.set_version("alice", 2, 100, 0).unwrap();
        set.set_version("alice", 1, 200, 0).unwrap();
        assert_eq!(set.version("alice", 0), Ok(Some(2)));
        set.set_version("bob", 7, 5, 10).unwrap();
        assert_eq!(set.version("bob", 10), Ok(None), "already past its window: not stored");
        set.revoke(Revoked::Token("old"), 5, 10).unwrap();
        assert_eq!(set.len(), 1, "only alice: bob and the expired token were not stored");
        assert_eq!(set.reclaim(201), 1);
        assert_eq!(set.version("alice", 201), Ok(None));
    }

    #[test]
    fn empty_ids_are_refused() {
        let mut set = DenySet::with_capacity(1);
        assert_eq!(
            set.revoke(Revoked::Token(""), 10, 0),
            Err(Error::InvalidClaim(ciphertoken::Claim::JwtId))
        );
        assert_eq!(
            set.revoke(Revoked::Family(""), 10, 0),
            Err(Error::InvalidClaim(ciphertoken::Claim::Family))
        );
    }
}
