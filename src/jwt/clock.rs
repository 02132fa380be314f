//! Time, injected by the application: never a global.
//!
//! A clock may not know the time (RTC unset, network time not yet synced): that is
//! [`Error::TimeUnavailable`], never "1970". All arithmetic here saturates.

use crate::Error;

/// Seconds since the Unix epoch (a JWT NumericDate, RFC 7519 §2, without fractions).
pub type UnixSeconds = u64;

/// A source of the current Unix time.
///
/// ```
/// use ciphertoken::{Clock, Error, UnixSeconds};
/// struct Rtc;
/// impl Clock for Rtc {
///     fn now(&self) -> Result<UnixSeconds, Error> {
///         Ok(1_700_000_000) // read the RTC here
///     }
/// }
/// assert_eq!(Rtc.now(), Ok(1_700_000_000));
/// ```
pub trait Clock {
    /// The current time, or [`Error::TimeUnavailable`].
    ///
    /// # Errors
    /// [`Error::TimeUnavailable`] when the time is not known.
    fn now(&self) -> Result<UnixSeconds, Error>;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Result<UnixSeconds, Error> {
        (**self).now()
    }
}

/// A clock stopped at one instant: for tests, or for callers that pass the time in (C).
///
/// ```
/// use ciphertoken::{Clock, FixedClock};
/// assert_eq!(FixedClock(42).now(), Ok(42));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub UnixSeconds);

impl Clock for FixedClock {
    fn now(&self) -> Result<UnixSeconds, Error> {
        Ok(self.0)
    }
}

/// A clock that never knows the time (every time-dependent check fails closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NoClock;

impl Clock for NoClock {
    fn now(&self) -> Result<UnixSeconds, Error> {
        Err(Error::TimeUnavailable)
    }
}

/// A monotonic counter of ticks since boot (a SysTick count, a timer peripheral, ...).
///
/// It must never go backwards; it should not wrap within the device's uptime (use 64 bits).
pub trait Ticks {
    /// The number of ticks since boot.
    fn ticks(&self) -> u64;
}

impl<F: Fn() -> u64> Ticks for F {
    fn ticks(&self) -> u64 {
        self()
    }
}

/// A clock over a tick counter, anchored to Unix time once synced (from NTP, a gateway,
/// GNSS, a cellular modem...). Before the first [`sync`](MonotonicClock::sync) it reports
/// [`Error::TimeUnavailable`]. It never goes backwards, even when re-synced to an earlier time.
///
/// ```
/// use ciphertoken::{Clock, Error, MonotonicClock};
/// use core::cell::Cell;
/// let ticks = Cell::new(5_000u64); // milliseconds since boot
/// let mut clock = MonotonicClock::new(|| ticks.get(), 1000);
/// assert_eq!(clock.now(), Err(Error::TimeUnavailable));
/// clock.sync(1_700_000_000);
/// ticks.set(65_000);
/// assert_eq!(clock.now(), Ok(1_700_000_060));
/// clock.sync(1_700_000_010); // an earlier time: the clock holds instead of jumping back
/// assert_eq!(clock.now(), Ok(1_700_000_060));
/// ```
#[derive(Debug, Clone)]
pub struct MonotonicClock<T: Ticks> {
    source: T,
    ticks_per_second: u64,
    anchor: Option<Anchor>,
}

#[derive(Debug, Clone, Copy)]
struct Anchor {
    ticks: u64,
    unix: UnixSeconds,
    /// The time the clock had reached when it was re-anchored: it never reports less.
    floor: UnixSeconds,
}

impl<T: Ticks> MonotonicClock<T> {
    /// A clock over `source`, which counts `ticks_per_second` (0 is treated as 1).
    pub fn new(source: T, ticks_per_second: u64) -> Self {
        MonotonicClock { source, ticks_per_second: ticks_per_second.max(1), anchor: None }
    }

    /// Anchors the clock: "now" is `unix`. Later readings add the elapsed ticks.
    pub fn sync(&mut self, unix: UnixSeconds) {
        let floor = self.now().unwrap_or(0);
        self.anchor = Some(Anchor { ticks: self.source.ticks(), unix, floor });
    }

    /// Whether the clock has been synced.
    pub fn is_synced(&self) -> bool {
        self.anchor.is_some()
    }
}

impl<T: Ticks> Clock for MonotonicClock<T> {
    fn now(&self) -> Result<UnixSeconds, Error> {
        let anchor = self.anchor.ok_or(Error::TimeUnavailable)?;
        let elapsed_ticks = self.source.ticks().saturating_sub(anchor.ticks);
        let elapsed = elapsed_ticks.checked_div(self.ticks_per_second).unwrap_or(0);
        Ok(anchor.unix.saturating_add(elapsed).max(anchor.floor))
    }
}

/// The host's system clock (`std` only).
#[cfg(feature = "std")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SystemClock;

#[cfg(feature = "std")]
impl Clock for SystemClock {
    fn now(&self) -> Result<UnixSeconds, Error> {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .map_err(|_| Error::TimeUnavailable)
    }
}
