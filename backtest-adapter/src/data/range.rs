//! Inclusive date-range selection (`start_date` / `end_date`).

use backtest_core::OhlcvSeries;

use super::timestamp::{date_to_unix, format_date, parse_date, DAY};
use super::DataError;

/// The bars from `start_date` 00:00 UTC through `end_date` 23:59:59 UTC
/// (both `YYYY-MM-DD`, inclusive; `None` leaves that side open).
///
/// Daily bars are stored at 00:00 UTC of their date, so a daily bar is kept
/// exactly when its date lies in the range; intraday bars of `end_date` are
/// kept too.
///
/// ```
/// use backtest_adapter::data::{filter_range, load_csv_bytes};
/// let csv = "Date,Open,High,Low,Close,Volume\n\
///            2020-01-02,1,1,1,1,1\n2020-01-03,1,1,1,1,1\n2020-01-06,1,1,1,1,1\n";
/// let series = load_csv_bytes(csv.as_bytes()).unwrap().series;
/// let picked = filter_range(&series, Some("2020-01-03"), Some("2020-01-06")).unwrap();
/// assert_eq!(picked.len(), 2);
/// let err = filter_range(&series, Some("2021-01-01"), None).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "no bars between 2021-01-01 and the last bar; the data covers 2020-01-02 to 2020-01-06"
/// );
/// ```
///
/// # Errors
/// [`DataError::InvalidDate`] for a malformed date, [`DataError::StartAfterEnd`],
/// [`DataError::NoData`] for an empty series, and [`DataError::EmptyRange`]
/// (naming the dates the data covers) when no bar is selected.
pub fn filter_range(
    series: &OhlcvSeries,
    start_date: Option<&str>,
    end_date: Option<&str>,
) -> Result<OhlcvSeries, DataError> {
    let start = start_date
        .map(|s| parse_date("start_date", s))
        .transpose()?;
    let end = end_date.map(|s| parse_date("end_date", s)).transpose()?;
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            return Err(DataError::StartAfterEnd {
                start: s.to_string(),
                end: e.to_string(),
            });
        }
    }
    let (Some(&first), Some(&last)) = (series.timestamps().first(), series.timestamps().last())
    else {
        return Err(DataError::NoData);
    };
    let picked = series.between(
        start.map(date_to_unix),
        end.map(|e| date_to_unix(e) + DAY - 1),
    );
    if picked.is_empty() {
        return Err(DataError::EmptyRange {
            start: start.map(|d| d.to_string()),
            end: end.map(|d| d.to_string()),
            first: format_date(first),
            last: format_date(last),
        });
    }
    Ok(picked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hourly() -> Result<OhlcvSeries, DataError> {
        // 2020-01-02 22:00 .. 2020-01-03 02:00 UTC, hourly.
        let ts: Vec<i64> = (0..5).map(|h| 1_577_923_200 + (22 + h) * 3_600).collect();
        let n = ts.len();
        Ok(OhlcvSeries::new(
            ts,
            vec![1.0; n],
            vec![1.0; n],
            vec![1.0; n],
            vec![1.0; n],
            vec![1.0; n],
        )?)
    }

    #[test]
    fn intraday_end_day_is_inclusive() -> Result<(), DataError> {
        let s = hourly()?;
        assert_eq!(filter_range(&s, None, Some("2020-01-02"))?.len(), 2);
        assert_eq!(filter_range(&s, Some("2020-01-03"), None)?.len(), 3);
        assert_eq!(filter_range(&s, None, None)?.len(), 5);
        Ok(())
    }

    #[test]
    fn range_errors() -> Result<(), DataError> {
        let s = hourly()?;
        assert!(matches!(
            filter_range(&s, Some("2020-01-05"), Some("2020-01-04")),
            Err(DataError::StartAfterEnd { .. })
        ));
        assert!(matches!(
            filter_range(&s, Some("2020-1-5"), None),
            Err(DataError::InvalidDate {
                field: "start_date",
                ..
            })
        ));
        match filter_range(&s, Some("2019-01-01"), Some("2019-12-31")) {
            Err(DataError::EmptyRange { first, last, .. }) => {
                assert_eq!(
                    (first.as_str(), last.as_str()),
                    ("2020-01-02", "2020-01-03")
                );
            }
            other => panic!("expected EmptyRange, got {other:?}"),
        }
        assert!(matches!(
            filter_range(&OhlcvSeries::default(), None, None),
            Err(DataError::NoData)
        ));
        Ok(())
    }
}
