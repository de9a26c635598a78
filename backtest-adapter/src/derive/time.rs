//! Bar dates as text: `YYYY-MM-DD` for daily bars, ISO 8601 for intraday
//! bars and trade timestamps.
//!
//! Daily bars are stored at 00:00 UTC of their date; in outputs they are
//! stamped at the US market close, 16:00 New York = 21:00 UTC (SPEC §3b).

/// Seconds per day.
pub const DAY_SECONDS: i64 = 86_400;

/// Hour (UTC) at which daily bars are stamped in trade timestamps.
pub const DAILY_CLOSE_HOUR_UTC: i64 = 21;

/// Civil date of a day number since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Howard Hinnant's `civil_from_days`.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // Both are in range by construction (1..=31, 1..=12).
    (year, month as u32, day as u32)
}

/// `YYYY-MM-DD` of a Unix timestamp (UTC).
#[must_use]
pub fn format_date(ts: i64) -> String {
    let (y, m, d) = civil_from_days(ts.div_euclid(DAY_SECONDS));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DDTHH:MM:SS+00:00` of a Unix timestamp (UTC).
#[must_use]
pub fn format_iso(ts: i64) -> String {
    let secs = ts.rem_euclid(DAY_SECONDS);
    format!(
        "{}T{:02}:{:02}:{:02}+00:00",
        format_date(ts),
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

/// The date of a bar as shown in curves: `YYYY-MM-DD` when `daily`, full
/// ISO 8601 otherwise.
#[must_use]
pub fn bar_label(ts: i64, daily: bool) -> String {
    if daily {
        format_date(ts)
    } else {
        format_iso(ts)
    }
}

/// The instant a bar stands for in trade timestamps: 21:00 UTC of its date
/// when `daily`, its own time otherwise.
#[must_use]
pub fn bar_instant(ts: i64, daily: bool) -> i64 {
    if daily {
        ts.div_euclid(DAY_SECONDS) * DAY_SECONDS + DAILY_CLOSE_HOUR_UTC * 3_600
    } else {
        ts
    }
}

/// ISO 8601 trade timestamp of a bar (see [`bar_instant`]).
#[must_use]
pub fn trade_timestamp(ts: i64, daily: bool) -> String {
    format_iso(bar_instant(ts, daily))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(1_579_046_400), "2020-01-15");
        assert_eq!(format_date(951_782_400), "2000-02-29");
        assert_eq!(format_date(-86_400), "1969-12-31");
        assert_eq!(format_iso(1_492_592_400), "2017-04-19T09:00:00+00:00");
        assert_eq!(
            trade_timestamp(1_579_046_400, true),
            "2020-01-15T21:00:00+00:00"
        );
        assert_eq!(bar_label(1_492_592_400, false), "2017-04-19T09:00:00+00:00");
    }

    #[test]
    fn matches_chrono_over_a_century() {
        for day in (-3_000..40_000).step_by(7) {
            let ts = day * DAY_SECONDS;
            let expected = chrono::DateTime::from_timestamp(ts, 0)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            assert_eq!(format_date(ts), expected);
        }
    }
}
