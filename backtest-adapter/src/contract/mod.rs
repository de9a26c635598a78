//! The Web <-> Worker JSON contract (SPEC §4): the backtest request and its
//! result.
//!
//! The contract is frozen once released: fields are never removed or
//! renamed, new fields are additive with defaults. JSON Schemas of both types
//! are committed under `backtest-adapter/schema/` and a snapshot test
//! (`tests/contract_schema.rs`) fails when a committed field disappears or
//! changes type.
//!
//! # Request
//! Every field except `ticker` has a default (see [`BacktestRequest`]).
//! Unknown fields are rejected, so a typo is an error rather than a silent
//! default. [`BacktestRequest::from_json`] and [`BacktestRequest::validate`]
//! report every violation as a [`ContractError`] naming the field
//! (`"start_date"`, `"params.period"`, ...).
//!
//! # Result
//! [`BacktestResult`] holds the SPEC fields plus additive ones (marked
//! *additive* in their docs; each has `#[serde(default)]`, so results stored
//! before it existed still deserialise — keep doing that). Numbers that are undefined (a ratio without
//! trades, a Sharpe of a flat curve) are `null`, never NaN or infinity.
//! Dates in curves, candles and signals are `YYYY-MM-DD` for daily bars and
//! full ISO 8601 in UTC (`2017-04-19T09:00:00+00:00`) for intraday bars; trade
//! timestamps are always full ISO 8601, with daily bars stamped at the US
//! market close, 21:00 UTC.
//!
//! ```
//! use backtest_adapter::contract::BacktestRequest;
//! let req = BacktestRequest::from_json(r#"{"ticker": "AAPL", "params": {"period": 10}}"#)?;
//! assert_eq!(req.rule_type, "RSI");
//! let valid = req.validate()?;
//! assert_eq!(valid.rule.rule_id(), "RSI_10_30_70");
//!
//! let err = BacktestRequest::from_json(r#"{"ticker": "AAPL", "params": {"period": 1}}"#)?
//!     .validate()
//!     .unwrap_err();
//! assert_eq!(err.field, "params.period");
//! let err = BacktestRequest::from_json(r#"{"ticker": "AAPL", "fee_rat": 0.1}"#).unwrap_err();
//! assert_eq!(err.field, "fee_rat");
//! # Ok::<(), backtest_adapter::contract::ContractError>(())
//! ```

mod request;
mod result;
mod validation;

pub use request::{
    BacktestRequest, RequestDirection, RequestFill, RequestSizeType, RequestTimeframe,
};
pub use result::{
    BacktestResult, Candle, ChartSet, DrawdownPoint, EquityPoint, Metrics, PortfolioPoint,
    RunStatus, SignalRecord, TradeRecord,
};
pub use validation::{ContractError, ValidatedRequest, MAX_RULE_ID_LEN, MAX_RUN_ID_LEN};

/// JSON Schema of [`BacktestRequest`].
#[must_use]
pub fn request_schema() -> schemars::Schema {
    schemars::schema_for!(BacktestRequest)
}

/// JSON Schema of [`BacktestResult`].
#[must_use]
pub fn result_schema() -> schemars::Schema {
    schemars::schema_for!(BacktestResult)
}

#[cfg(test)]
mod tests {
    use super::*;
    use backtest_core::engine::TradingSettings;
    use serde_json::Value;

    #[test]
    fn defaults() -> Result<(), ContractError> {
        let req = BacktestRequest::from_json(r#"{"ticker":"aapl"}"#)?;
        assert_eq!(req, BacktestRequest::new("aapl"));
        let valid = req.validate()?;
        assert_eq!(valid.ticker, "AAPL");
        assert_eq!(valid.rule_id, "RSI_14_30_70");
        assert_eq!(valid.settings, TradingSettings::default());
        assert_eq!(valid.benchmark, None);
        let valid =
            BacktestRequest::from_json(r#"{"ticker":"aapl","benchmark":"spy"}"#)?.validate()?;
        assert_eq!(valid.benchmark.as_deref(), Some("SPY"));
        let valid =
            BacktestRequest::from_json(r#"{"ticker":"aapl","benchmark":"AAPL"}"#)?.validate()?;
        assert_eq!(valid.benchmark, None, "the own ticker is the default");
        Ok(())
    }

    #[test]
    fn parse_errors_name_the_field() {
        let cases = [
            (r#"{}"#, "ticker"),
            (r#"{"ticker":"A","typo":1}"#, "typo"),
            (r#"{"ticker":"A","fee_rate":"x"}"#, "fee_rate"),
            (r#"{"ticker":"A","size_type":"shares"}"#, "size_type"),
            (r#"{"ticker":"A","timeframe":"1w"}"#, "timeframe"),
            (r#"{"ticker":"A","params":[1]}"#, "params"),
            (r#"{"ticker":"A","charts":"no"}"#, "charts"),
            (r#"{"ticker":"A","benchmark":5}"#, "benchmark"),
            (r#"{"ticker":"A""#, "body"),
            (r#"{"ticker":"A"} x"#, "body"),
        ];
        for (text, field) in cases {
            match BacktestRequest::from_json(text) {
                Err(e) => assert_eq!(e.field, field, "{text}: {e}"),
                Ok(r) => panic!("{text}: accepted as {r:?}"),
            }
        }
    }

    #[test]
    fn validation_errors_name_the_field() -> Result<(), ContractError> {
        let base = BacktestRequest::new("AAPL");
        let mut cases: Vec<(BacktestRequest, &str)> = Vec::new();
        let mut r = base.clone();
        r.ticker = "../etc/passwd".into();
        cases.push((r, "ticker"));
        let mut r = base.clone();
        r.benchmark = Some("SPY/../../x".into());
        cases.push((r, "benchmark"));
        let mut r = base.clone();
        r.rule_type = "NOPE".into();
        cases.push((r, "rule_type"));
        let mut r = base.clone();
        r.params.insert("oversold".into(), Value::from(500));
        cases.push((r, "params.oversold"));
        let mut r = base.clone();
        r.start_date = Some("2020-13-01".into());
        cases.push((r, "start_date"));
        let mut r = base.clone();
        r.end_date = Some("yesterday".into());
        cases.push((r, "end_date"));
        let mut r = base.clone();
        r.start_date = Some("2021-01-01".into());
        r.end_date = Some("2020-01-01".into());
        cases.push((r, "start_date"));
        let mut r = base.clone();
        r.fee_rate = -0.1;
        cases.push((r, "fee_rate"));
        let mut r = base.clone();
        r.initial_capital = 0.0;
        cases.push((r, "initial_capital"));
        let mut r = base.clone();
        r.size_type = RequestSizeType::Percent;
        r.position_size = 150.0;
        cases.push((r, "position_size"));
        let mut r = base.clone();
        r.run_id = Some("a b".into());
        cases.push((r, "run_id"));
        let mut r = base;
        r.rule_id = Some(String::new());
        cases.push((r, "rule_id"));
        for (req, field) in cases {
            match req.validate() {
                Err(e) => assert_eq!(e.field, field, "{e}"),
                Ok(_) => panic!("{req:?} accepted"),
            }
        }
        Ok(())
    }

    #[test]
    fn failed_result_serialises_with_every_field() -> Result<(), serde_json::Error> {
        let r = BacktestResult::failed(&BacktestRequest::new("AAPL"), "boom");
        let v: Value = serde_json::from_str(&r.to_json()?)?;
        assert_eq!(v["status"], "failed");
        assert_eq!(v["error_message"], "boom");
        assert!(v["metrics"].is_null());
        assert!(v["charts"]["trade_pnl_base64"].is_null());
        assert!(v["chart_base64"].is_null());
        Ok(())
    }
}
