//! Times as milliseconds since the Unix epoch (UTC), with RFC 3339 text forms.
//!
//! The model never reads a clock: the caller passes "now" into the reducer, so that reducing is
//! deterministic and tests can fix the time. The browser glue reads `Date.now()`.
//!
//! ```
//! use marginalia_core::model::time::Timestamp;
//! let t = Timestamp::parse_rfc3339("2024-12-08T05:30:00Z").unwrap();
//! assert_eq!(t.to_rfc3339(), "2024-12-08T05:30:00.000Z");
//! ```

use std::fmt;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const fn from_millis(ms: i64) -> Self {
        Timestamp(ms)
    }

    pub const fn millis(self) -> i64 {
        self.0
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, always UTC, always with milliseconds.
    pub fn to_rfc3339(self) -> String {
        let ms = self.0.rem_euclid(1000);
        let secs = self.0.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
            sod / 3600,
            sod / 60 % 60,
            sod % 60
        )
    }

    /// `HH:MM` of the time in UTC plus `offset_minutes` (for the "Saved at" line).
    pub fn clock(self, offset_minutes: i64) -> String {
        let secs = (self.0 + offset_minutes * 60_000).div_euclid(1000);
        let sod = secs.rem_euclid(86_400);
        format!("{:02}:{:02}:{:02}", sod / 3600, sod / 60 % 60, sod % 60)
    }

    /// `YYYY-MM-DD HH:MM` of the time in UTC plus `offset_minutes`: a person's local time, for
    /// reading (files keep UTC).
    ///
    /// ```
    /// use marginalia_core::model::time::Timestamp;
    /// let t = Timestamp::parse_rfc3339("2024-12-08T23:30:00Z").unwrap();
    /// assert_eq!(t.to_local(120), "2024-12-09 01:30");
    /// assert_eq!(t.to_local(-300), "2024-12-08 18:30");
    /// ```
    pub fn to_local(self, offset_minutes: i64) -> String {
        let secs = (self.0 + offset_minutes * 60_000).div_euclid(1000);
        let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}",
            sod / 3600,
            sod / 60 % 60
        )
    }

    /// Parses RFC 3339: `2024-12-08T05:30:00Z`, with optional fractional seconds and a `Z` or
    /// `±HH:MM` offset. A lowercase `t`/`z` or a space for `T` is accepted, as RFC 3339 allows.
    pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
        let b = s.as_bytes();
        if b.len() < 20 {
            return None;
        }
        let num = |from: usize, len: usize| -> Option<i64> {
            let part = s.get(from..from + len)?;
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
        let (h, mi, se) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
        if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
            return None;
        }
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 {
            return None;
        }
        if se > 60 {
            return None;
        }
        let mut i = 19;
        let mut ms = 0i64;
        if b[i] == b'.' {
            let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            let frac = &s[i + 1..i + 1 + digits.min(3)];
            ms = frac.parse::<i64>().ok()? * 10i64.pow(3 - frac.len() as u32);
            i += 1 + digits;
        }
        let offset_min = match b.get(i) {
            Some(b'Z' | b'z') if i + 1 == b.len() => 0,
            Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
                let (oh, om) = (num(i + 1, 2)?, num(i + 4, 2)?);
                if oh > 23 || om > 59 {
                    return None;
                }
                let m = oh * 60 + om;
                if *sign == b'+' {
                    m
                } else {
                    -m
                }
            }
            _ => return None,
        };
        let days = days_from_civil(y, mo, d);
        let secs = days * 86_400 + h * 3600 + mi * 60 + se.min(59) - offset_min * 60;
        Some(Timestamp(secs * 1000 + ms))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's `days_from_civil` and `civil_from_days` (public domain algorithms).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            Timestamp(1_733_635_800_123).to_rfc3339(),
            "2024-12-08T05:30:00.123Z"
        );
        assert_eq!(
            Timestamp(951_782_400_000).to_rfc3339(),
            "2000-02-29T00:00:00.000Z"
        );
        assert_eq!(Timestamp(-1).to_rfc3339(), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn parses_the_forms_rfc3339_allows() {
        let t = Timestamp(1_733_635_800_000);
        for s in [
            "2024-12-08T05:30:00Z",
            "2024-12-08t05:30:00z",
            "2024-12-08 05:30:00Z",
            "2024-12-08T05:30:00.000Z",
            "2024-12-08T07:30:00+02:00",
            "2024-12-08T02:30:00-03:00",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(s), Some(t), "{s}");
        }
        assert_eq!(
            Timestamp::parse_rfc3339("2024-12-08T05:30:00.5Z"),
            Some(Timestamp(1_733_635_800_500))
        );
    }

    #[test]
    fn refuses_what_is_not_rfc3339() {
        for s in [
            "",
            "2024-12-08",
            "2024-12-08T05:30:00",
            "2024-13-08T05:30:00Z",
            "2023-02-29T05:30:00Z",
            "2024-12-08T24:00:00Z",
            "2024-12-08T05:30:00.Z",
            "2024-12-08T05:30:00+0200",
            "yesterday at noon, roughly",
            "2024-12-08T05:30:00Zjunk",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(s), None, "{s:?}");
        }
    }

    #[test]
    fn clock_shows_local_time() {
        assert_eq!(Timestamp(1_733_635_800_000).clock(60), "06:30:00");
    }

    proptest! {
        #[test]
        fn round_trips(ms in -62_135_596_800_000i64..253_402_300_799_999) {
            let t = Timestamp(ms);
            prop_assert_eq!(Timestamp::parse_rfc3339(&t.to_rfc3339()), Some(t));
        }
    }
}
