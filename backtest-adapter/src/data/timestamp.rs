//! Parsing and formatting of date and timestamp cells.
//!
//! Accepted cells: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]` and the same
//! with `T` instead of the space, each optionally followed by `Z` or a UTC
//! offset (`+HH:MM`, `+HHMM`, `+HH`). Text without an offset is UTC.

use chrono::{Datelike, NaiveDate};

use super::DataError;

/// Seconds per day.
pub(crate) const DAY: i64 = 86_400;

/// Days between 0001-01-01 (day 1 of the common era) and 1970-01-01.
const CE_TO_UNIX_DAYS: i64 = 719_163;

/// One parsed date cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    /// Calendar date as written (local to the offset).
    pub date: NaiveDate,
    /// Seconds after local midnight; `None` for a date-only cell.
    pub time: Option<i64>,
    /// UTC offset in seconds (0 without one).
    pub offset: i64,
}

impl Stamp {
    /// Seconds of local clock time (0 for a date-only cell).
    pub fn local_seconds(self) -> i64 {
        self.time.unwrap_or(0)
    }

    /// 00:00 UTC of the written date, in Unix seconds.
    pub fn date_midnight_utc(self) -> i64 {
        date_to_unix(self.date)
    }

    /// The instant the cell names, in Unix seconds UTC.
    pub fn instant_utc(self) -> i64 {
        date_to_unix(self.date) + self.local_seconds() - self.offset
    }
}

/// 00:00 UTC of `date` in Unix seconds.
pub(crate) fn date_to_unix(date: NaiveDate) -> i64 {
    (i64::from(date.num_days_from_ce()) - CE_TO_UNIX_DAYS) * DAY
}

/// The UTC calendar date of a Unix timestamp.
pub(crate) fn unix_to_date(ts: i64) -> Option<NaiveDate> {
    let days = ts.div_euclid(DAY) + CE_TO_UNIX_DAYS;
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(days).ok()?)
}

/// `YYYY-MM-DD` of a Unix timestamp (UTC).
pub(crate) fn format_date(ts: i64) -> String {
    match unix_to_date(ts) {
        Some(d) => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        None => ts.to_string(),
    }
}

/// `YYYY-MM-DD HH:MM:SS` of a Unix timestamp (UTC).
pub(crate) fn format_datetime(ts: i64) -> String {
    let secs = ts.rem_euclid(DAY);
    format!(
        "{} {:02}:{:02}:{:02}",
        format_date(ts),
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// `YYYY-MM-DD` for a midnight timestamp, `YYYY-MM-DD HH:MM:SS` otherwise.
pub(crate) fn format_auto(ts: i64) -> String {
    if ts.rem_euclid(DAY) == 0 {
        format_date(ts)
    } else {
        format_datetime(ts)
    }
}

/// Parses a `YYYY-MM-DD` argument such as `start_date`.
///
/// # Errors
/// [`DataError::InvalidDate`] naming `field` when `text` is not a real date.
pub fn parse_date(field: &'static str, text: &str) -> Result<NaiveDate, DataError> {
    let b = text.trim().as_bytes();
    match (b.len() == 10).then(|| parse_ymd(b)).flatten() {
        Some(date) => Ok(date),
        None => Err(DataError::InvalidDate {
            field,
            value: text.to_owned(),
        }),
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        b.iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0')),
    )
}

/// `YYYY-MM-DD` at the start of `b`.
fn parse_ymd(b: &[u8]) -> Option<NaiveDate> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(&b[0..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(&b[5..7])?, digits(&b[8..10])?)
}

/// Parses a date cell; `None` when it is not a date or timestamp.
pub(crate) fn parse_stamp(text: &str) -> Option<Stamp> {
    let b = text.trim().as_bytes();
    let date = parse_ymd(b)?;
    let rest = &b[10..];
    if rest.is_empty() {
        return Some(Stamp {
            date,
            time: None,
            offset: 0,
        });
    }
    if rest[0] != b' ' && rest[0] != b'T' {
        return None;
    }
    let rest = &rest[1..];
    // HH:MM
    if rest.len() < 5 || rest[2] != b':' {
        return None;
    }
    let hour = i64::from(digits(&rest[0..2])?);
    let minute = i64::from(digits(&rest[3..5])?);
    let mut rest = &rest[5..];
    let mut second = 0;
    if rest.first() == Some(&b':') {
        if rest.len() < 3 {
            return None;
        }
        second = i64::from(digits(&rest[1..3])?);
        rest = &rest[3..];
        if rest.first() == Some(&b'.') {
            let frac = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if frac == 0 {
                return None;
            }
            rest = &rest[1 + frac..];
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let offset = parse_offset(rest)?;
    Some(Stamp {
        date,
        time: Some(hour * 3600 + minute * 60 + second),
        offset,
    })
}

/// `""`, `Z`, `+HH`, `+HHMM` or `+HH:MM` (or `-`), optionally after a space.
fn parse_offset(b: &[u8]) -> Option<i64> {
    let b = b.strip_prefix(b" ").unwrap_or(b);
    match b {
        [] | [b'Z'] => Some(0),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (h, m) = match rest.len() {
                2 => (digits(rest)?, 0),
                4 => (digits(&rest[0..2])?, digits(&rest[2..4])?),
                5 if rest[2] == b':' => (digits(&rest[0..2])?, digits(&rest[3..5])?),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let secs = i64::from(h * 3600 + m * 60);
            Some(if *sign == b'-' { -secs } else { secs })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instant(text: &str) -> Option<i64> {
        parse_stamp(text).map(Stamp::instant_utc)
    }

    #[test]
    fn parses_dates_and_timestamps_as_utc() {
        assert_eq!(instant("1970-01-01"), Some(0));
        assert_eq!(instant("2020-01-02"), Some(1_577_923_200));
        assert_eq!(instant("2017-04-19 09:00:00"), Some(1_492_592_400));
        assert_eq!(instant("2017-04-19T09:00:00"), Some(1_492_592_400));
        assert_eq!(instant("2017-04-19T09:00"), Some(1_492_592_400));
        assert_eq!(instant("2017-04-19T09:00:00Z"), Some(1_492_592_400));
        assert_eq!(instant("2017-04-19T09:00:00.250Z"), Some(1_492_592_400));
        assert_eq!(instant("2017-04-19 05:00:00-04:00"), Some(1_492_592_400));
        assert_eq!(instant("2017-04-19T11:00:00+0200"), Some(1_492_592_400));
        assert_eq!(instant("1969-12-31"), Some(-86_400));
    }

    #[test]
    fn rejects_bad_cells() {
        for bad in [
            "",
            "Tlt",
            "2020-13-01",
            "2020-02-30",
            "2020/01/02",
            "20200102",
            "2020-01-02 25:00:00",
            "2020-01-02 09:00:00+25:00",
            "2020-01-02x",
            "2020-01-02 09",
            "2020-01-02 09:00:00.",
        ] {
            assert_eq!(parse_stamp(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn daily_cells_keep_their_written_date() {
        let s = parse_stamp("2020-01-02 00:00:00-05:00").map(Stamp::date_midnight_utc);
        assert_eq!(s, Some(1_577_923_200));
    }

    #[test]
    fn formats_round_trip() {
        assert_eq!(format_date(1_577_923_200), "2020-01-02");
        assert_eq!(format_datetime(1_492_592_400), "2017-04-19 09:00:00");
        assert_eq!(format_auto(1_577_923_200), "2020-01-02");
        assert_eq!(format_auto(-86_400), "1969-12-31");
        assert_eq!(unix_to_date(-1), NaiveDate::from_ymd_opt(1969, 12, 31));
    }

    #[test]
    fn parse_date_names_the_field() {
        assert!(parse_date("start_date", "2020-01-02").is_ok());
        let err = parse_date("end_date", "2020-1-2");
        assert!(matches!(
            err,
            Err(DataError::InvalidDate {
                field: "end_date",
                ..
            })
        ));
    }
}
