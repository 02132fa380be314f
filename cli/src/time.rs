//! Times on the command line: absolute Unix seconds or offsets such as `+10m`, and their
//! display as RFC 3339 UTC.

use crate::exit::{CliError, Result};
use ciphertoken::{Clock, SystemClock};

/// A time argument: `1700000000` (Unix seconds), `now`, or an offset from the reference time
/// such as `+10m`, `-30s`, `+1h30m`, `+2d` (units s, m, h, d, w; a bare `+600` is seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeArg {
    Absolute(u64),
    Relative(i64),
}

impl TimeArg {
    /// The time, given the reference `now`.
    pub fn resolve(self, now: u64) -> Result<u64> {
        match self {
            TimeArg::Absolute(t) => Ok(t),
            TimeArg::Relative(d) => now
                .checked_add_signed(d)
                .ok_or_else(|| CliError::usage(format!("time offset {d:+}s from {now} is out of range"))),
        }
    }
}

impl std::str::FromStr for TimeArg {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<TimeArg, String> {
        let bad =
            || format!("{s:?} is not a time: use Unix seconds (1700000000), `now`, or +10m / -30s / +1h30m");
        if s == "now" {
            return Ok(TimeArg::Relative(0));
        }
        let (sign, rest) = match s.as_bytes().first() {
            Some(b'+') => (1i64, &s[1..]),
            Some(b'-') => (-1i64, &s[1..]),
            _ => return s.parse::<u64>().map(TimeArg::Absolute).map_err(|_| bad()),
        };
        if rest.is_empty() {
            return Err(bad());
        }
        let mut total: i64 = 0;
        let mut number: Option<i64> = None;
        for c in rest.chars() {
            if let Some(d) = c.to_digit(10) {
                let n = number.unwrap_or(0).checked_mul(10).and_then(|n| n.checked_add(i64::from(d)));
                number = Some(n.ok_or_else(bad)?);
                continue;
            }
            let unit = match c {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                'w' => 604_800,
                _ => return Err(bad()),
            };
            let n = number.take().ok_or_else(bad)?;
            total = n.checked_mul(unit).and_then(|v| total.checked_add(v)).ok_or_else(bad)?;
        }
        if let Some(n) = number {
            total = total.checked_add(n).ok_or_else(bad)?;
        }
        Ok(TimeArg::Relative(sign * total))
    }
}

/// The host's time.
pub fn system_now() -> Result<u64> {
    SystemClock.now().map_err(|_| CliError::internal("the system clock is before 1970"))
}

/// The reference time: `--now` if given (relative to the system clock), else the system clock.
pub fn reference_now(now: Option<TimeArg>) -> Result<u64> {
    match now {
        Some(TimeArg::Absolute(t)) => Ok(t),
        Some(rel) => rel.resolve(system_now()?),
        None => system_now(),
    }
}

/// `t` as RFC 3339 UTC, e.g. `2023-11-14T22:13:20Z`.
pub fn rfc3339(t: u64) -> String {
    let days = t / 86_400;
    let secs = t % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

/// The proleptic Gregorian date of `days` after 1970-01-01: count 400-year eras of
/// 146 097 days from 0000-03-01, so that leap days fall at the end of each year.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468; // days from 0000-03-01 to 1970-01-01
    let era = z / 146_097;
    let doe = z % 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365], from March 1st
    let mp = (5 * doy + 2) / 153; // month from March, [0, 11]
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

/// `t - now` for people, to two units: `in 9m58s`, `3h2m ago`.
pub fn relative(t: u64, now: u64) -> String {
    let (d, future) = if t >= now { (t - now, true) } else { (now - t, false) };
    let units = [(d / 86_400, "d"), (d / 3600 % 24, "h"), (d / 60 % 60, "m"), (d % 60, "s")];
    let first = units.iter().position(|(n, _)| *n != 0).unwrap_or(3);
    let text: String = units
        .iter()
        .skip(first)
        .take(2)
        .filter(|(n, _)| *n != 0 || d == 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if future {
        format!("in {text}")
    } else {
        format!("{text} ago")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_times() {
        assert_eq!("1700000000".parse(), Ok(TimeArg::Absolute(1_700_000_000)));
        assert_eq!("+10m".parse(), Ok(TimeArg::Relative(600)));
        assert_eq!("-30s".parse(), Ok(TimeArg::Relative(-30)));
        assert_eq!("+1h30m".parse(), Ok(TimeArg::Relative(5400)));
        assert_eq!("+600".parse(), Ok(TimeArg::Relative(600)));
        assert_eq!("+1w2d".parse(), Ok(TimeArg::Relative(9 * 86_400)));
        assert_eq!("now".parse(), Ok(TimeArg::Relative(0)));
        for bad in ["", "+", "10m", "+m", "+10y", "+1.5h", "-", "+99999999999999999999s"] {
            assert!(bad.parse::<TimeArg>().is_err(), "{bad}");
        }
        assert!(TimeArg::Relative(-10).resolve(5).is_err());
    }

    #[test]
    fn formats_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z"); // a 400-year leap day
        assert_eq!(rfc3339(4_107_542_399), "2100-02-28T23:59:59Z"); // 2100 is not a leap year
        assert_eq!(rfc3339(4_107_542_400), "2100-03-01T00:00:00Z");
    }

    #[test]
    fn relative_times() {
        assert_eq!(relative(1600, 1000), "in 10m");
        assert_eq!(relative(1000, 1000 + 3 * 3600 + 120), "3h2m ago");
        assert_eq!(relative(1000 + 86_400 + 3600 + 5, 1000), "in 1d1h");
        assert_eq!(relative(1042, 1000), "in 42s");
        assert_eq!(relative(1000, 1000), "in 0s");
    }
}
