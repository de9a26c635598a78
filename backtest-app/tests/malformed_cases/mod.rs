//! The table of malformed `/run_backtest` requests used by `web_api.rs`.

use serde_json::{json, Value};

/// A malformed `/run_backtest` request: its body, the expected `field` and
/// a piece of the expected message.
pub struct Bad {
    pub name: &'static str,
    pub body: Vec<u8>,
    pub field: &'static str,
    pub message: &'static str,
}

fn bad(
    name: &'static str,
    body: impl Into<Vec<u8>>,
    field: &'static str,
    message: &'static str,
) -> Bad {
    Bad {
        name,
        body: body.into(),
        field,
        message,
    }
}

/// A request with `patch` applied over a valid GOOG request.
fn with(patch: Value) -> Vec<u8> {
    let mut request = json!({"ticker": "GOOG", "charts": false});
    if let (Some(base), Some(patch)) = (request.as_object_mut(), patch.as_object()) {
        for (k, v) in patch {
            base.insert(k.clone(), v.clone());
        }
    }
    request.to_string().into_bytes()
}

pub fn malformed_requests() -> Vec<Bad> {
    let deep = format!(
        r#"{{"ticker": "GOOG", "params": {{"x": {}1{}}}}}"#,
        "[".repeat(5000),
        "]".repeat(5000)
    );
    vec![
        bad(
            "truncated JSON",
            r#"{"ticker": "GOOG","#,
            "body",
            "malformed JSON",
        ),
        bad("unquoted keys", "{ticker: GOOG}", "body", "malformed JSON"),
        bad(
            "trailing garbage",
            r#"{"ticker": "GOOG"} x"#,
            "body",
            "trailing characters",
        ),
        bad(
            "single quotes",
            "{'ticker': 'GOOG'}",
            "body",
            "malformed JSON",
        ),
        bad(
            "NaN literal",
            r#"{"ticker": "GOOG", "fee_rate": NaN}"#,
            "body",
            "malformed JSON",
        ),
        bad("empty body", "", "body", "empty"),
        bad("whitespace body", "  \n ", "body", "empty"),
        bad(
            "array body",
            r#"[{"ticker": "GOOG"}]"#,
            "body",
            "not an array",
        ),
        bad("string body", r#""GOOG""#, "body", "JSON object"),
        bad("number body", "42", "body", "JSON object"),
        bad("null body", "null", "body", "JSON object"),
        bad(
            "non-UTF-8 body",
            b"{\"ticker\": \"GO\xff\xfeOG\"}".to_vec(),
            "body",
            "UTF-8",
        ),
        bad("deeply nested", deep, "body", "recursion limit"),
        bad("missing ticker", "{}", "ticker", "missing field `ticker`"),
        bad(
            "ticker is a number",
            r#"{"ticker": 5}"#,
            "ticker",
            "invalid type",
        ),
        bad(
            "ticker is null",
            r#"{"ticker": null}"#,
            "ticker",
            "invalid type",
        ),
        bad(
            "empty ticker",
            with(json!({"ticker": ""})),
            "ticker",
            "empty",
        ),
        bad(
            "path traversal",
            with(json!({"ticker": "../etc/passwd"})),
            "ticker",
            "invalid ticker",
        ),
        bad(
            "path separator",
            with(json!({"ticker": "GOOG/../../x"})),
            "ticker",
            "invalid ticker",
        ),
        bad(
            "absolute path",
            with(json!({"ticker": "/etc/passwd"})),
            "ticker",
            "invalid ticker",
        ),
        bad(
            "ticker with space",
            with(json!({"ticker": "GO OG"})),
            "ticker",
            "invalid ticker",
        ),
        bad(
            "ticker too long",
            with(json!({"ticker": "ABCDEFGHIJKLMNOPQ"})),
            "ticker",
            "longer than 15",
        ),
        bad(
            "non-ASCII ticker",
            with(json!({"ticker": "GÖÖG"})),
            "ticker",
            "ASCII",
        ),
        bad(
            "unknown ticker",
            with(json!({"ticker": "ZZZZ"})),
            "ticker",
            "ZZZZ",
        ),
        bad(
            "unknown benchmark",
            with(json!({"benchmark": "ZZZZ"})),
            "benchmark",
            "ZZZZ",
        ),
        bad(
            "benchmark with a path",
            with(json!({"benchmark": "../Cargo"})),
            "benchmark",
            "invalid ticker",
        ),
        bad(
            "benchmark is a number",
            with(json!({"benchmark": 5})),
            "benchmark",
            "invalid type",
        ),
        bad(
            "benchmark without bars of the timeframe",
            with(json!({"benchmark": "EURUSD"})),
            "benchmark",
            "EURUSD",
        ),
        bad(
            "benchmark without a common date",
            with(
                json!({"benchmark": "GOOGL", "start_date": "2004-09-01", "end_date": "2004-12-31"}),
            ),
            "benchmark",
            "no bar",
        ),
        bad(
            "unknown rule",
            with(json!({"rule_type": "FOO"})),
            "rule_type",
            "FOO",
        ),
        bad(
            "rule_type is a number",
            with(json!({"rule_type": 5})),
            "rule_type",
            "invalid type",
        ),
        bad(
            "params is an array",
            with(json!({"params": [14]})),
            "params",
            "invalid type",
        ),
        bad(
            "period below range",
            with(json!({"params": {"period": 1}})),
            "params.period",
            "[2, 200]",
        ),
        bad(
            "period is a string",
            with(json!({"params": {"period": "x"}})),
            "params.period",
            "",
        ),
        bad(
            "period is huge",
            with(json!({"params": {"period": 1e20}})),
            "params.period",
            "",
        ),
        bad(
            "unknown param",
            with(json!({"params": {"lookback": 3}})),
            "params.lookback",
            "valid parameters",
        ),
        bad(
            "oversold above overbought",
            with(json!({"params": {"oversold": 80, "overbought": 70}})),
            "params.oversold",
            "below overbought",
        ),
        bad(
            "bad month",
            with(json!({"start_date": "2020-13-01"})),
            "start_date",
            "not a valid date",
        ),
        bad(
            "US date format",
            with(json!({"start_date": "01/02/2010"})),
            "start_date",
            "YYYY-MM-DD",
        ),
        bad(
            "February 30",
            with(json!({"end_date": "2010-02-30"})),
            "end_date",
            "not a valid date",
        ),
        bad(
            "date is a number",
            with(json!({"end_date": 20100101})),
            "end_date",
            "invalid type",
        ),
        bad(
            "start after end",
            with(json!({"start_date": "2012-01-01", "end_date": "2011-01-01"})),
            "start_date",
            "after",
        ),
        bad(
            "range without data",
            with(json!({"start_date": "1990-01-01", "end_date": "1990-12-31"})),
            "start_date",
            "",
        ),
        bad(
            "negative capital",
            with(json!({"initial_capital": -1000})),
            "initial_capital",
            "positive",
        ),
        bad(
            "zero capital",
            with(json!({"initial_capital": 0})),
            "initial_capital",
            "positive",
        ),
        bad(
            "capital 1e308",
            with(json!({"initial_capital": 1e308})),
            "initial_capital",
            "1e15",
        ),
        bad(
            "capital 1e400",
            br#"{"ticker": "GOOG", "initial_capital": 1e400}"#.to_vec(),
            "body",
            "number out of range",
        ),
        bad(
            "capital is a string",
            with(json!({"initial_capital": "100000"})),
            "initial_capital",
            "invalid type",
        ),
        bad(
            "fee_rate of 1",
            with(json!({"fee_rate": 1})),
            "fee_rate",
            "[0, 1)",
        ),
        bad(
            "fee_rate above 1",
            with(json!({"fee_rate": 2.5})),
            "fee_rate",
            "[0, 1)",
        ),
        bad(
            "negative fee_rate",
            with(json!({"fee_rate": -0.01})),
            "fee_rate",
            "[0, 1)",
        ),
        bad(
            "negative slippage",
            with(json!({"slippage_bps": -1})),
            "slippage_bps",
            "basis points",
        ),
        bad(
            "slippage of 100%",
            with(json!({"slippage_bps": 10000})),
            "slippage_bps",
            "basis points",
        ),
        bad(
            "zero position size",
            with(json!({"position_size": 0})),
            "position_size",
            "positive",
        ),
        bad(
            "percent above 100",
            with(json!({"size_type": "percent", "position_size": 150})),
            "position_size",
            "percent",
        ),
        bad(
            "unknown size_type",
            with(json!({"size_type": "shares"})),
            "size_type",
            "unknown variant",
        ),
        bad(
            "unknown direction",
            with(json!({"direction": "sideways"})),
            "direction",
            "unknown variant",
        ),
        bad(
            "unknown timeframe",
            with(json!({"timeframe": "1w"})),
            "timeframe",
            "unknown variant",
        ),
        bad(
            "no hourly data",
            with(json!({"timeframe": "1h"})),
            "ticker",
            "GOOG",
        ),
        bad(
            "unknown fill",
            with(json!({"fill": "open"})),
            "fill",
            "unknown variant",
        ),
        bad(
            "charts is a string",
            with(json!({"charts": "yes"})),
            "charts",
            "invalid type",
        ),
        bad(
            "unknown field",
            with(json!({"fee_rat": 0.1})),
            "fee_rat",
            "unknown field",
        ),
        bad(
            "run_id supplied",
            with(json!({"run_id": "abc"})),
            "run_id",
            "issued by the server",
        ),
        bad(
            "rule_id too long",
            with(json!({"rule_id": "x".repeat(200)})),
            "rule_id",
            "128",
        ),
        bad(
            "rule_id with control characters",
            with(json!({"rule_id": "a\nb"})),
            "rule_id",
            "control",
        ),
    ]
}
