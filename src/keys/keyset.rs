//! A fixed-capacity set of verification keys selected by `kid`, with rotation windows.

use crate::{Error, Header, UnixSeconds, VerifyingKey};

#[derive(Debug, Clone)]
struct Entry {
    key: VerifyingKey,
    /// Accepted while `now < retire_at`.
    retire_at: Option<UnixSeconds>,
}

/// Up to `N` verification keys. The key for a token is chosen by the token's `kid` among
/// these keys only (never from `jku`/`x5u`/`jwk` headers), and its algorithm must then
/// equal the header's.
///
/// A token **without** `kid` is accepted only when exactly one key is currently usable
/// (a set in steady state); with several usable keys it is refused with
/// [`Error::UnknownKey`]: trying each key in turn would multiply the cost of every forged
/// token and blur which key a token belongs to.
///
/// ```
/// # #[cfg(feature = "hs")] {
/// use ciphertoken::{KeySet, VerifyingKey};
/// let mut set = KeySet::<4>::new();
/// set.insert(VerifyingKey::hs256(&[1; 32])?.with_kid("2026-10")?)?;
/// set.insert(VerifyingKey::hs256(&[2; 32])?.with_kid("2026-11")?)?;
/// set.retire("2026-10", 1_000)?; // the old key is accepted until t = 1000
/// assert!(set.find("2026-10", 999).is_ok());
/// assert!(set.find("2026-10", 1_000).is_err());
/// # }
/// # Ok::<(), ciphertoken::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct KeySet<const N: usize> {
    entries: heapless::Vec<Entry, N>,
}

impl<const N: usize> KeySet<N> {
    /// An empty set.
    pub const fn new() -> Self {
        KeySet { entries: heapless::Vec::new() }
    }

    /// Adds a key. In a set of more than one key, every key needs a distinct `kid`.
    ///
    /// # Errors
    /// [`Error::StoreFull`] when `N` keys are held; [`Error::InvalidKeyId`] for a missing
    /// or duplicate `kid` when the set would hold more than one key.
    pub fn insert(&mut self, key: VerifyingKey) -> Result<(), Error> {
        if !self.entries.is_empty() {
            let kid = key.kid().ok_or(Error::InvalidKeyId)?;
            let clash = self.entries.iter().any(|e| e.key.kid().is_none_or(|k| k == kid));
            if clash {
                return Err(Error::InvalidKeyId);
            }
        }
        self.entries.push(Entry { key, retire_at: None }).map_err(|_| Error::StoreFull)
    }

    /// Accepts the key `kid` only until `at` (the end of a rotation window).
    ///
    /// # Errors
    /// [`Error::UnknownKey`].
    pub fn retire(&mut self, kid: &str, at: UnixSeconds) -> Result<(), Error> {
        let entry = self.entries.iter_mut().find(|e| e.key.kid() == Some(kid)).ok_or(Error::UnknownKey)?;
        entry.retire_at = Some(at);
        Ok(())
    }

    /// Removes the key `kid`.
    ///
    /// # Errors
    /// [`Error::UnknownKey`].
    pub fn remove(&mut self, kid: &str) -> Result<VerifyingKey, Error> {
        let i = self.entries.iter().position(|e| e.key.kid() == Some(kid)).ok_or(Error::UnknownKey)?;
        Ok(self.entries.swap_remove(i).key)
    }

    /// Drops keys whose window closed before `now`; returns how many.
    pub fn prune(&mut self, now: UnixSeconds) -> usize {
        let before = self.entries.len();
        self.entries.retain(|e| e.retire_at.is_none_or(|t| now < t));
        before.saturating_sub(self.entries.len())
    }

    /// The keys held, each with the end of its rotation window (if it has one).
    pub fn iter(&self) -> impl Iterator<Item = (&VerifyingKey, Option<UnixSeconds>)> {
        self.entries.iter().map(|e| (&e.key, e.retire_at))
    }

    /// The number of keys held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn usable(&self, now: UnixSeconds) -> impl Iterator<Item = &VerifyingKey> {
        self.entries.iter().filter(move |e| e.retire_at.is_none_or(|t| now < t)).map(|e| &e.key)
    }

    /// The usable key whose `kid` is exactly `kid`.
    ///
    /// # Errors
    /// [`Error::UnknownKey`].
    pub fn find(&self, kid: &str, now: UnixSeconds) -> Result<&VerifyingKey, Error> {
        self.usable(now).find(|k| k.kid() == Some(kid)).ok_or(Error::UnknownKey)
    }

    /// The key for a token with this (unverified) header; see the type's documentation.
    ///
    /// # Errors
    /// [`Error::UnknownKey`].
    pub fn select(&self, header: &Header<'_>, now: UnixSeconds) -> Result<&VerifyingKey, Error> {
        match header.kid {
            Some(kid) => self
                .usable(now)
                .find(|k| k.kid().is_some_and(|mine| kid.eq_str(mine)))
                .ok_or(Error::UnknownKey),
            None => {
                let mut usable = self.usable(now);
                match (usable.next(), usable.next()) {
                    (Some(only), None) => Ok(only),
                    _ => Err(Error::UnknownKey),
                }
            }
        }
    }
}
